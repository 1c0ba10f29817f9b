"""The round's figures for the indicators page: allowed, forbidden (role, other commune, anonymous),
audited; the answers ticked become the round's feed of MN-KS-01."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.surveys.metrics import VIOLENCE
from mangnon.surveys.models import SurveyRound

from .factories import RoundSchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round(units: Any) -> SurveyRound:
    school: Any = RoundSchoolFactory(unit=units.commune_a)
    return school.survey_round


def _url(survey_round: SurveyRound) -> str:
    return reverse("surveys:round_feeds", args=[survey_round.pk])


def test_the_ticked_answers_feed_the_violence_figure(
    personas: Any, client_for: Any, survey_round: Any
) -> None:
    client = client_for(personas.survey)
    page = client.get(_url(survey_round))
    assert page.status_code == 200 and 'value="violence_12m|yes"' in page.content.decode()
    saved = client.post(
        _url(survey_round), {"answers": ["violence_12m|yes"], "version": survey_round.version}
    )
    assert saved.status_code == 302
    survey_round.refresh_from_db()
    assert survey_round.feeds == {VIOLENCE: {"question": "violence_12m", "values": ["yes"]}}
    event = AuditEvent.objects.filter(object_type="surveys.surveyround", action=AuditAction.UPDATE).get()
    assert "feeds" in event.changes
    assert re.search(r'value="violence_12m\|yes"\s+checked', client.get(_url(survey_round)).content.decode())
    # Nothing ticked: the round feeds nothing.
    client.post(_url(survey_round), {"version": survey_round.version})
    survey_round.refresh_from_db()
    assert survey_round.feeds == {}


def test_answers_of_two_questions_or_a_stale_version_are_refused(
    personas: Any, client_for: Any, survey_round: Any
) -> None:
    client = client_for(personas.survey)
    two = client.post(
        _url(survey_round), {"answers": ["violence_12m|yes", "sex|female"], "version": survey_round.version}
    )
    assert two.status_code == 400
    stale = client.post(
        _url(survey_round), {"answers": ["violence_12m|yes"], "version": survey_round.version + 5}
    )
    assert stale.status_code == 409
    survey_round.refresh_from_db()
    assert survey_round.feeds == {}
    assert not AuditEvent.objects.filter(object_type="surveys.surveyround").exists()


def test_feeds_page_forbidden(personas: Any, client_for: Any, survey_round: Any) -> None:
    # A commune officer reads the round (their school) but may not change it; commune B's does not see it.
    assert client_for(personas.officer_a).get(_url(survey_round)).status_code == 403
    assert client_for(personas.officer_b).get(_url(survey_round)).status_code == 404
    assert client_for(personas.hotline).get(_url(survey_round)).status_code in (403, 404)
    anonymous = Client().get(_url(survey_round))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
