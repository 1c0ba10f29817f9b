"""Import benchmark: a large list of children, checked and imported, in flat memory.

registry.import writes a CSV file of ROWS synthetic children (100,000; MANGNON_BENCH_IMPORT_ROWS sets
another size) and an XLSX file of a fifth as many, and imports each as an officer's upload goes
(`importing.import_generated_rows`: the dry run, then the import in valid-rows mode), as the commune
officer of a commune that no other benchmark fills (in Lai Châu), so that the figures do not depend on
which benchmarks ran before on the same database. Each import runs in a transaction that is rolled
back: every run imports into the same empty commune and leaves nothing behind.

It runs once (`once=True`: a warm-up would double minutes) and reports rows per second for each step,
and the memory the import added, at its peak since the step began, at 10 %, 50 % and 100 % of the
step's rows. Memory is flat when the peak at 100 % is within FLAT times the peak at 10 %, or within
SLACK of it (a peak of a few MB moves by an allocator's arena): the check that makes the verdict.

Memory is the process's resident size (Linux /proc), which costs nothing and counts everything the
worker holds, SQLite's caches and the XML parser included. MANGNON_BENCH_IMPORT_MEMORY=tracemalloc
counts Python's own allocations instead, which tells what grows, but slows the run three to four
times (measured), too slow for `make bench`; it is also the fallback where /proc is missing.
"""

from __future__ import annotations

import gc
import math
import os
import re
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from mangnon.accounts.bench import bench_province
from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Role
from mangnon.core.bench import Target, benchmark
from mangnon.geo.models import REFORM_DATE, AdminUnit, Level

from . import importing

