"""The figures of programme activities (DESIGN.md §2), found at start-up by `core.metrics.autodiscover()`.

Each is computed from the same counted activities and the same aggregates as `rollups.rollup`, so the
roll-up, the API and later indicators and reports cannot disagree. Person-times (lượt người, from the
tally grids) and unique persons (người, from the rosters) are separate figures with separate names.
Figures are aggregate: reading them is not audited.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mangnon.core.metrics import Figure, Period, data_element
from mangnon.geo.models import AdminUnit

from . import rollups as r
from .codes import ActivityKind, AgeBand, Group, TallySex
from .models import Activity

OWNER = "activities"
KIND = "kind"
GROUP = "group"
SEX = "sex"
AGE_BAND = "age_band"


def _counted(*, viewer: Any, unit: AdminUnit, period: Period, kind: str = "") -> QuerySet[Activity]:
    activities = r.counted_activities(viewer=viewer, unit=unit, start=period.start, end=period.end)
    return activities.filter(kind=kind) if kind else activities


def _person_times(activities: QuerySet[Activity], by: tuple[str, ...]) -> Figure:
    tallies = r.tallies_of(activities)
    codes = {GROUP: Group.values, SEX: TallySex.values, AGE_BAND: AgeBand.values}
    return Figure(total=r.person_times(tallies), by={d: r.person_times_by(tallies, d, codes[d]) for d in by})


@data_element("activities.activities", name=_("Activities"), owner=OWNER, disaggregations=(KIND,))
def activities(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    by_kind = r.activities_by_kind(_counted(viewer=viewer, unit=unit, period=period))
    return Figure(total=sum(by_kind.values()), by={KIND: by_kind} if KIND in by else {})


@data_element("activities.sessions", name=_("Direct communication sessions"), owner=OWNER)
def sessions(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_counted(viewer=viewer, unit=unit, period=period, kind=ActivityKind.SESSION).count())


@data_element(
    "activities.session_person_times",
    name=_("Person-times reached by direct communication sessions"),
    owner=OWNER,
    disaggregations=(GROUP, SEX, AGE_BAND),
)
def session_person_times(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return _person_times(_counted(viewer=viewer, unit=unit, period=period, kind=ActivityKind.SESSION), by)


@data_element("activities.courses", name=_("Training courses"), owner=OWNER)
def courses(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_counted(viewer=viewer, unit=unit, period=period, kind=ActivityKind.TRAINING).count())


@data_element(
    "activities.course_participant_times",
    name=_("Participant-times of training courses"),
    owner=OWNER,
    disaggregations=(GROUP, SEX, AGE_BAND),
)
def course_participant_times(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return _person_times(_counted(viewer=viewer, unit=unit, period=period, kind=ActivityKind.TRAINING), by)


@data_element(
    "activities.person_times",
    name=_("Person-times reached by all activities"),
    owner=OWNER,
    disaggregations=(GROUP, SEX, AGE_BAND),
)
def all_person_times(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return _person_times(_counted(viewer=viewer, unit=unit, period=period), by)


@data_element(
    "activities.unique_participants",
    name=_("Unique persons on activity rosters"),
    owner=OWNER,
    disaggregations=(GROUP, SEX),
)
def unique_participants(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    attendees = r.attendees_of(_counted(viewer=viewer, unit=unit, period=period))
    codes = {GROUP: Group.values, SEX: TallySex.values}
    return Figure(
        total=r.unique_persons(attendees), by={d: r.unique_persons_by(attendees, d, codes[d]) for d in by}
    )


@data_element(
    "activities.materials",
    name=_("Communication materials produced or distributed (copies)"),
    owner=OWNER,
    disaggregations=(KIND,),
)
def materials(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    _items, quantity = r.materials_by_kind(_counted(viewer=viewer, unit=unit, period=period))
    return Figure(total=sum(quantity.values()), by={KIND: quantity} if KIND in by else {})
