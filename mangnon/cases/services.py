"""Every write of case work under Decree 56/2017: open a case, take it through the cycle, assign it.

Each service runs in one transaction with its audit event. Callers load the case through
`access.get_case_for_user` (scope) and pass it in; the services check the action again, so no caller can
skip it. A refusal raises before anything is written: `ValidationError` (bad input, in plain words per
field), `PermissionDenied`, `Conflict` (stale version), `TransitionNotAllowed` (with the targets the
table allows), `StillAtRisk` (closing without a review that says the child is safe) or `CaseExists`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit, Level
from mangnon.intake.access import can_see_contact
from mangnon.intake.codes import Channel, Outcome
from mangnon.intake.models import Contact, ContactChild
from mangnon.intake.services import contact_link_child
from mangnon.registry import services as registry_services
from mangnon.registry.codes import Relationship
from mangnon.registry.models import Child, RegistrationDecision
from mangnon.registry.services import PossibleDuplicate

from . import deadlines, step_forms
from .codes import ServiceStatus
from .incident_services import incident_victims_link_case
from .models import Case, CaseService, CaseStep
from .workflow import Form, Status, Transition, allowed_from, transition

__all__ = [
    "CaseExists",
    "Conflict",
    "Opening",
    "PossibleDuplicate",
    "StillAtRisk",
    "TransitionNotAllowed",
    "case_assign",
    "case_open",
    "case_transition",
]

IDEMPOTENCY_SCOPE = "cases.case.open"
CASE_TYPE = "cases.case"


class Conflict(Exception):
    """The case changed since the caller read it (stale `version`); nothing was written."""

    def __init__(self, current_version: int) -> None:
        super().__init__("stale")
        self.current_version = current_version


class TransitionNotAllowed(Exception):
    """The transition table has no step from the case's status to the one asked for."""

    def __init__(self, source: str, target: str, allowed: list[str]) -> None:
        super().__init__("transition_not_allowed")
        self.source, self.target, self.allowed = source, target, allowed


class StillAtRisk(Exception):
    """Closing was asked for, but the last review (Mẫu 06) does not say the child is safe and stable."""


class CaseExists(Exception):
    """The child already has an open case: it is re-planned, not opened twice."""

    def __init__(self, case: Case) -> None:
        super().__init__("case_exists")
        self.case = case


@dataclass(frozen=True)
class Opening:
    case: Case
    created: bool  # False: a retried request with the same idempotency key


def _require(actor: Any, action: Action, unit: AdminUnit) -> None:
    if not scope_for(actor, action).contains(unit):
        raise PermissionDenied


def _province_of(unit: AdminUnit) -> AdminUnit:
    first = int(unit.path.strip("/").split("/")[0])
    return unit if first == unit.pk else AdminUnit.objects.get(pk=first)


def _current_commune(unit: AdminUnit | None) -> bool:
    return (
        unit is not None
        and unit.level in (Level.COMMUNE, Level.SPECIAL_ZONE)
        and unit.is_valid_on(timezone.localdate())
    )


def _current_version(case: Case) -> int:
    return int(Case.objects.values_list("version", flat=True).get(pk=case.pk))


# --- opening -----------------------------------------------------------------------------------------


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _years(birth_year: int | None, on: datetime) -> int | None:
    return on.year - birth_year if birth_year else None


def form01_prefill(
    *, child: Child | None, contact: Contact | None, received_at: datetime | None
) -> dict[str, Any]:
    """Mẫu 01 as far as the registry and the contact already know it; the officer completes the rest."""
    moment = timezone.localtime(received_at) if received_at else timezone.localtime()
    data: dict[str, Any] = {"received_at": moment, "source": "in_person"}
    if child is not None:
        person = child.person
        data.update(
            child_name=person.full_name,
            child_sex=person.sex,
            child_date_of_birth=_iso(person.date_of_birth),
            child_age="" if person.date_of_birth else (_years(person.birth_year, moment) or ""),
            place=person.address,
        )
        carers = (
            child.caregivers.select_related("person").filter(end_date__isnull=True).order_by("-is_primary")
        )
        for carer in carers:
            who = carer.person
            if carer.relationship in (Relationship.FATHER, Relationship.MOTHER):
                role = carer.relationship
                data.setdefault(f"{role}_name", who.full_name)
                data.setdefault(f"{role}_age", _years(who.birth_year, moment) or "")
            if carer.is_primary and "current_carer" not in data:
                data["current_carer"] = f"{who.full_name} ({carer.get_relationship_display()})"
    if contact is not None:
        sources = {Channel.PHONE.value: "phone", Channel.WALK_IN.value: "in_person"}
        data["source"] = sources.get(contact.channel, "via_someone")
        data["child_condition"] = contact.narrative
        if contact.place_text:
            data["place"] = contact.place_text
        if contact.caller_consents_to_identity and not contact.caller_anonymous:
            data.update(
                reporter_consents=True,
                reporter_name=contact.caller_name,
                reporter_phone=contact.caller_phone,
                reporter_address=contact.get_caller_relationship_display(),
            )
        if child is None:
            # A child the caller named but nobody has registered yet: what the contact knows of them.
            rows = list(contact.children.filter(child__isnull=True).order_by("pk")[:2])
            if len(rows) == 1:
                data.update(child_name=rows[0].name, child_sex=rows[0].sex, child_age=rows[0].age or "")
        if not contact.place_text and contact.admin_unit_id and not data.get("place"):
            data["place"] = contact.admin_unit.name  # type: ignore[union-attr]
    if child is not None and not data.get("place"):
        data["place"] = child.admin_unit.name
    return data


