"""The tables of the dashboard and of one indicator in depth, as a viewer may see them.

Everything here is an aggregate computed by `engine.Evaluator` (not audited: no record is read by its
reader; the lists behind the drill-down links are the owning apps' and audit there). One evaluator
serves a whole page, so a term shared by several indicators, years or rows is computed once.

Disclosure control. For a viewer without `INDICATOR_SMALL_CELLS` (leadership) and for anything marked
for publication, a numerator that counts children and is under the threshold is hidden (primary
suppression), and so is every figure worked out from it (the rate; the trend). A table that shows a
breakdown beside its total (the child units of a unit, the categories of a disaggregation) also hides
the cells from which a hidden one could be recovered by subtraction (`core.disclosure`, secondary
suppression). The detail tables are therefore computed whole by an evaluator that does not suppress on
its own, and suppressed here, table by table; nothing unsuppressed leaves this module for such a viewer.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mangnon.accounts.access import can, pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import disclosure, metrics
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import today, units_valid_on

from .catalogue import COUNTED_LABELS, GROUP_LABELS, MEASURE_LABELS, Group, Indicator, Measure, all_indicators
from .engine import Evaluator, Status, TargetInfo, Term, Trend, Value, trimmed
from .models import TargetKind
from .periods import ReportingPeriod

FIRST_YEAR = 2019  # the first year of the demo's records and of the dashboard's year selector
SUPPRESSED_MARK = "•"


class Geography:
    PERIOD = "period"  # the units as they were on the period's last day
    CURRENT = "current"  # today's units, with historic records counted through the crosswalk


GEOGRAPHY_LABELS = {
    Geography.PERIOD: gettext_lazy("Units as they were in the period"),
    Geography.CURRENT: gettext_lazy("Today's units (figures re-aggregated)"),
}

STATUS_LABELS = {
    "met": gettext_lazy("Met"),
    "not_met": gettext_lazy("Not met"),
    "in_progress": gettext_lazy("In progress"),
    "no_target": gettext_lazy("No target"),
    "no_data": gettext_lazy("No data"),
    "not_available": gettext_lazy("Not available to you"),
    "suppressed": gettext_lazy("Suppressed"),
    "no_data_at_level": gettext_lazy("No data at this level"),
}

TREND_LABELS = {
    Trend.BETTER: gettext_lazy("Better ↑"),
    Trend.WORSE: gettext_lazy("Worse ↓"),
    Trend.SAME: gettext_lazy("Same"),
    Trend.UNKNOWN: "",
}

TARGET_KIND_LABELS = dict(TargetKind.choices)

DIMENSION_LABELS = {
    "sex": gettext_lazy("Sex"),
    "group": gettext_lazy("Group of special circumstances"),
    "risk": gettext_lazy("Risk"),
    "form": gettext_lazy("Form of abuse"),
    "setting": gettext_lazy("Setting"),
    "relationship": gettext_lazy("Relationship to the child"),
    "age_group": gettext_lazy("Age group"),
    "kind": gettext_lazy("Kind"),
    "topic": gettext_lazy("Topic"),
    "age_band": gettext_lazy("Age band"),
}


def category_choices(element: metrics.DataElement, dimension: str) -> list[tuple[str, str]]:
    """The (code, label) pairs of a dimension as the app owning the figure labels them
    (`<app>.metrics.CATEGORY_LABELS`); [] when it labels none (the codes are shown as they are)."""
    try:
        module = importlib.import_module(f"mangnon.{element.owner}.metrics")
    except ImportError:
        return []
    labels: Mapping[str, Mapping[str, Any]] = getattr(module, "CATEGORY_LABELS", {})
    return [(str(code), str(label)) for code, label in labels.get(dimension, {}).items()]


def years() -> list[int]:
    return list(range(FIRST_YEAR, today().year + 1))


def default_year() -> int:
    """The last whole year: the one reports are made for."""
    return max(FIRST_YEAR, today().year - 1)


def counted_in(indicator: Indicator) -> str:
    """What an indicator's figure counts, said beside every figure (person-times are not persons)."""
    if indicator.measure is not Measure.COUNT:
        return str(MEASURE_LABELS[indicator.measure])
    return str(COUNTED_LABELS[indicator.counted])


