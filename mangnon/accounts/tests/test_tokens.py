"""Personal API tokens: the `mangnon token` command, Bearer authentication, storage and audit."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from mangnon.accounts.models import ApiToken
from mangnon.accounts.tokens import token_authenticate, token_create, token_revoke
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().rstrip("\n").split("\n")


def _me(raw: str):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")


def test_create_prints_the_token_alone_on_the_last_line_and_it_works(personas):
    lines = _run("create", "p-commune-a", "--name", "laptop", "--days", "7")
    raw = lines[-1]
    assert raw.startswith("mn_") and " " not in raw
    response = _me(raw)
    assert response.status_code == 200
    assert response.json()["username"] == "p-commune-a"
    token = ApiToken.objects.get(user=personas.officer_a)
    assert token.name == "laptop"
    assert raw.startswith(f"mn_{token.prefix}_")
    assert timedelta(days=7) - timedelta(minutes=1) < token.expires_at - timezone.now() <= timedelta(days=7)


def test_default_lifetime_is_ninety_days(personas):
    _run("create", "p-commune-a")
    token = ApiToken.objects.get(user=personas.officer_a)
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)


def test_only_the_hash_of_the_token_is_stored(personas):
    raw = _run("create", "p-commune-a")[-1]
    token = ApiToken.objects.get(user=personas.officer_a)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert raw not in stored
    assert raw not in json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_create_is_audited_as_the_system(personas):
    _run("create", "p-commune-a", "--name", "ci")
    [event] = AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATE)
    token = ApiToken.objects.get(user=personas.officer_a)
    assert event.actor_id is None
    assert event.object_type == "accounts.apitoken" and event.object_id == str(token.pk)
    assert event.changes["user"] == "p-commune-a" and event.changes["name"] == "ci"


def test_unknown_user_is_an_error(db):
    with pytest.raises(CommandError, match="No user named"):
        _run("create", "ghost")
    with pytest.raises(CommandError, match="No user named"):
        _run("list", "ghost")
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(personas):
    personas.officer_a.is_active = False
    personas.officer_a.save()
    with pytest.raises(CommandError, match="inactive"):
        _run("create", "p-commune-a")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_days_must_be_a_positive_number(personas, days):
    with pytest.raises(CommandError, match="--days"):
        _run("create", "p-commune-a", "--days", days)
    assert not ApiToken.objects.exists()


def test_list_shows_prefixes_expiry_and_revocation_but_never_the_token(personas):
    first = _run("create", "p-commune-a", "--name", "first")[-1]
    _run("create", "p-commune-a", "--name", "second")
    _run("create", "p-commune-b", "--name", "someone-else")
    revoked = ApiToken.objects.get(name="first")
    token_revoke(actor=None, token=revoked)
    output = "\n".join(_run("list", "p-commune-a"))
    assert revoked.prefix in output
    assert ApiToken.objects.get(name="second").prefix in output
    assert "someone-else" not in output
    assert first not in output
    lines = {line.split()[0]: line for line in output.splitlines()[1:]}
    assert lines[revoked.prefix].endswith("revoked")
    assert lines[ApiToken.objects.get(name="second").prefix].endswith("active")
    assert timezone.localtime(revoked.expires_at).strftime("%d/%m/%Y") in lines[revoked.prefix]


def test_list_for_a_user_without_tokens(personas):
    assert _run("list", "p-commune-a") == ["p-commune-a has no tokens."]


def test_revoke_by_prefix_stops_the_token_and_is_audited(personas):
    raw = _run("create", "p-commune-a")[-1]
    token = ApiToken.objects.get(user=personas.officer_a)
    assert _run("revoke", token.prefix) == [f"Token {token.prefix} of p-commune-a revoked."]
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = _me(raw)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    [event] = AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE)
    assert event.object_id == str(token.pk) and event.actor_id is None
    # Revoking twice changes nothing and writes nothing.
    _run("revoke", token.prefix)
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE).count() == 1


def test_revoke_unknown_prefix_is_an_error(db):
    with pytest.raises(CommandError, match="No token with prefix"):
        _run("revoke", "deadbeef")


def test_expired_token_gives_401(personas):
    token, raw = token_create(actor=None, user=personas.officer_a, lifetime=timedelta(days=1))
    assert _me(raw).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _me(raw)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthenticated", "detail": "Authentication required."}


def test_token_of_an_inactive_user_gives_401(personas):
    _, raw = token_create(actor=None, user=personas.officer_a)
    personas.officer_a.is_active = False
    personas.officer_a.save()
    assert _me(raw).status_code == 401


@pytest.mark.parametrize("raw", ["mn_00000000_not-a-real-token", "not-even-our-format", ""])
def test_unknown_tokens_give_401(personas, raw):
    assert _me(raw).status_code == 401


def test_a_token_that_differs_by_one_character_is_refused(personas):
    _, raw = token_create(actor=None, user=personas.officer_a)
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert token_authenticate(tampered) is None
    assert _me(tampered).status_code == 401


def test_use_is_recorded_at_most_once_a_minute(personas):
    token, raw = token_create(actor=None, user=personas.officer_a)
    assert token.last_used_at is None
    _me(raw)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    _me(raw)
    token.refresh_from_db()
    assert token.last_used_at == first_use


def test_token_lifetime_must_be_positive(personas):
    with pytest.raises(ValueError, match="positive"):
        token_create(actor=None, user=personas.officer_a, lifetime=timedelta(0))
