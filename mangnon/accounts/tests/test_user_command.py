import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Action
from mangnon.core.models import AuditEvent

pytestmark = pytest.mark.django_db

STRONG = "mang-non-quang-ninh-2026"


def run(*args, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("user", *args, stdout=out)
    return out.getvalue()


def test_create_with_password_from_stdin_then_log_in(client, monkeypatch, units):
    run(
        "create",
        "can-bo-ha-long",
        "--full-name",
        "Vũ Thị Hoa",
        "--password-stdin",
        stdin=STRONG + "\n",
        monkeypatch=monkeypatch,
    )
    user = User.objects.get(username="can-bo-ha-long")
    assert user.full_name == "Vũ Thị Hoa"
    assert user.password.startswith(("md5$", "argon2"))
    assert (
        client.post("/accounts/login/", {"username": "can-bo-ha-long", "password": STRONG}).status_code == 302
    )
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(user.pk), action="create")
    assert STRONG not in str(event.changes)


def test_create_refuses_a_weak_password_and_writes_nothing(monkeypatch):
    with pytest.raises(CommandError, match=r"short|common|numeric|ngắn|phổ biến|số"):
        run("create", "weak", "--password-stdin", stdin="123456\n", monkeypatch=monkeypatch)
    assert not User.objects.filter(username="weak").exists()
    assert not AuditEvent.objects.filter(object_type="accounts.user").exists()


def test_create_without_a_terminal_needs_an_explicit_choice(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--password-stdin"):
        call_command("user", "create", "nobody", stdout=io.StringIO())
    run("create", "nobody", "--no-password")
    assert not User.objects.get(username="nobody").has_usable_password()


def test_create_refuses_an_existing_username(personas):
    with pytest.raises(CommandError, match="exists already"):
        run("create", personas.officer_a.username, "--no-password")


def test_grant_gives_scope_at_the_current_unit_and_is_audited(units):
    run("create", "officer-new", "--no-password")
    out = run("grant", "officer-new", "--role", "commune_officer", "--unit", "06688")
    assert "Phường Hạ Long" in out
    user = User.objects.get(username="officer-new")
    assert can(user, Action.GEO_VIEW, units.commune_a)
    assert scope_for(user, Action.GEO_VIEW).contains(units.legacy_a)
    assert not scope_for(user, Action.GEO_VIEW).contains(units.commune_b)
    membership = Membership.objects.get(user=user)
    assert AuditEvent.objects.filter(object_type="accounts.membership", object_id=str(membership.pk)).exists()


def test_grant_resolves_the_code_on_the_start_date(units):
    run("create", "historic", "--no-password")
    # 06688 was Phường Hồng Hải before the reform, and Phường Hạ Long after it.
    run(
        "grant",
        "historic",
        "--role",
        "viewer",
        "--unit",
        "06688",
        "--from",
        "01/01/2024",
        "--to",
        "30/06/2025",
    )
    membership = Membership.objects.get(user__username="historic")
    assert membership.admin_unit.name == "Phường Hồng Hải"
    assert membership.valid_to == date(2025, 6, 30)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "commune_officer", "--unit", "99999"], "No administrative unit"),
        (["--role", "commune_officer", "--unit", "06688", "--from", "31/02/2026"], "not a date"),
        (
            ["--role", "commune_officer", "--unit", "06688", "--from", "01/03/2026", "--to", "01/02/2026"],
            r"kết thúc|end",  # the model's own message, in the active language
        ),
    ],
)
def test_grant_refuses_bad_input(units, args, message):
    run("create", "someone", "--no-password")
    with pytest.raises(CommandError, match=message):
        run("grant", "someone", *args)
    assert not Membership.objects.filter(user__username="someone").exists()


def test_end_membership_removes_scope_from_the_next_day(personas, units):
    yesterday = timezone.localdate() - timedelta(days=1)
    run(
        "end",
        personas.officer_a.username,
        "--role",
        "commune_officer",
        "--unit",
        "06688",
        "--on",
        yesterday.isoformat(),
    )
    fresh = User.objects.get(pk=personas.officer_a.pk)
    assert not can(fresh, Action.GEO_VIEW, units.commune_a)
    assert AuditEvent.objects.filter(object_type="accounts.membership", action="update").exists()


def test_end_refuses_when_there_is_nothing_to_end(personas):
    with pytest.raises(CommandError, match="no commune_chair membership"):
        run("end", personas.officer_a.username, "--role", "commune_chair", "--unit", "06688")


def test_deactivate_blocks_login_and_tokens(personas, client, api_for):
    api = api_for(personas.officer_b)
    run("deactivate", personas.officer_b.username)
    assert api.get("/api/v1/me").status_code == 401
    response = client.post(
        "/accounts/login/", {"username": "p-commune-b", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200  # the form again, not a redirect
    run("activate", personas.officer_b.username)
    assert api.get("/api/v1/me").status_code == 200
    changes = list(
        AuditEvent.objects.filter(object_type="accounts.user", action="update").values_list(
            "changes", flat=True
        )
    )
    assert {"is_active": [True, False]} in changes and {"is_active": [False, True]} in changes


def test_set_password(personas, client, monkeypatch):
    run(
        "set-password",
        personas.viewer.username,
        "--password-stdin",
        stdin=STRONG + "\n",
        monkeypatch=monkeypatch,
    )
    assert client.post("/accounts/login/", {"username": "p-viewer", "password": STRONG}).status_code == 302


def test_list_shows_active_memberships(personas):
    out = run("list")
    assert "p-commune-a" in out and "commune_officer@06688" in out


def test_unknown_user():
    with pytest.raises(CommandError, match="No user named"):
        run("deactivate", "ghost")
