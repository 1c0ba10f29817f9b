"""Clubs, teams and care models through the API, mounted at /api/v1/clubs and /api/v1/care-models.

Every route reads and writes through the club selectors and services: a club outside the caller's
ACTIVITY_VIEW scope is 404, a write outside their ACTIVITY_RECORD scope 403. Reading one club returns its
members and is audited; the lists (names, kinds, counts) name no one and are not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, conflict, invalid
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import unit_on

from . import club_selectors, club_services
from .codes import CareModelKind, ClubKind
from .models import CareModel, Club, ClubMember

router = Router(tags=["clubs"])
care_models_router = Router(tags=["clubs"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class ClubIn(Schema):
    kind: str = Field(description="codes.ClubKind: core_children, parents, participation, mang_non_team, …")
    name: str
    unit: str = Field(description="Code of the club's unit, valid on founded_on")
    school: int | None = Field(None, description="Id of a school of the directory in the unit (or above)")
    founded_on: date
    closed_on: date | None = None
    note: str = ""


class ClubPatch(Schema):
    version: int
    kind: str | None = None
    name: str | None = None
    unit: str | None = None
    school: int | None = None
    founded_on: date | None = None
    closed_on: date | None = None
    note: str | None = None


class ClubSummary(Schema):
    id: int
    kind: str
    name: str
    unit: str
    unit_name: str
    school: int | None
    school_name: str
    founded_on: date
    closed_on: date | None
    members: int = Field(description="Members (persons) whose membership overlaps the period")
    meetings: int = Field(description="Club meetings (activities of kind club_meeting) in the period")
    version: int


class ClubList(Schema):
    items: list[ClubSummary]
    count: int
    start: date
    end: date


class MemberIn(Schema):
    person: int | None = Field(None, description="Id of a registered person the caller may see")
    name: str = Field("", description="A light entry's name (when no person is given)")
    sex: str = Field("", description="M, F or unknown")
    birth_year: int | None = None
    role: str = Field("child", description="child or adult")
    joined_on: date


class MemberOut(Schema):
    id: int
    person: int | None
    name: str
    sex: str
    birth_year: int | None
    role: str
    joined_on: date
    left_on: date | None


class MeetingOut(Schema):
    id: int
    title: str
    start_date: date


class ClubOut(Schema):
    id: int
    kind: str
    name: str
    unit: str
    unit_name: str
    province: str
    school: int | None
    school_name: str
    founded_on: date
    closed_on: date | None
    note: str
    members: list[MemberOut] = Field(description="Every membership row (persons), current and former")
    meetings: list[MeetingOut]
    version: int


class Period(Schema):
    unit: str = Field("", description="Unit code (either geography), resolved on `to`")
    start: date | None = Field(None, alias="from", description="Active from (default 1 January of `to`)")
    end: date | None = Field(None, alias="to", description="Active until (default today)")
    kind: str = ""
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class CareModelIn(Schema):
    kind: str = Field(description="codes.CareModelKind: foster_care, vocational, injury_prevention, …")
    name: str
    unit: str = Field(description="Code of the unit, valid on start_date")
    organisation: int | None = Field(None, description="Id of the organisation that runs it")
    start_date: date
    end_date: date | None = None
    children_served: int | None = None
    description: str = ""


class CareModelOut(Schema):
    id: int
    kind: str
    name: str
    unit: str
    unit_name: str
    organisation: int | None
    start_date: date
    end_date: date | None
    children_served: int | None
    description: str
    version: int


class CareModelList(Schema):
    items: list[CareModelOut]
    count: int


def _unit_or_422(code: str, on: date, field: str = "unit") -> AdminUnit:
    unit = unit_on(code, on) or unit_on(code)
    if unit is None:
        raise ApiError(422, "invalid", {field: [_("No unit with this code on that date.")]})
    return unit


def _asked(period: Period, kinds: list[str]) -> tuple[club_selectors.ClubFilter, date, date]:
    end = period.end or timezone.localdate()
    start = period.start or end.replace(month=1, day=1)
    if start > end:
        raise ApiError(422, "invalid", {"from": [_("The end of the period is before its start.")]})
    if period.kind and period.kind not in kinds:
        raise ApiError(422, "invalid", {"kind": [_("Unknown kind: %(code)s.") % {"code": period.kind}]})
    unit = unit_on(period.unit, end) if period.unit else None
    if period.unit and unit is None:
        raise ApiError(422, "invalid", {"unit": [_("No unit with this code on that date.")]})
    return club_selectors.ClubFilter(start=start, end=end, unit=unit, kind=period.kind), start, end


def _club(c: Club) -> dict[str, Any]:
    """What a club's summary and its page say alike."""
    return {
        "id": c.pk,
        "kind": c.kind,
        "name": c.name,
        "unit": c.admin_unit.code,
        "unit_name": c.admin_unit.name,
        "school": c.school_id,
        "school_name": c.school.name if c.school else "",
        "founded_on": c.founded_on,
        "closed_on": c.closed_on,
        "version": c.version,
    }


def _summary(c: Club) -> ClubSummary:
    return ClubSummary(
        **_club(c),
        members=c.member_count,  # type: ignore[attr-defined]
        meetings=c.meeting_count,  # type: ignore[attr-defined]
    )


def _member(m: ClubMember) -> MemberOut:
    return MemberOut(
        id=m.pk,
        person=m.person_id,
        name=m.person.full_name if m.person else m.name,
        sex=m.sex,
        birth_year=m.birth_year,
        role=m.role,
        joined_on=m.joined_on,
        left_on=m.left_on,
    )


