"""The organisation directory in a real browser at phone width (360 px): the menu entry, the list filtered
by a name typed without diacritics, adding a school with its services ticked, and its page. No page
scrolls sideways, and no script or CSP error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ViewportSize, expect

from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.geo.models import REFORM_DATE, AdminUnit
from mangnon.orgs.codes import OrgKind, ServiceType
from mangnon.orgs.models import Organisation
from mangnon.orgs.tests.factories import OrganisationFactory

from .conftest import BrowserSession

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
COMMUNE_A = "06688"  # Phường Hạ Long
MOBILE: ViewportSize = {"width": 360, "height": 740}


def _fits(session: BrowserSession, name: str) -> None:
    """The page does not scroll sideways at phone width (a wide table scrolls in its own box)."""
    assert session.page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    session.screenshot(name)
    assert session.problems.csp_violations == [] and session.problems.script_errors == []


def test_directory_at_phone_width(session: BrowserSession) -> None:
    commune = AdminUnit.objects.get(code=COMMUNE_A, valid_from=REFORM_DATE)
    officer = UserFactory(username="b-orgs", password=PASSWORD)
    MembershipFactory(user=officer, role=Role.COMMUNE_OFFICER, admin_unit=commune)
    OrganisationFactory(name="Trường THCS Hồng Hải", admin_unit=commune)
    OrganisationFactory(
        name="Trung tâm Công tác xã hội tỉnh Quảng Ninh", kind=OrgKind.SOCIAL_WORK_CENTRE,
        admin_unit=AdminUnit.objects.get(code="22", valid_from__isnull=True),
        services=[ServiceType.PSYCHOLOGICAL, ServiceType.SAFE_SHELTER],
    )  # fmt: skip
    page = session.page
    page.set_viewport_size(MOBILE)
    page.goto(session.url("/accounts/login/"))
    page.fill("#id_username", "b-orgs")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(session.url("/"))

    # From the menu (folded at this width) to the list, filtered by a name typed without diacritics.
    page.locator("[data-nav-toggle]").click()
    page.locator("[data-nav=directory]").click()
    expect(page).to_have_url(session.url("/directory/"))
    _fits(session, "orgs-01-list-360")
    page.fill("#id_q", "cong tac xa hoi")
    page.locator("[data-directory-filters] button[type=submit]").click()
    expect(page.locator("[data-org-id]")).to_have_count(1)
    _fits(session, "orgs-02-filtered-360")

    # Adding a school of the commune: the officer's commune is chosen already.
    page.goto(session.url("/directory/new/"))
    page.fill("#id_name", "Trường THCS Hà Khánh")
    page.select_option("#id_kind", "school")
    page.locator("[data-services] input[value=education]").check()
    page.select_option("#id_school_level", "lower_secondary")
    _fits(session, "orgs-03-create-360")
    page.locator("[data-organisation-form] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/directory/\d+/$"))
    expect(page.locator("[data-kind=school]")).to_be_visible()
    _fits(session, "orgs-04-detail-360")
    school = Organisation.objects.get(name="Trường THCS Hà Khánh")
    assert school.admin_unit == commune and school.services == ["education"]
