"""The evaluator: formulas over data elements, entered sums over a geography, targets, status, trend,
scope and disclosure control. Computed elements are replaced by counting fakes here, so what is tested
is the engine's own arithmetic; the real elements are tested against the demo records elsewhere."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.core import metrics
from mangnon.geo.models import AdminUnit
from mangnon.indicators import catalogue, engine, entered
from mangnon.indicators.catalogue import Direction, Group, Indicator, Measure
from mangnon.indicators.engine import Evaluator, Status, Term, Trend
from mangnon.indicators.models import DataSetReport, EnteredValue, Target, TargetKind
from mangnon.indicators.periods import ReportingPeriod, parse_period

Y2020 = ReportingPeriod.year(2020)

RATE = Indicator(
    "T-RATE", "rate", Group.PROTECTION, Measure.PER_100K, "fake.victims", "fake.children", Direction.LOWER
)
COUNT = Indicator(
    "T-COUNT", "count", Group.PROTECTION, Measure.COUNT, "fake.victims", direction=Direction.LOWER
)
GIRLS = Indicator("T-GIRLS", "girls", Group.PROTECTION, Measure.COUNT, "fake.victims[sex=F]")
SHARE = Indicator(
    "T-SHARE",
    "share",
    Group.HEALTH,
    Measure.PERCENT,
    "health.underweight_u5",
    "health.weighed_u5",
    Direction.LOWER,
)


class Fakes:
    """Data elements that count how often they are computed and answer from a table."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.totals: dict[tuple[str, int], int] = {}  # (code, year) -> total
        self.forbidden: set[str] = set()

    def element(self, code: str) -> metrics.DataElement:
        def compute(
            *, unit: AdminUnit, period: metrics.Period, viewer: Any, by: tuple[str, ...]
        ) -> metrics.Figure:
            self.calls[code] += 1
            if code in self.forbidden:
                raise PermissionDenied
            total = self.totals.get((code, period.end.year), 0)
            return metrics.Figure(total=total, by={"sex": {"F": total - 1, "M": 1}} if "sex" in by else {})

        return metrics.DataElement(code, code, "fake", compute, disaggregations=("sex",))


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Fakes:
    made = Fakes()
    real_get = metrics.get
    monkeypatch.setattr(
        metrics, "get", lambda code: made.element(code) if code.startswith("fake.") else real_get(code)
    )
    return made


def _enter(unit: AdminUnit, period: str, values: dict[str, int | None], by: Any) -> None:
    data_set = entered.element_of(next(iter(values)))[0]
    report = DataSetReport.objects.create(
        data_set=data_set.code,
        admin_unit=unit,
        province=unit if unit.parent_id is None else unit.parent,
        period=period,
    )
    for code, value in values.items():
        EnteredValue.objects.create(
            report=report,
            element=code,
            admin_unit=unit,
            province=report.province,
            period=period,
            value=value,
            updated_by=by,
        )


# --- pure pieces -----------------------------------------------------------------------------------------


def test_terms_name_an_element_and_optionally_one_category():
    assert Term.parse("cases.abused_children") == Term("cases.abused_children")
    assert Term.parse("cases.abused_children[form=sexual]") == Term("cases.abused_children", "form", "sexual")
    assert Term.parse("health.injury_deaths").is_entered
    with pytest.raises(ValueError):
        Term.parse("abused children")


def test_ratio_applies_the_measure_factor_and_refuses_a_zero_base():
    assert engine.ratio(RATE, Decimal(30), Decimal(366_000)) == Decimal("8.20")
    assert engine.ratio(SHARE, Decimal(145), Decimal(1000)) == Decimal("14.50")
    assert engine.ratio(SHARE, Decimal(1), Decimal(0)) is None
    assert engine.ratio(SHARE, None, Decimal(10)) is None
    assert engine.ratio(COUNT, Decimal(28), None) == Decimal(28)


def test_trend_follows_the_indicator_direction():
    assert engine.trend_of(COUNT, Decimal(26), Decimal(28)) is Trend.BETTER  # fewer incidents
    assert engine.trend_of(COUNT, Decimal(30), Decimal(28)) is Trend.WORSE
    assert engine.trend_of(COUNT, Decimal(28), Decimal(28)) is Trend.SAME
    assert engine.trend_of(GIRLS, Decimal(3), Decimal(1)) is Trend.UNKNOWN  # neutral
    assert engine.trend_of(COUNT, Decimal(3), None) is Trend.UNKNOWN


