import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from mangnon.accounts.access import scope_of_units
from mangnon.core import bench
from mangnon.core.bench import Registry, Target

LINE = re.compile(
    r"^(?P<name>\S+)\s+median (?P<median>[\d.]+) ms \([\d.]+ ms–[\d.]+ ms\)"
    r"\s+baseline (?P<baseline>[\d.]+) ms \([\d.]+ ms–[\d.]+ ms\)"
    r"\s+ratio (?P<ratio>[\d.]+)×\s+target (?P<target>.+?)\s+(?P<verdict>PASS|FAIL)"
)


def fast_sum(n):
    return sum(range(n))


def slow_sum(n):
    total = 0
    for i in range(n):
        total += i
    return total


@pytest.fixture
def tiny():
    """A tiny benchmark in the project's registry for the command to find; removed afterwards."""
    names = []

    def add(name, func=fast_sum, target=None, baseline=slow_sum):
        bench.benchmark(name=name, target=target, baseline=baseline, setup=lambda: 2000)(func)
        names.append(name)

    yield add
    for name in names:
        bench.registry.benchmarks.pop(name)


def test_run_times_both_sides_alternately_and_compares_results():
    calls = []
    reg = Registry()

    def measured(n):
        calls.append("m")
        return fast_sum(n)

    def baseline(n):
        calls.append("b")
        return slow_sum(n)

    reg.benchmark(name="t.sum", target=Target(min_ratio=0.01), baseline=baseline, setup=lambda: 500)(measured)
    result = bench.run(reg.benchmarks["t.sum"], repeat=3)
    # One warm-up each, then alternating pairs: m b, b m, m b.
    assert calls == ["m", "b", "m", "b", "b", "m", "m", "b"]
    assert len(result.measured.samples_ms) == len(result.baseline.samples_ms) == 3
    assert result.same_result and result.passed
    assert result.ratio == pytest.approx(result.baseline.median / result.measured.median)


def test_the_line_shows_median_spread_baseline_ratio_target_and_verdict():
    b = bench.Benchmark("t.sum", fast_sum, Target(10_000, 0.01), slow_sum, setup=lambda: 1000)
    line = bench.run(b, repeat=2).line()
    match = LINE.match(line)
    assert match, line
    assert match["name"] == "t.sum"
    assert match["target"] == "median ≤ 10000 ms, ratio ≥ 0.01×"
    assert match["verdict"] == "PASS"


def test_a_baseline_with_a_different_answer_fails_whatever_the_speed():
    b = bench.Benchmark("t.wrong", lambda: 1, Target(), lambda: 2)
    result = bench.run(b, repeat=1)
    assert not result.same_result
    assert not result.passed
    assert result.line().endswith("FAIL (baseline gave a different result)")


def test_a_benchmark_without_baseline_is_judged_on_its_median_only():
    result = bench.run(bench.Benchmark("t.alone", lambda: 1, Target(max_median_ms=10_000)), repeat=2)
    assert result.baseline is None and result.ratio is None
    assert result.passed
    assert "no baseline" in result.line()


@pytest.mark.parametrize(
    ("target", "median", "ratio", "met"),
    [
        (Target(max_median_ms=50), 49.0, None, True),
        (Target(max_median_ms=50), 51.0, 100.0, False),
        (Target(min_ratio=5), 1.0, 5.0, True),
        (Target(min_ratio=5), 1.0, 4.9, False),
        (Target(min_ratio=5), 1.0, None, False),
        (Target(max_median_ms=50, min_ratio=5), 10.0, 6.0, True),
        (Target(), 1e9, None, True),
    ],
)
def test_target(target, median, ratio, met):
    assert target.met(median, ratio) is met


def test_select_by_name_or_prefix_and_refuse_unknown_names():
    reg = Registry()
    for name in ("geo.a", "geo.b", "geography.c", "cases.d"):
        reg.benchmark(name=name)(fast_sum)
    assert [b.name for b in reg.select(["geo"])] == ["geo.a", "geo.b"]
    assert [b.name for b in reg.select(["cases.d", "geo.b"])] == ["cases.d", "geo.b"]
    assert [b.name for b in reg.select([])] == ["cases.d", "geo.a", "geo.b", "geography.c"]
    with pytest.raises(LookupError):
        reg.select(["ge"])
    with pytest.raises(ValueError, match="twice"):
        reg.benchmark(name="geo.a")(fast_sum)


@pytest.mark.django_db
def test_command_prints_the_database_and_one_line_per_benchmark(tiny):
    tiny("zz.tiny", target=Target(max_median_ms=10_000, min_ratio=0.01))
    out = StringIO()
    call_command("bench", "zz", "--repeat", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"database: {connection.vendor} ")
    assert "2 runs each" in lines[0]
    match = LINE.match(lines[1])
    assert match and match["name"] == "zz.tiny" and match["verdict"] == "PASS"
    assert lines[-1] == "1 passed, 0 failed"


@pytest.mark.django_db
def test_command_fails_only_with_strict_when_a_target_is_missed(tiny):
    tiny("zz.hopeless", target=Target(max_median_ms=0))
    out = StringIO()
    call_command("bench", "zz.hopeless", "--repeat", "1", stdout=out)
    assert out.getvalue().splitlines()[-1] == "0 passed, 1 failed"
    with pytest.raises(CommandError, match=r"zz\.hopeless") as error:
        call_command("bench", "zz.hopeless", "--repeat", "1", "--strict", stdout=StringIO())
    assert error.value.returncode == 1


def test_command_refuses_unknown_names():
    with pytest.raises(CommandError, match="No benchmark named nope"):
        call_command("bench", "nope", stdout=StringIO())


def test_command_lists_the_discovered_geography_benchmarks():
    out = StringIO()
    call_command("bench", "--list", stdout=out)
    listed = out.getvalue()
    assert "geo.scope_resolution" in listed
    assert "geo.scope_commune" in listed


@pytest.mark.django_db
def test_commune_scope_benchmark_runs_and_its_baseline_agrees(units):
    out = StringIO()
    call_command("bench", "geo.scope_commune", "--repeat", "1", stdout=out)
    line = out.getvalue().splitlines()[1]
    assert LINE.match(line), line
    assert "different result" not in line


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["commune_a", "commune_b", "province", "legacy_a", "district_a"])
def test_naive_baseline_finds_the_same_units_as_scope_of_units(units, who):
    from mangnon.geo.benchmarks import naive_scope_ids

    unit = getattr(units, who)
    assert naive_scope_ids([unit]) == scope_of_units([unit]).unit_ids()


@pytest.mark.django_db
def test_naive_baseline_covers_the_old_district_whose_communes_all_went_into_the_scope(units):
    from mangnon.geo.benchmarks import naive_scope_ids
    from mangnon.geo.models import AdminUnit

    successors = AdminUnit.objects.filter(predecessor_links__old_unit__parent=units.district_a).distinct()
    ids = naive_scope_ids(list(successors))
    assert units.district_a.pk in ids
    assert ids == scope_of_units(list(successors)).unit_ids()


@pytest.mark.django_db
def test_count_queries_counts_each_query_of_one_call():
    def three(table):
        with connection.cursor() as cursor:
            for _ in range(3):
                cursor.execute(f"SELECT COUNT(*) FROM {table}")

    assert bench.count_queries(three, "django_migrations") == 3
    assert bench.count_queries(lambda: None) == 0
