"""The catalogue of indicators: what leadership steers by, each a formula over data elements.

An indicator is never typed in. Its value is `numerator / denominator × factor`, where each term is a
data element: a figure an app computes from its records (`core.metrics`, e.g. `cases.abused_children`)
or a figure entered by the sector that owns it (`entered.py`, e.g. `health.injury_deaths`). A term may
pick one category of a disaggregation: `cases.abused_children[form=sexual]`.

The catalogue lives in code, not in a table: a formula that names a figure no app declares must fail a
test, not a dashboard, and codes must stay stable for years of exports. Codes follow Thông tư
13/2021/TT-BLĐTBXH where the circular gives one (0101: abused children, appendix IV); the others carry
Măng Non's own `MN-` codes until matched with the circular's appendices (docs/indicators.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .periods import PeriodType

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


class Measure(StrEnum):
    """What an indicator's value is, and so the factor of its formula."""

    COUNT = "count"
    PERCENT = "percent"
    PER_MILLE = "per_mille"
    PER_100K = "per_100k"

    @property
    def factor(self) -> Decimal:
        return {
            Measure.COUNT: Decimal(1),
            Measure.PERCENT: Decimal(100),
            Measure.PER_MILLE: Decimal(1000),
            Measure.PER_100K: Decimal(100_000),
        }[self]

    @property
    def symbol(self) -> str:
        return {
            Measure.COUNT: "",
            Measure.PERCENT: "%",
            Measure.PER_MILLE: "‰",
            Measure.PER_100K: "/100.000",
        }[self]


class Counted(StrEnum):
    """What a count counts, said beside every figure: persons, person-times and incidents differ."""

    CHILDREN = "children"  # persons: each child once
    INCIDENTS = "incidents"
    SESSIONS = "sessions"
    COURSES = "courses"
    PERSON_TIMES = "person_times"  # a person reached twice counts twice


COUNTED_LABELS = {
    Counted.CHILDREN: _("persons (children)"),
    Counted.INCIDENTS: _("incidents"),
    Counted.SESSIONS: _("sessions"),
    Counted.COURSES: _("courses"),
    Counted.PERSON_TIMES: _("person-times"),
}


class Source(StrEnum):
    COMPUTED = "computed"  # from the records kept in Măng Non
    ENTERED = "entered"  # figures another sector reports, entered in a data set
    SURVEY = "survey"  # estimates from a survey, entered in a data set


class Direction(StrEnum):
    HIGHER = "higher"  # a rise is progress
    LOWER = "lower"  # a fall is progress
    NEUTRAL = "neutral"  # a count to know, not to push (children in special circumstances)


class Group(StrEnum):
    GENERAL = "general"
    PROTECTION = "protection"
    HEALTH = "health"
    EDUCATION = "education"
    PARTICIPATION = "participation"
    PROGRAMME = "programme"


GROUP_LABELS = {
    Group.GENERAL: _("General"),
    Group.PROTECTION: _("Child protection"),
    Group.HEALTH: _("Health and nutrition"),
    Group.EDUCATION: _("Education and safety skills"),
    Group.PARTICIPATION: _("Participation"),
    Group.PROGRAMME: _("Programme work"),
}

SOURCE_LABELS = {
    Source.COMPUTED: _("Computed from records"),
    Source.ENTERED: _("Entered by the sector"),
    Source.SURVEY: _("Survey estimate"),
}

