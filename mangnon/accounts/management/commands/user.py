"""`mangnon user …`: accounts and role memberships, for the operator of a deployment.

Passwords are read from the terminal (asked twice) or, for scripts, from standard input with
--password-stdin; they never appear on the command line, where `ps` and shell history would keep them.
"""

from __future__ import annotations

import getpass
import sys
from datetime import date
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Prefetch
from django.utils import timezone

from mangnon.accounts.management.commands._common import user_or_error
from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Role
from mangnon.accounts.services import (
    membership_add,
    membership_end,
    user_create,
    user_set_active,
    user_set_password,
)
from mangnon.core.forms import parse_date
from mangnon.geo.selectors import unit_on


def _date(value: str) -> date:
    day = parse_date(value)
    if day is None:
        raise CommandError(f"{value!r} is not a date (dd/mm/yyyy or yyyy-mm-dd).")
    return day


def _messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


class Command(BaseCommand):
    help = "Create accounts, grant and end role memberships, set passwords, deactivate accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="Create an account.")
        create.add_argument("username")
        create.add_argument("--full-name", default="")
        create.add_argument("--email", default="")
        create.add_argument("--password-stdin", action="store_true", help="Read the password from stdin.")
        create.add_argument(
            "--no-password", action="store_true", help="Leave the password unusable (set it later)."
        )

        grant = sub.add_parser("grant", help="Let a user act in a role at a unit (and everything under it).")
        grant.add_argument("username")
        grant.add_argument("--role", required=True, choices=[r.value for r in Role])
        grant.add_argument("--unit", required=True, help="Unit code, resolved on the start date.")
        grant.add_argument("--from", dest="valid_from", type=_date, help="First day (default today).")
        grant.add_argument("--to", dest="valid_to", type=_date, help="Last day (default open-ended).")

        end = sub.add_parser("end", help="End a user's membership(s) of a role at a unit.")
        end.add_argument("username")
        end.add_argument("--role", required=True, choices=[r.value for r in Role])
        end.add_argument("--unit", required=True)
        end.add_argument("--on", type=_date, help="Last day the membership holds (default today).")

        password = sub.add_parser("set-password", help="Set a user's password.")
        password.add_argument("username")
        password.add_argument("--password-stdin", action="store_true")

        for name, text in (("deactivate", "Block an account"), ("activate", "Unblock an account")):
            toggle = sub.add_parser(name, help=text + ".")
            toggle.add_argument("username")

        sub.add_parser("list", help="Accounts with their active memberships.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)

    def _read_password(self, options: dict[str, Any], user: User) -> str:
        if options.get("password_stdin"):
            password = sys.stdin.readline().rstrip("\n")
        elif sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The two passwords differ.")
        else:
            raise CommandError("No terminal to ask for a password: use --password-stdin or --no-password.")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        return password

    def _create(self, options: dict[str, Any]) -> None:
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} exists already.")
        candidate = User(username=username, full_name=options["full_name"], email=options["email"])
        password = None if options["no_password"] else self._read_password(options, candidate)
        try:
            user_create(
                actor=None,
                username=username,
                password=password,
                full_name=options["full_name"],
                email=options["email"],
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        self.stdout.write(f"Created {username}.")

    def _grant(self, options: dict[str, Any]) -> None:
        user = user_or_error(options["username"])
        start = options["valid_from"] or timezone.localdate()
        unit = unit_on(options["unit"], start)
        if unit is None:
            raise CommandError(f"No administrative unit with code {options['unit']} on {start:%d/%m/%Y}.")
        try:
            membership_add(
                actor=None,
                user=user,
                role=Role(options["role"]),
                admin_unit=unit,
                valid_from=start,
                valid_to=options["valid_to"],
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        self.stdout.write(
            f"{user.username}: {options['role']} at {unit.name} ({unit.code}) from {start:%d/%m/%Y}."
        )

    def _end(self, options: dict[str, Any]) -> None:
        user = user_or_error(options["username"])
        day = options["on"] or timezone.localdate()
        memberships = list(
            Membership.objects.active(day)
            .filter(user=user, role=options["role"], admin_unit__code=options["unit"])
            .select_related("admin_unit", "user")
        )
        if not memberships:
            raise CommandError(
                f"{user.username} has no {options['role']} membership at {options['unit']} on {day:%d/%m/%Y}."
            )
        for membership in memberships:
            try:
                membership_end(actor=None, membership=membership, valid_to=day)
            except ValidationError as exc:
                raise CommandError(_messages(exc)) from None
        self.stdout.write(f"Ended {len(memberships)} membership(s) of {user.username} on {day:%d/%m/%Y}.")

    def _set_password(self, options: dict[str, Any]) -> None:
        user = user_or_error(options["username"])
        user_set_password(actor=None, user=user, password=self._read_password(options, user))
        self.stdout.write(f"Password of {user.username} set.")

    def _deactivate(self, options: dict[str, Any]) -> None:
        user_set_active(actor=None, user=user_or_error(options["username"]), active=False)
        self.stdout.write(f"{options['username']} deactivated.")

    def _activate(self, options: dict[str, Any]) -> None:
        user_set_active(actor=None, user=user_or_error(options["username"]), active=True)
        self.stdout.write(f"{options['username']} activated.")

    def _list(self, options: dict[str, Any]) -> None:
        today = timezone.localdate()
        active = Membership.objects.active(today).select_related("admin_unit")
        users = User.objects.order_by("username").prefetch_related(
            Prefetch("memberships", queryset=active, to_attr="current")
        )
        for user in users:
            state = "" if user.is_active else "  [inactive]"
            roles = ", ".join(f"{m.role}@{m.admin_unit.code}" for m in user.current) or "-"
            self.stdout.write(f"{user.username:<24} {roles}{state}")
