"""Reads for the child list page: its counts and each row's badges.

Both take children already selected by `selectors.children_for` (scope first), so nothing here widens
what the viewer may see; sensitive groups and risks are left out where the viewer may not see them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action

from .codes import SENSITIVE_GROUPS, SENSITIVE_RISKS
from .models import Child, RiskFlag, SpecialCircumstance


def _active_on(day: date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


@dataclass(frozen=True)
class ListCounts:
    total: int
    special: int  # in at least one special-circumstance group today
    at_risk: int  # with at least one risk today


def list_counts(*, viewer: Any, children: QuerySet[Child], on: date | None = None) -> ListCounts:
    """How many of `children` there are, how many are in special circumstances and how many at risk.

    A sensitive group or risk counts only where the viewer may see it: a count of one child must not
    reveal what the profile withholds.
    """
    day = on or timezone.localdate()
    ids = children.order_by().values("pk")
    sensitive = scope_for(viewer, Action.CHILD_VIEW_SENSITIVE).q("child__admin_unit")
    circ = SpecialCircumstance.objects.filter(_active_on(day), child=OuterRef("pk")).filter(
        ~Q(group__in=SENSITIVE_GROUPS) | sensitive
    )
    risk = RiskFlag.objects.filter(_active_on(day), child=OuterRef("pk")).filter(
        ~Q(risk_type__in=SENSITIVE_RISKS) | sensitive
    )
    base = Child.objects.filter(pk__in=ids)
    return ListCounts(
        total=children.order_by().count(),
        special=base.filter(Exists(circ)).count(),
        at_risk=base.filter(Exists(risk)).count(),
    )


@dataclass
class ListRow:
    child: Child
    groups: list[tuple[str, str]]  # (code, label) of the groups active today that the viewer may see
    risk_count: int


def list_rows(*, viewer: Any, children: list[Child], on: date | None = None) -> list[ListRow]:
    """The page's children with their current groups and number of risks, in two queries."""
    day = on or timezone.localdate()
    sensitive = scope_for(viewer, Action.CHILD_VIEW_SENSITIVE)
    may_see = {c.pk for c in children if sensitive.contains(c.admin_unit)}
    pks = [c.pk for c in children]
    groups: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for row in SpecialCircumstance.objects.filter(_active_on(day), child_id__in=pks).order_by("group", "pk"):
        if row.group in SENSITIVE_GROUPS and row.child_id not in may_see:
            continue
        if (row.group, row.get_group_display()) not in groups[row.child_id]:
            groups[row.child_id].append((row.group, str(row.get_group_display())))
    risks: dict[int, int] = defaultdict(int)
    for child_id, risk_type in RiskFlag.objects.filter(_active_on(day), child_id__in=pks).values_list(
        "child_id", "risk_type"
    ):
        if risk_type in SENSITIVE_RISKS and child_id not in may_see:
            continue
        risks[child_id] += 1
    return [ListRow(c, groups.get(c.pk, []), risks.get(c.pk, 0)) for c in children]
