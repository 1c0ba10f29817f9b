"""Reads of entered data: which units enter a data set, a unit's report with its figures, the overview of
who has reported, and a report's history.

Entered figures are aggregates other sectors report (no child is named in them), so reading them is not
audited; every read is still scoped first (INDICATOR_VIEW), and a unit outside the scope is a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mangnon.accounts.access import pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.geo.models import AdminUnit, Level
from mangnon.geo.selectors import in_geography_q

from . import entered
from .entered import DataSet, Element, EntryLevel
from .models import DataSetReport, DataSetReportEvent, EnteredValueChange, ReportStatus
from .periods import ReportingPeriod, parse_period

_COMMUNE_LEVELS = (Level.COMMUNE, Level.SPECIAL_ZONE)


# --- what a URL names --------------------------------------------------------------------------------


def data_set_or_404(code: str) -> DataSet:
    try:
        return entered.get_data_set(code)
    except KeyError:
        raise Http404 from None


def period_or_404(data_set: DataSet, text: str) -> ReportingPeriod:
    """The period a URL names, of the kind the data set is entered for (a year for yearly sets)."""
    try:
        period = parse_period(text)
    except Exception:
        raise Http404 from None
    if period.type != data_set.period_type:
        raise Http404
    return period


def unit_or_404(unit_id: Any) -> AdminUnit:
    unit = AdminUnit.objects.select_related("parent").filter(pk=pk_or_404(unit_id)).first()
    if unit is None:
        raise Http404
    return unit


# --- who enters a data set ---------------------------------------------------------------------------


def entry_level_q(data_set: DataSet, prefix: str = "") -> Q:
    """A filter on units (at `prefix`, e.g. "admin_unit__") of the data set's entry level."""
    if data_set.level is EntryLevel.PROVINCE:
        return Q(**{f"{prefix}level": Level.PROVINCE})
    if data_set.level is EntryLevel.BELOW_PROVINCE:
        return Q(**{f"{prefix}parent__level": Level.PROVINCE})
    return Q(**{f"{prefix}level__in": _COMMUNE_LEVELS})


def enters(data_set: DataSet, unit: AdminUnit, period: ReportingPeriod) -> bool:
    """Does `unit` enter `data_set` for `period`: valid on the period's last day and of its entry level
    (the province; the units just below it that day: 13 district-level units in 2020, the communes from
    1/7/2025; the commune-level units, special zones included)?"""
    if not unit.is_valid_on(period.end):
        return False
    if data_set.level is EntryLevel.PROVINCE:
        return unit.level == Level.PROVINCE
    if data_set.level is EntryLevel.BELOW_PROVINCE:
        return unit.parent is not None and unit.parent.level == Level.PROVINCE
    return unit.level in _COMMUNE_LEVELS


def entry_unit_or_404(viewer: Any, data_set: DataSet, unit: AdminUnit, period: ReportingPeriod) -> None:
    """Http404 unless the viewer reads indicators at `unit` and the unit enters the data set then."""
    if not scope_for(viewer, Action.INDICATOR_VIEW).contains(unit):
        raise Http404
    if not enters(data_set, unit, period):
        raise Http404


def expected_units(
    viewer: Any, data_set: DataSet, period: ReportingPeriod, within: AdminUnit
) -> QuerySet[AdminUnit]:
    """The units expected to report: of the entry level, valid on the period's last day, in `within`'s
    geography and in the viewer's scope."""
    scope = scope_for(viewer, Action.INDICATOR_VIEW)
    return (
        AdminUnit.objects.valid_on(period.end)
        .filter(scope.q(""))
        .filter(in_geography_q(within, ""))
        .filter(entry_level_q(data_set))
        .select_related("parent")
        .order_by("code")
    )


# --- one report ----------------------------------------------------------------------------------------


def report_for(
    viewer: Any, data_set: DataSet, unit: AdminUnit, period: ReportingPeriod
) -> DataSetReport | None:
    """The report of (data set, unit, period), or None when nothing was saved yet; 404 outside the scope."""
    entry_unit_or_404(viewer, data_set, unit, period)
    return (
        DataSetReport.objects.select_related("submitted_by", "approved_by")
        .filter(data_set=data_set.code, admin_unit=unit, period=period.key)
        .first()
    )


def stored_values(report: DataSetReport | None) -> dict[str, int | None]:
    """The report's stored figures by element code (None: cleared); {} without a report."""
    if report is None:
        return {}
    return dict(report.values.values_list("element", "value"))


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    by: Any
    element: Element | None = None  # a change of a figure …
    old: int | None = None
    new: int | None = None
    event: DataSetReportEvent | None = None  # … or a step of the approval


