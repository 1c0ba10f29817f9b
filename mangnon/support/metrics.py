"""The figures of support (DESIGN.md §2), found at start-up by `core.metrics.autodiscover()`.

Every figure is read from `rollups.rollup`, so the API, the pages and the indicators show the same
numbers. Gift figures are child-times (lượt trẻ em); children supported are distinct children.

Drill-down: the payment figures link to the payment list filtered to the unit (either geography),
the period (by the day paid, as counted) and the programme, where the reader's own scope applies and the
page read is audited. The other figures (children, gifts, care) have no list of exactly their records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mangnon.core.metrics import Figure, Period, UnitKind, data_element
from mangnon.geo.models import AdminUnit

from .codes import CareKind, GiftOccasion, ProgrammeKind
from .rollups import SupportRollup, rollup

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

OWNER = "support"
PROGRAMME = "programme"  # programme codes
KIND = "kind"  # codes.ProgrammeKind
OCCASION = "occasion"  # codes.GiftOccasion
CARE_KIND = "care_kind"  # codes.CareKind

# The category labels of the disaggregations whose codes are fixed, for pages that show figures.
# Programmes are records (their codes and names in the database), so a page names them itself.
CATEGORY_LABELS: dict[str, dict[str, StrOrPromise]] = {
    KIND: dict(ProgrammeKind.choices),
    OCCASION: dict(GiftOccasion.choices),
    CARE_KIND: dict(CareKind.choices),
}


def _payments(*, unit: AdminUnit, period: Period, category: Mapping[str, str]) -> str:
    """The payment list of the payments counted: the unit, the period and, as a category, a programme."""
    chosen = dict(category)
    programme = chosen.pop(PROGRAMME, "")
    if chosen:
        return ""
    query = {"unit": str(unit.pk), "start": period.start.isoformat(), "end": period.end.isoformat()}
    if programme:
        query["programme"] = programme
    return f"{reverse('support:list')}?{urlencode(query)}"


def _rollup(viewer: Any, unit: AdminUnit, period: Period) -> SupportRollup:
    return rollup(viewer=viewer, unit=unit, start=period.start, end=period.end)


@data_element(
    "support.disbursements",
    name=_("Support payments to children"),
    owner=OWNER,
    disaggregations=(PROGRAMME, KIND),
    records=_payments,
)
def disbursements(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    r = _rollup(viewer, unit, period)
    parts = {PROGRAMME: r.by_programme, KIND: r.by_kind}
    return Figure(total=r.disbursements, by={d: {k: v.count for k, v in parts[d].items()} for d in by})


@data_element(
    "support.disbursed_amount",
    name=_("Support paid to children (đồng)"),
    owner=OWNER,
    unit=UnitKind.AMOUNT,
    disaggregations=(PROGRAMME, KIND),
    records=_payments,
)
def disbursed_amount(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    r = _rollup(viewer, unit, period)
    parts = {PROGRAMME: r.by_programme, KIND: r.by_kind}
    return Figure(total=r.disbursed_amount, by={d: {k: v.amount for k, v in parts[d].items()} for d in by})


@data_element("support.children_supported", name=_("Children supported (unique children)"), owner=OWNER)
def children_supported(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_rollup(viewer, unit, period).children_supported)


@data_element(
    "support.gift_children",
    name=_("Children given gifts (child-times)"),
    owner=OWNER,
    disaggregations=(OCCASION,),
)
def gift_children(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    r = _rollup(viewer, unit, period)
    return Figure(
        total=r.gift_children,
        by={d: {k: g.children_reached for k, g in r.gifts_by_occasion.items()} for d in by},
    )


@data_element(
    "support.gift_visited",
    name=_("Children visited and given gifts (child-times)"),
    owner=OWNER,
    disaggregations=(OCCASION,),
)
def gift_visited(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    r = _rollup(viewer, unit, period)
    return Figure(
        total=r.gift_visited,
        by={d: {k: g.children_visited_given_gifts for k, g in r.gifts_by_occasion.items()} for d in by},
    )


@data_element(
    "support.gift_value",
    name=_("Value of gifts to children (đồng)"),
    owner=OWNER,
    unit=UnitKind.AMOUNT,
    disaggregations=(OCCASION,),
)
def gift_value(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    r = _rollup(viewer, unit, period)
    return Figure(
        total=r.gift_value, by={d: {k: g.total_value for k, g in r.gifts_by_occasion.items()} for d in by}
    )


@data_element(
    "support.alternative_care",
    name=_("Alternative care placements active"),
    owner=OWNER,
    disaggregations=(CARE_KIND,),
)
def alternative_care(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    r = _rollup(viewer, unit, period)
    return Figure(total=r.alternative_care, by={d: dict(r.alternative_care_by_kind) for d in by})
