"""`mangnon intake lines|line-add|line-deactivate`: the hotlines a deployment answers, for server
administrators. 111 comes with the database; a province adds its own lines. Writes go through
`services.line_configure` (audited, the actor is the system). Output is English, like the other
operator commands.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from mangnon.geo.models import AdminUnit, Level
from mangnon.intake.models import Line
from mangnon.intake.services import line_configure


class Command(BaseCommand):
    help = "Hotlines: list them, add or update one, take one out of use."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("lines", help="Every line, in use or not.")
        add = sub.add_parser("line-add", help="Add a line, or update the line with this number.")
        add.add_argument("number", help="Digits only, e.g. 18001769")
        add.add_argument("name", help='e.g. "Đường dây nóng bảo vệ trẻ em tỉnh Quảng Ninh"')
        add.add_argument("--province", default="", help="Code of the province it serves (none: national)")
        off = sub.add_parser("line-deactivate", help="Take a line out of use (its contacts keep it).")
        off.add_argument("number")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)

    def _lines(self, options: dict[str, Any]) -> None:
        for line in Line.objects.select_related("province").order_by("number"):
            where = line.province.name if line.province else "national"
            state = "in use" if line.active else "out of use"
            self.stdout.write(f"{line.number:<12} {line.name} ({where}, {state})")

    def _line_add(self, options: dict[str, Any]) -> None:
        province = None
        if options["province"]:
            province = (
                AdminUnit.objects.valid_on(timezone.localdate())
                .filter(code=options["province"], level=Level.PROVINCE)
                .first()
            )
            if province is None:
                raise CommandError(f"No province with code {options['province']!r} today.")
        self._configure(number=options["number"], name=options["name"], province=province, active=True)

    def _line_deactivate(self, options: dict[str, Any]) -> None:
        line = Line.objects.filter(number=options["number"]).first()
        if line is None:
            raise CommandError(f"No line {options['number']!r}.")
        self._configure(number=line.number, name=line.name, province=line.province, active=False)

    def _configure(self, **values: Any) -> None:
        try:
            line = line_configure(actor=None, **values)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{line.number} {line.name}: {'in use' if line.active else 'out of use'}.")
