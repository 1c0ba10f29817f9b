"""Case routes of the API (a contract other tools rely on; see docs/cases.md).

Every route reads and writes through the case app's access, selectors and services: a case outside the
caller's scope is 404 on every route, every read of a case is audited, and a step's form fields are
checked by the same form classes as the pages (step_forms). Refusals are JSON `{"error", "detail"}`:
409 `transition_not_allowed` (with the statuses the table allows from here), 409 `stale` (someone
changed the case since the version sent), 409 `still_at_risk`, 409 `case_exists`, 409
`possible_duplicate`, 422 `invalid`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.models import User
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, conflict, invalid
from mangnon.core.models import AuditAction
from mangnon.geo.selectors import unit_on
from mangnon.intake.access import get_contact_for_user
from mangnon.orgs.models import Organisation
from mangnon.registry.access import get_child_for_user

from . import plan_services, selectors, services
from .access import get_case_for_user, steps_for
from .forms import UNRATED, risk_filter
from .models import Case, CaseService
from .workflow import OPEN_STATUSES, Rating

router = Router(tags=["cases"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


# Plain pydantic models, not ninja Schemas: a Schema validates from attributes and drops the fields it
# does not declare, and these bodies carry the Decree 56 form's fields besides their own.
class CaseIn(BaseModel):
    """Open a case. Any further field is a field of Form 01 (see docs/cases.md); what is not sent comes
    from the contact and the registry."""

    model_config = ConfigDict(extra="allow")

    contact: int | None = Field(None, description="The contact the case is opened from")
    child: int | None = Field(
        None, description="A registered child: the case's child, or the registered child a contact's entry is"
    )
    contact_child: int | None = Field(None, description="Which child of the contact, when it names several")
    register_new: bool = Field(False, description='After a 409 "possible_duplicate": register a new child')
    commune: str = Field("", description="Code of the commune handling the case (default: where it happened)")


class TransitionIn(BaseModel):
    """One step of the cycle. Any further field is a field of the step's Decree 56 form."""

    model_config = ConfigDict(extra="allow")

    to: str = Field(description="The status to move to (workflow.Status)")
    version: int = Field(description="The version read; a stale one gets 409")
    reason: str = ""


class AssignIn(Schema):
    caseworker: int
    version: int


class DeadlineOut(Schema):
    step: str = Field(description="safety, plan or review")
    due_at: datetime
    met_at: datetime | None
    cancelled: bool


class StepOut(Schema):
    name: str
    source: str
    target: str
    form: str
    at: datetime
    actor: str
    reason: str
    data: dict[str, Any]


class NextStepOut(Schema):
    to: str
    name: str
    form: str
    needs_reason: bool


class CaseSummary(Schema):
    id: int
    number: str
    status: str
    version: int
    child: int
    child_name: str
    commune: str
    commune_name: str
    received_at: datetime
    emergency: bool
    risk: str = Field(
        description='As last rated (Mẫu 02, emergency, Mẫu 06): "high", "medium", "low"; "" not yet'
    )
    caseworker: int | None
    next_due_at: datetime | None
    overdue: bool


class CaseOut(CaseSummary):
    closed_at: datetime | None
    contact: int | None
    deadlines: list[DeadlineOut]
    steps: list[StepOut]
    next_steps: list[NextStepOut] = Field(description="The steps the caller may take now")


class OpenedOut(Schema):
    """What a caller who opens cases but does not read them (a hotline counsellor) gets back."""

    id: int
    number: str
    status: str
    received_at: datetime
    next_due_at: datetime | None


class CaseList(Schema):
    items: list[CaseSummary]
    count: int


