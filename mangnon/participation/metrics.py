"""The figures of children's participation (DESIGN.md §2), found at start-up by
`core.metrics.autodiscover()`. Computed by the same functions as `rollups.rollup`, so the roll-up, the
API and later indicators cannot disagree. Figures are aggregate: reading them is not audited.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mangnon.core.metrics import Figure, Period, data_element
from mangnon.geo.models import AdminUnit

from . import rollups as r
from .models import Topic

OWNER = "participation"
TOPIC = "topic"


def _counts(viewer: Any, unit: AdminUnit, period: Period) -> dict[str, int]:
    return r.voice_counts(r.counted_voices(viewer=viewer, unit=unit), period.start, period.end)


@data_element(
    "participation.voices_received",
    name=_("Children's voices received"),
    owner=OWNER,
    disaggregations=(TOPIC,),
)
def voices_received(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counts = _counts(viewer, unit, period)
    by_topic = {code: counts[f"topic_{code}"] for code in Topic.values}
    return Figure(total=counts["received"], by={TOPIC: by_topic} if TOPIC in by else {})


@data_element("participation.voices_resolved", name=_("Children's voices resolved"), owner=OWNER)
def voices_resolved(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_counts(viewer, unit, period)["resolved"])


@data_element("participation.council_meetings", name=_("Children's council meetings"), owner=OWNER)
def council_meetings(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    meetings = r.counted_meetings(viewer=viewer, unit=unit, start=period.start, end=period.end)
    return Figure(total=meetings.count())
