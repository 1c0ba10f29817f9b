"""The registry's figures (DESIGN.md §2), found at start-up by `core.metrics.autodiscover()`.

Each figure is judged on the last day of its period and built on the counts in `selectors` — the same
ones `child_counts` (and so `/api/v1/children/counts`) uses, so the two can never disagree. Like those
counts, figures are aggregate: reading them is not audited.

Drill-down: the children, in special circumstances and at risk figures link to the child list filtered
to exactly the children counted (`ChildFilter.counted_unit`, the same selectors), where the reader's
own scope applies and the page read is audited. Children assisted have no list: who is assisted is
decided by the support app's hook, which gives a number only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core.metrics import Figure, Period, batch, data_element
from mangnon.geo.models import AdminUnit

from . import selectors
from .codes import RiskType, Sex, SpecialGroup
from .models import Child

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

OWNER = "registry"
SEX = "sex"
GROUP = "group"  # the special-circumstance groups a..o, "đ" included (codes.SpecialGroup)
RISK = "risk"  # the risk types (codes.RiskType)

# Every category code of every disaggregation above with its label, for pages that show figures.
CATEGORY_LABELS: dict[str, dict[str, StrOrPromise]] = {
    SEX: {**dict(Sex.choices), selectors.SEX_UNKNOWN: _("sex not recorded")},
    GROUP: dict(SpecialGroup.choices),
    RISK: dict(RiskType.choices),
}


def _list_url(counted: str) -> Callable[..., str]:
    """The drill-down of a figure: the child list of the children `counted_children` counts for the
    unit on the period's last day, of the set `counted` (selectors.COUNTED_SETS), in one category."""

    def records(*, unit: AdminUnit, period: Period, category: Mapping[str, str]) -> str:
        if any(d not in (SEX, GROUP, RISK) for d in category):
            return ""
        query = {"unit": str(unit.pk), "counted_on": period.end.isoformat(), "counted": counted}
        return f"{reverse('registry:list')}?{urlencode({**query, **category})}"

    return records


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


@data_element(
    "registry.children",
    name=_("Children under 16"),
    owner=OWNER,
    disaggregations=(SEX,),
    records=_list_url(selectors.COUNTED_CHILDREN),
)
def children(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return _figure(_counted(viewer=viewer, unit=unit, period=period), period.end, by)


@data_element(
    "registry.special_circumstances",
    name=_("Children in special circumstances"),
    owner=OWNER,
    disaggregations=(GROUP, SEX),
    records=_list_url(selectors.COUNTED_SPECIAL),
)
def special_circumstances(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    return _figure(selectors.children_in_special_circumstances(counted, period.end), period.end, by)


@data_element(
    "registry.at_risk",
    name=_("Children at risk of falling into special circumstances"),
    owner=OWNER,
    disaggregations=(RISK, SEX),
    records=_list_url(selectors.COUNTED_AT_RISK),
)
def at_risk(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    return _figure(selectors.children_at_risk(counted, period.end), period.end, by)


@data_element("registry.assisted", name=_("Children assisted"), owner=OWNER)
def assisted(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    return Figure(total=selectors.assisted_children(counted, period.end))


# The totals of the four figures above in one pass over the unit's children (selectors.counted_totals,
# the same definitions): at a province each alone reads hundreds of thousands of children again.
_TOTALS = {
    "registry.children": "children",
    "registry.special_circumstances": "special",
    "registry.at_risk": "at_risk",
    "registry.assisted": "assisted",
}


@batch(owner=OWNER, codes=_TOTALS)
def counted_together(
    *, codes: tuple[str, ...], unit: AdminUnit, period: Period, viewer: Any
) -> dict[str, Figure]:
    totals = selectors.counted_totals(_counted(viewer=viewer, unit=unit, period=period), period.end)
    return {code: Figure(total=totals[_TOTALS[code]]) for code in codes}
