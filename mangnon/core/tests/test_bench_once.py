"""Benchmarks run once: one timed call without warm-up or baseline, judged on their target and check."""

import pytest

from mangnon.core import bench
from mangnon.core.bench import Registry, Target


def test_a_benchmark_run_once_calls_its_function_once_then_reports_and_checks():
    calls = []
    reg = Registry()

    def measured(data):
        calls.append("m")
        data["done"] = 1000

    reg.benchmark(
        name="t.long",
        target=Target(max_median_ms=10_000),
        setup=dict,
        per_call=1000,
        report=lambda data: [f"{data['done']} rows"],
        once=True,
        check=lambda data: data["done"] == 1000,
    )(measured)
    result = bench.run(reg.benchmarks["t.long"], repeat=7)
    assert calls == ["m"]
    assert len(result.measured.samples_ms) == 1 and result.baseline is None
    assert result.checked and result.passed
    line = result.line()
    assert line.startswith("t.long") and " once " in line and "median (" not in line
    assert line.endswith("PASS\n    1000 rows")


def test_a_failed_check_fails_the_benchmark_whatever_the_time():
    reg = Registry()
    reg.benchmark(name="t.leaky", setup=dict, once=True, check=lambda data: False)(lambda data: None)
    result = bench.run(reg.benchmarks["t.leaky"])
    assert not result.passed
    assert "FAIL (check failed: see below)" in result.line()


def test_a_check_applies_to_repeated_benchmarks_too():
    b = bench.Benchmark("t.sum", lambda: 1, Target(), check=lambda: False)
    assert not bench.run(b, repeat=1).passed


def test_a_benchmark_run_once_has_no_baseline():
    with pytest.raises(ValueError, match="no baseline"):
        Registry().benchmark(name="t.both", baseline=lambda: 1, once=True)


def test_long_times_are_shown_in_seconds():
    b = bench.Benchmark("t.slow", lambda: None, Target(), once=True)
    result = bench.Result(b, bench.Timing((152_300.0,)), None, True)
    assert "once 152.3 s" in result.line()
