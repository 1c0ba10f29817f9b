"""Indicator values, computed live from records and entered figures, for a viewer.

`Evaluator(viewer)` answers for one request: every term (data element) is computed once per unit and
period however many indicators use it, entered figures and targets are read in one query each for a
whole set of indicators, and a unit outside the viewer's scope is a 404 as everywhere else. A term the
viewer may not read (a support figure for leadership) makes its indicator "not available", never an
error for the rest of the page.

Disclosure control: for a viewer who may not see small cells (leadership) or for anything marked for
publication, a value whose numerator counts fewer than five children is suppressed: its numerator and
value are withheld and `suppressed` says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import disclosure, metrics
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import units_in

from . import entered
from .catalogue import Direction, Indicator, Measure
from .models import EnteredValue, Target, TargetKind
from .periods import PeriodType, ReportingPeriod

_TERM = re.compile(r"^(?P<code>[a-z_]+\.[a-z0-9_]+)(?:\[(?P<dim>[a-z_]+)=(?P<cat>[^\]]+)\])?$")
_TWO_PLACES = Decimal("0.01")


class NotAvailable(Exception):
    """The viewer may not read a figure the indicator needs."""


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    IN_PROGRESS = "in_progress"  # a half-year's count against a whole year's target
    NO_TARGET = "no_target"
    NO_DATA = "no_data"
    NOT_AVAILABLE = "not_available"


class Trend(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Term:
    code: str
    dimension: str = ""
    category: str = ""

    @classmethod
    def parse(cls, text: str) -> Term:
        match = _TERM.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a term (code or code[dimension=category]).")
        return cls(match["code"], match["dim"] or "", match["cat"] or "")

    @property
    def is_entered(self) -> bool:
        return entered.is_entered(self.code)


@dataclass(frozen=True)
class TargetInfo:
    kind: str  # TargetKind
    value: Decimal | None
    source_document: str = ""


@dataclass
class Value:
    indicator: Indicator
    unit: AdminUnit
    period: ReportingPeriod
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    target: TargetInfo | None = None
    status: Status = Status.NO_DATA
    previous: Decimal | None = None  # the value of the period before, when asked for
    trend: Trend = Trend.UNKNOWN
    suppressed: bool = False
    available: bool = True
    breakdown: dict[str, dict[str, Decimal | None]] = field(default_factory=dict)


def ratio(indicator: Indicator, numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator × factor, rounded to two places; None without data or with a zero base."""
    if numerator is None:
        return None
    if indicator.measure is Measure.COUNT:
        return numerator
    if not denominator:
        return None
    return (numerator * indicator.factor / denominator).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def trimmed(number: int | Decimal | None) -> int | Decimal | None:
    """A value as pages, exports and the API write it: 30 rather than 30.00, 12.5 rather than 12.50."""
    if number is None or isinstance(number, int):
        return number
    if number == number.to_integral_value():
        return int(number)
    return number.normalize()


def trend_of(indicator: Indicator, value: Decimal | None, previous: Decimal | None) -> Trend:
    if value is None or previous is None or indicator.direction is Direction.NEUTRAL:
        return Trend.UNKNOWN
    if value == previous:
        return Trend.SAME
    rising = value > previous
    return Trend.BETTER if rising == (indicator.direction is Direction.HIGHER) else Trend.WORSE


def status_of(indicator: Indicator, period: ReportingPeriod, value: Value) -> Status:
    if not value.available:
        return Status.NOT_AVAILABLE
    if value.value is None:
        return Status.NO_DATA
    target = value.target
    if target is None:
        return Status.NO_TARGET
    if target.kind == TargetKind.LEVEL:
        if target.value is None:
            return Status.NO_TARGET
        if period.type is PeriodType.HALF and indicator.measure is Measure.COUNT:
            return Status.IN_PROGRESS
        met = (
            value.value <= target.value
            if indicator.direction is Direction.LOWER
            else value.value >= target.value
        )
        return Status.MET if met else Status.NOT_MET
    if value.previous is None:
        return Status.NO_DATA
    if target.kind == TargetKind.BELOW_PREVIOUS:
        return Status.MET if value.value < value.previous else Status.NOT_MET
    return Status.MET if value.value > value.previous else Status.NOT_MET


