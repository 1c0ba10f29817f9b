"""Log-in security: audit of security events, lockout, argon2, idle timeout, CSRF and the CSP header."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from config.settings import base
from mangnon.accounts.services import user_create
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN = "/accounts/login/"


def _post_login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# Log-in and log-out ---------------------------------------------------------------------------------


def test_login_page_is_served_to_anonymous_users(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert b'autocomplete="current-password"' in response.content


def test_login_with_the_right_password_redirects_home_and_is_audited(client, personas):
    response = _post_login(client, "p-commune-a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert _logged_in(client)
    [event] = _events(AuditAction.LOGIN)
    assert event.actor_id == personas.officer_a.pk
    assert event.actor_username == "p-commune-a"
    assert event.object_id == str(personas.officer_a.pk)
    assert event.request_id and event.client_ip == "127.0.0.1"


def test_login_follows_a_safe_next_and_refuses_an_external_one(client, personas):
    response = client.post(LOGIN, {"username": "p-commune-a", "password": PASSWORD, "next": "/geo/"})
    assert response["Location"] == "/geo/"
    other = Client()
    response = other.post(
        LOGIN, {"username": "p-commune-a", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:home")


def test_logged_in_user_is_sent_away_from_the_login_page(client_for, personas):
    response = client_for(personas.officer_a).get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_failed_login_is_audited_with_the_username_and_never_the_password(client, personas):
    response = _post_login(client, "p-commune-a", "wrong-password-123")
    assert response.status_code == 200
    assert not _logged_in(client)
    assert response.context["form"].non_field_errors()
    [event] = _events(AuditAction.LOGIN_FAILED)
    assert event.actor_id is None
    assert event.changes == {"username": "p-commune-a"}
    assert event.object_type == "accounts.user" and event.object_id == str(personas.officer_a.pk)
    assert "wrong-password-123" not in json.dumps([e.changes for e in AuditEvent.objects.all()])


def test_failed_login_for_an_unknown_username_is_audited_without_an_object(client, db):
    _post_login(client, "nobody-here", "whatever-123")
    [event] = _events(AuditAction.LOGIN_FAILED)
    assert event.changes == {"username": "nobody-here"}
    assert event.object_id == ""


def test_inactive_user_cannot_log_in(client, personas):
    personas.officer_a.is_active = False
    personas.officer_a.save()
    _post_login(client, "p-commune-a", PASSWORD)
    assert not _logged_in(client)
    assert len(_events(AuditAction.LOGIN_FAILED)) == 1


def test_logout_ends_the_session_and_is_audited(client, personas):
    _post_login(client, "p-commune-a", PASSWORD)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not _logged_in(client)
    [event] = _events(AuditAction.LOGOUT)
    assert event.actor_id == personas.officer_a.pk
    assert client.get(reverse("accounts:home")).status_code == 302


def test_logout_needs_a_post(client_for, personas):
    client = client_for(personas.officer_a)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _logged_in(client)


def test_anonymous_logout_writes_no_event(client, db):
    client.post(reverse("accounts:logout"))
    assert not _events(AuditAction.LOGOUT)


# Lockout ---------------------------------------------------------------------------------------------


def _fail(client: Client, times: int, username: str = "p-commune-a") -> list[int]:
    return [_post_login(client, username, f"wrong-{i}-password").status_code for i in range(times)]


def _age_attempts(minutes: float) -> None:
    """Move the recorded failures into the past, as if that much time had gone by."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_settings_lock_after_five_failures_for_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]


def test_four_failures_do_not_lock(client, personas):
    assert _fail(client, 4) == [200, 200, 200, 200]
    assert _post_login(client, "p-commune-a", PASSWORD).status_code == 302
    assert not _events(AuditAction.LOCKED_OUT)


