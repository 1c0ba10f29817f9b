"""Every write of programme activities: campaigns, recording an activity with its tallies, roster and
materials in one transaction, editing it (optimistic concurrency) and replacing its tallies.

Each service checks ACTIVITY_RECORD at the activity's unit itself, so no caller can skip it, and writes
its audit event in the same transaction. Bad input raises a `ValidationError` whose messages say what
to fix, and nothing is written. Roster names never enter the audit trail (only person ids and counts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.core.validation import FieldErrors
from mangnon.geo.models import AdminUnit, Level
from mangnon.orgs.models import Organisation
from mangnon.registry.models import Person
from mangnon.registry.services import Conflict, province_of

from .codes import ActivityKind, AgeBand, FundingSource, Group, MaterialKind, TallySex
from .models import Activity, Attendee, Campaign, Club, Material, Tally

__all__ = ["Conflict"]

IDEMPOTENCY_SCOPE = "activities.activity.create"
EDITABLE = (
    "kind",
    "title",
    "organiser",
    "organiser_text",
    "admin_unit",
    "start_date",
    "end_date",
    "theme",
    "campaign",
    "club",
    "target_groups",
    "funding_source",
    "cost",
)
MAX_TITLE = 300
MAX_TEXT = 500
MAX_COUNT = 10_000_000  # far above any one activity; catches a mistyped figure
MAX_COST = 10**15


@dataclass(frozen=True)
class Recorded:
    activity: Activity
    created: bool  # False: a retried request with the same idempotency key


def _require(actor: Any, unit: AdminUnit) -> None:
    if not scope_for(actor, Action.ACTIVITY_RECORD).contains(unit):
        raise PermissionDenied


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _only_editable(changes: Mapping[str, Any], editable: Sequence[str]) -> None:
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise ValidationError(
            {"__all__": [_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(unknown)}]}
        )


def _write_at_version(model: Any, pk: int, version: int, cleaned: Mapping[str, Any]) -> None:
    """The record's cleaned fields written (its province following its unit) and its version bumped,
    only if it is still at `version`; else Conflict with the version it is at. Call inside a transaction."""
    bumped = model.objects.filter(pk=pk, version=version).update(
        **cleaned,
        province=province_of(cleaned["admin_unit"]),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not bumped:
        raise Conflict(model.objects.values_list("version", flat=True).get(pk=pk))


# --- campaigns ---------------------------------------------------------------------------------------


def campaign_create(
    *,
    actor: Any,
    province: AdminUnit,
    name: str,
    year: int,
    start_date: date,
    end_date: date,
    plan_number: str = "",
    theme: str = "",
) -> Campaign:
    """A campaign of the province (recorded by those who record activities for the whole province)."""
    if province.level != Level.PROVINCE:
        raise ValidationError({"province": [_("A campaign belongs to a province.")]})
    _require(actor, province)
    errors = FieldErrors()
    name = " ".join((name or "").split())
    if not name:
        errors.add("name", _("Enter the campaign's name."))
    if end_date < start_date:
        errors.add("end_date", _("The end date is before the start date."))
    if not _whole(year) or not 1990 <= year <= 2100:
        errors.add("year", _("Enter the year as four digits."))
    errors.raise_any()
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name[:255],
            plan_number=(plan_number or "").strip()[:60],
            theme=(theme or "").strip()[:MAX_TEXT],
            year=year,
            start_date=start_date,
            end_date=end_date,
            province=province,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=campaign,
            unit=province,
            changes={"name": campaign.name, "plan_number": campaign.plan_number, "year": year},
        )
    return campaign


# --- checks ------------------------------------------------------------------------------------------


def _clean_fields(actor: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """An activity's own fields checked and normalised; every problem at once."""
    errors = FieldErrors()
    kind = str(data.get("kind") or "")
    if kind not in ActivityKind.values:
        errors.add("kind", _("Choose the kind of activity."))
    title = " ".join(str(data.get("title") or "").split())
    if not title:
        errors.add("title", _("Enter the activity's title."))
    elif len(title) > MAX_TITLE:
        errors.add("title", _("The title is too long (300 characters at most)."))
    start: date | None = data.get("start_date")
    end: date | None = data.get("end_date") or start
    today = timezone.localdate()
    if start is None:
        errors.add("start_date", _("Enter the date the activity started."))
    elif start > today:
        errors.add("start_date", _("The activity's dates cannot be in the future."))
    if start is not None and end is not None:
        if end < start:
            errors.add("end_date", _("The end date is before the start date."))
        elif end > today:
            errors.add("end_date", _("The activity's dates cannot be in the future."))
    unit: AdminUnit | None = data.get("admin_unit")
    if unit is None:
        errors.add("admin_unit", _("Choose the unit where the activity took place."))
    elif start is not None and not unit.is_valid_on(start):
        errors.add("admin_unit", _("The unit must be one that existed on the activity's start date."))
    organiser = data.get("organiser")
    if organiser is not None and not isinstance(organiser, Organisation):
        organiser = Organisation.objects.filter(pk=organiser).first()
        if organiser is None:
            errors.add("organiser", _("No such organisation in the directory."))
    campaign = data.get("campaign")
    if campaign is not None and not isinstance(campaign, Campaign):
        campaign = Campaign.objects.filter(pk=campaign).first()
        if campaign is None:
            errors.add("campaign", _("No such campaign."))
    if isinstance(campaign, Campaign) and unit is not None and campaign.province_id != province_of(unit).pk:
        errors.add("campaign", _("The campaign belongs to another province."))
    club = data.get("club")
    if club is not None and not isinstance(club, Club):
        club = Club.objects.filter(pk=club).select_related("admin_unit").first() if _whole(club) else None
        if club is None:
            errors.add("club", _("No such club."))
    if isinstance(club, Club):  # a club meeting names its club, one the actor records for, open that day
        if kind != ActivityKind.CLUB_MEETING:
            errors.add("club", _("Only a club meeting names a club."))
        elif not scope_for(actor, Action.ACTIVITY_RECORD).contains(club.admin_unit):
            errors.add("club", _("No such club among those you record for."))
        elif start is not None and (start < club.founded_on or (club.closed_on and start > club.closed_on)):
            errors.add("club", _("The club was not active on the meeting's date."))
    groups = list(dict.fromkeys(str(g) for g in data.get("target_groups") or ()))
    for code in groups:
        if code not in Group.values:
            errors.add("target_groups", _("Unknown target group: %(code)s.") % {"code": code})
    funding = str(data.get("funding_source") or "")
    if funding and funding not in FundingSource.values:
        errors.add(
            "funding_source",
            _("Choose the funding source: state budget, contributions or an international partner."),
        )
    cost = data.get("cost")
    if cost is not None and (not _whole(cost) or not 0 <= cost <= MAX_COST):
        errors.add("cost", _("The cost is a whole number of đồng, 0 or more."))
    errors.raise_any()
    return {
        "kind": kind,
        "title": title,
        "organiser": organiser,
        "organiser_text": " ".join(str(data.get("organiser_text") or "").split())[:MAX_TITLE],
        "admin_unit": unit,
        "start_date": start,
        "end_date": end,
        "theme": " ".join(str(data.get("theme") or "").split())[:MAX_TEXT],
        "campaign": campaign,
        "club": club,
        "target_groups": [g for g in Group.values if g in groups],
        "funding_source": funding,
        "cost": cost,
    }