class ListFilter(Schema):
    status: str = Field("", description='A status, or "open"')
    overdue: bool | None = None
    due_soon: bool = False
    commune: str = Field("", description="Unit code: that unit and everything under it")
    caseworker: int | None = None
    risk: str = Field("", description='"high", "medium", "low", or "unrated"')
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def _summary(case: Case, now: datetime) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "version": case.version,
        "child": case.child_id,
        "child_name": case.child.person.full_name,
        "commune": case.admin_unit.code,
        "commune_name": case.admin_unit.name,
        "received_at": case.received_at,
        "emergency": case.emergency,
        "risk": case.risk,
        "caseworker": case.caseworker_id,
        "next_due_at": case.next_due_at,
        "overdue": case.status in OPEN_STATUSES and case.next_due_at is not None and case.next_due_at < now,
    }


def _detail(viewer: Any, case: Case) -> CaseOut:
    """The case as the viewer may see it; audits the view."""
    selectors.record_case_view(viewer, case, page="api")
    now = timezone.now()
    return CaseOut(
        **_summary(case, now),
        closed_at=case.closed_at,
        contact=case.contact_id,
        deadlines=[
            DeadlineOut(step=d.kind, due_at=d.due_at, met_at=d.met_at, cancelled=d.cancelled)
            for d in selectors.case_deadlines(case)
        ],
        steps=[
            StepOut(
                name=s.name,
                source=s.source,
                target=s.target,
                form=s.form,
                at=s.at,
                actor=str(s.actor),
                reason=s.reason,
                data=s.data,
            )
            for s in selectors.case_steps(case)
        ],
        next_steps=[
            NextStepOut(to=t.target.value, name=t.name, form=t.form.value, needs_reason=t.needs_reason)
            for t in steps_for(viewer, case)
        ],
    )


def _stale(current_version: int) -> ApiError:
    return ApiError(
        409,
        "stale",
        {
            "message": _("The case was changed by someone else: reload it and make your change again."),
            "version": current_version,
        },
    )


