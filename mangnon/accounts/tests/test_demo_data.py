"""Demo users: one per role, idempotent, and every one can log in through the form."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from mangnon.accounts import demo_data
from mangnon.accounts.models import Membership, User
from mangnon.core.models import AuditEvent
from mangnon.demo.loader import DemoContext
from mangnon.geo.models import AdminUnit

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-phrase-1"

EXPECTED = {
    "demo-admin": ("system_admin", "22"),
    "demo-province": ("province_officer", "22"),
    "demo-manager": ("province_manager", "22"),
    "demo-commune-a": ("commune_officer", "06688"),
    "demo-commune-b": ("commune_officer", "06862"),
    "demo-chair-a": ("commune_chair", "06688"),
    "demo-hotline": ("hotline_counsellor", "22"),
    "demo-casemanager": ("case_manager", "22"),
    "demo-collaborator": ("collaborator", "06688"),
    "demo-viewer": ("viewer", "22"),
    "demo-survey": ("survey_coordinator", "22"),
}


def _load(password: str = PASSWORD) -> DemoContext:
    ctx = DemoContext(scale="sample", password=password, out=io.StringIO())
    demo_data.load(ctx)
    return ctx


def _state() -> tuple:
    users = tuple(User.objects.order_by("username").values_list("username", "password"))
    memberships = tuple(
        Membership.objects.order_by("pk").values_list("pk", "user_id", "role", "admin_unit_id")
    )
    return users, memberships, AuditEvent.objects.count()


def test_creates_one_user_per_role_at_the_named_units(db):
    ctx = _load()
    assert {login.username for login in ctx.logins} == set(EXPECTED)
    for username, (role, code) in EXPECTED.items():
        [m] = Membership.objects.filter(user__username=username).select_related("admin_unit")
        assert (m.role, m.admin_unit.code) == (role, code)
        assert m.admin_unit.valid_to is None  # current units only
    a = Membership.objects.get(user__username="demo-commune-a").admin_unit
    b = Membership.objects.get(user__username="demo-commune-b").admin_unit
    assert a != b and a.name == "Phường Hạ Long" and b.name == "Xã Tiên Yên"


def test_logins_name_the_role_and_the_unit_with_its_code(db):
    logins = {login.username: login for login in _load().logins}
    assert logins["demo-commune-a"].role == "commune_officer"
    assert logins["demo-commune-a"].unit == "Phường Hạ Long (06688)"
    assert logins["demo-admin"].unit == "Tỉnh Quảng Ninh (22)"


def test_writes_go_through_audited_services(db):
    _load()
    created = AuditEvent.objects.filter(action="create")
    assert created.filter(object_type="accounts.user").count() == len(EXPECTED)
    assert created.filter(object_type="accounts.membership").count() == len(EXPECTED)
    assert PASSWORD not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_second_run_changes_nothing_not_even_password_hashes(db):
    first = _load()
    before = _state()
    second = _load()
    assert _state() == before
    assert [(x.username, x.role, x.unit) for x in second.logins] == [
        (x.username, x.role, x.unit) for x in first.logins
    ]


def test_a_new_demo_password_is_applied_on_the_next_run(db):
    _load()
    _load(password="another-demo-phrase-2")
    user = User.objects.get(username="demo-viewer")
    assert user.check_password("another-demo-phrase-2")
    assert not user.check_password(PASSWORD)
    assert Membership.objects.filter(user=user).count() == 1


def test_every_demo_user_can_log_in_through_the_form(db):
    _load()
    for username in EXPECTED:
        client = Client()
        response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
        assert response.status_code == 302, username
        assert response["Location"] == reverse("accounts:home")
        assert client.get(reverse("accounts:home")).status_code == 200


def test_refuses_to_run_without_the_geography(db):
    AdminUnit.objects.filter(code="06688").update(code="x06688")
    with pytest.raises(ImproperlyConfigured, match="geo load"):
        _load()
    assert not User.objects.filter(username__startswith="demo-").exists()


def test_demo_command_prints_every_demo_login_with_its_unit(db, monkeypatch):
    monkeypatch.setenv("MANGNON_DEMO_PASSWORD", PASSWORD)
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", "load", stdout=out)
    lines = out.getvalue().splitlines()
    for username, (role, code) in EXPECTED.items():
        [line] = [x for x in lines if x.split()[:1] == [username]]
        assert role in line and f"({code})" in line
