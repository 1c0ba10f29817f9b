"""Indicator benchmark: the whole catalogue for the province over a year, at province scale.

indicators.province_year: `Evaluator.values(every indicator, Quảng Ninh, 2020)` for the province
officer, a fresh Evaluator and a fresh scope on every call (as on every request to the dashboard). The
set, built once per database and reused:

- Quảng Ninh's children at full scale: the registry demo's plan for the whole province (366,000
  children in their households, 4,000 in special circumstances and 4,400 at risk, registered from 2016
  on: `registry.demo_data.load` with scale "full"), about five minutes the first time;
- ten times the province's programme work of 2020 (`activities.benchmarks.build_set`: 7,300
  activities with 146,000 tally cells, 133,030 payments, voices…);
- the entered figures of 2019 and 2020 (`indicators.demo_data`: health and education by the 13
  pre-reform district-level units, the commune data set by the 171 communes, the survey) and the
  demo's targets.

The baseline computes the same values the straightforward way, in the same run: each indicator on its
own (no term shared between indicators), the registry's figures from the province's children read as
rows (their birth dates, registration and status) and judged in Python against the sets of children
with a circumstance, a risk, a payment or a placement read the same way; entered figures read as rows
and summed in Python; the sessions and courses read as rows, and the sessions' tally cells, counted in
Python. (The few incidents and voices are read through their own figures.) Both return each
indicator's numerator, denominator, value and status, which must be equal.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as day_time
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from mangnon.accounts import bench
from mangnon.accounts.models import User
from mangnon.activities import benchmarks as activity_bench
from mangnon.activities.codes import ActivityKind
from mangnon.activities.models import Activity, Tally
from mangnon.core.bench import Target, benchmark, count_queries
from mangnon.geo.models import AdminUnit
from mangnon.registry import demo_data as registry_demo
from mangnon.registry.codes import ChildStatus
from mangnon.registry.models import Child, RiskFlag, SpecialCircumstance
from mangnon.support.models import AlternativeCare, Disbursement

from . import demo_data, entered
from .catalogue import Indicator, all_indicators
from .engine import Evaluator, Term
from .models import DataSetReport, EnteredValue
from .periods import ReportingPeriod

YEAR = 2020
PERIOD = ReportingPeriod.year(YEAR)


@dataclass
class _Context:
    """What the registry's demo loader reads of its context."""

    scale: str = "full"
    seed: int = 20200601

    def say(self, message: str) -> None:
        print(f"    {message.strip()}", flush=True)


@dataclass
class Viewer(bench.Viewer):
    province: AdminUnit


def build_set() -> Viewer:
    """The province with its children, a year of programme work and entered figures (once per database)."""
    where = activity_bench.build_set()
    user = User.objects.get(username=activity_bench.OFFICER)
    started = clock.perf_counter()
    ctx = _Context()
    registry_demo.load(ctx, total=registry_demo.FULL_CHILDREN)
    geo = demo_data.geography()
    people = demo_data.People(submitter=user, approver=user, commune_officers={})
    for year in (YEAR - 1, YEAR):
        for data_set in entered.DATA_SETS:
            if not DataSetReport.objects.filter(data_set=data_set.code, period=str(year)).exists():
                demo_data.load_year(ctx, geo, people, data_set, year)
    demo_data.load_targets(geo, people)
    elapsed = clock.perf_counter() - started
    if elapsed > 5:
        print(f"    (built the children and entered figures in {elapsed:.0f} s)", flush=True)
        with connection.cursor() as cursor:
            for model in (Child, SpecialCircumstance, RiskFlag, EnteredValue):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return Viewer(user, where.province)


Result = list[tuple[str, Decimal | None, Decimal | None, Decimal | None, str]]


def _result(values: list[Any]) -> Result:
    return [(v.indicator.code, v.numerator, v.denominator, v.value, str(v.status)) for v in values]


def province_year(v: Viewer) -> Result:
    return _result(Evaluator(v.fresh()).values(all_indicators(), v.province, PERIOD))


# The baseline ---------------------------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def _active(rows: Any, day: date) -> set[int]:
    return {child for child, start, end in rows if start <= day and (end is None or end >= day)}


