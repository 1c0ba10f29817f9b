"""GET /api/v1/surveys/{id}/results: the results routes (registered on api.router)."""

from __future__ import annotations

from .api import router  # noqa: F401
