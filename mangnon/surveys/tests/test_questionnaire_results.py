"""A questionnaire's rounds side by side: the page, its XLSX and the API broken down by round. Allowed,
forbidden (role, other commune, anonymous), audited; a round with too few answers is never shown."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.orgs.tests.factories import OrganisationFactory
from mangnon.surveys import results
from mangnon.surveys.models import Response
from mangnon.surveys.tests.factories import (
    QuestionnaireFactory,
    ResponseFactory,
    RoundSchoolFactory,
    SurveyRoundFactory,
    small_answers,
)

pytestmark = pytest.mark.django_db


def _round(questionnaire: Any, name: str, year: int, answers: int, school: Any, **given: Any) -> Any:
    survey_round = SurveyRoundFactory(
        questionnaire=questionnaire, name=name, opens_on=date(year, 5, 1), closes_on=date(year, 6, 1)
    )
    link = RoundSchoolFactory(survey_round=survey_round, school=school, unit=school.admin_unit)
    for _n in range(answers):
        ResponseFactory(school=link, answers=small_answers(**given))
    return survey_round


@pytest.fixture
def questionnaire(units: Any) -> Any:
    """Three rounds of one questionnaire in commune A's school: 2020 (8 answers, all "yes"), 2022 (6, all
    "no") and 2024 (3: too few to be shown); and 7 answers of 2022 in a school of commune B."""
    questionnaire = QuestionnaireFactory(title="Khảo sát nhiều năm")
    school_a = OrganisationFactory(name="Trường xã A", admin_unit=units.commune_a)
    _round(questionnaire, "Đợt 2020", 2020, 8, school_a, violence_12m="yes")
    later = _round(questionnaire, "Đợt 2022", 2022, 6, school_a, violence_12m="no", kinds=None)
    _round(questionnaire, "Đợt 2024", 2024, 3, school_a)
    school_b = OrganisationFactory(name="Trường xã B", admin_unit=units.commune_b)
    link_b = RoundSchoolFactory(survey_round=later, school=school_b, unit=units.commune_b)
    for _n in range(7):
        ResponseFactory(school=link_b, answers=small_answers(violence_12m="no", kinds=None))
    return questionnaire


def _rows(page: str) -> list[str]:
    return [part.split("</th>")[0].strip() for part in page.split('<th scope="row">')[1:]]


def test_page_sets_the_rounds_side_by_side_oldest_first(
    personas: Any, client_for: Any, questionnaire: Any
) -> None:
    url = f"/surveys/questionnaires/{questionnaire.pk}/results/"
    r = client_for(personas.survey).get(url, {"question": "violence_12m", "by": "round", "then": "sex"})
    assert r.status_code == 200
    page = r.content.decode()
    rows = _rows(page)
    assert rows.index("Đợt 2020") < rows.index("Đợt 2022")
    assert "Đợt 2024" not in rows  # 3 answers: counted in the totals only
    assert "data-results-rounds" in page and 'value="round"' in page
    assert 'data-question="violence_12m"' in page and 'data-question="sex"' not in page


def test_round_dimension_merges_or_hides_small_rounds(units: Any, questionnaire: Any) -> None:
    def rows_by_round() -> list[str]:
        rounds = list(questionnaire.rounds.order_by("opens_on"))
        answers = Response.objects.filter(survey_round__in=rounds)
        with translation.override("en"):
            tables = results.tabulate(
                questionnaire, rounds, answers, (results.ROUND,), question="violence_12m"
            )
        assert tables.respondents.count == answers.count()  # the hidden round counts in the totals
        return tables.questions[0].table.rows

    assert rows_by_round() == ["Đợt 2020", "Đợt 2022"]  # 2024 (3 answers) hidden
    # Two rounds of 3 answers each are merged into "Other rounds" (6 ≥ 5) rather than hidden.
    _round(questionnaire, "Đợt 2025", 2025, 3, OrganisationFactory(admin_unit=units.commune_a))
    assert rows_by_round() == ["Đợt 2020", "Đợt 2022", "Other rounds"]


def test_a_commune_officer_counts_only_their_schools(
    personas: Any, client_for: Any, api_for: Any, questionnaire: Any
) -> None:
    everyone = api_for(personas.survey).get(f"/api/v1/surveys/{questionnaire.pk}/results?by=round").json()
    theirs = api_for(personas.officer_a).get(f"/api/v1/surveys/{questionnaire.pk}/results?by=round").json()
    assert everyone["respondents"] == 8 + 6 + 3 + 7 and theirs["respondents"] == 8 + 6 + 3
    page = client_for(personas.officer_a).get(f"/surveys/questionnaires/{questionnaire.pk}/results/")
    assert page.status_code == 200 and "Trường xã B" not in page.content.decode()


def test_xlsx_opened_back(personas: Any, client_for: Any, questionnaire: Any) -> None:
    url = f"/surveys/questionnaires/{questionnaire.pk}/results.xlsx"
    r = client_for(personas.survey).get(url, {"by": "round"})
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    data, notes = (book[name] for name in book.sheetnames)
    labels = {row[2] for row in data.iter_rows(min_row=2, values_only=True)}
    assert {"Đợt 2020", "Đợt 2022"} <= labels and "Đợt 2024" not in labels
    notes_of = {row[0]: row[1] for row in notes.iter_rows(values_only=True)}
    assert "Đợt 2020, Đợt 2022, Đợt 2024" in notes_of.values()
    event = AuditEvent.objects.get(object_type="surveys.questionnaire", action=AuditAction.EXPORT)
    assert event.changes["results"]["by"] == ["round"] and len(event.changes["results"]["rounds"]) == 3


def test_page_read_is_audited_on_the_questionnaire(
    personas: Any, client_for: Any, questionnaire: Any
) -> None:
    client_for(personas.survey).get(f"/surveys/questionnaires/{questionnaire.pk}/results/", {"by": "round"})
    event = AuditEvent.objects.get(object_type="surveys.questionnaire", object_id=str(questionnaire.pk))
    assert event.action == AuditAction.VIEW and event.changes["results"]["by"] == ["round"]


def test_forbidden(personas: Any, client_for: Any, client: Any, questionnaire: Any) -> None:
    for suffix in ("results/", "results.xlsx"):
        url = f"/surveys/questionnaires/{questionnaire.pk}/{suffix}"
        outsider = QuestionnaireFactory(province=questionnaire.province)  # no round in commune B
        assert (
            client_for(personas.officer_b).get(f"/surveys/questionnaires/{outsider.pk}/{suffix}").status_code
            == 404
        )
        assert client_for(personas.hotline).get(url).status_code == 403
        r = client.get(url)
        assert r.status_code == 302 and "login" in r["Location"]
    assert not AuditEvent.objects.filter(object_type="surveys.questionnaire").exists()


def test_round_page_links_to_all_rounds_and_offers_no_round_breakdown(
    personas: Any, client_for: Any, questionnaire: Any
) -> None:
    survey_round = questionnaire.rounds.order_by("opens_on").first()
    page = client_for(personas.survey).get(f"/surveys/rounds/{survey_round.pk}/results/").content.decode()
    assert f'href="/surveys/questionnaires/{questionnaire.pk}/results/"' in page
    assert 'value="round"' not in page
    detail = client_for(personas.survey).get(f"/surveys/questionnaires/{questionnaire.pk}/").content.decode()
    assert "data-questionnaire-results" in detail


def test_api_refuses_an_unknown_breakdown_naming_round(
    personas: Any, api_for: Any, questionnaire: Any
) -> None:
    r = api_for(personas.survey).get(f"/api/v1/surveys/{questionnaire.pk}/results?by=year")
    assert r.status_code == 400 and "round" in r.content.decode()