def test_every_indicator_of_the_catalogue_is_a_formula_over_declared_figures():
    declared = {element.code: element for element in metrics.all_elements()}
    for indicator in catalogue.all_indicators():
        assert (indicator.denominator == "") == (indicator.measure is Measure.COUNT), indicator.code
        for text in indicator.terms:
            term = Term.parse(text)
            assert term.is_entered or term.code in declared, (indicator.code, text)
            if term.dimension:
                assert term.dimension in declared[term.code].disaggregations, (indicator.code, text)
        numerator = Term.parse(indicator.numerator)
        if not numerator.is_entered:
            assert set(indicator.disaggregations) <= set(declared[numerator.code].disaggregations), (
                indicator.code
            )
    codes = [i.code for i in catalogue.all_indicators()]
    assert len(codes) == len(set(codes))
    assert catalogue.get("0101").tt13


def test_every_part_of_rule_names_an_element_of_the_same_data_set():
    for data_set in entered.DATA_SETS:
        codes = {e.code for e in data_set.elements}
        for element in data_set.elements:
            assert element.code.startswith(f"{data_set.code}.")
            assert not element.part_of or element.part_of in codes, element.code


# --- computed terms --------------------------------------------------------------------------------------


def test_a_term_shared_by_several_indicators_is_computed_once(personas, units, fakes):
    fakes.totals |= {("fake.victims", 2020): 30, ("fake.children", 2020): 366_000}
    values = Evaluator(personas.province_officer).values([RATE, COUNT, GIRLS], units.province, Y2020)
    assert [v.value for v in values] == [Decimal("8.20"), Decimal(30), Decimal(29)]
    assert [v.numerator for v in values] == [Decimal(30), Decimal(30), Decimal(29)]
    assert values[0].denominator == Decimal(366_000)
    assert fakes.calls == Counter({"fake.victims": 2, "fake.children": 1})  # total once, by sex once


def test_compare_brings_the_previous_period_and_the_trend(personas, units, fakes):
    fakes.totals |= {("fake.victims", 2020): 26, ("fake.victims", 2019): 28}
    value = Evaluator(personas.province_officer).value(COUNT, units.province, Y2020, compare=True)
    assert (value.value, value.previous, value.trend) == (Decimal(26), Decimal(28), Trend.BETTER)


def test_a_figure_the_viewer_may_not_read_makes_only_its_indicator_unavailable(personas, units, fakes):
    fakes.forbidden.add("fake.children")
    fakes.totals[("fake.victims", 2020)] = 30
    rate, count = Evaluator(personas.province_officer).values([RATE, COUNT], units.province, Y2020)
    assert (rate.available, rate.status, rate.value) == (False, Status.NOT_AVAILABLE, None)
    assert (count.available, count.value) == (True, Decimal(30))


def test_a_unit_outside_the_viewers_scope_is_not_revealed(personas, units, fakes):
    with pytest.raises(Http404):
        Evaluator(personas.officer_b).values([COUNT], units.province, Y2020)
    with pytest.raises(Http404):
        Evaluator(personas.officer_b).values([COUNT], units.commune_a, Y2020)
    Evaluator(personas.officer_b).values([COUNT], units.commune_b, Y2020)  # their own commune


def test_roles_that_never_read_indicators_see_no_unit(personas, units, fakes):
    for user in (personas.hotline, personas.collaborator_a, personas.system_admin):
        with pytest.raises(Http404):
            Evaluator(user).values([COUNT], units.province, Y2020)


# --- disclosure control ----------------------------------------------------------------------------------


def test_leadership_sees_a_small_count_of_children_suppressed_and_officers_see_it(personas, units, fakes):
    fakes.totals |= {("fake.victims", 2020): 3, ("fake.children", 2020): 9000, ("fake.victims", 2019): 5}
    shown = Evaluator(personas.province_officer).value(RATE, units.province, Y2020, compare=True)
    assert (shown.suppressed, shown.numerator) == (False, Decimal(3))
    hidden = Evaluator(personas.viewer).value(RATE, units.province, Y2020, compare=True)
    assert hidden.suppressed
    assert (hidden.numerator, hidden.value, hidden.previous, hidden.trend) == (
        None,
        None,
        None,
        Trend.UNKNOWN,
    )
    assert hidden.denominator == Decimal(9000)  # the child population identifies no one
    published = Evaluator(personas.province_officer, publish=True).value(RATE, units.province, Y2020)
    assert published.suppressed


