"""`mangnon geo load --province 22 [--province 01 ...]` or `mangnon geo load --all`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mangnon.geo.services import units_load


def _province_code(value: str) -> str:
    # Province codes are two digits ("01"); accept "1" as typed by hand.
    value = value.strip()
    return value.zfill(2) if value.isdigit() else value


class Command(BaseCommand):
    help = "Geography: load administrative units (both periods and the crosswalk) from vietnamadminunits."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser(
            "load", help="Load provinces (pre-reform or current codes) or the whole country."
        )
        which = load.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--province",
            action="append",
            type=_province_code,
            metavar="CODE",
            help="Province code, pre-reform or current (repeatable): 22 is Quảng Ninh.",
        )
        which.add_argument("--all", action="store_true", help="All 63 pre-reform and 34 current provinces.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Only one subcommand exists; argparse has already refused anything else.
        codes = None if options["all"] else options["province"]
        started = time.monotonic()
        try:
            stats = units_load(actor=None, province_codes=codes)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        what = "all provinces" if codes is None else "province(s) " + ", ".join(sorted(set(codes)))
        self.stdout.write(self.style.SUCCESS(f"Loaded {what}: {stats} in {elapsed:.1f} s"))
