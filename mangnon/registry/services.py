"""Every write of the children registry. Each service runs in one transaction with its audit event.

Callers load objects through `access.get_child_for_user` (which checks scope) and pass them in; the
services check the action the actor takes on them again, so no caller can skip it. Bad input raises a
`ValidationError` whose messages say in plain words what to fix, and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.core.names import name_sort_key, split_name
from mangnon.core.text import normalize_name
from mangnon.geo.models import AdminUnit, Level

from . import matching
from .codes import (
    ETHNICITIES,
    SENSITIVE_GROUPS,
    SENSITIVE_RISKS,
    ChildStatus,
    CircumstanceSource,
    ConsentPurpose,
    HouseholdPoverty,
    Relationship,
    RiskType,
    Sex,
    SpecialGroup,
)
from .models import (
    Caregiver,
    Child,
    Consent,
    Household,
    HouseholdMember,
    HouseholdStatus,
    Person,
    RegistrationDecision,
    RiskFlag,
    SpecialCircumstance,
)

AGE_OUT = 16
OWN_CONSENT_AGE = 7  # Law on Children 2016, art. 33: the child's own agreement from 7 years of age
MIN_BIRTH_YEAR = 1900
IDEMPOTENCY_SCOPE = "registry.child.create"
# Fields of a person whose values never enter the audit trail (the trail masks id_number always).
MASKED_FIELDS = ("id_number", "phone")
_ID_RE = re.compile(r"^\d{12}$")
_ETHNICITY_CODES = frozenset(code for code, _label in ETHNICITIES)


class Conflict(Exception):
    """The record changed since the caller read it (stale `version`); nothing was written."""

    def __init__(self, current_version: int) -> None:
        super().__init__("conflict")
        self.current_version = current_version


class PossibleDuplicate(Exception):
    """The duplicate check found likely candidates and the officer has not decided yet."""

    def __init__(self, candidates: list[matching.Candidate]) -> None:
        super().__init__("possible_duplicate")
        self.candidates = candidates


@dataclass
class ChildData:
    full_name: str
    sex: str
    commune: AdminUnit | None
    date_of_birth: date | None = None
    birth_year: int | None = None
    birth_year_estimated: bool = False
    ethnicity: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    notes: str = ""
    father_name: str = ""  # recorded as the child's father when a new child is registered
    mother_name: str = ""
    parents: Sequence[str] = field(default_factory=tuple)  # more names, for the duplicate check only

    def parent_names(self) -> tuple[str, ...]:
        named = (self.father_name, self.mother_name, *self.parents)
        return tuple(n.strip() for n in named if n and n.strip())


@dataclass(frozen=True)
class Registration:
    child: Child
    created: bool  # False: linked to an existing child, or a retried request with the same key
    decision: str
    candidates: list[dict[str, Any]]


# --- validation -------------------------------------------------------------------------------------


def province_of(unit: AdminUnit) -> AdminUnit:
    """The province a unit lies in: the first id of its materialised path."""
    first = int(unit.path.strip("/").split("/")[0])
    return unit if first == unit.pk else AdminUnit.objects.get(pk=first)


def id_number_errors(id_number: str, *, sex: str = "", birth_year: int | None = None) -> list[str]:
    """Problems with a 12-digit personal ID number (căn cước), in plain words; [] when it is right.

    Digits 1-3: province of birth registration (001-096); digit 4: century and sex (0/1 the 1900s,
    2/3 the 2000s, 4/5 the 2100s; even male, odd female); digits 5-6: the last two digits of the year of
    birth.
    """
    if not _ID_RE.match(id_number):
        return [_("A personal ID number has exactly 12 digits.")]
    errors: list[str] = []
    if not 1 <= int(id_number[:3]) <= 96:
        errors.append(
            _("The first three digits of a personal ID number are a province code from 001 to 096.")
        )
    code = int(id_number[3])
    if code > 5:
        errors.append(_("The fourth digit of a personal ID number must be 0 to 5."))
        return errors
    id_sex = Sex.MALE if code % 2 == 0 else Sex.FEMALE
    id_year = 1900 + 100 * (code // 2) + int(id_number[4:6])
    if sex and sex != id_sex:
        if id_sex == Sex.MALE:
            errors.append(_("The personal ID number is that of a boy but the sex is female."))
        else:
            errors.append(_("The personal ID number is that of a girl but the sex is male."))
    if birth_year is not None and birth_year != id_year:
        errors.append(
            _("The personal ID number says born in %(id_year)s, but the year of birth is %(year)s.")
            % {"id_year": id_year, "year": birth_year}
        )
    return errors


def _clean(
    data: ChildData, *, today: date, exclude_person: int | None = None, check_unit: bool = True
) -> dict[str, Any]:
    """Check and normalise the fields of a child; raise ValidationError with every problem at once."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    full_name = " ".join((data.full_name or "").split())
    parts = split_name(full_name)
    if not parts.ten:
        err("full_name", _("Enter the child's full name."))
    elif len(full_name) > 220:
        err("full_name", _("The full name is too long (220 characters at most)."))
    if data.sex not in Sex.values:
        err("sex", _("Choose the sex: M (male) or F (female)."))
    dob, year = data.date_of_birth, data.birth_year
    if dob is not None:
        if dob > today:
            err("date_of_birth", _("The date of birth is in the future."))
        if year is not None and year != dob.year:
            err("birth_year", _("The year of birth does not match the date of birth."))
        year = dob.year
    elif year is None:
        err("date_of_birth", _("Enter the date of birth, or at least the year of birth."))
    elif not MIN_BIRTH_YEAR <= year <= today.year:
        err("birth_year", _("The year of birth is not plausible."))
    unit = data.commune
    if unit is None:
        err("commune", _("Choose the commune."))
    elif check_unit and (
        unit.level not in (Level.COMMUNE, Level.SPECIAL_ZONE) or not unit.is_valid_on(today)
    ):
        err("commune", _("The commune must be a commune-level unit that exists today."))
    if data.ethnicity and data.ethnicity not in _ETHNICITY_CODES:
        err("ethnicity", _("Unknown ethnicity code."))
    id_number = (data.id_number or "").strip()
    if id_number:
        problems = id_number_errors(
            id_number, sex=data.sex if data.sex in Sex.values else "", birth_year=year
        )
        for message in problems:
            err("id_number", message)
        taken = Person.objects.filter(id_number=id_number)
        if exclude_person is not None:
            taken = taken.exclude(pk=exclude_person)
        if not problems and taken.exists():
            err("id_number", _("This personal ID number is already recorded for another person."))
    if errors:
        raise ValidationError(errors)
    return {
        "full_name": parts.full,
        "ho": parts.ho,
        "ten_dem": parts.ten_dem,
        "ten": parts.ten,
        "name_key": normalize_name(parts.full),
        "ten_key": normalize_name(parts.ten),
        "ho_key": normalize_name(parts.ho),
        "sort_key": name_sort_key(parts.full),
        "sex": data.sex,
        "date_of_birth": dob,
        "birth_year": year,
        "birth_year_estimated": bool(data.birth_year_estimated and dob is None),
        "ethnicity": data.ethnicity or "",
        "id_number": id_number,
        "phone": (data.phone or "").strip(),
        "address": (data.address or "").strip(),
        "admin_unit": unit,
    }


