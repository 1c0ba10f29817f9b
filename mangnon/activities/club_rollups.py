"""The clubs roll-up: for a unit (either geography) and a period, the clubs, teams and care models kept up.

Counted, within the viewer's ACTIVITY_VIEW scope, at a unit in the unit's geography
(geo.selectors.in_geography_q):

- clubs by kind: the clubs active on at least one day of [start, end] (founded on or before its end, not
  closed before its start);
- sub-units by kind: how many of the unit's direct sub-units (a province's district-level units, a
  district's communes) have at least one such club (the reports' "13/13 district-level units"); a row
  at a unit outside the unit's own tree (a current commune counted for a pre-reform district through the
  crosswalk) counts as a sub-unit of its own;
- members by kind and by role: persons (người), one per membership row, whose membership overlaps the
  period, in the active clubs;
- club meetings: the activities of kind club_meeting in the period that name a club;
- care models by kind: those kept up on at least one day of the period.

Aggregates only (no names), not audited. A constant number of queries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import rollups as core_rollups
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q

from .codes import ActivityKind, CareModelKind, ClubKind, MemberRole
from .models import Activity, CareModel, Club, ClubMember


@dataclass(frozen=True)
class ClubRollup:
    unit: str
    start: date
    end: date
    clubs: int
    clubs_by_kind: dict[str, int]
    sub_units_by_kind: dict[str, int]
    members: int  # persons
    members_by_kind: dict[str, int]
    members_by_role: dict[str, int]
    club_meetings: int
    care_models: int
    care_models_by_kind: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "start": self.start.isoformat(), "end": self.end.isoformat()}


def active_q(start: date, end: date, *, since: str, until: str) -> Q:
    """Rows active on at least one day of [start, end]: begun by its end, not ended before its start."""
    return Q(**{f"{since}__lte": end}) & (Q(**{f"{until}__isnull": True}) | Q(**{f"{until}__gte": start}))


def _where(viewer: Any, unit: AdminUnit) -> Q:
    if not can(viewer, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    scope = scope_for(viewer, Action.ACTIVITY_VIEW)
    if not scope.contains(unit):
        raise Http404
    return scope.q("admin_unit") & in_geography_q(unit, "admin_unit")


def sub_unit_key(unit_path: str, row_path: str) -> str:
    """The direct sub-unit of the unit (its path segment) that a row's unit lies in, or the row's own
    path when it lies outside the unit's tree."""
    if row_path.startswith(unit_path) and len(row_path) > len(unit_path):
        return row_path[len(unit_path) :].split("/", 1)[0]
    return row_path


def rollup(*, viewer: Any, unit: AdminUnit, start: date, end: date) -> ClubRollup:
    if start > end:
        raise ValueError("The period ends before it starts.")
    where = _where(viewer, unit)
    clubs = Club.objects.filter(where, active_q(start, end, since="founded_on", until="closed_on")).order_by()

    by_kind = dict.fromkeys(ClubKind.values, 0)
    for kind, n in clubs.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"):
        by_kind[kind] = int(n)

    sub_units: dict[str, set[str]] = {k: set() for k in ClubKind.values}
    for kind, path in clubs.values_list("kind", "admin_unit__path").distinct():
        sub_units[kind].add(sub_unit_key(unit.path, path))

    members = ClubMember.objects.filter(
        active_q(start, end, since="joined_on", until="left_on"), club__in=clubs.values("pk")
    ).order_by()
    members_by_kind = dict.fromkeys(ClubKind.values, 0)
    for kind, n in members.values_list("club__kind").annotate(n=Count("pk")).values_list("club__kind", "n"):
        members_by_kind[kind] = int(n)
    members_by_role = dict.fromkeys(MemberRole.values, 0)
    for role, n in members.values_list("role").annotate(n=Count("pk")).values_list("role", "n"):
        members_by_role[role] = int(n)

    meetings = (
        Activity.objects.filter(where, kind=ActivityKind.CLUB_MEETING, club__isnull=False)
        .filter(start_date__gte=start, start_date__lte=end)
        .count()
    )

    models_by_kind = dict.fromkeys(CareModelKind.values, 0)
    care = CareModel.objects.filter(where, active_q(start, end, since="start_date", until="end_date"))
    for kind, n in care.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"):
        models_by_kind[kind] = int(n)

    return ClubRollup(
        unit=unit.code,
        start=start,
        end=end,
        clubs=sum(by_kind.values()),
        clubs_by_kind=by_kind,
        sub_units_by_kind={k: len(v) for k, v in sub_units.items()},
        members=sum(members_by_kind.values()),
        members_by_kind=members_by_kind,
        members_by_role=members_by_role,
        club_meetings=meetings,
        care_models=sum(models_by_kind.values()),
        care_models_by_kind=models_by_kind,
    )


core_rollups.register("clubs", lambda **period: rollup(**period).as_dict())
