"""The figures of programme activities (DESIGN.md §2), found at start-up by `core.metrics.autodiscover()`.

Each is computed from the same counted activities and the same aggregates as `rollups.rollup`, so the
roll-up, the API and later indicators and reports cannot disagree. Person-times (lượt người, from the
tally grids) and unique persons (người, from the rosters) are separate figures with separate names.
Figures are aggregate: reading them is not audited.

Drill-down: every figure counted over activities links to the activity list filtered to the unit
(either geography), the period (by start date, as counted) and the kind, where the reader's own scope
applies and the page read is audited. Person-times and persons are tallies and rosters of those
activities: their totals link to the same list; a category of a tally (a group, a sex) has no list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mangnon.core.metrics import Figure, Period, data_element
from mangnon.geo.models import AdminUnit

from . import rollups as r
from .codes import ActivityKind, AgeBand, Group, MaterialKind, TallySex
from .models import Activity

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

OWNER = "activities"
KIND = "kind"
GROUP = "group"
SEX = "sex"
AGE_BAND = "age_band"

# Every category code of every disaggregation above with its label, for pages that show figures. The
# kinds are those of activities and, for the materials figure, of materials (a code both use, "panel",
# means the same thing in both).
CATEGORY_LABELS: dict[str, dict[str, StrOrPromise]] = {
    KIND: {**dict(MaterialKind.choices), **dict(ActivityKind.choices)},
    GROUP: dict(Group.choices),
    SEX: dict(TallySex.choices),
    AGE_BAND: dict(AgeBand.choices),
}


def _list_url(kind: str = "", *, by_kind: bool = False) -> Callable[..., str]:
    """The activity list of the activities a figure counts: the unit, the period, `kind` (or, with
    `by_kind`, the kind of the category asked for); "" for a category the list cannot filter by."""

    def records(*, unit: AdminUnit, period: Period, category: Mapping[str, str]) -> str:
        chosen = dict(category)
        wanted = chosen.pop(KIND, "") if by_kind else ""
        if chosen:
            return ""
        query = {"unit": str(unit.pk), "start": period.start.isoformat(), "end": period.end.isoformat()}
        if kind or wanted:
            query["kind"] = kind or wanted
        return f"{reverse('activities:list')}?{urlencode(query)}"

    return records


def _counted(*, viewer: Any, unit: AdminUnit, period: Period, kind: str = "") -> QuerySet[Activity]:
    activities = r.counted_activities(viewer=viewer, unit=unit, start=period.start, end=period.end)
    return activities.filter(kind=kind) if kind else activities


def _person_times(activities: QuerySet[Activity], by: tuple[str, ...]) -> Figure:
    tallies = r.tallies_of(activities)
    codes = {GROUP: Group.values, SEX: TallySex.values, AGE_BAND: AgeBand.values}
    return Figure(total=r.person_times(tallies), by={d: r.person_times_by(tallies, d, codes[d]) for d in by})


@data_element(
    "activities.activities",
    name=_("Activities"),
    owner=OWNER,
    disaggregations=(KIND,),
    records=_list_url(by_kind=True),
)
def activities(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    by_kind = r.activities_by_kind(_counted(viewer=viewer, unit=unit, period=period))
    return Figure(total=sum(by_kind.values()), by={KIND: by_kind} if KIND in by else {})


@data_element(
    "activities.sessions",
    name=_("Direct communication sessions"),
    owner=OWNER,
    records=_list_url(ActivityKind.SESSION),
)
def sessions(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_counted(viewer=viewer, unit=unit, period=period, kind=ActivityKind.SESSION).count())


@data_element(
    "activities.session_person_times",
    name=_("Person-times reached by direct communication sessions"),
    owner=OWNER,
    disaggregations=(GROUP, SEX, AGE_BAND),
    records=_list_url(ActivityKind.SESSION),
)
def session_person_times(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return _person_times(_counted(viewer=viewer, unit=unit, period=period, kind=ActivityKind.SESSION), by)


@data_element(
    "activities.courses", name=_("Training courses"), owner=OWNER, records=_list_url(ActivityKind.TRAINING)
)
def courses(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_counted(viewer=viewer, unit=unit, period=period, kind=ActivityKind.TRAINING).count())


@data_element(
    "activities.course_participant_times",
    name=_("Participant-times of training courses"),
    owner=OWNER,
    disaggregations=(GROUP, SEX, AGE_BAND),
    records=_list_url(ActivityKind.TRAINING),
)
def course_participant_times(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return _person_times(_counted(viewer=viewer, unit=unit, period=period, kind=ActivityKind.TRAINING), by)


@data_element(
    "activities.person_times",
    name=_("Person-times reached by all activities"),
    owner=OWNER,
    disaggregations=(GROUP, SEX, AGE_BAND),
    records=_list_url(),
)
def all_person_times(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return _person_times(_counted(viewer=viewer, unit=unit, period=period), by)


@data_element(
    "activities.unique_participants",
    name=_("Unique persons on activity rosters"),
    owner=OWNER,
    disaggregations=(GROUP, SEX),
    records=_list_url(),
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
