from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from . import navigation as nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu for the current user: only entries their roles allow."""
    return {
        "nav_items": nav.items_for(getattr(request, "user", None)),
        # Each language named in itself (settings.LANGUAGES), never translated: a user who cannot read
        # the current language must still recognise their own.
        "language_choices": settings.LANGUAGES,
    }
