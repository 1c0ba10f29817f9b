"""Every write of clubs, teams and care models: a club's creation, change (optimistic concurrency) and
closing; its members joining and leaving; a care model's creation, change and end.

Each service checks ACTIVITY_RECORD at the record's unit itself (and at the new unit when it moves), and
writes its audit event in the same transaction. Bad input raises a `ValidationError` naming every
problem at once, and nothing is written. Members' names never enter the audit trail (only person ids).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.core.validation import FieldErrors
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.models import Organisation
from mangnon.registry.models import Person
from mangnon.registry.services import Conflict, province_of

from .codes import CareModelKind, ClubKind, MemberRole, TallySex
from .models import CareModel, Club, ClubMember
from .services import _only_editable, _require, _whole, _write_at_version

__all__ = ["Conflict"]

CLUB_SCOPE = "activities.club.create"
MEMBER_SCOPE = "activities.club_member.create"
CARE_MODEL_SCOPE = "activities.care_model.create"
CLUB_EDITABLE = ("kind", "name", "admin_unit", "school", "founded_on", "closed_on", "note")
CARE_MODEL_EDITABLE = (
    "kind",
    "name",
    "admin_unit",
    "organisation",
    "start_date",
    "end_date",
    "children_served",
    "description",
)
MAX_NAME = 300
MAX_NOTE = 2000
MAX_CHILDREN = 10_000_000


@dataclass(frozen=True)
class Created:
    obj: Any  # Club, ClubMember or CareModel
    created: bool  # False: a retried request with the same idempotency key


def _create(
    *,
    actor: Any,
    model: type[Club] | type[CareModel],
    cleaned: dict[str, Any],
    snapshot: Callable[[Mapping[str, Any]], dict[str, Any]],
    scope: str,
    related: tuple[str, ...],
    idempotency_key: str,
    request_hash: str,
) -> Created:
    """A club or care model from its cleaned fields at a unit where the actor records activities,
    audited; with `idempotency_key`, a retry returns the first one (`related` loaded with it)."""
    unit: AdminUnit = cleaned["admin_unit"]
    _require(actor, unit)

    def create() -> Club | CareModel:
        obj = model.objects.create(**cleaned, province=province_of(unit), recorded_by=actor)
        audit.record(actor=actor, action=AuditAction.CREATE, obj=obj, unit=unit, changes=snapshot(cleaned))
        return obj

    obj, created = idempotency.create_once(
        actor=actor,
        scope=scope,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: model.objects.select_related(*related).get(pk=pk),
    )
    return Created(obj, created)


def _update(
    *,
    actor: Any,
    obj: Club | CareModel,
    version: int,
    changes: Mapping[str, Any],
    editable: tuple[str, ...],
    clean: Callable[[Mapping[str, Any]], dict[str, Any]],
    snapshot: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> None:
    """Change a club's or care model's `editable` fields at `version` (stale: Conflict, nothing
    written); moving it to another unit needs ACTIVITY_RECORD at both. Reloads `obj`."""
    _require(actor, obj.admin_unit)
    _only_editable(changes, editable)
    current = {name: getattr(obj, name) for name in editable}
    cleaned = clean({**current, **changes})
    if cleaned["admin_unit"] != obj.admin_unit:
        _require(actor, cleaned["admin_unit"])
    with transaction.atomic():
        _write_at_version(type(obj), obj.pk, version, cleaned)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=obj,
            unit=cleaned["admin_unit"],
            changes=audit.diff(snapshot(current), snapshot(cleaned)),
        )
    obj.refresh_from_db()


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _org(value: Any) -> Organisation | None:
    if value is None or isinstance(value, Organisation):
        return value
    return Organisation.objects.filter(pk=value).first() if _whole(value) else None


def _school_fits(school: Organisation, unit: AdminUnit) -> bool:
    """A school in the unit's geography (at it, below it, or a unit it became/came from) or above it."""
    if unit.path.startswith(school.admin_unit.path):
        return True
    return Organisation.objects.filter(pk=school.pk).filter(in_geography_q(unit)).exists()


