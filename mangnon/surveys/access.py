"""Who may see and run surveys.

Questionnaires and rounds belong to a province. Its survey coordinators and officers (SURVEY_MANAGE)
import forms, run rounds and hand out links; SURVEY_ENTER types in paper questionnaires. Results
(SURVEY_VIEW) are read by the province's leadership and officers, and by a unit's officers for the
schools of the round that lie in their unit (`schools_for`): a commune officer never sees another
commune's schools. A record outside the reader's scope is 404: its existence is not revealed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from mangnon.accounts.access import pk_or_404, scope_for
from mangnon.accounts.roles import Action

from .models import Questionnaire, RoundSchool, SurveyRound


def questionnaires_for(viewer: Any, action: Action = Action.SURVEY_VIEW) -> QuerySet[Questionnaire]:
    """Questionnaires of the provinces where `viewer` may take `action` (viewing: also those asked in a
    round with a school in their scope)."""
    scope = scope_for(viewer, action)
    q: Any = scope.q("province")
    if action == Action.SURVEY_VIEW:
        q |= Exists(RoundSchool.objects.filter(scope.q("unit"), survey_round__questionnaire=OuterRef("pk")))
    return Questionnaire.objects.filter(q)


def rounds_for(viewer: Any, action: Action = Action.SURVEY_VIEW) -> QuerySet[SurveyRound]:
    """Rounds of the provinces where `viewer` may take `action` (viewing: also rounds with a school in
    their scope, of which they see only those schools)."""
    scope = scope_for(viewer, action)
    q: Any = scope.q("province")
    if action == Action.SURVEY_VIEW:
        q |= Exists(RoundSchool.objects.filter(scope.q("unit"), survey_round=OuterRef("pk")))
    return SurveyRound.objects.filter(q).select_related("questionnaire", "province")


def schools_for(
    viewer: Any, survey_round: SurveyRound, action: Action = Action.SURVEY_VIEW
) -> QuerySet[RoundSchool]:
    """The schools of `survey_round` whose answers `viewer` may read (or, with another action, work on)."""
    schools = RoundSchool.objects.filter(survey_round=survey_round).select_related("school", "unit")
    scope = scope_for(viewer, action)
    if scope.contains(survey_round.province):
        return schools
    return schools.filter(scope.q("unit"))


def get_questionnaire_for_user(user: Any, pk: Any, action: Action = Action.SURVEY_VIEW) -> Questionnaire:
    """404 when `user` may not see it; PermissionDenied when they see it but may not take `action`."""
    questionnaire = questionnaires_for(user).filter(pk=pk_or_404(pk)).first()
    if questionnaire is None:
        raise Http404
    if action != Action.SURVEY_VIEW and not scope_for(user, action).contains(questionnaire.province):
        raise PermissionDenied
    return questionnaire


def get_round_for_user(user: Any, pk: Any, action: Action = Action.SURVEY_VIEW) -> SurveyRound:
    """404 when `user` may not see it; PermissionDenied when they see it but may not take `action` (entering
    answers is allowed to a unit's staff for its schools: check that with `schools_for`)."""
    survey_round = rounds_for(user).filter(pk=pk_or_404(pk)).first()
    if survey_round is None:
        raise Http404
    if action == Action.SURVEY_MANAGE and not scope_for(user, action).contains(survey_round.province):
        raise PermissionDenied
    if action == Action.SURVEY_ENTER and not schools_for(user, survey_round, action).exists():
        raise PermissionDenied
    return survey_round
