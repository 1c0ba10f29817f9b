"""The intake screen in a real browser, from the keyboard only: a non-data contact in two keystrokes, and
a data contact with a repeat caller recognised, a reason found by typing, the emergency toggle and
Ctrl+Enter, ending on the offer to open a case; a contact referred to a commune, refused until the box
"the caller agreed" is ticked (with the keyboard), then passed on. Run with `make test-browser`."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.cases.models import Referral
from mangnon.geo.models import REFORM_DATE, AdminUnit
from mangnon.intake.codes import ContactKind, NonDataType, Outcome, Urgency
from mangnon.intake.models import Contact
from mangnon.intake.tests.factories import ContactFactory, LineFactory
from mangnon.tests_browser.conftest import BrowserSession
from mangnon.tests_browser.test_cases import _fill, _labelled, _tab_to

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


def _log_in_as_counsellor(session: BrowserSession) -> None:
    user = UserFactory(username="b-hotline", password=PASSWORD)
    MembershipFactory(user=user, role=Role.HOTLINE_COUNSELLOR, admin_unit=AdminUnit.objects.get(code="22"))
    LineFactory()  # 111: restored if an earlier transactional test flushed the migration's row
    page = session.page
    page.goto(session.url("/accounts/login/"))
    page.fill("#id_username", "b-hotline")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(session.url("/"))


def test_contacts_taken_from_the_keyboard(session: BrowserSession) -> None:
    _log_in_as_counsellor(session)
    page = session.page
    page.locator("[data-nav=intake]").click()
    expect(page).to_have_url(session.url("/intake/new/"))
    ready = page.locator("[data-intake-form][data-ready]")
    expect(ready).to_be_attached()
    session.screenshot("intake-screen")

    # A silent call: its type, then Enter.
    page.keyboard.press("Alt+KeyI")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_be_visible()
    expect(ready).to_be_attached()  # the fresh screen, ready for the next call
    silent = Contact.objects.get()
    assert silent.kind == ContactKind.NON_DATA and silent.non_data_type == NonDataType.SILENT

    # A caller who called before.
    earlier: Contact = ContactFactory(counsellor=silent.counsellor, caller_phone="0912345678")  # type: ignore[assignment]
    page.keyboard.press("Alt+Digit0")  # a data contact: the cursor goes to the caller's phone
    page.keyboard.type("0912 345 678")
    expect(page.locator(f'[data-previous="{earlier.pk}"]')).to_be_visible()
    page.keyboard.press("Alt+KeyL")  # the reasons, filtered by typing (a label, or a code)
    page.keyboard.type("violence.sexual")
    page.keyboard.press("Enter")  # the only match is ticked
    expect(page.locator('input[name=reasons][value="violence.sexual"]')).to_be_checked()
    page.keyboard.press("Alt+KeyU")
    expect(page.locator("input[name=emergency]")).to_be_checked()
    page.keyboard.press("Control+Enter")

    expect(page.locator("[data-emergency-saved]")).to_be_visible()
    contact = Contact.objects.exclude(pk__in=[silent.pk, earlier.pk]).get()
    assert contact.urgency == Urgency.EMERGENCY and contact.caller_phone == "0912345678"
    assert list(contact.reasons.values_list("code", flat=True)) == ["violence.sexual"]
    expect(page.locator("[data-open-case]").first).to_have_attribute(
        "href", f"/cases/open/?contact={contact.pk}"
    )
    assert session.problems.csp_violations == [] and session.problems.script_errors == []


def test_intake_screen_fits_a_phone(session: BrowserSession) -> None:
    _log_in_as_counsellor(session)
    page = session.page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(session.url("/intake/new/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    session.screenshot("intake-screen-360")
    assert session.problems.csp_violations == [] and session.problems.script_errors == []


def test_a_referral_waits_for_the_callers_agreement(session: BrowserSession) -> None:
    _log_in_as_counsellor(session)
    commune = AdminUnit.objects.get(code="06688", valid_from=REFORM_DATE)
    page = session.page
    page.goto(session.url("/intake/new/"))
    expect(page.locator("[data-intake-form][data-ready]")).to_be_attached()
    consent = page.locator("[data-referral-consent]")
    expect(consent).to_be_hidden()  # until the outcome is "referred"

    page.keyboard.press("Alt+Digit0")
    page.keyboard.type("0903 111 222")
    _fill(page, [("caller_name", "Phạm Thị Lan"), ("caller_relationship", "parent")])
    page.keyboard.press("Alt+KeyL")
    page.keyboard.type("bao luc the chat")
    page.keyboard.press("Enter")
    _fill(
        page,
        [
            ("commune", str(commune.pk)),
            ("narrative", "Mẹ cháu báo cháu bị đánh ở nhà."),
            ("outcome", Outcome.REFERRED),
            ("referred_to", str(commune.pk)),
        ],
    )
    expect(consent).to_be_visible()
    _labelled(page, "[data-intake-form]")
    page.keyboard.press("Control+Enter")  # no box ticked: refused, nothing saved, nothing lost

    expect(page.locator("[data-intake-errors]")).to_be_visible()
    agreed = page.locator("[name=caller_agreed]")
    expect(agreed).to_have_attribute("aria-invalid", "true")
    described = (agreed.get_attribute("aria-describedby") or "").split()
    assert any(page.locator(f"#{d}").inner_text().strip() for d in described if d.endswith("_error"))
    expect(page.locator("[name=narrative]")).to_have_value("Mẹ cháu báo cháu bị đánh ở nhà.")
    expect(page.locator("[name=caller_phone]")).to_have_value("0903 111 222")
    assert Contact.objects.count() == 0 and Referral.objects.count() == 0
    session.screenshot("intake-referral-refused")

    _tab_to(page, "[name=caller_agreed]")  # the box, from the keyboard
    page.keyboard.press("Space")
    expect(agreed).to_be_checked()
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messages")).to_be_visible()
    contact = Contact.objects.get()
    assert contact.outcome == Outcome.REFERRED and contact.referred_to == commune
    referral = Referral.objects.get()
    assert referral.contact == contact and referral.to_unit == commune and referral.caller_consent
    assert session.problems.csp_violations == [] and session.problems.script_errors == []
