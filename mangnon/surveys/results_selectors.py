"""Which answers a reader may count in a questionnaire's results, and the audit of those reads.

A reader counts the answers of the rounds they see (`access.rounds_for`), and of each round only the
schools in their SURVEY_VIEW scope (`access.schools_for`): a commune officer counts their commune's
schools, never another's. Results are aggregates, but they are read from pupils' answers, so each read
of a results page, API answer or export is audited (VIEW or EXPORT of the round or questionnaire).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from mangnon.accounts.access import can, pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction

from .access import get_questionnaire_for_user, rounds_for
from .models import Questionnaire, Response, SurveyRound


def rounds_of(viewer: Any, questionnaire: Questionnaire, round_id: Any = None) -> list[SurveyRound]:
    """The rounds of `questionnaire` the viewer sees, oldest first (one round when `round_id` is given;
    404 when that round is not the questionnaire's or not the viewer's)."""
    rounds = rounds_for(viewer).filter(questionnaire=questionnaire).order_by("opens_on", "pk")
    if round_id not in (None, ""):
        rounds = rounds.filter(pk=pk_or_404(round_id))
        if not rounds:
            raise Http404
    return list(rounds)


def responses_for(viewer: Any, rounds: list[SurveyRound]) -> QuerySet[Response]:
    """The answers of `rounds` the viewer may count: all of a round of their province, else those of the
    round's schools in their scope."""
    if not can(viewer, Action.SURVEY_VIEW):
        raise PermissionDenied
    scope = scope_for(viewer, Action.SURVEY_VIEW)
    q = Q(pk__in=[])
    for survey_round in rounds:
        if scope.contains(survey_round.province):
            q |= Q(survey_round=survey_round)
        else:
            q |= Q(survey_round=survey_round) & scope.q("school__unit")
    return Response.objects.filter(q).select_related("survey_round", "school__school", "school__unit")


def questionnaire_for_results(viewer: Any, pk: Any) -> Questionnaire:
    """The questionnaire whose results the viewer asks for: 403 without SURVEY_VIEW, 404 outside scope."""
    if not can(viewer, Action.SURVEY_VIEW):
        raise PermissionDenied
    return get_questionnaire_for_user(viewer, pk)


def record_results_read(
    viewer: Any, questionnaire: Questionnaire, rounds: list[SurveyRound], *, export: bool = False, **what: Any
) -> None:
    """Audit one read (or export) of results: the round when one is read, else the questionnaire."""
    obj: Questionnaire | SurveyRound = rounds[0] if len(rounds) == 1 else questionnaire
    audit.record(
        actor=viewer,
        action=AuditAction.EXPORT if export else AuditAction.VIEW,
        obj=obj,
        unit=questionnaire.province,
        changes={"results": {"questionnaire": questionnaire.pk, "rounds": [r.pk for r in rounds], **what}},
    )
