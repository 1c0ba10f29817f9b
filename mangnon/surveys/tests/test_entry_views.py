"""The paper entry page: the whole form on one page, for the schools the user may enter for
(SURVEY_ENTER); errors by field with what was typed kept; one response per submission; audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.core.models import AuditEvent
from mangnon.orgs.tests.factories import OrganisationFactory, other_province_commune
from mangnon.surveys.models import Channel, Response

from .factories import RoundSchoolFactory

pytestmark = pytest.mark.django_db

VALID = {"sex": "female", "grade": "8", "violence_12m": "yes", "kinds": ["emotional"], "comment": ""}


@pytest.fixture
def school(units: Any) -> Any:
    return RoundSchoolFactory(school__name="Trường PTDTBT THCS Đồng Văn")


def url(school: Any) -> str:
    return reverse("surveys:enter", args=[school.survey_round.pk])


def submit(client: Client, school: Any, key: str = "sub-1", **data: Any) -> Any:
    return client.post(url(school), {"school": school.pk, "submission": key, "action": "save", **data})


def test_the_page_lists_the_schools_and_shows_the_whole_form(
    personas: Any, client_for: Any, school: Any
) -> None:
    client = client_for(personas.survey)
    picker = client.get(url(school))
    assert picker.status_code == 200
    assert "Trường PTDTBT THCS Đồng Văn" in picker.content.decode()
    assert 'data-question="sex"' not in picker.content.decode()
    form = client.get(url(school), {"school": school.pk})
    text = form.content.decode()
    for name in ("sex", "grade", "violence_12m", "kinds", "comment"):  # all groups, skip rules not applied
        assert f'data-question="{name}"' in text
    assert 'name="submission"' in text


def test_save_and_enter_the_next(personas: Any, client_for: Any, school: Any) -> None:
    client = client_for(personas.survey)
    saved = submit(client, school, **VALID)
    assert saved.status_code == 302
    assert saved["Location"] == f"{url(school)}?school={school.pk}"
    stored = Response.objects.get()
    assert stored.channel == Channel.PAPER and stored.entered_by == personas.survey
    assert stored.answers == {"sex": "female", "grade": 8, "violence_12m": "yes", "kinds": ["emotional"]}
    following = client.get(saved["Location"])
    text = following.content.decode()
    assert 'data-question="sex"' in text  # a fresh form for the next questionnaire
    assert "1" in text.split("data-entered-today")[1][:200]


def test_errors_by_field_and_what_was_typed_is_kept(personas: Any, client_for: Any, school: Any) -> None:
    client = client_for(personas.survey)
    response = submit(client, school, **{**VALID, "sex": "", "grade": "42", "comment": "viết tay"})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="err-sex"' in text and 'id="err-grade"' in text
    assert 'value="42"' in text and "viết tay" in text
    assert not Response.objects.exists()


def test_skip_rules_apply_on_save(personas: Any, client_for: Any, school: Any) -> None:
    client = client_for(personas.survey)
    submit(client, school, **{**VALID, "violence_12m": "no", "kinds": ["physical"]})
    assert Response.objects.get().answers == {"sex": "female", "grade": 8, "violence_12m": "no"}


def test_a_double_submit_stores_one_response(personas: Any, client_for: Any, school: Any) -> None:
    client = client_for(personas.survey)
    assert submit(client, school, key="twice", **VALID).status_code == 302
    assert submit(client, school, key="twice", **VALID).status_code == 302
    assert Response.objects.count() == 1


def test_paper_entry_is_audited(personas: Any, client_for: Any, school: Any) -> None:
    submit(client_for(personas.survey), school, **VALID)
    stored = Response.objects.get()
    event = AuditEvent.objects.get(object_type="surveys.response", object_id=str(stored.pk))
    assert event.action == "create" and event.actor_id == personas.survey.pk
    assert "emotional" not in str(event.changes)


def test_province_officer_may_enter(personas: Any, client_for: Any, school: Any) -> None:
    assert submit(client_for(personas.province_officer), school, **VALID).status_code == 302


def test_anonymous_goes_to_the_login(school: Any) -> None:
    response = submit(Client(), school, **VALID)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Response.objects.exists()


@pytest.mark.parametrize("who", ["officer_a", "viewer", "province_manager"])
def test_readers_of_results_may_not_enter(personas: Any, client_for: Any, school: Any, who: str) -> None:
    client = client_for(getattr(personas, who))
    assert client.get(url(school)).status_code == 403
    assert submit(client, school, **VALID).status_code == 403
    assert not Response.objects.exists()


@pytest.mark.parametrize("who", ["officer_b", "hotline"])
def test_others_do_not_see_the_round(personas: Any, client_for: Any, school: Any, who: str) -> None:
    assert client_for(getattr(personas, who)).get(url(school)).status_code == 404


def test_another_provinces_coordinator_gets_404(client_for: Any, school: Any) -> None:
    commune = other_province_commune()
    user = UserFactory(username="other-survey")
    MembershipFactory(user=user, role=Role.SURVEY_COORDINATOR, admin_unit=commune.parent)
    client = client_for(user)
    assert client.get(url(school)).status_code == 404
    assert submit(client, school, **VALID).status_code == 404
    assert not Response.objects.exists()


def test_a_school_of_another_round_is_refused(personas: Any, client_for: Any, school: Any) -> None:
    elsewhere = RoundSchoolFactory(school=OrganisationFactory())
    client = client_for(personas.survey)
    response = client.post(url(school), {"school": elsewhere.pk, "submission": "x", **VALID})
    assert response.status_code == 403
    assert not Response.objects.exists()


def test_page_queries_do_not_grow_with_schools(
    personas: Any, client_for: Any, school: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        RoundSchoolFactory(survey_round=school.survey_round, school=OrganisationFactory())
    client = client_for(personas.survey)
    with django_assert_max_num_queries(20):
        assert client.get(url(school), {"school": school.pk}).status_code == 200
