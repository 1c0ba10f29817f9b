"""Export of a list of children to XLSX or CSV, in the import template's columns (an export re-imports).

The rows of the child list selector (scope first, the same filters), narrowed to the viewer's scope
for CHILD_EXPORT; streamed (a server-side iterator, the writers in core.export), safe against formula
injection, and audited with the filters and the row count before the first byte leaves. Sensitive
groups (HIV, conflict with the law, drugs, sexual abuse) appear only for children whose commune lies in
the viewer's scope for seeing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction

from . import selectors
from .codes import ETHNICITIES, SENSITIVE_GROUPS, ChildStatus, Relationship, Sex
from .importing import HEADINGS
from .models import Caregiver, Child, SpecialCircumstance
from .selectors import ChildFilter

SHEET_TITLE = "Danh sách trẻ em"
WIDTHS = (28, 10, 14, 9, 12, 16, 9, 22, 30, 24, 24, 14, 30)
ITERATOR_CHUNK = 2000
_ETHNICITY = dict(ETHNICITIES)
_SEX = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}


def _int(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


def filters_from_query(params: Mapping[str, Any]) -> ChildFilter:
    """The child list's filters from a query string (the list's export links carry them)."""
    text = {k: str(params.get(k, "")).strip() for k in ("q", "commune", "group", "risk", "status")}
    return ChildFilter(
        q=text["q"][:100],
        commune=text["commune"][:10],
        group=text["group"][:2],
        risk=text["risk"][:20],
        status=text["status"] if text["status"] in ChildStatus.values else "",
        age_min=_int(params.get("age_min")),
        age_max=_int(params.get("age_max")),
        household=_int(params.get("household")),
    )


def filters_dict(filters: ChildFilter) -> dict[str, Any]:
    return {k: v for k, v in filters.__dict__.items() if v not in ("", None)}


def children_for_export(*, viewer: Any, filters: ChildFilter) -> QuerySet[Child]:
    """The list selector's children (scope first, the same filters, Vietnamese order), narrowed to the
    communes where the viewer may also export."""
    return selectors.children_for(viewer, filters).filter(
        scope_for(viewer, Action.CHILD_EXPORT).q("admin_unit")
    )


def _rows(qs: QuerySet[Child], viewer: Any) -> Iterator[list[object]]:
    sensitive_scope = scope_for(viewer, Action.CHILD_VIEW_SENSITIVE)
    today = timezone.localdate()
    parents = Caregiver.objects.filter(
        relationship__in=[Relationship.FATHER, Relationship.MOTHER]
    ).select_related("person")
    circumstances = SpecialCircumstance.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    qs = qs.select_related("person", "admin_unit").prefetch_related(
        Prefetch("caregivers", queryset=parents, to_attr="parents"),
        Prefetch("circumstances", queryset=circumstances, to_attr="current_circumstances"),
    )
    for child in qs.iterator(chunk_size=ITERATOR_CHUNK):
        person = child.person
        see_sensitive = sensitive_scope.contains(child.admin_unit)
        current: list[SpecialCircumstance] = child.current_circumstances  # type: ignore[assignment]
        groups = sorted({c.group for c in current if see_sensitive or c.group not in SENSITIVE_GROUPS})
        names = {c.relationship: c.person.full_name for c in child.parents}  # type: ignore[attr-defined]
        yield [
            person.full_name,
            _SEX.get(person.sex, ""),  # type: ignore[call-overload]
            person.date_of_birth,
            person.birth_year if person.date_of_birth is None else None,
            _ETHNICITY.get(person.ethnicity, ""),
            person.id_number,
            child.admin_unit.code,
            child.admin_unit.name,
            person.address,
            names.get(Relationship.FATHER, ""),
            names.get(Relationship.MOTHER, ""),
            ", ".join(groups),
            child.notes,
        ]


@dataclass(frozen=True)
class Export:
    rows: Iterator[list[object]]
    headings: list[str]
    count: int
    filename: str


def children_export(*, viewer: Any, filters: ChildFilter, fmt: str) -> Export:
    """The export of the filtered list, recorded in the audit trail (action "export") before it streams."""
    qs = children_for_export(viewer=viewer, filters=filters)
    count = qs.count()
    audit.record(
        actor=viewer,
        action=AuditAction.EXPORT,
        object_type="registry.child",
        changes={"format": fmt, "filters": filters_dict(filters), "rows": count},
    )
    stamp = dt.datetime.now(tz=timezone.get_current_timezone()).strftime("%Y%m%d-%H%M")
    return Export(_rows(qs, viewer), list(HEADINGS), count, f"tre-em-{stamp}.{fmt}")
