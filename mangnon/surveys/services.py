"""Every staff write of surveys: questionnaires (XLSForm upload and replacement), rounds, the schools of a
round and their links, and what a round feeds into the indicators.

Each service is keyword-only, takes `actor=`, checks SURVEY_MANAGE at the province that runs the survey
(PermissionDenied otherwise), runs in one transaction with its audit event, and raises a ValidationError
naming every problem (nothing written). Questionnaires and rounds carry a version: a write naming a stale
one raises `Conflict` (409 in the API). The pupils' answers are written by `response_services`, never here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency, metrics
from mangnon.core.models import AuditAction
from mangnon.core.text import normalize_name
from mangnon.core.validation import FieldErrors
from mangnon.geo.models import REFORM_DATE, AdminUnit, Level
from mangnon.geo.selectors import predecessors
from mangnon.orgs.codes import Boarding, OrgKind
from mangnon.orgs.models import Organisation

from . import xlsform
from .form import CATEGORICAL, FormDefinition
from .models import FormVersion, Questionnaire, RoundSchool, SurveyRound, new_link_token

IDEMPOTENCY_SCOPE = "surveys.questionnaire.import"
# Names a form commonly gives the pupil's sex and grade (English and Vietnamese without diacritics).
SEX_NAMES = ("sex", "gender", "gioi_tinh", "gioitinh")
GRADE_NAMES = ("grade", "lop", "khoi_lop", "class")
ROUND_FIELDS = ("name", "opens_on", "closes_on", "sex_question", "grade_question")
ROUND_SCHOOL_FIELDS = ("unit", "boarding", "grade_from", "grade_to", "expected")
MAX_GRADE = 12


class Conflict(Exception):
    """The record changed since the caller read it (stale `version`); nothing was written."""

    def __init__(self, current_version: int) -> None:
        super().__init__("conflict")
        self.current_version = current_version


def _require(actor: Any, province: AdminUnit) -> None:
    if not scope_for(actor, Action.SURVEY_MANAGE).contains(province):
        raise PermissionDenied


def definition_of(version: FormVersion | None) -> FormDefinition | None:
    return None if version is None else FormDefinition.from_json(version.definition)


# --- questionnaires ----------------------------------------------------------------------------------


def _version_snapshot(version: FormVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "file": version.source_name,
        "form_id": version.form_id,
        "form_version": version.form_version,
        "questions": sum(1 for _q in FormDefinition.from_json(version.definition).questions()),
        "warnings": len(version.warnings),
    }


def _new_version(
    *, actor: Any, questionnaire: Questionnaire, number: int, data: bytes, filename: str, imported: Any
) -> FormVersion:
    definition = imported.definition
    return FormVersion.objects.create(
        questionnaire=questionnaire,
        number=number,
        source_name=filename[:255],
        source=data,
        form_id=definition.form_id[:255],
        form_version=definition.version[:100],
        definition=definition.to_json(),
        warnings=list(imported.warnings),
        uploaded_by=actor,
    )


def questionnaire_import(
    *,
    actor: Any,
    province: AdminUnit,
    data: bytes,
    filename: str,
    title: str = "",
    idempotency_key: str = "",
    request_hash: str = "",
) -> Questionnaire:
    """A new questionnaire from an XLSForm file, with its version 1. The title is `title`, else the form's
    own. The import's ValidationError ({"file": [...]}) passes through and nothing is written."""
    _require(actor, province)
    title = " ".join((title or "").split())
    if len(title) > 255:
        raise ValidationError({"title": [_("The title is too long (255 characters at most).")]})
    imported = xlsform.import_form(data, filename)
    title = title or " ".join(imported.definition.title.split())[:255] or filename[:255]

    def create() -> Questionnaire:
        questionnaire = Questionnaire.objects.create(title=title, province=province, created_by=actor)
        version = _new_version(
            actor=actor,
            questionnaire=questionnaire,
            number=1,
            data=data,
            filename=filename,
            imported=imported,
        )
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=questionnaire,
            unit=province,
            changes={"title": title, **_version_snapshot(version)},
        )
        return questionnaire

    questionnaire, _created = idempotency.create_once(
        actor=actor,
        scope=IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: Questionnaire.objects.get(pk=pk),
    )
    return questionnaire


