"""/api/v1/surveys: questionnaires (XLSForm upload), rounds and their results.

POST takes the XLSForm as multipart (`file`); with a Bearer token no CSRF token is needed, with a browser
session the CSRF header is (as every session route). Upload refusals are 422 naming each unsupported
construct and question (413 for a file over MANGNON_SURVEY_FORM_MAX_BYTES). Reads are scoped like the
pages: a questionnaire outside the caller's scope is 404. Questionnaires hold no personal data, so reads
are not audited; the import is (by the service).
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, Max, OuterRef
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, invalid
from mangnon.geo.models import AdminUnit, Level

from . import services
from .access import get_questionnaire_for_user, questionnaires_for
from .form import FormDefinition
from .management_views import manager_provinces
from .models import FormVersion, RoundSchool

router = Router(tags=["surveys"])


class QuestionnaireCreated(Schema):
    id: int
    title: str
    version: int
    form_id: str
    questions: int
    languages: list[str]
    warnings: list[str]


class QuestionnaireItem(Schema):
    id: int
    title: str
    province: str
    version: int | None
    rounds: int
    created_at: datetime


class QuestionnaireList(Schema):
    items: list[QuestionnaireItem]


class VersionOut(Schema):
    number: int
    file: str
    form_id: str
    form_version: str
    questions: int
    warnings: list[str]
    uploaded_at: datetime


class RoundOut(Schema):
    id: int
    name: str
    opens_on: date
    closes_on: date
    schools: int


class QuestionnaireOut(Schema):
    id: int
    title: str
    province: str
    version: int
    versions: list[VersionOut]
    rounds: list[RoundOut]


def _question_count(definition: FormDefinition) -> int:
    return sum(1 for _q in definition.questions())


@router.post(
    "",
    response={201: QuestionnaireCreated, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Upload an XLSForm as a new questionnaire (multipart `file`; honours Idempotency-Key)",
)
def upload_questionnaire(
    request: HttpRequest,
    file: File[UploadedFile],
    title: Form[str] = "",
    province: Form[str] = "",
) -> Status[QuestionnaireCreated]:
    user = caller(request)
    if not can(user, Action.SURVEY_MANAGE):
        raise PermissionDenied
    provinces = manager_provinces(user)
    if province:
        unit = next((p for p in provinces if p.code == province), None)
        if unit is None:
            # A province the caller does not manage is 403; a code that is no province, 422.
            if AdminUnit.objects.filter(code=province, level=Level.PROVINCE).exists():
                raise PermissionDenied
            raise ApiError(422, "invalid", {"province": [_("Unknown province code.")]})
    elif provinces:
        unit = provinces[0]
    else:
        raise PermissionDenied
    limit = settings.MANGNON_SURVEY_FORM_MAX_BYTES
    if (file.size or 0) > limit:
        raise ApiError(
            413,
            "too_large",
            {"file": [_("The file is larger than %(size)s MB.") % {"size": f"{limit / 1024 / 1024:g}"}]},
        )
    data = file.read()
    filename = file.name or ""
    try:
        questionnaire = services.questionnaire_import(
            actor=user,
            province=unit,
            data=data,
            filename=filename,
            title=title,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(
                {
                    "file": idempotency.body_hash(data.hex()),
                    "name": filename,
                    "title": title,
                    "province": unit.code,
                }
            ),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    version = questionnaire.versions.order_by("-number").first() or FormVersion.objects.get(
        questionnaire=questionnaire
    )
    definition = FormDefinition.from_json(version.definition)
    return Status(
        201,
        QuestionnaireCreated(
            id=questionnaire.pk,
            title=questionnaire.title,
            version=version.number,
            form_id=version.form_id,
            questions=_question_count(definition),
            languages=list(definition.languages),
            warnings=list(version.warnings),
        ),
    )


@router.get("", response=QuestionnaireList, summary="The questionnaires the caller may see")
def list_questionnaires(request: HttpRequest) -> QuestionnaireList:
    user = caller(request)
    if not can(user, Action.SURVEY_VIEW):
        raise PermissionDenied
    rows = (
        questionnaires_for(user)
        .select_related("province")
        .annotate(current_number=Max("versions__number"), rounds_count=Count("rounds", distinct=True))
        .order_by("-created_at", "-pk")
    )
    return QuestionnaireList(
        items=[
            QuestionnaireItem(
                id=q.pk,
                title=q.title,
                province=q.province.code,
                version=q.current_number,
                rounds=q.rounds_count,
                created_at=q.created_at,
            )
            for q in rows
        ]
    )


@router.get("/{questionnaire_id}", response=QuestionnaireOut, summary="One questionnaire: versions, rounds")
def get_questionnaire(request: HttpRequest, questionnaire_id: int) -> QuestionnaireOut:
    user = caller(request)
    if not can(user, Action.SURVEY_VIEW):
        raise PermissionDenied
    questionnaire = get_questionnaire_for_user(user, questionnaire_id)
    versions = FormVersion.objects.filter(questionnaire=questionnaire).defer("source").order_by("-number")
    scope = scope_for(user, Action.SURVEY_VIEW)
    whole = scope.contains(questionnaire.province)
    rounds = questionnaire.rounds.order_by("-opens_on", "-pk")
    if not whole:
        rounds = rounds.filter(
            Exists(RoundSchool.objects.filter(scope.q("unit"), survey_round=OuterRef("pk")))
        )
    schools = RoundSchool.objects.filter(survey_round__in=rounds)
    if not whole:
        schools = schools.filter(scope.q("unit"))
    counts = dict(schools.values("survey_round").annotate(n=Count("pk")).values_list("survey_round", "n"))
    return QuestionnaireOut(
        id=questionnaire.pk,
        title=questionnaire.title,
        province=questionnaire.province.code,
        version=questionnaire.version,
        versions=[
            VersionOut(
                number=v.number,
                file=v.source_name,
                form_id=v.form_id,
                form_version=v.form_version,
                questions=_question_count(FormDefinition.from_json(v.definition)),
                warnings=list(v.warnings),
                uploaded_at=v.created_at,
            )
            for v in versions
        ],
        rounds=[
            RoundOut(
                id=r.pk, name=r.name, opens_on=r.opens_on, closes_on=r.closes_on, schools=counts.get(r.pk, 0)
            )
            for r in rounds
        ],
    )


# The results routes live beside the results code; importing registers them on this router.
from . import results_api  # noqa: E402, F401
