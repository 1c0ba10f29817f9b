"""Club services: create (audited, idempotent, scoped), validation (every problem at once, nothing
written: dates, school of the unit), update with version (Conflict), close; members joining (registered
person or light entry, within the club's life, once) and leaving; the activity form's club meeting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mangnon.activities import club_services, services
from mangnon.activities.models import Activity, Club, ClubMember
from mangnon.activities.tests.factories import ClubFactory, ClubMemberFactory
from mangnon.core import idempotency
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.tests.factories import OrganisationFactory
from mangnon.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _fields(unit, **over):
    data = {
        "kind": "mang_non_team",
        "name": "Đội truyền thông Măng non THCS Hạ Long",
        "admin_unit": unit,
        "school": None,
        "founded_on": date(2020, 9, 5),
        "closed_on": None,
        "note": "",
    }
    return {**data, **over}


def test_create_is_audited_and_carries_its_province(personas, units):
    school = OrganisationFactory(admin_unit=units.commune_a)
    made = club_services.club_create(
        actor=personas.officer_a, fields=_fields(units.commune_a, school=school.pk)
    )
    club = made.obj
    assert made.created and club.province == units.province and club.school == school
    assert club.recorded_by == personas.officer_a and club.version == 1
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(club.pk))
    assert event.object_type == "activities.club" and event.changes["school"] == school.pk
    assert event.changes["admin_unit"] == units.commune_a.code


def test_create_names_every_problem_and_writes_nothing(personas, units):
    future = timezone.localdate() + timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        club_services.club_create(
            actor=personas.officer_a,
            fields=_fields(
                units.commune_a, kind="chess", name=" ", founded_on=future, closed_on=date(2020, 1, 1)
            ),
        )
    errors = exc.value.message_dict
    assert set(errors) == {"kind", "name", "founded_on", "closed_on"}
    with pytest.raises(ValidationError) as exc:
        club_services.club_create(
            actor=personas.officer_a,
            fields=_fields(units.commune_a, closed_on=date(2020, 9, 1)),
        )
    assert "closed_on" in exc.value.message_dict
    assert not Club.objects.exists()


def test_school_must_be_a_school_of_the_unit_or_above(personas, units):
    hospital = OrganisationFactory(admin_unit=units.commune_a, kind=OrgKind.HOSPITAL)
    elsewhere = OrganisationFactory(admin_unit=units.commune_b)
    for org in (hospital, elsewhere):
        with pytest.raises(ValidationError) as exc:
            club_services.club_create(
                actor=personas.officer_a, fields=_fields(units.commune_a, school=org.pk)
            )
        assert "school" in exc.value.message_dict
    with pytest.raises(ValidationError):
        club_services.club_create(actor=personas.officer_a, fields=_fields(units.commune_a, school=999_999))
    provincial = OrganisationFactory(admin_unit=units.province)  # a school run by the province
    historic = OrganisationFactory(admin_unit=units.legacy_a)  # recorded at the commune that went into A
    for org in (provincial, historic):
        made = club_services.club_create(
            actor=personas.officer_a, fields=_fields(units.commune_a, school=org)
        )
        assert made.obj.school == org


def test_create_is_scoped(personas, units):
    for actor in (personas.officer_b, personas.chair_a, personas.viewer, personas.hotline):
        with pytest.raises(PermissionDenied):
            club_services.club_create(actor=actor, fields=_fields(units.commune_a))
    assert club_services.club_create(actor=personas.province_officer, fields=_fields(units.commune_b)).created


def test_create_is_idempotent(personas, units):
    fields = _fields(units.commune_a)
    first = club_services.club_create(
        actor=personas.officer_a, fields=fields, idempotency_key="k1", request_hash="h"
    )
    again = club_services.club_create(
        actor=personas.officer_a, fields=fields, idempotency_key="k1", request_hash="h"
    )
    assert first.created and not again.created and again.obj.pk == first.obj.pk
    assert Club.objects.count() == 1
    with pytest.raises(idempotency.KeyReused):
        club_services.club_create(
            actor=personas.officer_a, fields=fields, idempotency_key="k1", request_hash="x"
        )


def test_update_needs_the_current_version(personas, units):
    club = ClubFactory(admin_unit=units.commune_a)
    updated = club_services.club_update(
        actor=personas.officer_a, club=club, version=1, changes={"name": "Câu lạc bộ Quyền trẻ em"}
    )
    assert updated.version == 2 and updated.name == "Câu lạc bộ Quyền trẻ em"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(club.pk))
    assert event.changes["name"][1] == "Câu lạc bộ Quyền trẻ em"
    stale = Club.objects.get(pk=club.pk)
    with pytest.raises(club_services.Conflict) as exc:
        club_services.club_update(actor=personas.officer_a, club=stale, version=1, changes={"name": "X"})
    assert exc.value.current_version == 2
    assert Club.objects.get(pk=club.pk).name == "Câu lạc bộ Quyền trẻ em"
    with pytest.raises(ValidationError):
        club_services.club_update(actor=personas.officer_a, club=stale, version=2, changes={"province": 1})


def test_update_is_scoped_at_both_units(personas, units):
    club = ClubFactory(admin_unit=units.commune_a)
    with pytest.raises(PermissionDenied):
        club_services.club_update(actor=personas.officer_b, club=club, version=1, changes={"name": "X"})
    with pytest.raises(PermissionDenied):
        club_services.club_update(
            actor=personas.officer_a, club=club, version=1, changes={"admin_unit": units.commune_b}
        )
    moved = club_services.club_update(
        actor=personas.province_officer, club=club, version=1, changes={"admin_unit": units.commune_b}
    )
    assert moved.admin_unit == units.commune_b and moved.version == 2


def test_founding_and_closing_keep_the_members_inside(personas, units):
    club = ClubFactory(admin_unit=units.commune_a, founded_on=date(2020, 9, 1))
    ClubMemberFactory(club=club, joined_on=date(2021, 1, 10))
    with pytest.raises(ValidationError) as exc:
        club_services.club_update(
            actor=personas.officer_a, club=club, version=1, changes={"founded_on": date(2021, 2, 1)}
        )
    assert "founded_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        club_services.club_close(actor=personas.officer_a, club=club, version=1, closed_on=date(2020, 12, 31))
    assert "closed_on" in exc.value.message_dict


def test_close(personas, units):
    club = ClubFactory(admin_unit=units.commune_a)
    closed = club_services.club_close(
        actor=personas.officer_a, club=club, version=1, closed_on=date(2025, 6, 30)
    )
    assert closed.closed_on == date(2025, 6, 30) and closed.version == 2
    with pytest.raises(ValidationError):
        club_services.club_close(actor=personas.officer_a, club=closed, version=2, closed_on=date(2025, 7, 1))
    with pytest.raises(ValidationError):
        club_services.club_close(
            actor=personas.officer_a,
            club=ClubFactory(admin_unit=units.commune_a),
            version=1,
            closed_on=timezone.localdate() + timedelta(days=1),
        )


def test_member_add_light_entry_and_registered_person(personas, units):
    club = ClubFactory(admin_unit=units.commune_a)
    light = club_services.member_add(
        actor=personas.officer_a,
        club=club,
        name=" Lê  Thị Mai ",
        sex="F",
        birth_year=2011,
        joined_on=date(2021, 3, 1),
    ).obj
    assert (light.name, light.person, light.role) == ("Lê Thị Mai", None, "child")
    person = PersonFactory(admin_unit=units.commune_a, birth_year=2012)
    member = club_services.member_add(
        actor=personas.officer_a, club=club, person=person.pk, role="child", joined_on=date(2021, 3, 1)
    ).obj
    assert member.person == person and member.name == "" and member.sex == "M" and member.birth_year == 2012
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(member.pk))
    assert event.changes["person"] == person.pk and "Mai" not in str(event.changes)
    with pytest.raises(ValidationError) as exc:
        club_services.member_add(
            actor=personas.officer_a, club=club, person=person, joined_on=date(2021, 3, 1)
        )
    assert "person" in exc.value.message_dict


def test_member_add_checks(personas, units):
    club = ClubFactory(admin_unit=units.commune_a, founded_on=date(2020, 9, 1), closed_on=date(2024, 5, 31))
    hidden = PersonFactory(admin_unit=units.commune_b)
    cases = [
        ({"person": hidden.pk}, "person"),
        ({"name": ""}, "name"),
        ({"name": "A", "sex": "X"}, "sex"),
        ({"name": "A", "birth_year": 1800}, "birth_year"),
        ({"name": "A", "role": "boss"}, "role"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as exc:
            club_services.member_add(actor=personas.officer_a, club=club, joined_on=date(2021, 1, 1), **data)
        assert field in exc.value.message_dict, data
    for day in (date(2020, 8, 31), date(2024, 6, 1), None):
        with pytest.raises(ValidationError) as exc:
            club_services.member_add(actor=personas.officer_a, club=club, name="A", joined_on=day)
        assert "joined_on" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        club_services.member_add(actor=personas.officer_b, club=club, name="A", joined_on=date(2021, 1, 1))
    assert not ClubMember.objects.exists()


def test_member_add_is_idempotent(personas, units):
    club = ClubFactory(admin_unit=units.commune_a)
    kwargs = {"actor": personas.officer_a, "club": club, "name": "An", "joined_on": date(2021, 1, 1)}
    first = club_services.member_add(**kwargs, idempotency_key="m1", request_hash="h")
    again = club_services.member_add(**kwargs, idempotency_key="m1", request_hash="h")
    assert not again.created and again.obj.pk == first.obj.pk and ClubMember.objects.count() == 1


def test_member_leave(personas, units):
    member = ClubMemberFactory(club=ClubFactory(admin_unit=units.commune_a), joined_on=date(2021, 1, 1))
    for day in (None, date(2020, 12, 31), timezone.localdate() + timedelta(days=1)):
        with pytest.raises(ValidationError):
            club_services.member_leave(actor=personas.officer_a, member=member, left_on=day)
    with pytest.raises(PermissionDenied):
        club_services.member_leave(actor=personas.chair_a, member=member, left_on=date(2022, 1, 1))
    left = club_services.member_leave(actor=personas.officer_a, member=member, left_on=date(2022, 5, 31))
    assert left.left_on == date(2022, 5, 31)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="activities.clubmember").exists()
    with pytest.raises(ValidationError):
        club_services.member_leave(actor=personas.officer_a, member=left, left_on=date(2022, 6, 1))


# --- a club meeting names its club -------------------------------------------------------------------


def _meeting(unit, **over):
    data = {
        "kind": "club_meeting",
        "title": "Sinh hoạt câu lạc bộ tháng 3",
        "admin_unit": unit,
        "start_date": date(2026, 3, 10),
    }
    return {**data, **over}


def test_a_club_meeting_names_a_club_the_actor_records_for(personas, units):
    club = ClubFactory(admin_unit=units.commune_a)
    recorded = services.activity_record(
        actor=personas.officer_a, fields=_meeting(units.commune_a, club=club.pk)
    )
    assert recorded.activity.club == club
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(recorded.activity.pk))
    assert event.changes["club"] == club.pk
    other = ClubFactory(admin_unit=units.commune_b)
    closed = ClubFactory(admin_unit=units.commune_a, closed_on=date(2025, 12, 31))
    for fields in (
        _meeting(units.commune_a, club=other.pk),
        _meeting(units.commune_a, club=closed.pk),
        _meeting(units.commune_a, club=999_999),
        _meeting(units.commune_a, club=club.pk, kind="session"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.activity_record(actor=personas.officer_a, fields=fields)
        assert "club" in exc.value.message_dict
    assert Activity.objects.count() == 1
    # An edit keeps the club it does not name.
    updated = services.activity_update(
        actor=personas.officer_a, activity=recorded.activity, version=1, changes={"title": "Sinh hoạt"}
    )
    assert updated.club == club