def _detail(viewer: Any, club: Club) -> ClubOut:
    """The club with its members and meetings; the read is audited."""
    d = club_selectors.club_details(viewer=viewer, club=club)
    return ClubOut(
        **_club(club),
        province=club.province.code,
        note=club.note,
        members=[_member(m) for m in d.members],
        meetings=[MeetingOut(id=a.pk, title=a.title, start_date=a.start_date) for a in d.meetings],
    )


def _club_fields(data: dict[str, Any], on: date) -> dict[str, Any]:
    """A club's or care model's fields for its service: the `unit` code (valid `on`) as `admin_unit`."""
    fields = {k: v for k, v in data.items() if k != "unit"}
    if "unit" in data:
        fields["admin_unit"] = _unit_or_422(data["unit"] or "", on)
    return fields


def _create(
    request: HttpRequest, body: Schema, on: date, create: Callable[..., club_services.Created]
) -> tuple[Any, club_services.Created]:
    """The caller (who must record activities) and the club or care model `create`d from `body` (its
    unit's code valid `on`) once: the request's Idempotency-Key, the body hashed; problems as a 422."""
    user = caller(request)
    if not can(user, Action.ACTIVITY_RECORD):
        raise PermissionDenied
    fields = _club_fields(body.model_dump(), on)
    try:
        made = create(
            actor=user,
            fields=fields,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    return user, made


@router.get("", response={200: ClubList, 422: ErrorOut}, summary="Clubs active in a period, with counts")
def list_clubs(request: HttpRequest, period: Query[Period]) -> ClubList:
    user = caller(request)
    if not can(user, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    f, start, end = _asked(period, ClubKind.values)
    qs = club_selectors.clubs_for(user, f)
    page = list(qs[period.offset : period.offset + period.limit])
    return ClubList(items=[_summary(c) for c in page], count=qs.count(), start=start, end=end)


@router.post(
    "",
    response={200: ClubOut, 201: ClubOut, 422: ErrorOut},
    summary="Record a club, team or class (honours Idempotency-Key)",
)
def create_club(request: HttpRequest, body: ClubIn) -> Status[ClubOut]:
    user, made = _create(request, body, body.founded_on, club_services.club_create)
    club = club_selectors.get_club_for_user(user, made.obj.pk)
    return Status(201 if made.created else 200, _detail(user, club))


@router.get("/{club_id}", response=ClubOut, summary="One club with its members (audited) and meetings")
def get_club(request: HttpRequest, club_id: int) -> ClubOut:
    user = caller(request)
    if not can(user, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    return _detail(user, club_selectors.get_club_for_user(user, club_id))


@router.patch(
    "/{club_id}",
    response={200: ClubOut, 409: ErrorOut, 422: ErrorOut},
    summary="Change a club (name the version you read; 409 when stale)",
)
def patch_club(request: HttpRequest, club_id: int, body: ClubPatch) -> ClubOut:
    user = caller(request)
    club = club_selectors.get_club_for_user(user, club_id, Action.ACTIVITY_RECORD)
    data = body.model_dump(exclude_unset=True)
    version = data.pop("version")
    fields = _club_fields(data, data.get("founded_on") or club.founded_on)
    try:
        club_services.club_update(actor=user, club=club, version=version, changes=fields)
    except club_services.Conflict as exc:
        raise conflict(exc.current_version) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return _detail(user, club_selectors.get_club_for_user(user, club.pk))


@router.post(
    "/{club_id}/members",
    response={200: MemberOut, 201: MemberOut, 422: ErrorOut},
    summary="Add a member: a registered person or a light entry (honours Idempotency-Key)",
)
def add_member(request: HttpRequest, club_id: int, body: MemberIn) -> Status[MemberOut]:
    user = caller(request)
    club = club_selectors.get_club_for_user(user, club_id, Action.ACTIVITY_RECORD)
    try:
        made = club_services.member_add(
            actor=user,
            club=club,
            **body.model_dump(),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash({**body.model_dump(mode="json"), "club": club.pk}),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    return Status(201 if made.created else 200, _member(made.obj))


# --- care models -------------------------------------------------------------------------------------


def _care_model(m: CareModel) -> CareModelOut:
    return CareModelOut(
        id=m.pk,
        kind=m.kind,
        name=m.name,
        unit=m.admin_unit.code,
        unit_name=m.admin_unit.name,
        organisation=m.organisation_id,
        start_date=m.start_date,
        end_date=m.end_date,
        children_served=m.children_served,
        description=m.description,
        version=m.version,
    )


@care_models_router.get(
    "", response={200: CareModelList, 422: ErrorOut}, summary="Care models kept up in a period"
)
def list_care_models(request: HttpRequest, period: Query[Period]) -> CareModelList:
    user = caller(request)
    if not can(user, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    f, _start, _end = _asked(period, CareModelKind.values)
    qs = club_selectors.care_models_for(user, f)
    page = list(qs[period.offset : period.offset + period.limit])
    return CareModelList(items=[_care_model(m) for m in page], count=qs.count())


@care_models_router.post(
    "",
    response={200: CareModelOut, 201: CareModelOut, 422: ErrorOut},
    summary="Record a care model (honours Idempotency-Key)",
)
def create_care_model(request: HttpRequest, body: CareModelIn) -> Status[CareModelOut]:
    user, made = _create(request, body, body.start_date, club_services.care_model_create)
    return Status(
        201 if made.created else 200, _care_model(club_selectors.get_care_model_for_user(user, made.obj.pk))
    )


@care_models_router.get("/{model_id}", response=CareModelOut, summary="One care model")
def get_care_model(request: HttpRequest, model_id: int) -> CareModelOut:
    user = caller(request)
    if not can(user, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    return _care_model(club_selectors.get_care_model_for_user(user, model_id))
