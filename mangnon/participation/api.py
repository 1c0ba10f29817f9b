"""Children's voices through the API, mounted at /api/v1/voices."""

from ninja import Router

router = Router(tags=["participation"])
