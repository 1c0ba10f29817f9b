"""`mangnon bench [NAME ...] [--repeat N] [--strict]`: run the registered benchmarks (core.bench)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mangnon.core import bench


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


class Command(BaseCommand):
    help = (
        "Run the benchmarks (all, or those named: a full name or a prefix such as 'geo') on the database "
        "in DATABASE_URL, migrating it first if needed. Prints, per benchmark, the median and spread, the "
        "baseline measured in the same run, the ratio and the target."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", metavar="NAME")
        parser.add_argument(
            "--repeat",
            type=_positive,
            default=bench.DEFAULT_REPEAT,
            help="timed runs per side (default 7)",
        )
        parser.add_argument("--strict", action="store_true", help="exit 1 when a benchmark misses its target")
        parser.add_argument("--list", action="store_true", help="list benchmarks and targets only")

    def handle(self, *args: Any, **options: Any) -> None:
        bench.autodiscover()
        try:
            selected = bench.registry.select(options["names"])
        except LookupError as missing:
            known = ", ".join(sorted(bench.registry.benchmarks)) or "none"
            raise CommandError(f"No benchmark named {missing}. Known: {known}") from None
        if options["list"]:
            for b in selected:
                self.stdout.write(f"{b.name:<28}  target {b.target}")
            return
        self._migrate_if_needed()
        results = bench.run_all(selected, options["repeat"], self._write)
        failed = [r.benchmark.name for r in results if not r.passed]
        self.stdout.write(f"{len(results) - len(failed)} passed, {len(failed)} failed")
        if failed and options["strict"]:
            raise CommandError(f"Missed target: {', '.join(failed)}", returncode=1)

    def _write(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _migrate_if_needed(self) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("Migrating the benchmark database…")
            call_command("migrate", interactive=False, verbosity=0)