# --- clubs -------------------------------------------------------------------------------------------


def _clean_club(data: Mapping[str, Any], *, club: Club | None = None) -> dict[str, Any]:
    errors = FieldErrors()
    kind = str(data.get("kind") or "")
    if kind not in ClubKind.values:
        errors.add("kind", _("Choose the kind of club."))
    name = _text(data.get("name"), MAX_NAME + 1)
    if not name:
        errors.add("name", _("Enter the club's name."))
    elif len(name) > MAX_NAME:
        errors.add("name", _("The name is too long (300 characters at most)."))
    today = timezone.localdate()
    founded: date | None = data.get("founded_on")
    closed: date | None = data.get("closed_on")
    if founded is None:
        errors.add("founded_on", _("Enter the date the club was founded."))
    elif founded > today:
        errors.add("founded_on", _("The date the club was founded cannot be in the future."))
    if closed is not None:
        if founded is not None and closed < founded:
            errors.add("closed_on", _("The club cannot close before it was founded."))
        elif closed > today:
            errors.add("closed_on", _("The closing date cannot be in the future."))
    unit: AdminUnit | None = data.get("admin_unit")
    if unit is None:
        errors.add("admin_unit", _("Choose the unit of the club."))
    elif founded is not None and not unit.is_valid_on(founded) and not unit.is_valid_on(today):
        errors.add("admin_unit", _("The unit must be one that existed when the club was founded."))
    raw_school = data.get("school")
    school = _org(raw_school)
    if raw_school is not None and school is None:
        errors.add("school", _("No such organisation in the directory."))
    elif school is not None:
        if school.kind != OrgKind.SCHOOL:
            errors.add("school", _("Choose a school of the directory."))
        elif unit is not None and not _school_fits(school, unit):
            errors.add("school", _("The school is not in the club's unit."))
    if club is not None and club.pk and founded is not None:
        span = club.members.aggregate(first=Min("joined_on"), last=Max("joined_on"))
        if span["first"] is not None and founded > span["first"]:
            errors.add("founded_on", _("A member joined before this date: the club was founded earlier."))
        if closed is not None and span["last"] is not None and closed < span["last"]:
            errors.add("closed_on", _("A member joined after this date: the club closed later."))
    errors.raise_any()
    return {
        "kind": kind,
        "name": name,
        "admin_unit": unit,
        "school": school,
        "founded_on": founded,
        "closed_on": closed,
        "note": str(data.get("note") or "").strip()[:MAX_NOTE],
    }