def _require(actor: Any, action: Action, unit: AdminUnit) -> None:
    if not scope_for(actor, action).contains(unit):
        raise PermissionDenied


def candidate_dicts(candidates: Sequence[matching.Candidate]) -> list[dict[str, Any]]:
    return [
        {"id": c.child_id, "score": c.score, "level": c.level, "reasons": list(c.reasons)} for c in candidates
    ]


def duplicate_candidates(
    *, actor: Any, data: ChildData, exclude_ids: Sequence[int] = ()
) -> list[matching.Candidate]:
    """The children in the actor's scope who may be this child (the check run before registering)."""
    within = scope_for(actor, Action.CHILD_VIEW).q("admin_unit")
    return matching.find_candidates(
        full_name=data.full_name,
        sex=data.sex,
        date_of_birth=data.date_of_birth,
        birth_year=data.date_of_birth.year if data.date_of_birth else data.birth_year,
        commune=data.commune,
        within=within,
        exclude_ids=exclude_ids,
        parents=data.parent_names(),
        address=data.address,
    )


def _person_snapshot(person: Person) -> dict[str, Any]:
    return {
        "full_name": person.full_name,
        "sex": person.sex,
        "date_of_birth": person.date_of_birth,
        "birth_year": person.birth_year,
        "birth_year_estimated": person.birth_year_estimated,
        "ethnicity": person.ethnicity,
        "id_number": person.id_number,
        "phone": person.phone,
        "address": person.address,
    }


