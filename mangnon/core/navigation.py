"""Navigation entries, registered by each app in its AppConfig.ready() and filtered per user.

Core cannot import the apps above it, so they hand it their entries with a visibility test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    order: int
    visible: Callable[[Any], bool]


_items: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _items[item.key] = item


def items_for(user: Any) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for item in sorted(_items.values(), key=lambda i: i.order):
        if item.visible(user):
            out.append({"key": item.key, "label": item.label, "url": reverse(item.url_name)})
    return out
