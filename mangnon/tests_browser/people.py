"""The users of the browser tests and how they log in, as a person does: the login form, then Enter."""

from __future__ import annotations

from typing import cast

from playwright.sync_api import expect

from mangnon.accounts.models import User
from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.geo.models import AdminUnit

from .conftest import BrowserSession

PASSWORD = "correct-horse-battery"


def make_user(username: str, role: Role, unit: AdminUnit) -> User:
    user = cast(User, UserFactory(username=username, password=PASSWORD))
    MembershipFactory(user=user, role=role, admin_unit=unit)
    return user


def log_in(session: BrowserSession, username: str) -> None:
    page = session.page
    page.goto(session.url("/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    # Enter in the password field: the language toggle is a submit button of the same form.
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(session.url("/"))
