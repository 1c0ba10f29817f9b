"""Geography routes of the API (filled in by the geo work)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["geography"])