def questionnaire_replace(
    *, actor: Any, questionnaire: Questionnaire, version: int, data: bytes, filename: str
) -> FormVersion:
    """A new version of the questionnaire's form (number + 1). Earlier versions and the answers given to
    them stay. A round whose sex or grade question the new form lacks is noted in the version's warnings."""
    _require(actor, questionnaire.province)
    imported = xlsform.import_form(data, filename)
    names = {q.name for q, _parents in imported.definition.questions()}
    for survey_round in questionnaire.rounds.order_by("opens_on", "pk"):
        for label, name in ((_("sex"), survey_round.sex_question), (_("grade"), survey_round.grade_question)):
            if name and name not in names:
                imported.warnings.append(
                    _(
                        "The round “%(round)s” reads the %(what)s from the question “%(name)s”, which this "
                        "version does not have: its answers to this version have no %(what)s."
                    )
                    % {"round": survey_round.name, "what": label, "name": name}
                )
    with transaction.atomic():
        bumped = Questionnaire.objects.filter(pk=questionnaire.pk, version=version).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        if not bumped:
            raise Conflict(Questionnaire.objects.values_list("version", flat=True).get(pk=questionnaire.pk))
        questionnaire.refresh_from_db()
        number = (
            questionnaire.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        form_version = _new_version(
            actor=actor,
            questionnaire=questionnaire,
            number=number,
            data=data,
            filename=filename,
            imported=imported,
        )
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=questionnaire,
            unit=questionnaire.province,
            changes=_version_snapshot(form_version),
        )
    return form_version


# --- rounds --------------------------------------------------------------------------------------------


def guess_question(definition: FormDefinition | None, candidates: tuple[str, ...]) -> str:
    """The first question named like one of `candidates` (exactly, else as a word of its name), or ""."""
    if definition is None:
        return ""
    names = [q.name for q, _parents in definition.questions()]
    for name in names:
        if name.lower() in candidates:
            return name
    for name in names:
        words = set(re.split(r"[^a-z0-9]+", name.lower()))
        if words & set(candidates):
            return name
    return ""


def _clean_round(
    values: Mapping[str, Any], definition: FormDefinition | None, errors: FieldErrors
) -> dict[str, Any]:
    name = " ".join(str(values.get("name") or "").split())
    if not name:
        errors.add("name", _("Enter the round's name."))
    elif len(name) > 255:
        errors.add("name", _("The name is too long (255 characters at most)."))
    opens_on, closes_on = values.get("opens_on"), values.get("closes_on")
    if not isinstance(opens_on, date):
        errors.add("opens_on", _("Enter the day the round opens."))
    if not isinstance(closes_on, date):
        errors.add("closes_on", _("Enter the day the round closes."))
    if isinstance(opens_on, date) and isinstance(closes_on, date) and closes_on < opens_on:
        errors.add("closes_on", _("The round cannot close before it opens."))
    out: dict[str, Any] = {"name": name, "opens_on": opens_on, "closes_on": closes_on}
    for field in ("sex_question", "grade_question"):
        question_name = str(values.get(field) or "").strip()
        if question_name and (definition is None or definition.question(question_name) is None):
            errors.add(field, _("The form has no question named “%(name)s”.") % {"name": question_name})
        out[field] = question_name
    return out


def _round_snapshot(survey_round: SurveyRound) -> dict[str, Any]:
    return {
        "name": survey_round.name,
        "questionnaire": survey_round.questionnaire_id,
        "opens_on": survey_round.opens_on,
        "closes_on": survey_round.closes_on,
        "sex_question": survey_round.sex_question,
        "grade_question": survey_round.grade_question,
        "feeds": survey_round.feeds,
    }