def _clean_tallies(rows: Sequence[Mapping[str, Any]]) -> list[Tally]:
    """Tally rows (not saved): each count a whole number ≥ 0; one row per group, sex and age band."""
    errors = FieldErrors()
    cells: dict[tuple[str, str, str], Tally] = {}
    for n, row in enumerate(rows, 1):
        label = _("Row %(n)s: ") % {"n": n}
        group = str(row.get("group") or "")
        sex = str(row.get("sex") or TallySex.UNKNOWN)
        band = str(row.get("age_band") or AgeBand.UNKNOWN)
        count: Any = row.get("count")
        if group not in Group.values:
            errors.add("tallies", label + _("choose the group."))
        if sex not in TallySex.values:
            errors.add("tallies", label + _("the sex is M, F or unknown."))
        if band not in AgeBand.values:
            errors.add("tallies", label + _("choose the age band."))
        if not _whole(count) or not 0 <= count <= MAX_COUNT:
            errors.add("tallies", label + _("the number of person-times is a whole number, 0 or more."))
            continue
        key = (group, sex, band)
        if key in cells:
            errors.add(
                "tallies", label + _("this group, sex and age band is already counted in another row.")
            )
        cells[key] = Tally(group=group, sex=sex, age_band=band, count=count)
    errors.raise_any()
    return [t for t in cells.values() if t.count]


