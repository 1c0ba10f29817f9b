"""The import benchmark on small files: it imports, measures each step, leaves nothing, judges flatness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mangnon.core import bench
from mangnon.registry import import_benchmarks
from mangnon.registry.import_benchmarks import FileRun, PythonHeap, ResidentMemory, Step
from mangnon.registry.models import Child, ImportJob, Person

pytestmark = pytest.mark.django_db

MB = 2**20


@pytest.fixture
def small(monkeypatch: Any, settings: Any, tmp_path: Path, units: Any) -> import_benchmarks.ImportSet:
    monkeypatch.setattr(import_benchmarks, "PROVINCE", "22")  # the test database's province
    settings.UPLOAD_DIR = tmp_path / "uploads"
    data = import_benchmarks.import_set()
    data.files = [("csv", 40), ("xlsx", 12)]
    return data


@pytest.mark.parametrize("memory", ["resident", "tracemalloc"])
def test_each_file_is_imported_measured_and_rolled_back(
    small: Any, monkeypatch: Any, tmp_path: Path, memory: str
) -> None:
    monkeypatch.setenv("MANGNON_BENCH_IMPORT_MEMORY", memory)
    assert import_benchmarks.import_files(small) == 52
    assert [(r.kind, r.rows, r.created) for r in small.runs] == [("csv", 40, 40), ("xlsx", 12, 12)]
    for run in small.runs:
        assert isinstance(run.memory, PythonHeap if memory == "tracemalloc" else ResidentMemory)
        assert list(run.steps) == ["check", "import"]
        assert all(set(s.peaks) == {10, 50, 100} and s.seconds > 0 for s in run.steps.values())
        assert run.rows_per_second() > 0
    # Nothing is left: no child, no job, no stored file.
    assert not Child.objects.exists() and not Person.objects.exists() and not ImportJob.objects.exists()
    assert list((tmp_path / "uploads" / "imports").iterdir()) == []
    lines = import_benchmarks.import_figures(small)
    assert lines[0].startswith("CSV 40 rows, 40 added: ") and "rows/s for both steps (dry run" in lines[0]
    assert "at 10 / 50 / 100 % of the rows" in lines[1]
    assert lines[-1].startswith("memory flat (peak at 100 % within 1.5× or 2 MB of the peak at 10 %): ")


def test_flat_means_within_one_and_a_half_times_or_two_mb() -> None:
    def step(at_10: float, at_100: float) -> Step:
        return Step(started=0, peaks={10: int(at_10 * MB), 50: int(at_10 * MB), 100: int(at_100 * MB)})

    assert step(10, 14.9).flat()  # within 1.5×
    assert step(0.1, 2.0).flat()  # a small peak moving by an allocator's arena
    assert not step(3.0, 14.6).flat()  # the duplicate check's dicts, 130 bytes a row, at 100,000 rows
    run = FileRun("csv", 100, PythonHeap(), {"check": step(1, 1), "import": step(3, 14.6)})
    assert not run.flat()
    data = import_benchmarks.ImportSet(actor=None, unit=None, files=[], runs=[run])  # type: ignore[arg-type]
    assert not import_benchmarks.memory_is_flat(data)
    assert import_benchmarks.import_figures(data)[-1].endswith("FAIL")


def test_registered_as_a_benchmark_run_once_and_judged_on_memory() -> None:
    registered = bench.registry.benchmarks["registry.import"]
    assert registered.once and registered.baseline is None
    assert registered.check is import_benchmarks.memory_is_flat
    assert registered.report is import_benchmarks.import_figures
    assert registered.per_call == import_benchmarks.ROWS + import_benchmarks.XLSX_ROWS


def test_the_whole_benchmark_runs_through_the_harness(small: Any) -> None:
    registered = bench.registry.benchmarks["registry.import"]
    copy = bench.Benchmark(  # the registered one, on the small set
        registered.name,
        registered.func,
        registered.target,
        setup=lambda: small,
        per_call=52,
        report=registered.report,
        once=True,
        check=registered.check,
    )
    result = bench.run(copy)
    assert len(result.measured.samples_ms) == 1
    assert result.extra[0].startswith("CSV 40 rows") and result.checked
    assert "registry.import" in result.line() and " once " in result.line()
