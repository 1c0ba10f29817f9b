"""The figures a periodic report is written from, gathered once into a JSON snapshot.

Every number comes from where the app that owns the records says it (one definition of each count):
the programme-work roll-up (`core.rollups`: activities, clubs, participation, support), the data
elements of `core.metrics` (cases, contacts, the registry) and the indicator engine (values, targets,
status). The same figures for the same period a year earlier ("cùng kỳ") are gathered beside them for
the comparisons. The snapshot is plain JSON, so a finalised report keeps it as it was and every output
(the text, the DOCX, the XLSX, the API) reads the same numbers.

Shape (`SNAPSHOT_VERSION` 1):

    {"version": 1, "gathered_at": ISO datetime, "publish": bool,
     "unit": {"id", "code", "name", "level"}, "kind": ReportKind,
     "units_below": {"count", "level"}  (the units directly below on the period's last day: the 13
                    district-level units of the province in 2020, its 54 communes from July 2025),
     "period": {"start", "end", "key", "label"},
     "previous": {"start", "end", "key", "label"},
     "current": Period figures, "before": Period figures,
     "indicators": [{"code", "name", "measure", "direction", "value", "numerator", "denominator",
                     "target", "target_kind", "target_source", "status", "previous", "trend",
                     "suppressed"}]}

    Period figures = {"rollup": {section: core.rollups section, …},
                      "metrics": {code: total, …},
                      "by": {code: {dimension: {category: n}}}}

Numbers are ints, or strings of decimals for indicator values ("13.85"); `None` where there is no data.
A metric the viewer may not read is left out (not 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mangnon.core import metrics, rollups
from mangnon.core.metrics import Period
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import day_within, units_valid_on
from mangnon.indicators.catalogue import all_indicators
from mangnon.indicators.engine import Evaluator, Value, trimmed
from mangnon.indicators.periods import ReportingPeriod

from .models import ReportKind

SNAPSHOT_VERSION = 1

# The data elements a report states, beyond the roll-up (the figures of protection and case work).
METRICS = (
    "intake.contacts",
    "intake.data_contacts",
    "cases.opened",
    "cases.closed",
    "cases.incidents",
    "cases.abused_children",
    "cases.perpetrators",
    "cases.prosecuted_incidents",
    "cases.accused_persons",
    "cases.administrative_incidents",
    "cases.administrative_persons",
    "registry.children",
    "registry.special_circumstances",
    "registry.at_risk",
    "registry.assisted",
)
# The breakdowns a report's tables show.
BREAKDOWNS = {
    "cases.incidents": ("form",),
    "cases.abused_children": ("sex", "age_group", "form"),
}


@dataclass(frozen=True)
class ReportPeriod:
    """A report's period as the indicator engine names it, and the one it is compared with."""

    kind: str
    period: ReportingPeriod

    @property
    def same_period_before(self) -> ReportingPeriod:
        """The same months a year earlier for a 6-month or annual report ("so với cùng kỳ năm 2019");
        the phase before for a multi-year one."""
        p = self.period
        if p.half:
            return ReportingPeriod(p.first_year - 1, p.first_year - 1, p.half)
        return p.previous()


def report_period(kind: str, start: date, end: date) -> ReportPeriod:
    """The period a report of `kind` covers from `start` to `end`; ValidationError with a message the
    user can act on when the dates are not a half-year, a year or a run of whole years."""
    if start > end:
        raise ValidationError({"period_end": [_("The period cannot end before it starts.")]})
    whole_years = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    if kind == ReportKind.HALF_YEAR:
        if start.year == end.year and (start, end) in (
            (date(start.year, 1, 1), date(start.year, 6, 30)),
            (date(start.year, 7, 1), date(start.year, 12, 31)),
        ):
            return ReportPeriod(kind, ReportingPeriod(start.year, start.year, 1 if start.month == 1 else 2))
        raise ValidationError(
            {"period_start": [_("A 6-month report covers 1 January to 30 June, or 1 July to 31 December.")]}
        )
    if kind == ReportKind.ANNUAL:
        if whole_years and start.year == end.year:
            return ReportPeriod(kind, ReportingPeriod.year(start.year))
        raise ValidationError({"period_start": [_("An annual report covers 1 January to 31 December.")]})
    if kind == ReportKind.PHASE:
        if whole_years and start.year < end.year:
            return ReportPeriod(kind, ReportingPeriod(start.year, end.year))
        raise ValidationError(
            {"period_start": [_("A multi-year report covers whole years, from 1 January to 31 December.")]}
        )
    raise ValidationError({"kind": [_("Choose the kind of report.")]})