def test_zero_and_counts_of_sessions_are_never_suppressed(personas, units, fakes):
    sessions = Indicator("T-SESS", "s", Group.PROGRAMME, Measure.COUNT, "fake.victims", counts_children=False)
    fakes.totals[("fake.victims", 2020)] = 2
    assert not Evaluator(personas.viewer).value(sessions, units.province, Y2020).suppressed
    fakes.totals[("fake.victims", 2020)] = 0
    assert not Evaluator(personas.viewer).value(COUNT, units.province, Y2020).suppressed


# --- entered figures -------------------------------------------------------------------------------------


def test_entered_figures_add_up_over_the_geography_and_missing_is_not_zero(personas, units):
    district = units.district_a
    other = (
        AdminUnit.objects.filter(parent=units.province, valid_to__isnull=False)
        .exclude(pk=district.pk)
        .first()
    )
    by = personas.province_officer
    _enter(district, "2020", {"health.weighed_u5": 1000, "health.underweight_u5": 150}, by)
    _enter(other, "2020", {"health.weighed_u5": 3000, "health.underweight_u5": None}, by)  # cleared
    evaluator = Evaluator(by)
    province = evaluator.value(SHARE, units.province, Y2020)
    assert (province.numerator, province.denominator, province.value) == (
        Decimal(150),
        Decimal(4000),
        Decimal("3.75"),
    )
    assert evaluator.value(SHARE, district, Y2020).value == Decimal("15.00")
    nothing = evaluator.value(SHARE, units.province, ReportingPeriod.year(2021))
    assert (nothing.numerator, nothing.status) == (None, Status.NO_DATA)


def test_a_yearly_data_set_has_no_half_year_figure(personas, units):
    _enter(units.district_a, "2020", {"health.injury_deaths": 12}, personas.province_officer)
    deaths = catalogue.get("MN-BV-08")
    evaluator = Evaluator(personas.province_officer)
    assert evaluator.value(deaths, units.province, Y2020).value == Decimal(12)
    assert evaluator.value(deaths, units.province, parse_period("2020H1")).value is None


def test_over_several_years_events_add_up_and_states_take_the_last_year(personas, units):
    by = personas.province_officer
    for year, deaths, pupils in ((2019, 29, 100), (2020, 28, 120)):
        _enter(units.district_a, str(year), {"health.injury_deaths": deaths}, by)
        _enter(
            units.district_a,
            str(year),
            {"education.pupils": pupils, "education.water_safety": pupils // 2},
            by,
        )
    evaluator = Evaluator(by)
    span = parse_period("2019-2020")
    assert evaluator.term("health.injury_deaths", units.province, span) == Decimal(57)
    assert evaluator.term("education.pupils", units.province, span) == Decimal(120)
    assert evaluator.value(catalogue.get("MN-GD-05"), units.province, span).value == Decimal("50.00")


# --- targets and status ----------------------------------------------------------------------------------


def _target(
    unit: AdminUnit,
    indicator: Indicator,
    year: int,
    by: Any,
    kind: str = TargetKind.LEVEL,
    value: str | None = None,
) -> None:
    Target.objects.create(
        indicator=indicator.code,
        admin_unit=unit,
        province=unit,
        year=year,
        kind=kind,
        value=Decimal(value) if value else None,
        updated_by=by,
    )


def test_status_compares_the_value_with_the_target_in_the_indicator_direction(
    personas, units, fakes, monkeypatch
):
    by = personas.province_officer
    fakes.totals |= {("fake.victims", 2020): 26, ("fake.victims", 2019): 28, ("fake.children", 2020): 100_000}
    _target(units.province, COUNT, 2020, by, value="25")
    _target(units.province, RATE, 2020, by, kind=TargetKind.BELOW_PREVIOUS)
    count, rate = Evaluator(by).values([COUNT, RATE], units.province, Y2020)
    assert (count.target.value, count.status) == (Decimal(25), Status.NOT_MET)  # 26 > 25, lower is better
    assert rate.status is Status.NO_DATA  # no 2019 child population, so no 2019 rate to be below
    fakes.totals[("fake.children", 2019)] = 100_000
    rate = Evaluator(by).value(RATE, units.province, Y2020)
    assert (rate.previous, rate.value, rate.status) == (Decimal("28.00"), Decimal("26.00"), Status.MET)


def test_a_half_year_count_against_a_yearly_target_is_in_progress(personas, units, fakes):
    fakes.totals[("fake.victims", 2020)] = 10
    _target(units.province, COUNT, 2020, personas.province_officer, value="25")
    value = Evaluator(personas.province_officer).value(COUNT, units.province, parse_period("2020H1"))
    assert value.status is Status.IN_PROGRESS
