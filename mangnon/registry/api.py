"""Children registry routes of the API (a contract other tools rely on; see docs/architecture.md).

Every route reads and writes through the registry's access, selectors and services: a child outside the
caller's scope is 404 on every route, and every read of a child's data is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, conflict, invalid
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import unit_on

from . import selectors, services
from .access import can_see_sensitive, get_child_for_user
from .codes import SENSITIVE_GROUPS
from .models import Child, RiskFlag, SpecialCircumstance

router = Router(tags=["children"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class ChildIn(Schema):
    full_name: str = Field(max_length=220)
    sex: Literal["M", "F"]
    date_of_birth: date | None = None
    birth_year: int | None = Field(None, description="When the date of birth is unknown")
    birth_year_estimated: bool = False
    commune: str = Field(description="Code of a current commune-level unit")
    ethnicity: str = Field("", description="GSO code, 01-54")
    id_number: str = Field("", description="12-digit personal ID number")
    phone: str = ""
    address: str = ""
    notes: str = ""
    father_name: str = Field("", max_length=220, description="Recorded as the child's father when registered")
    mother_name: str = Field("", max_length=220, description="Recorded as the child's mother when registered")
    parents: list[str] = Field(
        default_factory=list, description="Other parents' or carers' names, for the duplicate check only"
    )


class RegisterIn(ChildIn):
    decision: Literal["new", "linked"] | None = Field(
        None,
        description='After a 409 "possible_duplicate": "new" confirms a new child, "linked" (with link_to) '
        "links to a candidate and creates nothing",
    )
    link_to: int | None = None


class ChildPatch(Schema):
    version: int = Field(description="The version read; a stale one gets 409")
    full_name: str | None = None
    sex: Literal["M", "F"] | None = None
    date_of_birth: date | None = None
    birth_year: int | None = None
    birth_year_estimated: bool | None = None
    ethnicity: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    notes: str | None = None


class CircumstanceIn(Schema):
    group: str = Field(description="Letter of the group in art. 10 of the Law on Children (a … o)")
    start: date
    sub_group: str = ""
    source: str = ""
    note: str = ""


class CircumstanceOut(Schema):
    id: int
    group: str
    group_label: str
    sub_group: str
    start: date
    end: date | None


class RiskOut(Schema):
    id: int
    risk_type: str
    risk_label: str
    start: date
    end: date | None


class ChildSummary(Schema):
    id: int
    full_name: str
    sex: str
    date_of_birth: date | None
    birth_year: int | None
    commune: str
    commune_name: str
    status: str
    version: int


class ChildOut(ChildSummary):
    ho: str
    ten_dem: str
    ten: str
    birth_year_estimated: bool
    ethnicity: str
    id_number: str
    phone: str
    address: str
    notes: str
    province: str
    household: int | None
    circumstances: list[CircumstanceOut]
    risk_flags: list[RiskOut]
    hidden_facts: int = Field(description="Classifications withheld from this caller's role")


class ChildList(Schema):
    items: list[ChildSummary]
    count: int


class CandidateOut(Schema):
    id: int
    score: float
    level: str
    reasons: list[str]


class CandidateList(Schema):
    candidates: list[CandidateOut]


class ListFilter(Schema):
    q: str = Field("", description="Name (with or without diacritics) or a 12-digit ID number")
    commune: str = Field("", description="Unit code")
    group: str = ""
    risk: str = ""
    age_min: int | None = Field(None, ge=0)
    age_max: int | None = Field(None, ge=0)
    household: int | None = None
    status: str = ""
    on: date | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class CountsOut(Schema):
    unit: str
    on: date
    children: int
    special: int
    by_group: dict[str, int]
    at_risk: int
    assisted: int


def _commune(code: str) -> AdminUnit:
    unit = unit_on(code)
    if unit is None:
        raise ApiError(422, "invalid", {"commune": [_("Unknown commune code.")]})
    return unit


def _data(body: ChildIn) -> services.ChildData:
    return services.ChildData(
        full_name=body.full_name,
        sex=body.sex,
        commune=_commune(body.commune),
        date_of_birth=body.date_of_birth,
        birth_year=body.birth_year,
        birth_year_estimated=body.birth_year_estimated,
        ethnicity=body.ethnicity,
        id_number=body.id_number,
        phone=body.phone,
        address=body.address,
        notes=body.notes,
        father_name=body.father_name,
        mother_name=body.mother_name,
        parents=tuple(body.parents),
    )


def _summary(child: Child) -> dict[str, Any]:
    p = child.person
    return {
        "id": child.pk,
        "full_name": p.full_name,
        "sex": p.sex,
        "date_of_birth": p.date_of_birth,
        "birth_year": p.birth_year,
        "commune": child.admin_unit.code,
        "commune_name": child.admin_unit.name,
        "status": child.status,
        "version": child.version,
    }


def _circ_out(c: SpecialCircumstance) -> CircumstanceOut:
    return CircumstanceOut(
        id=c.pk, group=c.group, group_label=str(c.get_group_display()), sub_group=c.sub_group,
        start=c.start_date, end=c.end_date,
    )  # fmt: skip


def _risk_out(r: RiskFlag) -> RiskOut:
    return RiskOut(
        id=r.pk, risk_type=r.risk_type, risk_label=str(r.get_risk_type_display()), start=r.start_date,
        end=r.end_date,
    )  # fmt: skip


def _detail(viewer: Any, child: Child) -> ChildOut:
    """The child as the viewer may see it; audits the view (and names any sensitive fact shown)."""
    facts = selectors.child_facts(viewer=viewer, child=child)
    p = child.person
    return ChildOut(
        **_summary(child),
        ho=p.ho,
        ten_dem=p.ten_dem,
        ten=p.ten,
        birth_year_estimated=p.birth_year_estimated,
        ethnicity=p.ethnicity,
        id_number=p.id_number,
        phone=p.phone,
        address=p.address,
        notes=child.notes,
        province=child.province.code,
        household=child.household_id,
        circumstances=[_circ_out(c) for c in facts.circumstances],
        risk_flags=[_risk_out(r) for r in facts.risk_flags],
        hidden_facts=facts.hidden,
    )


def _candidates_out(viewer: Any, candidates: list[dict[str, Any]]) -> list[CandidateOut]:
    if candidates:
        audit.record(
            actor=viewer,
            action=AuditAction.VIEW,
            object_type="registry.child",
            object_id="match",
            changes={"shown": [c["id"] for c in candidates]},
        )
    return [CandidateOut(**c) for c in candidates]


@router.post(
    "",
    response={200: ChildOut, 201: ChildOut, 409: ErrorOut, 422: ErrorOut},
    summary="Register a child (duplicate check first; honours Idempotency-Key)",
)
def create_child(request: HttpRequest, body: RegisterIn) -> Status[ChildOut]:
    user = caller(request)
    if not can(user, Action.CHILD_REGISTER):
        raise PermissionDenied
    data = _data(body)
    try:
        registration = services.child_register(
            actor=user,
            data=data,
            decision=body.decision,
            link_to=body.link_to,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    except services.PossibleDuplicate as exc:
        shown = _candidates_out(user, services.candidate_dicts(exc.candidates))
        raise ApiError(
            409,
            "possible_duplicate",
            {
                "message": _(
                    "This child may be registered already: link to a candidate or confirm a new child."
                ),
                "candidates": [c.model_dump() for c in shown],
            },
        ) from None
    return Status(201 if registration.created else 200, _detail(user, registration.child))


@router.post(
    "/match", response={200: CandidateList, 422: ErrorOut}, summary="Duplicate candidates for an entry"
)
def match(request: HttpRequest, body: ChildIn) -> CandidateList:
    user = caller(request)
    if not can(user, Action.CHILD_VIEW):
        raise PermissionDenied
    candidates = services.duplicate_candidates(actor=user, data=_data(body))
    return CandidateList(candidates=_candidates_out(user, services.candidate_dicts(candidates)))


@router.get("", response=ChildList, summary="Children the caller may see, in Vietnamese order by tên")
def list_children(request: HttpRequest, filters: Query[ListFilter]) -> ChildList:
    user = caller(request)
    if not can(user, Action.CHILD_VIEW):
        raise PermissionDenied
    f = selectors.ChildFilter(
        q=filters.q, commune=filters.commune, group=filters.group, risk=filters.risk, age_min=filters.age_min,
        age_max=filters.age_max, household=filters.household, status=filters.status, on=filters.on,
    )  # fmt: skip
    qs = selectors.children_for(user, f)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    selectors.record_list_view(user, page, filters=f)
    return ChildList(items=[ChildSummary(**_summary(c)) for c in page], count=qs.count())


@router.get("/counts", response=CountsOut, summary="Counts for a unit on a date (either geography)")
def counts(request: HttpRequest, unit: str, on: date | None = None) -> CountsOut:
    user = caller(request)
    if not can(user, Action.CHILD_COUNT):
        raise PermissionDenied
    found = unit_on(unit, on)
    if found is None:
        raise ApiError(404, "not_found", _("No unit with this code on that date."))
    result = selectors.child_counts(viewer=user, unit=found, on=on)
    return CountsOut(**vars(result))


@router.get("/{child_id}", response=ChildOut, summary="One child (a merged id leads to the survivor)")
def get_child(request: HttpRequest, child_id: int) -> ChildOut:
    user = caller(request)
    return _detail(user, get_child_for_user(user, child_id))


@router.patch("/{child_id}", response={200: ChildOut, 409: ErrorOut, 422: ErrorOut}, summary="Edit a child")
def patch_child(request: HttpRequest, child_id: int, body: ChildPatch) -> ChildOut:
    user = caller(request)
    child = get_child_for_user(user, child_id, Action.CHILD_EDIT)
    changes = body.model_dump(exclude_unset=True)
    version = changes.pop("version")
    try:
        child = services.child_update(actor=user, child=child, version=version, changes=changes)
    except services.Conflict as exc:
        raise conflict(exc.current_version) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return _detail(user, get_child_for_user(user, child.pk))


@router.post(
    "/{child_id}/circumstances",
    response={201: CircumstanceOut, 422: ErrorOut},
    summary="Classify a child in a special-circumstance group",
)
def add_circumstance(request: HttpRequest, child_id: int, body: CircumstanceIn) -> Status[CircumstanceOut]:
    user = caller(request)
    child = get_child_for_user(user, child_id, Action.CHILD_EDIT)
    try:
        row = services.circumstance_add(
            actor=user, child=child, group=body.group, start_date=body.start, sub_group=body.sub_group,
            source=body.source, note=body.note,
        )  # fmt: skip
    except ValidationError as exc:
        raise invalid(exc) from None
    return Status(201, _circ_out(row))


class EndIn(Schema):
    end: date


class RiskIn(Schema):
    risk_type: str
    start: date
    source: str = ""
    note: str = ""


class MoveIn(Schema):
    version: int
    commune: str = Field(description="Code of the current commune the child now lives in")


class MergeIn(Schema):
    other: int = Field(description="Id of the record to merge into this one (it stays resolvable)")


@router.post(
    "/{child_id}/circumstances/{circumstance_id}/end",
    response={200: CircumstanceOut, 422: ErrorOut},
    summary="End a classification",
)
def end_circumstance(
    request: HttpRequest, child_id: int, circumstance_id: int, body: EndIn
) -> CircumstanceOut:
    user = caller(request)
    child = get_child_for_user(user, child_id, Action.CHILD_EDIT)
    row = child.circumstances.filter(pk=circumstance_id).first()
    if row is None or (row.group in SENSITIVE_GROUPS and not can_see_sensitive(user, child)):
        raise ApiError(404, "not_found", "Not found.")
    try:
        services.circumstance_end(actor=user, circumstance=row, end_date=body.end)
    except ValidationError as exc:
        raise invalid(exc) from None
    return _circ_out(row)


@router.post("/{child_id}/risks", response={201: RiskOut, 422: ErrorOut}, summary="Flag a child at risk")
def add_risk(request: HttpRequest, child_id: int, body: RiskIn) -> Status[RiskOut]:
    user = caller(request)
    child = get_child_for_user(user, child_id, Action.CHILD_EDIT)
    try:
        row = services.risk_flag_add(
            actor=user, child=child, risk_type=body.risk_type, start_date=body.start, source=body.source,
            note=body.note,
        )  # fmt: skip
    except ValidationError as exc:
        raise invalid(exc) from None
    return Status(201, _risk_out(row))


@router.post(
    "/{child_id}/move",
    response={200: ChildSummary, 409: ErrorOut, 422: ErrorOut},
    summary="Move to another commune (the scope follows: the old commune no longer sees the child)",
)
def move_child(request: HttpRequest, child_id: int, body: MoveIn) -> ChildSummary:
    user = caller(request)
    child = get_child_for_user(user, child_id, Action.CHILD_EDIT)
    try:
        moved = services.child_move(
            actor=user, child=child, to_unit=_commune(body.commune), version=body.version
        )
    except services.Conflict as exc:
        raise ApiError(409, "conflict", {"version": exc.current_version}) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return ChildSummary(**_summary(moved))


@router.post(
    "/{child_id}/merge", response={200: ChildOut, 422: ErrorOut}, summary="Merge another record into this one"
)
def merge_child(request: HttpRequest, child_id: int, body: MergeIn) -> ChildOut:
    user = caller(request)
    survivor = get_child_for_user(user, child_id, Action.CHILD_MERGE)
    other = get_child_for_user(user, body.other, Action.CHILD_MERGE)
    if other.pk != body.other:
        raise ApiError(422, "invalid", {"other": [_("This record has been merged already.")]})
    try:
        services.child_merge(actor=user, survivor=survivor, other=other)
    except ValidationError as exc:
        raise invalid(exc) from None
    return _detail(user, get_child_for_user(user, survivor.pk))
