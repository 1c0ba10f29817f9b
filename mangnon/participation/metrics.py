"""The figures of children's participation (DESIGN.md §2), found at start-up by
`core.metrics.autodiscover()`. Computed by the same functions as `rollups.rollup`, so the roll-up, the
API and later indicators cannot disagree. Figures are aggregate: reading them is not audited.

Drill-down: the voices figures link to the list of the voices counted (the board's `?unit=&step=`
list, built on the same `rollups.voices_at_step`), where the reader's own scope applies and the page read
is audited. Council meetings have no list of their own here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mangnon.core.metrics import Figure, Period, data_element
from mangnon.geo.models import AdminUnit

from . import rollups as r
from .models import Topic

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

OWNER = "participation"
TOPIC = "topic"

# Every category code of every disaggregation above with its label, for pages that show figures.
CATEGORY_LABELS: dict[str, dict[str, StrOrPromise]] = {TOPIC: dict(Topic.choices)}


def _list_url(step: str, *, by_topic: bool = False) -> Callable[..., str]:
    """The list of the voices that reached `step` in the period in the unit's geography."""

    def records(*, unit: AdminUnit, period: Period, category: Mapping[str, str]) -> str:
        chosen = dict(category)
        topic = chosen.pop(TOPIC, "") if by_topic else ""
        if chosen:
            return ""
        query = {"unit": str(unit.pk), "step": step, "start": period.start.isoformat()}
        query.update(end=period.end.isoformat(), **({"topic": topic} if topic else {}))
        return f"{reverse('participation:board')}?{urlencode(query)}"

    return records


def _counts(viewer: Any, unit: AdminUnit, period: Period) -> dict[str, int]:
    return r.voice_counts(r.counted_voices(viewer=viewer, unit=unit), period.start, period.end)


@data_element(
    "participation.voices_received",
    name=_("Children's voices received"),
    owner=OWNER,
    disaggregations=(TOPIC,),
    records=_list_url("received", by_topic=True),
)
def voices_received(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counts = _counts(viewer, unit, period)
    by_topic = {code: counts[f"topic_{code}"] for code in Topic.values}
    return Figure(total=counts["received"], by={TOPIC: by_topic} if TOPIC in by else {})


@data_element(
    "participation.voices_resolved",
    name=_("Children's voices resolved"),
    owner=OWNER,
    records=_list_url("resolved"),
)
def voices_resolved(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_counts(viewer, unit, period)["resolved"])


@data_element("participation.council_meetings", name=_("Children's council meetings"), owner=OWNER)
def council_meetings(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    meetings = r.counted_meetings(viewer=viewer, unit=unit, start=period.start, end=period.end)
    return Figure(total=meetings.count())
