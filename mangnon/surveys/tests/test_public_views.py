"""The pupils' pages: a school's link, page by page, nothing stored until Send; the server checks every
step and the whole response again (a crafted POST cannot skip a required question or store an
out-of-range value); closed and unknown links reveal nothing; limits per link."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from mangnon.surveys.models import Response
from mangnon.surveys.public_views import STATE_SALT

from .factories import RoundSchoolFactory

pytestmark = pytest.mark.django_db

STATE = re.compile(r'name="state" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(units: Any) -> Any:
    return RoundSchoolFactory(survey_round__name="Khảo sát học sinh 2026", school__name="Trường PTDTNT Tỉnh")


def page_url(school: Any) -> str:
    return reverse("survey_public:page", args=[school.token])


def state_of(response: Any) -> str:
    found = STATE.search(response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


def post(client: Client, school: Any, state: str, action: str, page: int | None = None, **data: Any) -> Any:
    body: dict[str, Any] = {"state": state, "action": action, **data}
    if page is not None:
        body["page"] = page
    return client.post(page_url(school), body)


def walk_to_send(client: Client, school: Any, **about: Any) -> str:
    """Begin, answer both pages; the state at the send step."""
    start = client.get(reverse("survey_public:start", args=[school.token]))
    first = post(client, school, state_of(start), "begin")
    second = post(client, school, state_of(first), "next", 0, **({"sex": "female", "grade": "8"} | about))
    last = post(client, school, state_of(second), "next", 1, violence_12m="yes", kinds=["physical", "sexual"])
    assert "data-send" in last.content.decode()
    return state_of(last)


def signed(school: Any, answers: dict[str, Any]) -> str:
    """A state as the server would sign it: what a crafted POST could at best replay."""
    return signing.dumps({"s": school.pk, "a": answers}, salt=STATE_SALT, compress=True)


def test_start_page_names_the_round_and_says_it_is_anonymous(school: Any) -> None:
    response = Client().get(reverse("survey_public:start", args=[school.token]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Khảo sát học sinh 2026" in text and "Trường PTDTNT Tỉnh" in text
    assert "không viết tên" in text.lower() or "do not write your name" in text
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert set(response.cookies) <= {"csrftoken", "mangnon_language"}


def test_a_pupil_fills_the_form_page_by_page_and_sends(school: Any) -> None:
    client = Client()
    start = client.get(reverse("survey_public:start", args=[school.token]))
    first = post(client, school, state_of(start), "begin")
    text = first.content.decode()
    assert 'data-progress="1/3"' in text
    assert 'data-question="sex"' in text and 'data-question="grade"' in text
    assert 'inputmode="numeric"' in text and 'type="radio"' in text
    assert 'data-question="violence_12m"' not in text  # one group per page
    second = post(client, school, state_of(first), "next", 0, sex="female", grade="8")
    assert 'data-question="violence_12m"' in second.content.decode()
    assert 'data-question="kinds"' not in second.content.decode()  # not relevant yet
    assert not Response.objects.exists()  # nothing stored before Send
    last = post(client, school, state_of(second), "next", 1, violence_12m="yes", kinds=["physical", "sexual"])
    assert "data-send" in last.content.decode()
    sent = post(client, school, state_of(last), "send")
    assert sent.status_code == 303
    assert sent["Location"] == reverse("survey_public:done", args=[school.token])
    stored = Response.objects.get()
    assert stored.answers == {
        "sex": "female",
        "grade": 8,
        "violence_12m": "yes",
        "kinds": ["physical", "sexual"],
    }
    assert stored.school == school and stored.entered_by is None
    done = client.get(sent["Location"])
    assert done.status_code == 200 and "data-thanks" in done.content.decode()
    assert done["Cache-Control"] == "no-store"


def test_a_required_answer_missing_shows_its_error_and_keeps_what_was_typed(school: Any) -> None:
    client = Client()
    first = post(client, school, signed(school, {}), "begin")
    again = post(client, school, state_of(first), "next", 0, grade="7")
    text = again.content.decode()
    assert 'id="err-sex"' in text
    assert 'value="7"' in text
    assert 'data-question="violence_12m"' not in text


def test_an_out_of_range_number_is_refused_on_its_page(school: Any) -> None:
    client = Client()
    again = post(client, school, signed(school, {}), "next", 0, sex="male", grade="99")
    text = again.content.decode()
    assert 'id="err-grade"' in text and 'value="99"' in text
    assert 'data-question="violence_12m"' not in text


def test_a_crafted_send_cannot_skip_a_required_question(school: Any) -> None:
    # The pages were never shown: a state signed with only some answers is sent straight away.
    response = post(Client(), school, signed(school, {"sex": "female", "grade": 8}), "send")
    assert response.status_code == 400
    assert 'id="err-violence_12m"' in response.content.decode()
    assert not Response.objects.exists()


def test_a_crafted_send_cannot_store_an_out_of_range_value(school: Any) -> None:
    answers = {"sex": "female", "grade": 99, "violence_12m": "no"}
    response = post(Client(), school, signed(school, answers), "send")
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_a_state_not_signed_by_the_server_is_not_trusted(school: Any) -> None:
    forged = signing.dumps({"s": school.pk, "a": {"sex": "female"}}, salt="another salt")
    response = post(Client(), school, forged, "send")
    assert not Response.objects.exists()
    assert "data-anonymous" in response.content.decode()  # back to the start
    other = RoundSchoolFactory(survey_round=school.survey_round)
    response = post(Client(), school, signed(other, {"sex": "female"}), "send")  # another school's state
    assert not Response.objects.exists()


def test_answers_in_the_page_post_outside_the_page_are_ignored(school: Any) -> None:
    client = Client()
    state = walk_to_send(client, school)
    # A field of page 0 posted with the send step changes nothing: only the signed state counts.
    post(client, school, state, "send", grade="99")
    assert Response.objects.get().answers["grade"] == 8


def test_a_skip_rule_drops_the_skipped_question(school: Any) -> None:
    client = Client()
    second = post(
        client, school, signed(school, {"sex": "male", "grade": 9}), "next", 0, sex="male", grade="9"
    )
    last = post(client, school, state_of(second), "next", 1, violence_12m="no", kinds=["physical"])
    post(client, school, state_of(last), "send")
    assert Response.objects.get().answers == {"sex": "male", "grade": 9, "violence_12m": "no"}


def test_a_change_on_the_page_redraws_it_with_the_skip_rules(school: Any) -> None:
    client = Client()
    state = signed(school, {"sex": "male", "grade": 9})
    shown = post(client, school, state, "refresh", 1, violence_12m="yes")
    assert 'data-question="kinds"' in shown.content.decode()
    assert 'id="err-' not in shown.content.decode()  # a redraw shows no errors
    hidden = post(client, school, state, "refresh", 1, violence_12m="no")
    assert 'data-question="kinds"' not in hidden.content.decode()


def test_back_returns_to_the_previous_page_with_its_answers(school: Any) -> None:
    client = Client()
    state = signed(school, {"sex": "female", "grade": 11})
    back = post(client, school, state, "back", 1, violence_12m="yes")
    text = back.content.decode()
    assert 'data-question="grade"' in text and 'value="11"' in text
    assert re.search(r'value="female"\s+checked', text)


def test_htmx_gets_the_form_alone_and_a_redirect_header_on_send(school: Any) -> None:
    client = Client(headers={"HX-Request": "true"})
    first = post(client, school, signed(school, {}), "begin")
    assert "<html" not in first.content.decode() and 'id="survey-form"' in first.content.decode()
    assert first["Cache-Control"] == "no-store"
    answers = {"sex": "female", "grade": 8, "violence_12m": "no"}
    sent = post(client, school, signed(school, answers), "send")
    assert sent["HX-Redirect"] == reverse("survey_public:done", args=[school.token])
    assert Response.objects.count() == 1


def test_english_on_the_language_cookie(school: Any) -> None:
    client = Client()
    client.cookies["mangnon_language"] = "en"
    first = post(client, school, signed(school, {}), "begin")
    text = first.content.decode()
    assert "Page 1 of 3" in text and "Your sex" in text and "Female" in text


def test_the_language_switch_works_without_an_account(school: Any) -> None:
    from django.contrib.sessions.models import Session

    client = Client()
    url = reverse("survey_public:start", args=[school.token])
    assert 'href="?lang=en"' in client.get(url).content.decode()
    switched = client.get(url, {"lang": "en"})
    assert switched.status_code == 302 and switched["Location"] == url
    assert set(switched.cookies) == {"mangnon_language"}
    assert switched["Cache-Control"] == "no-store"
    assert "do not write your name" in client.get(url).content.decode()
    assert client.get(url, {"lang": "xx"}).status_code == 302  # an unknown language changes nothing
    assert "do not write your name" in client.get(url).content.decode()
    assert not Session.objects.exists()


def test_the_posts_need_no_csrf_cookie_as_browsers_send_no_origin(school: Any) -> None:
    # Referrer-Policy: no-referrer makes browsers post with "Origin: null"; the pages act for no
    # account and trust only the signed state, so they take such posts.
    client = Client(enforce_csrf_checks=True, headers={"Origin": "null"})
    start = client.get(reverse("survey_public:start", args=[school.token]))
    assert "csrftoken" not in start.cookies
    first = post(client, school, state_of(start), "begin")
    assert first.status_code == 200 and 'data-progress="1/3"' in first.content.decode()
    answers = {"sex": "female", "grade": 8, "violence_12m": "no"}
    assert post(client, school, signed(school, answers), "send").status_code == 303


def test_an_unknown_link_is_404_and_says_nothing(school: Any) -> None:
    response = Client().get(reverse("survey_public:start", args=["no-such-link-token"]))
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert "Khảo sát học sinh 2026" not in response.content.decode()
    assert Client().post(reverse("survey_public:page", args=["no-such-link-token"]), {}).status_code == 404


@pytest.mark.parametrize("how", ["inactive", "closed", "not_yet_open", "no_form"])
def test_a_closed_link_is_410_and_says_nothing(school: Any, how: str) -> None:
    survey_round = school.survey_round
    if how == "inactive":
        school.active = False
        school.save()
    elif how == "no_form":
        survey_round.questionnaire.versions.all().delete()
    elif how == "closed":
        survey_round.opens_on -= timedelta(days=60)
        survey_round.closes_on = survey_round.opens_on + timedelta(days=10)
        survey_round.save()
    else:
        survey_round.opens_on += timedelta(days=30)
        survey_round.closes_on = survey_round.opens_on + timedelta(days=10)
        survey_round.save()
    for response in (
        Client().get(reverse("survey_public:start", args=[school.token])),
        post(Client(), school, signed(school, {"sex": "female", "grade": 8, "violence_12m": "no"}), "send"),
    ):
        assert response.status_code == 410
        text = response.content.decode()
        assert "Khảo sát học sinh 2026" not in text and "Trường PTDTNT Tỉnh" not in text
    assert not Response.objects.exists()


def test_a_get_of_the_form_goes_back_to_the_start(school: Any) -> None:
    response = Client().get(page_url(school))
    assert response.status_code == 302
    assert response["Location"] == reverse("survey_public:start", args=[school.token])


def test_page_moves_are_limited_per_link(school: Any, settings: Any) -> None:
    settings.MANGNON_SURVEY_LINK_RATE = {"submit": 10, "page": 3}
    client = Client()
    for _ in range(3):
        assert post(client, school, signed(school, {}), "begin").status_code == 200
    limited = post(client, school, signed(school, {}), "begin")
    assert limited.status_code == 429
    text = limited.content.decode()
    assert "thử lại" in text and "try again" in text
    assert limited["Cache-Control"] == "no-store"
    other = RoundSchoolFactory(survey_round=school.survey_round)
    assert post(client, other, signed(other, {}), "begin").status_code == 200  # another link is not held back


def test_submissions_are_limited_per_link(school: Any, settings: Any) -> None:
    settings.MANGNON_SURVEY_LINK_RATE = {"submit": 2, "page": 100}
    answers = {"sex": "female", "grade": 8, "violence_12m": "no"}
    for _ in range(2):
        assert post(Client(), school, signed(school, answers), "send").status_code == 303
    assert post(Client(), school, signed(school, answers), "send").status_code == 429
    assert Response.objects.count() == 2


def test_the_pages_write_no_session(school: Any) -> None:
    from django.contrib.sessions.models import Session

    client = Client()
    walk_to_send(client, school)
    assert not Session.objects.exists()
    assert "sessionid" not in client.cookies


def test_every_page_of_the_demo_questionnaire_is_drawn(units: Any) -> None:
    from mangnon.surveys.demo_form import DEMO_FORM_FILENAME, demo_form_text, xlsform_workbook
    from mangnon.surveys.xlsform import import_form

    imported = import_form(xlsform_workbook(demo_form_text()), DEMO_FORM_FILENAME)
    school = RoundSchoolFactory(survey_round__questionnaire__form=imported.definition)
    client = Client()
    for page in imported.definition.pages():
        drawn = post(client, school, signed(school, {}), "refresh", page.index)
        assert drawn.status_code == 200
        assert "data-progress=" in drawn.content.decode()


def test_a_repeat_is_drawn_and_the_pupil_may_add_an_instance(units: Any) -> None:
    from mangnon.surveys.form import FormDefinition, Group, Question, QuestionKind

    definition = FormDefinition(
        title="Anh chị em",
        items=(
            Group(
                name="siblings",
                labels={"en": "Siblings"},
                repeat=True,
                children=(
                    Question(name="age", kind=QuestionKind.INTEGER, labels={"en": "Age"}, required="yes"),
                ),
            ),
        ),
    )
    school = RoundSchoolFactory(survey_round__questionnaire__form=definition)
    client = Client()
    first = post(client, school, signed(school, {}), "begin")
    assert 'name="siblings.0.age"' in first.content.decode()
    more = post(
        client, school, state_of(first), "add:siblings", 0, **{"siblings.0.age": "9", "siblings.count": "1"}
    )
    text = more.content.decode()
    assert 'name="siblings.1.age"' in text and 'value="9"' in text
    body = {"siblings.0.age": "9", "siblings.1.age": "12", "siblings.count": "2"}
    last = post(client, school, state_of(more), "next", 0, **body)
    post(client, school, state_of(last), "send")
    assert Response.objects.get().answers == {"siblings": [{"age": 9}, {"age": 12}]}
