"""Every write of incidents of abuse: recording one with its child victims and perpetrators, editing it,
adding victims and perpetrators, and its legal track.

Callers load an incident through `incident_selectors.get_incident_for_user` and pass it in; each service
checks INCIDENT_RECORD at the incident's commune again, so no caller can skip it. Every service runs in
one transaction with its audit event. The narratives (place, description, a step's detail) never enter
the audit trail, and the forms of abuse are masked there when they include sexual abuse, as the registry
masks its sensitive classifications. Bad input raises a `ValidationError` whose messages say in plain
words what to fix, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit, Level
from mangnon.registry.access import get_child_for_user
from mangnon.registry.codes import Sex
from mangnon.registry.models import Child, Person
from mangnon.registry.services import Conflict, province_of

from .codes import AbuseForm, LegalStepKind, PerpetratorRelationship, Setting
from .models import Case, Incident, IncidentChild, LegalStep, Perpetrator
from .workflow import Status

IDEMPOTENCY_SCOPE = "cases.incident.create"
SENSITIVE_FORMS = frozenset({AbuseForm.SEXUAL})
NARRATIVES = ("place_text", "description", "detail")
EDITABLE = ("occurred_on", "admin_unit", "forms", "setting", "place_text", "description")
MAX_PLACE = 300
MAX_DETAIL = 500
MAX_AGE = 120


@dataclass(frozen=True)
class Recorded:
    incident: Incident
    created: bool  # False: a retried request with the same idempotency key


# --- checks ------------------------------------------------------------------------------------------


def _require(actor: Any, unit: AdminUnit) -> None:
    if not scope_for(actor, Action.INCIDENT_RECORD).contains(unit):
        raise PermissionDenied


def _masked(forms: Iterable[str]) -> tuple[str, ...]:
    return (*NARRATIVES, "forms") if SENSITIVE_FORMS.intersection(forms) else NARRATIVES


def _clean_fields(
    *,
    occurred_on: date | None,
    admin_unit: AdminUnit | None,
    forms: Sequence[str],
    setting: str,
    place_text: str,
    description: str,
) -> dict[str, Any]:
    """The incident's own fields checked and normalised; every problem at once."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if occurred_on is None:
        err("occurred_on", _("Enter the date of the incident."))
    elif occurred_on > timezone.localdate():
        err("occurred_on", _("The date of the incident is in the future."))
    if admin_unit is None:
        err("admin_unit", _("Choose the commune where it happened."))
    elif admin_unit.level not in (Level.COMMUNE, Level.SPECIAL_ZONE) or (
        occurred_on is not None and not admin_unit.is_valid_on(occurred_on)
    ):
        err(
            "admin_unit",
            _("The commune must be a commune-level unit that existed on the date of the incident."),
        )
    codes = list(dict.fromkeys(str(f) for f in forms or ()))
    unknown = [c for c in codes if c not in AbuseForm.values]
    if not codes:
        err("forms", _("Choose at least one form of abuse."))
    for code in unknown:
        err("forms", _("Unknown form of abuse: %(code)s.") % {"code": code})
    if setting not in Setting.values:
        err("setting", _("Choose where it happened: family, school, community, online or care facility."))
    place = " ".join((place_text or "").split())
    if len(place) > MAX_PLACE:
        err("place_text", _("The place is too long (300 characters at most)."))
    if errors:
        raise ValidationError(errors)
    return {
        "occurred_on": occurred_on,
        "admin_unit": admin_unit,
        "forms": [c for c in AbuseForm.values if c in codes],  # one order, whatever order they came in
        "setting": setting,
        "place_text": place,
        "description": (description or "").strip(),
    }


def _victims(actor: Any, child_ids: Iterable[Any]) -> list[Child]:
    """The children named, each one the actor may see (a merged record's id gives the survivor)."""
    found: dict[int, Child] = {}
    for raw in child_ids:
        try:
            child = get_child_for_user(actor, raw)
        except Http404:
            raise ValidationError(
                {
                    "victims": [
                        _("No child with record number %(id)s among the children you may see.") % {"id": raw}
                    ]
                }
            ) from None
        found.setdefault(child.pk, child)
    return list(found.values())