# --- register, update --------------------------------------------------------------------------------


def child_register(
    *,
    actor: Any,
    data: ChildData,
    decision: str | None = None,
    link_to: int | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
) -> Registration:
    """Register a child after the duplicate check, or link the entry to a child already registered.

    `decision` is the officer's choice after seeing the candidates: "new" (confirmed as a new child),
    "linked" (with `link_to`, one of the children the actor may see: nothing is created), or None (not
    decided yet: if the check finds a likely candidate, PossibleDuplicate is raised and nothing is
    written; otherwise the child is registered as new). The decision and the candidates shown are
    recorded in RegistrationDecision. With `idempotency_key`, a retried call returns the first result.
    """
    today = timezone.localdate()
    if decision not in (None, RegistrationDecision.Decision.NEW, RegistrationDecision.Decision.LINKED):
        raise ValidationError({"decision": [_("Unknown decision.")]})
    if decision == RegistrationDecision.Decision.LINKED and link_to is None:
        raise ValidationError({"link_to": [_("Choose the child to link to.")]})
    cleaned = _clean(data, today=today)
    unit: AdminUnit = cleaned["admin_unit"]
    _require(actor, Action.CHILD_REGISTER, unit)
    outcome: dict[str, Any] = {}

    def create() -> int:
        candidates = duplicate_candidates(actor=actor, data=data)
        shown = candidate_dicts(candidates)
        outcome["candidates"] = shown
        if decision == RegistrationDecision.Decision.LINKED:
            from .access import get_child_for_user

            child = get_child_for_user(actor, link_to)  # type: ignore[arg-type]
            RegistrationDecision.objects.create(
                child=child, decision=RegistrationDecision.Decision.LINKED, candidates=shown, decided_by=actor
            )
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=child,
                unit=child.admin_unit,
                changes={"registration": "linked", "candidates": [c["id"] for c in shown]},
            )
            outcome.update(child=child, created=False, decision="linked")
            return child.pk
        if decision is None and any(c.level == matching.LIKELY for c in candidates):
            raise PossibleDuplicate(candidates)
        person_fields = {k: v for k, v in cleaned.items() if k != "admin_unit"}
        province = province_of(unit)
        person = Person.objects.create(**person_fields, admin_unit=unit, province=province, created_by=actor)
        child = Child.objects.create(
            person=person,
            admin_unit=unit,
            province=province,
            registered_by=actor,
            notes=(data.notes or "").strip(),
            status=ChildStatus.ACTIVE,
        )
        RegistrationDecision.objects.create(
            child=child, decision=RegistrationDecision.Decision.NEW, candidates=shown, decided_by=actor
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=child,
            unit=unit,
            changes={**_person_snapshot(person), "candidates": [c["id"] for c in shown]},
            sensitive=MASKED_FIELDS,
        )
        for relationship, name, parent_sex in (
            (Relationship.FATHER, data.father_name, Sex.MALE),
            (Relationship.MOTHER, data.mother_name, Sex.FEMALE),
        ):
            if name and name.strip():
                _record_caregiver(
                    actor=actor, child=child, relationship=relationship, full_name=name, sex=parent_sex
                )
        outcome.update(child=child, created=True, decision="new")
        return child.pk

    with transaction.atomic():
        result = idempotency.run_once(
            actor=actor,
            scope=IDEMPOTENCY_SCOPE,
            key=idempotency_key,
            request_hash=request_hash,
            create=create,
        )
    if result.created:  # a lost race rolled back what `create` made: then the winner's child is read
        return Registration(outcome["child"], outcome["created"], outcome["decision"], outcome["candidates"])
    from .access import get_child_for_user

    child = get_child_for_user(actor, int(result.object_id))
    return Registration(child, created=False, decision="repeated", candidates=[])


UPDATABLE = frozenset(
    {
        "full_name",
        "sex",
        "date_of_birth",
        "birth_year",
        "birth_year_estimated",
        "ethnicity",
        "id_number",
        "phone",
        "address",
        "notes",
    }
)


