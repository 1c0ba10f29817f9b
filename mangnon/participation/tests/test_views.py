"""The voice pages: the board (by status, with the overdue list) and a voice's page with its next step;
allowed, forbidden (other commune → 404, a role without VOICE_VIEW → 403, anonymous → login), audited;
a step with a stale version is refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.participation.models import ChildVoice, VoiceStatus
from mangnon.participation.tests.factories import ChildVoiceFactory

pytestmark = pytest.mark.django_db

BOARD = "/participation/"


@pytest.fixture
def voice_a(units):
    return ChildVoiceFactory(admin_unit=units.commune_a, raised_on=date(2026, 3, 10))


@pytest.fixture
def overdue_a(units):
    return ChildVoiceFactory(
        admin_unit=units.commune_a,
        raised_on=date(2026, 1, 10),
        status=VoiceStatus.FORWARDED,
        forwarded_to="UBND xã",
        forwarded_on=date(2026, 1, 11),
        due_on=date(2026, 2, 11),
    )


def test_board_by_status_with_overdue(personas, client_for, voice_a, overdue_a, units):
    ChildVoiceFactory(admin_unit=units.commune_b)
    r = client_for(personas.officer_a).get(BOARD)
    assert r.status_code == 200
    assert [v.pk for v in r.context["overdue"]] == [overdue_a.pk]
    columns = {code: [v.pk for v in voices] for code, _label, voices, _count in r.context["columns"]}
    assert columns["received"] == [voice_a.pk] and columns["forwarded"] == [overdue_a.pk]
    event = AuditEvent.objects.get(object_type="participation.childvoice", object_id="list")
    assert sorted(event.changes["shown"]) == sorted([voice_a.pk, overdue_a.pk])


def test_board_queries_do_not_grow(personas, client_for, units, django_assert_max_num_queries):
    client = client_for(personas.province_officer)
    ChildVoiceFactory.create_batch(2, admin_unit=units.commune_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    ChildVoiceFactory.create_batch(10, admin_unit=units.commune_b)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(BOARD).status_code == 200


def test_board_forbidden(personas, client_for):
    assert client_for(personas.hotline).get(BOARD).status_code == 403
    r = Client().get(BOARD)
    assert (r.status_code == 302 and "/login" in r["Location"]) or "login" in r["Location"]


def test_voice_page_and_step(personas, client_for, voice_a):
    client = client_for(personas.officer_a)
    url = f"/participation/voices/{voice_a.pk}/"
    r = client.get(url)
    assert r.status_code == 200 and r.context["form"].initial["to"] == "forwarded"
    assert AuditEvent.objects.filter(object_id=str(voice_a.pk), action=AuditAction.VIEW).exists()
    step = {"to": "forwarded", "version": 1, "forwarded_to": "Thường trực HĐND xã"}
    r = client.post(url, {**step, "forwarded_on": "2026-03-11", "due_on": "2026-04-11"})
    assert r.status_code == 303
    voice_a.refresh_from_db()
    assert voice_a.status == VoiceStatus.FORWARDED and voice_a.version == 2
    stale = client.post(url, {"to": "answered", "version": 1, "answer": "Đã trả lời"})
    assert stale.status_code == 303
    voice_a.refresh_from_db()
    assert voice_a.status == VoiceStatus.FORWARDED
    missing = client.post(url, {"to": "answered", "version": 2, "answer": ""})
    assert missing.status_code == 422


def test_voice_page_forbidden(personas, client_for, voice_a):
    url = f"/participation/voices/{voice_a.pk}/"
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.hotline).get(url).status_code == 404
    viewer = client_for(personas.viewer)
    page = viewer.get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert viewer.post(url, {"to": "forwarded", "version": 1}).status_code == 403
    assert Client().get(url).status_code == 302


def _form(units, **over):
    data = {
        "submission": "s-1",
        "text": "Em mong có lớp học bơi mùa hè.",
        "topic": "play",
        "admin_unit": units.commune_a.pk,
        "raised_on": "2026-03-10",
        "age_band": "11_15",
        "sex": "",
    }
    return {**data, **over}


def test_record_page(personas, client_for, units):
    client = client_for(personas.officer_a)
    assert client.get("/participation/voices/new/").status_code == 200
    r = client.post("/participation/voices/new/", _form(units))
    assert r.status_code == 303
    voice = ChildVoice.objects.get()
    assert (voice.admin_unit_id, voice.province_id, voice.topic) == (
        units.commune_a.pk,
        units.province.pk,
        "play",
    )
    assert client.post("/participation/voices/new/", _form(units)).status_code == 303  # a resubmit
    assert ChildVoice.objects.count() == 1
    assert (
        AuditEvent.objects.filter(object_type="participation.childvoice", action=AuditAction.CREATE).count()
        == 1
    )
    assert (
        client.post("/participation/voices/new/", _form(units, submission="s-2", text="")).status_code == 400
    )
    other = client.post(
        "/participation/voices/new/", _form(units, submission="s-3", admin_unit=units.commune_b.pk)
    )
    assert other.status_code == 400  # commune B is not among the officer's units
    assert ChildVoice.objects.count() == 1


def test_record_page_forbidden(personas, client_for, units):
    assert client_for(personas.viewer).get("/participation/voices/new/").status_code == 403
    assert client_for(personas.viewer).post("/participation/voices/new/", _form(units)).status_code == 403
    assert Client().get("/participation/voices/new/").status_code == 302
    assert not ChildVoice.objects.exists()