@dataclass(frozen=True)
class _PerpetratorFields:
    relationship: str
    sex: str
    age: int | None
    person: Person | None


def _perpetrator(actor: Any, data: Mapping[str, Any], label: str = "") -> _PerpetratorFields:
    """One perpetrator's fields checked; `label` ("Perpetrator 2: ") names the row in a list."""
    relationship = str(data.get("relationship") or "")
    sex = str(data.get("sex") or "")
    age = data.get("age")
    problems: list[str] = []
    if relationship not in PerpetratorRelationship.values:
        problems.append(_("Choose the perpetrator's relationship to the child."))
    if sex and sex not in Sex.values:
        problems.append(_("Choose the perpetrator's sex: M (male) or F (female), or leave it empty."))
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or not 0 < age <= MAX_AGE):
        problems.append(_("The perpetrator's age is not plausible."))
    person = None
    person_id = data.get("person")
    if person_id is not None:
        person = (
            Person.objects.filter(pk=person_id)
            .filter(scope_for(actor, Action.CHILD_VIEW).q("admin_unit"))
            .first()
        )
        if person is None:
            problems.append(_("No such person among the people you may see."))
    if problems:
        raise ValidationError({"perpetrators": [f"{label}{p}" for p in problems]})
    return _PerpetratorFields(relationship, sex, age, person)


def _case_for(child: Child, occurred_on: date) -> Case | None:
    """The case an incident's victim belongs to: the child's open case, else the latest case received
    since the incident (a case opened about it and closed since); None when the child has no such case."""
    cases = Case.objects.filter(child=child).order_by("-received_at", "-pk")
    return (
        cases.exclude(status=Status.CLOSED).first()
        or cases.filter(received_at__date__gte=occurred_on).first()
    )


def _add_victim(incident: Incident, child: Child) -> IncidentChild:
    return IncidentChild.objects.create(
        incident=incident, child=child, case=_case_for(child, incident.occurred_on)
    )


def _add_perpetrator(incident: Incident, fields: _PerpetratorFields) -> Perpetrator:
    return Perpetrator.objects.create(
        incident=incident,
        relationship=fields.relationship,
        sex=fields.sex,
        age=fields.age,
        person=fields.person,
    )


def _perpetrator_snapshot(p: Perpetrator) -> dict[str, Any]:
    return {"id": p.pk, "relationship": p.relationship, "sex": p.sex, "age": p.age, "person": p.person_id}


def _touch(incident: Incident) -> None:
    Incident.objects.filter(pk=incident.pk).update(updated_at=timezone.now())


# --- record, update ----------------------------------------------------------------------------------


def incident_record(
    *,
    actor: Any,
    occurred_on: date | None,
    admin_unit: AdminUnit | None,
    forms: Sequence[str],
    setting: str,
    place_text: str = "",
    description: str = "",
    victims: Sequence[Any] = (),
    perpetrators: Sequence[Mapping[str, Any]] = (),
    idempotency_key: str = "",
    request_hash: str = "",
) -> Recorded:
    """Record an incident at a commune with its child victims (ids of children the actor may see, at
    least one) and its perpetrators (relationship, sex, age, optionally a registered person). Each
    victim is linked to their case when they have one. With `idempotency_key`, a retried call returns
    the first incident."""
    cleaned = _clean_fields(
        occurred_on=occurred_on, admin_unit=admin_unit, forms=forms, setting=setting, place_text=place_text,
        description=description,
    )  # fmt: skip
    unit: AdminUnit = cleaned["admin_unit"]
    _require(actor, unit)
    children = _victims(actor, victims)
    if not children:
        raise ValidationError({"victims": [_("Add at least one child victim.")]})
    people = [
        _perpetrator(actor, p, _("Perpetrator %(n)s: ") % {"n": n}) for n, p in enumerate(perpetrators, 1)
    ]

    def create() -> Incident:
        incident = Incident.objects.create(**cleaned, province=province_of(unit), recorded_by=actor)
        links = [_add_victim(incident, child) for child in children]
        rows = [_add_perpetrator(incident, p) for p in people]
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=incident,
            unit=unit,
            changes={
                **{k: v for k, v in cleaned.items() if k != "admin_unit"},
                "admin_unit": unit.code,
                "victims": [c.pk for c in children],
                "cases": [link.case_id for link in links if link.case_id],
                "perpetrators": [_perpetrator_snapshot(p) for p in rows],
            },
            sensitive=_masked(cleaned["forms"]),
        )
        return incident

    incident, created = idempotency.create_once(
        actor=actor,
        scope=IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: Incident.objects.select_related("admin_unit").get(pk=pk),
    )
    return Recorded(incident, created)


