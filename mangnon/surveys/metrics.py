"""The figures of school surveys (DESIGN.md §2), found at start-up by `core.metrics.autodiscover()`.

Counted over the answers of the unit's geography (each school by the unit it belonged to at the time of
its round, `RoundSchool.unit`, so old rounds keep counting by pre-reform district), whose `submitted_on`
lies in the period, within the viewer's SURVEY_VIEW scope (PermissionDenied without it, 404 for a unit
outside it). Aggregates of anonymous answers: not audited, and they link to no list of records.

- `surveys.respondents`: pupils who answered any round.
- `surveys.violence_asked`: pupils who answered the question a round feeds into the violence figure
  (`round.feeds["surveys.violence_reported"] = {"question": "violence_12m", "values": ["yes"]}`); only
  rounds with that feed count, so the indicator's denominator is never swelled by rounds that did not
  ask about violence, nor by pupils who skipped the question.
- `surveys.violence_reported`: those of them whose answer is one of `values` (for a multiple choice:
  any of them ticked).

The catalogue's MN-KS-01 is `violence_reported / violence_asked`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core.metrics import Figure, Period, data_element
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import units_in

from .models import Response, SurveyRound

OWNER = "surveys"
VIOLENCE = "surveys.violence_reported"


def counted_responses(*, viewer: Any, unit: AdminUnit, period: Period) -> QuerySet[Response]:
    """The answers counted for `unit` over `period` as `viewer` may count them."""
    if not can(viewer, Action.SURVEY_VIEW):
        raise PermissionDenied
    scope = scope_for(viewer, Action.SURVEY_VIEW)
    if not scope.contains(unit):
        raise Http404
    return Response.objects.filter(
        school__unit__in=units_in(unit, scope.q("")),
        submitted_on__gte=period.start,
        submitted_on__lte=period.end,
    )


def _feeds(feed: str) -> dict[int, tuple[str, frozenset[str]]]:
    """The rounds that feed `feed`: {round id: (question, values)}."""
    rounds: dict[int, tuple[str, frozenset[str]]] = {}
    for pk, feeds in SurveyRound.objects.exclude(feeds={}).values_list("pk", "feeds"):
        spec = (feeds or {}).get(feed)
        if isinstance(spec, dict) and spec.get("question"):
            rounds[pk] = (str(spec["question"]), frozenset(str(v) for v in spec.get("values", ())))
    return rounds


def _violence(viewer: Any, unit: AdminUnit, period: Period) -> tuple[int, int]:
    """(pupils asked and answering, pupils reporting) over the rounds feeding the violence figure."""
    feeds = _feeds(VIOLENCE)
    if not feeds:
        counted_responses(viewer=viewer, unit=unit, period=period)  # the same refusals
        return 0, 0
    asked = reported = 0
    rows = counted_responses(viewer=viewer, unit=unit, period=period).filter(survey_round_id__in=list(feeds))
    for round_id, answers in rows.values_list("survey_round_id", "answers").iterator():
        question, values = feeds[round_id]
        value = (answers or {}).get(question)
        if value in (None, "", []):
            continue
        asked += 1
        ticked = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        reported += bool(ticked & values)
    return asked, reported


@data_element("surveys.respondents", name=_("Pupils who answered a school survey"), owner=OWNER)
def respondents(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=counted_responses(viewer=viewer, unit=unit, period=period).count())


@data_element(
    "surveys.violence_asked",
    name=_("Surveyed pupils who answered the question on violence or abuse"),
    owner=OWNER,
)
def violence_asked(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_violence(viewer, unit, period)[0])


@data_element(
    VIOLENCE,
    name=_("Surveyed pupils who reported violence or abuse"),
    owner=OWNER,
)
def violence_reported(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_violence(viewer, unit, period)[1])
