"""Reads of the children's councils, always scoped by the viewer first (VOICE_VIEW at the council's unit).

A council is a unit's: the province's council, a commune's council (before the 2025 reform, also a
district's). Its member list names children (by first name) and advisers, so each reading of it is
audited; the voice counts are aggregate and are not. Meetings and the voices raised at them come in two
queries whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from mangnon.accounts.access import check_at_unit, pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import AdminUnit, Level

from . import rollups
from .models import ChildVoice, CouncilMeeting, CouncilMember, VoiceStatus

MEMBER_TYPE = "participation.councilmember"
MEETINGS_SHOWN = 50
COUNCIL_LEVELS = (Level.PROVINCE, Level.COMMUNE, Level.SPECIAL_ZONE)


def _scope(viewer: Any) -> Any:
    scope = scope_for(viewer, Action.VOICE_VIEW)
    if scope.is_empty:
        raise PermissionDenied
    return scope


def council_units(viewer: Any) -> list[AdminUnit]:
    """The councils the viewer may open: the current province and communes in their scope, and any
    other unit in scope that holds council members or meetings (a pre-reform district's council).
    Broadest first, then by name."""
    scope = _scope(viewer)
    with_records = set(
        CouncilMember.objects.filter(scope.q("admin_unit")).values_list("admin_unit_id", flat=True).distinct()
    ) | set(
        CouncilMeeting.objects.filter(scope.q("admin_unit"))
        .values_list("admin_unit_id", flat=True)
        .distinct()
    )
    units = AdminUnit.objects.filter(scope.q("")).filter(
        Q(valid_to__isnull=True, level__in=COUNCIL_LEVELS) | Q(pk__in=sorted(with_records))
    )
    order: dict[str, int] = {Level.PROVINCE: 0, Level.DISTRICT: 1}
    return sorted(
        units, key=lambda u: (u.valid_to is not None, order.get(u.level, 2), vi_sort_key(u.name), u.pk)
    )


def get_council_unit_for_user(user: Any, unit_id: Any, action: Action = Action.VOICE_VIEW) -> AdminUnit:
    """The unit whose council `user` may read (404 outside their scope); 403 when they may read it but
    not take `action` there."""
    _scope(user)  # 403 when they see no council at all
    pk = pk_or_404(unit_id)
    unit = AdminUnit.objects.filter(pk=pk).first()
    if unit is None:
        raise Http404
    check_at_unit(user, unit, Action.VOICE_VIEW, action)
    return unit


def get_member_for_user(user: Any, member_id: Any, action: Action = Action.VOICE_VIEW) -> CouncilMember:
    pk = pk_or_404(member_id)
    member = CouncilMember.objects.select_related("admin_unit").filter(pk=pk).first()
    if member is None:
        raise Http404
    check_at_unit(user, member.admin_unit, Action.VOICE_VIEW, action)
    return member


def get_meeting_for_user(user: Any, meeting_id: Any, action: Action = Action.VOICE_VIEW) -> CouncilMeeting:
    pk = pk_or_404(meeting_id)
    meeting = CouncilMeeting.objects.select_related("admin_unit").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    check_at_unit(user, meeting.admin_unit, Action.VOICE_VIEW, action)
    return meeting


@dataclass(frozen=True)
class MemberRow:
    member: CouncilMember
    active: bool  # a member on the day the page is read


@dataclass(frozen=True)
class Council:
    unit: AdminUnit
    members: list[MemberRow]  # current members first, then past ones
    active_count: int
    meetings: list[CouncilMeeting]  # latest first, each with `.shown_voices`
    meeting_count: int
    voice_counts: dict[str, int]  # by status, plus "overdue", for the unit and below


def member_rows(*, unit: AdminUnit, day: date) -> list[MemberRow]:
    """The members of `unit`'s own council (the caller checked the viewer may read it): members on `day`
    first (advisers, then children), then the others, by name. Not audited here: see
    `record_members_view`."""
    rows = [
        MemberRow(m, m.from_date <= day and (m.to_date is None or m.to_date >= day))
        for m in CouncilMember.objects.filter(admin_unit=unit).select_related("admin_unit")
    ]
    return sorted(rows, key=lambda r: (not r.active, r.member.role, vi_sort_key(r.member.name), r.member.pk))


def council(*, viewer: Any, unit: AdminUnit, today: date | None = None) -> Council:
    """The council of `unit` (the caller checked the viewer may read it): its members, its latest meetings
    with the voices raised at each, and the counts of the unit's voices by status. Reading the member list
    is audited by `record_members_view`."""
    scope = _scope(viewer)
    day = today or timezone.localdate()
    members = member_rows(unit=unit, day=day)
    voices = ChildVoice.objects.filter(scope.q("admin_unit")).order_by("raised_on", "pk")
    meetings = CouncilMeeting.objects.filter(admin_unit=unit).order_by("-held_on", "-pk")
    shown: list[CouncilMeeting] = list(
        meetings.prefetch_related(Prefetch("voices", queryset=voices, to_attr="shown_voices"))[
            :MEETINGS_SHOWN
        ]
    )
    return Council(
        unit=unit,
        members=members,
        active_count=sum(1 for r in members if r.active),
        meetings=shown,
        meeting_count=meetings.count(),
        voice_counts=status_counts(viewer=viewer, unit=unit, today=day),
    )


def status_counts(*, viewer: Any, unit: AdminUnit | None = None, today: date | None = None) -> dict[str, int]:
    """How many voices the viewer may read (of `unit`'s geography when given) are in each status now, and
    how many forwarded ones are past their answer's due date: one query, aggregate, not audited."""
    day = today or timezone.localdate()
    aggregates: dict[str, Any] = {s: Count("pk", filter=Q(status=s)) for s in VoiceStatus.values}
    aggregates["overdue"] = Count("pk", filter=Q(status=VoiceStatus.FORWARDED, due_on__lt=day))
    if unit is None:
        voices = ChildVoice.objects.filter(_scope(viewer).q("admin_unit"))
    else:
        voices = rollups.counted_voices(viewer=viewer, unit=unit)
    return voices.aggregate(**aggregates)


def record_members_view(viewer: Any, unit: AdminUnit, rows: list[MemberRow]) -> None:
    """Audit that `viewer` was shown members of a council (one event naming the rows shown)."""
    if not rows:
        return
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        object_type=MEMBER_TYPE,
        object_id="list",
        unit=unit,
        changes={"council": unit.code, "shown": [r.member.pk for r in rows]},
    )
