"""The activities API: allowed, forbidden (other commune → 404, roles that do not read or record →
403, anonymous → 401), audited; create with an Idempotency-Key; PATCH with version (409 stale); the
roll-up."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from mangnon.activities.models import Activity
from mangnon.activities.tests.factories import ActivityFactory, AttendeeFactory, ClubFactory, TallyFactory
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities"


def send(client: Client, method: str, url: str, data, **headers):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json", headers=headers)


def _body(**over):
    data = {
        "kind": "training",
        "title": "Tập huấn kỹ năng sống",
        "unit": "06688",
        "start_date": "2026-03-10",
        "end_date": "2026-03-11",
        "funding_source": "international",
        "cost": 20_000_000,
        "tallies": [
            {"group": "children", "sex": "F", "age_band": "11_15", "count": 15},
            {"group": "children", "sex": "M", "age_band": "11_15", "count": 12},
        ],
        "attendees": [{"name": "Trần Văn Nam", "sex": "M", "birth_year": 2012, "group": "children"}],
        "materials": [{"title": "Tờ rơi", "kind": "leaflet", "quantity": 200}],
    }
    return {**data, **over}


@pytest.fixture
def activity_a(units):
    a = ActivityFactory(admin_unit=units.commune_a, start_date=date(2026, 3, 10))
    TallyFactory(activity=a, count=30)
    AttendeeFactory(activity=a, person=PersonFactory(admin_unit=units.commune_a), name="")
    return a


@pytest.fixture
def activity_b(units):
    return ActivityFactory(admin_unit=units.commune_b, start_date=date(2026, 2, 1))


# --- list and one --------------------------------------------------------------------------------------


def test_list_in_scope_and_audited(personas, api_for, activity_a, activity_b):
    r = api_for(personas.officer_a).get(URL)
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 1 and [i["id"] for i in data["items"]] == [activity_a.pk]
    assert (data["items"][0]["person_times"], data["items"][0]["roster_size"]) == (30, 1)
    event = AuditEvent.objects.get(object_type="activities.activity", object_id="list")
    assert event.action == AuditAction.VIEW and event.changes["shown"] == [activity_a.pk]


def test_province_officer_sees_all_filtered(personas, api_for, activity_a, activity_b):
    api = api_for(personas.province_officer)
    assert api.get(URL).json()["count"] == 2
    assert [i["id"] for i in api.get(URL, {"unit": "06862"}).json()["items"]] == [activity_b.pk]
    assert api.get(URL, {"from": "2026-03-01", "to": "2026-03-31"}).json()["count"] == 1
    assert api.get(URL, {"kind": "training"}).json()["count"] == 0
    assert api.get(URL, {"limit": 1, "offset": 1}).json()["items"][0]["id"] == activity_b.pk
    assert api.get(URL, {"kind": "party"}).status_code == 422
    assert api.get(URL, {"unit": "99999"}).status_code == 422


def test_list_queries_do_not_grow(personas, api_for, units, django_assert_max_num_queries):
    api = api_for(personas.province_officer)
    for _ in range(3):
        TallyFactory(activity=ActivityFactory(admin_unit=units.commune_a))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    for _ in range(15):
        TallyFactory(activity=ActivityFactory(admin_unit=units.commune_a))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(URL).json()["count"] == 18


def test_get_one_is_audited(personas, api_for, activity_a):
    r = api_for(personas.collaborator_a).get(f"{URL}/{activity_a.pk}")
    assert r.status_code == 200
    data = r.json()
    assert data["person_times"] == 30 and len(data["attendees"]) == 1 and data["attendees"][0]["person"]
    event = AuditEvent.objects.get(object_type="activities.activity", object_id=str(activity_a.pk))
    assert event.action == AuditAction.VIEW and event.actor_id == personas.collaborator_a.pk


def test_forbidden_reads(personas, api_for, activity_a):
    assert api_for(personas.officer_b).get(f"{URL}/{activity_a.pk}").status_code == 404
    assert api_for(personas.hotline).get(f"{URL}/{activity_a.pk}").status_code == 404
    assert api_for(personas.hotline).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401
    assert Client().get(f"{URL}/{activity_a.pk}").status_code == 401
    assert not AuditEvent.objects.filter(object_type="activities.activity").exists()


# --- create --------------------------------------------------------------------------------------------


def test_create_with_idempotency_key(personas, api_for):
    api = api_for(personas.collaborator_a)
    r = send(api, "post", URL, _body(), **{"Idempotency-Key": "abc"})
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["person_times"], data["cost"], data["province"]) == (27, 20_000_000, "22")
    again = send(api, "post", URL, _body(), **{"Idempotency-Key": "abc"})
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    other = send(api, "post", URL, _body(title="Khác"), **{"Idempotency-Key": "abc"})
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    assert Activity.objects.count() == 1
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="activities.activity").count() == 1
    )


def test_create_invalid_writes_nothing(personas, api_for):
    api = api_for(personas.officer_a)
    bad_tally = _body(tallies=[{"group": "children", "count": -1}])
    r = send(api, "post", URL, bad_tally)
    assert r.status_code == 422 and "tallies" in r.json()["detail"]
    r = send(api, "post", URL, _body(end_date="2026-03-01"))
    assert r.status_code == 422 and "end_date" in r.json()["detail"]
    assert send(api, "post", URL, _body(unit="00000")).status_code == 422
    assert not Activity.objects.exists()


def test_create_forbidden(personas, api_for):
    assert send(api_for(personas.officer_b), "post", URL, _body()).status_code == 403
    assert send(api_for(personas.viewer), "post", URL, _body()).status_code == 403
    assert send(Client(), "post", URL, _body()).status_code == 401
    assert not Activity.objects.exists()


# --- patch ---------------------------------------------------------------------------------------------


def test_patch_with_version_and_conflict(personas, api_for, activity_a):
    api = api_for(personas.officer_a)
    tallies = [{"group": "parents_caregivers", "sex": "F", "age_band": "adult", "count": 8}]
    r = send(api, "patch", f"{URL}/{activity_a.pk}", {"version": 1, "title": "Mới", "tallies": tallies})
    assert r.status_code == 200, r.content
    assert (r.json()["title"], r.json()["version"], r.json()["person_times"]) == ("Mới", 2, 8)
    stale = send(api, "patch", f"{URL}/{activity_a.pk}", {"version": 1, "title": "Cũ"})
    assert stale.status_code == 409 and stale.json()["detail"]["version"] == 2
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(activity_a.pk)).count() == 1


def test_patch_forbidden(personas, api_for, activity_a):
    body = {"version": 1, "title": "X"}
    assert send(api_for(personas.officer_b), "patch", f"{URL}/{activity_a.pk}", body).status_code == 404
    assert send(api_for(personas.chair_a), "patch", f"{URL}/{activity_a.pk}", body).status_code == 403
    assert send(api_for(personas.viewer), "patch", f"{URL}/{activity_a.pk}", body).status_code == 403
    assert send(Client(), "patch", f"{URL}/{activity_a.pk}", body).status_code == 401
    activity_a.refresh_from_db()
    assert activity_a.version == 1


# --- roll-up -------------------------------------------------------------------------------------------


def test_rollup(personas, api_for, activity_a, activity_b):
    params = {"unit": "22", "from": "2026-01-01", "to": "2026-12-31"}
    r = api_for(personas.viewer).get(f"{URL}/rollup", params)
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["activities"], data["person_times"], data["unique_persons"]) == (2, 30, 1)
    assert not AuditEvent.objects.filter(object_type="activities.activity").exists()
    a = api_for(personas.officer_a).get(f"{URL}/rollup", {**params, "unit": "06688"})
    assert a.status_code == 200 and a.json()["activities"] == 1
    assert api_for(personas.officer_b).get(f"{URL}/rollup", {**params, "unit": "06688"}).status_code == 404
    assert api_for(personas.hotline).get(f"{URL}/rollup", params).status_code == 403
    assert Client().get(f"{URL}/rollup", params).status_code == 401
    assert api_for(personas.viewer).get(f"{URL}/rollup", {**params, "from": "2027-01-01"}).status_code == 422


# --- club meetings -------------------------------------------------------------------------------------


def test_a_club_meeting_names_its_club(personas, api_for, units):
    club = ClubFactory(admin_unit=units.commune_a, founded_on=date(2025, 9, 1))
    other = ClubFactory(admin_unit=units.commune_b, founded_on=date(2025, 9, 1))
    api = api_for(personas.officer_a)
    r = send(api, "post", URL, _body(kind="club_meeting", club=club.pk))
    assert r.status_code == 201, r.content
    assert r.json()["club"] == club.pk
    assert Activity.objects.get(pk=r.json()["id"]).club == club
    # Another commune's club, or a club named on another kind, is refused and nothing is written.
    for body in (_body(kind="club_meeting", club=other.pk), _body(kind="training", club=club.pk)):
        refused = send(api, "post", URL, body)
        assert refused.status_code == 422 and "club" in refused.json()["detail"]
    assert Activity.objects.count() == 1