def test_five_failures_lock_the_account_even_for_the_right_password(client, personas):
    assert _fail(client, 5) == [200, 200, 200, 200, 429]
    response = _post_login(client, "p-commune-a", PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    # Another browser is locked out too: the lock is on the username, not the session.
    assert _post_login(Client(), "p-commune-a", PASSWORD).status_code == 429


def test_lockout_is_audited(client, personas):
    _fail(client, 5)
    failed = _events(AuditAction.LOGIN_FAILED)
    [locked] = _events(AuditAction.LOCKED_OUT)
    assert len(failed) == 5
    assert locked.changes == {"username": "p-commune-a"}
    assert locked.object_id == str(personas.officer_a.pk)
    assert locked.request_id == failed[-1].request_id  # the fifth failure locked the account
    # A refused attempt during the lock is recorded as well.
    _post_login(client, "p-commune-a", PASSWORD)
    assert len(_events(AuditAction.LOCKED_OUT)) == 2
    assert "wrong-" not in json.dumps([e.changes for e in AuditEvent.objects.all()])


def test_lock_lifts_after_fifteen_minutes(client, personas):
    _fail(client, 5)
    _age_attempts(14)
    assert _post_login(client, "p-commune-a", PASSWORD).status_code == 429
    # Trying again during the lock does not extend it.
    _age_attempts(1.1)
    response = _post_login(client, "p-commune-a", PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_lockout_of_one_user_leaves_the_others_alone(client, personas):
    _fail(client, 5)
    assert _post_login(client, "p-commune-b", PASSWORD).status_code == 302


# Password hashing -------------------------------------------------------------------------------------


def test_base_settings_hash_passwords_with_argon2():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_password_set_under_base_hashers_is_argon2_and_verifies(db):
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        encoded = make_password("a long pass phrase")
        assert encoded.startswith("argon2$")
        assert check_password("a long pass phrase", encoded)
        assert not check_password("another pass phrase", encoded)
        user = user_create(actor=None, username="argon-user", password="a long pass phrase")
        assert user.password.startswith("argon2$")
        assert user.check_password("a long pass phrase")


# Idle session timeout ---------------------------------------------------------------------------------


def _session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _set_expiry(client: Client, when) -> None:
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=when)


def test_session_settings_are_a_thirty_minute_sliding_window():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_session_idle_for_more_than_thirty_minutes_is_logged_out(client, personas):
    _post_login(client, "p-commune-a", PASSWORD)
    assert client.get(reverse("accounts:home")).status_code == 200
    # Last activity 30 minutes and one second ago.
    _set_expiry(client, timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_activity_renews_the_session(client, personas):
    _post_login(client, "p-commune-a", PASSWORD)
    # Idle for 29 minutes: one minute left.
    _set_expiry(client, timezone.now() + timedelta(minutes=1))
    assert client.get(reverse("accounts:home")).status_code == 200
    remaining = _session_row(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


# CSRF ---------------------------------------------------------------------------------------------------


def _csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def _csrf_token(client: Client, path: str = LOGIN) -> str:
    client.get(path)
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_login_post_without_csrf_token_is_refused(personas):
    client = _csrf_client()
    response = _post_login(client, "p-commune-a", PASSWORD)
    assert response.status_code == 403
    assert not _logged_in(client)
    assert not _events(AuditAction.LOGIN)


def test_login_post_with_csrf_token_is_accepted(personas):
    client = _csrf_client()
    token = _csrf_token(client)
    response = client.post(
        LOGIN, {"username": "p-commune-a", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert _logged_in(client)


def test_logout_without_csrf_token_is_refused(personas):
    client = _csrf_client()
    token = _csrf_token(client)
    client.post(LOGIN, {"username": "p-commune-a", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert _logged_in(client)
    token = _csrf_token(client, reverse("accounts:home"))
    assert client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert not _logged_in(client)


# Content-Security-Policy ------------------------------------------------------------------------------


def test_csp_header_forbids_inline_script_and_style(client, db):
    response = client.get(LOGIN)
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize("who", [None, "officer_a"])
def test_pages_carry_no_inline_script_style_or_handlers(client, client_for, personas, who):
    if who is None:
        response = client.get(LOGIN)
    else:
        response = client_for(getattr(personas, who)).get(reverse("accounts:home"))
    html = response.content.decode()
    assert "Content-Security-Policy" in response.headers
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
