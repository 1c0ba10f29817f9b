"""The voices API: allowed, forbidden (other commune → 404, a role without VOICE_VIEW / VOICE_RECORD →
403, anonymous → 401), audited; create with an Idempotency-Key; transitions with version (409 stale,
422 refused)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.participation.models import ChildVoice, VoiceStatus
from mangnon.participation.tests.factories import ChildVoiceFactory, CouncilMemberFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/voices"


def send(client: Client, url: str, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def _body(**over):
    data = {
        "text": "Chúng em mong có đèn chiếu sáng trên đường đến trường.",
        "topic": "safety",
        "unit": "06688",
        "raised_on": "2026-03-10",
        "age_band": "11_15",
        "sex": "F",
    }
    return {**data, **over}


@pytest.fixture
def voice_a(units):
    return ChildVoiceFactory(admin_unit=units.commune_a, raised_on=date(2026, 3, 10))


@pytest.fixture
def voice_b(units):
    return ChildVoiceFactory(
        admin_unit=units.commune_b, raised_on=date(2026, 2, 1), status=VoiceStatus.FORWARDED
    )


def test_list_in_scope_and_audited(personas, api_for, voice_a, voice_b):
    r = api_for(personas.officer_a).get(URL)
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 1 and [i["id"] for i in data["items"]] == [voice_a.pk]
    event = AuditEvent.objects.get(object_type="participation.childvoice", object_id="list")
    assert event.action == AuditAction.VIEW and event.changes["shown"] == [voice_a.pk]


def test_province_filters_and_pages(personas, api_for, voice_a, voice_b):
    api = api_for(personas.province_officer)
    assert api.get(URL).json()["count"] == 2
    assert [i["id"] for i in api.get(URL, {"unit": "06862"}).json()["items"]] == [voice_b.pk]
    assert api.get(URL, {"from": "2026-03-01", "to": "2026-03-31"}).json()["count"] == 1
    assert [i["id"] for i in api.get(URL, {"status": "forwarded"}).json()["items"]] == [voice_b.pk]
    assert api.get(URL, {"limit": 1, "offset": 1}).json()["items"][0]["id"] == voice_b.pk
    assert api.get(URL, {"status": "lost"}).status_code == 422
    assert api.get(URL, {"unit": "99999"}).status_code == 422


def test_list_queries_do_not_grow(personas, api_for, units, django_assert_max_num_queries):
    api = api_for(personas.province_officer)
    ChildVoiceFactory.create_batch(3, admin_unit=units.commune_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    ChildVoiceFactory.create_batch(15, admin_unit=units.commune_b)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(URL).json()["count"] == 18


def test_get_one_is_audited(personas, api_for, voice_a):
    r = api_for(personas.viewer).get(f"{URL}/{voice_a.pk}")
    assert r.status_code == 200 and r.json()["status"] == "received" and r.json()["version"] == 1
    event = AuditEvent.objects.get(object_type="participation.childvoice", object_id=str(voice_a.pk))
    assert event.action == AuditAction.VIEW and event.actor_id == personas.viewer.pk


def test_forbidden_reads(personas, api_for, voice_a):
    assert api_for(personas.officer_b).get(f"{URL}/{voice_a.pk}").status_code == 404
    assert api_for(personas.hotline).get(f"{URL}/{voice_a.pk}").status_code == 404
    assert api_for(personas.hotline).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401
    assert Client().get(f"{URL}/{voice_a.pk}").status_code == 401
    assert not AuditEvent.objects.filter(object_type="participation.childvoice").exists()


def test_create_with_idempotency_key(personas, api_for, units):
    api = api_for(personas.collaborator_a)
    r = send(api, URL, _body(), **{"Idempotency-Key": "v-1"})
    assert r.status_code == 201
    data = r.json()
    assert (
        data["unit"] == "06688" and data["province"] == units.province.code and data["status"] == "received"
    )
    again = send(api, URL, _body(), **{"Idempotency-Key": "v-1"})
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert send(api, URL, _body(topic="health"), **{"Idempotency-Key": "v-1"}).status_code == 422
    assert ChildVoice.objects.count() == 1
    assert (
        AuditEvent.objects.filter(object_type="participation.childvoice", action=AuditAction.CREATE).count()
        == 1
    )


def test_create_forbidden_and_invalid(personas, api_for):
    assert send(api_for(personas.officer_b), URL, _body()).status_code == 403  # commune A is not theirs
    assert send(api_for(personas.viewer), URL, _body()).status_code == 403  # reads, does not record
    assert send(Client(), URL, _body()).status_code == 401
    r = send(api_for(personas.officer_a), URL, _body(topic="weather", text=""))
    assert r.status_code == 422 and {"topic", "text"} <= set(r.json()["detail"])
    assert send(api_for(personas.officer_a), URL, _body(unit="99999")).status_code == 422
    assert not ChildVoice.objects.exists()


def test_transitions(personas, api_for, voice_a):
    api = api_for(personas.officer_a)
    url = f"{URL}/{voice_a.pk}/transitions"
    forward = {
        "to": "forwarded",
        "version": 1,
        "forwarded_to": "Thường trực HĐND xã",
        "forwarded_on": "2026-03-11",
        "due_on": "2026-04-11",
    }
    r = send(api, url, forward)
    assert r.status_code == 200 and r.json()["status"] == "forwarded" and r.json()["version"] == 2
    assert r.json()["overdue"] is True  # the sandbox's today is past 2026-04-11 and no answer came
    stale = send(api, url, {"to": "answered", "version": 1, "answer": "Đã lắp đèn"})
    assert stale.status_code == 409 and stale.json()["detail"]["version"] == 2
    assert send(api, url, {"to": "resolved", "version": 2}).status_code == 422  # skips a step
    assert send(api, url, {"to": "received", "version": 2}).status_code == 422
    r = send(api, url, {"to": "answered", "version": 2, "answer": "Đã lắp đèn", "answered_on": "2026-04-01"})
    assert r.status_code == 200 and r.json()["answer"] == "Đã lắp đèn"
    r = send(api, url, {"to": "resolved", "version": 3, "resolved_on": "2026-04-20"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert AuditEvent.objects.filter(object_id=str(voice_a.pk), action=AuditAction.UPDATE).count() == 3


def test_transition_forbidden(personas, api_for, voice_a):
    url = f"{URL}/{voice_a.pk}/transitions"
    body = {"to": "forwarded", "version": 1, "forwarded_to": "UBND xã", "due_on": "2026-12-31"}
    assert send(api_for(personas.officer_b), url, body).status_code == 404
    assert send(api_for(personas.viewer), url, body).status_code == 403
    assert send(Client(), url, body).status_code == 401
    voice_a.refresh_from_db()
    assert voice_a.status == VoiceStatus.RECEIVED


def test_meetings(personas, api_for, units):
    CouncilMemberFactory.create_batch(14, admin_unit=units.province)
    api = api_for(personas.province_officer)
    body = {
        "unit": units.province.code,
        "held_on": "2026-03-12",
        "minutes": "Diễn đàn trẻ em tỉnh",
        "members_present": 14,
    }
    r = send(api, f"{URL}/meetings", body)
    assert r.status_code == 201 and r.json()["members_present"] == 14 and r.json()["voices"] == 0
    assert AuditEvent.objects.filter(
        object_type="participation.councilmeeting", action=AuditAction.CREATE
    ).exists()
    ChildVoiceFactory(admin_unit=units.commune_a, meeting_id=r.json()["id"])
    listed = api.get(f"{URL}/meetings", {"from": "2026-01-01"}).json()
    assert [m["voices"] for m in listed] == [1]
    assert AuditEvent.objects.filter(object_type="participation.councilmeeting", object_id="list").exists()
    assert (
        api_for(personas.officer_b).get(f"{URL}/meetings").json() == []
    )  # the province's council is not theirs
    assert send(api_for(personas.officer_a), f"{URL}/meetings", body).status_code == 403
    assert send(api_for(personas.viewer), f"{URL}/meetings", body).status_code == 403
    assert api_for(personas.hotline).get(f"{URL}/meetings").status_code == 403
    assert Client().get(f"{URL}/meetings").status_code == 401
