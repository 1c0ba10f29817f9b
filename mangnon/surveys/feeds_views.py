"""The page where a coordinator says which answers of a round feed the indicator catalogue: for the
share of pupils reporting violence (MN-KS-01), the answers of one question that count as reporting it.
The rule itself lives in `services.round_feeds_set` and `metrics`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mangnon.accounts.roles import Action

from . import services
from .access import get_round_for_user
from .form import CATEGORICAL
from .metrics import VIOLENCE
from .models import SurveyRound


def answer_options(survey_round: SurveyRound) -> list[tuple[str, str]]:
    """Every answer of the form's choice questions as ("question|choice", "question: label — choice")."""
    definition = services.definition_of(survey_round.questionnaire.current)
    if definition is None:
        return []
    return [
        (f"{question.name}|{choice.name}", f"{definition.label(question)} — {definition.label(choice)}")
        for question, _parents in definition.questions()
        if question.kind in CATEGORICAL
        for choice in definition.choices_of(question)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def round_feeds(request: HttpRequest, pk: int) -> HttpResponse:
    survey_round = get_round_for_user(request.user, pk, Action.SURVEY_MANAGE)
    options = answer_options(survey_round)
    current = survey_round.feeds.get(VIOLENCE) or {}
    chosen = [f"{current.get('question')}|{value}" for value in current.get("values", [])]
    error, status = "", 200
    if request.method == "POST":
        chosen = [value for value in request.POST.getlist("answers") if value in dict(options)]
        questions = {value.split("|", 1)[0] for value in chosen}
        if len(questions) > 1:
            error, status = _("Choose answers of one question only."), 400
        else:
            feeds = (
                {VIOLENCE: {"question": questions.pop(), "values": [v.split("|", 1)[1] for v in chosen]}}
                if chosen
                else {}
            )
            try:
                services.round_feeds_set(
                    actor=request.user,
                    survey_round=survey_round,
                    version=int(request.POST.get("version") or 0),
                    feeds=feeds,
                )
            except ValidationError as problem:
                error, status = " ".join(problem.messages), 400
            except services.Conflict:
                error = _(
                    "Someone else changed this round while you were editing it: check it and save again."
                )
                status = 409
            else:
                messages.success(request, _("The round's figures for the indicators were saved."))
                return HttpResponseRedirect(reverse("surveys:round_detail", args=[survey_round.pk]))
    return render(
        request,
        "surveys/manage/round_feeds.html",
        {
            "survey_round": survey_round,
            "options": options,
            "chosen": set(chosen),
            "error": error,
        },
        status=status,
    )