MEASURE_LABELS = {
    Measure.COUNT: _("number"),
    Measure.PERCENT: _("percent"),
    Measure.PER_MILLE: _("per thousand"),
    Measure.PER_100K: _("per 100,000 children"),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: StrOrPromise
    group: Group
    measure: Measure
    numerator: str  # a term: a data element code, optionally with [dimension=category]
    denominator: str = ""  # empty for a count
    direction: Direction = Direction.NEUTRAL
    source: Source = Source.COMPUTED
    agency: StrOrPromise = ""
    disaggregations: tuple[str, ...] = ()  # dimensions of the numerator shown in breakdowns
    period_types: tuple[PeriodType, ...] = (PeriodType.YEAR, PeriodType.HALF, PeriodType.YEARS)
    # Whether the numerator counts children (or deaths of children), so small cells identify them and
    # are suppressed for publication (disclosure control). Counts of sessions or communes are not.
    counts_children: bool = True
    counted: Counted = Counted.CHILDREN  # what a count counts (a rate says its measure instead)
    tt13: bool = False  # the code is the circular's own

    @property
    def factor(self) -> Decimal:
        return self.measure.factor

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(t for t in (self.numerator, self.denominator) if t)


_CHILD_AUTHORITY = _("Child-protection authority")
_HEALTH = _("Department of Health")
_EDUCATION = _("Department of Education and Training")
_POLICE_AND_CHILD_AUTHORITY = _("Police and child-protection authority")
_COMMUNES = _("Commune People's Committees")
_YEARLY = (PeriodType.YEAR, PeriodType.YEARS)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "MN-CH-01",
        _("Children under 16"),
        Group.GENERAL,
        Measure.COUNT,
        "registry.children",
        agency=_CHILD_AUTHORITY,
        disaggregations=("sex",),
        counts_children=False,
    ),
    Indicator(
        "0101",
        _("Children abused"),
        Group.PROTECTION,
        Measure.COUNT,
        "cases.abused_children",
        direction=Direction.LOWER,
        agency=_POLICE_AND_CHILD_AUTHORITY,
        disaggregations=("sex", "age_group", "form"),
        tt13=True,
    ),
    Indicator(
        "MN-BV-01",
        _("Children abused per 100,000 children"),
        Group.PROTECTION,
        Measure.PER_100K,
        "cases.abused_children",
        "registry.children",
        direction=Direction.LOWER,
        agency=_POLICE_AND_CHILD_AUTHORITY,
    ),
    Indicator(
        "MN-BV-02",
        _("Children sexually abused"),
        Group.PROTECTION,
        Measure.COUNT,
        "cases.abused_children[form=sexual]",
        direction=Direction.LOWER,
        agency=_POLICE_AND_CHILD_AUTHORITY,
    ),
    Indicator(
        "MN-BV-03",
        _("Incidents of child abuse"),
        Group.PROTECTION,
        Measure.COUNT,
        "cases.incidents",
        direction=Direction.LOWER,
        counted=Counted.INCIDENTS,
        agency=_POLICE_AND_CHILD_AUTHORITY,
        disaggregations=("form", "setting"),
    ),
    Indicator(
        "MN-BV-04",
        _("Children in special circumstances"),
        Group.PROTECTION,
        Measure.COUNT,
        "registry.special_circumstances",
        agency=_CHILD_AUTHORITY,
        disaggregations=("group", "sex"),
    ),
    Indicator(
        "MN-BV-05",
        _("Share of children in special circumstances"),
        Group.PROTECTION,
        Measure.PERCENT,
        "registry.special_circumstances",
        "registry.children",
        agency=_CHILD_AUTHORITY,
    ),
    Indicator(
        "MN-BV-06",
        _("Share of children in special circumstances who were assisted"),
        Group.PROTECTION,
        Measure.PERCENT,
        "registry.assisted",
        "registry.special_circumstances",
        direction=Direction.HIGHER,
        agency=_CHILD_AUTHORITY,
    ),
    Indicator(
        "MN-BV-07",
        _("Children at risk of falling into special circumstances"),
        Group.PROTECTION,
        Measure.COUNT,
        "registry.at_risk",
        direction=Direction.LOWER,
        agency=_CHILD_AUTHORITY,
        disaggregations=("risk", "sex"),
    ),
    Indicator(
        "MN-BV-08",
        _("Children dead from injuries"),
        Group.PROTECTION,
        Measure.COUNT,
        "health.injury_deaths",
        direction=Direction.LOWER,
        source=Source.ENTERED,
        agency=_HEALTH,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-BV-09",
        _("Injury deaths per 100,000 children"),
        Group.PROTECTION,
        Measure.PER_100K,
        "health.injury_deaths",
        "registry.children",
        direction=Direction.LOWER,
        source=Source.ENTERED,
        agency=_HEALTH,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-BV-10",
        _("Children drowned"),
        Group.PROTECTION,
        Measure.COUNT,
        "health.drowning_deaths",
        direction=Direction.LOWER,
        source=Source.ENTERED,
        agency=_HEALTH,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-BV-11",
        _("Communes with a child-protection board that has working rules"),
        Group.PROTECTION,
        Measure.PERCENT,
        "commune.board_with_rules",
        "geo.communes",
        direction=Direction.HIGHER,
        source=Source.ENTERED,
        agency=_COMMUNES,
        period_types=_YEARLY,
        counts_children=False,
    ),
    Indicator(
        "MN-BV-12",
        _("Communes with a safe play area for children"),
        Group.PROTECTION,
        Measure.PERCENT,
        "commune.play_area",
        "geo.communes",
        direction=Direction.HIGHER,
        source=Source.ENTERED,
        agency=_COMMUNES,
        period_types=_YEARLY,
        counts_children=False,
    ),
    Indicator(
        "MN-YT-01",
        _("Underweight among children under 5"),
        Group.HEALTH,
        Measure.PERCENT,
        "health.underweight_u5",
        "health.weighed_u5",
        direction=Direction.LOWER,
        source=Source.ENTERED,
        agency=_HEALTH,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-YT-02",
        _("Stunting among children under 5"),
        Group.HEALTH,
        Measure.PERCENT,
        "health.stunted_u5",
        "health.weighed_u5",
        direction=Direction.LOWER,
        source=Source.ENTERED,
        agency=_HEALTH,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-YT-03",
        _("Under-1 mortality rate"),
        Group.HEALTH,
        Measure.PER_MILLE,
        "health.deaths_u1",
        "health.live_births",
        direction=Direction.LOWER,
        source=Source.ENTERED,
        agency=_HEALTH,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-YT-04",
        _("Under-5 mortality rate"),
        Group.HEALTH,
        Measure.PER_MILLE,
        "health.deaths_u5",
        "health.live_births",
        direction=Direction.LOWER,
        source=Source.ENTERED,
        agency=_HEALTH,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-GD-01",
        _("Communes reaching universal pre-school, primary and lower-secondary education"),
        Group.EDUCATION,
        Measure.PERCENT,
        "commune.universal_education",
        "geo.communes",
        direction=Direction.HIGHER,
        source=Source.ENTERED,
        agency=_EDUCATION,
        period_types=_YEARLY,
        counts_children=False,
    ),
    Indicator(
        "MN-GD-02",
        _("On-time enrolment in primary school"),
        Group.EDUCATION,
        Measure.PERCENT,
        "education.primary_on_time",
        "education.primary_age",
        direction=Direction.HIGHER,
        source=Source.ENTERED,
        agency=_EDUCATION,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-GD-03",
        _("On-time enrolment in lower-secondary school"),
        Group.EDUCATION,
        Measure.PERCENT,
        "education.lower_secondary_on_time",
        "education.lower_secondary_age",
        direction=Direction.HIGHER,
        source=Source.ENTERED,
        agency=_EDUCATION,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-GD-04",
        _("Primary and lower-secondary pupils who know the traffic-safety rules"),
        Group.EDUCATION,
        Measure.PERCENT,
        "education.traffic_safety",
        "education.pupils",
        direction=Direction.HIGHER,
        source=Source.ENTERED,
        agency=_EDUCATION,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-GD-05",
        _("Primary and lower-secondary pupils with water-safety skills (swimming and escape)"),
        Group.EDUCATION,
        Measure.PERCENT,
        "education.water_safety",
        "education.pupils",
        direction=Direction.HIGHER,
        source=Source.ENTERED,
        agency=_EDUCATION,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-GD-06",
        _("Children who wear a life jacket on waterways"),
        Group.EDUCATION,
        Measure.PERCENT,
        "survey.life_jacket",
        "survey.on_waterways",
        direction=Direction.HIGHER,
        source=Source.SURVEY,
        agency=_EDUCATION,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-KS-01",
        _("Surveyed pupils who reported violence or abuse in the last 12 months"),
        Group.PROTECTION,
        Measure.PERCENT,
        "surveys.violence_reported",
        "surveys.violence_asked",
        direction=Direction.LOWER,
        source=Source.SURVEY,
        agency=_CHILD_AUTHORITY,
        period_types=_YEARLY,
    ),
    Indicator(
        "MN-TG-01",
        _("Children's aspirations and recommendations resolved"),
        Group.PARTICIPATION,
        Measure.PERCENT,
        "participation.voices_resolved",
        "participation.voices_received",
        direction=Direction.HIGHER,
        agency=_CHILD_AUTHORITY,
        counts_children=False,
    ),
    Indicator(
        "MN-HD-01",
        _("Direct communication sessions"),
        Group.PROGRAMME,
        Measure.COUNT,
        "activities.sessions",
        direction=Direction.HIGHER,
        agency=_CHILD_AUTHORITY,
        counts_children=False,
        counted=Counted.SESSIONS,
    ),
    Indicator(
        "MN-HD-02",
        _("Person-times reached by direct communication"),
        Group.PROGRAMME,
        Measure.COUNT,
        "activities.session_person_times",
        direction=Direction.HIGHER,
        agency=_CHILD_AUTHORITY,
        counts_children=False,
        counted=Counted.PERSON_TIMES,
    ),
    Indicator(
        "MN-HD-03",
        _("Capacity-building training courses"),
        Group.PROGRAMME,
        Measure.COUNT,
        "activities.courses",
        direction=Direction.HIGHER,
        agency=_CHILD_AUTHORITY,
        counts_children=False,
        counted=Counted.COURSES,
    ),
)

_BY_CODE = {indicator.code: indicator for indicator in INDICATORS}


def get(code: str) -> Indicator:
    """The indicator with `code`; KeyError when the catalogue has none."""
    return _BY_CODE[code]


def all_indicators() -> tuple[Indicator, ...]:
    return INDICATORS
