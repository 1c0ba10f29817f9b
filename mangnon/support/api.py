"""Support through the API, mounted at /api/v1/disbursements."""

from ninja import Router

router = Router(tags=["support"])
