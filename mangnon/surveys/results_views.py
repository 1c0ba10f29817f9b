"""The results of a survey round, or of every round of a questionnaire side by side: the page (filters,
tables, legend) and its XLSX export.

Thin: the round is read through `access.get_round_for_user` (404 outside scope), the questionnaire's
rounds through `results_selectors.rounds_of` (those the reader sees), the answers counted
through `results_selectors.responses_for` (the reader's schools only), the tables made by
`results.tabulate` with disclosure control for every reader. Each read and export is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action

from . import results, results_selectors, results_xlsx
from .access import get_round_for_user
from .models import Questionnaire, SurveyRound

SUPPRESSED_MARK = "•"


def _dimension_choices(across_rounds: bool) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [
        ("", _("None")),
        (results.SCHOOL, _("School")),
        (results.UNIT, _("Unit")),
        (results.SEX, _("Sex")),
        (results.GRADE, _("Grade")),
    ]
    if across_rounds:
        choices.append((results.ROUND, _("Round")))
    return choices


class ResultsFilter(forms.Form):
    question = forms.ChoiceField(label=_("Question"), required=False)
    by = forms.ChoiceField(label=_("Break down by"), required=False)
    then = forms.ChoiceField(label=_("And by"), required=False)

    def __init__(
        self, *args: Any, questions: list[tuple[str, str]], across_rounds: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["question"]).choices = [("", _("All questions")), *questions]
        cast(forms.ChoiceField, self.fields["by"]).choices = _dimension_choices(across_rounds)
        cast(forms.ChoiceField, self.fields["then"]).choices = _dimension_choices(across_rounds)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("then") and (not data.get("by") or data["then"] == data.get("by")):
            raise forms.ValidationError(_("Choose a second breakdown different from the first."))
        return data

    def breakdown(self) -> tuple[str, ...]:
        return tuple(d for d in (self.cleaned_data.get("by"), self.cleaned_data.get("then")) if d)


@dataclass(frozen=True)
class _Read:
    """What one results page or export shows: whose results, the filters, the tables (None when the
    filters are invalid)."""

    questionnaire: Questionnaire
    rounds: list[SurveyRound]
    form: ResultsFilter
    tables: results.Results | None


def _tabulate(request: HttpRequest, questionnaire: Questionnaire, rounds: list[SurveyRound]) -> _Read:
    every = results.tabulate(questionnaire, rounds, [], ())
    form = ResultsFilter(
        request.GET or None,
        questions=[(q.name, q.label) for q in every.questions],
        across_rounds=len(rounds) != 1,
    )
    if request.GET and not form.is_valid():
        return _Read(questionnaire, rounds, form, None)
    by = form.breakdown() if request.GET else ()
    question = form.cleaned_data.get("question", "") if request.GET else ""
    responses = results_selectors.responses_for(request.user, rounds)
    return _Read(
        questionnaire, rounds, form, results.tabulate(questionnaire, rounds, responses, by, question=question)
    )


def _read_round(request: HttpRequest, pk: int) -> tuple[SurveyRound, _Read]:
    if not can(request.user, Action.SURVEY_VIEW):
        raise PermissionDenied
    survey_round = get_round_for_user(request.user, pk)
    return survey_round, _tabulate(request, survey_round.questionnaire, [survey_round])


def _read_questionnaire(request: HttpRequest, pk: int) -> _Read:
    """Every round of the questionnaire the reader sees, oldest first, each counting only the reader's
    schools (`results_selectors`)."""
    questionnaire = results_selectors.questionnaire_for_results(request.user, pk)
    return _tabulate(request, questionnaire, results_selectors.rounds_of(request.user, questionnaire))


def _page(request: HttpRequest, read: _Read, context: dict[str, Any]) -> HttpResponse:
    if read.tables is not None:
        results_selectors.record_results_read(
            request.user, read.questionnaire, read.rounds, by=list(read.tables.by)
        )
    return render(
        request,
        "surveys/results/round_results.html",
        {
            **context,
            "form": read.form,
            "results": read.tables,
            "mark": SUPPRESSED_MARK,
            "query": request.GET.urlencode(),
        },
    )


def _export(request: HttpRequest, read: _Read, context: dict[str, Any]) -> HttpResponseBase:
    if read.tables is None:
        return render(
            request,
            "surveys/results/round_results.html",
            {**context, "form": read.form, "results": None, "mark": SUPPRESSED_MARK},
            status=400,
        )
    results_selectors.record_results_read(
        request.user, read.questionnaire, read.rounds, export=True, by=list(read.tables.by)
    )
    return results_xlsx.response(read.tables, mark=SUPPRESSED_MARK)


def _round_context(survey_round: SurveyRound) -> dict[str, Any]:
    return {
        "survey_round": survey_round,
        "xlsx_url": reverse("surveys:round_results_xlsx", args=[survey_round.pk]),
    }


def _questionnaire_context(read: _Read) -> dict[str, Any]:
    return {
        "questionnaire": read.questionnaire,
        "rounds": read.rounds,
        "xlsx_url": reverse("surveys:questionnaire_results_xlsx", args=[read.questionnaire.pk]),
    }


@login_required
def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey_round, read = _read_round(request, pk)
    return _page(request, read, _round_context(survey_round))


@login_required
def round_results_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    survey_round, read = _read_round(request, pk)
    return _export(request, read, _round_context(survey_round))


@login_required
def questionnaire_results(request: HttpRequest, pk: int) -> HttpResponse:
    read = _read_questionnaire(request, pk)
    return _page(request, read, _questionnaire_context(read))


@login_required
def questionnaire_results_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    read = _read_questionnaire(request, pk)
    return _export(request, read, _questionnaire_context(read))
