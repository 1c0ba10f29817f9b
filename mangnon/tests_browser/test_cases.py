"""Issue 4 in a real browser: take a call, open a case, reach the plan step, see the deadline.

A hotline counsellor takes a data contact on the intake screen from the keyboard only (shortcuts, Tab,
type-ahead in the lists, Ctrl+Enter) and refers it to commune A, the caller (the child's mother) having
agreed (a box ticked from the keyboard: the referral rule). The commune's officer, also from the
keyboard, finds the contact, opens the case (Mẫu 01), records the initial assessment (Mẫu 02) and the
detailed assessment (Mẫu 03), reaches the plan (Mẫu 04), and sees the plan's deadline — the end of the 5th
working day after the day of receipt, dd/mm/yyyy — as the case's next deadline on the case page and on the
caseload. Every field walked through has a label, and Tab reaches the fields in the order they are shown.
At 360 px the case page shows its next deadline and next steps without scrolling sideways.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import cast

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from mangnon.accounts.models import User
from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.cases import services
from mangnon.cases.codes import DeadlineKind
from mangnon.cases.models import Case, CaseStep, Deadline, Referral
from mangnon.cases.tests.factories import ContactChildFactory
from mangnon.cases.tests.steps import advance
from mangnon.cases.workflow import Status
from mangnon.core.calendar import VN_TZ, add_working_days, is_working_day
from mangnon.core.formatting import vi_date, vi_datetime
from mangnon.geo.models import REFORM_DATE, AdminUnit
from mangnon.intake.codes import ContactKind, Outcome, Urgency
from mangnon.intake.models import Contact, ContactChild
from mangnon.intake.tests.factories import LineFactory

from .conftest import BrowserSession

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
PROVINCE = "22"
COMMUNE_A = "06688"  # Phường Hạ Long
MOBILE: ViewportSize = {"width": 360, "height": 740}
CASE_STATUS = "td[data-status]"  # the case's own (the referrals listed on its page carry theirs)
CHILD = "Nguyễn Văn Bình"
PLACE = "Tổ 5, khu 3"

# Every visible control of a form has a name a screen reader reads out: a <label>, aria-label(ledby).
UNLABELLED = """form => [...form.querySelectorAll("input, select, textarea")]
  .filter(e => e.type !== "hidden" && e.getClientRects().length > 0)
  .filter(e => !(e.labels && [...e.labels].some(l => l.textContent.trim()))
               && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby"))
  .map(e => e.name || e.id)"""


# --- the keyboard ------------------------------------------------------------------------------------


def _focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector))


def _tab_to(page: Page, selector: str, *, limit: int = 150, wrap: bool = True) -> None:
    """Tab forward until `selector` has the focus. Without `wrap`, Tab must not pass the end of the page
    (and come round to "skip to content") on the way: the element comes after what had the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page, selector):
            return
        if not wrap and _focused(page, "a.skip-link"):
            raise AssertionError(f"{selector} does not come after the focused field in the Tab order")
    raise AssertionError(f"Tab never reached {selector}")


def _skip_to_content(page: Page) -> None:
    """The first Tab of a page reaches "skip to content"; Enter moves past the menu."""
    page.keyboard.press("Tab")
    assert _focused(page, "a.skip-link")
    page.keyboard.press("Enter")
    assert _focused(page, "main")


def _follow(page: Page, selector: str) -> None:
    """A link or button reached with Tab and taken with Enter, to the page it leads to."""
    _tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _choose(page: Page, value: str) -> None:
    """In the focused list (closed, as a keyboard user leaves it): Home, then ↓ to the option."""
    page.keyboard.press("Home")
    for _ in range(300):
        if page.evaluate("document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {value!r} in the focused list")


def _enter(page: Page, value: str) -> None:
    """Into the focused field: a list's option, a box ticked, or text typed over what was there."""
    kind = page.evaluate(
        "document.activeElement.tagName === 'SELECT' ? 'select' : document.activeElement.type"
    )
    if kind == "select":
        _choose(page, value)
    elif kind == "checkbox":
        if page.evaluate("document.activeElement.checked") != bool(value):
            page.keyboard.press("Space")
    else:
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.press("Backspace")
        page.keyboard.type(value)


