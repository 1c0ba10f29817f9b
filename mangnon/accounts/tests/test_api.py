"""/api/v1/me and /api/v1/me/tokens: allowed, forbidden (someone else's token, anonymous), audit, CSRF."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from mangnon.accounts.models import ApiToken
from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory
from mangnon.accounts.tokens import token_create
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_me_requires_authentication(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"error": "unauthenticated", "detail": "Authentication required."}


def test_me_with_a_token_lists_username_and_memberships(personas, api_for):
    response = api_for(personas.officer_a).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "p-commune-a"
    assert body["full_name"] == personas.officer_a.full_name
    [membership] = body["memberships"]
    assert membership["role"] == "commune_officer"
    assert membership["unit"] == "06688"
    assert membership["unit_name"] == "Phường Hạ Long"
    assert membership["valid_to"] is None


def test_me_lists_every_active_membership_and_no_ended_one(personas, units, api_for):
    MembershipFactory(user=personas.officer_a, role=Role.VIEWER, admin_unit=units.province)
    MembershipFactory(
        user=personas.officer_a,
        role=Role.COMMUNE_OFFICER,
        admin_unit=units.commune_b,
        valid_from="2020-01-01",
        valid_to="2021-01-01",
    )
    body = api_for(personas.officer_a).get("/api/v1/me").json()
    assert sorted((m["role"], m["unit"]) for m in body["memberships"]) == [
        ("commune_officer", "06688"),
        ("viewer", "22"),
    ]


def test_me_with_a_browser_session(personas, client_for):
    response = client_for(personas.province_officer).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["memberships"][0]["unit"] == "22"


def test_my_tokens_lists_only_my_own(personas, api_for):
    client = api_for(personas.officer_a)  # creates one token for officer A
    token_create(actor=None, user=personas.officer_a, name="second")
    token_create(actor=None, user=personas.officer_b, name="not-mine")
    body = client.get("/api/v1/me/tokens").json()
    assert body["count"] == 2
    assert {t["name"] for t in body["items"]} == {"", "second"}
    assert set(body["items"][0]) == {
        "prefix",
        "name",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    }


def test_my_tokens_requires_authentication(client, db):
    assert client.get("/api/v1/me/tokens").status_code == 401
    assert client.delete("/api/v1/me/tokens/abcd1234").status_code == 401


def test_revoke_my_token_with_a_bearer_token_needs_no_csrf(personas):
    _, raw = token_create(actor=None, user=personas.officer_a)
    other, _ = token_create(actor=None, user=personas.officer_a, name="old")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.delete(f"/api/v1/me/tokens/{other.prefix}")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    other.refresh_from_db()
    assert other.revoked_at is not None
    [event] = AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE)
    assert event.actor_id == personas.officer_a.pk
    assert event.object_id == str(other.pk)


def test_revoking_someone_elses_token_is_404_and_changes_nothing(personas, api_for):
    theirs, _ = token_create(actor=None, user=personas.officer_b)
    response = api_for(personas.officer_a).delete(f"/api/v1/me/tokens/{theirs.prefix}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE).exists()


def _session_client(client_for, user) -> Client:
    client = client_for(user)
    client.handler.enforce_csrf_checks = True
    return client


def test_session_api_call_with_unsafe_method_needs_csrf(personas, client_for):
    token, _ = token_create(actor=None, user=personas.officer_a)
    client = _session_client(client_for, personas.officer_a)
    response = client.delete(f"/api/v1/me/tokens/{token.prefix}")
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    # Safe methods need no CSRF token.
    assert client.get("/api/v1/me/tokens").status_code == 200
    client.get("/")  # the page sets the CSRF cookie
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.delete(f"/api/v1/me/tokens/{token.prefix}", headers={"X-CSRFToken": csrf})
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_bad_token_on_an_unsafe_call_is_401_not_a_csrf_error(personas):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION="Bearer mn_00000000_wrong")
    response = client.delete("/api/v1/me/tokens/abcd1234")
    assert response.status_code == 401
