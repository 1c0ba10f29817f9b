"""In-app notifications (and e-mail when configured): the kinds apps declare, sending, reading.

A notification stores a kind code and its parameters, never a sentence: each app words its own kinds
(`register` in its `notify.py`, discovered at start-up like `metrics.py`), and the words are chosen when
the notification is shown, in the reader's language. Sending is idempotent on (recipient, key), so a
job may run as often as it likes and tell each person about each thing once. When
MANGNON_NOTIFY_BY_EMAIL is on, each new notification is also e-mailed (once the transaction that made it
commits) to recipients who have an e-mail address.

Core sits below accounts (DESIGN.md §2): this module takes users as given and decides nothing about who
may be told what; the app that sends a kind chooses recipients within the scope of the record concerned.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from . import audit
from .models import AuditAction, Notification

logger = logging.getLogger(__name__)

OBJECT_TYPE = "core.notification"
UNREAD_CAP = 100  # the top bar counts up to here and shows "99+" beyond
_CHUNK = 500  # keys per query, well inside every database's parameter limit
_PG_LOCK_KEY = 0x6E6F7466  # "notf": senders take turns, so two runs never both create one key


# --- kinds ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of notification: `code` is stable ("<owner>_<what>"); `text` words its params, in the
    active language, as one line."""

    code: str
    owner: str  # the label of the app that sends and words it
    text: Callable[[Mapping[str, Any]], str] = field(compare=False)


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.code in _kinds and _kinds[kind.code] != kind:
        raise ValueError(f"A notification kind {kind.code!r} is already registered.")
    _kinds[kind.code] = kind
    return kind


def get_kind(code: str) -> Kind | None:
    return _kinds.get(code)


def autodiscover() -> None:
    """Import each installed app's `notify` module, which registers the kinds the app words."""
    autodiscover_modules("notify")


def text_of(notification: Notification) -> str:
    """The notification in the active language. A kind no installed app words any more (or params it
    cannot read) still shows as a notification, never as an error page."""
    kind = get_kind(notification.kind)
    if kind is not None:
        try:
            return kind.text(notification.params)
        except (KeyError, TypeError, ValueError):
            logger.warning("notification %s: params do not fit kind %s", notification.pk, notification.kind)
    return _("Notification")


# --- sending -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One notification to send: to whom (a user id), what (a kind and its params), where it leads."""

    recipient_id: int
    kind: str
    params: Mapping[str, Any]
    link: str
    key: str


def _check(message: Message) -> None:
    if get_kind(message.kind) is None:
        raise ValueError(f"Unknown notification kind {message.kind!r}: register it first.")
    # A path on this site only: a notification is never a way to send someone elsewhere.
    if message.link and (not message.link.startswith("/") or message.link.startswith("//")):
        raise ValueError(f"A notification's link is a path on this site, not {message.link!r}.")
    if not message.key:
        raise ValueError("A notification needs a key.")


def _lock() -> None:
    # Held until the transaction ends. SQLite's immediate transactions already serialise writers.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def _sent_before(messages: list[Message]) -> set[tuple[int, str]]:
    """The (recipient, key) pairs among `messages` that already exist. Asked by recipients and keys
    together, so the unique (recipient, key) index answers, however large the table grows."""
    recipients = sorted({m.recipient_id for m in messages})
    keys = sorted({m.key for m in messages})
    found: set[tuple[int, str]] = set()
    for i in range(0, len(keys), _CHUNK):
        for j in range(0, len(recipients), _CHUNK):
            rows = Notification.objects.filter(
                recipient_id__in=recipients[j : j + _CHUNK], key__in=keys[i : i + _CHUNK]
            ).values_list("recipient_id", "key")
            found.update(rows)
    return found


def notifications_send(messages: Iterable[Message]) -> list[Notification]:
    """Create each message's notification unless its recipient already has one with its key.

    Returns the notifications created. One audit event (the system as actor) records how many of each
    kind were made; e-mails go out after the commit when configured.
    """
    wanted = list({(m.recipient_id, m.key): m for m in messages}.values())
    for message in wanted:
        _check(message)
    if not wanted:
        return []
    with transaction.atomic():
        _lock()
        done = _sent_before(wanted)
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=m.recipient_id,
                    kind=m.kind,
                    params=dict(m.params),
                    link=m.link,
                    key=m.key,
                )
                for m in wanted
                if (m.recipient_id, m.key) not in done
            ],
            batch_size=_CHUNK,
        )
        if created:
            audit.record(
                actor=None,
                action=AuditAction.CREATE,
                object_type=OBJECT_TYPE,
                changes={
                    "count": len(created),
                    "kinds": dict(sorted(Counter(n.kind for n in created).items())),
                    "recipients": len({n.recipient_id for n in created}),
                },
            )
            if getattr(settings, "MANGNON_NOTIFY_BY_EMAIL", False):
                ids = [n.pk for n in created]
                transaction.on_commit(lambda: notifications_email(ids))
    return created


def notification_send(
    *, recipient: Any, kind: str, params: Mapping[str, Any], link: str, key: str
) -> Notification | None:
    """Notify `recipient` (a user) once per `key`: the new notification, or None when it was sent before."""
    created = notifications_send([Message(recipient.pk, kind, params, link, key)])
    return created[0] if created else None


def _absolute(link: str) -> str:
    base = str(getattr(settings, "MANGNON_SITE_URL", "") or "").rstrip("/")
    return f"{base}{link}" if base and link else link


def notifications_email(ids: list[int]) -> int:
    """E-mail these notifications to recipients with an address, in the site's language; returns how
    many went. A failing mail server is logged and loses nothing in the app: the notifications are there
    and stay marked as not e-mailed."""
    rows = list(
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")
    )
    if not rows:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        mails = []
        for n in rows:
            line = text_of(n)
            body = "\n\n".join(
                p for p in (line, _absolute(n.link), _("Măng Non — child-protection information system")) if p
            )
            mails.append(EmailMessage(line, body, to=[n.recipient.email]))
    try:
        sent = get_connection().send_messages(mails) or 0
    except OSError:  # smtplib's errors are OSErrors, as are refused and timed-out connections
        logger.exception("E-mailing %d notifications failed", len(mails))
        return 0
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
    return int(sent)


# --- reading and marking read --------------------------------------------------------------------------


def notifications_for(viewer: Any) -> QuerySet[Notification]:
    """The viewer's own notifications, newest first. Nobody reads anyone else's."""
    if not getattr(viewer, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=viewer.pk).order_by("-created_at", "-pk")


def unread_count(viewer: Any) -> int:
    """How many of the viewer's notifications are unread, counted up to UNREAD_CAP (one small query)."""
    return notifications_for(viewer).filter(read_at__isnull=True).order_by()[:UNREAD_CAP].count()


def get_notification_for_user(user: Any, notification_id: Any) -> Notification:
    """One of the user's own notifications; 404 for anyone else's, so their existence is not revealed."""
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        raise Http404 from None
    found = notifications_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (a notification already read stays as it was)."""
    if notification.recipient_id != actor.pk:
        raise Http404
    if notification.read_at is not None:
        return notification
    now = timezone.now()
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=notification, changes={"read_at": [None, now]}
        )
    notification.read_at = now
    return notification


def notification_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    now = timezone.now()
    with transaction.atomic():
        count = notifications_for(actor).filter(read_at__isnull=True).update(read_at=now)
        if count:
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type=OBJECT_TYPE,
                object_id="all",
                changes={"read_at": [None, now], "count": count},
            )
    return count