# --- units -------------------------------------------------------------------------------------------


def top_units(viewer: Any) -> list[AdminUnit]:
    """The units at the top of the viewer's indicator scope, current ones first, widest first."""
    scope = scope_for(viewer, Action.INDICATOR_VIEW)
    if scope.is_empty:
        return []
    units = list(AdminUnit.objects.filter(path__in=scope.paths).select_related("parent"))
    if not units:
        units = list(AdminUnit.objects.filter(pk__in=scope.extra_ids).select_related("parent"))
    return sorted(units, key=lambda u: (u.valid_to is not None, len(u.path.split("/")), u.code))


def default_unit(viewer: Any) -> AdminUnit | None:
    units = top_units(viewer)
    return units[0] if units else None


def unit_choices(viewer: Any, year: int, chosen: AdminUnit | None = None) -> list[tuple[int, str]]:
    """The units to choose from for `year`: the viewer's top units and every unit in their scope valid
    at the year's end, as a tree (a dash per level below the top), in one query."""
    scope = scope_for(viewer, Action.INDICATOR_VIEW)
    if scope.is_empty:
        return []
    units = {u.pk: u for u in AdminUnit.objects.filter(scope.q("")).valid_on(date(year, 12, 31))}
    for unit in [*top_units(viewer), *([chosen] if chosen else [])]:
        units.setdefault(unit.pk, unit)

    def ids(unit: AdminUnit) -> list[int]:
        return [int(part) for part in unit.path.strip("/").split("/") if part]

    def key(unit: AdminUnit) -> tuple[Any, ...]:
        return tuple((units[i].code, i) if i in units else ("", i) for i in ids(unit))

    ordered = sorted(units.values(), key=key)
    top_depth = min((sum(i in units for i in ids(u)) for u in ordered), default=1)
    out = []
    for unit in ordered:
        depth = sum(i in units for i in ids(unit)) - top_depth
        out.append((unit.pk, "— " * max(depth, 0) + unit.name))
    return out


def unit_for(viewer: Any, unit_id: Any) -> AdminUnit:
    """The unit a request names, or 404 (an unknown id and a unit outside the scope look alike)."""
    unit = AdminUnit.objects.select_related("parent").filter(pk=pk_or_404(unit_id)).first()
    if unit is None or not scope_for(viewer, Action.INDICATOR_VIEW).contains(unit):
        raise Http404
    return unit


# --- shown figures -----------------------------------------------------------------------------------


@dataclass
class Shown:
    """A figure as a table shows it: the number, or a mark when suppressed, and where it drills down."""

    value: int | Decimal | None = None
    suppressed: bool = False
    url: str = ""

    def __post_init__(self) -> None:
        self.value = trimmed(self.value)

    @property
    def export(self) -> object:
        """The cell of an export: the number, the mark when suppressed, empty without data."""
        if self.suppressed:
            return SUPPRESSED_MARK
        return None if self.value is None else _plain(self.value)

    def as_chart(self) -> float | None:
        return None if self.suppressed or self.value is None else float(self.value)


def _plain(value: int | Decimal) -> int | float:
    """A number for a spreadsheet cell or a chart: whole numbers stay whole."""
    shown = trimmed(Decimal(value))
    return shown if isinstance(shown, int) else float(shown or 0)


def suppresses(viewer: Any, publish: bool) -> bool:
    """Whether small cells are hidden: for publication, and for whoever may not see them."""
    return publish or not can(viewer, Action.INDICATOR_SMALL_CELLS)


def _raw_evaluator(viewer: Any) -> Evaluator:
    """An evaluator that leaves every figure whole: this module suppresses the detail tables itself,
    line by line (primary and secondary suppression), before anything is shown."""
    evaluator = Evaluator(viewer)
    evaluator.suppress = False
    return evaluator


