"""/api/v1/surveys: XLSForm upload (multipart), the questionnaire list and one questionnaire. Allowed,
forbidden (wrong role, commune officer outside the round's schools, anonymous) and audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from mangnon.core.models import AuditEvent
from mangnon.surveys.models import Questionnaire

from .factories import QuestionnaireFactory, RoundSchoolFactory
from .public_forms import public_form
from .test_services import FORM, UNSUPPORTED

pytestmark = pytest.mark.django_db

URL = "/api/v1/surveys"


def upload(client: Client, data: bytes = FORM, name: str = "thu.md", **fields: Any) -> Any:
    return client.post(URL, {"file": SimpleUploadedFile(name, data), **fields})


def test_upload_creates_a_questionnaire(personas: Any, api_for: Any, units: Any) -> None:
    response = upload(api_for(personas.survey), title="Khảo sát 2026", province=units.province.code)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Khảo sát 2026" and body["version"] == 1 and body["form_id"] == "thu"
    assert body["questions"] == 3 and body["warnings"] == [] and isinstance(body["languages"], list)
    questionnaire = Questionnaire.objects.get(pk=body["id"])
    assert questionnaire.province == units.province
    assert AuditEvent.objects.filter(action="import", actor_id=personas.survey.pk).count() == 1


def test_upload_with_the_same_idempotency_key_makes_one(personas: Any, api_for: Any, units: Any) -> None:
    client = api_for(personas.survey)
    first = client.post(URL, {"file": SimpleUploadedFile("thu.md", FORM)}, headers={"Idempotency-Key": "k"})
    again = client.post(URL, {"file": SimpleUploadedFile("thu.md", FORM)}, headers={"Idempotency-Key": "k"})
    assert first.json()["id"] == again.json()["id"] and Questionnaire.objects.count() == 1


def test_upload_refusals(personas: Any, api_for: Any, units: Any) -> None:
    client = api_for(personas.survey)
    refused = upload(client, UNSUPPORTED, "x.md")
    assert refused.status_code == 422
    assert "geopoint" in str(refused.json()["detail"]["file"])
    assert upload(client, province="99").status_code == 422
    with override_settings(MANGNON_SURVEY_FORM_MAX_BYTES=100):
        assert upload(client).status_code == 413
    assert not Questionnaire.objects.exists()


def test_public_fixtures_import_or_are_refused_by_name(personas: Any, api_for: Any, units: Any) -> None:
    client = api_for(personas.survey)
    for name in ("group.xlsx", "yes_or_no_question.xlsx"):
        assert upload(client, public_form(name), name).status_code == 201
    biomass = upload(client, public_form("UCL_Biomass_Plot_Form.xlsx"), "UCL_Biomass_Plot_Form.xlsx")
    assert biomass.status_code in (201, 422)
    if biomass.status_code == 422:
        assert "support" in biomass.content.decode().lower() or "hỗ trợ" in biomass.content.decode().lower()


def test_upload_forbidden(personas: Any, api_for: Any, units: Any) -> None:
    for who in (personas.officer_a, personas.viewer, personas.province_manager, personas.hotline):
        assert upload(api_for(who)).status_code == 403
    assert upload(Client()).status_code == 401
    assert not Questionnaire.objects.exists() and not AuditEvent.objects.filter(action="import").exists()


def test_list_and_detail(personas: Any, api_for: Any, units: Any, django_assert_max_num_queries: Any) -> None:
    school = RoundSchoolFactory(school__admin_unit=units.commune_a, unit=units.commune_a)
    RoundSchoolFactory(survey_round=school.survey_round)
    QuestionnaireFactory(title="Chưa có đợt")
    client = api_for(personas.survey)
    with django_assert_max_num_queries(8):
        listing = client.get(URL)
    assert listing.status_code == 200
    items = {item["title"]: item for item in listing.json()["items"]}
    questionnaire = school.survey_round.questionnaire
    assert items[questionnaire.title]["rounds"] == 1 and items[questionnaire.title]["version"] == 1
    assert items["Chưa có đợt"]["rounds"] == 0
    detail = client.get(f"{URL}/{questionnaire.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert [v["number"] for v in body["versions"]] == [1] and body["versions"][0]["questions"] == 6
    assert body["rounds"][0]["schools"] == 2 and body["rounds"][0]["name"] == school.survey_round.name
    assert not AuditEvent.objects.filter(action="view").exists()  # no personal data in these reads


def test_list_and_detail_for_commune_officers_and_forbidden(personas: Any, api_for: Any, units: Any) -> None:
    school = RoundSchoolFactory(school__admin_unit=units.commune_a, unit=units.commune_a)
    RoundSchoolFactory(survey_round=school.survey_round, unit=units.commune_b)
    questionnaire = school.survey_round.questionnaire
    officer_a = api_for(personas.officer_a)
    assert [i["id"] for i in officer_a.get(URL).json()["items"]] == [questionnaire.pk]
    detail = officer_a.get(f"{URL}/{questionnaire.pk}").json()
    assert detail["rounds"][0]["schools"] == 1  # their commune's school only
    QuestionnaireFactory()
    assert len(api_for(personas.officer_b).get(URL).json()["items"]) == 1  # commune B's school
    other = QuestionnaireFactory()
    assert api_for(personas.officer_a).get(f"{URL}/{other.pk}").status_code == 404
    assert api_for(personas.hotline).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401
