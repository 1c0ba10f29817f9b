"""Activities through the API, mounted at /api/v1/activities (a contract other tools rely on).

Every route reads and writes through the activity selectors and services: an activity outside the
caller's ACTIVITY_VIEW scope is 404, a write outside their ACTIVITY_RECORD scope 403. Each read of an
activity or a page of the list is audited (rosters name people); the roll-up is aggregate and is not.
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
from mangnon.core import idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, conflict, invalid
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import unit_on

from . import rollups, selectors, services
from .codes import ActivityKind
from .models import Activity, Attendee, Campaign, Material, Tally

router = Router(tags=["activities"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class TallyIn(Schema):
    group: str = Field(description="children, parents_caregivers, officers, teachers, collaborators, other")
    sex: str = Field("unknown", description="M, F or unknown")
    age_band: str = Field("unknown", description="under_6, 6_10, 11_15, 16_17, adult or unknown")
    count: int = Field(description="Person-times (lượt người), a whole number ≥ 0")


class AttendeeIn(Schema):
    person: int | None = Field(None, description="Id of a registered person the caller may see")
    name: str = Field("", description="A light entry's name (when no person is given)")
    sex: str = ""
    birth_year: int | None = None
    group: str


class MaterialIn(Schema):
    title: str
    kind: str = Field(description="leaflet, booklet, handbook, panel, video, news_item, other")
    quantity: int


class ActivityIn(Schema):
    kind: str = Field(description="codes.ActivityKind: session, talk, training, forum, contest, camp, …")
    title: str
    unit: str = Field(description="Code of the unit where it took place, valid on start_date")
    start_date: date
    end_date: date | None = Field(None, description="Defaults to start_date")
    organiser: int | None = Field(None, description="Id of an organisation of the directory")
    organiser_text: str = ""
    theme: str = ""
    campaign: int | None = None
    club: int | None = Field(None, description="Id of the club that met (kind club_meeting only)")
    target_groups: list[str] = Field(default_factory=list)
    funding_source: str = Field("", description="state_budget, contributions, international or empty")
    cost: int | None = Field(None, description="Whole đồng")
    tallies: list[TallyIn] = Field(default_factory=list)
    attendees: list[AttendeeIn] = Field(default_factory=list)
    materials: list[MaterialIn] = Field(default_factory=list)


class ActivityPatch(Schema):
    version: int
    kind: str | None = None
    title: str | None = None
    unit: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    organiser: int | None = None
    organiser_text: str | None = None
    theme: str | None = None
    campaign: int | None = None
    club: int | None = None
    target_groups: list[str] | None = None
    funding_source: str | None = None
    cost: int | None = None
    tallies: list[TallyIn] | None = Field(None, description="When given, replaces the whole tally grid")


class TallyOut(Schema):
    group: str
    sex: str
    age_band: str
    count: int


class AttendeeOut(Schema):
    id: int
    person: int | None
    name: str
    sex: str
    birth_year: int | None
    group: str


class MaterialOut(Schema):
    id: int
    title: str
    kind: str
    quantity: int


class ActivitySummary(Schema):
    id: int
    kind: str
    title: str
    unit: str
    unit_name: str
    start_date: date
    end_date: date
    campaign: int | None
    person_times: int = Field(description="Sum of the tally grid (lượt người)")
    roster_size: int = Field(description="Rows on the roster")
    version: int


class ActivityOut(Schema):
    id: int
    kind: str
    title: str
    unit: str
    unit_name: str
    province: str
    start_date: date
    end_date: date
    organiser: int | None
    organiser_text: str
    theme: str
    campaign: int | None
    club: int | None
    target_groups: list[str]
    funding_source: str
    cost: int | None
    person_times: int = Field(description="Sum of the tally grid (lượt người)")
    tallies: list[TallyOut]
    attendees: list[AttendeeOut]
    materials: list[MaterialOut]
    version: int


class ActivityList(Schema):
    items: list[ActivitySummary]
    count: int


class ListFilter(Schema):
    unit: str = Field("", description="Unit code (either geography), resolved on `to` (default today)")
    start: date | None = Field(None, alias="from", description="Started on or after")
    end: date | None = Field(None, alias="to", description="Started on or before")
    kind: str = ""
    campaign: int | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class RollupQuery(Schema):
    unit: str = Field(description="Unit code (either geography), resolved on `to`")
    start: date | None = Field(None, alias="from", description="First day (default 1 January of `to`)")
    end: date | None = Field(None, alias="to", description="Last day (default today)")


class CampaignCountOut(Schema):
    id: int
    name: str
    plan_number: str
    activities: int


class RollupOut(Schema):
    unit: str
    start: date
    end: date
    activities: int
    activities_by_kind: dict[str, int]
    person_times: int = Field(description="Person-times (lượt người), from the tally grids")
    person_times_by_kind: dict[str, int]
    person_times_by_group_sex: dict[str, dict[str, int]]
    unique_persons: int = Field(description="Unique persons (người), from the rosters")
    unique_persons_by_group: dict[str, int]
    unique_persons_by_sex: dict[str, int]
    material_items_by_kind: dict[str, int]
    material_quantity_by_kind: dict[str, int]
    campaigns: list[CampaignCountOut]


class CampaignIn(Schema):
    name: str
    plan_number: str = Field("", description="e.g. 67/KH-UBND")
    theme: str = ""
    year: int
    start_date: date
    end_date: date
    province: str = Field(description="Code of the province")


class CampaignOut(Schema):
    id: int
    name: str
    plan_number: str
    theme: str
    year: int
    start_date: date
    end_date: date
    province: str
    activities: int = Field(description="Its activities the caller may see")


def _unit(code: str, on: date | None) -> AdminUnit | None:
    return unit_on(code, on or timezone.localdate()) if code else None


def _summary(a: Activity) -> ActivitySummary:
    return ActivitySummary(
        id=a.pk,
        kind=a.kind,
        title=a.title,
        unit=a.admin_unit.code,
        unit_name=a.admin_unit.name,
        start_date=a.start_date,
        end_date=a.end_date,
        campaign=a.campaign_id,
        person_times=a.person_times,  # type: ignore[attr-defined]
        roster_size=a.roster_size,  # type: ignore[attr-defined]
        version=a.version,
    )


def _tally(t: Tally) -> TallyOut:
    return TallyOut(group=t.group, sex=t.sex, age_band=t.age_band, count=t.count)


def _attendee(a: Attendee) -> AttendeeOut:
    name = a.person.full_name if a.person else a.name
    return AttendeeOut(
        id=a.pk, person=a.person_id, name=name, sex=a.sex, birth_year=a.birth_year, group=a.group
    )


def _material(m: Material) -> MaterialOut:
    return MaterialOut(id=m.pk, title=m.title, kind=m.kind, quantity=m.quantity)


def _detail(viewer: Any, activity: Activity) -> ActivityOut:
    """The activity with its tallies, roster and materials; the read is audited."""
    d = selectors.activity_details(viewer=viewer, activity=activity)
    return ActivityOut(
        id=activity.pk,
        kind=activity.kind,
        title=activity.title,
        unit=activity.admin_unit.code,
        unit_name=activity.admin_unit.name,
        province=activity.province.code,
        start_date=activity.start_date,
        end_date=activity.end_date,
        organiser=activity.organiser_id,
        organiser_text=activity.organiser_text,
        theme=activity.theme,
        campaign=activity.campaign_id,
        club=activity.club_id,
        target_groups=list(activity.target_groups),
        funding_source=activity.funding_source,
        cost=activity.cost,
        person_times=sum(t.count for t in d.tallies),
        tallies=[_tally(t) for t in d.tallies],
        attendees=[_attendee(a) for a in d.attendees],
        materials=[_material(m) for m in d.materials],
        version=activity.version,
    )


def _unit_or_422(code: str, on: date, field: str = "unit") -> AdminUnit:
    unit = unit_on(code, on)
    if unit is None:
        raise ApiError(422, "invalid", {field: [_("No unit with this code on that date.")]})
    return unit


@router.get(
    "", response={200: ActivityList, 422: ErrorOut}, summary="Activities the caller may read, latest first"
)
def list_activities(request: HttpRequest, filters: Query[ListFilter]) -> ActivityList:
    user = caller(request)
    if not can(user, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    unit = _unit(filters.unit, filters.end)
    if filters.unit and unit is None:
        raise ApiError(422, "invalid", {"unit": [_("No unit with this code on that date.")]})
    if filters.kind and filters.kind not in ActivityKind.values:
        raise ApiError(422, "invalid", {"kind": [_("Choose the kind of activity.")]})
    f = selectors.ActivityFilter(
        start=filters.start, end=filters.end, unit=unit, kind=filters.kind, campaign=filters.campaign
    )
    qs = selectors.activities_for(user, f)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    selectors.record_list_view(user, page, filters=f)
    return ActivityList(items=[_summary(a) for a in page], count=qs.count())


@router.get(
    "/rollup",
    response={200: RollupOut, 404: ErrorOut, 422: ErrorOut},
    summary="The roll-up for a unit (either geography) and period: person-times and unique persons apart",
)
def get_rollup(request: HttpRequest, period: Query[RollupQuery]) -> RollupOut:
    user = caller(request)
    unit, start, end = period.unit, period.start, period.end
    if not can(user, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    last = end or timezone.localdate()
    first = start or last.replace(month=1, day=1)
    if first > last:
        raise ApiError(422, "invalid", {"from": [_("The end of the period is before its start.")]})
    found = _unit(unit, last)
    if found is None:
        raise ApiError(404, "not_found", _("No unit with this code on that date."))
    result = rollups.rollup(viewer=user, unit=found, start=first, end=last)
    return RollupOut(
        **{k: v for k, v in vars(result).items() if k != "campaigns"},
        campaigns=[CampaignCountOut(**vars(c)) for c in result.campaigns],
    )


def _campaign(c: Campaign) -> CampaignOut:
    return CampaignOut(
        id=c.pk,
        name=c.name,
        plan_number=c.plan_number,
        theme=c.theme,
        year=c.year,
        start_date=c.start_date,
        end_date=c.end_date,
        province=c.province.code,
        activities=c.activity_count,  # type: ignore[attr-defined]
    )


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns of the caller's provinces")
def list_campaigns(request: HttpRequest) -> list[CampaignOut]:
    user = caller(request)
    if not can(user, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    return [_campaign(c) for c in selectors.campaigns_for(user)]


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="One campaign")
def get_campaign(request: HttpRequest, campaign_id: int) -> CampaignOut:
    user = caller(request)
    if not can(user, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    return _campaign(selectors.get_campaign_for_user(user, campaign_id))


@router.post(
    "/campaigns", response={201: CampaignOut, 422: ErrorOut}, summary="Create a campaign of a province"
)
def create_campaign(request: HttpRequest, body: CampaignIn) -> Status[CampaignOut]:
    user = caller(request)
    if not can(user, Action.ACTIVITY_RECORD):
        raise PermissionDenied
    province = _unit_or_422(body.province, body.start_date, "province")
    try:
        campaign = services.campaign_create(
            actor=user,
            province=province,
            name=body.name,
            plan_number=body.plan_number,
            theme=body.theme,
            year=body.year,
            start_date=body.start_date,
            end_date=body.end_date,
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    return Status(201, _campaign(selectors.get_campaign_for_user(user, campaign.pk)))


@router.get(
    "/{activity_id}", response=ActivityOut, summary="One activity with its tallies, roster and materials"
)
def get_activity(request: HttpRequest, activity_id: int) -> ActivityOut:
    user = caller(request)
    return _detail(user, selectors.get_activity_for_user(user, activity_id))


@router.post(
    "",
    response={200: ActivityOut, 201: ActivityOut, 422: ErrorOut},
    summary="Record an activity with its tally grid, roster and materials (honours Idempotency-Key)",
)
def create_activity(request: HttpRequest, body: ActivityIn) -> Status[ActivityOut]:
    user = caller(request)
    if not can(user, Action.ACTIVITY_RECORD):
        raise PermissionDenied
    data = body.model_dump()
    fields = {k: v for k, v in data.items() if k not in ("unit", "tallies", "attendees", "materials")}
    fields["admin_unit"] = _unit_or_422(body.unit, body.start_date)
    try:
        recorded = services.activity_record(
            actor=user,
            fields=fields,
            tallies=data["tallies"],
            attendees=data["attendees"],
            materials=data["materials"],
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    activity = selectors.get_activity_for_user(user, recorded.activity.pk)
    return Status(201 if recorded.created else 200, _detail(user, activity))


@router.patch(
    "/{activity_id}",
    response={200: ActivityOut, 409: ErrorOut, 422: ErrorOut},
    summary="Change an activity (name the version you read; 409 when stale); `tallies` replaces the grid",
)
def patch_activity(request: HttpRequest, activity_id: int, body: ActivityPatch) -> ActivityOut:
    user = caller(request)
    activity = selectors.get_activity_for_user(user, activity_id, Action.ACTIVITY_RECORD)
    data = body.model_dump(exclude_unset=True)
    version = data.pop("version")
    tallies = data.pop("tallies", None)
    if "unit" in data:
        on = data.get("start_date") or activity.start_date
        data["admin_unit"] = _unit_or_422(data.pop("unit") or "", on)
    try:
        updated = services.activity_update(
            actor=user, activity=activity, version=version, changes=data, tallies=tallies
        )
    except services.Conflict as exc:
        raise conflict(exc.current_version) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return _detail(user, selectors.get_activity_for_user(user, updated.pk))
