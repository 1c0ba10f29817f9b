"""The registry's action pages in a real browser at phone width (360 px): the profile with its consent and
caregiver forms open, moving a child, comparing and merging two records, and the household's pages. No
page scrolls sideways; the merge done by clicking leaves the other record leading to the survivor."""

from __future__ import annotations

import re
from typing import cast

import pytest
from playwright.sync_api import ViewportSize, expect

from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.geo.models import REFORM_DATE, AdminUnit
from mangnon.registry.codes import ChildStatus
from mangnon.registry.models import Child, Household, HouseholdMember
from mangnon.registry.tests.factories import CaregiverFactory, ChildFactory, HouseholdFactory

from .conftest import BrowserSession

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
PROVINCE = "22"
COMMUNE_A = "06688"  # Phường Hạ Long
MOBILE: ViewportSize = {"width": 360, "height": 740}


def _fits(session: BrowserSession, name: str) -> None:
    """The page does not scroll sideways at phone width (a wide table scrolls in its own box)."""
    assert session.page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    session.screenshot(name)
    assert session.problems.csp_violations == [] and session.problems.script_errors == []


def test_action_pages_at_phone_width(session: BrowserSession) -> None:
    province = AdminUnit.objects.get(code=PROVINCE, valid_from__isnull=True)
    commune = AdminUnit.objects.get(code=COMMUNE_A, valid_from=REFORM_DATE)
    officer = UserFactory(username="b-province", password=PASSWORD)
    MembershipFactory(user=officer, role=Role.PROVINCE_OFFICER, admin_unit=province)
    child = cast(Child, ChildFactory(admin_unit=commune, person__full_name="Nguyễn Văn An"))
    twin = cast(Child, ChildFactory(admin_unit=commune, person__full_name="Nguyen Van An"))
    CaregiverFactory(child=child, person__full_name="Nguyễn Văn Bố")
    page = session.page
    page.set_viewport_size(MOBILE)
    page.goto(session.url("/accounts/login/"))
    page.fill("#id_username", "b-province")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(session.url("/"))

    # The profile with both forms open.
    page.goto(session.url(f"/children/{child.pk}/"))
    page.locator("[data-record-consent] summary").click()
    page.locator("[data-add-caregiver] summary").click()
    expect(page.locator("#id_other_name")).to_be_visible()
    expect(page.locator("#id_birth_year")).to_be_visible()
    _fits(session, "registry-actions-01-profile-360")

    page.locator("[data-move]").click()
    expect(page.locator("[data-move-form]")).to_be_visible()
    _fits(session, "registry-actions-02-move-360")

    # Merge: the duplicate is offered, compared side by side, and merged by a click.
    page.goto(session.url(f"/children/{child.pk}/"))
    page.locator("[data-merge]").click()
    page.locator(f'[data-compare="{twin.pk}"]').click()
    expect(page.locator("[data-merge-compare]")).to_be_visible()
    _fits(session, "registry-actions-03-merge-compare-360")
    page.locator(f'[data-keep="{child.pk}"]').click()
    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/$"))
    assert Child.objects.get(pk=twin.pk).status == ChildStatus.MERGED
    page.goto(session.url(f"/children/{twin.pk}/"))
    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/$"))

    # The household's pages.
    household = cast(Household, HouseholdFactory(admin_unit=commune))
    HouseholdMember.objects.create(household=household, person=child.person)
    Child.objects.filter(pk=child.pk).update(household=household)
    page.goto(session.url(f"/children/households/{household.pk}/"))
    page.locator("[data-add-member]").click()
    expect(page.locator("[data-member-form]")).to_be_visible()
    _fits(session, "registry-actions-04-member-360")
    page.goto(session.url(f"/children/households/{household.pk}/status/"))
    expect(page.locator("[data-status-form]")).to_be_visible()
    _fits(session, "registry-actions-05-status-360")
