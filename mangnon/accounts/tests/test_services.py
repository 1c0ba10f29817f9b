"""User and membership services: validated, audited, and scope follows at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Action, Role
from mangnon.accounts.services import membership_add, user_create, user_set_password
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_user_create_hashes_the_password_and_audits_without_it(personas):
    user = user_create(
        actor=personas.system_admin, username="new-officer", password="s3cret-phrase!", full_name="Lê Văn An"
    )
    assert user.check_password("s3cret-phrase!")
    assert "s3cret-phrase!" not in user.password
    [event] = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="accounts.user")
    assert event.actor_id == personas.system_admin.pk
    assert event.changes["username"] == "new-officer"
    assert event.changes["full_name"] == "Lê Văn An"
    assert "s3cret-phrase!" not in str(event.changes)


def test_user_create_without_password_leaves_it_unusable(db):
    user = user_create(actor=None, username="no-password-yet", password=None)
    assert not user.has_usable_password()


def test_user_create_refuses_a_taken_username_and_writes_nothing(personas):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        user_create(actor=None, username="p-commune-a", password="whatever-123")
    assert User.objects.filter(username="p-commune-a").count() == 1
    assert AuditEvent.objects.count() == events


def test_user_set_password_is_audited_masked(personas):
    user_set_password(actor=personas.system_admin, user=personas.officer_a, password="brand-new-phrase")
    personas.officer_a.refresh_from_db()
    assert personas.officer_a.check_password("brand-new-phrase")
    [event] = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(personas.officer_a.pk))
    assert event.changes == {"password": ["***", "***"]}


def test_membership_add_grants_scope_at_once_and_is_audited(personas, units):
    user = personas.officer_a
    assert not can(user, Action.GEO_VIEW, units.commune_b)  # caches the scope on the user object
    membership_add(
        actor=personas.system_admin,
        user=user,
        role=Role.COMMUNE_OFFICER,
        admin_unit=units.commune_b,
        valid_from=date(2025, 7, 1),
    )
    assert can(user, Action.GEO_VIEW, units.commune_b)
    assert scope_for(user, Action.GEO_VIEW).contains(units.legacy_b)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="accounts.membership")
    assert event.unit_code == "06862"
    assert event.changes["role"] == "commune_officer"
    assert event.changes["valid_from"] == "2025-07-01"


def test_membership_cannot_end_before_it_starts(personas, units):
    with pytest.raises(ValidationError):
        membership_add(
            actor=None,
            user=personas.officer_a,
            role=Role.VIEWER,
            admin_unit=units.province,
            valid_from=date(2026, 1, 2),
            valid_to=date(2026, 1, 1),
        )
    assert Membership.objects.filter(user=personas.officer_a).count() == 1
    assert not AuditEvent.objects.filter(object_type="accounts.membership").exists()


def test_membership_role_must_be_a_known_role(personas, units):
    with pytest.raises(ValidationError):
        membership_add(
            actor=None,
            user=personas.officer_a,
            role="superhero",
            admin_unit=units.province,  # type: ignore[arg-type]
            valid_from=date(2026, 1, 1),
        )