def _contact_row(contact: Contact, child: Child | None, contact_child: int | None) -> ContactChild:
    """The child of the contact the case is for."""
    rows = list(contact.children.select_related("child__person").order_by("pk"))
    if contact_child is not None:
        found = next((r for r in rows if r.pk == contact_child), None)
        if found is None:
            raise ValidationError({"contact_child": [_("This child is not on the contact.")]})
        return found
    if child is not None:
        linked = next((r for r in rows if r.child_id == child.pk), None)
        unlinked = [r for r in rows if r.child_id is None]
        if linked is None and len(unlinked) == 1:
            return unlinked[0]  # the caller names the registered child this entry is about
        if linked is None:
            raise ValidationError({"child": [_("This child is not on the contact.")]})
        return linked
    if not rows:
        raise ValidationError(
            {"contact": [_("The contact names no child: add the child to the contact first.")]}
        )
    if len(rows) > 1:
        raise ValidationError(
            {"contact_child": [_("The contact is about several children: choose the child the case is for.")]}
        )
    return rows[0]


def _register_from_contact(
    *,
    actor: Any,
    contact: Contact,
    row: ContactChild,
    commune: AdminUnit,
    received_at: datetime,
    register_new: bool,
) -> Child:
    """Register the child a contact recorded minimally (the registry's duplicate check runs first) and
    identify the contact's entry with it."""
    age_year = timezone.localtime(received_at).year - row.age if row.age is not None else None
    try:
        linked = contact_link_child(
            actor=actor,
            contact=contact,
            entry=row,
            register=registry_services.ChildData(
                full_name=row.name,
                sex=row.sex,
                commune=commune,
                birth_year=age_year,
                birth_year_estimated=age_year is not None,
            ),
            decision=RegistrationDecision.Decision.NEW if register_new else None,
        )
    except ValidationError as exc:
        raise ValidationError(
            {
                "contact_child": [
                    _(
                        "Complete the child's details on the contact, or name the registered child: "
                        "%(problems)s"
                    )
                    % {"problems": " ".join(exc.messages)}
                ]
            }
        ) from None
    return cast(Child, linked.child)  # registered just now


def _next_number(province: AdminUnit, year: int) -> str:
    """`<province code>-<year>-<6-digit sequence>`; numbering is serialised per province."""
    AdminUnit.objects.select_for_update().filter(pk=province.pk).first()
    prefix = f"{province.code}-{year}-"
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


def _mark_contact(actor: Any, contact: Contact, case: Case) -> None:
    if contact.outcome == Outcome.CASE_OPENED:
        return
    Contact.objects.filter(pk=contact.pk).update(
        outcome=Outcome.CASE_OPENED, version=F("version") + 1, updated_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=contact,
        unit=contact.admin_unit,
        changes={"outcome": [contact.outcome, Outcome.CASE_OPENED], "case": case.pk},
    )


