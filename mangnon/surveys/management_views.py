"""The survey staff pages: rounds, questionnaires (upload, versions, outline), a round's schools and their
links (printable sheet with QR codes).

Views only translate: records come through `access` (404 outside the viewer's scope, 403 where they see
but may not manage), writes go through `services` (which audit them). A commune officer sees a round with
a school in their commune, and only those schools. Handing out links (the sheet and the QR codes) is
audited as an export: a link opens a school's form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.forms import errors_to_form
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit, Level
from mangnon.orgs.codes import Boarding, OrgKind
from mangnon.orgs.models import Organisation

from . import qr, services
from .access import (
    get_questionnaire_for_user,
    get_round_for_user,
    questionnaires_for,
    rounds_for,
    schools_for,
)
from .form import FormDefinition, Group, Item
from .management_forms import (
    AddSchoolsForm,
    ReplaceForm,
    RoundForm,
    RoundSchoolForm,
    SchoolFilterForm,
    UploadForm,
)
from .models import FormVersion, Questionnaire, RoundSchool, SurveyRound
from .response_services import survey_today

_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


PAGE_SIZE = 25  # rounds or questionnaires a page: a province makes a few a year


# --- helpers ------------------------------------------------------------------


def _require(request: HttpRequest, action: Action) -> None:
    if not can(request.user, action):
        raise PermissionDenied


def _may_manage(user: Any, province: Any) -> bool:
    return scope_for(user, Action.SURVEY_MANAGE).contains(province)


def _is_open(survey_round: SurveyRound) -> bool:
    return survey_round.opens_on <= survey_today() <= survey_round.closes_on


def link_url(request: HttpRequest, round_school: RoundSchool) -> str:
    """The absolute public URL of a school's link."""
    return request.build_absolute_uri(reverse("survey_public:start", args=[round_school.token]))


def manager_provinces(user: Any) -> list[AdminUnit]:
    """Today's provinces where the user manages surveys (a new questionnaire belongs to the first)."""
    return list(
        AdminUnit.objects.valid_on(survey_today())
        .filter(scope_for(user, Action.SURVEY_MANAGE).q(""), level=Level.PROVINCE)
        .order_by("code")
    )


@dataclass(frozen=True)
class OutlineRow:
    depth: int
    item: Item
    label: str
    kind: str
    choices: list[str]


def outline(definition: FormDefinition) -> list[OutlineRow]:
    """The form's groups and questions, depth first, as the detail page lists them."""
    rows: list[OutlineRow] = []

    def walk(items: tuple[Item, ...], depth: int) -> None:
        for item in items:
            label = definition.label(item)
            if isinstance(item, Group):
                kind = _("Repeated group") if item.repeat else _("Group")
                rows.append(OutlineRow(depth, item, label, kind, []))
                walk(item.children, depth + 1)
            else:
                choices = [definition.label(c) for c in definition.choices_of(item)]
                rows.append(OutlineRow(depth, item, label, str(item.kind.label), choices))

    walk(definition.items, 0)
    return rows


def _question_options(questionnaire: Questionnaire) -> list[tuple[str, str]]:
    definition = services.definition_of(questionnaire.current)
    if definition is None:
        return []
    return [(q.name, f"{q.name} — {definition.label(q)}") for q, _parents in definition.questions()]


# --- rounds ------------------------------------------------------------------


