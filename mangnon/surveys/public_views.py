"""The pupils' pages: a school's link (/s/<token>/), no account, one question group per page.

Nothing is stored until the pupil sends: the answers so far travel between pages in a hidden field,
signed (`django.core.signing`, its own salt, valid for a day) so a page cannot be fed answers the
server did not check, and the last step checks the whole response again (`answers.clean_response`
through `response_services.response_submit`). The pages never write to the session, never log or
store the client's address or browser, and answer with `Cache-Control: no-store` (a shared phone
does not keep a pupil's answers in its cache) and `Referrer-Policy: no-referrer` (the link's token
does not leak to other sites). Requests are limited per link (`ratelimit`), never per address.

No CSRF check on these pages: with no referrer, browsers send `Origin: null` on the form's posts,
which Django's check refuses; and the check would protect nothing here. The pages act for no account
and read no session: a post from another site can do only what anyone holding the school's link can
do directly, and each step is checked by the server (signed state, clean_page, clean_response), and
limited per link. So no csrftoken cookie either: the only cookie is the language chosen (set by the
start page's switch, `?lang=en`, which works without an account).

htmx drives the pages (each step swaps the form; a change re-draws the page so a skip rule hides or
shows its question at once); without JavaScript the same form posts and the page comes back whole.

`question_rows` lays out a definition's items for `surveys/_question.html`, which the paper entry
pages (entry_views) share.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import ratelimit, response_services
from .answers import MAX_INSTANCES, allowed_choices, clean_page, clean_response, field_name, relevant_pages
from .expressions import ExpressionError, evaluate, truthy
from .form import FormDefinition, Group, Item, Page, Question, QuestionKind, pick_label
from .models import RoundSchool

STATE_SALT = "mangnon.surveys.public.answers"
STATE_MAX_AGE = 24 * 60 * 60


# -- laying out questions (shared with the paper entry) -------------------------------------------------


@dataclass
class Row:
    """One thing `surveys/_question.html` draws: a question, a note, or a group with its rows."""

    kind: str  # a QuestionKind, or "group"
    name: str  # the input's name (answers.field_name)
    label: str
    hint: str = ""
    required: bool = False
    error: str = ""
    value: str = ""
    values: list[str] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    multiline: bool = False
    rows: list[Row] = field(default_factory=list)
    # A repeat the respondent extends: its name and how many instances are shown.
    repeat: str = ""
    count: int = 0


def _relevant(expr: str, answers: Mapping[str, Any]) -> bool:
    if not expr:
        return True
    try:
        return truthy(evaluate(expr, answers))
    except ExpressionError:
        return True  # the server's check on submit decides; show the question rather than hide it


def _shown_value(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


class _Layout:
    def __init__(
        self,
        definition: FormDefinition,
        answers: Mapping[str, Any],
        *,
        data: Mapping[str, list[str]] | None,
        errors: Mapping[str, str],
        apply_relevance: bool,
        counts: Mapping[str, int],
    ) -> None:
        self.definition = definition
        self.answers = answers
        self.data = data
        self.errors = errors
        self.apply_relevance = apply_relevance
        self.counts = counts

    def items(
        self, items: tuple[Item, ...], scope: Mapping[str, Any], repeat: str = "", index: int = 0
    ) -> list[Row]:
        rows: list[Row] = []
        for item in items:
            if self.apply_relevance and not _relevant(item.relevant, scope):
                continue
            if isinstance(item, Group):
                rows.append(self.group(item, scope, repeat, index))
            else:
                rows.append(self.question(item, scope, repeat, index))
        return rows

    def group(self, group: Group, scope: Mapping[str, Any], repeat: str, index: int) -> Row:
        label = self.definition.label(group)
        if not group.repeat or repeat:
            return Row(
                kind="group",
                name=group.name,
                label=label,
                rows=self.items(group.children, scope, repeat, index),
            )
        instances = scope.get(group.name)
        existing = instances if isinstance(instances, list) else []
        fixed = group.repeat_count.strip()
        count = int(fixed) if fixed.isdigit() else self.counts.get(group.name, max(len(existing), 1))
        row = Row(kind="group", name=group.name, label=label, repeat="" if fixed else group.name, count=count)
        for i in range(count):
            instance = existing[i] if i < len(existing) and isinstance(existing[i], dict) else {}
            inner = {**scope, **instance}
            row.rows.append(
                Row(
                    kind="group",
                    name=f"{group.name}.{i}",
                    label=f"{label} ({i + 1})",
                    rows=self.items(group.children, inner, group.name, i),
                )
            )
        return row

    def question(self, question: Question, scope: Mapping[str, Any], repeat: str, index: int) -> Row:
        name = field_name(question.name, repeat, index)
        definition = self.definition
        row = Row(
            kind=str(question.kind),
            name=name,
            label=definition.label(question),
            hint=pick_label(question.hints, None, definition.default_language),
            required=question.required == "yes",
            error=self.errors.get(name, ""),
            multiline="multiline" in question.appearance,
        )
        if question.kind == QuestionKind.NOTE:
            return row
        if question.kind in (QuestionKind.SELECT_ONE, QuestionKind.SELECT_MULTIPLE):
            choices = (
                allowed_choices(definition, question, scope)
                if self.apply_relevance
                else definition.choices_of(question)
            )
            row.choices = [(choice.name, definition.label(choice)) for choice in choices]
        if self.data is not None:
            typed = list(self.data.get(name, []))
        else:
            stored = scope.get(question.name)
            typed = [str(v) for v in stored] if isinstance(stored, list) else [_shown_value(stored)]
        row.values = [v for v in typed if v != ""]
        row.value = typed[0] if typed else ""
        return row


def question_rows(
    definition: FormDefinition,
    items: tuple[Item, ...],
    answers: Mapping[str, Any],
    *,
    data: Mapping[str, list[str]] | None = None,
    errors: Mapping[str, str] | None = None,
    apply_relevance: bool = True,
    counts: Mapping[str, int] | None = None,
) -> list[Row]:
    """The rows to draw for `items`: values from `data` (what was just typed, a QueryDict's lists) or
    else from `answers`; with `apply_relevance`, questions not relevant to the answers are left out."""
    layout = _Layout(
        definition,
        answers,
        data=data,
        errors=errors or {},
        apply_relevance=apply_relevance,
        counts=counts or {},
    )
    return layout.items(items, answers)


def post_lists(request: HttpRequest) -> dict[str, list[str]]:
    return {key: request.POST.getlist(key) for key in request.POST}


def repeat_counts(request: HttpRequest) -> dict[str, int]:
    """How many instances of each repeat the form posted (`<repeat>.count`), at most MAX_INSTANCES."""
    counts: dict[str, int] = {}
    for key in request.POST:
        if key.endswith(".count") and key.count(".") == 1 and request.POST[key].isdigit():
            counts[key.removesuffix(".count")] = min(int(request.POST[key]), MAX_INSTANCES)
    return counts


# -- the pupils' pages -------------------------------------------------------------------------------------


def private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No cache may keep the page, and no link followed from it names the school's link."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _closed(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "surveys/public/closed.html", {"status": status}, status=status)


def _school_or_response(token: str) -> RoundSchool | int:
    """The school of an open link, or the status to answer (404 unknown, 410 closed)."""
    school = (
        RoundSchool.objects.select_related("survey_round__questionnaire", "school")
        .filter(token=token)
        .first()
    )
    if school is None:
        return 404
    if not response_services.link_is_open(school) or school.survey_round.questionnaire.current is None:
        return 410
    return school


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/public/too_many.html", status=429)


def _dump(school: RoundSchool, answers: dict[str, Any]) -> str:
    return signing.dumps({"s": school.pk, "a": answers}, salt=STATE_SALT, compress=True)


def _start_page(
    request: HttpRequest, school: RoundSchool, answers: dict[str, Any], notice: str = ""
) -> HttpResponse:
    """The round's opening page, carrying `answers` so far (none at the start, some after Back)."""
    context = {
        "school": school,
        "survey_round": school.survey_round,
        "token": school.token,
        "state": _dump(school, answers),
        "notice": notice,
    }
    return render(request, "surveys/public/start.html", context)


def _load(school: RoundSchool, state: str) -> dict[str, Any] | None:
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:  # also an expired one
        return None
    if not isinstance(data, dict) or data.get("s") != school.pk or not isinstance(data.get("a"), dict):
        return None
    return data["a"]


@dataclass
class _Step:
    school: RoundSchool
    definition: FormDefinition
    answers: dict[str, Any]
    page: Page | None  # None: the last step (send)
    data: Mapping[str, list[str]] | None = None
    errors: Mapping[str, str] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)
    notice: str = ""


