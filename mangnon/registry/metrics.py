"""The registry's figures (DESIGN.md §2), found at start-up by `core.metrics.autodiscover()`.

Each figure is judged on the last day of its period and built on the counts in `selectors` — the same
ones `child_counts` (and so `/api/v1/children/counts`) uses, so the two can never disagree. Like those
counts, figures are aggregate: reading them is not audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core.metrics import Figure, Period, data_element
from mangnon.geo.models import AdminUnit

from . import selectors
from .models import Child

OWNER = "registry"
SEX = "sex"
GROUP = "group"  # the special-circumstance groups a..o, "đ" included (codes.SpecialGroup)
RISK = "risk"  # the risk types (codes.RiskType)

_BREAKDOWNS: dict[str, Callable[[QuerySet[Child], date], dict[str, int]]] = {
    SEX: lambda children, _day: selectors.children_by_sex(children),
    GROUP: selectors.children_by_group,
    RISK: selectors.children_by_risk,
}


def _counted(*, viewer: Any, unit: AdminUnit, period: Period) -> QuerySet[Child]:
    """The children counted on the period's last day. PermissionDenied for a viewer whose roles never
    count children (as the counts API answers 403), Http404 for a unit outside their scope."""
    if not can(viewer, Action.CHILD_COUNT):
        raise PermissionDenied
    return selectors.counted_children(viewer=viewer, unit=unit, day=period.end)


def _figure(children: QuerySet[Child], day: date, by: tuple[str, ...]) -> Figure:
    return Figure(total=children.count(), by={d: _BREAKDOWNS[d](children, day) for d in by})


@data_element("registry.children", name=_("Children under 16"), owner=OWNER, disaggregations=(SEX,))
def children(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return _figure(_counted(viewer=viewer, unit=unit, period=period), period.end, by)


@data_element(
    "registry.special_circumstances",
    name=_("Children in special circumstances"),
    owner=OWNER,
    disaggregations=(GROUP, SEX),
)
def special_circumstances(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    return _figure(selectors.children_in_special_circumstances(counted, period.end), period.end, by)


@data_element(
    "registry.at_risk",
    name=_("Children at risk of falling into special circumstances"),
    owner=OWNER,
    disaggregations=(RISK, SEX),
)
def at_risk(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    return _figure(selectors.children_at_risk(counted, period.end), period.end, by)


@data_element("registry.assisted", name=_("Children assisted"), owner=OWNER)
def assisted(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    return Figure(total=selectors.assisted_children(counted, period.end))
