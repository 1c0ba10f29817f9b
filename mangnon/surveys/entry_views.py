"""Paper questionnaires typed in by staff (SURVEY_ENTER): a round's whole form on one page.

The typist picks one of the schools they may enter for; every question of every page is shown (paper
has no skip logic to hide anything) and the answers are parsed page by page with `answers.clean_page`,
then checked as a whole by the service (`answers.clean_response`, which applies the skip rules: an
answer to a question the pupil should have skipped is dropped). Errors are shown by field with what was
typed kept. A submission key in a hidden field makes a double submit store one response. After a save
the page is ready for the next questionnaire of the same school ("Save and enter the next").
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mangnon.accounts.roles import Action
from mangnon.core import idempotency

from . import access, response_services
from .answers import MAX_INSTANCES, clean_page
from .models import RoundSchool
from .public_views import post_lists, question_rows, repeat_counts


@login_required
@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest, pk: int) -> HttpResponse:
    survey_round = access.get_round_for_user(request.user, pk, Action.SURVEY_ENTER)
    schools = list(access.schools_for(request.user, survey_round, Action.SURVEY_ENTER))
    chosen = request.POST.get("school") if request.method == "POST" else request.GET.get("school")
    school: RoundSchool | None = next((s for s in schools if str(s.pk) == (chosen or "")), None)
    if chosen and school is None:
        raise PermissionDenied
    version = survey_round.questionnaire.current
    definition = response_services.definition_of(version) if version is not None else None

    data: dict[str, list[str]] | None = None
    errors: dict[str, str] = {}
    counts: dict[str, int] = {}
    submission = uuid.uuid4().hex
    if request.method == "POST" and school is not None and definition is not None:
        data = post_lists(request)
        counts = repeat_counts(request)
        submission = request.POST.get("submission", "") or submission
        action = request.POST.get("action", "save")
        if action.startswith("add:"):
            name = action.removeprefix("add:")
            counts[name] = min(counts.get(name, 1) + 1, MAX_INSTANCES)
        else:
            answers: dict[str, Any] = {}
            for page in definition.pages():
                answers, page_errors = clean_page(definition, page, data, answers)
                errors.update(page_errors)
            if not errors:
                try:
                    response_services.response_enter_paper(
                        actor=request.user, school=school, answers=answers, idempotency_key=submission
                    )
                except ValidationError as exc:
                    for name, problems in exc.message_dict.items():
                        errors[name] = " ".join(problems)
                except idempotency.KeyReused:
                    errors["__all__"] = _("This form was sent already with other answers. Open a new form.")
                else:
                    messages.success(request, _("Saved. Enter the next questionnaire."))
                    url = reverse("surveys:enter", args=[survey_round.pk])
                    return HttpResponseRedirect(f"{url}?school={school.pk}")
    rows = (
        question_rows(
            definition, definition.items, {}, data=data, errors=errors, apply_relevance=False, counts=counts
        )
        if definition is not None and school is not None
        else []
    )
    return render(
        request,
        "surveys/entry/enter.html",
        {
            "survey_round": survey_round,
            "schools": schools,
            "school": school,
            "rows": rows,
            "errors": errors,
            "general_errors": [message for name, message in errors.items() if name in ("__all__", "")]
            + [
                message
                for name, message in errors.items()
                if name not in _field_names(rows) and name not in ("__all__", "")
            ],
            "submission": submission,
            "no_form": definition is None,
            "entered_today": response_services.paper_entered_today(request.user, survey_round),
        },
        status=400 if errors else 200,
    )


def _field_names(rows: list[Any]) -> set[str]:
    names: set[str] = set()
    for row in rows:
        names.add(row.name)
        names |= _field_names(row.rows)
    return names
