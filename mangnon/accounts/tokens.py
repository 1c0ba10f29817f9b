"""Personal API tokens: created once, stored hashed, checked on every API call."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from mangnon.core import audit
from mangnon.core.models import AuditAction

from .models import ApiToken, User

TOKEN_PREFIX = "mn_"  # noqa: S105  (a public marker that tells tokens apart, not a secret)
DEFAULT_LIFETIME = timedelta(days=90)


def _hash(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(
    *, actor: User | None, user: User, name: str = "", lifetime: timedelta | None = DEFAULT_LIFETIME
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw token, which is never stored.

    `actor` None is the system (an operator at the command line).
    """
    if lifetime is not None and lifetime <= timedelta(0):
        raise ValueError("A token lifetime must be positive.")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires_at: datetime | None = timezone.now() + lifetime if lifetime else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=prefix, token_hash=_hash(raw), expires_at=expires_at
        )
        audit.record(
            actor=actor,
            action=AuditAction.TOKEN_CREATE,
            obj=token,
            changes={"user": user.username, "name": name, "expires_at": expires_at},
        )
    return token, raw


def token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token for good; revoking it again keeps the first revocation time."""
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            actor=actor, action=AuditAction.TOKEN_REVOKE, obj=token, changes={"user": token.user.username}
        )
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user a raw token belongs to, or None (unknown, expired, revoked, inactive user)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=_hash(raw)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    # Touch last_used_at at most once a minute: one write per call would serialise the API.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