def _render_step(request: HttpRequest, step: _Step, status: int = 200) -> HttpResponse:
    pages = relevant_pages(step.definition, step.answers)
    total = len(pages) + 1  # and the last step, sending
    if step.page is None:
        number = total
    else:
        position = next((i for i, p in enumerate(pages) if p.index == step.page.index), None)
        if position is None:  # a page no longer relevant: count it where it stands
            position = sum(1 for p in pages if p.index < step.page.index)
        number = position + 1
    rows = (
        question_rows(
            step.definition,
            # A group's page shows its label as the page's title: its questions, not the group box again.
            step.page.group.children if step.page.group is not None else step.page.items,
            step.answers,
            data=step.data,
            errors=step.errors,
            counts=step.counts,
        )
        if step.page is not None
        else []
    )
    title = ""
    if step.page is not None and step.page.group is not None:
        title = step.definition.label(step.page.group)
    context = {
        "school": step.school,
        "survey_round": step.school.survey_round,
        "token": step.school.token,
        "state": _dump(step.school, step.answers),
        "page": step.page,
        "page_title": title,
        "rows": rows,
        "number": number,
        "total": total,
        "first": number == 1,
        "errors": step.errors,
        "notice": step.notice,
        "repeats": {row.repeat: row.count for row in _walk(rows) if row.repeat},
    }
    template = (
        "surveys/public/_step.html" if request.headers.get("HX-Request") else "surveys/public/step.html"
    )
    return render(request, template, context, status=status)


