"""Reads of cases that cross rows, always scoped by the viewer first: CASE_VIEW for named cases,
CASE_COUNT for figures without names. Lists load the child, commune and caseworker with the case (one
query per list, whatever its length).

Scope filters name the units by id (a subquery on the units' paths), never by a join on the case's unit:
a condition on the joined unit's path cannot use the case indexes that begin with the commune, and made
the database read every case of the table (the cases.* benchmarks, at 100,000 cases: bench/README.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mangnon.accounts.access import active_memberships, scope_for
from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Action, roles_allowed
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import path_prefix_q

from .models import Case, CaseService, CaseStep, Deadline
from .workflow import OPEN_STATUSES, Rating, Status

DUE_SOON = timedelta(hours=24)
CASE_TYPE = "cases.case"


def _open_q() -> Q:
    return Q(status__in=sorted(OPEN_STATUSES))


def overdue_q(now: datetime) -> Q:
    return _open_q() & Q(next_due_at__lt=now)


def due_soon_q(now: datetime) -> Q:
    return _open_q() & Q(next_due_at__gte=now, next_due_at__lt=now + DUE_SOON)


def _visible(viewer: Any, *actions: Action, unit: AdminUnit | None = None) -> QuerySet[Case]:
    """The cases in the viewer's scope for each of `actions`, and under `unit` when one is given: one
    subquery of unit ids (each further subquery costs PostgreSQL's planner more than the query runs)."""
    units = AdminUnit.objects.all()
    for action in actions:
        units = units.filter(scope_for(viewer, action).q(unit_field=""))
    if unit is not None:
        units = units.filter(path_prefix_q("path", unit.path))
    return Case.objects.filter(admin_unit__in=units.values("pk"))


def _listed(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("child__person", "admin_unit", "caseworker").order_by(
        F("next_due_at").asc(nulls_last=True), "-received_at", "pk"
    )


def cases_for(
    viewer: Any,
    *,
    status: str = "",
    overdue: bool | None = None,
    due_soon: bool = False,
    caseworker: Any = None,
    unit: AdminUnit | None = None,
    risk: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Case]:
    """The cases `viewer` may see, soonest deadline first. `status` is a Status value or "open";
    `overdue` True keeps open cases past their next deadline, False drops them; `due_soon` keeps those
    due within 24 hours; `caseworker` a user (or id); `unit` that unit and everything under it; `risk` a
    Rating value, or "" for cases not yet rated (None: any)."""
    moment = now or timezone.now()
    qs = _visible(viewer, Action.CASE_VIEW, unit=unit)
    if status == "open":
        qs = qs.filter(_open_q())
    elif status:
        qs = qs.filter(status=status)
    if overdue is True:
        qs = qs.filter(overdue_q(moment))
    elif overdue is False:
        qs = qs.exclude(overdue_q(moment))
    if due_soon:
        qs = qs.filter(due_soon_q(moment))
    if caseworker is not None:
        qs = qs.filter(caseworker=caseworker)
    if risk is not None:
        qs = qs.filter(risk=risk)
    return _listed(qs)


@dataclass(frozen=True)
class Caseload:
    mine: QuerySet[Case]  # open cases the viewer is the caseworker of
    unassigned: QuerySet[Case]  # open cases without a caseworker where the viewer works cases
    to_approve: QuerySet[Case]  # plans waiting for the viewer's approval (chairperson)


def caseload(viewer: Any) -> Caseload:
    """The viewer's open cases by next deadline, the ones no one has taken yet, and the plans to approve."""
    view, work, approve = Action.CASE_VIEW, Action.CASE_WORK, Action.CASE_APPROVE_PLAN
    return Caseload(
        mine=_listed(_visible(viewer, view).filter(_open_q(), caseworker=viewer)),
        unassigned=_listed(_visible(viewer, view, work).filter(_open_q(), caseworker__isnull=True)),
        to_approve=_listed(_visible(viewer, view, approve).filter(status=Status.PLAN_DRAFTED)),
    )


@dataclass(frozen=True)
class CommuneRow:
    unit_id: int
    code: str
    name: str
    open: int
    overdue: int
    due_soon: int


@dataclass(frozen=True)
class Summary:
    unit: AdminUnit
    by_status: dict[str, int]
    open: int
    overdue: int
    due_soon: int
    by_commune: list[CommuneRow] = field(default_factory=list)
    by_risk: dict[str, int] = field(default_factory=dict)  # open cases: Rating values, "" not yet rated


def summary_units(viewer: Any) -> list[AdminUnit]:
    """The units of the viewer's memberships that may count cases, widest first (the dashboard's choices)."""
    allowed = roles_allowed(Action.CASE_COUNT)
    units = {m.admin_unit.pk: m.admin_unit for m in active_memberships(viewer) if m.role in allowed}
    return sorted(units.values(), key=lambda u: (u.path.count("/"), vi_sort_key(u.name)))


def supervisor_summary(viewer: Any, unit: AdminUnit, *, now: datetime | None = None) -> Summary:
    """Cases of `unit` (and below) by status; open, overdue and due within 24 hours, in all and by commune.

    Figures only (CASE_COUNT): 404 when the unit is outside what the viewer may count.
    """
    scope = scope_for(viewer, Action.CASE_COUNT)
    if not scope.contains(unit):
        raise Http404
    moment = now or timezone.now()
    qs = _visible(viewer, Action.CASE_COUNT, unit=unit).order_by()
    # Counted per commune and status, then summed here: grouped by commune first, the count reads only
    # the index that begins with the commune (grouped by status alone, the planners walked the status
    # index and read every case's row for its commune).
    counts = qs.values_list("admin_unit_id", "status").annotate(n=Count("pk"))
    by_status: dict[str, int] = dict.fromkeys(Status.values, 0)
    per_unit: dict[int, list[int]] = {}  # commune -> [open, overdue, due soon]
    for unit_id, status, n in counts:
        by_status[status] = by_status.get(status, 0) + n
        if status in OPEN_STATUSES:
            per_unit.setdefault(unit_id, [0, 0, 0])[0] += n
    # Overdue and due soon: the open cases whose next deadline falls before this time tomorrow.
    due = (
        qs.filter(_open_q(), next_due_at__lt=moment + DUE_SOON)
        .values_list("admin_unit_id")
        .annotate(
            overdue=Count("pk", filter=Q(next_due_at__lt=moment)),
            due_soon=Count("pk", filter=Q(next_due_at__gte=moment)),
        )
    )
    for unit_id, overdue, due_soon in due:
        per_unit[unit_id][1:] = [overdue, due_soon]
    by_risk: dict[str, int] = dict.fromkeys([*Rating.values, ""], 0)
    by_risk.update(qs.filter(_open_q()).values_list("risk").annotate(n=Count("pk")))
    names = AdminUnit.objects.only("code", "name").in_bulk(list(per_unit))
    by_commune = sorted(
        (
            CommuneRow(pk, names[pk].code, names[pk].name, open=n, overdue=late_n, due_soon=soon_n)
            for pk, (n, late_n, soon_n) in per_unit.items()
        ),
        key=lambda r: vi_sort_key(r.name),
    )
    return Summary(
        unit=unit,
        by_status=by_status,
        by_risk=by_risk,
        open=sum(r.open for r in by_commune),
        overdue=sum(r.overdue for r in by_commune),
        due_soon=sum(r.due_soon for r in by_commune),
        by_commune=by_commune,
    )


def caseworkers_for(case: Case) -> QuerySet[User]:
    """The people who work cases at the case's commune (a membership there or above it)."""
    above = [int(pk) for pk in case.admin_unit.path.strip("/").split("/")]
    members = Membership.objects.active().filter(
        role__in=sorted(roles_allowed(Action.CASE_WORK)), admin_unit_id__in=above
    )
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
        "full_name", "username"
    )


def case_steps(case: Case) -> list[CaseStep]:
    return list(case.steps.select_related("actor").order_by("at", "pk"))


def case_deadlines(case: Case) -> list[Deadline]:
    return list(case.deadlines.order_by("due_at", "pk"))


def case_services(case: Case) -> list[CaseService]:
    return list(case.services.select_related("provider").order_by("planned_start", "pk"))


def record_case_view(viewer: Any, case: Case, *, page: str) -> None:
    """Audit that `viewer` was shown a case (its child's personal data)."""
    audit.record(
        actor=viewer, action=AuditAction.VIEW, obj=case, unit=case.admin_unit, changes={"page": page}
    )


def record_list_view(
    viewer: Any, cases: list[Case], *, page: str, filters: dict[str, Any] | None = None
) -> None:
    """Audit that `viewer` was shown a list of cases (one event naming the ids shown)."""
    if not cases:
        return
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        object_type=CASE_TYPE,
        object_id=page,
        changes={"shown": [c.pk for c in cases], "filters": {k: v for k, v in (filters or {}).items() if v}},
    )
