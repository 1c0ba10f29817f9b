"""Writes to the geography: loading administrative units from the `vietnamadminunits` package."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from mangnon.core import audit
from mangnon.core.models import AuditAction

from . import loader
from .loader import LoadStats
from .models import AdminUnit


def units_load(*, actor: Any, province_codes: Iterable[str] | None) -> LoadStats:
    """Load the given provinces (pre-reform or current codes; None: the whole country).

    Raises ValueError for a code the package does not know, before anything is written. A load that
    changes nothing leaves no audit event, so re-running it (make run, the demo) is truly idempotent.
    """
    codes = sorted(set(province_codes)) if province_codes is not None else None
    with transaction.atomic():
        stats = loader.load(codes)
        if stats.created or stats.updated or stats.crosswalk_created:
            audit.record(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type=AdminUnit._meta.label_lower,
                changes={
                    "provinces": [None, codes or "all"],
                    "created": [None, stats.created],
                    "updated": [None, stats.updated],
                    "crosswalk_created": [None, stats.crosswalk_created],
                },
            )
    return stats