def _fill(page: Page, fields: list[tuple[str, str]]) -> None:
    """Fields by name, each reached with Tab after the one before (the order they are shown in)."""
    for name, value in fields:
        _tab_to(page, f'[name="{name}"]', wrap=False)
        _enter(page, value)


def _labelled(page: Page, form: str) -> None:
    assert page.locator(form).evaluate(UNLABELLED) == []


def _log_in(session: BrowserSession, username: str) -> None:
    page = session.page
    if "/accounts/login/" not in page.url:
        page.goto(session.url("/accounts/login/"))
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(session.url("/"))


def _clean(session: BrowserSession) -> None:
    assert session.problems.csp_violations == [] and session.problems.script_errors == []


# --- the people --------------------------------------------------------------------------------------


def _commune() -> AdminUnit:
    return AdminUnit.objects.get(code=COMMUNE_A, valid_from=REFORM_DATE)


def _person(username: str, role: Role, unit: AdminUnit) -> User:
    user = cast(User, UserFactory(username=username, password=PASSWORD))
    MembershipFactory(user=user, role=role, admin_unit=unit)
    return user


def _plan_due_text(case: Case) -> str:
    """The plan's deadline as the pages show it: the end of the 5th working day after the day of
    receipt in Vietnam, dd/mm/yyyy 23:59."""
    received = timezone.localtime(case.received_at, VN_TZ).date()
    due = add_working_days(received, 5)
    assert is_working_day(due) and (due - received).days >= 5  # at least one weekend in between
    return f"{vi_date(due)} 23:59"


# --- the call, the case, the plan step ---------------------------------------------------------------


