"""`mangnon calendar list|add|remove`: the administrator's exceptions to the working-day calendar, for
server administrators. Writes go through the same services as the /calendar/ page; the actor is the
system (None). Output is English, like the other operator commands.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import dateformat, timezone, translation

from mangnon.core.calendar import calendar_exception_delete
from mangnon.core.calendar_views import (
    MAX_YEAR,
    MIN_YEAR,
    CalendarExceptionForm,
    exceptions_of,
    statutory_days,
)
from mangnon.core.formatting import vi_date, vi_datetime
from mangnon.core.forms import parse_date
from mangnon.core.models import CalendarDayKind, CalendarException


def _year(value: str) -> int:
    if not value.isdigit() or not MIN_YEAR <= int(value) <= MAX_YEAR:
        raise CommandError(f"--year must be a year from {MIN_YEAR} to {MAX_YEAR}, not {value!r}.")
    return int(value)


def _day(d: Any) -> str:
    return f"{vi_date(d)} {dateformat.format(d, 'D')}"


class Command(BaseCommand):
    help = "The working-day calendar: list a year, add or remove an administrator's exception."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        listing = sub.add_parser("list", help="Statutory days off and the exceptions of a year.")
        listing.add_argument("--year", type=_year, default=None, help="Default: the current year.")
        add = sub.add_parser("add", help="Add an extra day off or a make-up working day.")
        add.add_argument("date", help="dd/mm/yyyy or yyyy-mm-dd")
        add.add_argument("--kind", required=True, choices=CalendarDayKind.values)
        add.add_argument("--reason", required=True, help="e.g. the Government's announcement")
        remove = sub.add_parser("remove", help="Remove the exception of a day.")
        remove.add_argument("date", help="dd/mm/yyyy or yyyy-mm-dd")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            getattr(self, f"_{options['subcommand']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        year = options["year"] or timezone.localdate().year
        days_off, worked = statutory_days(year, "en")
        self.stdout.write(f"Statutory days off in {year}:")
        for holiday in days_off:
            self.stdout.write(f"  {_day(holiday.date)}  {holiday.name}")
        self.stdout.write("Weekend days worked in exchange:")
        for day in worked:
            self.stdout.write(f"  {_day(day)}")
        if not worked:
            self.stdout.write("  none")
        rows = exceptions_of(year)
        self.stdout.write("Exceptions added by administrators:")
        for row in rows:
            who = row.added_by or "system"  # type: ignore[attr-defined]
            added = f"(added by {who}, {vi_datetime(row.created_at)})"
            self.stdout.write(f"  {_day(row.date)}  {row.kind:<11}  {row.name}  {added}")
        if not rows:
            self.stdout.write("  none")

    def _add(self, options: dict[str, Any]) -> None:
        form = CalendarExceptionForm(
            data={"date": options["date"], "kind": options["kind"], "reason": options["reason"]}
        )
        row = form.save(actor=None) if form.is_valid() else None
        if row is None:
            raise CommandError(" ".join(str(m) for errors in form.errors.values() for m in errors))
        self.stdout.write(f"Added {row.kind} on {_day(row.date)}: {row.name}")

    def _remove(self, options: dict[str, Any]) -> None:
        day = parse_date(options["date"])
        if day is None:
            raise CommandError(f"Enter the date as dd/mm/yyyy or yyyy-mm-dd, not {options['date']!r}.")
        try:
            calendar_exception_delete(actor=None, date=day)
        except CalendarException.DoesNotExist:
            raise CommandError(f"There is no exception on {vi_date(day)}.") from None
        self.stdout.write(f"Removed the exception on {_day(day)}: the statutory calendar applies again.")
