"""Reporting periods as the API, the pages and the exports write them: `2020` (a year), `2020H1` or
`2020H2` (a half-year) and `2016-2020` (whole years, both included).

A period maps onto the days `core.metrics.Period` covers, so a computed figure is asked for exactly the
days the period names; entered figures are kept per year or half-year (`EnteredValue.period`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mangnon.core.metrics import Period

FIRST_YEAR = 2000
LAST_YEAR = 2100

_PATTERN = re.compile(r"^(?P<start>\d{4})(?:H(?P<half>[12])|-(?P<end>\d{4}))?$")


class PeriodType(StrEnum):
    YEAR = "year"
    HALF = "half"
    YEARS = "years"


@dataclass(frozen=True)
class ReportingPeriod:
    """A year, a half-year or a run of whole years."""

    first_year: int
    last_year: int
    half: int | None = None  # 1 or 2 for a half-year

    @property
    def type(self) -> PeriodType:
        if self.half:
            return PeriodType.HALF
        return PeriodType.YEAR if self.first_year == self.last_year else PeriodType.YEARS

    @property
    def key(self) -> str:
        if self.half:
            return f"{self.first_year}H{self.half}"
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}-{self.last_year}"

    def __str__(self) -> str:
        return self.key

    @property
    def start(self) -> date:
        return date(self.first_year, 7, 1) if self.half == 2 else date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.last_year, 6, 30) if self.half == 1 else date(self.last_year, 12, 31)

    @property
    def days(self) -> Period:
        return Period(self.start, self.end)

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def label(self) -> str:
        """As a Vietnamese report heads it: "Năm 2020", "6 tháng đầu năm 2020", "Giai đoạn 2016-2020"."""
        if self.half == 1:
            return _("First half of %(year)s") % {"year": self.first_year}
        if self.half == 2:
            return _("Second half of %(year)s") % {"year": self.first_year}
        if self.first_year == self.last_year:
            return _("Year %(year)s") % {"year": self.first_year}
        return _("Period %(first)s-%(last)s") % {"first": self.first_year, "last": self.last_year}

    def previous(self) -> ReportingPeriod:
        """The period of the same length just before: 2019 for 2020, 2019H2 for 2020H1, 2011-2015 for
        2016-2020."""
        if self.half == 1:
            return ReportingPeriod(self.first_year - 1, self.first_year - 1, 2)
        if self.half == 2:
            return ReportingPeriod(self.first_year, self.first_year, 1)
        length = self.last_year - self.first_year + 1
        return ReportingPeriod(self.first_year - length, self.last_year - length)

    @classmethod
    def year(cls, year: int) -> ReportingPeriod:
        return cls(year, year)


def parse_period(text: str) -> ReportingPeriod:
    """The period `text` names; ValidationError with a message the user can act on otherwise."""
    match = _PATTERN.match((text or "").strip().upper())
    if not match:
        raise ValidationError(
            _(
                "Write the period as a year (2020), a half-year (2020H1 or 2020H2) "
                "or a range of years (2016-2020)."
            ),
            code="period",
        )
    first = int(match["start"])
    last = int(match["end"]) if match["end"] else first
    if not (FIRST_YEAR <= first <= LAST_YEAR and FIRST_YEAR <= last <= LAST_YEAR):
        raise ValidationError(
            _("The year must lie between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="period",
        )
    if last < first:
        raise ValidationError(_("The range of years ends before it starts."), code="period")
    return ReportingPeriod(first, last, int(match["half"]) if match["half"] else None)