def _open(
    *,
    actor: Any,
    child: Child | None,
    contact: Contact | None,
    contact_child: int | None,
    commune: AdminUnit | None,
    received_at: datetime | None,
    form01: Mapping[str, Any],
    register_new: bool,
) -> Case:
    if contact is None and child is None:
        raise ValidationError({"child": [_("Open a case from a contact or for a registered child.")]})
    if contact is not None:
        if not can_see_contact(actor, contact):
            raise PermissionDenied
        received_at = contact.received_at
    elif child is not None and not scope_for(actor, Action.CHILD_VIEW).contains(child.admin_unit):
        raise PermissionDenied
    row = _contact_row(contact, child, contact_child) if contact is not None else None
    # Decree 56: the commune where it happened handles the case.
    place = contact.admin_unit if contact is not None and contact.admin_unit_id else None
    commune = commune or place or (row.child.admin_unit if row and row.child else None)
    commune = commune or (child.admin_unit if child is not None else None)
    if commune is None:
        raise ValidationError({"commune": [_("Choose the commune where it happened.")]})
    if not _current_commune(commune):
        raise ValidationError({"commune": [_("The commune must be a commune-level unit that exists today.")]})
    _require(actor, Action.CASE_OPEN, commune)
    moment = received_at or timezone.now()
    if row is not None and contact is not None:
        if row.child is not None:
            child = row.child
        elif child is not None:
            contact_link_child(actor=actor, contact=contact, child=child, entry=row)
        else:
            child = _register_from_contact(
                actor=actor,
                contact=contact,
                row=row,
                commune=commune,
                received_at=moment,
                register_new=register_new,
            )
    if child is None:
        raise ValidationError({"child": [_("Open a case from a contact or for a registered child.")]})
    existing = Case.objects.filter(child=child).exclude(status=Status.CLOSED).first()
    if existing is not None:
        raise CaseExists(existing)
    data = {**form01_prefill(child=child, contact=contact, received_at=moment), **dict(form01.items())}
    if contact is not None or received_at is not None:
        data["received_at"] = moment
    form = step_forms.validate(Form.M01, data)
    received = form.cleaned_data["received_at"]
    province = _province_of(commune)
    now = timezone.now()
    worker = actor if scope_for(actor, Action.CASE_WORK).contains(commune) else None
    case = Case.objects.create(
        number=_next_number(province, timezone.localtime(received).year),
        child=child,
        contact=contact,
        admin_unit=commune,
        province=province,
        status=Status.RECEIVED,
        received_at=received,
        caseworker=worker,
        summary=form.cleaned_data.get("child_condition") or "",
        opened_by=actor,
    )
    CaseStep.objects.create(
        case=case,
        name="open",
        source="",
        target=Status.RECEIVED,
        form=Form.M01,
        data=form.stored(),
        actor=actor,
        at=now,
    )
    deadlines.on_open(case)
    deadlines.refresh_next_due(case)
    if contact is not None:
        _mark_contact(actor, contact, case)
        # Opening the case is the commune taking the contact: its pending referral there is accepted.
        from .referral_services import accept_on_opening  # referral_services builds on this module

        accept_on_opening(actor=actor, contact=contact, case=case)
    incidents = incident_victims_link_case(actor=actor, case=case)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        unit=commune,
        changes={
            "number": case.number,
            "child": child.pk,
            "contact": contact.pk if contact else None,
            "status": Status.RECEIVED,
            "received_at": received,
            "caseworker": worker.pk if worker else None,
            "form": Form.M01,
            "next_due_at": case.next_due_at,
            "incidents": incidents,
        },
    )
    return case


def case_open(
    *,
    actor: Any,
    child: Child | None = None,
    contact: Contact | None = None,
    contact_child: int | None = None,
    commune: AdminUnit | None = None,
    received_at: datetime | None = None,
    form01: Mapping[str, Any] | None = None,
    register_new: bool = False,
    idempotency_key: str = "",
    request_hash: str = "",
) -> Opening:
    """Open a Decree 56 case (status "received", Mẫu 01) and start its clocks.

    From a contact, its child, commune and time of receipt carry over (a child the contact recorded
    only by name is registered first, after the duplicate check: `PossibleDuplicate` until the caller
    names the registered child or sets `register_new`). Directly, for a registered `child`, at the
    child's commune unless `commune` is given. `form01` holds the Mẫu 01 fields typed; what is not typed
    comes from the registry and the contact. The actor needs CASE_OPEN at the commune; one who works
    cases there becomes the caseworker. With `idempotency_key`, a retried call returns the first case.
    """
    case, created = idempotency.create_once(
        actor=actor,
        scope=IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=lambda: _open(
            actor=actor,
            child=child,
            contact=contact,
            contact_child=contact_child,
            commune=commune,
            received_at=received_at,
            form01=form01 or {},
            register_new=register_new,
        ),
        load=lambda pk: Case.objects.get(pk=pk),
    )
    return Opening(case, created=created)


# --- the cycle ---------------------------------------------------------------------------------------


def latest_form_data(case: Case, form: str) -> dict[str, Any]:
    """The fields of the most recent step of the case that filled in `form` ({} when none did)."""
    step = CaseStep.objects.filter(case=case, form=form).order_by("-at", "-pk").first()
    return dict(step.data) if step is not None else {}