def _drill(
    links: bool, term_text: str, unit: AdminUnit, period: ReportingPeriod, category: Mapping[str, str]
) -> str:
    """The owning app's list of the records behind a computed figure, or "" (an entered figure, a tally).
    A table under disclosure control never links to records (`links` False): its readers (leadership)
    read figures, not records, and a table prepared for publication must not lead into them."""
    term = Term.parse(term_text)
    if not links or term.is_entered:
        return ""
    try:
        element = metrics.get(term.code)
    except KeyError:
        return ""
    wanted = {term.dimension: term.category} if term.dimension else {}
    return element.records_url(unit=unit, period=period.days, category={**wanted, **category})


# --- the dashboard -----------------------------------------------------------------------------------


@dataclass
class DashboardRow:
    indicator: Indicator
    value: Value
    status: str
    counted_in: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def numerator(self) -> Shown:
        return Shown(self.value.numerator, self.value.suppressed)

    @property
    def denominator(self) -> Shown:
        return Shown(self.value.denominator)

    @property
    def shown(self) -> Shown:
        return Shown(self.value.value, self.value.suppressed)

    @property
    def previous(self) -> Shown:
        return Shown(self.value.previous, self.value.suppressed)

    @property
    def trend_label(self) -> str:
        return str(TREND_LABELS[self.value.trend])

    @property
    def target_value(self) -> int | Decimal | None:
        target = self.value.target
        return trimmed(target.value) if target and target.kind == TargetKind.LEVEL else None

    @property
    def target_label(self) -> str:
        target = self.value.target
        if target is None or target.kind == TargetKind.LEVEL:
            return ""
        return str(TARGET_KIND_LABELS[target.kind])


@dataclass
class DashboardGroup:
    code: str
    label: str
    rows: list[DashboardRow]

    def charts(self) -> list[dict[str, Any]]:
        """Target against actual for the group's indicators, one chart per measure (a count and a
        percentage share no axis); a chart with nothing to draw is left out. Suppressed points are
        null and flagged."""
        out = []
        for measure in Measure:
            rows = [row for row in self.rows if row.indicator.measure is measure]
            actual = [None if row.value.suppressed else _float(row.value.value) for row in rows]
            target = [_float(row.target_value) for row in rows]
            if not any(v is not None for v in actual + target):
                continue
            out.append(
                {
                    "id": f"chart-{self.code}-{measure}",
                    "title": f"{self.label}: {MEASURE_LABELS[measure]}",
                    "labels": [row.indicator.code for row in rows],
                    "names": [str(row.indicator.name) for row in rows],
                    "actual": actual,
                    "target": target,
                    "suppressed": [row.value.suppressed for row in rows],
                }
            )
        return out


def _float(value: int | Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class Dashboard:
    unit: AdminUnit
    period: ReportingPeriod
    suppressed: bool  # small cells hidden (leadership, or for publication)
    groups: list[DashboardGroup]

    @property
    def any_suppressed(self) -> bool:
        return any(row.value.suppressed for group in self.groups for row in group.rows)

    def charts(self) -> list[dict[str, Any]]:
        return [chart for group in self.groups for chart in group.charts()]


def row_status(value: Value) -> str:
    return "suppressed" if value.suppressed else str(value.status)


def dashboard(*, viewer: Any, unit: AdminUnit, year: int, publish: bool = False) -> Dashboard:
    """Every indicator of the catalogue for `unit` in `year`, against its target and the year before,
    grouped as the catalogue groups them. Http404 outside the viewer's scope."""
    period = ReportingPeriod.year(year)
    evaluator = Evaluator(viewer, publish=publish)
    values = evaluator.values(all_indicators(), unit, period, compare=True)
    by_group: dict[Group, list[DashboardRow]] = {group: [] for group in GROUP_LABELS}
    for value in values:
        row = DashboardRow(value.indicator, value, row_status(value), counted_in(value.indicator))
        by_group[value.indicator.group].append(row)
    groups = [
        DashboardGroup(str(group), str(GROUP_LABELS[group]), rows) for group, rows in by_group.items() if rows
    ]
    return Dashboard(unit, period, evaluator.suppress, groups)


# --- one indicator in depth --------------------------------------------------------------------------


@dataclass
class DetailRow:
    """One line of a detail table: a year, a unit or a category."""

    key: str
    label: str
    numerator: Shown
    denominator: Shown = field(default_factory=Shown)
    value: Shown = field(default_factory=Shown)
    target: TargetInfo | None = None
    status: str = ""
    unit: AdminUnit | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status]) if self.status else ""

    @property
    def target_value(self) -> int | Decimal | None:
        return trimmed(self.target.value) if self.target and self.target.kind == TargetKind.LEVEL else None

    @property
    def target_label(self) -> str:
        if self.target is None or self.target.kind == TargetKind.LEVEL:
            return ""
        return str(TARGET_KIND_LABELS[self.target.kind])


