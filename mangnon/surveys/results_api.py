"""GET /api/v1/surveys/{id}/results: a questionnaire's results (registered on api.router).

The same tables as the results page, with the same disclosure control (no bypass for any role): a
suppressed cell is `{"count": null, "suppressed": true}`. 400 for an unknown `by`, 404 for a
questionnaire or round outside the caller's scope, 403 without SURVEY_VIEW. Each read is audited.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema

from mangnon.core.api import ApiError, ErrorOut, caller

from . import results, results_selectors
from .api import router


class ResultsFilter(Schema):
    by: str = ""
    round: int | None = None
    question: str = ""


@router.get(
    "/{questionnaire_id}/results",
    response={200: dict[str, Any], 400: ErrorOut},
    summary="A questionnaire's results (one round or all), by up to two of school, unit, sex, grade, round; "
    "small cells suppressed",
)
def questionnaire_results(request: HttpRequest, questionnaire_id: int, filters: Query[ResultsFilter]) -> Any:
    user = caller(request)
    questionnaire = results_selectors.questionnaire_for_results(user, questionnaire_id)
    try:
        by = results.parse_by(filters.by)
    except results.UnknownBreakdown:
        raise ApiError(
            400, "invalid", {"by": [_("Break down by up to two of: school, unit, sex, grade, round.")]}
        ) from None
    rounds = results_selectors.rounds_of(user, questionnaire, filters.round)
    responses = results_selectors.responses_for(user, rounds)
    tables = results.tabulate(questionnaire, rounds, responses, by, question=filters.question)
    results_selectors.record_results_read(user, questionnaire, rounds, by=list(by), question=filters.question)
    return tables.as_json()
