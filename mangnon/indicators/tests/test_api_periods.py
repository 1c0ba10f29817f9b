"""Reporting periods as the API reads them: parse_period's accepted forms, its messages, and the days
and neighbours of each period."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from mangnon.indicators.periods import PeriodType, ReportingPeriod, parse_period


@pytest.mark.parametrize(
    ("text", "first", "last", "half", "kind", "key"),
    [
        ("2020", 2020, 2020, None, PeriodType.YEAR, "2020"),
        (" 2020 ", 2020, 2020, None, PeriodType.YEAR, "2020"),
        ("2020H1", 2020, 2020, 1, PeriodType.HALF, "2020H1"),
        ("2020h2", 2020, 2020, 2, PeriodType.HALF, "2020H2"),
        ("2016-2020", 2016, 2020, None, PeriodType.YEARS, "2016-2020"),
        ("2020-2020", 2020, 2020, None, PeriodType.YEAR, "2020"),
        ("2000", 2000, 2000, None, PeriodType.YEAR, "2000"),
        ("2100", 2100, 2100, None, PeriodType.YEAR, "2100"),
    ],
)
def test_accepted_forms(text, first, last, half, kind, key):
    period = parse_period(text)
    assert (period.first_year, period.last_year, period.half) == (first, last, half)
    assert period.type is kind and period.key == key and str(period) == key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write the period as a year"),
        ("20", "Write the period as a year"),
        ("2020H3", "Write the period as a year"),
        ("2020-21", "Write the period as a year"),
        ("2020Q1", "Write the period as a year"),
        ("1999", "The year must lie between 2000 and 2100."),
        ("2016-2101", "The year must lie between 2000 and 2100."),
        ("2020-2016", "The range of years ends before it starts."),
    ],
)
def test_refused_with_a_message(text, message):
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        parse_period(text)
    assert excinfo.value.messages[0].startswith(message)
    assert excinfo.value.code == "period"


def test_none_is_refused():
    with pytest.raises(ValidationError):
        parse_period(None)  # type: ignore[arg-type]


def test_days_and_previous():
    assert (parse_period("2020").start, parse_period("2020").end) == (date(2020, 1, 1), date(2020, 12, 31))
    h1, h2 = parse_period("2020H1"), parse_period("2020H2")
    assert (h1.start, h1.end) == (date(2020, 1, 1), date(2020, 6, 30))
    assert (h2.start, h2.end) == (date(2020, 7, 1), date(2020, 12, 31))
    years = parse_period("2016-2020")
    assert (years.days.start, years.days.end) == (date(2016, 1, 1), date(2020, 12, 31))
    assert list(years.years) == [2016, 2017, 2018, 2019, 2020]
    assert years.previous().key == "2011-2015"
    assert h1.previous().key == "2019H2" and h2.previous().key == "2020H1"
    assert parse_period("2020").previous() == ReportingPeriod.year(2019)


def test_labels():
    with translation.override("en"):
        assert parse_period("2020").label == "Year 2020"
        assert parse_period("2020H1").label == "First half of 2020"
        assert parse_period("2020H2").label == "Second half of 2020"
        assert parse_period("2016-2020").label == "Period 2016-2020"
