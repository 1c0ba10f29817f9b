"""The activity pages: list (scoped, filtered, paginated, audited), activity page (404 outside scope,
audited), the fast entry form with its tally grid (allowed, forbidden, idempotent, errors kept)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.test import Client

from mangnon.activities.models import Activity
from mangnon.activities.tests.factories import ActivityFactory, AttendeeFactory, TallyFactory
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

LIST = "/activities/"
NEW = "/activities/new/"


@pytest.fixture
def activity_a(units):
    a = ActivityFactory(admin_unit=units.commune_a, start_date=date(2026, 3, 10))
    TallyFactory(activity=a, count=30)
    AttendeeFactory(activity=a, name="Lê Thị Mai")
    return a


def _post(units, **over):
    data = {
        "submission": uuid.uuid4().hex,
        "kind": "training",
        "title": "Tập huấn cho cha mẹ",
        "admin_unit": units.commune_a.pk,
        "start_date": "10/03/2026",
        "end_date": "",
        "t_parents_caregivers_F": "12",
        "t_parents_caregivers_M": "5",
        "t_children_unknown": "",
        "target_groups": ["parents_caregivers"],
        "funding_source": "state_budget",
        "cost": "1500000",
        "m1_title": "Tờ rơi",
        "m1_kind": "leaflet",
        "m1_quantity": "100",
    }
    return {**data, **over}


def test_list_scoped_and_audited(personas, client_for, units, activity_a):
    ActivityFactory(admin_unit=units.commune_b)
    r = client_for(personas.officer_a).get(LIST)
    assert r.status_code == 200
    assert list(r.context["activities"]) == [activity_a]
    assert b"data-person-times>30<" in r.content
    event = AuditEvent.objects.get(object_type="activities.activity", object_id="list")
    assert event.changes["shown"] == [activity_a.pk]
    assert len(client_for(personas.province_officer).get(LIST).context["activities"]) == 2
    r = client_for(personas.province_officer).get(LIST, {"unit": units.commune_b.pk})
    assert [a.admin_unit for a in r.context["activities"]] == [units.commune_b]


def test_list_forbidden(personas, client_for):
    assert client_for(personas.hotline).get(LIST).status_code == 403
    r = Client().get(LIST)
    assert r.status_code == 302 and "/login" in r["Location"]


def test_list_paginated(personas, client_for, units):
    for _ in range(27):
        ActivityFactory(admin_unit=units.commune_a)
    r = client_for(personas.officer_a).get(LIST, {"page": 2})
    assert len(r.context["activities"]) == 2


def test_detail_scoped_and_audited(personas, client_for, activity_a):
    r = client_for(personas.viewer).get(f"/activities/{activity_a.pk}/")
    assert r.status_code == 200 and "Lê Thị Mai" in r.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="activities.activity", object_id=str(activity_a.pk)
    ).exists()
    assert client_for(personas.officer_b).get(f"/activities/{activity_a.pk}/").status_code == 404
    assert client_for(personas.hotline).get(f"/activities/{activity_a.pk}/").status_code == 403
    assert Client().get(f"/activities/{activity_a.pk}/").status_code == 302


def test_record_with_tally_grid(personas, client_for, units):
    client = client_for(personas.collaborator_a)
    assert client.get(NEW).status_code == 200
    data = _post(units)
    r = client.post(NEW, data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    activity = Activity.objects.get()
    assert r["Location"] == f"/activities/{activity.pk}/"
    assert sorted(activity.tallies.values_list("group", "sex", "count")) == [
        ("parents_caregivers", "F", 12),
        ("parents_caregivers", "M", 5),
    ]
    assert activity.materials.get().quantity == 100 and activity.cost == 1_500_000
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(activity.pk)).exists()
    again = client.post(NEW, data)  # a double submit makes nothing new
    assert again.status_code == 302 and Activity.objects.count() == 1


def test_record_errors_keep_the_input(personas, client_for, units):
    r = client_for(personas.officer_a).post(NEW, _post(units, start_date="10/03/2026", end_date="01/03/2026"))
    assert r.status_code == 400 and "end_date" in r.context["form"].errors
    assert r.context["form"]["t_parents_caregivers_F"].value() == "12"
    r = client_for(personas.officer_a).post(NEW, _post(units, t_children_F="-2"))
    assert r.status_code == 400
    assert not Activity.objects.exists()


def test_record_forbidden(personas, client_for, units):
    assert client_for(personas.viewer).get(NEW).status_code == 403
    assert client_for(personas.chair_a).post(NEW, _post(units)).status_code == 403
    r = client_for(personas.officer_b).post(NEW, _post(units))  # commune A is not offered to B
    assert r.status_code == 400
    assert Client().post(NEW, _post(units)).status_code == 302
    assert not Activity.objects.exists()


# --- figures ------------------------------------------------------------------------------------------

ROLLUP = "/activities/rollup/"


def test_rollup_page_labels_person_times_and_persons_apart(personas, client_for, units):
    from mangnon.registry.tests.factories import PersonFactory

    child = PersonFactory(admin_unit=units.commune_a)
    for day in (date(2026, 3, 1), date(2026, 4, 1)):
        a = ActivityFactory(admin_unit=units.commune_a, start_date=day, kind="training")
        TallyFactory(activity=a, group="children", sex="F", count=5)
        AttendeeFactory(activity=a, person=child, name="")
    client = client_for(personas.officer_a)
    r = client.get(ROLLUP, {"unit": units.commune_a.pk, "start": "01/01/2026", "end": "31/12/2026"})
    assert r.status_code == 200
    result = r.context["result"]
    assert (result.activities, result.person_times, result.unique_persons) == (2, 10, 1)
    html = r.content.decode()
    assert 'data-count="person_times">10<' in html and 'data-count="unique_persons">1<' in html
    assert not AuditEvent.objects.filter(object_type="activities.activity").exists()  # aggregate
    default = client.get(ROLLUP)  # this year at the officer's commune
    assert default.status_code == 200 and default.context["unit"] == units.commune_a


def test_rollup_page_forbidden(personas, client_for, units):
    assert client_for(personas.hotline).get(ROLLUP).status_code == 403
    r = client_for(personas.officer_b).get(
        ROLLUP, {"unit": units.commune_a.pk, "start": "01/01/2026", "end": "31/12/2026"}
    )
    assert r.status_code == 400  # commune A is not among B's units
    assert Client().get(ROLLUP).status_code == 302