def round_create(
    *,
    actor: Any,
    questionnaire: Questionnaire,
    name: str,
    opens_on: date | None,
    closes_on: date | None,
    sex_question: str | None = None,
    grade_question: str | None = None,
) -> SurveyRound:
    """A round asking `questionnaire` between two dates. Without a sex or grade question given (None), the
    form's question named like "sex"/"gioi_tinh" and "grade"/"lop" is taken when it has one."""
    _require(actor, questionnaire.province)
    definition = definition_of(questionnaire.current)
    errors = FieldErrors()
    if definition is None:
        errors.add("questionnaire", _("This questionnaire has no form yet."))
    values = {
        "name": name,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "sex_question": guess_question(definition, SEX_NAMES) if sex_question is None else sex_question,
        "grade_question": guess_question(definition, GRADE_NAMES)
        if grade_question is None
        else grade_question,
    }
    cleaned = _clean_round(values, definition, errors)
    errors.raise_any()
    with transaction.atomic():
        survey_round = SurveyRound.objects.create(
            questionnaire=questionnaire, province=questionnaire.province, created_by=actor, **cleaned
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=survey_round,
            unit=survey_round.province,
            changes=_round_snapshot(survey_round),
        )
    return survey_round


def _bump(survey_round: SurveyRound, version: int, **values: Any) -> None:
    bumped = SurveyRound.objects.filter(pk=survey_round.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not bumped:
        raise Conflict(SurveyRound.objects.values_list("version", flat=True).get(pk=survey_round.pk))
    survey_round.refresh_from_db()


def round_edit(*, actor: Any, survey_round: SurveyRound, version: int, **fields: Any) -> SurveyRound:
    """Change a round's name, dates or sex/grade questions, if `version` is still current."""
    _require(actor, survey_round.province)
    unknown = set(fields) - set(ROUND_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    before = _round_snapshot(survey_round)
    values = {name: getattr(survey_round, name) for name in ROUND_FIELDS} | fields
    errors = FieldErrors()
    cleaned = _clean_round(values, definition_of(survey_round.questionnaire.current), errors)
    errors.raise_any()
    with transaction.atomic():
        _bump(survey_round, version, **cleaned)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=survey_round,
            unit=survey_round.province,
            changes=audit.diff(before, _round_snapshot(survey_round)),
        )
    return survey_round


def feedable_elements() -> dict[str, Any]:
    """The indicator catalogue's data elements a round can feed: those the surveys app owns."""
    return {e.code: e for e in metrics.all_elements() if e.owner == "surveys"}


def round_feeds_set(
    *, actor: Any, survey_round: SurveyRound, version: int, feeds: Mapping[str, Any]
) -> SurveyRound:
    """Set what the round feeds into the indicators: {element code: {"question": name, "values": [...]}},
    each code a data element of surveys, each question in the form and each value one of its choices."""
    _require(actor, survey_round.province)
    definition = definition_of(survey_round.questionnaire.current)
    elements = feedable_elements()
    errors = FieldErrors()
    cleaned: dict[str, dict[str, Any]] = {}
    if not isinstance(feeds, Mapping):
        raise ValidationError({"feeds": [_("Give the figures as {code: {question, values}}.")]})
    for code, spec in feeds.items():
        if code not in elements:
            errors.add("feeds", _("“%(code)s” is not a figure surveys can feed.") % {"code": code})
            continue
        if not isinstance(spec, Mapping):
            errors.add("feeds", _("Give the question and values for “%(code)s”.") % {"code": code})
            continue
        name = str(spec.get("question") or "")
        values = spec.get("values") or []
        question = definition.question(name) if definition is not None else None
        if question is None:
            errors.add("feeds", _("The form has no question named “%(name)s”.") % {"name": name})
            continue
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            errors.add("feeds", _("Choose the answers that count for “%(code)s”.") % {"code": code})
            continue
        if question.kind in CATEGORICAL:
            known = {choice.name for choice in definition.choices_of(question)} if definition else set()
            for value in values:
                if value not in known:
                    errors.add(
                        "feeds",
                        _("The question “%(name)s” has no answer “%(value)s”.")
                        % {"name": name, "value": value},
                    )
        cleaned[code] = {"question": name, "values": list(dict.fromkeys(values))}
    errors.raise_any()
    before = _round_snapshot(survey_round)
    with transaction.atomic():
        _bump(survey_round, version, feeds=cleaned)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=survey_round,
            unit=survey_round.province,
            changes=audit.diff(before, _round_snapshot(survey_round)),
        )
    return survey_round


