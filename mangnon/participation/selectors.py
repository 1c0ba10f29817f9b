"""Reads of children's voices, always scoped by the viewer first (VOICE_VIEW at the voice's unit).

A voice carries no name, but it is a child's own words: each read of a voice and each page of a list is
audited. The roll-up (rollups.py) is aggregate and is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from mangnon.accounts.access import pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q

from .models import ChildVoice, CouncilMeeting, VoiceStatus

VOICE_TYPE = "participation.childvoice"


def get_voice_for_user(user: Any, voice_id: Any, action: Action = Action.VOICE_VIEW) -> ChildVoice:
    """The voice if `user` may read voices at its unit (404 otherwise); 403 when they may read it but
    not take `action` there."""
    pk = pk_or_404(voice_id)
    voice = (
        ChildVoice.objects.select_related("admin_unit", "province", "forwarded_to_org", "source_activity")
        .filter(pk=pk)
        .first()
    )
    if voice is None or not scope_for(user, Action.VOICE_VIEW).contains(voice.admin_unit):
        raise Http404
    if action != Action.VOICE_VIEW and not scope_for(user, action).contains(voice.admin_unit):
        raise PermissionDenied
    return voice


def record_voice_view(viewer: Any, voice: ChildVoice) -> None:
    audit.record(actor=viewer, action=AuditAction.VIEW, obj=voice, unit=voice.admin_unit)


@dataclass(frozen=True)
class VoiceFilter:
    start: date | None = None  # raised on or after
    end: date | None = None  # raised on or before
    unit: AdminUnit | None = None  # in the unit's geography (either one)
    status: str = ""

    def as_dict(self) -> dict[str, Any]:
        values = {**self.__dict__, "unit": self.unit.code if self.unit else None}
        return {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v not in ("", None)
        }


def filter_voices(voices: QuerySet[ChildVoice], f: VoiceFilter) -> QuerySet[ChildVoice]:
    if f.start is not None:
        voices = voices.filter(raised_on__gte=f.start)
    if f.end is not None:
        voices = voices.filter(raised_on__lte=f.end)
    if f.unit is not None:
        voices = voices.filter(in_geography_q(f.unit))
    if f.status:
        voices = voices.filter(status=f.status)
    return voices


def voices_for(viewer: Any, filters: VoiceFilter | None = None) -> QuerySet[ChildVoice]:
    """The voices the viewer may read, filtered, latest first (PermissionDenied for a role without
    VOICE_VIEW)."""
    scope = scope_for(viewer, Action.VOICE_VIEW)
    if scope.is_empty:
        raise PermissionDenied
    scoped = ChildVoice.objects.filter(scope.q("admin_unit")).select_related("admin_unit")
    return filter_voices(scoped, filters or VoiceFilter()).order_by("-raised_on", "-pk")


def overdue_voices(viewer: Any, *, today: date | None = None) -> QuerySet[ChildVoice]:
    """Forwarded voices whose answer is past due (not answered by due_on), oldest due first."""
    day = today or timezone.localdate()
    return voices_for(viewer).filter(status=VoiceStatus.FORWARDED, due_on__lt=day).order_by("due_on", "pk")


def voices_board(viewer: Any, *, per_status: int = 20) -> dict[str, list[ChildVoice]]:
    """The board: for each status, its latest voices (a fixed number of queries: one per status)."""
    return {s: list(voices_for(viewer, VoiceFilter(status=s))[:per_status]) for s in VoiceStatus.values}


def record_list_view(
    viewer: Any,
    voices: list[ChildVoice],
    *,
    filters: VoiceFilter | None = None,
    counted: dict[str, Any] | None = None,
) -> None:
    """Audit that `viewer` was shown a page of voices (one event naming those shown); `counted`, the
    figure a drill-down list shows (unit, step, period, topic)."""
    if not voices:
        return
    changes: dict[str, Any] = {"shown": [v.pk for v in voices]}
    changes["filters"] = (filters or VoiceFilter()).as_dict()
    if counted:
        changes["counted"] = counted
    audit.record(
        actor=viewer, action=AuditAction.VIEW, object_type=VOICE_TYPE, object_id="list", changes=changes
    )


def meetings_for(
    viewer: Any, *, start: date | None = None, end: date | None = None
) -> QuerySet[CouncilMeeting]:
    """Council meetings at units in the viewer's VOICE_VIEW scope, latest first, each with the number of
    its voices the viewer may read (one query)."""
    scope = scope_for(viewer, Action.VOICE_VIEW)
    if scope.is_empty:
        raise PermissionDenied
    meetings = CouncilMeeting.objects.filter(scope.q("admin_unit")).select_related("admin_unit")
    if start is not None:
        meetings = meetings.filter(held_on__gte=start)
    if end is not None:
        meetings = meetings.filter(held_on__lte=end)
    return meetings.annotate(voice_count=Count("voices", filter=scope.q("voices__admin_unit"))).order_by(
        "-held_on", "-pk"
    )


def record_meetings_view(viewer: Any, meetings: list[CouncilMeeting]) -> None:
    """Audit that `viewer` was shown council meetings (their minutes may name members)."""
    if not meetings:
        return
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        object_type="participation.councilmeeting",
        object_id="list",
        changes={"shown": [m.pk for m in meetings]},
    )
