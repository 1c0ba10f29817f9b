"""`mangnon demo load [--scale sample|full]`: load the synthetic Quảng Ninh demo and print the logins."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mangnon.demo.loader import load_demo


class Command(BaseCommand):
    help = "Demo data for Quảng Ninh (synthetic, from a fixed seed). Refused when DEBUG is off."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load the demo (idempotent: a second run changes nothing).")
        load.add_argument("--scale", choices=["sample", "full"], default="sample")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ctx = load_demo(scale=options["scale"], out=self.stdout)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {ctx.password})")
        for login in ctx.logins:
            self.stdout.write(f"  {login.username:<20} {login.role:<20} {login.unit}")
