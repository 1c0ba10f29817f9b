"""The foundation in a real browser: log in, Vietnamese then English, browse the geography, log out."""

from __future__ import annotations

import pytest
from playwright.sync_api import ViewportSize, expect

from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.geo.models import REFORM_DATE, AdminUnit

from .conftest import BrowserSession

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
COMMUNE_A = "06688"  # Phường Hạ Long, a current commune of Quảng Ninh
PROVINCE = "22"
MOBILE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def assert_clean(session: BrowserSession) -> None:
    assert session.problems.csp_violations == []
    assert session.problems.script_errors == []


def test_officer_logs_in_switches_language_browses_geography_and_logs_out(session: BrowserSession) -> None:
    commune = AdminUnit.objects.get(code=COMMUNE_A, valid_from=REFORM_DATE)
    officer = UserFactory(username="b-commune-a", password=PASSWORD)
    MembershipFactory(user=officer, role=Role.COMMUNE_OFFICER, admin_unit=commune)
    page = session.page

    # An anonymous visit lands on the login page, in Vietnamese (the default language).
    page.goto(session.url("/"))
    expect(page).to_have_url(session.url("/accounts/login/?next=/"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    session.screenshot("01-login-vi")

    page.fill("#id_username", "b-commune-a")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()

    # Home, in Vietnamese, naming the officer's commune (UTF-8 intact end to end).
    expect(page).to_have_url(session.url("/"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("[data-logout]")).to_have_text("Đăng xuất")
    expect(page.locator("[data-membership]")).to_contain_text(commune.name)
    session.screenshot("02-home-vi")
    assert_clean(session)

    # At phone width the page does not scroll sideways and the menu opens from its toggle.
    page.set_viewport_size(MOBILE)
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    expect(page.locator("[data-nav=geo]")).to_be_hidden()
    page.locator("[data-nav-toggle]").click()
    expect(page.locator("[data-nav=geo]")).to_be_visible()
    session.screenshot("03-home-360x740")
    page.set_viewport_size(DESKTOP)

    # The language switch keeps the user on the same page, now in English.
    page.locator("[data-lang-switch=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(session.url("/"))
    expect(page.locator("[data-logout]")).to_have_text("Log out")
    session.screenshot("04-home-en")

    # The geography: expanding Quảng Ninh (htmx) shows the units below it.
    page.locator("[data-nav=geo]").click()
    expect(page).to_have_url(session.url("/geo/"))
    province = page.locator(f'[data-unit-code="{PROVINCE}"]').first
    expect(province).to_be_visible()
    below = page.locator(f'[data-unit-code]:not([data-unit-code="{PROVINCE}"])')
    shown_before = below.count()
    session.screenshot("05-geo")
    province.locator("[data-expand]").first.click()
    expect(below).not_to_have_count(shown_before)
    assert below.count() > shown_before
    codes = set(below.evaluate_all("els => els.map(e => e.dataset.unitCode)"))
    # After the reform Quảng Ninh's units are communes (5-digit codes) directly under the province.
    assert COMMUNE_A in codes
    session.screenshot("06-geo-expanded")
    assert_clean(session)

    # Logging out lands on the login page, still in English (the language cookie survives).
    page.locator("[data-logout]").click()
    expect(page).to_have_url(session.url("/accounts/login/"))
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Log in")
    session.screenshot("07-logged-out")
    assert_clean(session)


def test_keyboard_only_login_and_geography(session: BrowserSession) -> None:
    """No mouse: the skip link comes first, the login form submits with Enter, the tree opens with Enter."""
    commune = AdminUnit.objects.get(code=COMMUNE_A, valid_from=REFORM_DATE)
    officer = UserFactory(username="b-keyboard", password=PASSWORD)
    MembershipFactory(user=officer, role=Role.COMMUNE_OFFICER, admin_unit=commune)
    page = session.page

    page.goto(session.url("/accounts/login/"))
    # The username field has focus on arrival; the skip link is the first stop from the top.
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type("b-keyboard")
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(session.url("/"))

    page.locator("body").focus()
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused, hidden otherwise

    # Tab to the geography entry of the menu and open it with Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.nav") == "geo":
            break
    expect(page.locator("[data-nav=geo]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(session.url("/geo/"))

    expander = page.locator(f'[data-unit-code="{PROVINCE}"] [data-expand]').first
    expander.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f'[data-unit-code="{COMMUNE_A}"]').first).to_be_visible()
    session.screenshot("08-keyboard-geo")
    assert_clean(session)