def _walk(rows: list[Row]) -> list[Row]:
    found: list[Row] = []
    for row in rows:
        found.append(row)
        found.extend(_walk(row.rows))
    return found


def _page(definition: FormDefinition, index: int) -> Page | None:
    return next((p for p in definition.pages() if p.index == index), None)


def _first_page(definition: FormDefinition, answers: dict[str, Any]) -> Page | None:
    pages = relevant_pages(definition, answers)
    return pages[0] if pages else None


def _page_of_error(definition: FormDefinition, errors: Mapping[str, str]) -> Page | None:
    """The page holding the first question an error names (a field name starts with the name of a
    question, or of the repeat it sits in)."""
    wanted = {name.split(".")[0] for name in errors}
    for page in definition.pages():
        names: set[str] = set()
        stack: list[Item] = list(page.items)
        while stack:
            item = stack.pop()
            names.add(item.name)
            if isinstance(item, Group):
                stack.extend(item.children)
        if names & wanted:
            return page
    return None


@private
@require_GET
def start(request: HttpRequest, token: str) -> HttpResponse:
    found = _school_or_response(token)
    if isinstance(found, int):
        return _closed(request, found)
    language = request.GET.get("lang", "")
    if language:  # the language switch: a cookie, no account, no session
        redirect = HttpResponseRedirect(reverse("survey_public:start", args=[token]))
        if language in dict(settings.LANGUAGES):
            redirect.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return redirect
    return _start_page(request, found, {})


@csrf_exempt  # see the module docstring
@private
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    found = _school_or_response(token)
    if isinstance(found, int):
        return _closed(request, found)
    school = found
    if request.method == "GET":
        return HttpResponseRedirect(reverse("survey_public:start", args=[token]))
    action = request.POST.get("action", "next")
    if not ratelimit.hit(token, "submit" if action == "send" else "page"):
        return _too_many(request)
    definition = response_services.definition_of(response_services.current_version(school.survey_round))
    answers = _load(school, request.POST.get("state", ""))
    if answers is None:
        return _start_page(request, school, {}, _("Your answers were too old to keep. Please start again."))
    if action == "begin":
        return _render_step(request, _Step(school, definition, answers, _first_page(definition, answers)))
    if action == "send":
        return _send(request, school, definition, answers)

    index = request.POST.get("page", "")
    current = _page(definition, int(index)) if index.isdigit() else None
    if current is None:  # the send step's Back, or a page that does not exist
        pages = relevant_pages(definition, answers)
        if action == "back" and pages:
            return _render_step(request, _Step(school, definition, answers, pages[-1]))
        return _render_step(request, _Step(school, definition, answers, _first_page(definition, answers)))

    data = post_lists(request)
    counts = repeat_counts(request)
    if action.startswith("add:"):
        name = action.removeprefix("add:")
        counts[name] = min(counts.get(name, 1) + 1, MAX_INSTANCES)
        return _render_step(request, _Step(school, definition, answers, current, data=data, counts=counts))
    cleaned, errors = clean_page(definition, current, data, answers)
    if action == "refresh":  # a change on the page: draw it again with the skip rules applied, no errors
        return _render_step(request, _Step(school, definition, cleaned, current, data=data, counts=counts))
    if action == "back":
        kept = answers if errors else cleaned
        earlier = [p for p in relevant_pages(definition, kept) if p.index < current.index]
        if not earlier:
            return _start_page(request, school, kept)
        return _render_step(request, _Step(school, definition, kept, earlier[-1]))
    if errors:
        return _render_step(
            request, _Step(school, definition, answers, current, data=data, errors=errors, counts=counts)
        )
    later = [p for p in relevant_pages(definition, cleaned) if p.index > current.index]
    return _render_step(request, _Step(school, definition, cleaned, later[0] if later else None))


def _send(
    request: HttpRequest, school: RoundSchool, definition: FormDefinition, answers: dict[str, Any]
) -> HttpResponse:
    # The server's last word: the whole response checked again, whatever the pages let through.
    _cleaned, errors = clean_response(definition, answers)
    if errors:
        where = _page_of_error(definition, errors) or _first_page(definition, answers)
        return _render_step(
            request,
            _Step(
                school,
                definition,
                answers,
                where,
                errors=errors,
                notice=_("Some answers are missing or wrong."),
            ),
            status=400,
        )
    try:
        response_services.response_submit(school=school, answers=answers)
    except ValidationError:
        return _closed(request, 410)
    done_url = reverse("survey_public:done", args=[school.token])
    if request.headers.get("HX-Request"):
        response = HttpResponse()
        response["HX-Redirect"] = done_url
        return response
    return HttpResponseRedirect(done_url, status=303)


@private
@require_GET
def done(request: HttpRequest, token: str) -> HttpResponse:
    school = RoundSchool.objects.filter(token=token).select_related("survey_round").first()
    if school is None:
        return _closed(request, 404)
    return render(request, "surveys/public/done.html", {"survey_round": school.survey_round, "token": token})
