from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import navigation as nav
from .notifications import UNREAD_CAP, unread_count


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu for the current user: only entries their roles allow."""
    return {
        "nav_items": nav.items_for(getattr(request, "user", None)),
        # Each language named in itself (settings.LANGUAGES), never translated: a user who cannot read
        # the current language must still recognise their own.
        "language_choices": settings.LANGUAGES,
    }


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The top bar's unread count: counted only when a page shows it (one query), never for anonymous
    visitors."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: _badge(unread_count(user)))}


def _badge(count: int) -> str:
    """Empty when nothing is unread, else the count ("99+" from UNREAD_CAP on: the count stops there)."""
    if count >= UNREAD_CAP:
        return f"{UNREAD_CAP - 1}+"
    return str(count) if count else ""
