"""The case benchmarks on a small set: the set is built once, completed after an interruption and
consistent (next_due_at is the earliest open deadline); each measured read agrees with its baseline."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Min

from mangnon.cases import benchmarks
from mangnon.cases.models import Case, Deadline
from mangnon.cases.workflow import Status
from mangnon.core import bench
from mangnon.registry.models import Child

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(monkeypatch: Any, units: Any) -> None:
    monkeypatch.setattr(benchmarks, "PROVINCE", "22")  # the test database's province
    monkeypatch.setattr(benchmarks, "SIZE", 600)
    monkeypatch.setattr(benchmarks, "CHUNK", 250)


def test_the_set_is_built_once_completed_and_consistent(small: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(benchmarks, "SIZE", 250)  # a run cut short after its first chunk
    where = benchmarks.build_set()
    assert Case.objects.filter(province=where.province).count() == 250
    monkeypatch.setattr(benchmarks, "SIZE", 600)
    benchmarks.build_set()
    benchmarks.build_set()
    cases = Case.objects.filter(province=where.province)
    assert cases.count() == 600 and Child.objects.filter(province=where.province).count() == 600
    assert cases.values("number").distinct().count() == 600
    statuses = set(cases.values_list("status", flat=True))
    assert Status.CLOSED in statuses and Status.IN_SERVICE in statuses
    # next_due_at is the earliest open deadline, as cases.deadlines keeps it.
    earliest = dict(
        Deadline.objects.filter(case__in=cases, met_at__isnull=True, cancelled=False)
        .values("case")
        .annotate(first=Min("due_at"))
        .values_list("case", "first")
    )
    assert {c.pk: c.next_due_at for c in cases if c.next_due_at} == earliest
    assert not cases.filter(status=Status.CLOSED, next_due_at__isnull=False).exists()
    late = cases.filter(next_due_at__lt=benchmarks.NOW).exclude(status=Status.CLOSED).count()
    assert 0 < late < cases.exclude(status=Status.CLOSED).count()
    assert cases.filter(admin_unit=where.busiest, caseworker__username=benchmarks.OFFICER).exists()


def test_each_read_agrees_with_its_naive_baseline(small: Any) -> None:
    officer, supervisor = benchmarks.officer_set(), benchmarks.supervisor_set()
    mine, unassigned, to_approve = benchmarks.caseload(officer)
    assert mine and unassigned and to_approve == []
    assert (mine, unassigned, to_approve) == benchmarks.naive_caseload(officer)
    for viewer in (officer, supervisor):
        shown = benchmarks.dashboard(viewer)
        assert shown == benchmarks.naive_dashboard(viewer)
        assert shown.summary.overdue > 0 and shown.overdue
        assert sum(shown.summary.by_risk.values()) == shown.summary.open
    province = benchmarks.dashboard(supervisor).summary
    assert len(province.by_commune) > 1 and all(province.by_risk.values())  # each level, and not yet rated
    count, page = benchmarks.overdue_list(supervisor)
    assert count > len(page) > 0
    assert (count, page) == benchmarks.naive_overdue_list(supervisor)


@pytest.mark.parametrize(
    "name", ["cases.caseload", "cases.dashboard_commune", "cases.dashboard_province", "cases.overdue_list"]
)
def test_registered_and_runs_through_the_harness(small: Any, name: str) -> None:
    bench.autodiscover()
    result = bench.run(bench.registry.benchmarks[name], repeat=1)
    assert result.same_result and result.baseline is not None