class Evaluator:
    """Computes indicator values for one viewer, remembering every term it has computed."""

    def __init__(self, viewer: Any, *, publish: bool = False) -> None:
        self.viewer = viewer
        # Leadership and anything marked for publication see small cells suppressed.
        self.suppress = publish or not can(viewer, Action.INDICATOR_SMALL_CELLS)
        self._terms: dict[tuple[str, int, str], Decimal | None] = {}
        self._figures: dict[tuple[str, int, str, str], metrics.Figure] = {}

    # --- scope ---------------------------------------------------------------------------------------

    def check_unit(self, unit: AdminUnit) -> None:
        """Http404 unless the viewer may read indicators at `unit` (it is not revealed otherwise)."""
        if not scope_for(self.viewer, Action.INDICATOR_VIEW).contains(unit):
            raise Http404

    # --- terms -----------------------------------------------------------------------------------------

    def _figure(self, code: str, unit: AdminUnit, period: ReportingPeriod, by: str) -> metrics.Figure:
        key = (code, unit.pk, period.key, by)
        if key not in self._figures:
            try:
                element = metrics.get(code)
                self._figures[key] = element.compute(
                    unit=unit, period=period.days, viewer=self.viewer, by=(by,) if by else ()
                )
            except (PermissionDenied, Http404) as exc:
                raise NotAvailable(code) from exc
        return self._figures[key]

    def term(self, text: str, unit: AdminUnit, period: ReportingPeriod) -> Decimal | None:
        """A term's value for `unit` over `period`; None when nothing was entered. NotAvailable when the
        viewer may not read it."""
        key = (text, unit.pk, period.key)
        if key in self._terms:
            return self._terms[key]
        term = Term.parse(text)
        if term.is_entered:
            self.prefetch_entered([term.code], unit, period)
            return self._terms[key]
        figure = self._figure(term.code, unit, period, term.dimension)
        if term.dimension:
            result = Decimal(figure.by.get(term.dimension, {}).get(term.category, 0))
        else:
            result = Decimal(figure.total)
        self._terms[key] = result
        return result

    def breakdown(
        self, text: str, unit: AdminUnit, period: ReportingPeriod, dimension: str
    ) -> dict[str, int]:
        """A computed term by the categories of `dimension` (codes as the owning app declares them)."""
        term = Term.parse(text)
        if term.is_entered:
            return {}
        return dict(self._figure(term.code, unit, period, dimension).by.get(dimension, {}))

    def prefetch_entered(self, codes: Iterable[str], unit: AdminUnit, period: ReportingPeriod) -> None:
        """Sum the entered figures of `codes` over `unit`'s geography and `period`, in one query.

        A year's figure counts for a year or a range of years; a half-year asks for figures kept per
        half-year, which no yearly data set has (None: no data, never zero). An element that is a state
        (OverTime.LAST) takes the range's last year only.
        """
        wanted = [code for code in dict.fromkeys(codes) if (code, unit.pk, period.key) not in self._terms]
        if not wanted:
            return
        keys_by_code: dict[str, list[str]] = {}
        for code in wanted:
            data_set, element = entered.element_of(code)
            if data_set.period_type is PeriodType.YEAR and period.half is None:
                years = (
                    [period.last_year] if element.over_time is entered.OverTime.LAST else list(period.years)
                )
                keys_by_code[code] = [str(year) for year in years]
            else:
                keys_by_code[code] = []
            self._terms[(code, unit.pk, period.key)] = None
        all_keys = sorted({key for keys in keys_by_code.values() for key in keys})
        if not all_keys:
            return
        rows = (
            EnteredValue.objects.filter(
                element__in=list(keys_by_code),
                period__in=all_keys,
                value__isnull=False,
                admin_unit__in=units_in(unit),
            )
            .values("element", "period")
            .annotate(total=Sum("value"))
        )
        for row in rows:
            if row["period"] in keys_by_code[row["element"]]:
                key = (row["element"], unit.pk, period.key)
                self._terms[key] = (self._terms[key] or Decimal(0)) + Decimal(row["total"])

    def prefetch_totals(self, texts: Iterable[str], unit: AdminUnit, period: ReportingPeriod) -> None:
        """The totals an app computes together when several are wanted (`core.metrics.batch`: the
        registry's four figures in one pass over a province's children); the rest, one by one later."""
        codes = [
            t
            for t in dict.fromkeys(texts)
            if not Term.parse(t).is_entered
            and not Term.parse(t).dimension
            and (t, unit.pk, period.key, "") not in self._figures
        ]
        for code, figure in metrics.totals(codes, unit=unit, period=period.days, viewer=self.viewer).items():
            self._figures[(code, unit.pk, period.key, "")] = figure

    # --- values ----------------------------------------------------------------------------------------

    def targets(self, indicators: Sequence[Indicator], unit: AdminUnit, year: int) -> dict[str, TargetInfo]:
        rows = Target.objects.filter(admin_unit=unit, year=year, indicator__in=[i.code for i in indicators])
        return {t.indicator: TargetInfo(t.kind, t.value, t.source_document) for t in rows}

    def values(
        self,
        indicators: Sequence[Indicator],
        unit: AdminUnit,
        period: ReportingPeriod,
        *,
        compare: bool = False,
    ) -> list[Value]:
        """The value of each indicator for `unit` over `period`, with its target and status; with
        `compare`, also the previous period's value and whether things got better or worse."""
        self.check_unit(unit)
        entered_codes = [Term.parse(t).code for i in indicators for t in i.terms if Term.parse(t).is_entered]
        self.prefetch_entered(entered_codes, unit, period)
        all_terms = [t for i in indicators for t in i.terms]
        self.prefetch_totals(all_terms, unit, period)
        targets = self.targets(indicators, unit, period.last_year)
        needs_previous = {
            i.code
            for i in indicators
            if compare or (i.code in targets and targets[i.code].kind != TargetKind.LEVEL)
        }
        if needs_previous:
            self.prefetch_entered(entered_codes, unit, period.previous())
            previous_terms = [t for i in indicators if i.code in needs_previous for t in i.terms]
            self.prefetch_totals(previous_terms, unit, period.previous())
        out = []
        for indicator in indicators:
            value = self._value(indicator, unit, period)
            value.target = targets.get(indicator.code)
            if indicator.code in needs_previous and value.available:
                value.previous = self._value(indicator, unit, period.previous()).value
                value.trend = trend_of(indicator, value.value, value.previous)
            value.status = status_of(indicator, period, value)
            out.append(self._disclosed(value))
        return out

    def value(
        self, indicator: Indicator, unit: AdminUnit, period: ReportingPeriod, *, compare: bool = False
    ) -> Value:
        return self.values([indicator], unit, period, compare=compare)[0]

    def _value(self, indicator: Indicator, unit: AdminUnit, period: ReportingPeriod) -> Value:
        value = Value(indicator, unit, period)
        try:
            value.numerator = self.term(indicator.numerator, unit, period)
            value.denominator = (
                self.term(indicator.denominator, unit, period) if indicator.denominator else None
            )
        except NotAvailable:
            value.available = False
            value.numerator = value.denominator = None
            return value
        value.value = ratio(indicator, value.numerator, value.denominator)
        return value

    def _disclosed(self, value: Value) -> Value:
        if self.suppress and value.indicator.counts_children and disclosure.is_small(value.numerator):
            value.suppressed = True
            value.numerator = value.value = value.previous = None
            value.trend = Trend.UNKNOWN
        return value