def incident_update(*, actor: Any, incident: Incident, version: int, changes: Mapping[str, Any]) -> Incident:
    """Change an incident's own fields (those of EDITABLE). A stale `version` raises Conflict and writes
    nothing; moving it to another commune needs INCIDENT_RECORD at both."""
    _require(actor, incident.admin_unit)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError(
            {"__all__": [_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(unknown)}]}
        )
    current = {name: getattr(incident, name) for name in EDITABLE}
    cleaned = _clean_fields(**{**current, **changes})
    if cleaned["admin_unit"] != incident.admin_unit:
        _require(actor, cleaned["admin_unit"])
    earliest = incident.legal_steps.order_by("on").values_list("on", flat=True).first()
    if earliest is not None and cleaned["occurred_on"] > earliest:
        raise ValidationError({"occurred_on": [_("A step of the legal track is dated before this date.")]})
    with transaction.atomic():
        bumped = Incident.objects.filter(pk=incident.pk, version=version).update(
            **cleaned,
            province=province_of(cleaned["admin_unit"]),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not bumped:
            raise Conflict(Incident.objects.values_list("version", flat=True).get(pk=incident.pk))
        before = {**current, "admin_unit": current["admin_unit"].code}
        after = {**cleaned, "admin_unit": cleaned["admin_unit"].code}
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=incident,
            unit=cleaned["admin_unit"],
            changes=audit.diff(before, after),
            sensitive=_masked([*current["forms"], *cleaned["forms"]]),
        )
        incident.refresh_from_db()
    return incident


def incident_add_victim(*, actor: Any, incident: Incident, child_id: Any) -> IncidentChild:
    """Add a child (one the actor may see) to an incident's victims, linked to their case if any."""
    _require(actor, incident.admin_unit)
    (child,) = _victims(actor, [child_id])
    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=incident.pk).first()
        if incident.victims.filter(child=child).exists():
            raise ValidationError({"victims": [_("This child is already a victim of this incident.")]})
        link = _add_victim(incident, child)
        _touch(incident)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=incident,
            unit=incident.admin_unit,
            changes={"victim_added": child.pk, "case": link.case_id},
        )
    return link


def incident_add_perpetrator(
    *,
    actor: Any,
    incident: Incident,
    relationship: str,
    sex: str = "",
    age: int | None = None,
    person: int | None = None,
) -> Perpetrator:
    _require(actor, incident.admin_unit)
    fields = _perpetrator(actor, {"relationship": relationship, "sex": sex, "age": age, "person": person})
    with transaction.atomic():
        row = _add_perpetrator(incident, fields)
        _touch(incident)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=incident,
            unit=incident.admin_unit,
            changes={"perpetrator_added": _perpetrator_snapshot(row)},
        )
    return row


def incident_victims_link_case(*, actor: Any, case: Case) -> list[int]:
    """Link the case's child, as a victim of incidents recorded before the case was opened, to the case
    (their victim rows without a case); returns the ids of the incidents linked. For the case-opening
    service to call, so that a victim is linked whichever of the two is recorded first."""
    links = list(
        IncidentChild.objects.select_related("incident__admin_unit").filter(
            child=case.child,
            case__isnull=True,
            incident__occurred_on__lte=timezone.localtime(case.received_at).date(),
        )
    )
    with transaction.atomic():
        for link in links:
            IncidentChild.objects.filter(pk=link.pk).update(case=case)
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=link.incident,
                unit=link.incident.admin_unit,
                changes={"victim_case": {"child": case.child_id, "case": case.pk}},
            )
    return [link.incident_id for link in links]


# --- the legal track ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepRule:
    """What a legal step needs: a perpetrator it concerns, and the step that must come before it."""

    needs_perpetrator: bool = False
    after: LegalStepKind | None = None