def child_update(*, actor: Any, child: Child, version: int, changes: Mapping[str, Any]) -> Child:
    """Change a child's details if `version` is still current (else Conflict); the diff is audited."""
    _require(actor, Action.CHILD_EDIT, child.admin_unit)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    person = child.person
    current = {**_person_snapshot(person), "notes": child.notes}
    merged = {**current, **changes}
    if "date_of_birth" in changes and changes["date_of_birth"] is not None and "birth_year" not in changes:
        merged["birth_year"] = None
    data = ChildData(
        full_name=merged["full_name"],
        sex=merged["sex"],
        commune=child.admin_unit,
        date_of_birth=merged["date_of_birth"],
        birth_year=merged["birth_year"],
        birth_year_estimated=merged["birth_year_estimated"],
        ethnicity=merged["ethnicity"],
        id_number=merged["id_number"] or "",
        phone=merged["phone"] or "",
        address=merged["address"] or "",
        notes=merged["notes"] or "",
    )
    # The commune is not edited here (child_move); a historic record keeps its pre-reform unit.
    cleaned = _clean(data, today=timezone.localdate(), exclude_person=person.pk, check_unit=False)
    with transaction.atomic():
        bumped = Child.objects.filter(pk=child.pk, version=version).update(
            version=F("version") + 1, notes=(data.notes or "").strip(), updated_at=timezone.now()
        )
        if not bumped:
            raise Conflict(Child.objects.values_list("version", flat=True).get(pk=child.pk))
        for name, value in cleaned.items():
            if name != "admin_unit":
                setattr(person, name, value)
        person.version = F("version") + 1
        person.save()
        person.refresh_from_db()
        child.refresh_from_db()
        after = {**_person_snapshot(person), "notes": child.notes}
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=child,
            unit=child.admin_unit,
            changes=audit.diff(current, after),
            sensitive=MASKED_FIELDS,
        )
    return child


# --- classifications and risks ------------------------------------------------------------------------


def _check_dates(start: date, end: date | None = None) -> None:
    if start > timezone.localdate():
        raise ValidationError({"start": [_("The start date is in the future.")]})
    if end is not None and end < start:
        raise ValidationError({"end": [_("The end date is before the start date.")]})


def circumstance_add(
    *,
    actor: Any,
    child: Child,
    group: str,
    start_date: date,
    sub_group: str = "",
    source: str = "",
    note: str = "",
    verified: bool = False,
) -> SpecialCircumstance:
    """Classify a child in one of the 14 groups from `start_date` (a group open already is refused)."""
    _require(actor, Action.CHILD_EDIT, child.admin_unit)
    if group not in SpecialGroup.values:
        raise ValidationError({"group": [_("Unknown group: use a letter from a to o of art. 10.")]})
    sensitive = group in SENSITIVE_GROUPS
    if sensitive:
        _require(actor, Action.CHILD_VIEW_SENSITIVE, child.admin_unit)
    if source and source not in CircumstanceSource.values:
        raise ValidationError({"source": [_("Unknown source.")]})
    _check_dates(start_date)
    with transaction.atomic():
        if child.circumstances.filter(group=group, end_date__isnull=True).exists():
            raise ValidationError({"group": [_("The child is already classified in this group.")]})
        today = timezone.localdate()
        row = SpecialCircumstance.objects.create(
            child=child,
            group=group,
            sub_group=sub_group.strip(),
            start_date=start_date,
            source=source,
            note=note.strip(),
            verified_by=actor if verified else None,
            verified_on=today if verified else None,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            unit=child.admin_unit,
            changes={"child": child.pk, "group": group, "start_date": start_date, "sensitive": sensitive},
            sensitive=("group",) if sensitive else (),
        )
    return row