# --- the schools of a round ------------------------------------------------------------------------------


def unit_at(school: Organisation, on: date) -> AdminUnit:
    """The unit a school is counted under in a round opening `on`: its unit in the directory; for a round
    before the 1/7/2025 reform, the pre-reform district the school's old commune belonged to.

    The crosswalk gives the old communes that went into the school's commune. When they all lay in one
    district, that is the district. When they lay in several (two communes of different districts merged
    into one), the school's address says which ("xã Húc Động, huyện Bình Liêu": the district named last
    in it); when it names none of them, the school stays at its own unit and the coordinator gives the
    unit when adding it (`round_school_add(unit=…)`): a guess would count its pupils in the wrong district.
    """
    unit = school.admin_unit
    if on >= REFORM_DATE:
        return unit
    candidates: dict[int, AdminUnit] = {}
    for link in predecessors(unit).select_related("old_unit__parent"):
        old = link.old_unit
        district = old if old.level == Level.DISTRICT else old.parent
        if district is not None and district.level == Level.DISTRICT and district.is_valid_on(on):
            candidates[district.pk] = district
    if len(candidates) == 1:
        return next(iter(candidates.values()))
    address = normalize_name(school.address)
    named = [(address.rfind(normalize_name(d.short_name)), d) for d in candidates.values() if d.short_name]
    named = [(at, d) for at, d in named if at >= 0]
    return max(named, key=lambda pair: pair[0])[1] if named else unit