def test_a_call_becomes_a_case_that_reaches_the_plan_step_with_its_deadline(session: BrowserSession) -> None:
    commune = _commune()
    province = AdminUnit.objects.get(code=PROVINCE, valid_from__isnull=True)
    counsellor = _person("b-hotline", Role.HOTLINE_COUNSELLOR, province)
    officer = _person("b-commune-a", Role.COMMUNE_OFFICER, commune)
    LineFactory()  # 111: restored if an earlier transactional test flushed the migration's row
    page = session.page

    # The counsellor takes the call on the intake screen, from the keyboard only.
    _log_in(session, "b-hotline")
    _follow(page, "[data-nav=intake]")
    expect(page).to_have_url(session.url("/intake/new/"))
    expect(page.locator("[data-intake-form][data-ready]")).to_be_attached()
    _labelled(page, "[data-intake-form]")
    page.keyboard.press("Alt+Digit0")  # a data contact: the cursor goes to the caller's phone
    expect(page.locator("[name=caller_phone]")).to_be_focused()
    page.keyboard.type("0987 654 321")
    page.keyboard.press("Shift+Tab")  # the urgency sits just before the caller
    expect(page.locator("[name=urgency]")).to_be_focused()
    _enter(page, Urgency.HIGH)
    _fill(page, [("caller_name", "Trần Thị Hoa"), ("caller_relationship", "parent")])
    page.keyboard.press("Alt+KeyL")  # the reasons, filtered as typed, without diacritics
    page.keyboard.type("bao luc the chat")
    page.keyboard.press("Enter")  # the only match is ticked
    expect(page.locator('input[name=reasons][value="violence.physical"]')).to_be_checked()
    page.keyboard.press("Alt+KeyR")  # the children: not registered, so written down as described
    expect(page.locator("[data-child-search]")).to_be_focused()
    _fill(
        page,
        [
            ("child-0-name", CHILD),
            ("child-0-sex", "M"),
            ("child-0-age", "9"),
            ("commune", str(commune.pk)),
            ("place_text", PLACE),
            ("narrative", "Mẹ cháu báo cháu bị bố dượng đánh nhiều lần, có vết bầm ở tay."),
            ("outcome", Outcome.REFERRED),
            ("referred_to", str(commune.pk)),
            # Referring passes the child's information on: the mother agreed (the box shows once
            # "referred" is chosen, next in the Tab order).
            ("caller_agreed", "on"),
        ],
    )
    session.screenshot("cases-01-call-taken")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messages")).to_be_visible()
    expect(page).to_have_url(session.url("/intake/new/"))  # fresh for the next call
    contact = Contact.objects.get()
    assert contact.kind == ContactKind.DATA and contact.urgency == Urgency.HIGH
    assert contact.counsellor == counsellor and contact.caller_phone == "0987654321"
    assert contact.admin_unit == commune and contact.place_text == PLACE
    assert contact.outcome == Outcome.REFERRED and contact.referred_to == commune
    referral = Referral.objects.get(contact=contact)  # passed on to the commune, on the mother's word
    assert referral.to_unit == commune and referral.caller_consent
    assert list(contact.reasons.values_list("code", flat=True)) == ["violence.physical"]
    row = ContactChild.objects.get(contact=contact)
    assert (row.name, row.sex, row.age, row.child_id) == (CHILD, "M", 9, None)
    _follow(page, "[data-logout]")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    # The commune's officer finds the contact and opens the case from it (Mẫu 01).
    _log_in(session, "b-commune-a")
    _follow(page, "[data-nav=contacts]")
    _follow(page, f'[data-contact-id="{contact.pk}"] a')
    expect(page).to_have_url(session.url(f"/intake/{contact.pk}/"))
    _follow(page, "[data-open-case]")
    expect(page).to_have_url(session.url(f"/cases/open/?contact={contact.pk}"))
    form = page.locator("[data-open-form]")
    _labelled(page, "[data-open-form]")
    expect(form.locator("[name=commune]")).to_have_value(str(commune.pk))  # where it happened
    expect(form.locator("[name=source]")).to_have_value("phone")  # from the contact's channel
    expect(form.locator("[name=place]")).to_have_value(PLACE)
    # Mẫu 01 starts with the child as the counsellor wrote them down; the officer does not type them again.
    expect(form.locator("[name=child_name]")).to_have_value(CHILD)
    expect(form.locator("[name=child_sex]")).to_have_value("M")
    expect(form.locator("[name=child_age]")).to_have_value("9")
    _skip_to_content(page)
    _fill(page, [("child_age", "")])  # the age the caller guessed is struck out
    _follow(page, "[data-open-form] button[type=submit]")

    # Refused without a date of birth or an age: what was typed stays, and the field says why.
    assert Case.objects.count() == 0
    expect(page.locator("[name=child_name]")).to_have_value(CHILD)
    birth = page.locator("[name=child_date_of_birth]")
    expect(birth).to_have_attribute("aria-invalid", "true")
    described = birth.get_attribute("aria-describedby") or ""
    assert described and page.locator(f"#{described}").inner_text().strip()
    session.screenshot("cases-02-open-refused")
    _skip_to_content(page)
    _fill(page, [("child_age", "9")])
    session.screenshot("cases-02-open")
    _follow(page, "[data-open-form] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get()
    expect(page).to_have_url(session.url(f"/cases/{case.pk}/"))
    assert case.contact == contact and case.admin_unit == commune and case.caseworker == officer
    assert case.child.person.full_name == CHILD and case.child.admin_unit == commune
    assert Contact.objects.get(pk=contact.pk).outcome == Outcome.CASE_OPENED
    expect(page.locator(CASE_STATUS)).to_have_attribute("data-status", Status.RECEIVED)
    session.screenshot("cases-03-received")

    # The initial assessment (Mẫu 02) from the first of the next steps.
    _follow(page, f'[data-next-step="{Status.ASSESSED}"]')
    expect(page.locator("[data-step-form=assess]")).to_be_visible()
    _labelled(page, "[data-step-form]")
    _skip_to_content(page)
    _fill(page, [("safety_assessment", "Trẻ có vết bầm ở tay, không nguy hiểm đến tính mạng.")])
    _follow(page, "[data-step-form] button[type=submit]")
    expect(page).to_have_url(session.url(f"/cases/{case.pk}/"))
    expect(page.locator(CASE_STATUS)).to_have_attribute("data-status", Status.ASSESSED)

    # The detailed assessment (Mẫu 03), the meeting held today.
    _follow(page, f'[data-next-step="{Status.INVESTIGATING}"]')
    expect(page.locator("[data-step-form=investigate]")).to_be_visible()
    _labelled(page, "[data-step-form]")
    _skip_to_content(page)
    _fill(
        page,
        [
            ("information_collected", "Đã gặp trẻ, mẹ và giáo viên chủ nhiệm."),
            ("meeting_on", vi_date(timezone.localdate())),
            ("participants", "Cán bộ xã, công an xã, hội phụ nữ"),
            ("needs", "Hỗ trợ tâm lý, an toàn tại nhà."),
        ],
    )
    session.screenshot("cases-04-detailed-assessment")
    _follow(page, "[data-step-form] button[type=submit]")
    expect(page).to_have_url(session.url(f"/cases/{case.pk}/"))
    expect(page.locator(CASE_STATUS)).to_have_attribute("data-status", Status.INVESTIGATING)
    case.refresh_from_db()
    assert list(CaseStep.objects.filter(case=case).order_by("at", "pk").values_list("name", flat=True)) == [
        "open",
        "assess",
        "investigate",
    ]

    # The case's next deadline is now the plan's, in Vietnamese format, and the plan is the next step.
    due = _plan_due_text(case)
    plan = Deadline.objects.get(case=case, kind=DeadlineKind.PLAN)
    assert vi_datetime(plan.due_at) == due and case.next_due_at == plan.due_at
    expect(page.locator("[data-next-due] time")).to_have_text(due)
    expect(page.locator("[data-next-due] time")).to_have_attribute(
        "datetime", timezone.localtime(plan.due_at).isoformat()
    )
    expect(page.locator("[data-deadline=safety] .badge.met")).to_be_visible()  # the 12 hours: met
    expect(page.locator("[data-deadline=plan] time")).to_have_text(due)
    expect(page.locator(f'[data-next-step="{Status.PLAN_DRAFTED}"]')).to_be_visible()
    session.screenshot("cases-05-next-deadline-plan")

    # The plan step (Mẫu 04) opens, its form ready for the keyboard.
    _follow(page, f'[data-next-step="{Status.PLAN_DRAFTED}"]')
    expect(page).to_have_url(session.url(f"/cases/{case.pk}/steps/{Status.PLAN_DRAFTED}/"))
    expect(page.locator("[data-step-form=draft_plan]")).to_be_visible()
    _labelled(page, "[data-step-form]")
    _skip_to_content(page)
    _tab_to(page, "[name=goals]")
    session.screenshot("cases-06-plan-step")

    # The caseload lists the case under the officer's own, with the same deadline.
    _follow(page, "[data-nav=cases]")
    expect(page).to_have_url(session.url("/cases/"))
    mine = page.locator(f'[data-mine] tr[data-case-id="{case.pk}"]')
    expect(mine).to_be_visible()
    expect(mine.locator("time")).to_have_text(due)
    session.screenshot("cases-07-caseload")
    _clean(session)


# --- a phone ---------------------------------------------------------------------------------------


def test_case_page_at_phone_width(session: BrowserSession) -> None:
    commune = _commune()
    officer = _person("b-commune-a", Role.COMMUNE_OFFICER, commune)
    chair = _person("b-chair-a", Role.COMMUNE_CHAIR, commune)
    row = cast(
        ContactChild,
        ContactChildFactory(
            contact__received_at=timezone.now() - timedelta(hours=2),
            child__person__full_name="Phạm Thị Ngọc Ánh Dương",
        ),
    )
    case = services.case_open(actor=officer, contact=row.contact).case
    advance(case, Status.INVESTIGATING, officer=officer, chair=chair)
    page = session.page
    page.set_viewport_size(MOBILE)
    _log_in(session, "b-commune-a")

    page.goto(session.url(f"/cases/{case.pk}/"))
    due = page.locator("[data-next-due] time")
    expect(due).to_have_text(_plan_due_text(case))
    steps = page.locator("[data-next-step]")
    expect(steps.first).to_be_visible()
    assert steps.evaluate_all("els => els.map(e => e.dataset.nextStep)") == [Status.PLAN_DRAFTED]
    for item in (due, *steps.all()):
        box = item.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    session.screenshot("cases-08-case-360")

    page.goto(session.url(f"/cases/{case.pk}/steps/{Status.PLAN_DRAFTED}/"))
    expect(page.locator("[data-step-form=draft_plan]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    session.screenshot("cases-09-plan-step-360")

    page.goto(session.url("/cases/"))
    expect(page.locator(f'[data-mine] tr[data-case-id="{case.pk}"]')).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    session.screenshot("cases-10-caseload-360")
    _clean(session)
