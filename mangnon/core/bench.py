"""Benchmarks: named measurements, each beside a naive baseline and a target. Run by `mangnon bench`.

An app registers benchmarks in its own `benchmarks.py`, found at run time the way Django finds
`admin.py`:

    @benchmark(name="geo.scope_resolution", target=Target(max_median_ms=50, min_ratio=5),
               baseline=naive_scope, setup=make_country_user)
    def scope(units): ...

`setup()` runs once, before any timing; what it returns is passed to the measured function and to the
baseline (both take no argument when there is no setup). Each is called once to warm caches, then the
two are timed alternately (so drift in the machine's load hits both alike), with the garbage collector
off and Django's query log off, as in production. Both must return equal results on every call, or the
benchmark fails: a fast answer to a different question proves nothing.

A long, stateful measurement (an import of 100,000 rows) is declared with `once=True`: it is run and
timed a single time, without warm-up or baseline, its figures come from `report`, and `check` (a
condition on setup's data after the run, such as "memory stayed flat") is part of its verdict.

The report is a developer's figure sheet, like test output, so it is not translated.
"""

from __future__ import annotations

import gc
import platform
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import django
from django.apps import apps
from django.db import connection
from django.test.utils import override_settings
from django.utils.module_loading import module_has_submodule

DEFAULT_REPEAT = 7


@dataclass(frozen=True)
class Target:
    """What the measured function must achieve: a median time, a speed-up over the baseline, or both."""

    max_median_ms: float | None = None
    min_ratio: float | None = None

    def met(self, median_ms: float, ratio: float | None) -> bool:
        if self.max_median_ms is not None and median_ms > self.max_median_ms:
            return False
        return self.min_ratio is None or (ratio is not None and ratio >= self.min_ratio)

    def __str__(self) -> str:
        parts = []
        if self.max_median_ms is not None:
            parts.append(f"median ≤ {self.max_median_ms:g} ms")
        if self.min_ratio is not None:
            parts.append(f"ratio ≥ {self.min_ratio:g}×")
        return ", ".join(parts) or "none"


@dataclass(frozen=True)
class Benchmark:
    name: str
    func: Callable[..., Any]
    target: Target
    baseline: Callable[..., Any] | None = None
    setup: Callable[[], Any] | None = None
    # Operations each call performs (a batch of checks): times are reported and judged per operation.
    per_call: int = 1
    # Extra figures (recall, precision, rows per second…) computed from setup's data after the timing.
    report: Callable[..., Iterable[str]] | None = None
    # Run and timed a single time, without a warm-up: a warm-up would double a long run.
    once: bool = False
    # A further condition on setup's data after the timing, which the benchmark must meet too.
    check: Callable[..., bool] | None = None