ROWS = int(os.environ.get("MANGNON_BENCH_IMPORT_ROWS", "100000"))
XLSX_ROWS = max(1, ROWS // 5)  # openpyxl reads a cell several times slower than the csv module
PROVINCE = "12"  # Lai Châu
CHECKPOINTS = (10, 50, 100)  # per cent of a step's rows
FLAT = 1.5
SLACK = 2 * 2**20
# Both steps and writing the file, per row: a guard against a slower import, with room for a loaded
# machine (about 1.5 ms on the 2-core reference machine, see bench/README.md).
MAX_MS_PER_ROW = 4.0
STEPS = {"check": "dry run", "import": "import"}


class ResidentMemory:
    """What the import added to the process's resident size: its high-water mark, reset at each step
    where the kernel allows it (else sampled after each batch), minus the size before the import."""

    label = "resident memory added"
    STATUS = Path("/proc/self/status")
    CLEAR_REFS = Path("/proc/self/clear_refs")

    def __enter__(self) -> ResidentMemory:
        gc.collect()
        self.base = self.highest = self._kib("VmRSS")
        self.resettable = False
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def _kib(self, name: str) -> int:
        match = re.search(rf"^{name}:\s+(\d+) kB", self.STATUS.read_text(), re.MULTILINE)
        return int(match.group(1)) if match else 0

    def restart(self) -> None:
        try:
            self.CLEAR_REFS.write_text("5")  # VmHWM := VmRSS
            self.resettable = True
        except OSError:
            self.resettable = False
        self.highest = self._kib("VmRSS")

    def peak(self) -> int:
        self.highest = max(self.highest, self._kib("VmHWM" if self.resettable else "VmRSS"))
        return max(0, self.highest - self.base) * 1024


class PythonHeap:
    """What the import allocated through Python's allocators and still held (tracemalloc)."""

    label = "Python memory (tracemalloc)"

    def __enter__(self) -> PythonHeap:
        tracemalloc.start()
        return self

    def __exit__(self, *exc: object) -> None:
        tracemalloc.stop()

    def restart(self) -> None:
        tracemalloc.reset_peak()

    def peak(self) -> int:
        return tracemalloc.get_traced_memory()[1]


def _memory() -> ResidentMemory | PythonHeap:
    wanted = os.environ.get("MANGNON_BENCH_IMPORT_MEMORY", "resident")
    if wanted == "tracemalloc" or not ResidentMemory.STATUS.exists():
        return PythonHeap()
    return ResidentMemory()


@dataclass
class Step:
    started: float
    seconds: float = 0.0
    peaks: dict[int, int] = field(default_factory=dict)  # checkpoint -> bytes

    def flat(self) -> bool:
        return self.peaks[100] <= max(FLAT * self.peaks[10], self.peaks[10] + SLACK)


@dataclass
class FileRun:
    """One file's import: the time and memory peaks of each step, filled in by importing's callback."""

    kind: str
    rows: int
    memory: ResidentMemory | PythonHeap
    steps: dict[str, Step] = field(default_factory=dict)
    created: int = 0

    def __call__(self, step: str, rows: int) -> None:
        """A step begins (rows 0), or one of its batches is done."""
        now = time.perf_counter()
        if rows == 0:
            self.memory.restart()  # each step's peaks are its own, not the step before's
            self.steps[step] = Step(started=now)
            return
        current = self.steps[step]
        current.seconds = now - current.started
        peak = self.memory.peak()
        for percent in CHECKPOINTS:
            if percent not in current.peaks and rows >= math.ceil(self.rows * percent / 100):
                current.peaks[percent] = peak

    def rows_per_second(self, *steps: str) -> float:
        seconds = sum(s.seconds for name, s in self.steps.items() if not steps or name in steps)
        return self.rows / seconds if seconds else 0.0

    def flat(self) -> bool:
        return all(s.flat() for s in self.steps.values())


@dataclass
class ImportSet:
    actor: User
    unit: AdminUnit
    files: list[tuple[str, int]]
    runs: list[FileRun] = field(default_factory=list)


def import_set() -> ImportSet:
    """The first commune of Lai Châu (loaded if needed) and a commune officer there."""
    current = AdminUnit.objects.filter(path__startswith=bench_province(PROVINCE).path, valid_from=REFORM_DATE)
    unit = current.filter(level=Level.COMMUNE).order_by("code").first()
    assert unit is not None  # noqa: S101 - a loaded province has communes
    actor, created = User.objects.get_or_create(username="bench-import", defaults={"full_name": "Benchmark"})
    if created:
        actor.set_unusable_password()
        actor.save(update_fields=["password"])
    Membership.objects.get_or_create(user=actor, role=Role.COMMUNE_OFFICER, admin_unit=unit)
    return ImportSet(actor, unit, [("csv", ROWS), ("xlsx", XLSX_ROWS)])


def import_files(data: ImportSet) -> int:
    """Import each file once, measuring as it goes; returns the children added (then rolled back)."""
    data.runs = []
    for kind, rows in data.files:
        run = FileRun(kind, rows, _memory())
        with run.memory, transaction.atomic():
            job = importing.import_generated_rows(
                actor=data.actor, unit=data.unit, count=rows, kind=kind, progress=run
            )
            transaction.set_rollback(True)
        Path(job.stored_path).unlink(missing_ok=True)
        run.created = job.created_count
        data.runs.append(run)
    return sum(r.created for r in data.runs)


def memory_is_flat(data: ImportSet) -> bool:
    return bool(data.runs) and all(run.flat() for run in data.runs)


def import_figures(data: ImportSet) -> list[str]:
    lines = []
    for run in data.runs:
        speeds = ", ".join(f"{STEPS[name]} {run.rows_per_second(name):,.0f}" for name in run.steps)
        lines.append(
            f"{run.kind.upper()} {run.rows:,} rows, {run.created:,} added: "
            f"{run.rows_per_second():,.0f} rows/s for both steps ({speeds})"
        )
        for name, step in run.steps.items():
            peaks = " / ".join(f"{step.peaks[p] / 2**20:.1f}" for p in CHECKPOINTS)
            verdict = "flat" if step.flat() else "GROWS"
            lines.append(
                f"  {STEPS[name]}: {run.memory.label} at 10 / 50 / 100 % of the rows: {peaks} MB, {verdict}"
            )
    lines.append(
        f"memory flat (peak at 100 % within {FLAT:g}× or {SLACK // 2**20} MB of the peak at 10 %): "
        + ("PASS" if memory_is_flat(data) else "FAIL")
    )
    return lines


benchmark(
    name="registry.import",
    target=Target(max_median_ms=MAX_MS_PER_ROW),
    setup=import_set,
    per_call=ROWS + XLSX_ROWS,
    report=import_figures,
    once=True,
    check=memory_is_flat,
)(import_files)
