"""The clubs API (/api/v1/clubs): list with counts (not audited), create (idempotent, 422, 403), one club
with its members (audited, 404 outside scope), change with version (409), members added."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from mangnon.activities.models import Club, ClubMember
from mangnon.activities.tests.factories import ActivityFactory, ClubFactory, ClubMemberFactory
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/clubs"


@pytest.fixture
def club_a(units):
    club = ClubFactory(admin_unit=units.commune_a, founded_on=date(2020, 9, 1))
    ClubMemberFactory(club=club, name="Lê Thị Mai", joined_on=date(2020, 9, 1))
    ClubMemberFactory(club=club, person=PersonFactory(admin_unit=units.commune_a), name="")
    ActivityFactory(admin_unit=units.commune_a, kind="club_meeting", club=club, start_date=date(2020, 10, 1))
    return club


def _body(units, **over):
    data = {
        "kind": "mang_non_team",
        "name": "Đội Măng non THCS Hạ Long",
        "unit": units.commune_a.code,
        "founded_on": "2021-09-05",
    }
    return {**data, **over}


def test_list_scoped_with_counts(personas, api_for, units, club_a):
    ClubFactory(admin_unit=units.commune_b)
    r = api_for(personas.officer_a).get(URL, {"from": "2020-01-01", "to": "2020-12-31"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 1 and body["start"] == "2020-01-01"
    item = body["items"][0]
    assert (item["id"], item["members"], item["meetings"], item["unit"]) == (
        club_a.pk,
        2,
        1,
        units.commune_a.code,
    )
    r = api_for(personas.viewer).get(URL, {"unit": units.commune_b.code})
    assert r.json()["count"] == 1
    assert api_for(personas.viewer).get(URL).json()["count"] == 2
    assert api_for(personas.viewer).get(URL, {"kind": "chess"}).status_code == 422
    assert api_for(personas.viewer).get(URL, {"from": "2021-01-01", "to": "2020-01-01"}).status_code == 422
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_list_forbidden(personas, api_for):
    assert api_for(personas.hotline).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401


def test_get_club_with_members_is_audited(personas, api_for, club_a):
    r = api_for(personas.chair_a).get(f"{URL}/{club_a.pk}")
    assert r.status_code == 200
    body = r.json()
    assert {m["name"] for m in body["members"]} >= {"Lê Thị Mai"} and len(body["members"]) == 2
    assert len(body["meetings"]) == 1 and body["version"] == 1
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="activities.club")
    assert event.actor_id == personas.chair_a.pk and len(event.changes["persons"]) == 1


def test_get_club_forbidden(personas, api_for, club_a):
    assert api_for(personas.officer_b).get(f"{URL}/{club_a.pk}").status_code == 404
    assert api_for(personas.hotline).get(f"{URL}/{club_a.pk}").status_code == 403
    assert Client().get(f"{URL}/{club_a.pk}").status_code == 401
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_create_idempotent(personas, api_for, units):
    client = api_for(personas.officer_a)
    r = client.post(URL, _body(units), content_type="application/json", HTTP_IDEMPOTENCY_KEY="c1")
    assert r.status_code == 201, r.content
    again = client.post(URL, _body(units), content_type="application/json", HTTP_IDEMPOTENCY_KEY="c1")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert Club.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="activities.club").count() == 1
    reused = client.post(
        URL, _body(units, name="Khác"), content_type="application/json", HTTP_IDEMPOTENCY_KEY="c1"
    )
    assert reused.status_code in (409, 422)


def test_create_invalid_and_forbidden(personas, api_for, units):
    r = api_for(personas.officer_a).post(
        URL, _body(units, closed_on="2021-01-01", kind="x"), content_type="application/json"
    )
    assert r.status_code == 422 and {"closed_on", "kind"} <= set(r.json()["detail"])
    r = api_for(personas.officer_a).post(URL, _body(units, unit="00000"), content_type="application/json")
    assert r.status_code == 422
    assert (
        api_for(personas.officer_b).post(URL, _body(units), content_type="application/json").status_code
        == 403
    )
    assert (
        api_for(personas.viewer).post(URL, _body(units), content_type="application/json").status_code == 403
    )
    assert Client().post(URL, _body(units), content_type="application/json").status_code == 401
    assert not Club.objects.exists()


def test_patch_with_version(personas, api_for, club_a):
    client = api_for(personas.officer_a)
    r = client.patch(f"{URL}/{club_a.pk}", {"version": 1, "name": "Đổi tên"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["name"] == "Đổi tên"
    r = client.patch(f"{URL}/{club_a.pk}", {"version": 1, "name": "Cũ"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["detail"]["version"] == 2
    assert (
        api_for(personas.chair_a)
        .patch(f"{URL}/{club_a.pk}", {"version": 2, "name": "X"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api_for(personas.officer_b)
        .patch(f"{URL}/{club_a.pk}", {"version": 2, "name": "X"}, content_type="application/json")
        .status_code
        == 404
    )


def test_add_member(personas, api_for, units, club_a):
    url = f"{URL}/{club_a.pk}/members"
    person = PersonFactory(admin_unit=units.commune_a)
    client = api_for(personas.collaborator_a)
    body = {"person": person.pk, "role": "child", "joined_on": "2021-02-01"}
    r = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="m1")
    assert r.status_code == 201, r.content
    assert r.json()["person"] == person.pk and r.json()["name"] == person.full_name
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="m1")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    r = client.post(url, {"name": "A", "joined_on": "2019-01-01"}, content_type="application/json")
    assert r.status_code == 422 and "joined_on" in r.json()["detail"]
    assert api_for(personas.officer_b).post(url, body, content_type="application/json").status_code == 404
    assert api_for(personas.chair_a).post(url, body, content_type="application/json").status_code == 403
    assert Client().post(url, body, content_type="application/json").status_code == 401
    assert ClubMember.objects.filter(club=club_a).count() == 3
