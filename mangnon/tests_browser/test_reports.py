"""Issue 7 in a real browser: a commune officer writes the periodic report, leadership reads it.

The officer of Phường Hạ Long opens "Báo cáo định kỳ" from the menu, creates the 2020 annual report of
the commune (the button shows its busy state while the figures are gathered), edits the section on
difficulties in place (htmx: the form opens inside the section and the saved text comes back marked as
edited), tries an edit from a stale page and keeps what they typed, then finalises the report (the
browser asks first). Leadership (a province viewer) finds the finalised report in the list, reads the
officer's text and downloads the XLSX annex once it is ready; the report page fits a 360 px screen. No
CSP violation, no script error.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, ViewportSize, expect

from mangnon.accounts.roles import Role
from mangnon.geo.models import REFORM_DATE, AdminUnit
from mangnon.reports import services
from mangnon.reports.models import Report, ReportKind, ReportStatus, SectionKey

from .conftest import BrowserSession
from .people import log_in, make_user

pytestmark = pytest.mark.browser

COMMUNE = "06688"  # Phường Hạ Long
MOBILE: ViewportSize = {"width": 360, "height": 740}
DIFFICULTIES = (
    "Kinh phí cho công tác trẻ em còn hạn chế.\n\n"
    "Một số khu phố chưa bố trí được cộng tác viên bảo vệ trẻ em."
)


def test_an_officer_writes_and_finalises_the_report_and_leadership_reads_it(session: BrowserSession) -> None:
    commune = AdminUnit.objects.get(code=COMMUNE, valid_from=REFORM_DATE)
    province = AdminUnit.objects.get(code="22", valid_from__isnull=True)
    officer = make_user("b-reports-officer", Role.COMMUNE_OFFICER, commune)
    make_user("b-reports-viewer", Role.VIEWER, province)
    page = session.page

    # The officer creates the commune's annual report for 2020.
    log_in(session, "b-reports-officer")
    page.locator("[data-nav=reports]").click()
    expect(page).to_have_url(session.url("/reports/periodic/"))
    page.locator("[data-report-create]").click()
    form = page.locator("[data-report-new]")
    expect(form.locator("[name=unit]")).to_have_value(str(commune.pk))  # their one unit
    form.locator("[name=kind]").select_option("phase")  # a phase asks for its first and last year
    expect(form.locator("[name=first_year]")).to_be_visible()
    expect(form.locator("[name=year]")).to_be_hidden()
    form.locator("[name=kind]").select_option("annual")
    expect(form.locator("[name=first_year]")).to_be_hidden()
    form.locator("[name=year]").fill("2020")
    session.screenshot("reports-01-new")
    form.locator("[data-busy-button]").click()
    expect(page).to_have_url(re.compile(r"/reports/periodic/[0-9]+/$"))
    report = Report.objects.get()
    assert (report.admin_unit, report.kind, report.status) == (commune, ReportKind.ANNUAL, ReportStatus.DRAFT)
    sections = page.locator("[data-section]")
    expect(sections).to_have_count(len(SectionKey.values))

    # Edit the difficulties in place.
    section = page.locator("[data-section=difficulties]")
    section.locator("[data-section-edit]").click()
    textarea = section.locator("textarea[name=text]")
    expect(textarea).to_be_visible()
    textarea.fill(DIFFICULTIES)
    section.locator("[data-section-save]").click()
    expect(section.locator("[data-section-edited]")).to_be_visible()
    expect(section.locator("[data-section-text]")).to_contain_text(
        "Kinh phí cho công tác trẻ em còn hạn chế."
    )
    expect(section.locator("[data-section-text] p")).to_have_count(2)
    assert report.sections.get(key=SectionKey.DIFFICULTIES).text == DIFFICULTIES

    # Someone else saves the tasks section while the officer types in it: nothing typed is lost.
    tasks = page.locator("[data-section=tasks]")
    tasks.locator("[data-section-edit]").click()
    mine = "Tiếp tục kiện toàn đội ngũ cộng tác viên."
    tasks.locator("textarea[name=text]").fill(mine)
    stored = report.sections.get(key=SectionKey.TASKS)
    services.section_edit(actor=officer, section=stored, version=stored.version, text="Văn bản đã lưu trước.")
    tasks.locator("[data-section-save]").click()
    expect(tasks.locator("[data-section-conflict]")).to_be_visible()
    expect(tasks.locator("textarea[name=text]")).to_have_value(mine)
    session.screenshot("reports-02-conflict")
    tasks.locator("[data-section-save]").click()  # saved again, on purpose
    expect(tasks.locator("[data-section-text]")).to_contain_text(mine)

    # Finalise: the browser asks first; the page comes back final, with no edit button left.
    def accept(dialog: Dialog) -> None:
        dialog.accept()

    page.once("dialog", accept)
    page.locator("[data-report-finalise] button").click()
    expect(page.locator("[data-report-status]")).to_have_attribute("data-report-status", "final")
    expect(page.locator("[data-section-edit]")).to_have_count(0)
    expect(page.locator("[data-report-finalised]")).to_be_visible()
    session.screenshot("reports-03-final")
    page.screenshot(path=str(session.shots[-1].with_name("reports-03-final-top.png")))
    report.refresh_from_db()
    assert report.status == ReportStatus.FINAL and report.finalised_by == officer
    page.locator("[data-logout]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    # Leadership finds it and reads the officer's text, on a phone.
    log_in(session, "b-reports-viewer")
    page.locator("[data-nav=reports]").click()
    row = page.locator(f'[data-report="{report.pk}"]')
    expect(row).to_be_visible()
    expect(page.locator("[data-report-create]")).to_have_count(0)
    row.locator("a").click()
    expect(page).to_have_url(session.url(f"/reports/periodic/{report.pk}/"))
    expect(page.locator("[data-section=difficulties] [data-section-text]")).to_contain_text(
        "Một số khu phố chưa bố trí được cộng tác viên bảo vệ trẻ em."
    )
    expect(page.locator("[data-section-edit]")).to_have_count(0)
    expect(page.locator("[data-report-new-version]")).to_have_count(0)
    # The XLSX annex, asked for and downloaded (the background task runs at once under the tests).
    files = page.locator("[data-file=xlsx]")
    files.locator("button").click()
    link = page.locator("[data-file=xlsx] [data-file-link]")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.set_viewport_size(MOBILE)
    session.screenshot("reports-04-leadership-mobile")
    page.screenshot(path=str(session.shots[-1].with_name("reports-05-leadership-mobile-top.png")))
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    assert session.problems.csp_violations == [] and session.problems.script_errors == []
