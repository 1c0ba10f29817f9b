"""Storing answers: a pupil's through the school's link, and paper questionnaires typed in by staff.

A pupil's answers (`response_submit`) have no actor and leave no audit event: an audit row carries the
client's address, which would tie the answer to a device. Paper answers (`response_enter_paper`) are a
staff action and are audited like any other (the event names the response, never its answers).

Both check the whole response with `answers.clean_response`, the server's last word: whatever the pages
did, a response that skips a required question, answers an irrelevant one or holds a value out of range
is refused, and what is stored is the cleaned answers (questions not relevant dropped).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction

from . import access
from .answers import clean_response
from .form import FormDefinition
from .models import Channel, FormVersion, Response, RoundSchool, SurveyRound

SURVEY_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
IDEMPOTENCY_SCOPE = "surveys.paper_response"


def survey_today(now: datetime | None = None) -> date:
    """Today's date where the surveys are run (a round opens and closes on Vietnamese dates)."""
    return timezone.localtime(now or timezone.now(), SURVEY_ZONE).date()


def is_open(survey_round: SurveyRound, today: date | None = None) -> bool:
    today = today or survey_today()
    return survey_round.opens_on <= today <= survey_round.closes_on


def link_is_open(school: RoundSchool, today: date | None = None) -> bool:
    """Whether pupils may answer through this school's link today."""
    return school.active and is_open(school.survey_round, today)


def current_version(survey_round: SurveyRound) -> FormVersion:
    version = survey_round.questionnaire.current
    if version is None:
        raise ValidationError(_("This questionnaire has no form yet."))
    return version


def definition_of(version: FormVersion) -> FormDefinition:
    return FormDefinition.from_json(version.definition)


def _cleaned(version: FormVersion, answers: dict[str, Any]) -> dict[str, Any]:
    cleaned, errors = clean_response(definition_of(version), dict(answers))
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})
    return cleaned


def response_submit(*, school: RoundSchool, answers: dict[str, Any], today: date | None = None) -> Response:
    """Store one pupil's answers given through the school's link. No actor, no audit event, no trace of
    the device: only the round, the school, the form version, the answers and the date."""
    today = today or survey_today()
    survey_round = school.survey_round
    if not school.active:
        raise ValidationError(_("This survey link is closed."))
    if not is_open(survey_round, today):
        raise ValidationError(_("This survey is not open today."))
    version = current_version(survey_round)
    cleaned = _cleaned(version, answers)
    return Response.objects.create(
        survey_round=survey_round,
        school=school,
        form_version=version,
        answers=cleaned,
        channel=Channel.ONLINE,
        submitted_on=today,
    )


def may_enter(actor: Any, school: RoundSchool) -> bool:
    return access.schools_for(actor, school.survey_round, Action.SURVEY_ENTER).filter(pk=school.pk).exists()


def response_enter_paper(
    *,
    actor: Any,
    school: RoundSchool,
    answers: dict[str, Any],
    idempotency_key: str = "",
    today: date | None = None,
) -> Response:
    """Store a paper questionnaire typed in by `actor` (SURVEY_ENTER for the school). Allowed from the
    round's opening day on, also after it closes (paper comes in late). A retried submit with the same
    key stores nothing more and returns the response the first one stored."""
    if not may_enter(actor, school):
        raise PermissionDenied
    today = today or survey_today()
    survey_round = school.survey_round
    if today < survey_round.opens_on:
        raise ValidationError(_("This survey has not opened yet."))
    version = current_version(survey_round)
    cleaned = _cleaned(version, answers)

    def create() -> str:
        response = Response.objects.create(
            survey_round=survey_round,
            school=school,
            form_version=version,
            answers=cleaned,
            channel=Channel.PAPER,
            submitted_on=today,
            entered_by=actor,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=response,
            unit=school.unit,
            changes={"channel": Channel.PAPER.value, "round": survey_round.pk, "school": school.pk},
        )
        return str(response.pk)

    with transaction.atomic():
        outcome = idempotency.run_once(
            actor=actor,
            scope=IDEMPOTENCY_SCOPE,
            key=idempotency_key,
            request_hash=idempotency.body_hash({"school": school.pk, "answers": cleaned}),
            create=create,
        )
    return Response.objects.get(pk=UUID(outcome.object_id))


def paper_entered_today(actor: Any, survey_round: SurveyRound, today: date | None = None) -> int:
    """How many paper questionnaires of the round `actor` typed in today (an aggregate: not audited)."""
    return Response.objects.filter(
        survey_round=survey_round,
        entered_by=actor,
        channel=Channel.PAPER,
        submitted_on=today or survey_today(),
    ).count()
