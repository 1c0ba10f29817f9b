"""The survey staff pages: rounds, questionnaires, a round's schools and links. For each: the allowed user,
the forbidden ones (wrong role, a commune officer outside the schools' commune, anonymous) and the audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mangnon.core.models import AuditEvent
from mangnon.core.navigation import items_for
from mangnon.orgs.codes import Boarding
from mangnon.orgs.tests.factories import OrganisationFactory
from mangnon.surveys.models import FormVersion, Questionnaire, RoundSchool, SurveyRound

from .factories import QuestionnaireFactory, ResponseFactory, RoundSchoolFactory, SurveyRoundFactory
from .test_services import FORM, FORM_V2, UNSUPPORTED

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(units: Any) -> RoundSchool:
    """A school of commune A in an open round, with two answers."""
    round_school = RoundSchoolFactory(
        school__name="Trường PTDTBT THCS Đồng Văn", school__admin_unit=units.commune_a, unit=units.commune_a
    )
    ResponseFactory(school=round_school)
    ResponseFactory(school=round_school)
    return round_school


def _login_required(response: Any) -> bool:
    return response.status_code == 302 and "login" in response["Location"]


def test_menu_entry_for_the_roles_that_read_surveys(personas: Any) -> None:
    for user in (personas.survey, personas.province_officer, personas.province_manager, personas.officer_a):
        entry = [i for i in items_for(user) if i["key"] == "surveys"]
        assert entry and entry[0]["url"] == reverse("surveys:round_list"), user.username
    assert "surveys" not in [i["key"] for i in items_for(personas.hotline)]


# --- round list and detail ------------------------------------------------------------------


def test_round_list_shows_rounds_with_counts(
    personas: Any, client_for: Any, school: RoundSchool, django_assert_max_num_queries: Any
) -> None:
    RoundSchoolFactory(survey_round=school.survey_round)
    for _n in range(3):
        RoundSchoolFactory()
    client = client_for(personas.survey)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("surveys:round_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert school.survey_round.name in text and "data-new-round" in text
    row = text[text.index(f'data-round-id="{school.survey_round.pk}"') :]
    assert "data-schools>2<" in row.replace(" ", "") or "data-schools>2" in row
    assert not AuditEvent.objects.filter(action="view").exists()  # figures and names of rounds only


def test_round_list_is_paged_and_counts_each_page_in_bounded_queries(
    personas: Any, client_for: Any, units: Any, django_assert_max_num_queries: Any
) -> None:
    questionnaire = QuestionnaireFactory()
    rounds = [
        SurveyRoundFactory(
            questionnaire=questionnaire, opens_on=date(2020, 1, 1 + n), closes_on=date(2020, 3, 1)
        )
        for n in range(27)
    ]
    for survey_round in rounds:
        ResponseFactory(school=RoundSchoolFactory(survey_round=survey_round))
    client = client_for(personas.survey)
    with django_assert_max_num_queries(15):
        first = client.get(reverse("surveys:round_list")).content.decode()
    second = client.get(reverse("surveys:round_list"), {"page": 2}).content.decode()
    # Newest first, 25 a page: the two that opened first are on page 2, with their own counts.
    assert first.count("data-round-id=") == 25 and 'rel="next"' in first
    assert second.count("data-round-id=") == 2 and 'rel="prev"' in second
    for survey_round in rounds[:2]:
        row = second[second.index(f'data-round-id="{survey_round.pk}"') :]
        assert "data-answers>1<" in row.replace(" ", "")
        assert f'data-round-id="{survey_round.pk}"' not in first
    assert client.get(reverse("surveys:round_list"), {"page": "x"}).status_code == 200


def test_round_list_for_a_commune_officer_shows_only_rounds_of_their_schools(
    personas: Any, client_for: Any, school: RoundSchool
) -> None:
    other = SurveyRoundFactory(name="Đợt không có trường xã A")
    page_a = client_for(personas.officer_a).get(reverse("surveys:round_list"))
    assert page_a.status_code == 200
    assert school.survey_round.name in page_a.content.decode()
    assert other.name not in page_a.content.decode() and "data-new-round" not in page_a.content.decode()
    page_b = client_for(personas.officer_b).get(reverse("surveys:round_list"))
    assert school.survey_round.name not in page_b.content.decode()


def test_round_list_forbidden(personas: Any, client_for: Any, units: Any) -> None:
    assert client_for(personas.hotline).get(reverse("surveys:round_list")).status_code == 403
    assert _login_required(Client().get(reverse("surveys:round_list")))


def test_round_detail(personas: Any, client_for: Any, school: RoundSchool) -> None:
    url = reverse("surveys:round_detail", args=[school.survey_round.pk])
    page = client_for(personas.survey).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Trường PTDTBT THCS Đồng Văn" in text and "data-link-toggle" in text and "data-links-sheet" in text
    assert "data-total-answers>2<" in text.replace(" ", "").replace("\n", "")
    assert "data-results" in text and "data-enter" in text
    # A commune officer sees their school and its results, no management and no paper entry.
    page_a = client_for(personas.officer_a).get(url)
    text_a = page_a.content.decode()
    assert page_a.status_code == 200 and "data-link-toggle" not in text_a
    assert "data-results" in text_a and "data-enter" not in text_a
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.hotline).get(url).status_code == 403
    assert _login_required(Client().get(url))


# --- creating and editing rounds ------------------------------------------------------------------


def test_round_create_page(personas: Any, client_for: Any, units: Any) -> None:
    questionnaire = QuestionnaireFactory(title="Khảo sát học sinh")
    client = client_for(personas.survey)
    pick = client.get(reverse("surveys:round_create"))
    assert pick.status_code == 200 and "Khảo sát học sinh" in pick.content.decode()
    form = client.get(reverse("surveys:round_create"), {"questionnaire": questionnaire.pk})
    assert form.status_code == 200 and 'value="sex" selected' in form.content.decode()
    bad = client.post(
        reverse("surveys:round_create"),
        {
            "questionnaire": questionnaire.pk,
            "name": "Đợt 1",
            "opens_on": "2026-04-30",
            "closes_on": "2026-04-01",
        },
    )
    assert bad.status_code == 400 and not SurveyRound.objects.exists()
    made = client.post(
        reverse("surveys:round_create"),
        {
            "questionnaire": questionnaire.pk,
            "name": "Đợt 1",
            "opens_on": "2026-04-01",
            "closes_on": "2026-04-30",
            "sex_question": "sex",
            "grade_question": "",
        },
    )
    survey_round = SurveyRound.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse(
        "surveys:round_detail", args=[survey_round.pk]
    )
    assert survey_round.sex_question == "sex" and survey_round.grade_question == ""
    assert AuditEvent.objects.filter(object_type="surveys.surveyround", actor_id=personas.survey.pk).exists()


def test_round_create_forbidden(personas: Any, client_for: Any, units: Any) -> None:
    questionnaire = QuestionnaireFactory()
    url = reverse("surveys:round_create")
    for who in (personas.officer_a, personas.viewer, personas.province_manager):
        assert client_for(who).get(url).status_code == 403
        assert client_for(who).post(url, {"questionnaire": questionnaire.pk}).status_code == 403
    assert _login_required(Client().get(url))


def test_round_edit_with_a_stale_version(personas: Any, client_for: Any, school: RoundSchool) -> None:
    survey_round = school.survey_round
    url = reverse("surveys:round_edit", args=[survey_round.pk])
    client = client_for(personas.survey)
    assert client.get(url).status_code == 200
    data = {
        "name": "Đợt đã sửa",
        "opens_on": "2026-01-01",
        "closes_on": "2026-12-31",
        "sex_question": "sex",
        "grade_question": "grade",
        "version": survey_round.version,
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 409
    survey_round.refresh_from_db()
    assert survey_round.name == "Đợt đã sửa" and survey_round.opens_on == date(2026, 1, 1)
    assert AuditEvent.objects.filter(object_type="surveys.surveyround", action="update").count() == 1
    assert client_for(personas.officer_a).get(url).status_code == 403
    assert client_for(personas.officer_b).get(url).status_code == 404


# --- schools and links ------------------------------------------------------------------


def test_add_schools_several_at_once_with_a_boarding_filter(
    personas: Any, client_for: Any, school: RoundSchool, units: Any
) -> None:
    boarding = OrganisationFactory(name="Trường PTDTNT Bình Liêu", boarding=Boarding.BOARDING)
    semi = OrganisationFactory(name="Trường PTDTBT TH Hoành Mô", boarding=Boarding.SEMI_BOARDING)
    day = OrganisationFactory(name="Trường THCS Ngày")
    url = reverse("surveys:round_schools_add", args=[school.survey_round.pk])
    client = client_for(personas.survey)
    page = client.get(url, {"boarding": "any"})
    text = page.content.decode()
    assert page.status_code == 200 and boarding.name in text and semi.name in text and day.name not in text
    assert "Đồng Văn" not in text  # already in the round
    added = client.post(
        url, {"schools": [boarding.pk, semi.pk], "grade_from": 6, "grade_to": 9, "expected": 50}
    )
    assert added.status_code == 302
    rows = RoundSchool.objects.filter(school__in=[boarding, semi])
    assert {r.boarding for r in rows} == {Boarding.BOARDING, Boarding.SEMI_BOARDING}
    assert {r.expected for r in rows} == {50}
    assert AuditEvent.objects.filter(object_type="surveys.roundschool", action="create").count() == 2
    for who in (personas.officer_a, personas.viewer):
        assert client_for(who).get(url).status_code == 403
    assert _login_required(Client().post(url, {"schools": [day.pk]}))


def test_school_edit_toggle_renew_and_remove(personas: Any, client_for: Any, school: RoundSchool) -> None:
    pk, spk = school.survey_round.pk, school.pk
    client = client_for(personas.survey)
    edit = reverse("surveys:round_school_edit", args=[pk, spk])
    assert client.get(edit).status_code == 200
    assert (
        client.post(
            edit,
            {"unit": school.unit_id, "boarding": "boarding", "grade_from": 6, "grade_to": 12, "expected": 80},
        ).status_code
        == 302
    )
    school.refresh_from_db()
    assert school.expected == 80 and school.grade_to == 12
    # The unit offered are the province's district-level units of the day and the school's commune.
    offered = client.get(edit).content.decode()
    assert f'value="{school.school.admin_unit_id}"' in offered
    assert client.post(reverse("surveys:link_toggle", args=[pk, spk])).status_code == 302
    school.refresh_from_db()
    assert not school.active
    old = school.token
    assert client.post(reverse("surveys:link_renew", args=[pk, spk])).status_code == 302
    school.refresh_from_db()
    assert school.token != old
    # It has answers: not removed.
    client.post(reverse("surveys:round_school_remove", args=[pk, spk]))
    assert RoundSchool.objects.filter(pk=spk).exists()
    empty = RoundSchoolFactory(survey_round=school.survey_round)
    assert client.post(reverse("surveys:round_school_remove", args=[pk, empty.pk])).status_code == 302
    assert not RoundSchool.objects.filter(pk=empty.pk).exists()
    assert (
        AuditEvent.objects.filter(object_type="surveys.roundschool", actor_id=personas.survey.pk).count() == 4
    )
    for name in ("link_toggle", "link_renew", "round_school_remove"):
        url = reverse(f"surveys:{name}", args=[pk, spk])
        assert client_for(personas.officer_a).post(url).status_code == 403
        assert client_for(personas.officer_b).post(url).status_code == 403
        assert _login_required(Client().post(url))
        assert client.get(url).status_code == 405


def test_links_sheet_prints_each_school_with_its_qr_code(
    personas: Any, client_for: Any, school: RoundSchool
) -> None:
    url = reverse("surveys:links_sheet", args=[school.survey_round.pk])
    page = client_for(personas.survey).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    link = "http://testserver" + reverse("survey_public:start", args=[school.token])
    assert link in text and '<svg xmlns="http://www.w3.org/2000/svg"' in text
    assert "Trường PTDTBT THCS Đồng Văn" in text
    event = AuditEvent.objects.get(action="export", object_type="surveys.surveyround")
    assert event.actor_id == personas.survey.pk and school.token not in str(event.changes)
    assert client_for(personas.officer_a).get(url).status_code == 403
    assert client_for(personas.viewer).get(url).status_code == 403
    assert _login_required(Client().get(url))


def test_qr_downloads(personas: Any, client_for: Any, school: RoundSchool) -> None:
    client = client_for(personas.survey)
    png = client.get(reverse("surveys:link_qr", args=[school.survey_round.pk, school.pk, "png"]))
    assert (
        png.status_code == 200 and png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    )
    svg = client.get(reverse("surveys:link_qr", args=[school.survey_round.pk, school.pk, "svg"]))
    assert svg.status_code == 200 and b"<svg" in svg.content and "attachment" in svg["Content-Disposition"]
    assert (
        client.get(reverse("surveys:link_qr", args=[school.survey_round.pk, school.pk, "gif"])).status_code
        == 404
    )
    assert AuditEvent.objects.filter(action="export", object_type="surveys.roundschool").count() == 2
    url = reverse("surveys:link_qr", args=[school.survey_round.pk, school.pk, "png"])
    assert client_for(personas.officer_a).get(url).status_code == 403
    assert _login_required(Client().get(url))


# --- questionnaires ------------------------------------------------------------------


def test_questionnaire_upload_and_list(personas: Any, client_for: Any, units: Any) -> None:
    client = client_for(personas.survey)
    url = reverse("surveys:questionnaire_list")
    refused = client.post(url, {"file": SimpleUploadedFile("x.md", UNSUPPORTED)})
    assert refused.status_code == 400 and "geopoint" in refused.content.decode()
    assert not Questionnaire.objects.exists()
    made = client.post(url, {"file": SimpleUploadedFile("thu.md", FORM), "title": ""})
    questionnaire = Questionnaire.objects.get()
    assert made.status_code == 302 and questionnaire.title == "Khảo sát thử"
    assert questionnaire.province == units.province
    assert AuditEvent.objects.filter(action="import", actor_id=personas.survey.pk).count() == 1
    listing = client.get(url)
    assert listing.status_code == 200 and "Khảo sát thử" in listing.content.decode()
    assert "data-upload-form" in listing.content.decode()


def test_questionnaire_list_is_paged(personas: Any, client_for: Any, units: Any) -> None:
    for _n in range(26):
        QuestionnaireFactory(form=False)
    client = client_for(personas.survey)
    first = client.get(reverse("surveys:questionnaire_list")).content.decode()
    second = client.get(reverse("surveys:questionnaire_list"), {"page": 2}).content.decode()
    assert first.count("data-questionnaire-id=") == 25 and 'rel="next"' in first
    assert second.count("data-questionnaire-id=") == 1 and "data-upload-form" in second


def test_questionnaire_list_forbidden(personas: Any, client_for: Any, units: Any) -> None:
    url = reverse("surveys:questionnaire_list")
    page = client_for(personas.officer_a).get(url)
    assert page.status_code == 200 and "data-upload-form" not in page.content.decode()
    assert (
        client_for(personas.officer_a).post(url, {"file": SimpleUploadedFile("thu.md", FORM)}).status_code
        == 403
    )
    assert client_for(personas.hotline).get(url).status_code == 403
    assert _login_required(Client().get(url))
    assert not Questionnaire.objects.exists()


def test_questionnaire_detail_outline_replace_and_download(
    personas: Any, client_for: Any, units: Any
) -> None:
    questionnaire = QuestionnaireFactory(title="Khảo sát nhỏ")
    client = client_for(personas.survey)
    url = reverse("surveys:questionnaire_detail", args=[questionnaire.pk])
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-item="violence_12m"' in text and "${violence_12m} = &#x27;yes&#x27;" in text
    assert "Thể chất" in text  # a choice of "kinds"
    replaced = client.post(
        url, {"file": SimpleUploadedFile("v2.md", FORM_V2), "version": questionnaire.version}
    )
    assert replaced.status_code == 302
    assert list(FormVersion.objects.filter(questionnaire=questionnaire).values_list("number", flat=True)) == [
        2,
        1,
    ]
    stale = client.post(url, {"file": SimpleUploadedFile("v3.md", FORM_V2), "version": 1})
    assert stale.status_code == 409
    download = client.get(reverse("surveys:version_download", args=[questionnaire.pk, 2]))
    assert download.status_code == 200 and download.content == FORM_V2
    assert 'filename="v2_v2.md"' in download["Content-Disposition"]
    assert client.get(reverse("surveys:version_download", args=[questionnaire.pk, 9])).status_code == 404
    assert AuditEvent.objects.filter(action="import", object_id=str(questionnaire.pk)).count() == 1


def test_questionnaire_detail_forbidden(personas: Any, client_for: Any, school: RoundSchool) -> None:
    questionnaire = school.survey_round.questionnaire
    url = reverse("surveys:questionnaire_detail", args=[questionnaire.pk])
    page = client_for(personas.officer_a).get(url)  # a round asks it in their commune: readable
    assert page.status_code == 200 and "data-replace-form" not in page.content.decode()
    upload = {"file": SimpleUploadedFile("v2.md", FORM_V2), "version": 1}
    assert client_for(personas.officer_a).post(url, upload).status_code == 403
    assert client_for(personas.officer_b).get(url).status_code == 404
    download = reverse("surveys:version_download", args=[questionnaire.pk, 1])
    assert client_for(personas.officer_b).get(download).status_code == 404
    assert client_for(personas.hotline).get(url).status_code == 403
    assert _login_required(Client().get(url))
    assert FormVersion.objects.filter(questionnaire=questionnaire).count() == 1