@dataclass
class Registry:
    benchmarks: dict[str, Benchmark] = field(default_factory=dict)

    def benchmark(
        self,
        *,
        name: str,
        target: Target | None = None,
        baseline: Callable[..., Any] | None = None,
        setup: Callable[[], Any] | None = None,
        per_call: int = 1,
        report: Callable[..., Iterable[str]] | None = None,
        once: bool = False,
        check: Callable[..., bool] | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        if once and baseline is not None:
            raise ValueError(f"benchmark {name!r}: a benchmark run once has no baseline to alternate with")

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            if name in self.benchmarks:
                raise ValueError(f"benchmark {name!r} is registered twice")
            self.benchmarks[name] = Benchmark(
                name, func, target or Target(), baseline, setup, per_call, report, once, check
            )
            return func

        return register

    def select(self, names: Sequence[str] = ()) -> list[Benchmark]:
        """The benchmarks named (a name or a dotted prefix: "geo" selects geo.*), all when none is named."""
        if not names:
            return [self.benchmarks[n] for n in sorted(self.benchmarks)]
        chosen: dict[str, Benchmark] = {}
        for wanted in names:
            hits = [
                b for n, b in sorted(self.benchmarks.items()) if n == wanted or n.startswith(f"{wanted}.")
            ]
            if not hits:
                raise LookupError(wanted)
            chosen.update((b.name, b) for b in hits)
        return list(chosen.values())


registry = Registry()
benchmark = registry.benchmark


def autodiscover() -> None:
    """Import the `benchmarks` module of every mangnon app that has one (which registers its benchmarks)."""
    for config in apps.get_app_configs():
        if config.name.startswith("mangnon.") and module_has_submodule(config.module, "benchmarks"):
            import_module(f"{config.name}.benchmarks")


def count_queries(func: Callable[..., Any], *args: Any) -> int:
    """The number of queries one call of `func(*args)` makes (counted as they run: no log to overflow)."""
    count = 0

    def counter(execute: Callable[..., Any], *rest: Any) -> Any:
        nonlocal count
        count += 1
        return execute(*rest)

    with connection.execute_wrapper(counter):
        func(*args)
    return count


@dataclass(frozen=True)
class Timing:
    samples_ms: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def low(self) -> float:
        return min(self.samples_ms)

    @property
    def high(self) -> float:
        return max(self.samples_ms)


@dataclass(frozen=True)
class Result:
    benchmark: Benchmark
    measured: Timing
    baseline: Timing | None
    same_result: bool
    extra: tuple[str, ...] = ()
    checked: bool = True  # the benchmark's `check`, when it has one

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.measured.median <= 0:
            return None
        return self.baseline.median / self.measured.median

    @property
    def passed(self) -> bool:
        return (
            self.same_result and self.checked and self.benchmark.target.met(self.measured.median, self.ratio)
        )

    def line(self) -> str:
        m = self.measured
        parts = [f"{self.benchmark.name:<28}"]
        if self.benchmark.once:
            parts.append(f"once {_ms(m.median)}")
        else:
            parts.append(f"median {_ms(m.median)} ({_ms(m.low)}–{_ms(m.high)})")
        if self.baseline is not None:
            b = self.baseline
            parts.append(f"baseline {_ms(b.median)} ({_ms(b.low)}–{_ms(b.high)})")
            parts.append(f"ratio {self.ratio:.1f}×" if self.ratio is not None else "ratio -")
        else:
            parts.append("no baseline")
        parts.append(f"target {self.benchmark.target}")
        verdict = "PASS" if self.passed else "FAIL"
        if not self.same_result:
            verdict += " (baseline gave a different result)"
        if not self.checked:
            verdict += " (check failed: see below)"
        parts.append(verdict)
        return "\n".join(["  ".join(parts), *(f"    {x}" for x in self.extra)])


def _ms(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"


def _timed(func: Callable[..., Any], args: tuple[Any, ...], per_call: int = 1) -> tuple[float, Any]:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        value = func(*args)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed * 1000 / per_call, value


def run(bench: Benchmark, repeat: int = DEFAULT_REPEAT) -> Result:
    """Set up, warm up, then time the function and its baseline alternately `repeat` times each (a
    benchmark declared `once`: set up, then time one run, `repeat` aside)."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    args: tuple[Any, ...] = (bench.setup(),) if bench.setup else ()
    if bench.once:
        # The garbage collector stays on: a long run without it would pile up cyclic garbage, which is
        # neither its speed nor its memory in production.
        with override_settings(DEBUG=False):
            gc.collect()
            start = time.perf_counter()
            bench.func(*args)
            ms = (time.perf_counter() - start) * 1000 / bench.per_call
            extra = tuple(bench.report(*args)) if bench.report else ()
            checked = bench.check(*args) if bench.check else True
        return Result(bench, Timing((ms,)), None, True, extra, checked)
    measured: list[float] = []
    baseline: list[float] = []
    same = True
    # DEBUG on would log every query, which costs the many-query baseline more than the measured side.
    with override_settings(DEBUG=False):
        expected = bench.func(*args)
        if bench.baseline is not None:
            same = bench.baseline(*args) == expected
        for i in range(repeat):
            # Alternate which goes first, so neither always runs on the other's warm caches.
            for side in (0, 1) if i % 2 == 0 else (1, 0):
                if side == 0:
                    ms, value = _timed(bench.func, args, bench.per_call)
                    measured.append(ms)
                elif bench.baseline is not None:
                    ms, value = _timed(bench.baseline, args, bench.per_call)
                    baseline.append(ms)
                else:
                    continue
                same = same and value == expected
        extra = tuple(bench.report(*args)) if bench.report else ()
        checked = bench.check(*args) if bench.check else True
    timing = Timing(tuple(baseline)) if baseline else None
    return Result(bench, Timing(tuple(measured)), timing, same, extra, checked)


def describe_database() -> str:
    """Which database the benchmarks ran on, so figures from different runs are not compared blindly."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version} ({settings['NAME']})"
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        version = connection.pg_version  # type: ignore[attr-defined]
        where = f"{settings.get('HOST') or 'local socket'}:{settings.get('PORT') or 5432}"
        return f"postgresql {version // 10000}.{version % 10000} ({settings['NAME']} at {where})"
    return f"{connection.vendor} ({settings['NAME']})"


def header(repeat: int) -> str:
    return (
        f"database: {describe_database()} · python {platform.python_version()} · "
        f"django {django.get_version()} · {repeat} runs each after a warm-up"
    )


def run_all(benchmarks: Iterable[Benchmark], repeat: int, write: Callable[[str], None]) -> list[Result]:
    """Run the benchmarks in turn, writing the header and then one line per benchmark as it finishes."""
    write(header(repeat))
    results = []
    for bench in benchmarks:
        result = run(bench, repeat)
        write(result.line())
        results.append(result)
    return results
