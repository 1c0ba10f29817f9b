"""/api/v1/surveys: questionnaires (XLSForm upload), rounds and their results."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["surveys"])

# The results routes live beside the results code; importing registers them on this router.
from . import results_api  # noqa: E402, F401
