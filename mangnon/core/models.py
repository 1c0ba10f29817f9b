"""Core models: the base classes every app uses, the audit trail, the working-day calendar, idempotency
keys and in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimestampedModel):
    """An editable record: every write must name the version it read (stale writes get 409)."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    VIEW = "view", _("view")
    EXPORT = "export", _("export")
    LOGIN = "login", _("login")
    LOGOUT = "logout", _("logout")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOCKED_OUT = "locked_out", _("locked out")
    TOKEN_CREATE = "token_create", _("token created")
    TOKEN_REVOKE = "token_revoke", _("token revoked")
    IMPORT = "import", _("import")


class AuditEvent(models.Model):
    """One append-only row of the audit trail.

    Deliberately free of foreign keys: the trail must outlive and never block the rows it describes.
    Each row's `hash` covers its own content and the previous row's hash (see core.audit).
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    unit_id = models.BigIntegerField(_("admin unit id"), null=True, blank=True, db_index=True)
    unit_code = models.CharField(_("admin unit"), max_length=16, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx")]

    def __str__(self) -> str:
        who = self.actor_username or "system"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.object_type}:{self.object_id}"


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("extra day off")
    WORKING_DAY = "working_day", _("make-up working day")


class CalendarException(TimestampedModel):
    """A day an administrator adds on top of the statutory calendar (announced days off, make-up days)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.kind}"


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key for a create call: the same key returns the same object, never a second.

    Helplines learned this the hard way: retried submits on slow networks made duplicate contacts until
    a unique key in the database stopped them.
    """

    actor_id = models.BigIntegerField()
    scope = models.CharField(max_length=64)  # e.g. "registry.child.create"
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)  # the same key with a different body is refused
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor_id", "scope", "key"], name="core_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class Notification(models.Model):
    """Something a user should know about, shown in the app (and e-mailed when configured).

    The text is never stored: `kind` and `params` are worded when shown, in the reader's language, by
    the kind's owner (core.notifications). `key` makes sending idempotent: one notification per
    recipient and key, however often the job that sends it runs.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)  # a path in this site, e.g. /cases/12/
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="core_notification_once_per_key")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="core_notification_inbox"),
            models.Index(
                fields=["recipient"], name="core_notification_unread", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.key})"
