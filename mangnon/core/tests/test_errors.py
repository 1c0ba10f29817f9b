import pytest
from django.test import Client, override_settings
from django.urls import path

from config.urls import urlpatterns as base_urlpatterns

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("secret internal detail: password=hunter2")


urlpatterns = [*base_urlpatterns, path("boom/", _boom), path("api/boom/", _boom)]
handler500 = "mangnon.core.views.server_error"


def test_unknown_api_path_answers_json_404(personas, api_for):
    response = api_for(personas.officer_a).get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_unknown_page_answers_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"<html" in response.content


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_crash_reveals_nothing_on_pages():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"hunter2" not in response.content
    assert b"RuntimeError" not in response.content


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_crash_reveals_nothing_on_the_api_path():
    client = Client(raise_request_exception=False)
    response = client.get("/api/boom/")
    assert response.status_code == 500
    assert response.json() == {"error": "server_error", "detail": None}


def test_an_api_handler_crash_is_json_without_detail(personas, api_for, monkeypatch):
    from mangnon.accounts import api as accounts_api

    def crash(*args, **kwargs):
        raise RuntimeError("hunter2")

    monkeypatch.setattr(accounts_api, "active_memberships", crash)
    response = api_for(personas.officer_a).get("/api/v1/me")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "server_error"
    assert "hunter2" not in response.content.decode()
    assert body["detail"]["request_id"] == response["X-Request-ID"]


def test_api_json_carries_vietnamese_as_utf8_text_not_escapes(personas, api_for):
    # A grep, a log or a terminal reads the body as it is: "Trường", not "Tr\u01b0\u1eddng".
    response = api_for(personas.officer_a).get("/api/v1/me")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    text = response.content.decode("utf-8")
    assert "\\u" not in text
    assert any(ord(char) > 127 for char in text)