def _club_snapshot(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(cleaned)
    out["admin_unit"] = cleaned["admin_unit"].code
    out["school"] = cleaned["school"].pk if cleaned["school"] else None
    return out


def club_create(
    *, actor: Any, fields: Mapping[str, Any], idempotency_key: str = "", request_hash: str = ""
) -> Created:
    """A club, team or class (its fields as in CLUB_EDITABLE; `school` an Organisation or its id) at a
    unit where the actor records activities. With `idempotency_key`, a retry returns the first club."""
    return _create(
        actor=actor,
        model=Club,
        cleaned=_clean_club(fields),
        snapshot=_club_snapshot,
        scope=CLUB_SCOPE,
        related=("admin_unit", "school"),
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )


def club_update(*, actor: Any, club: Club, version: int, changes: Mapping[str, Any]) -> Club:
    """Change a club's fields (those of CLUB_EDITABLE). A stale `version` raises Conflict and writes
    nothing; moving it to another unit needs ACTIVITY_RECORD at both."""
    _update(
        actor=actor,
        obj=club,
        version=version,
        changes=changes,
        editable=CLUB_EDITABLE,
        clean=lambda data: _clean_club(data, club=club),
        snapshot=_club_snapshot,
    )
    return club


def club_close(*, actor: Any, club: Club, version: int, closed_on: date) -> Club:
    """The club stopped on `closed_on` (its last active day)."""
    if club.closed_on is not None:
        raise ValidationError({"closed_on": [_("The club is closed already.")]})
    return club_update(actor=actor, club=club, version=version, changes={"closed_on": closed_on})


# --- members -----------------------------------------------------------------------------------------


def member_add(
    *,
    actor: Any,
    club: Club,
    person: Any = None,
    name: str = "",
    sex: str = "",
    birth_year: Any = None,
    role: str = MemberRole.CHILD,
    joined_on: date | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
) -> Created:
    """A member joins: a registered person the actor may see (`person`: a Person or its id), or a light
    entry (name, sex, birth year). Joined within the club's life; a person is a member once."""
    _require(actor, club.admin_unit)
    errors = FieldErrors()
    found: Person | None = None
    if person is not None:
        pk = person.pk if isinstance(person, Person) else person
        if _whole(pk):
            found = (
                Person.objects.filter(pk=pk)
                .filter(scope_for(actor, Action.CHILD_VIEW).q("admin_unit"))
                .first()
            )
        if found is None:
            errors.add("person", _("No such person among the people you may see."))
    name = _text(name, 220)
    if person is None and not name:
        errors.add("name", _("Enter a name or choose a registered person."))
    sex = str(sex or "")
    if sex and sex not in TallySex.values:
        errors.add("sex", _("The sex is M, F or unknown."))
    this_year = timezone.localdate().year
    if birth_year is not None and (not _whole(birth_year) or not 1900 <= birth_year <= this_year):
        errors.add("birth_year", _("The year of birth is not plausible."))
    if role not in MemberRole.values:
        errors.add("role", _("Choose the member's role: child or adult."))
    if joined_on is None:
        errors.add("joined_on", _("Enter the date the member joined."))
    elif joined_on < club.founded_on:
        errors.add("joined_on", _("The member cannot join before the club was founded."))
    elif club.closed_on is not None and joined_on > club.closed_on:
        errors.add("joined_on", _("The member cannot join after the club closed."))
    elif joined_on > timezone.localdate():
        errors.add("joined_on", _("The date the member joined cannot be in the future."))
    errors.raise_any()
    joined = cast(date, joined_on)
    if found is not None:
        name = ""  # the person's record holds the name
        sex = sex or found.sex or TallySex.UNKNOWN
        birth_year = birth_year or found.birth_year

    def create() -> ClubMember:
        # Checked here, after a retried request's key has returned its member.
        if found is not None and ClubMember.objects.filter(club=club, person=found).exists():
            raise ValidationError({"person": [_("This person is already a member of the club.")]})
        member = ClubMember.objects.create(
            club=club,
            person=found,
            name=name,
            sex=sex or TallySex.UNKNOWN,
            birth_year=birth_year,
            role=role,
            joined_on=joined,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=member,
            unit=club.admin_unit,
            changes={"club": club.pk, "person": member.person_id, "role": role, "joined_on": joined_on},
        )
        return member

    member, created = idempotency.create_once(
        actor=actor,
        scope=MEMBER_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: ClubMember.objects.select_related("person").get(pk=pk),
    )
    return Created(member, created)


def member_leave(*, actor: Any, member: ClubMember, left_on: date | None) -> ClubMember:
    """A member left the club on `left_on` (their last day in it)."""
    club = member.club
    _require(actor, club.admin_unit)
    errors = FieldErrors()
    if member.left_on is not None:
        errors.add("left_on", _("This member has left the club already."))
    elif left_on is None:
        errors.add("left_on", _("Enter the date the member left."))
    elif left_on < member.joined_on:
        errors.add("left_on", _("The member cannot leave before joining."))
    elif left_on > timezone.localdate():
        errors.add("left_on", _("The date the member left cannot be in the future."))
    elif club.closed_on is not None and left_on > club.closed_on:
        errors.add("left_on", _("The member cannot leave after the club closed."))
    errors.raise_any()
    with transaction.atomic():
        ClubMember.objects.filter(pk=member.pk).update(left_on=left_on, updated_at=timezone.now())
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=member,
            unit=club.admin_unit,
            changes={"club": club.pk, "person": member.person_id, "left_on": [None, left_on]},
        )
    member.refresh_from_db()
    return member


