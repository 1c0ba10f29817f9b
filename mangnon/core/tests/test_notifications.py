"""Notifications in core: kinds worded at display time, idempotent sending, e-mail only when configured,
the /notifications/ page (allowed, another user's → 404, anonymous → login, audited) and the top bar's
unread count (one query, logged-in users only)."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from mangnon.core import notifications
from mangnon.core.context_processors import notifications as processor
from mangnon.core.models import AuditAction, AuditEvent, Notification
from mangnon.core.notifications import (
    Kind,
    Message,
    notification_mark_all_read,
    notification_mark_read,
    notification_send,
    notifications_send,
    text_of,
)

pytestmark = pytest.mark.django_db

TEST_KIND = "core_test_greeting"


def _greeting(params: Any) -> str:
    # Worded when shown: the active language decides (gettext of a msgid the catalogue has).
    return f"{translation.gettext('Log in')}: {params['who']}"


notifications.register(Kind(TEST_KIND, "core", _greeting))


def _send(user: Any, key: str = "k1", link: str = "/calendar/", **params: Any) -> Notification | None:
    return notification_send(
        recipient=user, kind=TEST_KIND, params={"who": "Lan", **params}, link=link, key=key
    )


def _created_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.notification"))


def test_url_names():
    assert reverse("core:notifications") == "/notifications/"
    assert reverse("core:notifications_read_all") == "/notifications/read/"
    assert reverse("core:notification_read", args=[7]) == "/notifications/7/read/"


# --- sending -------------------------------------------------------------------------------------------


def test_send_stores_codes_not_sentences_and_is_idempotent_per_recipient_and_key(personas):
    first = _send(personas.officer_a)
    assert first is not None and first.kind == TEST_KIND and first.params == {"who": "Lan"}
    assert first.read_at is None and first.link == "/calendar/"
    assert _send(personas.officer_a) is None  # the same key again: nothing new
    assert _send(personas.officer_b) is not None  # the same key to someone else is theirs
    assert _send(personas.officer_a, key="k2") is not None
    assert Notification.objects.count() == 3
    assert [e.changes["count"] for e in _created_events()] == [1, 1, 1]


def test_worded_in_the_readers_language(personas):
    n = _send(personas.officer_a)
    assert n is not None
    with translation.override("vi"):
        assert text_of(n) == "Đăng nhập: Lan"
    with translation.override("en"):
        assert text_of(n) == "Log in: Lan"


def test_an_unknown_kind_or_params_still_show_as_a_notification(personas):
    n = Notification.objects.create(recipient=personas.officer_a, kind="gone_kind", key="x")
    broken = Notification.objects.create(recipient=personas.officer_a, kind=TEST_KIND, key="y", params={})
    with translation.override("en"):
        assert text_of(n) == "Notification" and text_of(broken) == "Notification"


def test_send_refuses_unknown_kinds_outside_links_and_empty_keys(personas):
    with pytest.raises(ValueError, match="Unknown"):
        notification_send(recipient=personas.officer_a, kind="nope", params={}, link="/", key="k")
    for link in ("https://example.com/", "//example.com/x", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="path"):
            _send(personas.officer_a, link=link)
    with pytest.raises(ValueError, match="key"):
        _send(personas.officer_a, key="")
    assert not Notification.objects.exists() and not _created_events()


def test_bulk_send_creates_only_what_is_new_with_one_audit_event(personas, django_assert_max_num_queries):
    users = [personas.officer_a, personas.officer_b, personas.chair_a]
    _send(personas.officer_a, key="bulk")
    messages = [Message(u.pk, TEST_KIND, {"who": "Lan"}, "/", "bulk") for u in users]
    # savepoint, existing keys, insert, audit event (savepoint, read, write, release), release; on
    # PostgreSQL also the two advisory locks
    with django_assert_max_num_queries(10):
        created = notifications_send([*messages, *messages])  # duplicates in one call count once
    assert sorted(n.recipient_id for n in created) == sorted(u.pk for u in users[1:])
    assert _created_events()[-1].changes == {"count": 2, "kinds": {TEST_KIND: 2}, "recipients": 2}
    assert notifications_send([]) == []


# --- e-mail --------------------------------------------------------------------------------------------


def test_no_email_unless_configured(personas, settings, django_capture_on_commit_callbacks):
    settings.MANGNON_NOTIFY_BY_EMAIL = False
    personas.officer_a.email = "a@example.vn"
    personas.officer_a.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _send(personas.officer_a)
    assert callbacks == [] and mail.outbox == []


def test_email_on_commit_when_configured_to_users_with_an_address(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.MANGNON_NOTIFY_BY_EMAIL = True
    settings.MANGNON_SITE_URL = "https://treem.example.vn/"
    personas.officer_a.email = "a@example.vn"
    personas.officer_a.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send(personas.officer_a)
        _send(personas.officer_b)  # no address: in the app only
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["a@example.vn"]
    assert message.subject == "Đăng nhập: Lan"  # the site's language (Vietnamese)
    assert "https://treem.example.vn/calendar/" in message.body
    a = Notification.objects.get(recipient=personas.officer_a)
    b = Notification.objects.get(recipient=personas.officer_b)
    assert a.emailed_at is not None and b.emailed_at is None
    # A later run does not e-mail it again.
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(personas.officer_a) is None
    assert notifications.notifications_email([a.pk]) == 0
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_loses_nothing_in_the_app(
    personas, settings, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    settings.MANGNON_NOTIFY_BY_EMAIL = True
    personas.officer_a.email = "a@example.vn"
    personas.officer_a.save()

    def refuse(self: Any, messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        n = _send(personas.officer_a)
    assert n is not None
    n.refresh_from_db()
    assert n.emailed_at is None and "failed" in caplog.text


# --- marking read --------------------------------------------------------------------------------------


def test_mark_read_one_and_all_audited(personas):
    one = _send(personas.officer_a, key="1")
    _send(personas.officer_a, key="2")
    _send(personas.officer_a, key="3")
    assert one is not None
    notification_mark_read(actor=personas.officer_a, notification=one)
    one.refresh_from_db()
    assert one.read_at is not None
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="core.notification").last()
    assert event is not None and event.object_id == str(one.pk) and event.actor_id == personas.officer_a.pk
    before = AuditEvent.objects.count()
    notification_mark_read(actor=personas.officer_a, notification=one)  # already read: nothing written
    assert AuditEvent.objects.count() == before
    assert notification_mark_all_read(actor=personas.officer_a) == 2
    event = AuditEvent.objects.last()
    assert event is not None and event.object_id == "all" and event.changes["count"] == 2
    assert notification_mark_all_read(actor=personas.officer_a) == 0
    assert AuditEvent.objects.count() == before + 1


def test_nobody_marks_anothers_notification(personas):
    theirs = _send(personas.officer_a)
    assert theirs is not None
    with pytest.raises(Http404):
        notification_mark_read(actor=personas.officer_b, notification=theirs)
    assert notification_mark_all_read(actor=personas.officer_b) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- the page ------------------------------------------------------------------------------------------


def test_page_lists_my_notifications_worded_and_is_audited(personas, client_for):
    mine = _send(personas.officer_a)
    _send(personas.officer_b)
    assert mine is not None
    response = client_for(personas.officer_a).get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-notification-id="{mine.pk}"' in html and html.count("data-notification-id=") == 1
    assert "Đăng nhập: Lan" in html and 'href="/calendar/"' in html and 'data-read="no"' in html
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="core.notification").last()
    assert event is not None and event.object_id == "list" and event.changes == {"shown": [mine.pk]}
    assert event.actor_id == personas.officer_a.pk


def test_page_of_someone_without_notifications_is_empty_and_not_audited(personas, client_for):
    _send(personas.officer_a)
    html = client_for(personas.hotline).get("/notifications/").content.decode()
    assert "data-no-notifications" in html and "data-notification-id" not in html
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="core.notification").exists()


def test_page_is_paginated(personas, client_for):
    notifications_send(
        [Message(personas.officer_a.pk, TEST_KIND, {"who": "Lan"}, "", f"k{i}") for i in range(30)]
    )
    client = client_for(personas.officer_a)
    html = client.get("/notifications/").content.decode()
    assert html.count("data-notification-id=") == 25 and "data-pagination" in html
    html = client.get("/notifications/", {"page": 2}).content.decode()
    assert html.count("data-notification-id=") == 5


def test_mark_read_from_the_page(personas, client_for):
    one = _send(personas.officer_a, key="1")
    _send(personas.officer_a, key="2")
    assert one is not None
    client = client_for(personas.officer_a)
    response = client.post(f"/notifications/{one.pk}/read/", {"page": "2"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=2"
    one.refresh_from_db()
    assert one.read_at is not None
    response = client.post("/notifications/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert 'data-read="yes"' in client.get("/notifications/").content.decode()


def test_another_users_notification_is_not_found(personas, client_for):
    theirs = _send(personas.officer_a)
    assert theirs is not None
    client = client_for(personas.officer_b)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post("/notifications/999999/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_is_sent_to_login(client, personas):
    theirs = _send(personas.officer_a)
    assert theirs is not None
    login = reverse("accounts:login")
    for response in (
        client.get("/notifications/"),
        client.post("/notifications/read/"),
        client.post(f"/notifications/{theirs.pk}/read/"),
    ):
        assert response.status_code == 302 and response["Location"].startswith(login)


def test_marking_read_takes_post_only(personas, client_for):
    theirs = _send(personas.officer_a)
    assert theirs is not None
    client = client_for(personas.officer_a)
    assert client.get(f"/notifications/{theirs.pk}/read/").status_code == 405
    assert client.get("/notifications/read/").status_code == 405


# --- the top bar ---------------------------------------------------------------------------------------


def test_top_bar_shows_the_unread_count(personas, client_for):
    client = client_for(personas.officer_a)
    html = client.get(reverse("accounts:home")).content.decode()
    assert 'data-notifications="0"' in html and 'href="/notifications/"' in html
    for i in range(3):
        _send(personas.officer_a, key=str(i))
    html = client.get(reverse("accounts:home")).content.decode()
    assert 'data-notifications="3"' in html
    assert 'data-notifications="0"' in client_for(personas.officer_b).get("/notifications/").content.decode()


def test_top_bar_caps_the_count(personas, client_for):
    notifications_send(
        [Message(personas.officer_a.pk, TEST_KIND, {"who": "Lan"}, "", f"k{i}") for i in range(120)]
    )
    html = client_for(personas.officer_a).get("/notifications/").content.decode()
    assert 'data-notifications="99+"' in html


def test_top_bar_counts_with_one_query_and_not_for_anonymous(personas, client_for, rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    assert processor(request) == {}
    request.user = personas.officer_a
    _send(personas.officer_a)
    context = processor(request)
    with CaptureQueriesContext(connection) as queries:
        assert str(context["unread_notifications"]) == "1"
        assert bool(context["unread_notifications"])
    assert len(queries) == 1
