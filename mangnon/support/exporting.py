"""Export of the list of payments to XLSX or CSV: the list's rows (scope first, the same filters), one
line per payment with the child's record number and name, the programme and the amount in đồng.
Written by the writers in core.export (safe against formula injection) and audited (action "export",
with the filters, the row count and the total) before the first byte leaves: support amounts are
audited on view and on export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.core import audit
from mangnon.core.models import AuditAction

from . import selectors
from .models import Disbursement

ITERATOR_CHUNK = 500
WIDTHS = (10, 12, 12, 28, 24, 10, 14, 16, 30)
FORMATS = ("xlsx", "csv")


def headings() -> list[str]:
    return [
        _("Payment no."),
        _("Date paid"),
        _("Child's record number"),
        _("Child"),
        _("Commune"),
        _("Commune code"),
        _("Programme"),
        _("Amount (đồng)"),
        _("Approved by"),
    ]


def _rows(rows: QuerySet[Disbursement]) -> Iterator[list[object]]:
    for d in rows.iterator(chunk_size=ITERATOR_CHUNK):
        yield [
            d.pk,
            d.paid_on,
            d.child_id,
            d.child.person.full_name,
            d.admin_unit.name,
            d.admin_unit.code,
            d.programme.code,
            d.amount,
            d.approver,
        ]


@dataclass(frozen=True)
class Export:
    rows: Iterator[list[object]]
    headings: list[str]
    count: int
    filename: str
    sheet_title: str


def disbursements_export(*, viewer: Any, filters: selectors.DisbursementFilter, fmt: str) -> Export:
    """The export of the filtered list, recorded in the audit trail first."""
    rows = selectors.disbursements_for(viewer, filters)
    count, amount = selectors.totals(rows)
    audit.record(
        actor=viewer,
        action=AuditAction.EXPORT,
        object_type=selectors.DISBURSEMENT_TYPE,
        changes={"format": fmt, "filters": filters.as_dict(), "rows": count, "amount": amount},
    )
    stamp = dt.datetime.now(tz=timezone.get_current_timezone()).strftime("%Y%m%d-%H%M")
    return Export(_rows(rows), headings(), count, f"ho-tro-{stamp}.{fmt}", _("Support payments"))