@require_GET
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.SURVEY_VIEW)
    page_obj = Paginator(rounds_for(request.user).order_by("-opens_on", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rounds = list(page_obj)
    scope = scope_for(request.user, Action.SURVEY_VIEW)
    whole = [r.pk for r in rounds if scope.contains(r.province)]
    # The schools each row counts: all of a round of the viewer's province, else those in their scope.
    visible = RoundSchool.objects.filter(survey_round__in=[r.pk for r in rounds]).filter(
        Q(survey_round__in=whole) | scope.q("unit")
    )
    counts: dict[int, Any] = {
        row["survey_round"]: row
        for row in visible.values("survey_round").annotate(
            schools=Count("pk", distinct=True), answers=Count("responses")
        )
    }
    rows = [
        {
            "round": r,
            "open": _is_open(r),
            "schools": counts.get(r.pk, {}).get("schools", 0),
            "answers": counts.get(r.pk, {}).get("answers", 0),
        }
        for r in rounds
    ]
    return render(
        request,
        "surveys/manage/round_list.html",
        {"rows": rows, "page_obj": page_obj, "can_manage": can(request.user, Action.SURVEY_MANAGE)},
    )


def _round_form_page(
    request: HttpRequest,
    form: RoundForm,
    questionnaire: Questionnaire,
    survey_round: SurveyRound | None,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "surveys/manage/round_form.html",
        {"form": form, "questionnaire": questionnaire, "survey_round": survey_round, **extra},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.SURVEY_MANAGE)
    choice = request.POST.get("questionnaire") or request.GET.get("questionnaire")
    if not choice:
        questionnaires = questionnaires_for(request.user, Action.SURVEY_MANAGE).order_by("title")
        return render(request, "surveys/manage/round_pick.html", {"questionnaires": questionnaires})
    questionnaire = get_questionnaire_for_user(request.user, choice, Action.SURVEY_MANAGE)
    questions = _question_options(questionnaire)
    if request.method == "POST":
        form = RoundForm(request.POST, questions=questions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                survey_round = services.round_create(
                    actor=request.user,
                    questionnaire=questionnaire,
                    name=data["name"],
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                    sex_question=data["sex_question"],
                    grade_question=data["grade_question"],
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The round was created: add its schools."))
                return HttpResponseRedirect(reverse("surveys:round_detail", args=[survey_round.pk]))
    else:
        definition = services.definition_of(questionnaire.current)
        form = RoundForm(
            initial={
                "sex_question": services.guess_question(definition, services.SEX_NAMES),
                "grade_question": services.guess_question(definition, services.GRADE_NAMES),
            },
            questions=questions,
        )
    return _round_form_page(request, form, questionnaire, None)


@require_http_methods(["GET", "POST"])
@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.SURVEY_VIEW)
    survey_round = get_round_for_user(request.user, pk, Action.SURVEY_MANAGE)
    questions = _question_options(survey_round.questionnaire)
    stale = False
    if request.method == "POST":
        form = RoundForm(request.POST, questions=questions)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.round_edit(
                    actor=request.user,
                    survey_round=survey_round,
                    version=data["version"] or 0,
                    **{name: data[name] for name in services.ROUND_FIELDS},
                )
            except ValidationError as error:
                errors_to_form(form, error)
            except services.Conflict:
                stale = True
                form.add_error(
                    None,
                    _("Someone else changed this round while you were editing it: check it and save again."),
                )
            else:
                messages.success(request, _("The round was saved."))
                return HttpResponseRedirect(reverse("surveys:round_detail", args=[survey_round.pk]))
    else:
        form = RoundForm(
            initial={name: getattr(survey_round, name) for name in services.ROUND_FIELDS}
            | {"version": survey_round.version},
            questions=questions,
        )
    response = _round_form_page(request, form, survey_round.questionnaire, survey_round, stale=stale)
    if stale:
        response.status_code = 409
    return response


@require_GET
@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.SURVEY_VIEW)
    survey_round = get_round_for_user(request.user, pk)
    schools = list(
        schools_for(request.user, survey_round)
        .annotate(answers=Count("responses"))
        .order_by("school__name", "pk")
    )
    return render(
        request,
        "surveys/manage/round_detail.html",
        {
            "survey_round": survey_round,
            "schools": schools,
            "open": _is_open(survey_round),
            "total_answers": sum(s.answers for s in schools),
            "can_manage": _may_manage(request.user, survey_round.province),
            "can_enter": schools_for(request.user, survey_round, Action.SURVEY_ENTER).exists(),
        },
    )


# --- the schools of a round ------------------------------------------------------------------


def _candidate_schools(survey_round: SurveyRound, boarding: str) -> list[Organisation]:
    schools = (
        Organisation.objects.filter(kind=OrgKind.SCHOOL, province=survey_round.province, active=True)
        .exclude(pk__in=RoundSchool.objects.filter(survey_round=survey_round).values("school"))
        .select_related("admin_unit")
        .order_by("name", "pk")
    )
    if boarding == "any":
        schools = schools.exclude(boarding=Boarding.NONE)
    elif boarding:
        schools = schools.filter(boarding=boarding)
    return list(schools)


@require_http_methods(["GET", "POST"])
@login_required
def round_schools_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.SURVEY_MANAGE)
    survey_round = get_round_for_user(request.user, pk, Action.SURVEY_MANAGE)
    filters = SchoolFilterForm(request.GET or None)
    boarding = filters.cleaned_data["boarding"] if filters.is_bound and filters.is_valid() else ""
    candidates = _candidate_schools(survey_round, boarding)
    by_pk = {s.pk: s for s in candidates}
    options = [
        (s.pk, f"{s.name} — {s.admin_unit.name}" + (f" ({s.get_boarding_display()})" if s.boarding else ""))
        for s in candidates
    ]
    if request.method == "POST":
        form = AddSchoolsForm(request.POST, schools=options)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    for school_pk in data["schools"]:
                        services.round_school_add(
                            actor=request.user,
                            survey_round=survey_round,
                            school=by_pk[int(school_pk)],
                            grade_from=data["grade_from"],
                            grade_to=data["grade_to"],
                            expected=data["expected"],
                        )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The schools were added to the round."))
                return HttpResponseRedirect(reverse("surveys:round_detail", args=[survey_round.pk]))
    else:
        form = AddSchoolsForm(schools=options)
    return render(
        request,
        "surveys/manage/round_schools_add.html",
        {"survey_round": survey_round, "form": form, "filters": filters},
        status=400 if form.is_bound and form.errors else 200,
    )


def _round_school(request: HttpRequest, pk: int, school_pk: int) -> RoundSchool:
    survey_round = get_round_for_user(request.user, pk, Action.SURVEY_MANAGE)
    round_school = (
        RoundSchool.objects.filter(survey_round=survey_round, pk=school_pk)
        .select_related("school", "unit")
        .first()
    )
    if round_school is None:
        raise Http404
    round_school.survey_round = survey_round
    return round_school


@require_http_methods(["GET", "POST"])
@login_required
def round_school_edit(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    _require(request, Action.SURVEY_MANAGE)
    round_school = _round_school(request, pk, school_pk)
    units = services.unit_choices(round_school.survey_round, round_school.school)
    if round_school.unit not in units:
        units.append(round_school.unit)
    if request.method == "POST":
        form = RoundSchoolForm(request.POST, units=units)
        if form.is_valid():
            try:
                services.round_school_edit(actor=request.user, round_school=round_school, **form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The school's details in the round were saved."))
                return HttpResponseRedirect(reverse("surveys:round_detail", args=[pk]))
    else:
        initial = {name: getattr(round_school, name) for name in services.ROUND_SCHOOL_FIELDS}
        form = RoundSchoolForm(initial=initial | {"unit": round_school.unit_id}, units=units)
    return render(
        request,
        "surveys/manage/round_school_form.html",
        {"round_school": round_school, "survey_round": round_school.survey_round, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@login_required
def round_school_remove(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    _require(request, Action.SURVEY_MANAGE)
    round_school = _round_school(request, pk, school_pk)
    try:
        services.round_school_remove(actor=request.user, round_school=round_school)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, _("The school was taken out of the round."))
    return HttpResponseRedirect(reverse("surveys:round_detail", args=[pk]))


@require_POST
@login_required
def link_toggle(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    _require(request, Action.SURVEY_MANAGE)
    round_school = _round_school(request, pk, school_pk)
    services.link_set_active(actor=request.user, round_school=round_school, active=not round_school.active)
    if round_school.active:
        messages.success(request, _("The school's link is open."))
    else:
        messages.success(request, _("The school's link is closed."))
    return HttpResponseRedirect(reverse("surveys:round_detail", args=[pk]))


@require_POST
@login_required
def link_renew(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    _require(request, Action.SURVEY_MANAGE)
    round_school = _round_school(request, pk, school_pk)
    services.link_renew(actor=request.user, round_school=round_school)
    messages.success(request, _("The school has a new link: print it again, the old one no longer works."))
    return HttpResponseRedirect(reverse("surveys:round_detail", args=[pk]))


@require_GET
@login_required
def links_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.SURVEY_MANAGE)
    survey_round = get_round_for_user(request.user, pk, Action.SURVEY_MANAGE)
    schools = list(
        schools_for(request.user, survey_round, Action.SURVEY_MANAGE).order_by("school__name", "pk")
    )
    cards = []
    for round_school in schools:
        url = link_url(request, round_school)
        # segno writes only the SVG's path from the URL's bits: nothing of the input is echoed as markup.
        cards.append({"school": round_school, "url": url, "qr": mark_safe(qr.svg(url))})  # noqa: S308
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=survey_round,
        unit=survey_round.province,
        changes={"links": len(cards)},
    )
    return render(request, "surveys/manage/links_sheet.html", {"survey_round": survey_round, "cards": cards})


@require_GET
@login_required
def link_qr(request: HttpRequest, pk: int, school_pk: int, fmt: str) -> HttpResponse:
    _require(request, Action.SURVEY_MANAGE)
    if fmt not in ("svg", "png"):
        raise Http404
    round_school = _round_school(request, pk, school_pk)
    url = link_url(request, round_school)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=round_school,
        unit=round_school.unit,
        changes={"qr": fmt},
    )
    if fmt == "png":
        response = HttpResponse(qr.png(url), content_type="image/png")
    else:
        response = HttpResponse(qr.svg_file(url), content_type="image/svg+xml")
    code = round_school.school.code or str(round_school.school.pk)
    response["Content-Disposition"] = f'attachment; filename="QR_{round_school.survey_round.pk}_{code}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


# --- questionnaires ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.SURVEY_VIEW)
    can_manage = can(request.user, Action.SURVEY_MANAGE)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        provinces = manager_provinces(request.user)
        if form.is_valid() and provinces:
            upload = form.cleaned_data["file"]
            try:
                questionnaire = services.questionnaire_import(
                    actor=request.user,
                    province=provinces[0],
                    data=upload.read(),
                    filename=upload.name or "",
                    title=form.cleaned_data["title"],
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The questionnaire was imported."))
                return HttpResponseRedirect(reverse("surveys:questionnaire_detail", args=[questionnaire.pk]))
    questionnaires = (
        questionnaires_for(request.user)
        .select_related("province")
        .annotate(
            rounds_count=Count("rounds", distinct=True), versions_count=Count("versions", distinct=True)
        )
        .order_by("-created_at", "-pk")
    )
    page_obj = Paginator(questionnaires, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/manage/questionnaire_list.html",
        {"questionnaires": page_obj, "page_obj": page_obj, "form": form, "can_manage": can_manage},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.SURVEY_VIEW)
    questionnaire = get_questionnaire_for_user(request.user, pk)
    can_manage = _may_manage(request.user, questionnaire.province)
    form = ReplaceForm(
        request.POST or None, request.FILES or None, initial={"version": questionnaire.version}
    )
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                version = services.questionnaire_replace(
                    actor=request.user,
                    questionnaire=questionnaire,
                    version=form.cleaned_data["version"],
                    data=upload.read(),
                    filename=upload.name or "",
                )
            except ValidationError as error:
                errors_to_form(form, error)
            except services.Conflict:
                status = 409
                form.add_error(
                    None, _("Someone else uploaded a version meanwhile: check it and upload again.")
                )
            else:
                messages.success(request, _("Version %(number)s was uploaded.") % {"number": version.number})
                return HttpResponseRedirect(reverse("surveys:questionnaire_detail", args=[questionnaire.pk]))
        status = status if status != 200 else 400
    versions = list(
        FormVersion.objects.filter(questionnaire=questionnaire)
        .select_related("uploaded_by")
        .defer("source")
        .order_by("-number")
    )
    for version in versions:
        version.question_count = sum(  # type: ignore[attr-defined]
            1 for _q in FormDefinition.from_json(version.definition).questions()
        )
    current = versions[0] if versions else None
    definition = FormDefinition.from_json(current.definition) if current else None
    rounds = list(questionnaire.rounds.order_by("-opens_on", "-pk"))
    return render(
        request,
        "surveys/manage/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "versions": versions,
            "current": current,
            "outline": outline(definition) if definition else [],
            "rounds": rounds if can_manage else [],
            "form": form,
            "can_manage": can_manage,
        },
        status=status,
    )


@require_GET
@login_required
def version_download(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    _require(request, Action.SURVEY_VIEW)
    questionnaire = get_questionnaire_for_user(request.user, pk)
    version = FormVersion.objects.filter(questionnaire=questionnaire, number=number).first()
    if version is None:
        raise Http404
    extension = version.source_name.rsplit(".", 1)[-1].lower() if "." in version.source_name else ""
    response = HttpResponse(
        bytes(version.source), content_type=_CONTENT_TYPES.get(extension, "application/octet-stream")
    )
    safe_name = "".join(
        c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in version.source_name
    )
    response["Content-Disposition"] = f'attachment; filename="v{version.number}_{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
