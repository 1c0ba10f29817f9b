"""The children registry in a real browser: registering a child who is already registered shows the
candidate as the officer types (htmx), and linking to it creates nothing new."""

from __future__ import annotations

import re
from typing import cast

import pytest
from playwright.sync_api import ViewportSize, expect

from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.geo.models import REFORM_DATE, AdminUnit
from mangnon.registry.models import Child, RegistrationDecision
from mangnon.registry.tests.factories import ChildFactory

from .conftest import BrowserSession
from .people import PASSWORD, log_in

pytestmark = pytest.mark.browser

COMMUNE_A = "06688"  # Phường Hạ Long
MOBILE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def assert_clean(session: BrowserSession) -> None:
    assert session.problems.csp_violations == []
    assert session.problems.script_errors == []


def test_register_a_child_already_registered_links_instead_of_creating(session: BrowserSession) -> None:
    commune = AdminUnit.objects.get(code=COMMUNE_A, valid_from=REFORM_DATE)
    officer = UserFactory(username="b-registry", password=PASSWORD)
    MembershipFactory(user=officer, role=Role.COMMUNE_OFFICER, admin_unit=commune)
    existing = cast(Child, ChildFactory(admin_unit=commune, person__full_name="Nguyễn Văn An"))
    page = session.page
    log_in(session, "b-registry")

    # From the menu to the list, where the child is, and on to the registration form.
    page.locator("[data-nav=children]").click()
    expect(page).to_have_url(session.url("/children/"))
    expect(page.locator(f'[data-child-id="{existing.pk}"]')).to_be_visible()
    page.locator("[data-register]").click()
    expect(page).to_have_url(session.url("/children/new/"))

    # Typed without diacritics, as officers often do: the candidate appears while typing.
    page.fill("#id_full_name", "nguyen van an")
    page.select_option("#id_sex", "M")
    page.fill("#id_date_of_birth", "04/05/2016")
    candidate = page.locator(f'[data-candidate="{existing.pk}"]')
    expect(candidate).to_be_visible()
    expect(candidate).to_contain_text("Nguyễn Văn An")
    expect(candidate).to_have_attribute("data-level", "likely")
    session.screenshot("registry-01-candidate-desktop")
    assert_clean(session)

    # At phone width the form and the candidate fit without sideways scrolling.
    page.set_viewport_size(MOBILE)
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    session.screenshot("registry-02-candidate-360")
    page.set_viewport_size(DESKTOP)

    # Link to the candidate: the existing record opens and no child is created.
    candidate.locator("[data-link-candidate]").click()
    expect(page).to_have_url(re.compile(rf"/children/{existing.pk}/$"))
    expect(page.locator("[data-full-name]")).to_have_text("Nguyễn Văn An")
    assert Child.objects.count() == 1
    assert RegistrationDecision.objects.get(child=existing).decision == "linked"
    expect(page.locator('[data-timeline-kind="linked"]')).to_be_visible()
    session.screenshot("registry-03-linked")

    # The list at phone width: the page itself does not scroll sideways (the table scrolls in its box).
    page.goto(session.url("/children/"))
    page.set_viewport_size(MOBILE)
    expect(page.locator(f'[data-child-id="{existing.pk}"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    session.screenshot("registry-04-list-360")
    assert_clean(session)