def _end_period(
    *,
    actor: Any,
    row: SpecialCircumstance | RiskFlag,
    code_field: str,
    sensitive_codes: frozenset[str],
    end_date: date,
    ended_already: str,
) -> None:
    """End a dated classification (circumstance or risk): the same checks, write and audit for both."""
    child = row.child
    _require(actor, Action.CHILD_EDIT, child.admin_unit)
    code = getattr(row, code_field)
    sensitive = code in sensitive_codes
    if sensitive:
        _require(actor, Action.CHILD_VIEW_SENSITIVE, child.admin_unit)
    if row.end_date is not None:
        raise ValidationError({"end": [ended_already]})
    _check_dates(row.start_date, end_date)
    with transaction.atomic():
        row.end_date = end_date
        row.save(update_fields=["end_date", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            unit=child.admin_unit,
            changes={"child": child.pk, code_field: code, "end_date": [None, end_date]},
            sensitive=(code_field,) if sensitive else (),
        )  # fmt: skip


def circumstance_end(*, actor: Any, circumstance: SpecialCircumstance, end_date: date) -> SpecialCircumstance:
    _end_period(
        actor=actor, row=circumstance, code_field="group", sensitive_codes=SENSITIVE_GROUPS,
        end_date=end_date, ended_already=_("This classification has ended already."),
    )  # fmt: skip
    return circumstance


def risk_flag_add(
    *, actor: Any, child: Child, risk_type: str, start_date: date, source: str = "", note: str = ""
) -> RiskFlag:
    _require(actor, Action.CHILD_EDIT, child.admin_unit)
    if risk_type not in RiskType.values:
        raise ValidationError({"risk_type": [_("Unknown risk.")]})
    sensitive = risk_type in SENSITIVE_RISKS
    if sensitive:
        _require(actor, Action.CHILD_VIEW_SENSITIVE, child.admin_unit)
    if source and source not in CircumstanceSource.values:
        raise ValidationError({"source": [_("Unknown source.")]})
    _check_dates(start_date)
    with transaction.atomic():
        if child.risk_flags.filter(risk_type=risk_type, end_date__isnull=True).exists():
            raise ValidationError({"risk_type": [_("This risk is already recorded for the child.")]})
        row = RiskFlag.objects.create(
            child=child, risk_type=risk_type, start_date=start_date, source=source, note=note.strip(),
            recorded_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            unit=child.admin_unit,
            changes={
                "child": child.pk,
                "risk_type": risk_type,
                "start_date": start_date,
                "sensitive": sensitive,
            },
            sensitive=("risk_type",) if sensitive else (),
        )
    return row


def risk_flag_end(*, actor: Any, flag: RiskFlag, end_date: date) -> RiskFlag:
    _end_period(
        actor=actor, row=flag, code_field="risk_type", sensitive_codes=SENSITIVE_RISKS,
        end_date=end_date, ended_already=_("This risk has ended already."),
    )  # fmt: skip
    return flag


# --- move, merge, age out --------------------------------------------------------------------------


def child_move(*, actor: Any, child: Child, to_unit: AdminUnit, version: int | None = None) -> Child:
    """Move a child to another commune (the family moved): the scope follows, so the new commune's
    officers see the child and the old commune's no longer do."""
    _require(actor, Action.CHILD_EDIT, child.admin_unit)
    today = timezone.localdate()
    if to_unit.level not in (Level.COMMUNE, Level.SPECIAL_ZONE) or not to_unit.is_valid_on(today):
        raise ValidationError({"commune": [_("The commune must be a commune-level unit that exists today.")]})
    if to_unit.pk == child.admin_unit_id:
        raise ValidationError({"commune": [_("The child is already registered in this commune.")]})
    old = child.admin_unit
    province = province_of(to_unit)
    with transaction.atomic():
        qs = Child.objects.filter(pk=child.pk)
        if version is not None:
            qs = qs.filter(version=version)
        if not qs.update(
            admin_unit=to_unit, province=province, version=F("version") + 1, updated_at=timezone.now()
        ):
            raise Conflict(Child.objects.values_list("version", flat=True).get(pk=child.pk))
        Person.objects.filter(pk=child.person_id).update(admin_unit=to_unit, province=province)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=child,
            unit=to_unit,
            changes={"admin_unit": [old.code, to_unit.code], "admin_unit_id": [old.pk, to_unit.pk]},
        )
        child.refresh_from_db()
    return child


