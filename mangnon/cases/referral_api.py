"""Referrals and the services of a plan through the API, mounted at /api/v1/referrals."""

from ninja import Router

router = Router(tags=["referrals"])