def _clean_attendees(actor: Any, rows: Sequence[Mapping[str, Any]]) -> list[Attendee]:
    """Roster rows (not saved): a registered person the actor may see, or a name; a person once."""
    errors = FieldErrors()
    ids = [r.get("person") for r in rows if r.get("person") is not None]
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in=[i for i in ids if _whole(i)]).filter(
            scope_for(actor, Action.CHILD_VIEW).q("admin_unit")
        )
    }
    out: list[Attendee] = []
    seen: set[int] = set()
    this_year = timezone.localdate().year
    for n, row in enumerate(rows, 1):
        label = _("Participant %(n)s: ") % {"n": n}
        group = str(row.get("group") or "")
        if group not in Group.values:
            errors.add("attendees", label + _("choose the group."))
        person = people.get(row["person"]) if row.get("person") is not None else None
        sex = str(row.get("sex") or "")
        if sex and sex not in TallySex.values:
            errors.add("attendees", label + _("the sex is M, F or unknown."))
        birth_year = row.get("birth_year")
        if birth_year is not None and (not _whole(birth_year) or not 1900 <= birth_year <= this_year):
            errors.add("attendees", label + _("the year of birth is not plausible."))
        name = " ".join(str(row.get("name") or "").split())[:220]
        if row.get("person") is not None:
            if person is None:
                errors.add("attendees", label + _("no such person among the people you may see."))
                continue
            if person.pk in seen:
                errors.add("attendees", label + _("this person is already on the list."))
                continue
            seen.add(person.pk)
            sex = sex or person.sex or TallySex.UNKNOWN
            birth_year = birth_year or person.birth_year
            name = ""  # the person's record holds the name
        elif not name:
            errors.add("attendees", label + _("enter a name or choose a registered person."))
        out.append(
            Attendee(
                person=person, name=name, sex=sex or TallySex.UNKNOWN, birth_year=birth_year, group=group
            )
        )
    errors.raise_any()
    return out


def _clean_materials(rows: Sequence[Mapping[str, Any]]) -> list[Material]:
    errors = FieldErrors()
    out: list[Material] = []
    for n, row in enumerate(rows, 1):
        label = _("Material %(n)s: ") % {"n": n}
        title = " ".join(str(row.get("title") or "").split())
        kind = str(row.get("kind") or "")
        quantity: Any = row.get("quantity")
        if not title:
            errors.add("materials", label + _("enter the title."))
        if kind not in MaterialKind.values:
            errors.add("materials", label + _("choose the kind of material."))
        if not _whole(quantity) or not 0 <= quantity <= MAX_COUNT:
            errors.add("materials", label + _("the quantity is a whole number, 0 or more."))
        out.append(Material(title=title[:MAX_TITLE], kind=kind, quantity=quantity))
    errors.raise_any()
    return out


