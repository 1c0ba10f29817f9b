"""Writes on users and memberships. Each runs in one transaction with its audit event."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit

from .access import forget_cached_scope
from .models import Membership, User
from .roles import Role


def user_create(
    *, actor: User | None, username: str, password: str | None, full_name: str = "", email: str = ""
) -> User:
    """Create an account. `password` None leaves it unusable (the user must be given one later)."""
    with transaction.atomic():
        user = User(username=username, full_name=full_name, email=email)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.full_clean()
        user.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=user,
            # The password never enters the trail; whether one was set is enough.
            changes={
                "username": username,
                "full_name": full_name,
                "email": email,
                "usable_password": password is not None,
            },
        )
    return user


def user_set_password(*, actor: User | None, user: User, password: str) -> User:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"password": ["", ""]})
    return user


def membership_add(
    *,
    actor: User | None,
    user: User,
    role: Role,
    admin_unit: AdminUnit,
    valid_from: date,
    valid_to: date | None = None,
) -> Membership:
    """Let `user` act in `role` at `admin_unit` (and everything under it) between the two dates."""
    with transaction.atomic():
        membership = Membership(
            user=user, role=role, admin_unit=admin_unit, valid_from=valid_from, valid_to=valid_to
        )
        membership.full_clean()
        membership.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=membership,
            unit=admin_unit,
            changes={
                "user": user.username,
                "role": str(role),
                "admin_unit": admin_unit.code,
                "valid_from": valid_from,
                "valid_to": valid_to,
            },
        )
    # Scope is cached on the user object; the next check must see the new membership.
    forget_cached_scope(user)
    return membership


def membership_end(*, actor: User | None, membership: Membership, valid_to: date) -> Membership:
    """End a membership on `valid_to` (inclusive): from the next day it grants nothing."""
    with transaction.atomic():
        old = membership.valid_to
        membership.valid_to = valid_to
        membership.full_clean()
        membership.save(update_fields=["valid_to", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=membership,
            unit=membership.admin_unit,
            changes={"valid_to": [old, valid_to]},
        )
    forget_cached_scope(membership.user)
    return membership


def user_set_active(*, actor: User | None, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account: an inactive user can neither log in nor use a token."""
    with transaction.atomic():
        old = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"is_active": [old, active]})
    forget_cached_scope(user)
    return user
