"""Storing answers: a pupil's (no actor, no audit, only while the round is open and the link active) and
paper questionnaires typed in by staff (SURVEY_ENTER, audited, once per submission key)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mangnon.core.models import AuditEvent
from mangnon.surveys import response_services
from mangnon.surveys.models import Channel, Response
from mangnon.surveys.response_services import (
    paper_entered_today,
    response_enter_paper,
    response_submit,
    survey_today,
)

from .factories import FormVersionFactory, RoundSchoolFactory, small_answers, small_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(units: Any) -> Any:
    return RoundSchoolFactory()


def test_submit_stores_the_cleaned_answers_with_the_current_version(school: Any) -> None:
    events = AuditEvent.objects.count()
    response = response_submit(school=school, answers=small_answers())
    response.refresh_from_db()
    assert response.channel == Channel.ONLINE
    assert response.entered_by is None
    assert response.submitted_on == survey_today()
    assert response.form_version == school.survey_round.questionnaire.current
    assert response.answers == {"sex": "female", "grade": 8, "violence_12m": "yes", "kinds": ["physical"]}
    assert AuditEvent.objects.count() == events  # a pupil's answer leaves no audit row (it carries the IP)


def test_submit_drops_an_answer_to_a_question_that_was_skipped(school: Any) -> None:
    response = response_submit(school=school, answers=small_answers(violence_12m="no"))
    assert "kinds" not in response.answers


def test_submit_uses_the_newest_version_of_the_form(school: Any) -> None:
    newer = FormVersionFactory(
        questionnaire=school.survey_round.questionnaire, definition=small_definition().to_json()
    )
    assert newer.number == 2
    assert response_submit(school=school, answers=small_answers()).form_version == newer


@pytest.mark.parametrize(
    "answers",
    [
        {"grade": 8, "violence_12m": "no"},  # a required question skipped
        small_answers(grade=99),  # out of range
        small_answers(sex="other"),  # not a choice
        small_answers(kinds=["physical", "unknown"]),
        small_answers(name="Nguyễn Văn A"),  # not a question of the form
    ],
)
def test_submit_refuses_answers_the_form_does_not_allow(school: Any, answers: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        response_submit(school=school, answers=answers)
    assert not Response.objects.exists()


def test_submit_refuses_an_inactive_link(school: Any) -> None:
    school.active = False
    school.save()
    with pytest.raises(ValidationError):
        response_submit(school=school, answers=small_answers())


def test_submit_only_while_the_round_is_open(school: Any) -> None:
    survey_round = school.survey_round
    with pytest.raises(ValidationError):
        response_submit(
            school=school, answers=small_answers(), today=survey_round.opens_on - timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        response_submit(
            school=school, answers=small_answers(), today=survey_round.closes_on + timedelta(days=1)
        )
    assert response_submit(school=school, answers=small_answers(), today=survey_round.opens_on)
    last = response_submit(school=school, answers=small_answers(), today=survey_round.closes_on)
    assert last.submitted_on == survey_round.closes_on


def test_today_is_the_date_in_vietnam() -> None:
    from datetime import UTC, date, datetime

    assert survey_today(datetime(2026, 3, 1, 18, 30, tzinfo=UTC)) == date(2026, 3, 2)


def test_paper_entry_is_audited_without_the_answers(personas: Any, school: Any) -> None:
    response = response_enter_paper(
        actor=personas.survey, school=school, answers=small_answers(), idempotency_key="k1"
    )
    assert response.channel == Channel.PAPER
    assert response.entered_by == personas.survey
    event = AuditEvent.objects.get(object_type="surveys.response", object_id=str(response.pk))
    assert event.action == "create"
    assert event.actor_id == personas.survey.pk
    assert event.unit_id == school.unit_id
    assert "female" not in str(event.changes) and "grade" not in str(event.changes)


def test_paper_entry_once_per_submission_key(personas: Any, school: Any) -> None:
    first = response_enter_paper(
        actor=personas.survey, school=school, answers=small_answers(), idempotency_key="k2"
    )
    again = response_enter_paper(
        actor=personas.survey, school=school, answers=small_answers(), idempotency_key="k2"
    )
    assert first.pk == again.pk
    assert Response.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="surveys.response").count() == 1


def test_paper_entry_after_the_round_closed_but_not_before_it_opened(personas: Any, school: Any) -> None:
    survey_round = school.survey_round
    late = survey_round.closes_on + timedelta(days=20)
    assert response_enter_paper(actor=personas.survey, school=school, answers=small_answers(), today=late)
    with pytest.raises(ValidationError):
        response_enter_paper(
            actor=personas.survey,
            school=school,
            answers=small_answers(),
            today=survey_round.opens_on - timedelta(days=1),
        )


def test_paper_entry_checks_the_answers(personas: Any, school: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        response_enter_paper(actor=personas.survey, school=school, answers=small_answers(grade=3))
    assert "grade" in caught.value.message_dict
    assert not Response.objects.exists()


@pytest.mark.parametrize("who", ["officer_a", "viewer", "province_manager", "hotline"])
def test_paper_entry_needs_survey_enter(personas: Any, school: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        response_enter_paper(actor=getattr(personas, who), school=school, answers=small_answers())
    assert not Response.objects.exists()


def test_province_officer_may_enter(personas: Any, school: Any) -> None:
    assert response_enter_paper(actor=personas.province_officer, school=school, answers=small_answers())


def test_count_of_paper_answers_entered_today(personas: Any, school: Any) -> None:
    for key in ("a", "b"):
        response_enter_paper(
            actor=personas.survey, school=school, answers=small_answers(), idempotency_key=key
        )
    response_enter_paper(actor=personas.province_officer, school=school, answers=small_answers())
    response_submit(school=school, answers=small_answers())
    assert paper_entered_today(personas.survey, school.survey_round) == 2
    assert paper_entered_today(personas.province_officer, school.survey_round) == 1


def test_link_is_open(school: Any) -> None:
    assert response_services.link_is_open(school)
    school.active = False
    assert not response_services.link_is_open(school)