@dataclass
class Breakdown:
    dimension: str
    label: str
    rows: list[DetailRow]


@dataclass
class Detail:
    indicator: Indicator
    unit: AdminUnit
    period: ReportingPeriod
    geography: str
    suppressed: bool
    counted_in: str
    total: DetailRow
    trend: list[DetailRow]
    children: list[DetailRow]
    children_note: str
    breakdowns: list[Breakdown]

    @property
    def any_suppressed(self) -> bool:
        rows = [self.total, *self.trend, *self.children, *(r for b in self.breakdowns for r in b.rows)]
        return any(row.numerator.suppressed or row.value.suppressed for row in rows)

    def chart(self) -> dict[str, Any]:
        return {
            "id": "chart-trend",
            "labels": [row.label for row in self.trend],
            "actual": [row.value.as_chart() for row in self.trend],
            "target": [_float(row.target_value) for row in self.trend],
            "suppressed": [row.value.suppressed for row in self.trend],
        }

    @property
    def geography_label(self) -> str:
        return str(GEOGRAPHY_LABELS[self.geography])


def _row(
    key: str,
    label: str,
    value: Value,
    *,
    hide: bool,
    url: str = "",
    unit: AdminUnit | None = None,
) -> DetailRow:
    """A unit's or a year's value as a row; `hide` suppresses its numerator and what comes from it."""
    if not value.available:
        return DetailRow(key, label, Shown(), status=str(Status.NOT_AVAILABLE), unit=unit)
    return DetailRow(
        key,
        label,
        Shown(None if hide else value.numerator, hide, "" if hide or not value.numerator else url),
        Shown(value.denominator),
        Shown(None if hide else value.value, hide),
        value.target,
        "suppressed" if hide else str(value.status),
        unit,
    )


def child_units(unit: AdminUnit, period: ReportingPeriod, geography: str) -> list[AdminUnit]:
    """The units directly below `unit`: as they were on the period's last day, or as they are today."""
    day = today() if geography == Geography.CURRENT else period.end
    if not unit.is_valid_on(day):
        return []
    return list(units_valid_on(day, parent=unit))


