import pytest
from django.test import Client

from mangnon.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/accounts/password/"
OLD = "correct-horse-battery"
NEW = "ha-long-bay-2026-xyz"


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_form_is_shown_in_vietnamese(personas, client_for):
    response = client_for(personas.officer_a).get(URL)
    assert response.status_code == 200
    assert "Đổi mật khẩu" in response.content.decode()


def test_change_keeps_the_session_and_is_audited_without_the_password(personas, client_for):
    client = client_for(personas.officer_a)
    response = client.post(URL, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still signed in
    event = AuditEvent.objects.filter(
        object_type="accounts.user", object_id=str(personas.officer_a.pk)
    ).last()
    assert event.action == "update" and event.actor_username == "p-commune-a"
    assert NEW not in str(event.changes) and OLD not in str(event.changes)
    fresh = Client()
    assert fresh.post("/accounts/login/", {"username": "p-commune-a", "password": NEW}).status_code == 302


def test_wrong_current_password_changes_nothing(personas, client_for):
    client = client_for(personas.officer_a)
    before = AuditEvent.objects.count()
    response = client.post(
        URL, {"old_password": "wrong-one-here", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 400
    assert AuditEvent.objects.count() == before
    personas.officer_a.refresh_from_db()
    assert personas.officer_a.check_password(OLD)


def test_weak_new_password_is_refused_with_a_message(personas, client_for):
    client = client_for(personas.officer_a)
    response = client.post(
        URL, {"old_password": OLD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 400
    assert "data-form-errors" in response.content.decode()
    personas.officer_a.refresh_from_db()
    assert personas.officer_a.check_password(OLD)


def test_post_without_csrf_token_is_refused(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(URL, {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 403
