"""Data sets: the figures other sectors report, entered per unit and period.

Health, education and the communes report figures Măng Non does not keep records of. Each data set says
who reports it (the level of the units that enter it), how often, by when, and which elements it holds;
every element is a whole count (or a yes/no answer, counted as one unit that says yes) so that units add
up to the province, and rates are computed by the indicators, never typed in (DHIS2's lesson).

Element codes are terms of the indicators' formulas (catalogue.py) beside the codes apps declare in
`core.metrics`; they carry their data set's code as prefix so the two can never collide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .periods import PeriodType, ReportingPeriod

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


class Kind(StrEnum):
    COUNT = "count"  # a whole number, 0 or more
    YES_NO = "yes_no"  # 1 or 0: summed over units, the number of units that say yes


class OverTime(StrEnum):
    """How an element adds up over several periods (2016-2020)."""

    SUM = "sum"  # events: deaths, births
    LAST = "last"  # a state at the end: pupils enrolled, a board in place


class EntryLevel(StrEnum):
    """The units that enter a data set, in the geography of the period's last day."""

    PROVINCE = "province"
    BELOW_PROVINCE = "below_province"  # district-level units before 1/7/2025, communes after
    COMMUNE = "commune"  # the lowest level in either geography


@dataclass(frozen=True)
class Element:
    code: str
    name: StrOrPromise
    kind: Kind = Kind.COUNT
    over_time: OverTime = OverTime.SUM
    part_of: str = ""  # the code of the element this one is a part of: it can never exceed it


@dataclass(frozen=True)
class DataSet:
    code: str
    name: StrOrPromise
    agency: StrOrPromise
    level: EntryLevel
    elements: tuple[Element, ...]
    period_type: PeriodType = PeriodType.YEAR
    due_days: int = 15  # days after the period ends by which its figures are due

    def due_on(self, period: ReportingPeriod) -> date:
        return period.end + timedelta(days=self.due_days)

    def element(self, code: str) -> Element:
        return next(e for e in self.elements if e.code == code)


DATA_SETS: tuple[DataSet, ...] = (
    DataSet(
        "health",
        _("Child health and injuries"),
        _("Department of Health"),
        EntryLevel.BELOW_PROVINCE,
        (
            Element("health.live_births", _("Live births")),
            Element("health.deaths_u1", _("Deaths of children under 1"), part_of="health.deaths_u5"),
            Element("health.deaths_u5", _("Deaths of children under 5")),
            Element("health.weighed_u5", _("Children under 5 weighed and measured")),
            Element("health.underweight_u5", _("Underweight children under 5"), part_of="health.weighed_u5"),
            Element("health.stunted_u5", _("Stunted children under 5"), part_of="health.weighed_u5"),
            Element("health.injury_deaths", _("Children dead from injuries")),
            Element("health.drowning_deaths", _("Children drowned"), part_of="health.injury_deaths"),
        ),
    ),
    DataSet(
        "education",
        _("Schooling and safety skills"),
        _("Department of Education and Training"),
        EntryLevel.BELOW_PROVINCE,
        (
            Element("education.primary_age", _("Children of primary-school age"), over_time=OverTime.LAST),
            Element(
                "education.primary_on_time",
                _("Children of primary-school age enrolled at the right grade"),
                over_time=OverTime.LAST,
                part_of="education.primary_age",
            ),
            Element(
                "education.lower_secondary_age",
                _("Children of lower-secondary age"),
                over_time=OverTime.LAST,
            ),
            Element(
                "education.lower_secondary_on_time",
                _("Children of lower-secondary age enrolled at the right grade"),
                over_time=OverTime.LAST,
                part_of="education.lower_secondary_age",
            ),
            Element("education.pupils", _("Primary and lower-secondary pupils"), over_time=OverTime.LAST),
            Element(
                "education.traffic_safety",
                _("Pupils who know the traffic-safety rules"),
                over_time=OverTime.LAST,
                part_of="education.pupils",
            ),
            Element(
                "education.water_safety",
                _("Pupils with water-safety skills (swimming and escape)"),
                over_time=OverTime.LAST,
                part_of="education.pupils",
            ),
        ),
    ),
    DataSet(
        "commune",
        _("Commune child-protection work"),
        _("Commune People's Committees"),
        EntryLevel.COMMUNE,
        (
            Element("commune.board", _("A child-protection board is in place"), Kind.YES_NO, OverTime.LAST),
            Element(
                "commune.board_with_rules",
                _("The board has working rules"),
                Kind.YES_NO,
                OverTime.LAST,
                part_of="commune.board",
            ),
            Element(
                "commune.universal_education",
                _("Recognised for universal pre-school, primary and lower-secondary education"),
                Kind.YES_NO,
                OverTime.LAST,
            ),
            Element("commune.play_area", _("A safe play area for children"), Kind.YES_NO, OverTime.LAST),
        ),
    ),
    DataSet(
        "survey",
        _("Water-safety survey"),
        _("Department of Education and Training"),
        EntryLevel.PROVINCE,
        (
            Element("survey.on_waterways", _("Children surveyed who travel on waterways")),
            Element(
                "survey.life_jacket",
                _("Of them, children who wear a life jacket"),
                part_of="survey.on_waterways",
            ),
        ),
    ),
)

_SETS = {data_set.code: data_set for data_set in DATA_SETS}
_ELEMENTS = {element.code: (data_set, element) for data_set in DATA_SETS for element in data_set.elements}


def get_data_set(code: str) -> DataSet:
    """The data set with `code`; KeyError when there is none."""
    return _SETS[code]


def is_entered(code: str) -> bool:
    return code in _ELEMENTS


def element_of(code: str) -> tuple[DataSet, Element]:
    """The data set and element an entered element code names; KeyError when none does."""
    return _ELEMENTS[code]
