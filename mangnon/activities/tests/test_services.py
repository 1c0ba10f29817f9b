"""Activity services: record with tallies, roster and materials in one transaction (audited,
idempotent), validation (nothing written), scope, update with version (Conflict), tally replacement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mangnon.activities import services
from mangnon.activities.models import Activity, Attendee, Material, Tally
from mangnon.activities.tests.factories import ActivityFactory, CampaignFactory, TallyFactory
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.orgs.tests.factories import OrganisationFactory
from mangnon.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _fields(unit, **over):
    data = {
        "kind": "training",
        "title": "Tập huấn kỹ năng bảo vệ trẻ em",
        "admin_unit": unit,
        "start_date": date(2026, 3, 10),
        "end_date": date(2026, 3, 11),
        "theme": "Phòng chống xâm hại",
        "target_groups": ["parents_caregivers", "children"],
        "funding_source": "state_budget",
        "cost": 12_500_000,
    }
    return {**data, **over}


TALLIES = [
    {"group": "children", "sex": "F", "age_band": "11_15", "count": 20},
    {"group": "children", "sex": "M", "age_band": "11_15", "count": 18},
    {"group": "parents_caregivers", "sex": "F", "age_band": "adult", "count": 7},
]


def test_record_writes_everything_in_one_audited_event(personas, units):
    person = PersonFactory(admin_unit=units.commune_a)
    org = OrganisationFactory(admin_unit=units.commune_a)
    recorded = services.activity_record(
        actor=personas.officer_a,
        fields=_fields(units.commune_a, organiser=org.pk),
        tallies=TALLIES,
        attendees=[
            {"person": person.pk, "group": "children"},
            {"name": "Nguyễn Thị Hoa", "sex": "F", "birth_year": 1985, "group": "parents_caregivers"},
        ],
        materials=[{"title": "Sổ tay", "kind": "handbook", "quantity": 50}],
    )
    a = recorded.activity
    assert recorded.created
    assert (a.province, a.organiser, a.target_groups, a.cost) == (
        units.province,
        org,
        ["children", "parents_caregivers"],
        12_500_000,
    )
    assert sum(a.tallies.values_list("count", flat=True)) == 45
    linked = a.attendees.get(person=person)
    assert (linked.sex, linked.birth_year, linked.name) == (person.sex, person.birth_year, "")
    assert a.materials.get().quantity == 50
    event = AuditEvent.objects.get(object_type="activities.activity", object_id=str(a.pk))
    assert event.action == AuditAction.CREATE and event.actor_id == personas.officer_a.pk
    assert event.changes["attendees"] == {"persons": [person.pk], "light_entries": 1}
    assert "Nguyễn Thị Hoa" not in str(event.changes)  # roster names never enter the trail


def test_zero_cells_are_not_stored(personas, units):
    rows = [*TALLIES, {"group": "teachers", "sex": "M", "age_band": "adult", "count": 0}]
    a = services.activity_record(
        actor=personas.officer_a, fields=_fields(units.commune_a), tallies=rows
    ).activity
    assert a.tallies.count() == 3


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"title": "  "}, "title"),
        ({"start_date": None}, "start_date"),
        ({"end_date": date(2026, 3, 1)}, "end_date"),
        ({"cost": -5}, "cost"),
        ({"cost": 1.5}, "cost"),
        ({"funding_source": "lottery"}, "funding_source"),
        ({"target_groups": ["aliens"]}, "target_groups"),
        ({"organiser": 999_999}, "organiser"),
        ({"campaign": 999_999}, "campaign"),
    ],
)
def test_bad_fields_are_refused_and_nothing_written(personas, units, over, field):
    with pytest.raises(ValidationError) as exc:
        services.activity_record(
            actor=personas.officer_a, fields=_fields(units.commune_a, **over), tallies=TALLIES
        )
    assert field in exc.value.message_dict
    assert not Activity.objects.exists() and not Tally.objects.exists()


def test_dates_in_the_future_are_refused(personas, units):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.activity_record(
            actor=personas.officer_a, fields=_fields(units.commune_a, start_date=tomorrow, end_date=tomorrow)
        )
    assert "start_date" in exc.value.message_dict


def test_unit_must_exist_on_the_start_date(personas, units):
    with pytest.raises(ValidationError) as exc:
        services.activity_record(
            actor=personas.province_officer, fields=_fields(units.commune_a, start_date=date(2020, 5, 1))
        )
    assert "admin_unit" in exc.value.message_dict


@pytest.mark.parametrize("count", [-1, 2.5, "12", None, True])
def test_a_tally_count_is_a_whole_number_of_zero_or_more(personas, units, count):
    rows = [{"group": "children", "sex": "F", "age_band": "11_15", "count": count}]
    with pytest.raises(ValidationError) as exc:
        services.activity_record(actor=personas.officer_a, fields=_fields(units.commune_a), tallies=rows)
    assert "tallies" in exc.value.message_dict
    assert not Activity.objects.exists()


def test_a_tally_cell_is_counted_once(personas, units):
    with pytest.raises(ValidationError) as exc:
        services.activity_record(
            actor=personas.officer_a, fields=_fields(units.commune_a), tallies=[TALLIES[0], TALLIES[0]]
        )
    assert "tallies" in exc.value.message_dict


def test_bad_roster_and_materials_write_nothing(personas, units):
    other = PersonFactory(admin_unit=units.commune_b)  # not visible to commune A's officer
    for attendees, materials in [
        ([{"person": other.pk, "group": "children"}], []),
        ([{"name": "", "group": "children"}], []),
        ([{"name": "Lan", "group": "pets"}], []),
        ([], [{"title": "Tờ rơi", "kind": "leaflet", "quantity": -3}]),
        ([], [{"title": "Tờ rơi", "kind": "poster", "quantity": 3}]),
    ]:
        with pytest.raises(ValidationError):
            services.activity_record(
                actor=personas.officer_a,
                fields=_fields(units.commune_a),
                tallies=TALLIES,
                attendees=attendees,
                materials=materials,
            )
    assert not Activity.objects.exists() and not Attendee.objects.exists() and not Material.objects.exists()


def test_a_person_is_on_a_roster_once(personas, units):
    person = PersonFactory(admin_unit=units.commune_a)
    rows = [{"person": person.pk, "group": "children"}, {"person": person.pk, "group": "children"}]
    with pytest.raises(ValidationError):
        services.activity_record(actor=personas.officer_a, fields=_fields(units.commune_a), attendees=rows)


def test_scope_commune_b_and_viewer_may_not_record_in_a(personas, units):
    for actor in (personas.officer_b, personas.viewer, personas.chair_a, personas.hotline):
        with pytest.raises(PermissionDenied):
            services.activity_record(actor=actor, fields=_fields(units.commune_a))
    assert not Activity.objects.exists()


def test_collaborator_records_in_own_commune_province_officer_anywhere(personas, units):
    services.activity_record(actor=personas.collaborator_a, fields=_fields(units.commune_a))
    services.activity_record(actor=personas.province_officer, fields=_fields(units.commune_b))
    services.activity_record(actor=personas.province_officer, fields=_fields(units.province))
    with pytest.raises(PermissionDenied):
        services.activity_record(actor=personas.collaborator_a, fields=_fields(units.commune_b))
    assert Activity.objects.count() == 3


def test_a_2020_activity_sits_at_a_pre_reform_unit(personas, units):
    a = services.activity_record(
        actor=personas.province_officer,
        fields=_fields(units.district_a, start_date=date(2020, 6, 5), end_date=date(2020, 6, 5)),
    ).activity
    assert a.admin_unit == units.district_a and a.province == units.province


def test_idempotency_key_returns_the_first_activity(personas, units):
    kwargs = {
        "actor": personas.officer_a,
        "fields": _fields(units.commune_a),
        "tallies": TALLIES,
        "idempotency_key": "k-1",
        "request_hash": "h",
    }
    first = services.activity_record(**kwargs)
    again = services.activity_record(**kwargs)
    assert first.created and not again.created and first.activity.pk == again.activity.pk
    assert Activity.objects.count() == 1 and Tally.objects.count() == 3


def test_campaign_must_be_of_the_activity_province(personas, units):
    campaign = CampaignFactory()
    a = services.activity_record(
        actor=personas.officer_a, fields=_fields(units.commune_a, campaign=campaign.pk)
    ).activity
    assert a.campaign == campaign


def test_campaign_create(personas, units):
    c = services.campaign_create(
        actor=personas.province_officer,
        province=units.province,
        name="Tháng hành động vì trẻ em 2020",
        plan_number="67/KH-UBND",
        year=2020,
        start_date=date(2020, 6, 1),
        end_date=date(2020, 6, 30),
    )
    assert AuditEvent.objects.filter(object_type="activities.campaign", object_id=str(c.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=personas.officer_a, province=units.province, name="X", year=2020,
            start_date=date(2020, 6, 1), end_date=date(2020, 6, 30),
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.campaign_create(
            actor=personas.province_officer, province=units.province, name="X", year=2020,
            start_date=date(2020, 6, 30), end_date=date(2020, 6, 1),
        )  # fmt: skip


def test_update_with_version_and_conflict(personas, units):
    activity = ActivityFactory(admin_unit=units.commune_a)
    old_title = activity.title
    updated = services.activity_update(
        actor=personas.officer_a, activity=activity, version=1, changes={"title": "Buổi nói chuyện"}
    )
    assert (updated.title, updated.version) == ("Buổi nói chuyện", 2)
    with pytest.raises(services.Conflict) as exc:
        services.activity_update(
            actor=personas.officer_a, activity=activity, version=1, changes={"title": "Z"}
        )
    assert exc.value.current_version == 2
    activity.refresh_from_db()
    assert activity.title == "Buổi nói chuyện"
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(activity.pk)).get()
    assert event.changes["title"] == [old_title, "Buổi nói chuyện"]


def test_update_refuses_unknown_fields_and_other_commune(personas, units):
    activity = ActivityFactory(admin_unit=units.commune_a)
    with pytest.raises(ValidationError):
        services.activity_update(
            actor=personas.officer_a, activity=activity, version=1, changes={"province": 1}
        )
    with pytest.raises(PermissionDenied):
        services.activity_update(
            actor=personas.officer_a, activity=activity, version=1, changes={"admin_unit": units.commune_b}
        )
    with pytest.raises(PermissionDenied):
        services.activity_update(
            actor=personas.officer_b, activity=activity, version=1, changes={"title": "Z"}
        )


def test_tallies_replace(personas, units):
    activity = ActivityFactory(admin_unit=units.commune_a)
    TallyFactory(activity=activity, count=99)
    updated = services.activity_tallies_replace(
        actor=personas.officer_a, activity=activity, version=1, tallies=TALLIES
    )
    assert updated.version == 2
    assert sorted(activity.tallies.values_list("count", flat=True)) == [7, 18, 20]
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(activity.pk))
    assert event.changes["tallies"][0] == [["children", "F", "11_15", 99]]
    with pytest.raises(services.Conflict):
        services.activity_tallies_replace(actor=personas.officer_a, activity=activity, version=1, tallies=[])
    assert activity.tallies.count() == 3
