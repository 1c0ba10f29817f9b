"""Issue 5 in a real browser: a training course recorded on the entry form shows in the unit's roll-up.

A commune officer (Phường Hạ Long) opens the roll-up page for their commune and the current year and
notes the training figures; records a training course through the entry form, filling several cells of
the tally grid (children and officers, female and male) and a material; saves; opens the roll-up again
and sees one more training course and the person-times grown by the grid's sum, labelled as
person-times (lượt người), beside the persons count (người). At 360 px the entry form fits the screen:
the page body does not scroll sideways, the grid scrolls within its own wrapper.
"""

from __future__ import annotations

import re
from typing import cast

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from mangnon.accounts.models import User
from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.activities.models import Activity
from mangnon.core.formatting import vi_date
from mangnon.geo.models import REFORM_DATE, AdminUnit

from .conftest import BrowserSession
from .people import PASSWORD, log_in

pytestmark = pytest.mark.browser

COMMUNE = "06688"  # Phường Hạ Long
MOBILE: ViewportSize = {"width": 360, "height": 740}
# The grid: (group, sex) → person-times typed in.
GRID = {
    ("children", "F"): 14,
    ("children", "M"): 11,
    ("officers", "F"): 3,
    ("officers", "M"): 2,
    ("parents_caregivers", "F"): 5,
}


def _number(page: Page, selector: str) -> int:
    """A figure as the page shows it (Vietnamese digit grouping: 1.234)."""
    text = page.locator(selector).first.inner_text()
    return int(text.replace(".", "").replace("\u00a0", "").strip() or 0)


def _training(page: Page) -> tuple[int, int]:
    """Training courses and their person-times, from the roll-up's table by kind."""
    return (
        _number(page, "tr[data-kind=training] td:nth-of-type(1)"),
        _number(page, "tr[data-kind=training] td:nth-of-type(2)"),
    )


def _open_rollup(session: BrowserSession) -> Page:
    page = session.page
    page.goto(session.url("/activities/rollup/"))
    expect(page.locator("[data-rollup]")).to_be_visible()
    return page


def test_a_training_course_recorded_on_the_form_shows_in_the_rollup(session: BrowserSession) -> None:
    commune = AdminUnit.objects.get(code=COMMUNE, valid_from=REFORM_DATE)
    officer = cast(User, UserFactory(username="b-activities", password=PASSWORD))
    MembershipFactory(user=officer, role=Role.COMMUNE_OFFICER, admin_unit=commune)
    log_in(session, "b-activities")

    # The roll-up of the officer's commune for this year (the page's default), before.
    page = _open_rollup(session)
    rollup = page.locator("[data-rollup]")
    expect(rollup).to_contain_text(commune.name)
    expect(rollup).to_contain_text(vi_date(timezone.localdate().replace(month=1, day=1)))
    courses, course_times = _training(page)
    person_times = _number(page, "[data-count=person_times]")
    persons = _number(page, "[data-count=unique_persons]")
    session.screenshot("activities-01-rollup-before")

    # The entry form: a training course with its grid and a material.
    page.goto(session.url("/activities/new/"))
    page.select_option("#id_kind", "training")
    page.fill("#id_title", "Tập huấn kỹ năng phòng, chống xâm hại trẻ em")
    expect(page.locator("#id_admin_unit")).to_have_value(str(commune.pk))  # the only current unit
    page.fill("#id_start_date", vi_date(timezone.localdate()))
    # Each column's heading names the sex of its cells (female first, as the cells).
    headings = page.locator("[data-tally-grid] thead th").all_inner_texts()
    assert [h.strip() for h in headings[1:]] == ["nữ", "nam", "không rõ giới tính"]
    for (group, sex), n in GRID.items():
        page.fill(f"#id_t_{group}_{sex}", str(n))
    page.fill("#id_m1_title", "Sổ tay kỹ năng phòng, chống xâm hại")
    page.select_option("#id_m1_kind", "handbook")
    page.fill("#id_m1_quantity", "40")
    page.locator("[data-activity-form] button[type=submit].primary").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+/$"), timeout=20_000)
    session.screenshot("activities-02-recorded")
    recorded = Activity.objects.get()
    assert page.url == session.url(f"/activities/{recorded.pk}/")
    assert sum(t.count for t in recorded.tallies.all()) == sum(GRID.values())
    assert [(m.kind, m.quantity) for m in recorded.materials.all()] == [("handbook", 40)]

    # The roll-up again: one more course, the person-times grown by the grid's sum, labelled.
    page = _open_rollup(session)
    assert _training(page) == (courses + 1, course_times + sum(GRID.values()))
    assert _number(page, "[data-count=person_times]") == person_times + sum(GRID.values())
    assert _number(page, "[data-count=unique_persons]") == persons  # no roster: no persons added
    figures = page.locator("[data-rollup] ul.counts")
    expect(figures.locator("li", has=page.locator("[data-count=person_times]"))).to_contain_text("lượt người")
    expect(figures.locator("li", has=page.locator("[data-count=unique_persons]"))).to_contain_text("người")
    expect(page.locator("[data-by-kind] thead")).to_contain_text("Lượt người")
    session.screenshot("activities-03-rollup-after")
    assert session.problems.csp_violations == [] and session.problems.script_errors == []


def test_the_entry_form_fits_a_phone(session: BrowserSession) -> None:
    commune = AdminUnit.objects.get(code=COMMUNE, valid_from=REFORM_DATE)
    officer = cast(User, UserFactory(username="b-activities-phone", password=PASSWORD))
    MembershipFactory(user=officer, role=Role.COMMUNE_OFFICER, admin_unit=commune)
    log_in(session, "b-activities-phone")
    page = session.page
    page.set_viewport_size(MOBILE)
    page.goto(session.url("/activities/new/"))
    grid = page.locator("[data-tally-grid]")
    expect(grid).to_be_visible()
    # The page itself does not scroll sideways…
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    # …the grid's wrapper fits the screen and scrolls its table within it.
    wrap = page.locator(".table-wrap", has=grid)
    box = wrap.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"]
    assert wrap.evaluate("e => getComputedStyle(e).overflowX") in ("auto", "scroll")
    # Every cell can be reached and typed into at this width.
    for (group, sex), n in GRID.items():
        cell = page.locator(f"#id_t_{group}_{sex}")
        cell.scroll_into_view_if_needed()
        cell.fill(str(n))
        expect(cell).to_have_value(str(n))
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    expect(page.locator("[data-activity-form] button[type=submit].primary")).to_be_visible()
    session.screenshot("activities-04-form-360")
    assert session.problems.csp_violations == [] and session.problems.script_errors == []