class NaiveEvaluator(Evaluator):
    """Every term computed anew for each indicator, from rows read into Python where they are many."""

    def __init__(self, viewer: Any, province: AdminUnit) -> None:
        super().__init__(viewer)
        self.province = province

    def prefetch_entered(self, codes: Any, unit: AdminUnit, period: ReportingPeriod) -> None:
        return None

    def term(self, text: str, unit: AdminUnit, period: ReportingPeriod) -> Decimal | None:
        term = Term.parse(text)
        self._figures.clear()  # nothing shared between indicators
        if term.is_entered:
            return self._entered(term.code, period)
        if term.code.startswith("registry."):
            return Decimal(self._registry(term.code, period.end))
        if term.code in ("activities.sessions", "activities.courses", "activities.session_person_times"):
            return Decimal(self._activities(term.code, period))
        return super().term(text, unit, period)

    def _entered(self, code: str, period: ReportingPeriod) -> Decimal | None:
        rows = EnteredValue.objects.filter(admin_unit__path__startswith=self.province.path).values_list(
            "element", "period", "value"
        )
        found = [value for element, key, value in rows if element == code and key == period.key]
        values = [value for value in found if value is not None]
        return Decimal(sum(values)) if values else None

    def _registry(self, code: str, day: date) -> int:
        sixteen = _years_before(day, 16)
        registered_by = timezone.make_aware(datetime.combine(day + timedelta(days=1), day_time.min))
        counted = set()
        for pk, status, created, born, year in Child.objects.filter(
            admin_unit__path__startswith=self.province.path
        ).values_list("pk", "status", "created_at", "person__date_of_birth", "person__birth_year"):
            if status == ChildStatus.MERGED or created >= registered_by:
                continue
            if (born is not None and sixteen < born <= day) or (
                born is None and year is not None and day.year - 16 < year <= day.year
            ):
                counted.add(pk)
        if code == "registry.children":
            return len(counted)
        if code == "registry.special_circumstances":
            rows = SpecialCircumstance.objects.values_list("child_id", "start_date", "end_date")
            return len(counted & _active(rows, day))
        if code == "registry.at_risk":
            return len(
                counted & _active(RiskFlag.objects.values_list("child_id", "start_date", "end_date"), day)
            )
        if code == "registry.assisted":
            since = _years_before(day, 1)
            paid = {
                c
                for c, paid_on in Disbursement.objects.values_list("child_id", "paid_on")
                if since < paid_on <= day
            }
            cared = _active(AlternativeCare.objects.values_list("child_id", "start", "end"), day)
            return len(counted & (paid | cared))
        raise KeyError(code)

    def _activities(self, code: str, period: ReportingPeriod) -> int:
        kind = ActivityKind.TRAINING if code == "activities.courses" else ActivityKind.SESSION
        ids = [
            pk
            for pk, k, start in Activity.objects.filter(
                admin_unit__path__startswith=self.province.path
            ).values_list("pk", "kind", "start_date")
            if k == kind and period.start <= start <= period.end
        ]
        if code != "activities.session_person_times":
            return len(ids)
        wanted = set(ids)
        return sum(
            n for activity, n in Tally.objects.values_list("activity_id", "count") if activity in wanted
        )


def naive_province_year(v: Viewer) -> Result:
    out: list[Any] = []
    for indicator in all_indicators():
        evaluator = NaiveEvaluator(v.fresh(), v.province)
        out.extend(evaluator.values([indicator], v.province, PERIOD))
    return _result(out)


def report(v: Viewer) -> Iterator[str]:
    result = dict((code, rest) for code, *rest in province_year(v))
    children = result["MN-CH-01"][0]
    queries = count_queries(province_year, v)
    indicators: list[Indicator] = list(all_indicators())
    yield (
        f"{v.province.name}, {YEAR}: {len(indicators)} indicators, {children:,} children under 16 counted, "
        f"{result['MN-HD-01'][0]:,} sessions, {result['MN-HD-02'][0]:,} person-times; "
        f"{queries} queries a call"
    )


benchmark(
    name="indicators.province_year",
    target=Target(max_median_ms=300),
    baseline=naive_province_year,
    setup=build_set,
    report=report,
)(province_year)
