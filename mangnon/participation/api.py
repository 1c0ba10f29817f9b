"""Children's voices through the API, mounted at /api/v1/voices.

Every route reads and writes through the participation selectors and services: a voice outside the
caller's VOICE_VIEW scope is 404, a write outside their VOICE_RECORD scope 403. Each read of a voice
and each page of the list is audited. A transition names the version read (409 when stale).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.activities.models import Activity
from mangnon.core import idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, conflict, invalid
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import unit_on
from mangnon.orgs.models import Organisation

from . import council_selectors, council_services, selectors, services
from .models import AgeBand, ChildVoice, CouncilMeeting, CouncilMember, VoiceStatus

router = Router(tags=["participation"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class VoiceIn(Schema):
    text: str = Field(description="What the child said or asked for; never a name")
    topic: str = Field(
        description="protection, education, health, play, family, safety, participation, other"
    )
    unit: str = Field(description="Code of the unit where it was raised, valid on raised_on")
    raised_on: date
    age_band: str = Field(AgeBand.UNKNOWN, description="under_11, 11_15, 16_17 or unknown")
    sex: str = Field("", description="M, F or empty")
    source_activity: int | None = Field(None, description="Id of the consultation activity it came from")
    meeting: int | None = Field(None, description="Id of the council meeting that raised it")


class TransitionIn(Schema):
    to: str = Field(description="forwarded, answered or resolved (the next step only)")
    version: int
    forwarded_to: str = ""
    forwarded_to_org: int | None = None
    forwarded_on: date | None = None
    due_on: date | None = None
    answer: str = ""
    answered_on: date | None = None
    resolved_on: date | None = None


class VoiceOut(Schema):
    id: int
    text: str
    topic: str
    age_band: str
    sex: str
    unit: str
    unit_name: str
    province: str
    raised_on: date
    source_activity: int | None
    meeting: int | None
    status: str
    forwarded_to: str
    forwarded_to_org: int | None
    forwarded_on: date | None
    due_on: date | None
    answer: str
    answered_on: date | None
    resolved_on: date | None
    overdue: bool
    version: int


class VoiceList(Schema):
    items: list[VoiceOut]
    count: int


class ListFilter(Schema):
    unit: str = Field("", description="Unit code (either geography), resolved on `to` (default today)")
    start: date | None = Field(None, alias="from", description="Raised on or after")
    end: date | None = Field(None, alias="to", description="Raised on or before")
    status: str = ""
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def _out(v: ChildVoice) -> VoiceOut:
    overdue = v.status == VoiceStatus.FORWARDED and v.due_on is not None and v.due_on < timezone.localdate()
    return VoiceOut(
        id=v.pk,
        text=v.text,
        topic=v.topic,
        age_band=v.age_band,
        sex=v.sex,
        unit=v.admin_unit.code,
        unit_name=v.admin_unit.name,
        province=v.province.code,
        raised_on=v.raised_on,
        source_activity=v.source_activity_id,
        meeting=v.meeting_id,
        status=v.status,
        forwarded_to=v.forwarded_to,
        forwarded_to_org=v.forwarded_to_org_id,
        forwarded_on=v.forwarded_on,
        due_on=v.due_on,
        answer=v.answer,
        answered_on=v.answered_on,
        resolved_on=v.resolved_on,
        overdue=overdue,
        version=v.version,
    )


def _unit_or_422(code: str, on: date) -> AdminUnit:
    unit = unit_on(code, on)
    if unit is None:
        raise ApiError(422, "invalid", {"unit": [_("No unit with this code on that date.")]})
    return unit


@router.get("", response={200: VoiceList, 422: ErrorOut}, summary="Voices the caller may read, latest first")
def list_voices(request: HttpRequest, filters: Query[ListFilter]) -> VoiceList:
    user = caller(request)
    if not can(user, Action.VOICE_VIEW):
        raise PermissionDenied
    unit = None
    if filters.unit:
        unit = unit_on(filters.unit, filters.end or timezone.localdate())
        if unit is None:
            raise ApiError(422, "invalid", {"unit": [_("No unit with this code on that date.")]})
    if filters.status and filters.status not in VoiceStatus.values:
        raise ApiError(422, "invalid", {"status": [_("Unknown status.")]})
    f = selectors.VoiceFilter(start=filters.start, end=filters.end, unit=unit, status=filters.status)
    qs = selectors.voices_for(user, f).select_related("province")
    page = list(qs[filters.offset : filters.offset + filters.limit])
    selectors.record_list_view(user, page, filters=f)
    return VoiceList(items=[_out(v) for v in page], count=qs.count())


class MeetingIn(Schema):
    unit: str = Field(description="Code of the council's unit (province or commune), valid on held_on")
    held_on: date
    minutes: str = ""
    members_present: int = 0


class MeetingOut(Schema):
    id: int
    unit: str
    unit_name: str
    held_on: date
    minutes: str
    members_present: int
    voices: int = Field(description="Voices raised at the meeting that the caller may read")


class MeetingFilter(Schema):
    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to")


def _meeting(m: CouncilMeeting) -> MeetingOut:
    return MeetingOut(
        id=m.pk,
        unit=m.admin_unit.code,
        unit_name=m.admin_unit.name,
        held_on=m.held_on,
        minutes=m.minutes,
        members_present=m.members_present,
        voices=m.voice_count,  # type: ignore[attr-defined]
    )


@router.get("/meetings", response=list[MeetingOut], summary="Children's council meetings the caller may read")
def list_meetings(request: HttpRequest, filters: Query[MeetingFilter]) -> list[MeetingOut]:
    user = caller(request)
    meetings = list(selectors.meetings_for(user, start=filters.start, end=filters.end))
    selectors.record_meetings_view(user, meetings)
    return [_meeting(m) for m in meetings]


@router.post(
    "/meetings",
    response={201: MeetingOut, 422: ErrorOut},
    summary="Record a council meeting (members present ≤ its members that day; honours Idempotency-Key)",
)
def create_meeting(request: HttpRequest, body: MeetingIn) -> Status[MeetingOut]:
    user = caller(request)
    if not can(user, Action.VOICE_RECORD):
        raise PermissionDenied
    unit = _unit_or_422(body.unit, body.held_on)
    try:
        meeting = services.meeting_create(
            actor=user,
            admin_unit=unit,
            held_on=body.held_on,
            minutes=body.minutes,
            members_present=body.members_present,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    return Status(201, _meeting(selectors.meetings_for(user).get(pk=meeting.pk)))


class MemberIn(Schema):
    unit: str = Field(description="Code of the council's unit (province or commune), valid on from_date")
    name: str = Field(description="A child: first name only (never the full name); an adviser: name")
    role: str = Field(description="child or adviser")
    age_band: str = Field("", description="A child's: under_11, 11_15, 16_17 or unknown")
    from_date: date
    to_date: date | None = None


class MemberEndIn(Schema):
    to_date: date = Field(description="The last day as a member")


class MemberOut(Schema):
    id: int
    unit: str
    name: str
    role: str
    age_band: str
    from_date: date
    to_date: date | None


class MemberFilter(Schema):
    unit: str = Field(description="Code of the council's unit, resolved on `on` (default today)")
    on: date | None = Field(None, description="Only members on that day")


def _member(m: CouncilMember) -> MemberOut:
    return MemberOut(
        id=m.pk,
        unit=m.admin_unit.code,
        name=m.name,
        role=m.role,
        age_band=m.age_band,
        from_date=m.from_date,
        to_date=m.to_date,
    )


@router.get(
    "/council/members",
    response={200: list[MemberOut], 422: ErrorOut},
    summary="The members of a unit's children's council (audited)",
)
def list_members(request: HttpRequest, filters: Query[MemberFilter]) -> list[MemberOut]:
    user = caller(request)
    if not can(user, Action.VOICE_VIEW):
        raise PermissionDenied
    found = _unit_or_422(filters.unit, filters.on or timezone.localdate())
    unit = council_selectors.get_council_unit_for_user(user, found.pk)
    rows = council_selectors.member_rows(unit=unit, day=filters.on or timezone.localdate())
    if filters.on is not None:
        rows = [r for r in rows if r.active]
    council_selectors.record_members_view(user, unit, rows)
    return [_member(r.member) for r in rows]


@router.post(
    "/council/members",
    response={200: MemberOut, 201: MemberOut, 422: ErrorOut},
    summary="Add a member to a unit's children's council (honours Idempotency-Key)",
)
def add_member(request: HttpRequest, body: MemberIn) -> Status[MemberOut]:
    user = caller(request)
    if not can(user, Action.VOICE_RECORD):
        raise PermissionDenied
    unit = _unit_or_422(body.unit, body.from_date)
    try:
        added = council_services.member_add(
            actor=user,
            admin_unit=unit,
            name=body.name,
            role=body.role,
            age_band=body.age_band,
            from_date=body.from_date,
            to_date=body.to_date,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    return Status(201 if added.created else 200, _member(added.member))


@router.post(
    "/council/members/{member_id}/end",
    response={200: MemberOut, 422: ErrorOut},
    summary="End a council membership (once; its last day)",
)
def end_member(request: HttpRequest, member_id: int, body: MemberEndIn) -> MemberOut:
    user = caller(request)
    member = council_selectors.get_member_for_user(user, member_id, Action.VOICE_RECORD)
    try:
        ended = council_services.member_end(actor=user, member=member, to_date=body.to_date)
    except ValidationError as exc:
        raise invalid(exc) from None
    ended.admin_unit = member.admin_unit
    return _member(ended)


@router.get("/{voice_id}", response=VoiceOut, summary="One voice with its steps")
def get_voice(request: HttpRequest, voice_id: int) -> VoiceOut:
    user = caller(request)
    voice = selectors.get_voice_for_user(user, voice_id)
    selectors.record_voice_view(user, voice)
    return _out(voice)


def _find(model: type[Activity] | type[CouncilMeeting], pk: int | None, name: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ApiError(422, "invalid", {name: [_("Not found.")]})
    return found


@router.post(
    "",
    response={200: VoiceOut, 201: VoiceOut, 422: ErrorOut},
    summary="Record a child's voice, without a name (honours Idempotency-Key)",
)
def create_voice(request: HttpRequest, body: VoiceIn) -> Status[VoiceOut]:
    user = caller(request)
    if not can(user, Action.VOICE_RECORD):
        raise PermissionDenied
    unit = _unit_or_422(body.unit, body.raised_on)
    try:
        recorded = services.voice_create(
            actor=user,
            text=body.text,
            topic=body.topic,
            admin_unit=unit,
            raised_on=body.raised_on,
            age_band=body.age_band,
            sex=body.sex,
            source_activity=_find(Activity, body.source_activity, "source_activity"),
            meeting=_find(CouncilMeeting, body.meeting, "meeting"),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    voice = selectors.get_voice_for_user(user, recorded.voice.pk)
    return Status(201 if recorded.created else 200, _out(voice))


@router.post(
    "/{voice_id}/transitions",
    response={200: VoiceOut, 409: ErrorOut, 422: ErrorOut},
    summary="Move a voice to its next step (name the version you read; 409 when stale)",
)
def transition_voice(request: HttpRequest, voice_id: int, body: TransitionIn) -> VoiceOut:
    user = caller(request)
    voice = selectors.get_voice_for_user(user, voice_id, Action.VOICE_RECORD)
    try:
        if body.to == VoiceStatus.FORWARDED:
            org = None
            if body.forwarded_to_org is not None:
                org = Organisation.objects.filter(pk=body.forwarded_to_org).first()
                if org is None:
                    raise ApiError(
                        422, "invalid", {"forwarded_to_org": [_("No such organisation in the directory.")]}
                    )
            updated = services.voice_forward(
                actor=user,
                voice=voice,
                version=body.version,
                forwarded_to=body.forwarded_to,
                forwarded_to_org=org,
                forwarded_on=body.forwarded_on,
                due_on=body.due_on,
            )
        elif body.to == VoiceStatus.ANSWERED:
            updated = services.voice_answer(
                actor=user,
                voice=voice,
                version=body.version,
                answer=body.answer,
                answered_on=body.answered_on,
            )
        elif body.to == VoiceStatus.RESOLVED:
            updated = services.voice_resolve(
                actor=user, voice=voice, version=body.version, resolved_on=body.resolved_on
            )
        else:
            raise ApiError(
                422, "invalid", {"to": [_("Choose the next step: forwarded, answered or resolved.")]}
            )
    except services.Conflict as exc:
        raise conflict(exc.current_version) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return _out(selectors.get_voice_for_user(user, updated.pk))
