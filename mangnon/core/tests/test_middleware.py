import pytest

from mangnon.core import audit
from mangnon.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert len(response["X-Request-ID"]) == 32


def test_a_well_formed_incoming_request_id_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234567890")
    assert response["X-Request-ID"] == "lb-1234567890"


def test_a_malformed_incoming_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert "<" not in response["X-Request-ID"]


def test_audit_events_written_during_a_request_carry_its_id_and_address(personas, client_for):
    client = client_for(personas.system_admin)
    before = AuditEvent.objects.count()
    # The language switch is a plain view; a login is the simplest audited request in this layer.
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"username": "p-admin", "password": "correct-horse-battery"},
        HTTP_X_REQUEST_ID="req-abcdef123456",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    events = AuditEvent.objects.filter(id__gt=0).order_by("id")[before:]
    login = next(e for e in events if e.action == "login")
    assert login.request_id == "req-abcdef123456"
    assert login.client_ip == "10.1.2.3"


def test_outside_a_request_events_have_no_request_id():
    event = audit.record(actor=None, action="update", object_type="core.test", object_id="1")
    assert event.request_id == ""
    assert event.client_ip is None


def test_pages_are_vietnamese_even_when_the_browser_asks_for_english(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    assert "Đăng nhập" in response.content.decode()


def test_the_language_switch_cookie_wins(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies["mangnon_language"] = "fr"
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "vi"