# --- care models -------------------------------------------------------------------------------------


def _clean_care_model(data: Mapping[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    kind = str(data.get("kind") or "")
    if kind not in CareModelKind.values:
        errors.add("kind", _("Choose the kind of care model."))
    name = _text(data.get("name"), MAX_NAME + 1)
    if not name:
        errors.add("name", _("Enter the model's name."))
    elif len(name) > MAX_NAME:
        errors.add("name", _("The name is too long (300 characters at most)."))
    today = timezone.localdate()
    start: date | None = data.get("start_date")
    end: date | None = data.get("end_date")
    if start is None:
        errors.add("start_date", _("Enter the date the model started."))
    elif start > today:
        errors.add("start_date", _("The start date cannot be in the future."))
    if start is not None and end is not None and end < start:
        errors.add("end_date", _("The end date is before the start date."))
    unit: AdminUnit | None = data.get("admin_unit")
    if unit is None:
        errors.add("admin_unit", _("Choose the unit where the model is kept up."))
    elif start is not None and not unit.is_valid_on(start) and not unit.is_valid_on(today):
        errors.add("admin_unit", _("The unit must be one that existed when the model started."))
    raw_org = data.get("organisation")
    org = _org(raw_org)
    if raw_org is not None and org is None:
        errors.add("organisation", _("No such organisation in the directory."))
    elif org is not None and unit is not None and org.province_id != province_of(unit).pk:
        errors.add("organisation", _("The organisation is in another province."))
    served = data.get("children_served")
    if served is not None and (not _whole(served) or not 0 <= served <= MAX_CHILDREN):
        errors.add("children_served", _("The number of children served is a whole number, 0 or more."))
    errors.raise_any()
    return {
        "kind": kind,
        "name": name,
        "admin_unit": unit,
        "organisation": org,
        "start_date": start,
        "end_date": end,
        "children_served": served,
        "description": str(data.get("description") or "").strip()[:MAX_NOTE],
    }


def _model_snapshot(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(cleaned)
    out["admin_unit"] = cleaned["admin_unit"].code
    out["organisation"] = cleaned["organisation"].pk if cleaned["organisation"] else None
    return out


def care_model_create(
    *, actor: Any, fields: Mapping[str, Any], idempotency_key: str = "", request_hash: str = ""
) -> Created:
    """A care model (fields as in CARE_MODEL_EDITABLE) at a unit where the actor records activities."""
    return _create(
        actor=actor,
        model=CareModel,
        cleaned=_clean_care_model(fields),
        snapshot=_model_snapshot,
        scope=CARE_MODEL_SCOPE,
        related=("admin_unit", "organisation"),
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )


def care_model_update(*, actor: Any, model: CareModel, version: int, changes: Mapping[str, Any]) -> CareModel:
    """Change a care model (fields of CARE_MODEL_EDITABLE); a stale `version` raises Conflict."""
    _update(
        actor=actor,
        obj=model,
        version=version,
        changes=changes,
        editable=CARE_MODEL_EDITABLE,
        clean=_clean_care_model,
        snapshot=_model_snapshot,
    )
    return model


def care_model_end(*, actor: Any, model: CareModel, version: int, end_date: date) -> CareModel:
    """The model was kept up until `end_date` (its last day)."""
    if model.end_date is not None:
        raise ValidationError({"end_date": [_("The model has ended already.")]})
    return care_model_update(actor=actor, model=model, version=version, changes={"end_date": end_date})
