"""The roll-up of programme work for a unit and a period, gathered from the apps that own the records.

Each app that can say what happened in a unit over a period (activities, support, participation…) gives
a section: a name and a function `(viewer=, unit=, start=, end=) -> JSON-ready dict`, registered from its
own `rollups.py` (discovered at start-up like `metrics.py`). `GET /api/v1/rollups` returns every section
the viewer may read; a section the viewer's role does not cover (it raises PermissionDenied or Http404)
is left out rather than failing the whole answer. The figures are the apps' own, computed by the same
functions their pages use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.module_loading import autodiscover_modules

from mangnon.geo.models import AdminUnit

Section = Callable[..., Mapping[str, Any]]

_sections: dict[str, Section] = {}


def register(name: str, section: Section) -> None:
    if name in _sections and _sections[name] is not section:
        raise ValueError(f"A roll-up section {name!r} is already registered.")
    _sections[name] = section


def section_names() -> list[str]:
    return sorted(_sections)


def autodiscover() -> None:
    """Import each installed app's `rollups` module, which registers its section."""
    autodiscover_modules("rollups")


def rollup(*, viewer: Any, unit: AdminUnit, start: date, end: date) -> dict[str, Mapping[str, Any]]:
    """Every registered section the viewer may read, by name."""
    found: dict[str, Mapping[str, Any]] = {}
    for name in section_names():
        try:
            found[name] = _sections[name](viewer=viewer, unit=unit, start=start, end=end)
        except (PermissionDenied, Http404):
            continue
    return found
