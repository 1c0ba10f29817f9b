"""Intake's figures (DESIGN.md §2), found at start-up by `core.metrics.autodiscover()`.

Contacts received over a period, by kind, channel, line, urgency, reason and non-data type, built on the
counts in `selectors`. The roles that count cases count the contacts they come from; a count is an
aggregate, so reading one is not audited.

Drill-down: none yet; no figure here declares a list of its records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core.metrics import Figure, Period, data_element
from mangnon.geo.models import AdminUnit

from . import selectors, taxonomy
from .codes import Channel, ContactKind, NonDataType, Urgency
from .models import Contact

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

OWNER = "intake"
KIND = "kind"
CHANNEL = "channel"
LINE = "line"  # line numbers, and selectors.NO_LINE
URGENCY = "urgency"
REASON = "reason"  # the top-level codes of intake.taxonomy
TYPE = "type"  # the non-data types (codes.NonDataType)

# The category labels of the disaggregations whose codes are fixed, for pages that show figures. Lines
# are records (their numbers are the codes and their own labels); a page names them itself.
CATEGORY_LABELS: dict[str, dict[str, StrOrPromise]] = {
    KIND: dict(ContactKind.choices),
    CHANNEL: dict(Channel.choices),
    URGENCY: dict(Urgency.choices),
    REASON: {r.code: cast("StrOrPromise", r.label) for r in taxonomy.REASONS if r.depth == 0},
    TYPE: dict(NonDataType.choices),
}

_BREAKDOWNS: dict[str, Callable[[QuerySet[Contact]], dict[str, int]]] = {
    KIND: selectors.by_kind,
    CHANNEL: selectors.by_channel,
    LINE: selectors.by_line,
    URGENCY: selectors.by_urgency,
    REASON: selectors.by_reason,
    TYPE: selectors.by_non_data_type,
}


def _counted(*, viewer: Any, unit: AdminUnit, period: Period) -> QuerySet[Contact]:
    if not can(viewer, Action.CASE_COUNT):
        raise PermissionDenied
    return selectors.counted_contacts(viewer=viewer, unit=unit, period=period)


def _figure(contacts: QuerySet[Contact], by: tuple[str, ...]) -> Figure:
    return Figure(total=contacts.count(), by={d: _BREAKDOWNS[d](contacts) for d in by})


@data_element(
    "intake.contacts",
    name=_("Contacts received"),
    owner=OWNER,
    disaggregations=(KIND, CHANNEL, LINE, URGENCY),
)
def contacts(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return _figure(_counted(viewer=viewer, unit=unit, period=period), by)


@data_element(
    "intake.data_contacts",
    name=_("Data contacts (counselling, information, reports)"),
    owner=OWNER,
    disaggregations=(REASON, CHANNEL, LINE, URGENCY),
)
def data_contacts(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period).filter(kind=ContactKind.DATA)
    return _figure(counted, by)


@data_element(
    "intake.non_data_contacts",
    name=_("Non-data contacts (silent, hang-up, abusive, wrong number…)"),
    owner=OWNER,
    disaggregations=(TYPE, CHANNEL, LINE),
)
def non_data_contacts(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period).filter(kind=ContactKind.NON_DATA)
    return _figure(counted, by)
