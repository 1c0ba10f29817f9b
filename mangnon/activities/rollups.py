"""The activities roll-up: for a unit (either geography) and a period, everything the reports count.

Counted: the activities that started in [start, end] at a unit in the unit's geography
(geo.selectors.in_geography_q), within the viewer's ACTIVITY_VIEW scope.

- activities by kind;
- person-times (lượt người): the sum of the tally grids, by kind and by group × sex;
- unique persons (người): the rosters' distinct people: one per registered person however many
  activities they attended, one per light entry; by group and by sex (a person counts once in each
  group and sex they were listed under);
- materials by kind: items (rows) and quantity;
- campaigns with the number of counted activities in each.

A constant number of queries, whatever the volume: each figure is one aggregate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import rollups as core_rollups
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import units_in

from .codes import ActivityKind, Group, MaterialKind, TallySex
from .models import Activity, Attendee, Material, Tally


@dataclass(frozen=True)
class CampaignCount:
    id: int
    name: str
    plan_number: str
    activities: int


@dataclass(frozen=True)
class ForumCount:
    """One forum of the period, as a report names it: a forum is an event the sources describe one by one
    ("Diễn đàn trẻ em tỉnh … với 90 đại biểu trẻ em và 16 cán bộ")."""

    id: int
    title: str
    theme: str
    start_date: date
    unit: str  # the unit's name
    organiser: str
    children: int  # person-times of children
    adults: int  # person-times of everyone else


@dataclass(frozen=True)
class ActivityRollup:
    unit: str
    start: date
    end: date
    activities: int
    activities_by_kind: dict[str, int]
    person_times: int
    person_times_by_kind: dict[str, int]
    person_times_by_group_sex: dict[str, dict[str, int]]
    unique_persons: int
    unique_persons_by_group: dict[str, int]
    unique_persons_by_sex: dict[str, int]
    material_items_by_kind: dict[str, int]
    material_quantity_by_kind: dict[str, int]
    campaigns: list[CampaignCount] = field(default_factory=list)
    forums: list[ForumCount] = field(default_factory=list)

    @property
    def material_quantity(self) -> int:
        return sum(self.material_quantity_by_kind.values())

    def as_dict(self) -> dict[str, Any]:
        """The roll-up as plain JSON-ready data (dates as ISO text), for an API or an export."""
        found = {**asdict(self), "start": self.start.isoformat(), "end": self.end.isoformat()}
        for forum in found["forums"]:
            forum["start_date"] = forum["start_date"].isoformat()
        return found


def counted_activities(*, viewer: Any, unit: AdminUnit, start: date, end: date) -> QuerySet[Activity]:
    """The activities counted for `unit` over [start, end]. PermissionDenied for a viewer who never reads
    activities, 404 for a unit outside their scope."""
    if not can(viewer, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    scope = scope_for(viewer, Action.ACTIVITY_VIEW)
    if not scope.contains(unit):
        raise Http404
    # The units by id (one subquery), not the joined unit's path: the index (admin_unit, start_date)
    # then finds a commune's activities without reading the province's (activities.rollup_* benchmarks).
    return Activity.objects.filter(
        admin_unit__in=units_in(unit, scope.q("")), start_date__gte=start, start_date__lte=end
    )


def _ids(activities: QuerySet[Activity]) -> Any:
    return activities.order_by().values("pk")


def activities_by_kind(activities: QuerySet[Activity]) -> dict[str, int]:
    found = dict(activities.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    return {code: int(found.get(code, 0)) for code in ActivityKind.values}


def tallies_of(activities: QuerySet[Activity]) -> QuerySet[Tally]:
    return Tally.objects.filter(activity__in=_ids(activities))


def attendees_of(activities: QuerySet[Activity]) -> QuerySet[Attendee]:
    return Attendee.objects.filter(activity__in=_ids(activities))


def person_times(tallies: QuerySet[Tally]) -> int:
    return int(tallies.order_by().aggregate(n=Sum("count"))["n"] or 0)


def person_times_by_kind(tallies: QuerySet[Tally]) -> dict[str, int]:
    rows = tallies.order_by().values_list("activity__kind").annotate(n=Sum("count"))
    found = dict(rows.values_list("activity__kind", "n"))
    return {code: int(found.get(code) or 0) for code in ActivityKind.values}


def person_times_by_group_sex(tallies: QuerySet[Tally]) -> dict[str, dict[str, int]]:
    out = {g: {s: 0 for s in TallySex.values} for g in Group.values}
    for group, sex, n in (
        tallies.order_by()
        .values_list("group", "sex")
        .annotate(n=Sum("count"))
        .values_list("group", "sex", "n")
    ):
        out[group][sex] = int(n or 0)
    return out


@dataclass(frozen=True)
class TallySums:
    total: int
    by_kind: dict[str, int]
    by_group_sex: dict[str, dict[str, int]]


def tally_sums(tallies: QuerySet[Tally], activities: QuerySet[Activity]) -> TallySums:
    """Person-times in all, by kind and by group × sex (`tallies` are those of `activities`), the
    way each database sums them fastest (activities.rollup_* in bench/README.md, at a province's year
    of 146,000 cells). PostgreSQL: one query grouped by kind, group and sex (a hash aggregate; 291 ms
    for the whole province roll-up against 354 the SQLite way). SQLite sorts the rows for a GROUP BY
    on text columns, so there: one pass with a filtered sum per group × sex cell, and the sums per
    activity (in the tally index's order) added up by kind (150 ms against 176 for the grouped query)."""
    by_kind = dict.fromkeys(ActivityKind.values, 0)
    by_group_sex = {g: dict.fromkeys(TallySex.values, 0) for g in Group.values}
    if connection.vendor != "sqlite":
        rows = (
            tallies.order_by()
            .values_list("activity__kind", "group", "sex")
            .annotate(n=Sum("count"))
            .values_list("activity__kind", "group", "sex", "n")
        )
        for kind, group, sex, n in rows:
            by_kind[kind] += int(n or 0)
            by_group_sex[group][sex] += int(n or 0)
        return TallySums(sum(by_kind.values()), by_kind, by_group_sex)
    cells = [(group, sex) for group in Group.values for sex in TallySex.values]
    found = tallies.order_by().aggregate(
        **{f"c{i}": Sum("count", filter=Q(group=group, sex=sex)) for i, (group, sex) in enumerate(cells)}
    )
    for i, (group, sex) in enumerate(cells):
        by_group_sex[group][sex] = int(found[f"c{i}"] or 0)
    kinds = dict(activities.order_by().values_list("pk", "kind"))
    per_activity = tallies.order_by().values_list("activity_id").annotate(n=Sum("count"))
    for activity_id, n in per_activity.values_list("activity_id", "n"):
        by_kind[kinds[activity_id]] += int(n or 0)
    return TallySums(sum(by_kind.values()), by_kind, by_group_sex)


def person_times_by(tallies: QuerySet[Tally], key: str, codes: list[str]) -> dict[str, int]:
    found = dict(tallies.order_by().values_list(key).annotate(n=Sum("count")).values_list(key, "n"))
    return {code: int(found.get(code) or 0) for code in codes}


def unique_persons(attendees: QuerySet[Attendee]) -> int:
    """Distinct people: one per registered person, one per light entry."""
    found = attendees.order_by().aggregate(
        linked=Count("person", distinct=True), unlinked=Count("pk", filter=Q(person__isnull=True))
    )
    return int(found["linked"]) + int(found["unlinked"])


@dataclass(frozen=True)
class PersonCounts:
    total: int
    by_group: dict[str, int]
    by_sex: dict[str, int]


def person_counts(attendees: QuerySet[Attendee]) -> PersonCounts:
    """Unique persons in all, by group and by sex, in one pass over the rosters (a distinct count per
    group and per sex, each filtered): a third of the time of three grouped queries at a province."""

    def distinct(q: Q) -> tuple[Count, Count]:
        return (
            Count("person", distinct=True, filter=q),
            Count("pk", filter=q & Q(person__isnull=True)),
        )

    wanted: dict[str, tuple[Count, Count]] = {"all": distinct(Q())}
    wanted.update({f"g_{code}": distinct(Q(group=code)) for code in Group.values})
    wanted.update({f"s_{code}": distinct(Q(sex=code)) for code in TallySex.values})
    found = attendees.order_by().aggregate(
        **{f"{key}_linked": linked for key, (linked, _u) in wanted.items()},
        **{f"{key}_unlinked": unlinked for key, (_l, unlinked) in wanted.items()},
    )

    def n(key: str) -> int:
        return int(found[f"{key}_linked"] or 0) + int(found[f"{key}_unlinked"] or 0)

    return PersonCounts(
        n("all"),
        {code: n(f"g_{code}") for code in Group.values},
        {code: n(f"s_{code}") for code in TallySex.values},
    )


def unique_persons_by(attendees: QuerySet[Attendee], key: str, codes: list[str]) -> dict[str, int]:
    rows = (
        attendees.order_by()
        .values(key)
        .annotate(linked=Count("person", distinct=True), unlinked=Count("pk", filter=Q(person__isnull=True)))
    )
    found = {row[key]: row["linked"] + row["unlinked"] for row in rows}
    return {code: int(found.get(code, 0)) for code in codes}


def materials_by_kind(activities: QuerySet[Activity]) -> tuple[dict[str, int], dict[str, int]]:
    rows = (
        Material.objects.filter(activity__in=_ids(activities))
        .order_by()
        .values_list("kind")
        .annotate(items=Count("pk"), quantity=Sum("quantity"))
        .values_list("kind", "items", "quantity")
    )
    items = dict.fromkeys(MaterialKind.values, 0)
    quantity = dict.fromkeys(MaterialKind.values, 0)
    for kind, n, q in rows:
        items[kind], quantity[kind] = int(n), int(q or 0)
    return items, quantity


def campaign_counts(activities: QuerySet[Activity]) -> list[CampaignCount]:
    rows = (
        activities.order_by()
        .filter(campaign__isnull=False)
        .values_list("campaign_id", "campaign__name", "campaign__plan_number")
        .annotate(n=Count("pk"))
        .order_by("campaign__name", "campaign_id")
    )
    return [CampaignCount(pk, name, plan, int(n)) for pk, name, plan, n in rows]


def forums_of(activities: QuerySet[Activity]) -> list[ForumCount]:
    """The forums among `activities`, in date order, with their children and adults (two queries)."""
    forums = list(
        activities.filter(kind=ActivityKind.FORUM)
        .select_related("admin_unit", "organiser")
        .order_by("start_date", "pk")
    )
    sums: dict[tuple[int, bool], int] = {}
    rows = (
        Tally.objects.filter(activity__in=[f.pk for f in forums])
        .values_list("activity_id", "group")
        .annotate(n=Sum("count"))
    )
    for activity_id, group, n in rows:
        key = (activity_id, group == Group.CHILDREN)
        sums[key] = sums.get(key, 0) + int(n or 0)
    return [
        ForumCount(
            id=f.pk,
            title=f.title,
            theme=f.theme,
            start_date=f.start_date,
            unit=f.admin_unit.name,
            organiser=f.organiser.name if f.organiser else f.organiser_text,
            children=sums.get((f.pk, True), 0),
            adults=sums.get((f.pk, False), 0),
        )
        for f in forums
    ]


@dataclass(frozen=True)
class CampaignFigures:
    """A campaign's own figures: its activities the viewer may see, whatever their unit and date."""

    activities: int
    activities_by_kind: dict[str, int]
    person_times: int
    unique_persons: int
    material_quantity: int


def campaign_figures(*, viewer: Any, campaign_id: int) -> CampaignFigures:
    activities = Activity.objects.filter(scope_for(viewer, Action.ACTIVITY_VIEW).q("admin_unit")).filter(
        campaign_id=campaign_id
    )
    by_kind = activities_by_kind(activities)
    _items, quantity = materials_by_kind(activities)
    return CampaignFigures(
        activities=sum(by_kind.values()),
        activities_by_kind=by_kind,
        person_times=person_times(tallies_of(activities)),
        unique_persons=unique_persons(attendees_of(activities)),
        material_quantity=sum(quantity.values()),
    )


def rollup(*, viewer: Any, unit: AdminUnit, start: date, end: date) -> ActivityRollup:
    """The roll-up of `unit` over [start, end] as `viewer` may see it (see the module's docstring)."""
    activities = counted_activities(viewer=viewer, unit=unit, start=start, end=end)
    tallies = tallies_of(activities)
    attendees = attendees_of(activities)
    by_kind = activities_by_kind(activities)
    items, quantity = materials_by_kind(activities)
    sums = tally_sums(tallies, activities)
    persons = person_counts(attendees)
    return ActivityRollup(
        unit=unit.code,
        start=start,
        end=end,
        activities=sum(by_kind.values()),
        activities_by_kind=by_kind,
        person_times=sums.total,
        person_times_by_kind=sums.by_kind,
        person_times_by_group_sex=sums.by_group_sex,
        unique_persons=persons.total,
        unique_persons_by_group=persons.by_group,
        unique_persons_by_sex=persons.by_sex,
        material_items_by_kind=items,
        material_quantity_by_kind=quantity,
        campaigns=campaign_counts(activities),
        forums=forums_of(activities),
    )


core_rollups.register("activities", lambda **period: rollup(**period).as_dict())

# The clubs section lives in its own module; importing it here registers it at start-up.
from . import club_rollups  # noqa: E402, F401
