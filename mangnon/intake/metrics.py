"""Intake's figures (DESIGN.md §2), found at start-up by `core.metrics.autodiscover()`.

Contacts received over a period, by kind, channel, line, urgency, reason and non-data type, built on the
counts in `selectors`. The roles that count cases count the contacts they come from; a count is an
aggregate, so reading one is not audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core.metrics import Figure, Period, data_element
from mangnon.geo.models import AdminUnit

from . import selectors
from .codes import ContactKind
from .models import Contact

OWNER = "intake"
KIND = "kind"
CHANNEL = "channel"
LINE = "line"  # line numbers, and selectors.NO_LINE
URGENCY = "urgency"
REASON = "reason"  # the top-level codes of intake.taxonomy
TYPE = "type"  # the non-data types (codes.NonDataType)

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
