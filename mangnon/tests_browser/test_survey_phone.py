"""A pupil fills a school survey on a phone-sized screen (390×844, touch): the link's start page,
one question group per page with its progress line, a required answer left out shows its error, a skip
rule hides and shows its question as the answer changes (htmx), Send, and the thank-you page; one
anonymous response is stored with the answers given. Run with `make test-browser`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from mangnon.surveys.models import Response
from mangnon.surveys.tests.factories import RoundSchoolFactory

from .conftest import BrowserSession, PageProblems

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Browser, live_server: Any, geography: None) -> Iterator[BrowserSession]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = PageProblems()
    page.on("pageerror", lambda error: problems.script_errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.csp_violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    yield BrowserSession(page=page, base_url=live_server.url, problems=problems)
    context.close()


def test_a_pupil_fills_the_survey_on_a_phone(phone: BrowserSession) -> None:
    school: Any = RoundSchoolFactory(survey_round__name="Khảo sát học sinh nội trú")
    page = phone.page
    page.goto(phone.url(f"/s/{school.token}/"))
    expect(page.locator("h1")).to_have_text("Khảo sát học sinh nội trú")
    expect(page.locator("[data-anonymous]")).to_be_visible()
    page.locator("[data-begin]").tap()

    # Page 1: about the pupil. Next without the sex: its error shows, the grade typed is kept.
    expect(page.locator("[data-progress]")).to_have_attribute("data-progress", "1/3")
    page.locator("#q-grade").fill("8")
    page.locator("[data-next]").tap()
    expect(page.locator("#err-sex")).to_be_visible()
    expect(page.locator("#q-grade")).to_have_value("8")
    phone.screenshot("survey-phone-required")
    page.get_by_label("Nữ").check()
    page.locator("[data-next]").tap()

    # Page 2: the kinds of violence are asked only after a "yes".
    expect(page.locator("[data-progress]")).to_have_attribute("data-progress", "2/3")
    kinds = page.locator('[data-question="kinds"]')
    expect(kinds).to_have_count(0)
    page.get_by_label("Có", exact=True).check()
    expect(kinds).to_be_visible()
    page.get_by_label("Không", exact=True).check()
    expect(kinds).to_have_count(0)
    page.get_by_label("Có", exact=True).check()
    expect(kinds).to_be_visible()
    page.get_by_label("Tinh thần").check()
    phone.screenshot("survey-phone-skip")
    page.locator("[data-next]").tap()

    expect(page.locator("[data-progress]")).to_have_attribute("data-progress", "3/3")
    page.locator("[data-send]").tap()
    expect(page.locator("[data-thanks]")).to_be_visible()
    phone.screenshot("survey-phone-thanks")

    stored = Response.objects.get()
    assert stored.answers == {"sex": "female", "grade": 8, "violence_12m": "yes", "kinds": ["emotional"]}
    assert stored.entered_by_id is None
    assert phone.problems.csp_violations == [] and phone.problems.script_errors == []
