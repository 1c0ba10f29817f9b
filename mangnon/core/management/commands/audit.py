"""`mangnon audit verify`: walk the hash chain of the audit trail and name the first broken row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mangnon.core import audit


class Command(BaseCommand):
    help = "Audit trail tools."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify",
            help="Check every row's hash and its link to the row before; exit 1 at the first broken row.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"Audit trail broken at row {result.broken_id}: {result.reason} "
                f"({result.checked} events before it are intact)",
                returncode=1,
            )
        self.stdout.write(f"Audit trail intact: {result.checked} events")