def child_merge(*, actor: Any, survivor: Child, other: Child) -> Child:
    """Merge `other` into `survivor` (the same child recorded twice): every link moves to the survivor;
    `other` stays, marked MERGED with `merged_into`, so its id still leads to the survivor."""
    _require(actor, Action.CHILD_MERGE, survivor.admin_unit)
    _require(actor, Action.CHILD_MERGE, other.admin_unit)
    if survivor.pk == other.pk:
        raise ValidationError({"other": [_("A record cannot be merged into itself.")]})
    if other.status == ChildStatus.MERGED or survivor.status == ChildStatus.MERGED:
        raise ValidationError({"other": [_("This record has been merged already.")]})
    with transaction.atomic():
        moved: dict[str, int] = {}
        have = set(survivor.caregivers.values_list("person_id", "relationship"))
        keep = [c.pk for c in other.caregivers.all() if (c.person_id, c.relationship) not in have]
        moved["caregivers"] = Caregiver.objects.filter(pk__in=keep).update(child=survivor)
        Caregiver.objects.filter(child=other).delete()  # the same carer, already linked to the survivor
        moved["circumstances"] = SpecialCircumstance.objects.filter(child=other).update(child=survivor)
        moved["risk_flags"] = RiskFlag.objects.filter(child=other).update(child=survivor)
        moved["consents"] = Consent.objects.filter(child=other).update(child=survivor)
        moved["registration_decisions"] = RegistrationDecision.objects.filter(child=other).update(
            child=survivor
        )
        Child.objects.filter(merged_into=other).update(merged_into=survivor)
        survivor_updates: dict[str, Any] = {"version": F("version") + 1, "updated_at": timezone.now()}
        in_households = set(
            HouseholdMember.objects.filter(person_id=survivor.person_id).values_list(
                "household_id", flat=True
            )
        )
        moved["household_memberships"] = (
            HouseholdMember.objects.filter(person_id=other.person_id)
            .exclude(household_id__in=in_households)
            .update(person_id=survivor.person_id)
        )
        if survivor.household_id is None and other.household_id is not None:
            survivor_updates["household_id"] = other.household_id
            moved["household"] = 1
        # The survivor keeps its own details; an ID number only the other record had moves over.
        other_person, survivor_person = other.person, survivor.person
        if other_person.id_number and not survivor_person.id_number:
            number = other_person.id_number
            Person.objects.filter(pk=other_person.pk).update(id_number="")
            Person.objects.filter(pk=survivor_person.pk).update(id_number=number)
        Child.objects.filter(pk=survivor.pk).update(**survivor_updates)
        Child.objects.filter(pk=other.pk).update(
            status=ChildStatus.MERGED,
            merged_into=survivor,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=survivor,
            unit=survivor.admin_unit,
            changes={"merged_from": other.pk, "moved": moved},
        )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=other,
            unit=other.admin_unit,
            changes={"status": [other.status, ChildStatus.MERGED], "merged_into": survivor.pk},
        )
    survivor.refresh_from_db()
    return survivor


def sixteenth_birthday(person: Person) -> date | None:
    """The day the child turns 16; with only a year of birth, the last day of that year (surely 16 then)."""
    if person.date_of_birth is not None:
        dob = person.date_of_birth
        try:
            return dob.replace(year=dob.year + AGE_OUT)
        except ValueError:  # 29 February
            return date(dob.year + AGE_OUT, 3, 1)
    if person.birth_year is not None:
        return date(person.birth_year + AGE_OUT, 12, 31)
    return None


def child_age_out(*, actor: Any, child: Child, on: date | None = None) -> Child:
    """Mark a child who is 16 on `on` (default today) as aged out: kept, no longer an active child."""
    if actor is not None:
        _require(actor, Action.CHILD_EDIT, child.admin_unit)
    day = on or timezone.localdate()
    turned = sixteenth_birthday(child.person)
    if child.status != ChildStatus.ACTIVE:
        raise ValidationError({"status": [_("Only an active child can age out.")]})
    if turned is None or turned > day:
        raise ValidationError({"status": [_("The child is not 16 yet.")]})
    with transaction.atomic():
        Child.objects.filter(pk=child.pk).update(
            status=ChildStatus.AGED_OUT,
            aged_out_on=turned,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=child,
            unit=child.admin_unit,
            changes={"status": [ChildStatus.ACTIVE, ChildStatus.AGED_OUT], "aged_out_on": turned},
        )
        child.refresh_from_db()
    return child