@router.post(
    "",
    response={200: CaseOut | OpenedOut, 201: CaseOut | OpenedOut, 409: ErrorOut, 422: ErrorOut},
    summary="Open a case from a contact or for a registered child (honours Idempotency-Key)",
)
def open_case(request: HttpRequest, body: CaseIn) -> Status[CaseOut | OpenedOut]:
    user = caller(request)
    if not can(user, Action.CASE_OPEN):
        raise PermissionDenied
    contact = get_contact_for_user(user, body.contact) if body.contact is not None else None
    child = get_child_for_user(user, body.child) if body.child is not None else None
    commune = None
    if body.commune:
        commune = unit_on(body.commune)
        if commune is None:
            raise ApiError(422, "invalid", {"commune": [_("Unknown commune code.")]})
    try:
        opening = services.case_open(
            actor=user,
            child=child,
            contact=contact,
            contact_child=body.contact_child,
            commune=commune,
            form01=body.model_extra or {},
            register_new=body.register_new,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    except services.CaseExists as exc:
        visible = scope_for(user, Action.CASE_VIEW).contains(exc.case.admin_unit)
        raise ApiError(
            409,
            "case_exists",
            {
                "message": _("This child already has an open case."),
                "case": exc.case.pk if visible else None,
            },
        ) from None
    except services.PossibleDuplicate as exc:
        shown = [{"id": c.child_id, "level": c.level, "reasons": list(c.reasons)} for c in exc.candidates]
        audit.record(
            actor=user,
            action=AuditAction.VIEW,
            object_type="registry.child",
            object_id="match",
            changes={"page": "case_open", "shown": [c["id"] for c in shown]},
        )
        raise ApiError(
            409,
            "possible_duplicate",
            {
                "message": _(
                    "The contact's child may be registered already: send the registered child's id as "
                    '"child", or "register_new": true.'
                ),
                "candidates": shown,
            },
        ) from None
    code = 201 if opening.created else 200
    case = opening.case
    if scope_for(user, Action.CASE_VIEW).contains(case.admin_unit):
        return Status(code, _detail(user, get_case_for_user(user, case.pk)))
    return Status(
        code,
        OpenedOut(
            id=case.pk,
            number=case.number,
            status=case.status,
            received_at=case.received_at,
            next_due_at=case.next_due_at,
        ),
    )


@router.get("", response=CaseList, summary="Cases the caller may see, soonest deadline first")
def list_cases(request: HttpRequest, filters: Query[ListFilter]) -> CaseList:
    user = caller(request)
    if not can(user, Action.CASE_VIEW):
        raise PermissionDenied
    unit = None
    if filters.commune:
        unit = unit_on(filters.commune)
        if unit is None:
            raise ApiError(422, "invalid", {"commune": [_("Unknown commune code.")]})
    if filters.risk and filters.risk not in (*Rating.values, UNRATED):
        raise ApiError(422, "invalid", {"risk": [_("Choose high, medium, low or unrated.")]})
    worker = User.objects.filter(pk=filters.caseworker).first() if filters.caseworker is not None else None
    if filters.caseworker is not None and worker is None:
        return CaseList(items=[], count=0)
    qs = selectors.cases_for(
        user,
        status=filters.status,
        overdue=filters.overdue,
        due_soon=filters.due_soon,
        caseworker=worker,
        unit=unit,
        risk=risk_filter(filters.risk),
    )
    page = list(qs[filters.offset : filters.offset + filters.limit])
    selectors.record_list_view(
        user, page, page="api_list", filters=filters.model_dump(exclude={"limit", "offset"})
    )
    now = timezone.now()
    return CaseList(items=[CaseSummary(**_summary(c, now)) for c in page], count=qs.count())


@router.get("/{case_id}", response=CaseOut, summary="One case with its deadlines and steps")
def get_case(request: HttpRequest, case_id: int) -> CaseOut:
    user = caller(request)
    return _detail(user, get_case_for_user(user, case_id))


@router.post(
    "/{case_id}/transitions",
    response={200: CaseOut, 409: ErrorOut, 422: ErrorOut},
    summary="Take the case one step along the Decree 56 cycle",
)
def transition_case(request: HttpRequest, case_id: int, body: TransitionIn) -> CaseOut:
    user = caller(request)
    case = get_case_for_user(user, case_id)
    try:
        services.case_transition(
            actor=user,
            case=case,
            to=body.to,
            version=body.version,
            data=body.model_extra or {},
            reason=body.reason,
        )
    except services.Conflict as exc:
        raise _stale(exc.current_version) from None
    except services.TransitionNotAllowed as exc:
        raise ApiError(
            409,
            "transition_not_allowed",
            {
                "message": _("The case cannot go from this status to that one."),
                "status": exc.source,
                "allowed": exc.allowed,
            },
        ) from None
    except services.StillAtRisk:
        raise ApiError(
            409,
            "still_at_risk",
            {
                "message": _(
                    "The last review does not show that the child is no longer at risk: "
                    "make a new plan instead."
                ),
                "allowed": ["plan_drafted"],
            },
        ) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return _detail(user, get_case_for_user(user, case.pk))


@router.post(
    "/{case_id}/assign", response={200: CaseOut, 409: ErrorOut, 422: ErrorOut}, summary="Assign a caseworker"
)
def assign_case(request: HttpRequest, case_id: int, body: AssignIn) -> CaseOut:
    user = caller(request)
    case = get_case_for_user(user, case_id)
    worker = User.objects.filter(pk=body.caseworker, is_active=True).first()
    try:
        services.case_assign(actor=user, case=case, caseworker=worker, version=body.version)
    except services.Conflict as exc:
        raise _stale(exc.current_version) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return _detail(user, get_case_for_user(user, case.pk))


# --- the services of the plan (plan_services; docs/cases.md, "Referrals and services") ----------------


class ServiceIn(Schema):
    service_type: str = Field(description="orgs.codes.ServiceType")
    provider: int | None = Field(None, description="An organisation of the directory near the commune")
    description: str = ""
    start: date | None = Field(None, description="Planned start")
    end: date | None = Field(None, description="Planned end")


class ServicePatch(Schema):
    """A change of status (in_progress, delivered with `delivered_on`, cancelled with `reason`) and/or of
    the provider, description and planned dates; only the fields sent change."""

    version: int = Field(description="The version read; a stale one gets 409")
    status: str = ""
    started_on: date | None = None
    delivered_on: date | None = None
    reason: str = ""
    provider: int | None = None
    description: str = ""
    start: date | None = None
    end: date | None = None


class ServiceOut(Schema):
    id: int
    version: int
    service_type: str
    provider: int | None
    provider_name: str
    description: str
    start: date | None
    end: date | None
    status: str
    started_on: date | None
    delivered_on: date | None
    cancel_reason: str
    next_statuses: list[str] = Field(description="The statuses the caller may move it to now")


def _service_out(viewer: Any, case: Case, service: CaseService) -> ServiceOut:
    may_change = plan_services.may_change_services(viewer, case)
    return ServiceOut(
        id=service.pk,
        version=service.version,
        service_type=service.service_type,
        provider=service.provider_id,
        provider_name=service.provider.name if service.provider is not None else "",
        description=service.description,
        start=service.planned_start,
        end=service.planned_end,
        status=service.status,
        started_on=service.started_on,
        delivered_on=service.delivered_on,
        cancel_reason=service.cancel_reason,
        next_statuses=plan_services.next_statuses(service, case) if may_change else [],
    )


def _provider(value: int | None) -> Organisation | None:
    if value is None:
        return None
    found = Organisation.objects.filter(pk=value).first()
    if found is None:
        raise ApiError(422, "invalid", {"provider": [_("Unknown organisation.")]})
    return found


@router.get("/{case_id}/services", response=list[ServiceOut], summary="The services of the case's plan")
def list_services(request: HttpRequest, case_id: int) -> list[ServiceOut]:
    user = caller(request)
    case = get_case_for_user(user, case_id)
    selectors.record_case_view(user, case, page="api_services")
    return [_service_out(user, case, s) for s in selectors.case_services(case)]


@router.post(
    "/{case_id}/services",
    response={200: ServiceOut, 201: ServiceOut, 422: ErrorOut},
    summary="Add a service to the case's plan (honours Idempotency-Key)",
)
def add_service(request: HttpRequest, case_id: int, body: ServiceIn) -> Status[ServiceOut]:
    user = caller(request)
    case = get_case_for_user(user, case_id, Action.CASE_WORK)
    try:
        added = plan_services.case_service_add(
            actor=user,
            case=case,
            service_type=body.service_type,
            provider=_provider(body.provider),
            description=body.description,
            planned_start=body.start,
            planned_end=body.end,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash({"case": case.pk, **body.model_dump(mode="json")}),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    return Status(201 if added.created else 200, _service_out(user, case, added.service))


@router.patch(
    "/{case_id}/services/{service_id}",
    response={200: ServiceOut, 409: ErrorOut, 422: ErrorOut},
    summary="Start, deliver or cancel a service of the plan, or change its provider, description or dates",
)
def change_service(request: HttpRequest, case_id: int, service_id: int, body: ServicePatch) -> ServiceOut:
    user = caller(request)
    case = get_case_for_user(user, case_id, Action.CASE_WORK)
    service = plan_services.get_service(case, service_id)
    sent = body.model_fields_set
    names = {
        "provider": "provider",
        "description": "description",
        "start": "planned_start",
        "end": "planned_end",
    }
    changes: dict[str, Any] = {}
    for name, field in names.items():
        if name in sent:
            changes[field] = _provider(body.provider) if name == "provider" else getattr(body, name)
    try:
        changed = plan_services.case_service_update(
            actor=user,
            service=service,
            version=body.version,
            status=body.status,
            started_on=body.started_on,
            delivered_on=body.delivered_on,
            reason=body.reason,
            changes=changes,
        )
    except services.Conflict as exc:
        raise conflict(exc.current_version) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return _service_out(user, case, changed)
