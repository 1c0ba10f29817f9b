"""Security events into the audit trail: log-in, log-out, failed log-in (Django) and lockout (django-axes).

Receivers run inside the request, so the events carry its request id and client address.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from mangnon.core import audit
from mangnon.core.models import AuditAction


def _attempted_username(credentials: dict[str, Any] | None) -> str:
    # Only the username: the credentials dict also holds the (already cleansed) password.
    return str((credentials or {}).get(get_user_model().USERNAME_FIELD, ""))[:150]


def _user_object(username: str) -> dict[str, Any]:
    """Point the event at the account when it exists, so the trail can be filtered by user."""
    model = get_user_model()
    pk = (
        model._default_manager.filter(**{model.USERNAME_FIELD: username}).values_list("pk", flat=True).first()
    )
    return {"object_type": model._meta.label_lower, "object_id": pk} if pk is not None else {}


@receiver(user_logged_in, dispatch_uid="mangnon.accounts.audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action=AuditAction.LOGIN, obj=user)


@receiver(user_logged_out, dispatch_uid="mangnon.accounts.audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:  # a log-out without a session is not an event
        audit.record(actor=user, action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed, dispatch_uid="mangnon.accounts.audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = _attempted_username(credentials)
    audit.record(
        actor=None, action=AuditAction.LOGIN_FAILED, changes={"username": username}, **_user_object(username)
    )


@receiver(user_locked_out, dispatch_uid="mangnon.accounts.audit_locked_out")
def audit_locked_out(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    name = (username or "")[:150]
    audit.record(actor=None, action=AuditAction.LOCKED_OUT, changes={"username": name}, **_user_object(name))
