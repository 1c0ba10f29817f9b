"""`mangnon metrics list|show`: the figures the apps declare (core.metrics), for operators.

`show` computes a figure as a named user (`--user`), with that user's scope: scope comes from
memberships, and a command without a user would have none, so there is no unscoped "system" reading.
Figures are aggregate, and like the counts API reading them is not audited. Output is English, like the
other operator commands; categories are printed by their stable codes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone, translation

from mangnon.core import metrics
from mangnon.core.forms import parse_date
from mangnon.geo.selectors import unit_on


class Command(BaseCommand):
    help = "Figures declared by the apps: list them, or compute one for a unit on a day."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("list", help="Every data element: code, kind, disaggregations, name.")
        show = sub.add_parser("show", help="One figure for a unit on a day, as a user may see it.")
        show.add_argument("code", help="e.g. registry.children")
        show.add_argument("--unit", required=True, help="the unit's code on that day (either geography)")
        show.add_argument("--on", help="dd/mm/yyyy or yyyy-mm-dd (default: today)")
        show.add_argument("--user", required=True, help="the username whose scope the figure is read in")
        show.add_argument(
            "--by", action="append", default=[], help="a disaggregation (repeat for several), e.g. sex"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            getattr(self, f"_{options['subcommand']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        for element in metrics.all_elements():
            by = ", ".join(element.disaggregations) or "-"
            self.stdout.write(f"{element.code:<32} {element.unit:<6} by: {by:<12} {element.name}")

    def _show(self, options: dict[str, Any]) -> None:
        try:
            element = metrics.get(options["code"])
        except KeyError:
            known = ", ".join(e.code for e in metrics.all_elements())
            raise CommandError(f"No figure {options['code']!r}; the figures are: {known}.") from None
        day = timezone.localdate()
        if options["on"]:
            parsed = parse_date(options["on"])
            if parsed is None:
                raise CommandError(f"{options['on']!r} is not a date (dd/mm/yyyy or yyyy-mm-dd).")
            day = parsed
        unit = unit_on(options["unit"], day)
        if unit is None:
            raise CommandError(f"No unit with code {options['unit']!r} on {day.isoformat()}.")
        viewer = get_user_model().objects.filter(username=options["user"]).first()
        if viewer is None:
            raise CommandError(f"No user named {options['user']!r}.")
        try:
            figure = element.compute(
                unit=unit, period=metrics.Period.day(day), viewer=viewer, by=options["by"]
            )
        except metrics.UnknownDisaggregation as exc:
            raise CommandError(str(exc)) from None
        except PermissionDenied:
            raise CommandError(f"{viewer.username} may not read {element.code}.") from None
        except Http404:
            raise CommandError(
                f"{unit.code} {unit.name} lies outside what {viewer.username} may count."
            ) from None
        self.stdout.write(f"{element.code}: {element.name}")
        self.stdout.write(
            f"{unit.name} ({unit.code}) on {day.isoformat()}, as {viewer.username}: {figure.total}"
        )
        for dimension, values in figure.by.items():
            self.stdout.write(f"by {dimension}:")
            for category, value in values.items():
                self.stdout.write(f"  {category:<18} {value}")
