"""Incident routes of the API, /api/v1/incidents (a contract other tools rely on).

Incidents are abuse records: one by one only for the roles that read cases (an incident outside the
caller's scope is 404), counts for every role that reports. Every route reads and writes through the
incident selectors and services; every read of an incident is audited, the counts are not (aggregate).
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
from mangnon.core.api import ApiError, ErrorOut, caller, invalid
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import unit_on

from . import incident_selectors as selectors
from . import incident_services as services
from .models import Incident, IncidentChild, LegalStep, Perpetrator

router = Router(tags=["incidents"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class PerpetratorIn(Schema):
    relationship: str = Field(description="codes.PerpetratorRelationship: parent, step_parent, relative, …")
    sex: str = Field("", description="M, F or empty")
    age: int | None = None
    person: int | None = Field(None, description="Id of a registered person, when known")


class IncidentIn(Schema):
    occurred_on: date
    commune: str = Field(description="Code of the commune-level unit where it happened, valid on that date")
    forms: list[str] = Field(description="codes.AbuseForm: physical, sexual, emotional, neglect, …")
    setting: str = Field(description="codes.Setting: family, school, community, online, facility")
    place_text: str = ""
    description: str = ""
    victims: list[int] = Field(description="Ids of the children abused (children the caller may see)")
    perpetrators: list[PerpetratorIn] = Field(default_factory=list)


class LegalStepIn(Schema):
    kind: str = Field(description="codes.LegalStepKind: reported, investigated, criminal_case, accused, …")
    on: date
    perpetrator: int | None = Field(None, description="Id of one of the incident's perpetrators")
    detail: str = ""


class VictimOut(Schema):
    child: int
    case: int | None


class PerpetratorOut(Schema):
    id: int
    relationship: str
    sex: str
    age: int | None
    person: int | None


class LegalStepOut(Schema):
    id: int
    kind: str
    on: date
    perpetrator: int | None
    detail: str


class IncidentSummary(Schema):
    id: int
    occurred_on: date
    commune: str
    commune_name: str
    forms: list[str]
    setting: str
    victims: int
    perpetrators: int
    prosecuted: bool = Field(description="A criminal case was opened")
    sanctioned: bool = Field(description="An administrative sanction was imposed")
    latest_step: str | None
    version: int


class IncidentOut(Schema):
    id: int
    occurred_on: date
    commune: str
    commune_name: str
    province: str
    forms: list[str]
    setting: str
    place_text: str
    description: str
    victims: list[VictimOut]
    perpetrators: list[PerpetratorOut]
    legal_steps: list[LegalStepOut]
    version: int


class IncidentList(Schema):
    items: list[IncidentSummary]
    count: int


class ListFilter(Schema):
    start: date | None = Field(None, description="Occurred on or after")
    end: date | None = Field(None, description="Occurred on or before")
    unit: str = Field("", description="Unit code (either geography), resolved on `end` (default today)")
    form: str = ""
    setting: str = ""
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class CountsOut(Schema):
    unit: str
    start: date
    end: date
    incidents: int
    perpetrators: int
    children: int
    prosecuted_incidents: int = Field(description="Incidents with a criminal case opened (khởi tố vụ án)")
    accused_persons: int = Field(description="Perpetrators accused (bị can)")
    administrative_incidents: int
    administrative_persons: int
    incidents_by_form: dict[str, int]
    incidents_by_setting: dict[str, int]
    children_by_sex: dict[str, int]
    children_by_form: dict[str, int]


def _summary(i: Incident) -> IncidentSummary:
    return IncidentSummary(
        id=i.pk,
        occurred_on=i.occurred_on,
        commune=i.admin_unit.code,
        commune_name=i.admin_unit.name,
        forms=list(i.forms),
        setting=i.setting,
        victims=i.victim_count,  # type: ignore[attr-defined]
        perpetrators=i.perpetrator_count,  # type: ignore[attr-defined]
        prosecuted=i.prosecuted,  # type: ignore[attr-defined]
        sanctioned=i.sanctioned,  # type: ignore[attr-defined]
        latest_step=i.latest_step,  # type: ignore[attr-defined]
        version=i.version,
    )


def _victim(v: IncidentChild) -> VictimOut:
    return VictimOut(child=v.child_id, case=v.case_id)


def _perpetrator(p: Perpetrator) -> PerpetratorOut:
    return PerpetratorOut(id=p.pk, relationship=p.relationship, sex=p.sex, age=p.age, person=p.person_id)


def _step(s: LegalStep) -> LegalStepOut:
    return LegalStepOut(id=s.pk, kind=s.kind, on=s.on, perpetrator=s.perpetrator_id, detail=s.detail)


def _detail(viewer: Any, incident: Incident) -> IncidentOut:
    """The incident with its victims, perpetrators and legal track; the read is audited."""
    details = selectors.incident_details(viewer=viewer, incident=incident)
    return IncidentOut(
        id=incident.pk,
        occurred_on=incident.occurred_on,
        commune=incident.admin_unit.code,
        commune_name=incident.admin_unit.name,
        province=incident.province.code,
        forms=list(incident.forms),
        setting=incident.setting,
        place_text=incident.place_text,
        description=incident.description,
        victims=[_victim(v) for v in details.victims],
        perpetrators=[_perpetrator(p) for p in details.perpetrators],
        legal_steps=[_step(s) for s in details.legal_steps],
        version=incident.version,
    )


def _unit(code: str, on: date | None) -> AdminUnit | None:
    return unit_on(code, on or timezone.localdate()) if code else None


@router.get(
    "", response={200: IncidentList, 422: ErrorOut}, summary="Incidents the caller may read, newest first"
)
def list_incidents(request: HttpRequest, filters: Query[ListFilter]) -> IncidentList:
    user = caller(request)
    if not can(user, Action.CASE_VIEW):
        raise PermissionDenied
    unit = _unit(filters.unit, filters.end)
    if filters.unit and unit is None:
        raise ApiError(422, "invalid", {"unit": [_("No unit with this code on that date.")]})
    f = selectors.IncidentFilter(
        start=filters.start, end=filters.end, unit=unit, form=filters.form, setting=filters.setting
    )
    qs = selectors.incidents_for(user, f)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    selectors.record_list_view(user, page, filters=f)
    return IncidentList(items=[_summary(i) for i in page], count=qs.count())


@router.get(
    "/counts",
    response={200: CountsOut, 404: ErrorOut},
    summary="Counts for a unit (either geography) and period, in the shape of the sources",
)
def counts(request: HttpRequest, unit: str, start: date | None = None, end: date | None = None) -> CountsOut:
    user = caller(request)
    if not can(user, Action.CASE_COUNT):
        raise PermissionDenied
    last = end or timezone.localdate()
    first = start or last.replace(month=1, day=1)
    if first > last:
        raise ApiError(422, "invalid", {"start": [_("The end of the period is before its start.")]})
    found = _unit(unit, last)
    if found is None:
        raise ApiError(404, "not_found", _("No unit with this code on that date."))
    result = selectors.incident_counts(viewer=user, unit=found, start=first, end=last)
    return CountsOut(unit=found.code, start=first, end=last, **vars(result))


@router.get("/{incident_id}", response=IncidentOut, summary="One incident with its victims and legal track")
def get_incident(request: HttpRequest, incident_id: int) -> IncidentOut:
    user = caller(request)
    return _detail(user, selectors.get_incident_for_user(user, incident_id))


@router.post(
    "",
    response={200: IncidentOut, 201: IncidentOut, 422: ErrorOut},
    summary="Record an incident (honours Idempotency-Key)",
)
def create_incident(request: HttpRequest, body: IncidentIn) -> Status[IncidentOut]:
    user = caller(request)
    if not can(user, Action.INCIDENT_RECORD):
        raise PermissionDenied
    unit = unit_on(body.commune, body.occurred_on)
    if unit is None:
        raise ApiError(422, "invalid", {"commune": [_("No unit with this code on that date.")]})
    try:
        recorded = services.incident_record(
            actor=user,
            occurred_on=body.occurred_on,
            admin_unit=unit,
            forms=body.forms,
            setting=body.setting,
            place_text=body.place_text,
            description=body.description,
            victims=body.victims,
            perpetrators=[p.model_dump() for p in body.perpetrators],
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    incident = selectors.get_incident_for_user(user, recorded.incident.pk)
    return Status(201 if recorded.created else 200, _detail(user, incident))


@router.post(
    "/{incident_id}/legal-steps",
    response={201: LegalStepOut, 422: ErrorOut},
    summary="Add a step of the legal track (in order: criminal case, accused, tried, sentenced)",
)
def add_legal_step(request: HttpRequest, incident_id: int, body: LegalStepIn) -> Status[LegalStepOut]:
    user = caller(request)
    incident = selectors.get_incident_for_user(user, incident_id, Action.INCIDENT_RECORD)
    perpetrator = None
    if body.perpetrator is not None:
        perpetrator = incident.perpetrators.filter(pk=body.perpetrator).first()
        if perpetrator is None:
            raise ApiError(
                422, "invalid", {"perpetrator": [_("This perpetrator is not one of this incident's.")]}
            )
    try:
        step = services.legal_step_add(
            actor=user,
            incident=incident,
            kind=body.kind,
            on=body.on,
            perpetrator=perpetrator,
            detail=body.detail,
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    return Status(201, _step(step))
