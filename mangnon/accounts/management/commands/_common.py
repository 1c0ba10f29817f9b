"""Helpers shared by the accounts commands (a leading underscore: Django does not take it for a command)."""

from __future__ import annotations

from django.core.management.base import CommandError

from mangnon.accounts.models import User


def user_or_error(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.")
    return user
