"""Export of a list of children to XLSX or CSV, in the import template's columns (an export re-imports).

Only rows in the viewer's scope for CHILD_EXPORT, filtered like the child list; streamed (a server-side
iterator, the writers in core.export), safe against formula injection, and audited with the filters
and the row count before the first byte leaves. Sensitive groups (HIV, conflict with the law, drugs,
sexual abuse) appear only for children whose commune lies in the viewer's scope for seeing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from mangnon.accounts.access import scope_for, scoped
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.core.text import normalize_name

from .codes import ETHNICITIES, SENSITIVE_GROUPS, ChildStatus, Relationship, Sex
from .importing import HEADINGS
from .models import Caregiver, Child, SpecialCircumstance

SHEET_TITLE = "Danh sách trẻ em"
WIDTHS = (28, 10, 14, 9, 12, 16, 9, 22, 30, 24, 24, 14, 30)
ITERATOR_CHUNK = 2000
_ETHNICITY = dict(ETHNICITIES)
_SEX = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}


@dataclass(frozen=True)
class ExportFilters:
    """The child list's filters: name or ID number, commune code, group letter, status."""

    q: str = ""
    commune: str = ""
    group: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> ExportFilters:
        return cls(
            q=str(params.get("q", "")).strip()[:100],
            commune=str(params.get("commune", "")).strip()[:10],
            group=str(params.get("group", "")).strip()[:2],
            status=str(params.get("status", "")).strip()[:10],
        )

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def children_for_export(*, viewer: Any, filters: ExportFilters) -> QuerySet[Child]:
    """The children `viewer` may export, scope first, then the filters; in Vietnamese name order."""
    qs = scoped(Child.objects.all(), viewer, Action.CHILD_EXPORT).exclude(status=ChildStatus.MERGED)
    if filters.status in ChildStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.commune:
        qs = qs.filter(admin_unit__code=filters.commune)
    if filters.group:
        today = timezone.localdate()
        current = SpecialCircumstance.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today), child=OuterRef("pk"), group=filters.group
        )
        qs = qs.filter(Exists(current))
    if filters.q:
        if filters.q.isdigit():
            qs = qs.filter(person__id_number=filters.q)
        else:
            qs = qs.filter(person__name_key__contains=normalize_name(filters.q))
    return qs.order_by("person__sort_key", "pk")


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


def children_export(*, viewer: Any, filters: ExportFilters, fmt: str) -> Export:
    """The export of the filtered list, recorded in the audit trail (action "export") before it streams."""
    qs = children_for_export(viewer=viewer, filters=filters)
    count = qs.count()
    audit.record(
        actor=viewer,
        action=AuditAction.EXPORT,
        object_type="registry.child",
        changes={"format": fmt, "filters": filters.as_dict(), "rows": count},
    )
    stamp = dt.datetime.now(tz=timezone.get_current_timezone()).strftime("%Y%m%d-%H%M")
    return Export(_rows(qs, viewer), list(HEADINGS), count, f"tre-em-{stamp}.{fmt}")
