"""`mangnon token create|list|revoke`: personal API tokens, managed by an operator.

`create` prints the raw token alone on the last line of its output (scripts take `tail -n 1`); it is
shown this once and only its hash is kept.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mangnon.accounts.management.commands._common import user_or_error
from mangnon.accounts.models import ApiToken
from mangnon.accounts.selectors import api_tokens_for
from mangnon.accounts.tokens import DEFAULT_LIFETIME, token_create, token_revoke


def _positive_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise CommandError(f"--days must be a whole number of days, not {value!r}.") from None
    if days < 1:
        raise CommandError("--days must be at least 1: every token expires.")
    return days


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Personal API tokens: create (printed once, stored hashed), list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser(
            "create", help="Create a token for USERNAME; the token is the last output line."
        )
        create.add_argument("username")
        create.add_argument("--name", default="", help="A label to tell the user's tokens apart.")
        create.add_argument(
            "--days",
            type=_positive_days,
            default=DEFAULT_LIFETIME.days,
            help="Lifetime in days (default 90).",
        )
        listing = sub.add_parser("list", help="List USERNAME's tokens: prefix, name, expiry, revocation.")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke the token with this prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['subcommand']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        user = user_or_error(options["username"])
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive; a token would not work.")
        token, raw = token_create(
            actor=None, user=user, name=options["name"], lifetime=timedelta(days=options["days"])
        )
        self.stdout.write(
            f"Token {token.prefix} for {user.username}, expires {_when(token.expires_at)}. "
            "Copy it now: it is not shown again."
        )
        self.stdout.write(raw)

    def _list(self, options: dict[str, Any]) -> None:
        user = user_or_error(options["username"])
        tokens = list(api_tokens_for(viewer=user))
        if not tokens:
            self.stdout.write(f"{user.username} has no tokens.")
            return
        self.stdout.write(
            f"{'prefix':<10} {'name':<20} {'created':<16} {'expires':<16} {'revoked':<16} status"
        )
        now = timezone.now()
        for t in tokens:
            status = "revoked" if t.revoked_at else ("expired" if not t.is_usable(now) else "active")
            self.stdout.write(
                f"{t.prefix:<10} {t.name[:20]:<20} {_when(t.created_at):<16} {_when(t.expires_at):<16} "
                f"{_when(t.revoked_at):<16} {status}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.select_related("user").filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError(f"No token with prefix {options['prefix']!r}.")
        if token.revoked_at is not None:
            self.stdout.write(f"Token {token.prefix} of {token.user.username} was already revoked.")
            return
        token_revoke(actor=None, token=token)
        self.stdout.write(f"Token {token.prefix} of {token.user.username} revoked.")
