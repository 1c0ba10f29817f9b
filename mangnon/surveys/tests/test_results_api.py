"""GET /api/v1/surveys/{id}/results: allowed, forbidden (role, other commune, anonymous), audited."""

from __future__ import annotations

from typing import Any

import pytest

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.orgs.tests.factories import OrganisationFactory
from mangnon.surveys.tests.factories import ResponseFactory, RoundSchoolFactory, round_with_a_tiny_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round(units: Any) -> Any:
    return round_with_a_tiny_school(unit=units.commune_a)


def _url(survey_round: Any, query: str = "") -> str:
    return f"/api/v1/surveys/{survey_round.questionnaire_id}/results{query}"


def test_results_by_school_and_sex(personas: Any, api_for: Any, survey_round: Any) -> None:
    r = api_for(personas.survey).get(_url(survey_round, f"?by=school,sex&round={survey_round.pk}"))
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["threshold"] == 5 and data["respondents"] == 11
    assert data["rounds"][0]["id"] == survey_round.pk
    assert "Trường Nhỏ" not in r.content.decode()
    violence = next(q for q in data["questions"] if q["name"] == "violence_12m")
    assert violence["table"]["rows"] == ["Trường Lớn"]
    assert violence["answered"] == 11 and violence["asked"] == 11
    cells = [cell for row in violence["table"]["cells"] for cell in row]
    assert all(cell["count"] is None for cell in cells if cell["suppressed"])
    assert all(cell["count"] != 3 for cell in cells)
    assert "comment" in [q["name"] for q in data["questions"]]


def test_results_are_audited(personas: Any, api_for: Any, survey_round: Any) -> None:
    api_for(personas.survey).get(_url(survey_round, f"?round={survey_round.pk}"))
    event = AuditEvent.objects.get(object_type="surveys.surveyround", object_id=str(survey_round.pk))
    assert event.action == AuditAction.VIEW and event.actor_id == personas.survey.pk


def test_unknown_by_is_400(personas: Any, api_for: Any, survey_round: Any) -> None:
    r = api_for(personas.survey).get(_url(survey_round, "?by=pupil"))
    assert r.status_code == 400 and "by" in r.json()["detail"]


def test_outside_scope_is_404(personas: Any, api_for: Any, survey_round: Any) -> None:
    assert api_for(personas.officer_b).get(_url(survey_round)).status_code == 404
    assert api_for(personas.survey).get(_url(survey_round, "?round=999999")).status_code == 404
    assert api_for(personas.officer_a).get(_url(survey_round)).status_code == 200


def test_role_without_survey_view_is_403(personas: Any, api_for: Any, survey_round: Any) -> None:
    assert api_for(personas.hotline).get(_url(survey_round)).status_code == 403
    assert not AuditEvent.objects.filter(object_type="surveys.surveyround").exists()


def test_anonymous_is_401(client: Any, survey_round: Any) -> None:
    assert client.get(_url(survey_round)).status_code == 401


def test_queries_do_not_grow_with_answers(
    personas: Any, api_for: Any, survey_round: Any, django_assert_max_num_queries: Any
) -> None:
    school = RoundSchoolFactory(survey_round=survey_round, school=OrganisationFactory(name="Trường Thêm"))
    for _i in range(30):
        ResponseFactory(school=school)
    api = api_for(personas.survey)
    with django_assert_max_num_queries(20):
        r = api.get(_url(survey_round, "?by=school,sex"))
    assert r.status_code == 200 and r.json()["respondents"] == 41
