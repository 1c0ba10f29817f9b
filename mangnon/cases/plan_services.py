"""The services of a case's plan (Decree 56 art. 29): add one to the plan, and move it along
planned → in progress → delivered, or cancel it with a reason.

The plan (Mẫu 04) creates its services (`services._plan_services`); these services change them
afterwards. Each write names the version it read (a stale one raises `services.Conflict`, nothing
written), checks CASE_WORK at the case's commune again (`PermissionDenied`), runs in one transaction
with its audit event, and refuses bad input with a `ValidationError` by field. Descriptions and reasons
are narratives: they stay on the row, never in the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.orgs.codes import ServiceType
from mangnon.orgs.models import Organisation

from .codes import ServiceStatus
from .models import Case, CaseService
from .services import Conflict
from .step_forms import providers_for
from .workflow import Status

__all__ = [
    "ADD_STATUSES",
    "DELIVERY_STATUSES",
    "EDITABLE",
    "TRANSITIONS",
    "Added",
    "case_service_add",
    "case_service_update",
    "get_service",
    "may_change_services",
    "next_statuses",
]

IDEMPOTENCY_SCOPE = "cases.service.add"
MAX_DESCRIPTION = 500
MAX_REASON = 2000
EDITABLE = ("provider", "description", "planned_start", "planned_end")

# A service moves forward only; delivered and cancelled are final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ServiceStatus.PLANNED: (ServiceStatus.IN_PROGRESS, ServiceStatus.DELIVERED, ServiceStatus.CANCELLED),
    ServiceStatus.IN_PROGRESS: (ServiceStatus.DELIVERED, ServiceStatus.CANCELLED),
}
# Services belong to a plan: they are added once a plan is drafted, and are started or delivered once
# the chairperson has approved it (art. 28-29). A closed case's services no longer change.
ADD_STATUSES = frozenset({Status.PLAN_DRAFTED, Status.PLAN_APPROVED, Status.IN_SERVICE, Status.REVIEWED})
DELIVERY_STATUSES = frozenset({Status.PLAN_APPROVED, Status.IN_SERVICE, Status.REVIEWED})


@dataclass(frozen=True)
class Added:
    service: CaseService
    created: bool  # False: a retried request with the same idempotency key


def may_change_services(user: Any, case: Case) -> bool:
    return case.status != Status.CLOSED and scope_for(user, Action.CASE_WORK).contains(case.admin_unit)


def next_statuses(service: CaseService, case: Case) -> list[str]:
    """The statuses the service may move to now (starting and delivering need an approved plan)."""
    allowed = TRANSITIONS.get(service.status, ())
    if case.status not in DELIVERY_STATUSES:
        allowed = tuple(s for s in allowed if s == ServiceStatus.CANCELLED)
    return list(allowed) if case.status != Status.CLOSED else []


def get_service(case: Case, service_id: Any) -> CaseService:
    """One service of the case (404 for another case's service or no service)."""
    pk = pk_or_404(service_id)
    found = CaseService.objects.select_related("provider").filter(case=case, pk=pk).first()
    if found is None:
        raise Http404
    return found


def _require(actor: Any, case: Case) -> None:
    if not scope_for(actor, Action.CASE_WORK).contains(case.admin_unit):
        raise PermissionDenied


def _received_on(case: Case) -> date:
    return timezone.localtime(case.received_at).date()


def _check_date(name: str, day: date | None, case: Case, errors: dict[str, list[str]]) -> None:
    if day is None:
        return
    if day > timezone.localdate():
        errors.setdefault(name, []).append(_("The date is in the future."))
    elif day < _received_on(case):
        errors.setdefault(name, []).append(_("The date is before the information was received."))


def _clean_fields(case: Case, fields: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """The editable fields given, checked: a provider from the directory near the case's commune, a
    description of at most 500 characters, an end not before the start."""
    out: dict[str, Any] = {}
    if "provider" in fields:
        provider = fields["provider"]
        if provider is not None and not isinstance(provider, Organisation):
            provider = Organisation.objects.filter(pk=provider).first() if str(provider).isdigit() else None
            if provider is None:
                errors.setdefault("provider", []).append(_("Unknown organisation."))
        if isinstance(provider, Organisation) and not providers_for(case).filter(pk=provider.pk).exists():
            errors.setdefault("provider", []).append(
                _("Choose an active service provider of the directory in the case's province.")
            )
        out["provider"] = provider
    if "description" in fields:
        text = " ".join(str(fields["description"] or "").split())
        if len(text) > MAX_DESCRIPTION:
            errors.setdefault("description", []).append(
                _("The description is too long (500 characters at most).")
            )
        out["description"] = text
    for name in ("planned_start", "planned_end"):
        if name in fields:
            out[name] = fields[name]
    return out


def _check_period(start: date | None, end: date | None, errors: dict[str, list[str]]) -> None:
    if start and end and end < start:
        errors.setdefault("planned_end", []).append(_("The end date is before the start date."))


def _provider_id(value: Any) -> int | None:
    return value.pk if isinstance(value, Organisation) else None


def case_service_add(
    *,
    actor: Any,
    case: Case,
    service_type: str,
    provider: Organisation | None = None,
    description: str = "",
    planned_start: date | None = None,
    planned_end: date | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
) -> Added:
    """Add a service to the case's plan (status planned). With `idempotency_key`, a retried call returns
    the first service."""
    _require(actor, case)

    def create() -> CaseService:
        errors: dict[str, list[str]] = {}
        if case.status == Status.CLOSED:
            errors[NON_FIELD_ERRORS] = [_("The case is closed: its services no longer change.")]
        elif case.status not in ADD_STATUSES:
            errors[NON_FIELD_ERRORS] = [
                _("Services belong to the plan: draft the plan (Form 04) before adding services.")
            ]
        if service_type not in ServiceType.values:
            errors["service_type"] = [_("Choose the kind of service.")]
        fields = _clean_fields(case, {"provider": provider, "description": description}, errors)
        _check_period(planned_start, planned_end, errors)
        if errors:
            raise ValidationError(errors)
        service = CaseService.objects.create(
            case=case,
            service_type=service_type,
            provider=fields["provider"],
            description=fields["description"],
            planned_start=planned_start,
            planned_end=planned_end,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=service,
            unit=case.admin_unit,
            changes={
                "case": case.pk,
                "service_type": service_type,
                "provider": _provider_id(fields["provider"]),
                "planned_start": planned_start,
                "planned_end": planned_end,
                "status": ServiceStatus.PLANNED,
            },
        )
        return service

    service, created = idempotency.create_once(
        actor=actor,
        scope=IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: CaseService.objects.select_related("provider").get(pk=pk),
    )
    return Added(service, created=created)


def _current_version(service: CaseService) -> int:
    return int(CaseService.objects.values_list("version", flat=True).get(pk=service.pk))


def _check_status(
    *,
    case: Case,
    service: CaseService,
    status: str,
    started_on: date | None,
    delivered_on: date | None,
    reason: str,
    errors: dict[str, list[str]],
) -> dict[str, Any]:
    """The fields a change of status writes: when it started, when it was delivered, why it was
    cancelled."""
    if not status or status == service.status:
        return {}
    if status not in ServiceStatus.values or status not in TRANSITIONS.get(service.status, ()):
        errors.setdefault("status", []).append(
            _("A service that is %(status)s cannot become %(target)s.")
            % {
                "status": service.get_status_display().lower(),
                "target": str(dict(ServiceStatus.choices).get(status, status)).lower(),
            }
        )
        return {}
    if status != ServiceStatus.CANCELLED and case.status not in DELIVERY_STATUSES:
        errors.setdefault("status", []).append(
            _("Services are started and delivered once the chairperson has approved the plan.")
        )
        return {}
    out: dict[str, Any] = {"status": status}
    today = timezone.localdate()
    if status == ServiceStatus.IN_PROGRESS:
        out["started_on"] = started_on or today
        _check_date("started_on", out["started_on"], case, errors)
    elif status == ServiceStatus.DELIVERED:
        if delivered_on is None:
            errors.setdefault("delivered_on", []).append(_("Enter the date the service was delivered."))
        _check_date("delivered_on", delivered_on, case, errors)
        out["delivered_on"] = delivered_on
        begun = started_on or service.started_on
        if started_on is not None:
            _check_date("started_on", started_on, case, errors)
            out["started_on"] = started_on
        if begun and delivered_on and delivered_on < begun:
            errors.setdefault("delivered_on", []).append(_("The service was delivered before it started."))
    else:
        if not reason:
            errors.setdefault("reason", []).append(_("Give the reason for cancelling the service."))
        elif len(reason) > MAX_REASON:
            errors.setdefault("reason", []).append(_("The reason is too long (2,000 characters at most)."))
        out["cancel_reason"] = reason
    return out


def case_service_update(
    *,
    actor: Any,
    service: CaseService,
    version: int,
    status: str = "",
    started_on: date | None = None,
    delivered_on: date | None = None,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
) -> CaseService:
    """Change a service of the plan: its provider, description or planned dates (`changes`, while it is
    planned or in progress) and/or its status along TRANSITIONS — started (in progress, `started_on`
    defaults to today), delivered (`delivered_on` required), cancelled (`reason` required).

    Checked in this order, nothing written on a refusal: the version read is current (`Conflict`);
    the actor works cases at the case's commune (`PermissionDenied`); the case is open and the change
    allowed, with its dates and reason (`ValidationError`).
    """
    case = service.case
    current = _current_version(service)
    if version != current:
        raise Conflict(current)
    _require(actor, case)
    reason = (reason or "").strip()
    edits = {k: v for k, v in (changes or {}).items() if k in EDITABLE}
    errors: dict[str, list[str]] = {}
    if case.status == Status.CLOSED:
        raise ValidationError({NON_FIELD_ERRORS: [_("The case is closed: its services no longer change.")]})
    if service.status not in TRANSITIONS and (edits or status):
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This service is delivered or cancelled: it no longer changes.")]}
        )
    fields = _clean_fields(case, edits, errors)
    _check_period(
        fields.get("planned_start", service.planned_start),
        fields.get("planned_end", service.planned_end),
        errors,
    )
    fields.update(
        _check_status(
            case=case,
            service=service,
            status=status,
            started_on=started_on,
            delivered_on=delivered_on,
            reason=reason,
            errors=errors,
        )
    )
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(service, name) for name in fields}
    if not fields:
        return service
    now = timezone.now()
    with transaction.atomic():
        updated = CaseService.objects.filter(pk=service.pk, version=version).update(
            **fields, version=F("version") + 1, updated_at=now
        )
        if not updated:
            raise Conflict(_current_version(service))
        logged: dict[str, Any] = {"case": case.pk, "version": [version, version + 1]}
        for name, value in fields.items():
            if name in ("description", "cancel_reason"):
                logged[f"{name}_changed"] = before[name] != value
            elif name == "provider":
                logged["provider"] = [_provider_id(before[name]), _provider_id(value)]
            else:
                logged[name] = [before[name], value]
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=service, unit=case.admin_unit, changes=logged
        )
    service.refresh_from_db()
    return service
