"""The results of a survey round: the page (filters, tables, legend) and its XLSX export.

Thin: the round is read through `access.get_round_for_user` (404 outside scope), the answers counted
through `results_selectors.responses_for` (the reader's schools only), the tables made by
`results.tabulate` with disclosure control for every reader. Each read and export is audited.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action

from . import results, results_selectors, results_xlsx
from .access import get_round_for_user
from .models import SurveyRound

SUPPRESSED_MARK = "•"


def _dimension_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("None")),
        (results.SCHOOL, _("School")),
        (results.UNIT, _("Unit")),
        (results.SEX, _("Sex")),
        (results.GRADE, _("Grade")),
    ]


class ResultsFilter(forms.Form):
    question = forms.ChoiceField(label=_("Question"), required=False)
    by = forms.ChoiceField(label=_("Break down by"), required=False)
    then = forms.ChoiceField(label=_("And by"), required=False)

    def __init__(self, *args: Any, questions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["question"]).choices = [("", _("All questions")), *questions]
        cast(forms.ChoiceField, self.fields["by"]).choices = _dimension_choices()
        cast(forms.ChoiceField, self.fields["then"]).choices = _dimension_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("then") and (not data.get("by") or data["then"] == data.get("by")):
            raise forms.ValidationError(_("Choose a second breakdown different from the first."))
        return data

    def breakdown(self) -> tuple[str, ...]:
        return tuple(d for d in (self.cleaned_data.get("by"), self.cleaned_data.get("then")) if d)


def _read(request: HttpRequest, pk: int) -> tuple[SurveyRound, ResultsFilter, results.Results | None]:
    user = request.user
    if not can(user, Action.SURVEY_VIEW):
        raise PermissionDenied
    survey_round = get_round_for_user(user, pk)
    rounds = [survey_round]
    every = results.tabulate(survey_round.questionnaire, rounds, [], ())
    form = ResultsFilter(request.GET or None, questions=[(q.name, q.label) for q in every.questions])
    if request.GET and not form.is_valid():
        return survey_round, form, None
    by = form.breakdown() if request.GET else ()
    question = form.cleaned_data.get("question", "") if request.GET else ""
    responses = results_selectors.responses_for(user, rounds)
    return (
        survey_round,
        form,
        results.tabulate(survey_round.questionnaire, rounds, responses, by, question=question),
    )


@login_required
def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey_round, form, tables = _read(request, pk)
    if tables is not None:
        results_selectors.record_results_read(
            request.user, survey_round.questionnaire, [survey_round], by=list(tables.by)
        )
    return render(
        request,
        "surveys/results/round_results.html",
        {
            "survey_round": survey_round,
            "form": form,
            "results": tables,
            "mark": SUPPRESSED_MARK,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def round_results_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    survey_round, form, tables = _read(request, pk)
    if tables is None:
        return render(
            request,
            "surveys/results/round_results.html",
            {"survey_round": survey_round, "form": form, "results": None, "mark": SUPPRESSED_MARK},
            status=400,
        )
    results_selectors.record_results_read(
        request.user, survey_round.questionnaire, [survey_round], export=True, by=list(tables.by)
    )
    return results_xlsx.response(tables, mark=SUPPRESSED_MARK)
