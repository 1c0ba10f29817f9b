"""The registry benchmarks on a small set: they run, their baselines agree, the figures are printed."""

from __future__ import annotations

from typing import Any

import pytest

from mangnon.core import bench
from mangnon.registry import benchmarks
from mangnon.registry.models import Child

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(monkeypatch: Any, units: Any) -> None:
    monkeypatch.setattr(benchmarks, "SIZE", 400)
    monkeypatch.setattr(benchmarks, "SAMPLE", 36)
    monkeypatch.setattr(benchmarks, "TIMED", 4)
    monkeypatch.setattr(benchmarks, "SEARCHES", 3)


def test_the_set_is_built_once_and_reused(small: Any) -> None:
    province = benchmarks.build_set()
    assert Child.objects.filter(province=province).count() == 400
    benchmarks.build_set()
    assert Child.objects.filter(province=province).count() == 400


def test_match_finds_the_injected_duplicates_and_agrees_with_its_baseline(small: Any) -> None:
    data = benchmarks.match_set()
    assert {c.kind for c in data.checks} == set(benchmarks.VARIANTS)
    assert len(data.timed) == 4
    assert benchmarks.match_batch(data) == benchmarks.naive_match_batch(data)
    lines = benchmarks.match_quality(data)
    assert "recall (likely+possible)" in lines[0] and "precision at likely" in lines[0]
    assert lines[1].startswith("the true record offered as likely in ") and "missed by kind:" in lines[1]


def test_search_agrees_with_the_icontains_baseline(small: Any) -> None:
    data = benchmarks.search_set()
    assert len(data.queries) == 3
    found = benchmarks.search(data)
    assert found == benchmarks.naive_search(data)
    assert all(count >= 1 for count, _page in found)


def test_registered_with_per_call_batches_and_a_report(small: Any) -> None:
    bench.autodiscover()
    match = bench.registry.benchmarks["registry.match"]
    assert match.per_call == benchmarks.TIMED or match.per_call > 1
    assert match.report is benchmarks.match_quality
    result = bench.run(bench.registry.benchmarks["registry.search"], repeat=1)
    assert result.same_result
