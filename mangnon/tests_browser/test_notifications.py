"""Deadline notifications in a real browser: the top bar's count, the list at phone width, marking one
read, and the link to the case. Run with `make test-browser`."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import ViewportSize, expect

from mangnon.accounts.models import User
from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.cases import notify, services
from mangnon.cases.models import Case
from mangnon.cases.tests.factories import ContactChildFactory
from mangnon.core.models import Notification
from mangnon.geo.models import REFORM_DATE, AdminUnit
from mangnon.intake.models import ContactChild
from mangnon.tests_browser.conftest import BrowserSession

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
COMMUNE_A = "06688"  # Phường Hạ Long
MOBILE: ViewportSize = {"width": 360, "height": 740}


def _open(officer: User, commune: AdminUnit, received_at: datetime | None) -> Case:
    """A case the officer opens (and so works) from a contact; received in March 2026 by default."""
    extra = {"contact__received_at": received_at} if received_at else {}
    row: ContactChild = ContactChildFactory(contact__admin_unit=commune, **extra)  # type: ignore[assignment]
    return services.case_open(actor=officer, contact=row.contact).case


def test_officer_reads_deadline_notifications_on_a_phone(session: BrowserSession) -> None:
    commune = AdminUnit.objects.get(code=COMMUNE_A, valid_from=REFORM_DATE)
    officer: User = UserFactory(username="b-notified", password=PASSWORD)  # type: ignore[assignment]
    MembershipFactory(user=officer, role=Role.COMMUNE_OFFICER, admin_unit=commune)
    late = _open(officer, commune, received_at=None)
    soon = _open(officer, commune, received_at=timezone.now() - timedelta(hours=2))
    assert notify.notify_deadlines().notifications == 2

    page = session.page
    page.set_viewport_size(MOBILE)
    page.goto(session.url("/accounts/login/"))
    page.fill("#id_username", "b-notified")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(session.url("/"))

    counter = page.locator("[data-notifications]")
    expect(counter).to_have_attribute("data-notifications", "2")
    counter.click()
    expect(page).to_have_url(session.url("/notifications/"))
    expect(page.locator("[data-notification-id]")).to_have_count(2)
    expect(page.locator('[data-kind="case_overdue"]')).to_contain_text(late.number)
    expect(page.locator('[data-kind="case_due_soon"]')).to_contain_text(soon.number)
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    session.screenshot("notifications-360x740")

    # Marking one read: the count drops, the notification stays, marked read.
    overdue = Notification.objects.get(kind="case_overdue")
    page.locator(f'[data-mark-read="{overdue.pk}"]').click()
    expect(page.locator("[data-notifications]")).to_have_attribute("data-notifications", "1")
    expect(page.locator(f'[data-notification-id="{overdue.pk}"]')).to_have_attribute("data-read", "yes")

    # Its link opens the case.
    page.locator(f'[data-notification-id="{overdue.pk}"] a').click()
    expect(page).to_have_url(session.url(f"/cases/{late.pk}/"))
    assert session.problems.csp_violations == [] and session.problems.script_errors == []
