"""The council's API routes (/api/v1/voices/council/members…): list a council's members (audited), add
one (idempotent, validated), end a membership; allowed, forbidden (other commune → 404, a role without
the action → 403, no token → 401)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.participation.models import CouncilMember
from mangnon.participation.tests.factories import CouncilMemberFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/voices/council/members"


def send(client: Client, url: str, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def _body(**over):
    return {
        "unit": "06688",
        "name": "Mai",
        "role": "child",
        "age_band": "11_15",
        "from_date": "2025-09-01",
        **over,
    }


def test_list_members_audited(personas, api_for, units):
    mai = CouncilMemberFactory(admin_unit=units.commune_a, name="Mai")
    left = CouncilMemberFactory(admin_unit=units.commune_a, name="Khoa", to_date=date(2025, 12, 31))
    CouncilMemberFactory(admin_unit=units.commune_b, name="Lan")
    r = api_for(personas.officer_a).get(URL, {"unit": units.commune_a.code})
    assert r.status_code == 200
    assert [m["id"] for m in r.json()] == [mai.pk, left.pk]
    event = AuditEvent.objects.get(object_type="participation.councilmember", object_id="list")
    assert event.action == AuditAction.VIEW and sorted(event.changes["shown"]) == sorted([mai.pk, left.pk])
    r = api_for(personas.officer_a).get(URL, {"unit": units.commune_a.code, "on": "2026-03-01"})
    assert [m["id"] for m in r.json()] == [mai.pk]


def test_list_forbidden(personas, api_for, units):
    CouncilMemberFactory(admin_unit=units.commune_a)
    assert api_for(personas.officer_b).get(URL, {"unit": units.commune_a.code}).status_code == 404
    assert api_for(personas.hotline).get(URL, {"unit": units.commune_a.code}).status_code == 403
    assert Client().get(URL, {"unit": units.commune_a.code}).status_code == 401
    assert api_for(personas.officer_a).get(URL, {"unit": "99999"}).status_code == 422
    assert not AuditEvent.objects.filter(object_type="participation.councilmember").exists()


def test_add_member(personas, api_for, units):
    api = api_for(personas.officer_a)
    r = send(api, URL, _body(), **{"Idempotency-Key": "m-1"})
    assert r.status_code == 201 and r.json()["name"] == "Mai" and r.json()["unit"] == "06688"
    assert send(api, URL, _body(), **{"Idempotency-Key": "m-1"}).status_code == 200
    assert CouncilMember.objects.count() == 1
    r = send(api, URL, _body(name="Nguyễn Thị Ngọc Mai"))
    assert r.status_code == 422 and "name" in r.json()["detail"]
    r = send(api, URL, _body(to_date="2025-01-01"))
    assert r.status_code == 422 and "to_date" in r.json()["detail"]
    assert CouncilMember.objects.count() == 1


def test_add_forbidden(personas, api_for):
    assert send(api_for(personas.officer_b), URL, _body()).status_code == 403
    assert send(api_for(personas.viewer), URL, _body()).status_code == 403
    assert send(Client(), URL, _body()).status_code == 401
    assert not CouncilMember.objects.exists()


def test_end_member(personas, api_for, units):
    member = CouncilMemberFactory(admin_unit=units.commune_a)
    url = f"{URL}/{member.pk}/end"
    assert send(api_for(personas.officer_b), url, {"to_date": "2026-03-31"}).status_code == 404
    assert send(api_for(personas.chair_a), url, {"to_date": "2026-03-31"}).status_code == 403
    r = send(api_for(personas.officer_a), url, {"to_date": "2026-03-31"})
    assert r.status_code == 200 and r.json()["to_date"] == "2026-03-31"
    r = send(api_for(personas.officer_a), url, {"to_date": "2026-04-30"})
    assert r.status_code == 422
    member.refresh_from_db()
    assert member.to_date == date(2026, 3, 31)