K = LegalStepKind
# Criminal procedure: a person is accused (khởi tố bị can) only within a criminal case (khởi tố vụ án),
# tried only once accused, sentenced only once tried. A sanction falls on a person.
RULES: dict[str, StepRule] = {
    K.REPORTED: StepRule(),
    K.INVESTIGATED: StepRule(),
    K.CRIMINAL_CASE: StepRule(),
    K.ACCUSED: StepRule(needs_perpetrator=True, after=K.CRIMINAL_CASE),
    K.TRIED: StepRule(needs_perpetrator=True, after=K.ACCUSED),
    K.SENTENCED: StepRule(needs_perpetrator=True, after=K.TRIED),
    K.ADMINISTRATIVE: StepRule(needs_perpetrator=True),
    K.DISMISSED: StepRule(),
}


def _missing_step_message(kind: str) -> str:
    if kind == K.ACCUSED:
        return _(
            "A person is accused only within a criminal case: record “Criminal case opened” first, "
            "dated on or before this step."
        )
    if kind == K.TRIED:
        return _("Only an accused person is tried: record that this perpetrator was accused first.")
    return _("A sentence follows a trial: record the trial of this perpetrator first.")


def _order_errors(
    incident: Incident, kind: str, on: date, perpetrator: Perpetrator | None
) -> dict[str, list[str]]:
    rule = RULES[kind]
    if rule.needs_perpetrator and perpetrator is None:
        label = LegalStepKind(kind).label
        return {
            "perpetrator": [
                _("The step “%(step)s” concerns a person: choose the perpetrator.") % {"step": label}
            ]
        }
    steps = incident.legal_steps.all()
    same = steps.filter(kind=kind, perpetrator=perpetrator)
    if same.exists():
        if perpetrator is None:
            return {"kind": [_("This step is recorded already for this incident.")]}
        return {"kind": [_("This step is recorded already for this perpetrator.")]}
    if rule.after is not None:
        before = steps.filter(kind=rule.after, on__lte=on)
        # A criminal case is the incident's (or opened against this person); later steps are the person's.
        whose = Q(perpetrator=perpetrator)
        if rule.after == K.CRIMINAL_CASE:
            whose |= Q(perpetrator__isnull=True)
        if not before.filter(whose).exists():
            return {"kind": [_missing_step_message(kind)]}
    return {}


def legal_step_add(
    *,
    actor: Any,
    incident: Incident,
    kind: str,
    on: date | None,
    perpetrator: Perpetrator | None = None,
    detail: str = "",
) -> LegalStep:
    """Record one step of the incident's legal track, in order (RULES): a step that needs an earlier one
    (an accusation a criminal case, a trial an accusation, a sentence a trial) is refused with a message
    saying what to record first; a step twice for the same perpetrator (or the incident) is refused."""
    _require(actor, incident.admin_unit)
    if kind not in LegalStepKind.values:
        raise ValidationError({"kind": [_("Unknown step of the legal track.")]})
    if on is None:
        raise ValidationError({"on": [_("Enter the date of the step.")]})
    if on > timezone.localdate():
        raise ValidationError({"on": [_("The date of the step is in the future.")]})
    if on < incident.occurred_on:
        raise ValidationError({"on": [_("The date of the step is before the incident.")]})
    if perpetrator is not None and perpetrator.incident_id != incident.pk:
        raise ValidationError({"perpetrator": [_("This perpetrator is not one of this incident's.")]})
    text = " ".join((detail or "").split())
    if len(text) > MAX_DETAIL:
        raise ValidationError({"detail": [_("The detail is too long (500 characters at most).")]})
    with transaction.atomic():
        # One writer at a time per incident, so two clerks cannot both add the same step.
        Incident.objects.select_for_update().filter(pk=incident.pk).first()
        errors = _order_errors(incident, kind, on, perpetrator)
        if errors:
            raise ValidationError(errors)
        step = LegalStep.objects.create(
            incident=incident, perpetrator=perpetrator, kind=kind, on=on, detail=text, recorded_by=actor
        )
        _touch(incident)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=step,
            unit=incident.admin_unit,
            changes={
                "incident": incident.pk,
                "kind": kind,
                "on": on,
                "perpetrator": perpetrator.pk if perpetrator else None,
                "detail": text,
            },
            sensitive=("detail",),
        )
    return step
