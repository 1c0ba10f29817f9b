"""The reads of entered data: the overview of who has reported (status, figures filled, timeliness),
its completeness and timeliness, its scope and its cost in queries; a report's history."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mangnon.accounts.access import forget_cached_scope
from mangnon.indicators import entry_selectors as sel
from mangnon.indicators import entry_services as services
from mangnon.indicators.entered import get_data_set
from mangnon.indicators.models import ReportStatus
from mangnon.indicators.periods import ReportingPeriod
from mangnon.indicators.tests.factories import DataSetReportFactory, EnteredValueFactory, districts_2020

HEALTH = get_data_set("health")
COMMUNE = get_data_set("commune")
Y2020 = ReportingPeriod.year(2020)
Y2025 = ReportingPeriod.year(2025)
DUE_2020 = date(2021, 1, 15)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def test_the_province_expects_its_13_districts_in_2020_and_its_communes_from_2025(
    personas: Any, units: Any
) -> None:
    view = sel.overview(personas.province_officer, HEALTH, Y2020, units.province, today=date(2021, 1, 10))
    assert view.expected == 13 and view.due_on == DUE_2020
    assert all(r.unit.valid_to is not None for r in view.rows)
    later = sel.overview(personas.province_officer, HEALTH, Y2025, units.province)
    assert later.expected == 54
    assert all(r.unit.parent_id == units.province.pk for r in later.rows)


def test_completeness_and_timeliness(personas: Any, units: Any) -> None:
    d = districts_2020()
    DataSetReportFactory(admin_unit=d[0], status=ReportStatus.APPROVED, submitted_at=at(date(2021, 1, 10)))
    DataSetReportFactory(admin_unit=d[1], status=ReportStatus.SUBMITTED, submitted_at=at(DUE_2020))
    DataSetReportFactory(admin_unit=d[2], status=ReportStatus.SUBMITTED, submitted_at=at(date(2021, 2, 1)))
    open_report = DataSetReportFactory(admin_unit=d[3])
    EnteredValueFactory(report=open_report, element="health.live_births", value=10)
    EnteredValueFactory(report=open_report, element="health.deaths_u5", value=None)
    view = sel.overview(personas.province_officer, HEALTH, Y2020, units.province, today=date(2021, 3, 1))
    by_unit = {r.unit.pk: r for r in view.rows}
    assert by_unit[d[0].pk].timeliness is sel.Timeliness.ON_TIME
    assert by_unit[d[1].pk].timeliness is sel.Timeliness.ON_TIME  # on the due date itself
    assert by_unit[d[2].pk].timeliness is sel.Timeliness.LATE
    assert by_unit[d[3].pk].timeliness is sel.Timeliness.OVERDUE and by_unit[d[3].pk].filled == 1
    assert by_unit[d[4].pk].report is None and by_unit[d[4].pk].timeliness is sel.Timeliness.OVERDUE
    assert view.submitted == 3 and view.on_time == 2
    assert view.completeness == Decimal("23.1")  # 3 of 13
    assert view.timeliness == Decimal("15.4")  # 2 of 13
    early = sel.overview(personas.province_officer, HEALTH, Y2020, units.province, today=date(2021, 1, 2))
    assert {r.timeliness for r in early.rows if r.report is None} == {sel.Timeliness.NOT_YET_DUE}


def test_no_expected_unit_means_no_rate(personas: Any, units: Any) -> None:
    view = sel.overview(personas.officer_a, HEALTH, Y2020, units.commune_a)  # no district lies in a commune
    assert view.expected == 0 and view.completeness is None and view.timeliness is None


def test_a_commune_sees_its_own_units_only(personas: Any, units: Any) -> None:
    view = sel.overview(personas.officer_a, COMMUNE, Y2025, units.commune_a)
    assert [r.unit for r in view.rows] == [units.commune_a]
    legacy = sel.overview(personas.officer_a, COMMUNE, Y2020, units.commune_a)
    assert units.legacy_a in [r.unit for r in legacy.rows]
    assert units.legacy_b not in [r.unit for r in legacy.rows]
    with pytest.raises(Http404):
        sel.overview(personas.officer_b, COMMUNE, Y2025, units.commune_a)
    # Asked at the province, commune B's officer still sees only B.
    with pytest.raises(Http404):
        sel.overview(personas.officer_b, COMMUNE, Y2025, units.province)


def test_the_overview_costs_the_same_queries_however_many_units(personas: Any, units: Any) -> None:
    for d in districts_2020():
        report = DataSetReportFactory(admin_unit=d)
        EnteredValueFactory(report=report)
    user = personas.province_officer
    sel.overview(user, HEALTH, Y2020, units.province)  # the scope is worked out once per request
    with CaptureQueriesContext(connection) as small:
        assert sel.overview(user, HEALTH, Y2020, units.province).expected == 13
    with CaptureQueriesContext(connection) as large:
        assert sel.overview(user, HEALTH, Y2025, units.province).expected == 54
    assert len(small) == len(large) <= 3
    forget_cached_scope(user)


def test_overview_within_a_query_budget_from_cold(
    personas: Any, units: Any, django_assert_max_num_queries: Any
) -> None:
    for d in districts_2020():
        DataSetReportFactory(admin_unit=d, status=ReportStatus.SUBMITTED, submitted_at=at(date(2021, 1, 3)))
    with django_assert_max_num_queries(8):
        view = sel.overview(personas.province_manager, HEALTH, Y2020, units.province)
    assert view.completeness == 100 and view.timeliness == 100


def test_history_lists_changes_and_steps_newest_first(personas: Any) -> None:
    d = districts_2020()[0]
    full = {e.code: 1 for e in HEALTH.elements}
    saved = services.report_values_save(
        actor=personas.province_officer, data_set=HEALTH, unit=d, period=Y2020, values=full, version=None
    )
    assert saved.report is not None
    services.report_submit(actor=personas.province_officer, report=saved.report)
    services.report_return(actor=personas.province_manager, report=saved.report, reason="Kiểm tra lại")
    services.report_values_save(
        actor=personas.province_officer, data_set=HEALTH, unit=d, period=Y2020,
        values={"health.live_births": 2}, version=saved.report.version,
    )  # fmt: skip
    rows = sel.history(personas.viewer, HEALTH, d, Y2020)
    assert len(rows) == 8 + 2 + 1
    assert rows[0].element is not None and (rows[0].old, rows[0].new) == (1, 2)
    assert (
        rows[1].event is not None
        and rows[1].event.kind == "returned"
        and rows[1].event.reason == "Kiểm tra lại"
    )
    assert rows[2].event is not None and rows[2].event.kind == "submitted"
    with pytest.raises(Http404):
        sel.history(personas.officer_b, HEALTH, d, Y2020)
