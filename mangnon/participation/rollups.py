"""The participation roll-up: for a unit (either geography) and a period, children's voices by step and
the children's council meetings.

Each step is counted by its own date in [start, end]: voices received (raised_on), forwarded
(forwarded_on), answered (answered_on), resolved (resolved_on); received voices also by topic. Meetings
by held_on. Rows in the unit's geography (geo.selectors.in_geography_q) within the viewer's VOICE_VIEW
scope. A constant number of queries, whatever the volume.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import rollups as core_rollups
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q

from .models import ChildVoice, CouncilMeeting, CouncilMember, MemberRole, Topic


@dataclass(frozen=True)
class ParticipationRollup:
    unit: str
    start: date
    end: date
    voices_received: int
    voices_received_by_topic: dict[str, int]
    voices_forwarded: int
    voices_answered: int
    voices_resolved: int
    council_meetings: int
    # The members of the unit's own council (not its communes') who served during the period, by role.
    council_members: int = 0
    council_members_by_role: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "start": self.start.isoformat(), "end": self.end.isoformat()}


def _scope_q(viewer: Any, unit: AdminUnit) -> Q:
    if not can(viewer, Action.VOICE_VIEW):
        raise PermissionDenied
    scope = scope_for(viewer, Action.VOICE_VIEW)
    if not scope.contains(unit):
        raise Http404
    return scope.q("admin_unit") & in_geography_q(unit)


def counted_voices(*, viewer: Any, unit: AdminUnit) -> QuerySet[ChildVoice]:
    """The voices of `unit`'s geography the viewer may read (PermissionDenied / 404 as selectors do)."""
    return ChildVoice.objects.filter(_scope_q(viewer, unit))


def counted_meetings(*, viewer: Any, unit: AdminUnit, start: date, end: date) -> QuerySet[CouncilMeeting]:
    return CouncilMeeting.objects.filter(_scope_q(viewer, unit), held_on__gte=start, held_on__lte=end)


def _between(field: str, start: date, end: date) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


# Each step of a voice is counted by its own date.
STEP_DATES = {
    "received": "raised_on",
    "forwarded": "forwarded_on",
    "answered": "answered_on",
    "resolved": "resolved_on",
}


def voices_at_step(voices: QuerySet[ChildVoice], step: str, start: date, end: date) -> QuerySet[ChildVoice]:
    """Those of `voices` that reached `step` (a key of STEP_DATES) in [start, end]: the voices behind
    that count of `voice_counts` (the drill-down lists them)."""
    return voices.filter(_between(STEP_DATES[step], start, end))


def voice_counts(voices: QuerySet[ChildVoice], start: date, end: date) -> dict[str, int]:
    """Voices received, forwarded, answered, resolved in [start, end] and received by topic: one query."""
    received = _between(STEP_DATES["received"], start, end)
    aggregates: dict[str, Any] = {
        step: Count("pk", filter=_between(field, start, end)) for step, field in STEP_DATES.items()
    }
    for code in Topic.values:
        aggregates[f"topic_{code}"] = Count("pk", filter=received & Q(topic=code))
    return voices.aggregate(**aggregates)


def council_members_by_role(*, viewer: Any, unit: AdminUnit, start: date, end: date) -> dict[str, int]:
    """The members of `unit`'s own council who served at some time in [start, end], by role."""
    serving = CouncilMember.objects.filter(
        scope_for(viewer, Action.VOICE_VIEW).q("admin_unit"), admin_unit=unit, from_date__lte=end
    ).filter(Q(to_date__isnull=True) | Q(to_date__gte=start))
    found = dict(serving.order_by().values_list("role").annotate(n=Count("pk")).values_list("role", "n"))
    return {role: found.get(role, 0) for role in MemberRole.values}


def rollup(*, viewer: Any, unit: AdminUnit, start: date, end: date) -> ParticipationRollup:
    counts = voice_counts(counted_voices(viewer=viewer, unit=unit), start, end)
    meetings = counted_meetings(viewer=viewer, unit=unit, start=start, end=end).count()
    members = council_members_by_role(viewer=viewer, unit=unit, start=start, end=end)
    return ParticipationRollup(
        unit=unit.code,
        start=start,
        end=end,
        voices_received=counts["received"],
        voices_received_by_topic={code: counts[f"topic_{code}"] for code in Topic.values},
        voices_forwarded=counts["forwarded"],
        voices_answered=counts["answered"],
        voices_resolved=counts["resolved"],
        council_meetings=meetings,
        council_members=sum(members.values()),
        council_members_by_role=members,
    )


core_rollups.register("participation", lambda **period: rollup(**period).as_dict())