def children_age_out_due(*, on: date | None = None) -> int:
    """Age out every active child who is 16 by `on` (the periodic task); returns how many."""
    day = on or timezone.localdate()
    try:
        cutoff = day.replace(year=day.year - AGE_OUT)
    except ValueError:  # 29 February
        cutoff = date(day.year - AGE_OUT, 2, 28)
    year_only = Q(person__date_of_birth__isnull=True)
    last_year = day.year - AGE_OUT - 1 if (day.month, day.day) != (12, 31) else day.year - AGE_OUT
    due = (
        Child.objects.filter(status=ChildStatus.ACTIVE)
        .filter(Q(person__date_of_birth__lte=cutoff) | (year_only & Q(person__birth_year__lte=last_year)))
        .select_related("person", "admin_unit")
    )
    count = 0
    for child in due.iterator(chunk_size=500):
        child_age_out(actor=None, child=child, on=day)
        count += 1
    return count


# --- consent ----------------------------------------------------------------------------------------


def age_on(person: Person, day: date) -> int | None:
    if person.date_of_birth is not None:
        dob = person.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    if person.birth_year is not None:
        return day.year - person.birth_year
    return None


def consent_record(
    *,
    actor: Any,
    child: Child,
    purpose: str,
    given_on: date,
    given_by: Person | None,
    given_by_child: bool = False,
) -> Consent:
    """Record consent to process a child's data: the guardian's, and the child's own from age 7."""
    _require(actor, Action.CHILD_EDIT, child.admin_unit)
    errors: dict[str, list[str]] = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = [_("Unknown purpose.")]
    if given_on > timezone.localdate():
        errors["given_on"] = [_("The date of consent is in the future.")]
    if given_by is None:
        errors["given_by"] = [_("Say which parent or guardian gave consent.")]
    age = age_on(child.person, given_on)
    if age is not None and age >= OWN_CONSENT_AGE and not given_by_child:
        errors["given_by_child"] = [_("The child is 7 or older: the child's own agreement is required too.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            child=child,
            purpose=purpose,
            given_by=given_by,
            given_by_child=given_by_child,
            given_on=given_on,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=consent,
            unit=child.admin_unit,
            changes={
                "child": child.pk,
                "purpose": purpose,
                "given_on": given_on,
                "given_by_child": given_by_child,
            },
        )
    return consent


def consent_withdraw(*, actor: Any, consent: Consent, on: date, reason: str = "") -> Consent:
    child = consent.child
    _require(actor, Action.CHILD_EDIT, child.admin_unit)
    if consent.withdrawn_on is not None:
        raise ValidationError({"withdrawn_on": [_("This consent has been withdrawn already.")]})
    if on < consent.given_on or on > timezone.localdate():
        raise ValidationError(
            {"withdrawn_on": [_("The withdrawal date must lie between the consent and today.")]}
        )
    with transaction.atomic():
        consent.withdrawn_on = on
        consent.withdrawal_reason = reason.strip()[:300]
        consent.save(update_fields=["withdrawn_on", "withdrawal_reason"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=consent,
            unit=child.admin_unit,
            changes={"child": child.pk, "withdrawn_on": [None, on]},
        )
    return consent


# --- households and caregivers -------------------------------------------------------------------


def household_create(
    *, actor: Any, commune: AdminUnit, code: str = "", address: str = "", head: Person | None = None
) -> Household:
    _require(actor, Action.CHILD_EDIT, commune)
    if commune.level not in (Level.COMMUNE, Level.SPECIAL_ZONE) or not commune.is_valid_on(
        timezone.localdate()
    ):
        raise ValidationError({"commune": [_("The commune must be a commune-level unit that exists today.")]})
    with transaction.atomic():
        household = Household.objects.create(
            code=code.strip(), admin_unit=commune, province=province_of(commune), address=address.strip(),
            head=head, created_by=actor,
        )  # fmt: skip
        if head is not None:
            HouseholdMember.objects.create(household=household, person=head)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=household,
            unit=commune,
            changes={"code": household.code, "head": head.pk if head else None},
        )
    return household


def household_add_member(
    *, actor: Any, household: Household, person: Person, relationship_to_head: str = ""
) -> HouseholdMember:
    """Add a person to a household; a registered child's household becomes this one."""
    _require(actor, Action.CHILD_EDIT, household.admin_unit)
    if relationship_to_head and relationship_to_head not in Relationship.values:
        raise ValidationError({"relationship_to_head": [_("Unknown relationship.")]})
    with transaction.atomic():
        if HouseholdMember.objects.filter(household=household, person=person).exists():
            raise ValidationError({"person": [_("This person is already a member of the household.")]})
        member = HouseholdMember.objects.create(
            household=household, person=person, relationship_to_head=relationship_to_head
        )
        Child.objects.filter(person=person).update(household=household, updated_at=timezone.now())
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=household,
            unit=household.admin_unit,
            changes={"member_added": person.pk, "relationship_to_head": relationship_to_head},
        )
    return member