def _period_json(period: ReportingPeriod) -> dict[str, str]:
    with translation.override("vi"):  # the report is written in Vietnamese whatever the page's language
        label = str(period.label)
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "key": period.key,
        "label": label,
    }


def _number(value: Decimal | int | None) -> int | str | None:
    """A figure as JSON keeps it exactly: an int, or a decimal as its string."""
    value = trimmed(value)
    if value is None or isinstance(value, int):
        return value
    return str(value)


def _period_figures(*, viewer: Any, unit: AdminUnit, period: ReportingPeriod) -> dict[str, Any]:
    days = Period(period.start, period.end)
    found: dict[str, Any] = {"rollup": {}, "metrics": {}, "by": {}}
    for name, section in rollups.rollup(viewer=viewer, unit=unit, start=days.start, end=days.end).items():
        found["rollup"][name] = dict(section)
    together = metrics.totals(METRICS, unit=unit, period=days, viewer=viewer)
    for code in METRICS:
        by = BREAKDOWNS.get(code, ())
        try:
            figure = (
                together[code]
                if code in together and not by
                else metrics.get(code).compute(unit=unit, period=days, viewer=viewer, by=by)
            )
        except (PermissionDenied, Http404):
            continue  # a figure the viewer's roles do not read is left out, not shown as 0
        found["metrics"][code] = figure.total
        if figure.by:
            found["by"][code] = {dim: dict(cats) for dim, cats in figure.by.items()}
    return found


def indicator_json(v: Value) -> dict[str, Any]:
    """One indicator's value as the snapshot keeps it (its name in the active language: the callers
    write the snapshot within translation.override("vi"))."""
    target = v.target
    return {
        "code": v.indicator.code,
        "name": str(v.indicator.name),
        "measure": str(v.indicator.measure.value),
        "direction": str(v.indicator.direction.value),
        "value": _number(v.value),
        "numerator": _number(v.numerator),
        "denominator": _number(v.denominator),
        "target": _number(target.value) if target else None,
        "target_kind": str(target.kind) if target else None,
        "target_source": target.source_document if target else "",
        "status": str(v.status.value),
        "previous": _number(v.previous),
        "trend": str(v.trend.value),
        "suppressed": v.suppressed,
    }


def _indicators(
    *, viewer: Any, unit: AdminUnit, period: ReportingPeriod, publish: bool
) -> list[dict[str, Any]]:
    evaluator = Evaluator(viewer, publish=publish)
    with translation.override("vi"):
        return [indicator_json(v) for v in evaluator.values(all_indicators(), unit, period, compare=True)]


def _units_below(unit: AdminUnit, period: ReportingPeriod) -> dict[str, Any]:
    day = day_within(unit, period.end)
    levels = list(units_valid_on(day, parent=unit).values_list("level", flat=True))
    return {"count": len(levels), "level": max(set(levels), key=levels.count) if levels else ""}


def collect(
    *, viewer: Any, unit: AdminUnit, kind: str, start: date, end: date, publish: bool
) -> dict[str, Any]:
    """The snapshot of every figure a report of `unit` over `start`-`end` states, for `viewer`."""
    which = report_period(kind, start, end)
    before = which.same_period_before
    return {
        "version": SNAPSHOT_VERSION,
        "gathered_at": timezone.now().isoformat(),
        "publish": publish,
        "unit": {"id": unit.pk, "code": unit.code, "name": unit.name, "level": unit.level},
        "kind": kind,
        "units_below": _units_below(unit, which.period),
        "period": _period_json(which.period),
        "previous": _period_json(before),
        "current": _period_figures(viewer=viewer, unit=unit, period=which.period),
        "before": _period_figures(viewer=viewer, unit=unit, period=before),
        "indicators": _indicators(viewer=viewer, unit=unit, period=which.period, publish=publish),
    }
