"""Campaigns: the API (list, one, create) and the pages (list, campaign page with its figures and its
activities the viewer may see): allowed, forbidden, audited."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from mangnon.activities.models import Campaign
from mangnon.activities.tests.factories import (
    ActivityFactory,
    AttendeeFactory,
    CampaignFactory,
    TallyFactory,
)
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/campaigns"


@pytest.fixture
def campaign(units):
    c = CampaignFactory()
    child = PersonFactory(admin_unit=units.commune_a)
    for unit in (units.commune_a, units.commune_a, units.commune_b):
        a = ActivityFactory(admin_unit=unit, campaign=c, start_date=date(2026, 6, 5))
        TallyFactory(activity=a, count=10)
        AttendeeFactory(activity=a, person=child if unit == units.commune_a else None, name="")
    return c


def test_api_list_and_one_scoped(personas, api_for, campaign):
    data = api_for(personas.officer_a).get(URL).json()
    assert [(c["id"], c["activities"]) for c in data] == [(campaign.pk, 2)]
    assert api_for(personas.province_officer).get(f"{URL}/{campaign.pk}").json()["activities"] == 3
    assert api_for(personas.hotline).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401


def test_api_create(personas, api_for, units):
    body = {
        "name": "Tháng hành động vì trẻ em 2020",
        "plan_number": "67/KH-UBND",
        "year": 2020,
        "start_date": "2020-06-01",
        "end_date": "2020-06-30",
        "province": "22",
    }
    r = api_for(personas.province_officer).post(URL, json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    created = Campaign.objects.get()
    assert r.json()["id"] == created.pk and created.province == units.province
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="activities.campaign").exists()
    for user, status in ((personas.officer_a, 403), (personas.viewer, 403)):
        r = api_for(user).post(URL, json.dumps(body), content_type="application/json")
        assert r.status_code == status
    bad = {**body, "end_date": "2020-05-01"}
    r = api_for(personas.province_officer).post(URL, json.dumps(bad), content_type="application/json")
    assert r.status_code == 422
    assert Campaign.objects.count() == 1


def test_pages(personas, client_for, campaign):
    r = client_for(personas.officer_a).get("/activities/campaigns/")
    assert r.status_code == 200 and [c.pk for c in r.context["campaigns"]] == [campaign.pk]
    r = client_for(personas.officer_a).get(f"/activities/campaigns/{campaign.pk}/")
    assert r.status_code == 200
    figures = r.context["figures"]
    # two activities in commune A, the same child on both rosters: 20 person-times, 1 person
    assert (figures.activities, figures.person_times, figures.unique_persons) == (2, 20, 1)
    assert len(r.context["activities"]) == 2
    event = AuditEvent.objects.get(object_type="activities.activity", object_id="list")
    assert event.changes["filters"] == {"campaign": campaign.pk}
    province = client_for(personas.province_officer).get(f"/activities/campaigns/{campaign.pk}/")
    assert province.context["figures"].unique_persons == 2


def test_pages_forbidden(personas, client_for, campaign):
    assert client_for(personas.hotline).get("/activities/campaigns/").status_code == 403
    assert client_for(personas.hotline).get(f"/activities/campaigns/{campaign.pk}/").status_code == 403
    assert client_for(personas.officer_a).get("/activities/campaigns/999999/").status_code == 404
    assert Client().get("/activities/campaigns/").status_code == 302
