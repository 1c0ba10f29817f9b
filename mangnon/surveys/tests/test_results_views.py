"""The round results page: allowed, forbidden (role, other commune, anonymous), audited, no small school."""

from __future__ import annotations

from typing import Any

import pytest

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.surveys.tests.factories import round_with_a_tiny_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round(units: Any) -> Any:
    return round_with_a_tiny_school(unit=units.commune_a, comment="Tên em là Lan")


def _url(survey_round: Any) -> str:
    return f"/surveys/rounds/{survey_round.pk}/results/"


def test_page_by_school_and_sex(personas: Any, client_for: Any, survey_round: Any) -> None:
    r = client_for(personas.survey).get(_url(survey_round), {"by": "school", "then": "sex"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "Trường Lớn" in page and "Trường Nhỏ" not in page
    assert "data-suppressed" in page and "data-results-legend" in page
    assert "Tên em là Lan" not in page
    assert 'data-question="note_thanks"' not in page


def test_page_without_filters_and_one_question(personas: Any, client_for: Any, survey_round: Any) -> None:
    client = client_for(personas.officer_a)
    assert client.get(_url(survey_round)).status_code == 200
    r = client.get(_url(survey_round), {"question": "violence_12m", "by": "grade"})
    page = r.content.decode()
    assert 'data-question="violence_12m"' in page and 'data-question="sex"' not in page


def test_same_breakdown_twice_is_an_error(personas: Any, client_for: Any, survey_round: Any) -> None:
    r = client_for(personas.survey).get(_url(survey_round), {"by": "sex", "then": "sex"})
    assert r.status_code == 200 and "data-question" not in r.content.decode()
    assert not AuditEvent.objects.filter(object_type="surveys.surveyround").exists()


def test_page_read_is_audited(personas: Any, client_for: Any, survey_round: Any) -> None:
    client_for(personas.survey).get(_url(survey_round), {"by": "unit"})
    event = AuditEvent.objects.get(object_type="surveys.surveyround", object_id=str(survey_round.pk))
    assert event.action == AuditAction.VIEW and event.changes["results"]["by"] == ["unit"]


def test_forbidden(personas: Any, client_for: Any, client: Any, survey_round: Any) -> None:
    assert client_for(personas.officer_b).get(_url(survey_round)).status_code == 404
    assert client_for(personas.hotline).get(_url(survey_round)).status_code == 403
    r = client.get(_url(survey_round))
    assert r.status_code == 302 and "login" in r["Location"]
