"""Organisation directory routes of the API (a contract other tools rely on; see docs/orgs.md).

Every route goes through the directory's access, selectors and services: an organisation outside the
caller's provinces is 404, a change outside the units where the caller keeps the directory is 403, and
every change is audited by the service. Reads are not audited: the directory holds no personal data.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, conflict, invalid
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import unit_on

from . import selectors, services
from .access import get_organisation_for_user
from .models import Organisation

router = Router(tags=["organisations"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class OrganisationIn(Schema):
    name: str = Field(max_length=255)
    kind: str = Field(description="orgs.codes.OrgKind value, e.g. school, hospital, police")
    unit: str = Field(description="Code of the province or of a current commune where it is")
    short_name: str = Field("", max_length=100)
    code: str = Field("", max_length=50, description="Official code (a school's code), unique per kind")
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    services: list[str] = Field(default_factory=list, description="orgs.codes.ServiceType values")
    school_level: str = ""
    boarding: str = Field("", description='"", "boarding" or "semi_boarding" (schools only)')
    notes: str = ""


class OrganisationPatch(Schema):
    version: int = Field(description="The version read; a stale one gets 409")
    name: str | None = Field(None, max_length=255)
    kind: str | None = None
    unit: str | None = None
    short_name: str | None = Field(None, max_length=100)
    code: str | None = Field(None, max_length=50)
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    services: list[str] | None = None
    school_level: str | None = None
    boarding: str | None = None
    notes: str | None = None
    active: bool | None = Field(None, description="false deactivates, true makes active again")


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    code: str
    unit: str
    unit_name: str
    province: str
    address: str
    phone: str
    email: str
    services: list[str]
    school_level: str
    boarding: str
    active: bool
    notes: str
    version: int


class OrganisationList(Schema):
    items: list[OrganisationOut]
    count: int


class ListFilter(Schema):
    kind: str = ""
    unit: str = Field("", description="Unit code: the organisations at that unit or under it")
    service: str = Field("", description="Only those offering this service type")
    q: str = Field("", description="Name, short name or code, with or without diacritics")
    active: bool | None = Field(True, description="false: the inactive ones only; omit for active ones")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def _unit(code: str, field: str = "unit") -> AdminUnit:
    unit = unit_on(code)
    if unit is None:
        raise ApiError(422, "invalid", {field: [_("Unknown unit code.")]})
    return unit


def _out(organisation: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=organisation.pk,
        name=organisation.name,
        short_name=organisation.short_name,
        kind=organisation.kind,
        kind_label=str(organisation.get_kind_display()),
        code=organisation.code,
        unit=organisation.admin_unit.code,
        unit_name=organisation.admin_unit.name,
        province=organisation.province.code,
        address=organisation.address,
        phone=organisation.phone,
        email=organisation.email,
        services=list(organisation.services or ()),
        school_level=organisation.school_level,
        boarding=organisation.boarding,
        active=organisation.active,
        notes=organisation.notes,
        version=organisation.version,
    )


@router.get("", response={200: OrganisationList, 422: ErrorOut}, summary="The caller's provinces' directory")
def list_organisations(request: HttpRequest, filters: Query[ListFilter]) -> OrganisationList:
    user = caller(request)
    if not can(user, Action.ORG_VIEW):
        raise PermissionDenied
    qs = selectors.organisations_for(
        user,
        kind=filters.kind,
        unit=_unit(filters.unit) if filters.unit else None,
        service_type=filters.service,
        q=filters.q,
        active=filters.active,
    )
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return OrganisationList(items=[_out(o) for o in page], count=qs.count())


@router.get("/{org_id}", response=OrganisationOut, summary="One organisation")
def get_organisation(request: HttpRequest, org_id: int) -> OrganisationOut:
    return _out(get_organisation_for_user(caller(request), org_id))


@router.post(
    "",
    response={200: OrganisationOut, 201: OrganisationOut, 422: ErrorOut},
    summary="Add an organisation (honours Idempotency-Key)",
)
def create_organisation(request: HttpRequest, body: OrganisationIn) -> Status[OrganisationOut]:
    user = caller(request)
    if not can(user, Action.ORG_MANAGE):
        raise PermissionDenied
    fields = body.model_dump()
    unit = _unit(fields.pop("unit"))
    try:
        result = services.organisation_create(
            actor=user,
            data=services.OrganisationData(**fields, admin_unit=unit),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    return Status(201 if result.created else 200, _out(result.organisation))


@router.patch(
    "/{org_id}",
    response={200: OrganisationOut, 409: ErrorOut, 422: ErrorOut},
    summary="Edit an organisation (stale version: 409)",
)
def patch_organisation(request: HttpRequest, org_id: int, body: OrganisationPatch) -> OrganisationOut:
    user = caller(request)
    organisation = get_organisation_for_user(user, org_id, Action.ORG_MANAGE)
    # null means "leave as it is", like an absent field.
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    version = changes.pop("version")
    if "unit" in changes:
        changes["admin_unit"] = _unit(changes.pop("unit"))
    try:
        organisation = services.organisation_update(
            actor=user, organisation=organisation, version=version, changes=changes
        )
    except services.Conflict as exc:
        raise conflict(exc.current_version) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return _out(organisation)
