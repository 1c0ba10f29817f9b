"""The activities roll-up and its figures: person-times and unique persons kept apart, a district's
parts add up, either geography, scope, constant queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.activities import rollups
from mangnon.activities.tests.factories import (
    ActivityFactory,
    AttendeeFactory,
    CampaignFactory,
    MaterialFactory,
    TallyFactory,
)
from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.geo.models import AdminUnit
from mangnon.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

Y2026 = (date(2026, 1, 1), date(2026, 12, 31))
Y2020 = (date(2020, 1, 1), date(2020, 12, 31))


def _roll(viewer, unit, period=Y2026):
    return rollups.rollup(viewer=viewer, unit=unit, start=period[0], end=period[1])


def test_person_times_and_unique_persons_differ_when_one_person_attends_twice(personas, units):
    child = PersonFactory(admin_unit=units.commune_a, sex="F")
    for day in (date(2026, 3, 1), date(2026, 4, 1)):
        a = ActivityFactory(admin_unit=units.commune_a, start_date=day)
        TallyFactory(activity=a, group="children", sex="F", count=2)
        AttendeeFactory(activity=a, person=child, name="", sex="F", group="children")
        AttendeeFactory(activity=a, person=None, name="Khách", sex="M", group="parents_caregivers")
    r = _roll(personas.officer_a, units.commune_a)
    assert r.activities == 2 and r.activities_by_kind["session"] == 2
    assert r.person_times == 4 and r.person_times_by_group_sex["children"]["F"] == 4
    # the registered child counts once; each light entry is a distinct person
    assert r.unique_persons == 3
    assert r.unique_persons_by_group["children"] == 1 and r.unique_persons_by_group["parents_caregivers"] == 2
    assert r.unique_persons_by_sex == {"M": 2, "F": 1, "unknown": 0}


def test_kinds_materials_campaigns_and_period(personas, units):
    campaign = CampaignFactory()
    s = ActivityFactory(
        admin_unit=units.commune_a, kind="session", campaign=campaign, start_date=date(2026, 6, 2)
    )
    t = ActivityFactory(admin_unit=units.commune_a, kind="training", start_date=date(2026, 5, 2))
    ActivityFactory(admin_unit=units.commune_a, kind="training", start_date=date(2025, 12, 31))  # outside
    TallyFactory(activity=s, group="children", sex="M", count=30)
    TallyFactory(activity=t, group="officers", sex="F", age_band="adult", count=12)
    MaterialFactory(activity=s, kind="leaflet", quantity=500)
    MaterialFactory(activity=t, kind="leaflet", quantity=100)
    MaterialFactory(activity=t, kind="handbook", quantity=20)
    r = _roll(personas.province_officer, units.commune_a)
    assert (r.activities_by_kind["session"], r.activities_by_kind["training"]) == (1, 1)
    assert r.person_times_by_kind == {
        **dict.fromkeys(r.person_times_by_kind, 0),
        "session": 30,
        "training": 12,
    }
    assert r.material_items_by_kind["leaflet"] == 2 and r.material_quantity_by_kind["leaflet"] == 600
    assert r.material_quantity == 620
    assert [(c.id, c.activities) for c in r.campaigns] == [(campaign.pk, 1)]


def _district_parts(district: AdminUnit) -> list[AdminUnit]:
    return list(AdminUnit.objects.filter(parent=district).order_by("code")[:3])


def test_a_district_is_the_sum_of_its_parts(personas, units):
    parts = _district_parts(units.district_a)
    assert len(parts) >= 2
    for n, unit in enumerate([*parts, units.district_a], 1):
        a = ActivityFactory(admin_unit=unit, start_date=date(2020, 6, n), kind="training")
        TallyFactory(activity=a, count=10 * n)
        AttendeeFactory(activity=a)
    whole = _roll(personas.province_officer, units.district_a, Y2020)
    pieces = [_roll(personas.province_officer, u, Y2020) for u in parts]
    own = len(parts) + 1  # the course the district itself held
    assert whole.activities == sum(p.activities for p in pieces) + 1
    assert whole.person_times == sum(p.person_times for p in pieces) + 10 * own
    assert whole.unique_persons == sum(p.unique_persons for p in pieces) + 1
    province = _roll(personas.province_officer, units.province, Y2020)
    assert province.person_times == whole.person_times


def test_either_geography_a_2020_activity_counts_in_the_current_commune(personas, units):
    old = ActivityFactory(admin_unit=units.legacy_a, start_date=date(2020, 6, 1))
    TallyFactory(activity=old, count=25)
    current = _roll(personas.officer_a, units.commune_a, Y2020)
    legacy = _roll(personas.province_officer, units.legacy_a, Y2020)
    assert current.person_times == legacy.person_times == 25
    assert _roll(personas.officer_b, units.commune_b, Y2020).person_times == 0


def test_scope(personas, units):
    with pytest.raises(Http404):
        _roll(personas.officer_b, units.commune_a)
    with pytest.raises(Http404):
        _roll(personas.officer_a, units.province)
    for outsider in (personas.hotline, personas.case_manager, personas.system_admin):
        with pytest.raises(PermissionDenied):
            _roll(outsider, units.commune_a)
    assert _roll(personas.viewer, units.province).activities == 0


def test_constant_queries(personas, units, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            a = ActivityFactory(admin_unit=units.commune_a, start_date=date(2026, 2, 1 + i))
            TallyFactory(activity=a)
            AttendeeFactory(activity=a)
            MaterialFactory(activity=a)

    add(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _roll(personas.province_officer, units.commune_a)
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = _roll(personas.province_officer, units.commune_a)
    assert r.activities == 22


def test_figures_are_registered_and_agree_with_the_rollup(personas, units):
    s = ActivityFactory(admin_unit=units.commune_a, kind="session")
    t = ActivityFactory(admin_unit=units.commune_a, kind="training")
    TallyFactory(activity=s, group="children", sex="F", count=40)
    TallyFactory(activity=t, group="teachers", sex="M", age_band="adult", count=9)
    AttendeeFactory(activity=t, group="teachers", sex="M")
    MaterialFactory(activity=s, kind="booklet", quantity=70)
    period = Period(*Y2026)

    def fig(code, by=()):
        return metrics.get(code).compute(
            unit=units.commune_a, period=period, viewer=personas.officer_a, by=by
        )

    assert fig("activities.sessions").total == 1
    spt = fig("activities.session_person_times", ("group", "sex"))
    assert spt.total == 40 and spt.by["group"]["children"] == 40 and spt.by["sex"]["F"] == 40
    assert fig("activities.courses").total == 1
    assert fig("activities.course_participant_times", ("age_band",)).by["age_band"]["adult"] == 9
    assert fig("activities.person_times").total == 49
    assert fig("activities.unique_participants", ("group",)).by["group"]["teachers"] == 1
    assert fig("activities.materials", ("kind",)).by["kind"]["booklet"] == 70
    assert fig("activities.activities", ("kind",)).by["kind"]["training"] == 1


def test_forums_are_listed_one_by_one_with_their_children_and_adults(personas, units):
    later = ActivityFactory(
        admin_unit=units.commune_a, kind="forum", title="Diễn đàn trẻ em xã", start_date=date(2026, 6, 11)
    )
    first = ActivityFactory(
        admin_unit=units.commune_a,
        kind="forum",
        title="Diễn đàn “Điều em muốn nói”",
        theme="Điều em muốn nói",
        organiser_text="Hội Liên hiệp Phụ nữ",
        start_date=date(2026, 6, 1),
    )
    TallyFactory(activity=first, group="children", sex="F", count=50)
    TallyFactory(activity=first, group="children", sex="M", count=40)
    TallyFactory(activity=first, group="officers", sex="F", age_band="adult", count=16)
    TallyFactory(activity=later, group="parents_caregivers", sex="F", age_band="adult", count=7)
    ActivityFactory(admin_unit=units.commune_a, kind="session", start_date=date(2026, 6, 2))  # not a forum
    forums = _roll(personas.officer_a, units.commune_a).as_dict()["forums"]
    assert [(f["title"], f["children"], f["adults"]) for f in forums] == [
        ("Diễn đàn “Điều em muốn nói”", 90, 16),
        ("Diễn đàn trẻ em xã", 0, 7),
    ]
    assert forums[0]["start_date"] == "2026-06-01" and forums[0]["organiser"] == "Hội Liên hiệp Phụ nữ"
    assert forums[0]["unit"] == units.commune_a.name