def detail(
    *,
    viewer: Any,
    indicator: Indicator,
    unit: AdminUnit,
    year: int,
    geography: str = Geography.PERIOD,
    publish: bool = False,
) -> Detail:
    """One indicator for `unit`: the trend over the years, the units below it, each disaggregation of
    its numerator, each computed figure linked to the records behind it. Http404 outside the scope."""
    period = ReportingPeriod.year(year)
    suppress = suppresses(viewer, publish)
    evaluator = _raw_evaluator(viewer)
    evaluator.check_unit(unit)
    small = indicator.counts_children and suppress

    def hidden(value: Value) -> bool:
        return small and disclosure.is_small(value.numerator)

    # The trend: each year's value (the previous year's, for a target relative to it, comes shared).
    trend_values = [evaluator.value(indicator, unit, ReportingPeriod.year(y)) for y in years()]
    trend = [
        _row(
            str(v.period.key),
            str(v.period.first_year),
            v,
            hide=hidden(v),
            url=_drill(not suppress, indicator.numerator, unit, v.period, {}),
        )
        for v in trend_values
    ]
    total_value = next((v for v in trend_values if v.period == period), None) or evaluator.value(
        indicator, unit, period
    )
    total_hidden = hidden(total_value)
    total = _row(
        period.key,
        unit.name,
        total_value,
        hide=total_hidden,
        url=_drill(not suppress, indicator.numerator, unit, period, {}),
        unit=unit,
    )

    # The units below, with secondary suppression across the line (it is shown with the unit's total).
    children, note = _children(evaluator, indicator, unit, period, geography)
    child_hidden: set[int] = set()
    if small:
        numerators = [None if v is None or v.numerator is None else int(v.numerator) for _u, v in children]
        child_hidden = disclosure.suppressed_in_line(numerators)
    child_rows = []
    for index, (child, value) in enumerate(children):
        if value is None:
            child_rows.append(
                DetailRow(str(child.pk), child.name, Shown(), status="no_data_at_level", unit=child)
            )
            continue
        child_rows.append(
            _row(
                str(child.pk),
                child.name,
                value,
                hide=index in child_hidden,
                url=_drill(not suppress, indicator.numerator, child, period, {}),
                unit=child,
            )
        )

    breakdowns = (
        []
        if not total_value.available
        else _breakdowns(evaluator, indicator, unit, period, small, links=not suppress)
    )
    return Detail(
        indicator=indicator,
        unit=unit,
        period=period,
        geography=geography,
        suppressed=suppress,
        counted_in=counted_in(indicator),
        total=total,
        trend=trend,
        children=child_rows,
        children_note=note,
        breakdowns=breakdowns,
    )


def _children(
    evaluator: Evaluator, indicator: Indicator, unit: AdminUnit, period: ReportingPeriod, geography: str
) -> tuple[list[tuple[AdminUnit, Value | None]], str]:
    """Each child unit with its value; None where an entered figure cannot be split onto it."""
    units = child_units(unit, period, geography)
    if not units:
        if geography == Geography.CURRENT and not unit.is_valid_on(today()):
            return [], _("This unit no longer exists: choose a current unit to see today's units below it.")
        return [], _("No units below this one.")
    entered = any(Term.parse(t).is_entered for t in indicator.terms)
    out: list[tuple[AdminUnit, Value | None]] = []
    for child in units:
        # Entered figures are kept per unit as reported: a unit that did not exist in the period has
        # none of its own, and a district's figure is never split onto the communes formed from it.
        if entered and not (child.is_valid_on(period.start) or child.is_valid_on(period.end)):
            out.append((child, None))
            continue
        out.append((child, evaluator.value(indicator, child, period)))
    return out, ""


def _breakdowns(
    evaluator: Evaluator,
    indicator: Indicator,
    unit: AdminUnit,
    period: ReportingPeriod,
    small: bool,
    *,
    links: bool,
) -> list[Breakdown]:
    """The numerator by each disaggregation its data element declares (computed figures only)."""
    term = Term.parse(indicator.numerator)
    if term.is_entered or term.dimension:  # a term of one category is not broken down further
        return []
    try:
        element = metrics.get(term.code)
    except KeyError:
        return []
    out = []
    for dimension in indicator.disaggregations:
        if dimension not in element.disaggregations:
            continue
        counts = evaluator.breakdown(indicator.numerator, unit, period, dimension)
        choices = category_choices(element, dimension)
        codes = [code for code, _label in choices] + sorted(set(counts) - {code for code, _l in choices})
        labels = dict(choices)
        values = [Decimal(counts.get(code, 0)) for code in codes]
        hidden = disclosure.suppressed_in_line([int(v) for v in values]) if small else set()
        rows = [
            DetailRow(
                code,
                labels.get(code, code),
                Shown(
                    None if index in hidden else value,
                    index in hidden,
                    ""
                    if index in hidden or not value
                    else _drill(links, indicator.numerator, unit, period, {dimension: code}),
                ),
            )
            for index, (code, value) in enumerate(zip(codes, values, strict=True))
        ]
        out.append(Breakdown(dimension, str(DIMENSION_LABELS.get(dimension, dimension)), rows))
    return out
