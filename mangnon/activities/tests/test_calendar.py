"""The activity calendar: a month of the activities the viewer may read (scoped, filtered, audited as a
list), month navigation, an activity over several days on each of its days, a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mangnon.activities.codes import ActivityKind
from mangnon.activities.tests.factories import ActivityFactory, CampaignFactory, TallyFactory
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

URL = "/activities/calendar/"


def _days(response) -> dict[str, list[int]]:
    return {
        cell.day.isoformat(): [a.pk for a in cell.activities]
        for week in response.context["weeks"]
        for cell in week
        if cell.activities
    }


@pytest.fixture
def march_a(units):
    a = ActivityFactory(
        admin_unit=units.commune_a, start_date=date(2026, 3, 10), title="Nói chuyện chuyên đề"
    )
    TallyFactory(activity=a, count=30)
    TallyFactory(activity=a, count=12, sex="M")
    return a


def test_month_of_own_activities_with_person_times(personas, client_for, units, march_a):
    other = ActivityFactory(admin_unit=units.commune_b, start_date=date(2026, 3, 11))
    ActivityFactory(admin_unit=units.commune_a, start_date=date(2026, 4, 2))
    r = client_for(personas.officer_a).get(URL, {"month": "2026-03"})
    assert r.status_code == 200
    assert _days(r) == {"2026-03-10": [march_a.pk]}
    body = r.content.decode()
    assert "Nói chuyện chuyên đề" in body and f"/activities/{march_a.pk}/" in body
    assert f'data-activity-id="{other.pk}"' not in body
    # The province officer sees both communes.
    r = client_for(personas.province_officer).get(URL, {"month": "2026-03"})
    assert _days(r) == {"2026-03-10": [march_a.pk], "2026-03-11": [other.pk]}


def test_labelled_person_times(personas, client_for, march_a):
    client = client_for(personas.officer_a)

    def cell() -> str:
        r = client.get(URL, {"month": "2026-03"})
        return r.content.decode().split("data-person-times>")[1].split("</div>")[0]

    # Vietnamese by default, whatever the browser asks for; English when the user switches to it.
    assert "42 lượt người" in cell()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "42 person-times" in cell()


def test_default_month_is_the_current_one(personas, client_for, units):
    today = timezone.localdate()
    a = ActivityFactory(admin_unit=units.commune_a, start_date=today)
    r = client_for(personas.officer_a).get(URL)
    assert r.status_code == 200
    assert r.context["month"] == today.replace(day=1)
    assert _days(r) == {today.isoformat(): [a.pk]}


def test_month_navigation_keeps_filters(personas, client_for):
    r = client_for(personas.officer_a).get(URL, {"month": "2026-01", "kind": "training"})
    assert r.context["previous_url"] == "?month=2025-12&kind=training"
    assert r.context["next_url"] == "?month=2026-02&kind=training"
    r = client_for(personas.officer_a).get(URL, {"month": "2025-12"})
    assert r.context["next_url"] == "?month=2026-01"
    assert r.context["previous_url"] == "?month=2025-11"


def test_bad_month_is_refused(personas, client_for):
    for bad in ("2026-13", "March", "2026-3-1"):
        r = client_for(personas.officer_a).get(URL, {"month": bad})
        assert r.status_code == 400
        assert r.context["month"] == timezone.localdate().replace(day=1)


def test_multi_day_activity_on_each_day_clipped_to_month(personas, client_for, units):
    camp = ActivityFactory(
        admin_unit=units.commune_a,
        kind=ActivityKind.CAMP,
        start_date=date(2026, 3, 30),
        end_date=date(2026, 4, 2),
    )
    r = client_for(personas.officer_a).get(URL, {"month": "2026-03"})
    assert _days(r) == {"2026-03-30": [camp.pk], "2026-03-31": [camp.pk]}
    r = client_for(personas.officer_a).get(URL, {"month": "2026-04"})
    assert _days(r) == {"2026-04-01": [camp.pk], "2026-04-02": [camp.pk]}
    assert [a.pk for a in r.context["activities"]] == [camp.pk]


def test_filters_kind_unit_campaign(personas, client_for, units):
    campaign = CampaignFactory()
    session = ActivityFactory(admin_unit=units.commune_a, start_date=date(2026, 6, 3), campaign=campaign)
    training = ActivityFactory(
        admin_unit=units.commune_b, kind=ActivityKind.TRAINING, start_date=date(2026, 6, 4)
    )
    client = client_for(personas.province_officer)
    june = {"month": "2026-06"}
    assert [a.pk for a in client.get(URL, {**june, "kind": "training"}).context["activities"]] == [
        training.pk
    ]
    by_unit = client.get(URL, {**june, "unit": units.commune_a.pk}).context["activities"]
    assert [a.pk for a in by_unit] == [session.pk]
    by_campaign = client.get(URL, {**june, "campaign": campaign.pk}).context["activities"]
    assert [a.pk for a in by_campaign] == [session.pk]


def test_audited_as_a_list(personas, client_for, march_a):
    client_for(personas.officer_a).get(URL, {"month": "2026-03"})
    event = AuditEvent.objects.get(object_type="activities.activity", object_id="list")
    assert event.action == AuditAction.VIEW and event.actor_id == personas.officer_a.pk
    assert event.changes["shown"] == [march_a.pk]
    assert event.changes["filters"]["start"] == "2026-03-01"
    assert event.changes["filters"]["end"] == "2026-03-31"


def test_empty_month_writes_no_event(personas, client_for, march_a):
    r = client_for(personas.officer_a).get(URL, {"month": "2026-05"})
    assert r.status_code == 200 and b"data-no-activities" in r.content
    assert not AuditEvent.objects.filter(object_type="activities.activity", object_id="list").exists()


def test_forbidden(personas, client_for):
    assert client_for(personas.hotline).get(URL).status_code == 403
    r = Client().get(URL)
    assert r.status_code == 302 and "login" in r["Location"]


def test_queries_do_not_grow(personas, client_for, units, django_assert_max_num_queries):
    client = client_for(personas.province_officer)
    for day in (2, 3):
        TallyFactory(activity=ActivityFactory(admin_unit=units.commune_a, start_date=date(2026, 3, day)))
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"month": "2026-03"}).status_code == 200
    for day in range(4, 20):
        a = ActivityFactory(
            admin_unit=units.commune_b, start_date=date(2026, 3, day), end_date=date(2026, 3, 25)
        )
        TallyFactory(activity=a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(URL, {"month": "2026-03"}).context["activities"]) == 18
