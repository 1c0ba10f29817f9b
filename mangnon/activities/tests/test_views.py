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


# --- edit ---------------------------------------------------------------------------------------------


def _edit_data(activity, **over):
    data = {
        "version": activity.version,
        "kind": activity.kind,
        "title": "Buổi truyền thông đã sửa",
        "admin_unit": activity.admin_unit_id,
        "start_date": activity.start_date.strftime("%d/%m/%Y"),
        "end_date": "",
        "t_children_F": "7",
        "t_children_M": "6",
    }
    return {**data, **over}


def test_edit_facts_and_grid(personas, client_for, units):
    activity = ActivityFactory(admin_unit=units.commune_a, start_date=date(2026, 3, 10))
    TallyFactory(activity=activity, group="children", sex="F", age_band="unknown", count=30)
    client = client_for(personas.officer_a)
    page = client.get(f"/activities/{activity.pk}/edit/")
    assert page.status_code == 200 and page.context["form"]["t_children_F"].value() == 30
    r = client.post(f"/activities/{activity.pk}/edit/", _edit_data(activity))
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("Buổi truyền thông đã sửa", 2)
    assert sorted(activity.tallies.values_list("sex", "count")) == [("F", 7), ("M", 6)]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(activity.pk)).count() == 1
    stale = client.post(f"/activities/{activity.pk}/edit/", _edit_data(activity, version=1, title="Cũ"))
    assert stale.status_code == 409
    activity.refresh_from_db()
    assert activity.title == "Buổi truyền thông đã sửa"


def test_edit_keeps_tallies_by_age_band(personas, client_for, units):
    activity = ActivityFactory(admin_unit=units.commune_a, start_date=date(2026, 3, 10))
    TallyFactory(activity=activity, group="children", sex="F", age_band="11_15", count=30)
    client = client_for(personas.officer_a)
    assert not client.get(f"/activities/{activity.pk}/edit/").context["form"].grid()
    r = client.post(f"/activities/{activity.pk}/edit/", _edit_data(activity))
    assert r.status_code == 302
    assert list(activity.tallies.values_list("age_band", "count")) == [("11_15", 30)]


def test_edit_forbidden(personas, client_for, units):
    activity = ActivityFactory(admin_unit=units.commune_a)
    url = f"/activities/{activity.pk}/edit/"
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.chair_a).get(url).status_code == 403
    assert client_for(personas.viewer).post(url, _edit_data(activity)).status_code == 403
    assert Client().get(url).status_code == 302
    activity.refresh_from_db()
    assert activity.version == 1


def test_record_with_roster(personas, client_for, units):
    from mangnon.registry.tests.factories import PersonFactory

    child = PersonFactory(admin_unit=units.commune_a)
    data = _post(
        units,
        r1_person=str(child.pk),
        r1_group="children",
        r2_name="Phạm Thị Thu",
        r2_sex="F",
        r2_birth_year="1988",
        r2_group="parents_caregivers",
    )
    r = client_for(personas.officer_a).post(NEW, data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    activity = Activity.objects.get()
    assert sorted((a.person_id or 0, a.group) for a in activity.attendees.all()) == [
        (0, "parents_caregivers"),
        (child.pk, "children"),
    ]
    missing_group = _post(units, r1_name="Lan")
    assert client_for(personas.officer_a).post(NEW, missing_group).status_code == 400
    assert Activity.objects.count() == 1


def test_list_and_campaign_pages_do_not_grow_queries(
    personas, client_for, units, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mangnon.activities.tests.factories import CampaignFactory

    campaign = CampaignFactory()
    client = client_for(personas.province_officer)

    def add(n):
        for _ in range(n):
            a = ActivityFactory(admin_unit=units.commune_a, campaign=campaign)
            TallyFactory(activity=a)
            AttendeeFactory(activity=a)

    add(2)
    urls = [LIST, f"/activities/campaigns/{campaign.pk}/", "/activities/campaigns/"]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        counts.append(len(few.captured_queries))
    add(15)
    for url, n in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200