def history(viewer: Any, data_set: DataSet, unit: AdminUnit, period: ReportingPeriod) -> list[HistoryRow]:
    """Every change of the report's figures and every approval step, newest first (two queries)."""
    report = report_for(viewer, data_set, unit, period)
    if report is None:
        return []
    known = {e.code: e for e in data_set.elements}
    rows = [
        HistoryRow(at=c.at, by=c.by, element=known.get(c.value.element), old=c.old, new=c.new)
        for c in EnteredValueChange.objects.filter(value__report=report).select_related("value", "by")
    ]
    rows += [
        HistoryRow(at=e.at, by=e.by, event=e)
        for e in DataSetReportEvent.objects.filter(report=report).select_related("by")
    ]
    return sorted(rows, key=lambda r: r.at, reverse=True)


# --- the overview --------------------------------------------------------------------------------------


class Timeliness(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"  # not submitted, and the due date has passed
    NOT_YET_DUE = "not_yet_due"


@dataclass
class OverviewRow:
    unit: AdminUnit
    report: DataSetReport | None
    filled: int
    timeliness: Timeliness

    @property
    def status(self) -> str:
        return self.report.status if self.report else ReportStatus.OPEN

    @property
    def submitted_at(self) -> datetime | None:
        return self.report.submitted_at if self.report and self.is_submitted else None

    @property
    def is_submitted(self) -> bool:
        return self.report is not None and self.report.status != ReportStatus.OPEN


@dataclass
class Overview:
    data_set: DataSet
    period: ReportingPeriod
    unit: AdminUnit
    due_on: date
    rows: list[OverviewRow] = field(default_factory=list)

    @property
    def elements(self) -> int:
        return len(self.data_set.elements)

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.is_submitted)

    @property
    def on_time(self) -> int:
        return sum(1 for r in self.rows if r.timeliness is Timeliness.ON_TIME)

    @property
    def completeness(self) -> Decimal | None:
        """Reports submitted or approved ÷ reports expected, in per cent."""
        return _percent(self.submitted, self.expected)

    @property
    def timeliness(self) -> Decimal | None:
        """Reports submitted on or before the due date ÷ reports expected, in per cent."""
        return _percent(self.on_time, self.expected)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def timeliness_of(report: DataSetReport | None, due_on: date, today: date) -> Timeliness:
    if report is not None and report.status != ReportStatus.OPEN and report.submitted_at is not None:
        submitted_on = timezone.localdate(report.submitted_at)
        return Timeliness.ON_TIME if submitted_on <= due_on else Timeliness.LATE
    return Timeliness.OVERDUE if today > due_on else Timeliness.NOT_YET_DUE


def overview(
    viewer: Any,
    data_set: DataSet,
    period: ReportingPeriod,
    unit: AdminUnit,
    *,
    today: date | None = None,
) -> Overview:
    """Every unit expected to report in `unit`'s geography, with its report's state; three queries
    however many units (the units, their reports with the figures filled, the viewer's scope)."""
    if not scope_for(viewer, Action.INDICATOR_VIEW).contains(unit):
        raise Http404
    today = today or timezone.localdate()
    due = data_set.due_on(period)
    units = list(expected_units(viewer, data_set, period, unit))
    reports = {
        r.admin_unit_id: r
        for r in DataSetReport.objects.filter(
            data_set=data_set.code, period=period.key, admin_unit__in=[u.pk for u in units]
        ).annotate(filled=Count("values", filter=Q(values__value__isnull=False)))
    }
    result = Overview(data_set, period, unit, due)
    for u in units:
        report = reports.get(u.pk)
        result.rows.append(
            OverviewRow(
                unit=u,
                report=report,
                filled=getattr(report, "filled", 0) if report else 0,
                timeliness=timeliness_of(report, due, today),
            )
        )
    return result


def overview_units(viewer: Any) -> list[AdminUnit]:
    """The units a viewer picks an overview for: those of their memberships that read indicators."""
    scope = scope_for(viewer, Action.INDICATOR_VIEW)
    if scope.is_empty or not scope.paths:
        return []
    ids = [int(p.strip("/").split("/")[-1]) for p in scope.paths]
    return list(AdminUnit.objects.filter(pk__in=ids).select_related("parent").order_by("path"))


def missing_elements(data_set: DataSet, values: dict[str, int | None]) -> Sequence[Element]:
    return [e for e in data_set.elements if values.get(e.code) is None]