def _review_dates(plan: Mapping[str, Any]) -> list[date]:
    days = []
    for value in plan.get("review_dates") or []:
        try:
            days.append(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return days


def _plan_services(case: Case, form: step_forms.Form04, now: datetime) -> None:
    """A new plan replaces the services planned by the one before that have not started."""
    CaseService.objects.filter(case=case, status=ServiceStatus.PLANNED).update(
        status=ServiceStatus.CANCELLED, version=F("version") + 1, updated_at=now
    )
    CaseService.objects.bulk_create(
        [
            CaseService(
                case=case,
                service_type=row["service_type"],
                provider=row.get("provider"),
                description=row.get("description") or "",
                planned_start=row.get("start"),
                planned_end=row.get("end"),
            )
            for row in form.planned_services()
        ]
    )


def _check_step(
    *, actor: Any, case: Case, to: str, version: int, data: Mapping[str, Any], reason: str
) -> tuple[Transition, step_forms.StepForm]:
    current = _current_version(case)
    if version != current:
        raise Conflict(current)
    found = transition(case.status, to)
    if found is None:
        raise TransitionNotAllowed(case.status, to, [t.target.value for t in allowed_from(case.status)])
    _require(actor, found.action, case.admin_unit)
    errors: dict[str, list[str]] = {}
    if found.needs_reason and not reason:
        errors["reason"] = [_("Give the reason for this step.")]
    form = step_forms.bind(found.form, data, case=case, transition=found)
    if not form.is_valid():
        errors.update(form.error_dict())
    if errors:
        raise ValidationError(errors)
    if found.name == "close" and not step_forms.no_longer_at_risk(latest_form_data(case, Form.M06)):
        raise StillAtRisk
    return found, form


def case_transition(
    *, actor: Any, case: Case, to: str, version: int, data: Mapping[str, Any] | None = None, reason: str = ""
) -> CaseStep:
    """Take the case one step along the Decree 56 cycle (workflow.TRANSITIONS), recording its form.

    Checked in this order, and nothing is written on a refusal: the version the actor read is current
    (a second officer editing the same case is told so before anything else); the table allows the
    step; the actor may take it at the case's commune (approving or returning a plan: the chairperson
    only); the step's form and its reason; closing needs the last review to say the child is safe.
    """
    reason = (reason or "").strip()
    found, form = _check_step(actor=actor, case=case, to=to, version=version, data=data or {}, reason=reason)
    now = timezone.now()
    review_dates = _review_dates(latest_form_data(case, Form.M04)) if found.name == "approve_plan" else []
    with transaction.atomic():
        updates: dict[str, Any] = {"status": found.target, "version": F("version") + 1, "updated_at": now}
        if found.name == "emergency":
            updates["emergency"] = True
        risk = step_forms.risk_after(found.name, form.cleaned_data)
        if risk is not None:
            updates["risk"] = risk
        if found.name == "close":
            updates["closed_at"] = now
        if found.name == "reopen":
            updates["closed_at"] = None
        if not Case.objects.filter(pk=case.pk, version=version, status=case.status).update(**updates):
            raise Conflict(_current_version(case))
        step = CaseStep.objects.create(
            case=case,
            name=found.name,
            source=found.source,
            target=found.target,
            form=found.form,
            data=form.stored(),
            reason=reason,
            actor=actor,
            at=now,
        )
        if isinstance(form, step_forms.Form04):
            _plan_services(case, form, now)
        deadlines.on_step(case, found.name, now, review_dates)
        due = deadlines.refresh_next_due(case)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=case,
            unit=case.admin_unit,
            changes={
                "status": [found.source, found.target],
                "step": found.name,
                "step_id": step.pk,
                "form": found.form,
                "version": [version, version + 1],
                "next_due_at": due,
                "reason_given": bool(reason),
                **({"risk": risk} if risk is not None else {}),
            },
        )
    case.refresh_from_db()
    return step


def case_assign(*, actor: Any, case: Case, caseworker: Any, version: int | None = None) -> Case:
    """Make `caseworker` (someone who works cases at the case's commune) responsible for the case.

    Those who work cases there, and supervisors, may assign; a stale `version` is a Conflict.
    """
    unit = case.admin_unit
    if not (
        scope_for(actor, Action.CASE_WORK).contains(unit)
        or scope_for(actor, Action.CASE_SUPERVISE).contains(unit)
    ):
        raise PermissionDenied
    if case.status == Status.CLOSED:
        raise ValidationError({"caseworker": [_("The case is closed.")]})
    if caseworker is None or not scope_for(caseworker, Action.CASE_WORK).contains(unit):
        raise ValidationError({"caseworker": [_("This person does not work cases in the case's commune.")]})
    old = case.caseworker_id
    with transaction.atomic():
        qs = Case.objects.filter(pk=case.pk)
        if version is not None:
            qs = qs.filter(version=version)
        if not qs.update(caseworker=caseworker, version=F("version") + 1, updated_at=timezone.now()):
            raise Conflict(_current_version(case))
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=case,
            unit=unit,
            changes={"caseworker": [old, caseworker.pk]},
        )
    case.refresh_from_db()
    return case