def _snapshot(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The fields as the audit trail keeps them (objects by code or id)."""
    out = dict(cleaned)
    out["admin_unit"] = cleaned["admin_unit"].code
    out["organiser"] = cleaned["organiser"].pk if cleaned["organiser"] else None
    out["campaign"] = cleaned["campaign"].pk if cleaned["campaign"] else None
    out["club"] = cleaned["club"].pk if cleaned.get("club") else None
    return out


def _tally_snapshot(tallies: Sequence[Tally]) -> list[list[Any]]:
    return [[t.group, t.sex, t.age_band, t.count] for t in tallies]


def _save_rows(
    activity: Activity, tallies: list[Tally], attendees: list[Attendee], materials: list[Material]
) -> None:
    for tally in tallies:
        tally.activity = activity
    for attendee in attendees:
        attendee.activity = activity
    for material in materials:
        material.activity = activity
    Tally.objects.bulk_create(tallies)
    Attendee.objects.bulk_create(attendees)
    Material.objects.bulk_create(materials)


# --- record, update ----------------------------------------------------------------------------------


def activity_record(
    *,
    actor: Any,
    fields: Mapping[str, Any],
    tallies: Sequence[Mapping[str, Any]] = (),
    attendees: Sequence[Mapping[str, Any]] = (),
    materials: Sequence[Mapping[str, Any]] = (),
    idempotency_key: str = "",
    request_hash: str = "",
) -> Recorded:
    """Record an activity (its fields as in EDITABLE; `organiser` and `campaign` as objects or ids) with
    its tally grid (group, sex, age_band, count → person-times), roster (person id or name, sex, birth
    year, group → unique persons) and materials (title, kind, quantity), all in one transaction. With
    `idempotency_key`, a retried call returns the first activity."""
    cleaned = _clean_fields(actor, fields)
    unit: AdminUnit = cleaned["admin_unit"]
    _require(actor, unit)
    tally_rows = _clean_tallies(tallies)
    roster = _clean_attendees(actor, attendees)
    material_rows = _clean_materials(materials)

    def create() -> Activity:
        activity = Activity.objects.create(**cleaned, province=province_of(unit), recorded_by=actor)
        _save_rows(activity, tally_rows, roster, material_rows)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=activity,
            unit=unit,
            changes={
                **_snapshot(cleaned),
                "tallies": _tally_snapshot(tally_rows),
                "attendees": {
                    "persons": [a.person_id for a in roster if a.person_id],
                    "light_entries": sum(1 for a in roster if not a.person_id),
                },
                "materials": [[m.kind, m.quantity] for m in material_rows],
            },
        )
        return activity

    activity, created = idempotency.create_once(
        actor=actor,
        scope=IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: Activity.objects.select_related("admin_unit", "province").get(pk=pk),
    )
    return Recorded(activity, created)


def activity_update(
    *,
    actor: Any,
    activity: Activity,
    version: int,
    changes: Mapping[str, Any],
    tallies: Sequence[Mapping[str, Any]] | None = None,
) -> Activity:
    """Change an activity's own fields (those of EDITABLE) and, when `tallies` is given, replace its
    tally grid, in one transaction. A stale `version` raises Conflict and writes nothing; moving it to
    another unit needs ACTIVITY_RECORD at both."""
    _require(actor, activity.admin_unit)
    _only_editable(changes, EDITABLE)
    current = {name: getattr(activity, name) for name in EDITABLE}
    cleaned = _clean_fields(actor, {**current, **changes})
    if cleaned["admin_unit"] != activity.admin_unit:
        _require(actor, cleaned["admin_unit"])
    tally_rows = _clean_tallies(tallies) if tallies is not None else None
    with transaction.atomic():
        _write_at_version(Activity, activity.pk, version, cleaned)
        diff = audit.diff(_snapshot(current), _snapshot(cleaned))
        if tally_rows is not None:
            before = _tally_snapshot(list(activity.tallies.order_by("pk")))
            activity.tallies.all().delete()
            _save_rows(activity, tally_rows, [], [])
            after = _tally_snapshot(tally_rows)
            if before != after:
                diff["tallies"] = [before, after]
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=activity, unit=cleaned["admin_unit"], changes=diff
        )
        activity.refresh_from_db()
    return activity


def activity_tallies_replace(
    *, actor: Any, activity: Activity, version: int, tallies: Sequence[Mapping[str, Any]]
) -> Activity:
    """Replace an activity's whole tally grid (the fast entry form saves the grid as one)."""
    return activity_update(actor=actor, activity=activity, version=version, changes={}, tallies=tallies)