def _clean_grades(values: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    out: dict[str, Any] = {}
    boarding = values.get("boarding") or ""
    if boarding not in Boarding.values:
        errors.add("boarding", _("Unknown boarding arrangement."))
    out["boarding"] = boarding
    for field in ("grade_from", "grade_to"):
        grade = values.get(field)
        if grade is not None and (not isinstance(grade, int) or not 1 <= grade <= MAX_GRADE):
            errors.add(field, _("A grade is a number from 1 to 12."))
            grade = None
        out[field] = grade
    if out["grade_from"] is not None and out["grade_to"] is not None and out["grade_from"] > out["grade_to"]:
        errors.add("grade_to", _("The last grade cannot come before the first."))
    expected = values.get("expected")
    if expected is not None and (not isinstance(expected, int) or expected < 0):
        errors.add("expected", _("Enter the number of pupils expected, 0 or more."))
    out["expected"] = expected
    return out


def _school_snapshot(round_school: RoundSchool) -> dict[str, Any]:
    return {
        "round": round_school.survey_round_id,
        "school": round_school.school_id,
        "unit": round_school.unit.code,
        "boarding": round_school.boarding,
        "grade_from": round_school.grade_from,
        "grade_to": round_school.grade_to,
        "expected": round_school.expected,
        "active": round_school.active,
    }


def round_school_add(
    *,
    actor: Any,
    survey_round: SurveyRound,
    school: Organisation,
    unit: AdminUnit | None = None,
    boarding: str | None = None,
    grade_from: int | None = None,
    grade_to: int | None = None,
    expected: int | None = None,
) -> RoundSchool:
    """Ask the round in a school of the directory (of the round's province), with its own link. The unit
    defaults to `unit_at(school, round.opens_on)`, the boarding kind to the school's."""
    _require(actor, survey_round.province)
    errors = FieldErrors()
    if school.kind != OrgKind.SCHOOL:
        errors.add("school", _("Only a school can be surveyed."))
    elif school.province_id != survey_round.province_id:
        errors.add("school", _("The school is not in the round's province."))
    elif RoundSchool.objects.filter(survey_round=survey_round, school=school).exists():
        errors.add("school", _("%(school)s is in this round already.") % {"school": school.name})
    cleaned = _clean_grades(
        {
            "boarding": school.boarding if boarding is None else boarding,
            "grade_from": grade_from,
            "grade_to": grade_to,
            "expected": expected,
        },
        errors,
    )
    if unit is not None:
        _check_unit(survey_round, unit, errors)
    errors.raise_any()
    with transaction.atomic():
        round_school = RoundSchool.objects.create(
            survey_round=survey_round,
            school=school,
            unit=unit or unit_at(school, survey_round.opens_on),
            **cleaned,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=round_school,
            unit=round_school.unit,
            changes=_school_snapshot(round_school),
        )
    return round_school


def unit_choices(survey_round: SurveyRound, school: Organisation) -> list[AdminUnit]:
    """The units a school of the round may be counted under: the district-level units of the province
    on the round's opening day (the pre-reform districts for a round before 1/7/2025), and its commune."""
    districts = AdminUnit.objects.filter(
        path__startswith=survey_round.province.path, level=Level.DISTRICT
    ).valid_on(survey_round.opens_on)
    return [*districts.order_by("code"), school.admin_unit]


def _check_unit(survey_round: SurveyRound, unit: AdminUnit, errors: FieldErrors) -> None:
    if not unit.path.startswith(survey_round.province.path) or not unit.is_valid_on(survey_round.opens_on):
        errors.add("unit", _("Choose a unit of the round's province as it was when the round opened."))


def round_school_edit(*, actor: Any, round_school: RoundSchool, **fields: Any) -> RoundSchool:
    """Change a school's unit (where the address could not tell its pre-reform district), boarding kind,
    grades or pupils expected in the round."""
    _require(actor, round_school.survey_round.province)
    unknown = set(fields) - set(ROUND_SCHOOL_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    before = _school_snapshot(round_school)
    errors = FieldErrors()
    unit = fields.pop("unit", None) or round_school.unit
    _check_unit(round_school.survey_round, unit, errors)
    grades = [name for name in ROUND_SCHOOL_FIELDS if name != "unit"]
    cleaned = _clean_grades({name: getattr(round_school, name) for name in grades} | fields, errors)
    cleaned["unit"] = unit
    errors.raise_any()
    with transaction.atomic():
        RoundSchool.objects.filter(pk=round_school.pk).update(**cleaned)
        round_school.refresh_from_db()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=round_school,
            unit=round_school.unit,
            changes=audit.diff(before, _school_snapshot(round_school)),
        )
    return round_school


def round_school_remove(*, actor: Any, round_school: RoundSchool) -> None:
    """Take a school out of a round; refused once pupils of it have answered (close its link instead)."""
    _require(actor, round_school.survey_round.province)
    if round_school.responses.exists():
        raise ValidationError(
            {"school": [_("Pupils of this school have answered: close its link instead of removing it.")]}
        )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=round_school,
            unit=round_school.unit,
            changes=_school_snapshot(round_school),
        )
        round_school.delete()


def link_set_active(*, actor: Any, round_school: RoundSchool, active: bool) -> RoundSchool:
    """Open or close a school's link (a closed link shows pupils that the survey is closed)."""
    _require(actor, round_school.survey_round.province)
    with transaction.atomic():
        RoundSchool.objects.filter(pk=round_school.pk).update(active=active)
        before = round_school.active
        round_school.active = active
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=round_school,
            unit=round_school.unit,
            changes={"active": [before, active]},
        )
    return round_school


def link_renew(*, actor: Any, round_school: RoundSchool) -> RoundSchool:
    """A new link for a school: the old one (and its printed QR codes) stops working at once."""
    _require(actor, round_school.survey_round.province)
    with transaction.atomic():
        round_school.token = new_link_token()
        RoundSchool.objects.filter(pk=round_school.pk).update(token=round_school.token)
        # The token itself is never written to the audit log: it is the key to the school's form.
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=round_school,
            unit=round_school.unit,
            changes={"link": "renewed"},
        )
    return round_school