def household_set_status(*, actor: Any, household: Household, year: int, status: str) -> HouseholdStatus:
    """Poor / near-poor status of a household for a year (reviewed yearly); replaces that year's value."""
    _require(actor, Action.CHILD_EDIT, household.admin_unit)
    if status not in HouseholdPoverty.values:
        raise ValidationError({"status": [_("Unknown household status.")]})
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": [_("The year is not plausible.")]})
    with transaction.atomic():
        previous = (
            HouseholdStatus.objects.filter(household=household, year=year)
            .values_list("status", flat=True)
            .first()
        )
        row, _created = HouseholdStatus.objects.update_or_create(
            household=household, year=year, defaults={"status": status}
        )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=household,
            unit=household.admin_unit,
            changes={f"status_{year}": [previous, status]},
        )
    return row


def caregiver_add(
    *,
    actor: Any,
    child: Child,
    relationship: str,
    person: Person | None = None,
    full_name: str = "",
    sex: str = "",
    birth_year: int | None = None,
    phone: str = "",
    is_primary: bool = False,
    lives_with_child: bool = True,
    start_date: date | None = None,
) -> Caregiver:
    """Link a carer to a child: an existing person, or a new one made from `full_name` (with `sex`,
    `birth_year` and `phone` when known)."""
    _require(actor, Action.CHILD_EDIT, child.admin_unit)
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": [_("Unknown relationship.")]})
    if sex and sex not in Sex.values:
        raise ValidationError({"sex": [_("Choose the sex: M (male) or F (female).")]})
    if birth_year is not None and not MIN_BIRTH_YEAR <= birth_year <= timezone.localdate().year:
        raise ValidationError({"birth_year": [_("The year of birth is not plausible.")]})
    return _record_caregiver(
        actor=actor, child=child, relationship=relationship, person=person, full_name=full_name, sex=sex,
        birth_year=birth_year, phone=phone, is_primary=is_primary, lives_with_child=lives_with_child,
        start_date=start_date,
    )  # fmt: skip


def _record_caregiver(
    *,
    actor: Any,
    child: Child,
    relationship: str,
    person: Person | None = None,
    full_name: str = "",
    sex: str = "",
    birth_year: int | None = None,
    phone: str = "",
    is_primary: bool = False,
    lives_with_child: bool = True,
    start_date: date | None = None,
) -> Caregiver:
    """The write behind `caregiver_add`, also used by `child_register` for the parents typed on the
    registration form (whoever may register a child may record its parents' names with it)."""
    with transaction.atomic():
        if person is None:
            parts = split_name(full_name)
            if not parts.ten:
                raise ValidationError({"full_name": [_("Enter the carer's full name.")]})
            person = Person.objects.create(
                full_name=parts.full, ho=parts.ho, ten_dem=parts.ten_dem, ten=parts.ten,
                name_key=normalize_name(parts.full), ten_key=normalize_name(parts.ten),
                ho_key=normalize_name(parts.ho), sort_key=name_sort_key(parts.full), sex=sex,
                birth_year=birth_year, phone=phone.strip(), admin_unit=child.admin_unit,
                province=child.province, created_by=actor,
            )  # fmt: skip
        if Caregiver.objects.filter(child=child, person=person, relationship=relationship).exists():
            raise ValidationError({"person": [_("This carer is already recorded for the child.")]})
        if is_primary:
            Caregiver.objects.filter(child=child, is_primary=True).update(is_primary=False)
        row = Caregiver.objects.create(
            child=child, person=person, relationship=relationship, is_primary=is_primary,
            lives_with_child=lives_with_child, start_date=start_date,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            unit=child.admin_unit,
            changes={"child": child.pk, "person": person.pk, "relationship": relationship},
        )
    return row
