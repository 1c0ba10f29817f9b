"""`mangnon registry age-out [--on DATE]`: mark every active child who has turned 16 as aged out.

Run it daily (a systemd timer or cron, see docs/operations.md). Aged-out children are kept, never
deleted; each one gets its own audit event, written by the system.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mangnon.core.forms import parse_date
from mangnon.registry.services import children_age_out_due


class Command(BaseCommand):
    help = "Registry maintenance: age-out of children who have turned 16."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        age_out = sub.add_parser("age-out", help="Mark children who are 16 by the date (default today).")
        age_out.add_argument("--on", help="dd/mm/yyyy or yyyy-mm-dd")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options.get("on"):
            day = parse_date(options["on"])
            if day is None:
                raise CommandError(f"{options['on']!r} is not a date (dd/mm/yyyy or yyyy-mm-dd).")
        count = children_age_out_due(on=day)
        self.stdout.write(f"{count} child(ren) aged out.")
