"""Registry services: validation, duplicate check, concurrency, classifications, move, merge, age-out,
consent, households and caregivers — each writes its audit event or nothing at all."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mangnon.core.models import AuditEvent
from mangnon.registry import services
from mangnon.registry.access import get_child_for_user
from mangnon.registry.codes import ChildStatus
from mangnon.registry.models import (
    Caregiver,
    Child,
    Consent,
    HouseholdMember,
    HouseholdStatus,
    Person,
    RegistrationDecision,
)
from mangnon.registry.tests.factories import (
    CaregiverFactory,
    ChildFactory,
    HouseholdFactory,
    PersonFactory,
    RiskFlagFactory,
    SpecialCircumstanceFactory,
)

pytestmark = pytest.mark.django_db


def data(units, **over):
    values = {
        "full_name": "Nguyễn  Thị Minh Khai",
        "sex": "F",
        "commune": units.commune_a,
        "date_of_birth": date(2015, 3, 8),
    }
    return services.ChildData(**{**values, **over})


# --- personal ID number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "sex", "year", "ok"),
    [
        ("022315001234", "F", 2015, True),
        ("001085001234", "M", 1985, True),
        ("096216001234", "M", 2016, True),
        ("022415001234", "M", 2115, True),
        ("02231500123", "F", 2015, False),  # 11 digits
        ("02231500123x", "F", 2015, False),
        ("000315001234", "F", 2015, False),  # province 000
        ("097315001234", "F", 2015, False),  # province 097
        ("022615001234", "F", 2015, False),  # century code 6
        ("022215001234", "F", 2015, False),  # a boy's number
        ("022314001234", "F", 2015, False),  # year 2014
    ],
)
def test_id_number_rules(number, sex, year, ok):
    assert (services.id_number_errors(number, sex=sex, birth_year=year) == []) is ok


def test_register_splits_the_name_derives_the_province_and_records_the_decision(units, personas):
    result = services.child_register(actor=personas.officer_a, data=data(units, id_number="022315001234"))
    child = result.child
    assert result.created and result.decision == "new"
    p = child.person
    assert (p.ho, p.ten_dem, p.ten) == ("Nguyễn", "Thị Minh", "Khai")
    assert (
        p.full_name == "Nguyễn Thị Minh Khai" and p.name_key == "nguyen thi minh khai" and p.ten_key == "khai"
    )
    assert child.province == units.province and p.province == units.province and p.birth_year == 2015
    assert RegistrationDecision.objects.get(child=child).decision == "new"
    event = AuditEvent.objects.get(action="create", object_id=str(child.pk))
    assert event.changes["id_number"] == "***" and event.unit_code == "06688"


def test_register_records_the_parents_typed_with_the_child(units, personas):
    result = services.child_register(
        actor=personas.collaborator_a,
        data=data(units, father_name="Nguyễn Văn Bình", mother_name=" ", parents=["Lê Thị Hoa"]),
    )
    carers = list(result.child.caregivers.select_related("person"))
    assert [(c.relationship, c.person.full_name, c.person.sex) for c in carers] == [
        ("father", "Nguyễn Văn Bình", "M")
    ]  # a blank name records nobody; `parents` only help the duplicate check
    assert AuditEvent.objects.filter(action="create", object_type="registry.caregiver").count() == 1


def test_register_collects_every_problem_and_writes_nothing(units, personas):
    bad = data(units, full_name=" ", sex="X", date_of_birth=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        services.child_register(actor=personas.officer_a, data=bad)
    assert {"full_name", "sex", "date_of_birth"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        services.child_register(actor=personas.officer_a, data=data(units, id_number="022215001234"))
    assert "id_number" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.child_register(actor=personas.officer_a, data=data(units, commune=units.legacy_a))
    assert not Child.objects.exists() and not Person.objects.exists()


def test_register_needs_the_role_at_the_commune(units, personas):
    for user in (personas.officer_b, personas.chair_a, personas.viewer):
        with pytest.raises(PermissionDenied):
            services.child_register(actor=user, data=data(units))
    assert not Child.objects.exists()


def test_duplicate_id_number_is_refused(units, personas):
    ChildFactory(person__id_number="022315001234", person__sex="F", person__date_of_birth=date(2015, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.child_register(
            actor=personas.officer_a, data=data(units, full_name="Lê Thị Hoa", id_number="022315001234")
        )
    assert "id_number" in exc.value.message_dict


def test_undecided_likely_duplicate_raises_and_writes_nothing(units, personas):
    existing = ChildFactory(
        person__full_name="Nguyễn Thị Minh Khai", person__sex="F", person__date_of_birth=date(2015, 3, 8)
    )
    with pytest.raises(services.PossibleDuplicate) as exc:
        services.child_register(actor=personas.officer_a, data=data(units, full_name="Nguyen Thi Minh Khai"))
    assert exc.value.candidates[0].child_id == existing.pk
    assert Child.objects.count() == 1
    linked = services.child_register(
        actor=personas.officer_a, data=data(units), decision="linked", link_to=existing.pk
    )
    assert linked.child.pk == existing.pk and not linked.created
    assert Child.objects.count() == 1


def test_duplicate_check_never_reaches_beyond_the_scope(units, personas):
    ChildFactory(
        admin_unit=units.commune_b,
        person__full_name="Nguyễn Thị Minh Khai",
        person__sex="F",
        person__date_of_birth=date(2015, 3, 8),
    )
    result = services.child_register(actor=personas.officer_a, data=data(units))
    assert result.created and result.candidates == []


def test_idempotent_register(units, personas):
    one = services.child_register(
        actor=personas.officer_a, data=data(units), idempotency_key="x", request_hash="h"
    )
    two = services.child_register(
        actor=personas.officer_a, data=data(units), idempotency_key="x", request_hash="h"
    )
    assert one.child.pk == two.child.pk and one.created and not two.created
    assert Child.objects.count() == 1


# --- update ---------------------------------------------------------------------------------------


def test_update_with_stale_version_conflicts_and_keeps_the_data(units, personas):
    child = ChildFactory(person__full_name="Trần Văn Bình")
    services.child_update(actor=personas.officer_a, child=child, version=1, changes={"address": "Tổ 3"})
    with pytest.raises(services.Conflict) as exc:
        services.child_update(actor=personas.officer_a, child=child, version=1, changes={"address": "Tổ 9"})
    assert exc.value.current_version == 2
    child.person.refresh_from_db()
    assert child.person.address == "Tổ 3"


def test_update_refuses_unknown_fields_and_bad_values(units, personas):
    child = ChildFactory()
    with pytest.raises(ValidationError):
        services.child_update(actor=personas.officer_a, child=child, version=1, changes={"admin_unit": 1})
    with pytest.raises(ValidationError):
        services.child_update(actor=personas.officer_a, child=child, version=1, changes={"full_name": ""})
    child.refresh_from_db()
    assert child.version == 1


def test_update_needs_edit_right(units, personas):
    child = ChildFactory()
    with pytest.raises(PermissionDenied):
        services.child_update(actor=personas.collaborator_a, child=child, version=1, changes={"notes": "x"})


# --- classifications and risks -----------------------------------------------------------------------


def test_circumstance_add_and_end(units, personas):
    child = ChildFactory()
    row = services.circumstance_add(
        actor=personas.officer_a, child=child, group="a", start_date=date(2024, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.circumstance_add(
            actor=personas.officer_a, child=child, group="a", start_date=date(2024, 2, 1)
        )
    with pytest.raises(ValidationError):
        services.circumstance_end(actor=personas.officer_a, circumstance=row, end_date=date(2023, 1, 1))
    services.circumstance_end(actor=personas.officer_a, circumstance=row, end_date=date(2024, 6, 1))
    row.refresh_from_db()
    assert row.end_date == date(2024, 6, 1)
    assert AuditEvent.objects.filter(object_type="registry.specialcircumstance").count() == 2


def test_sensitive_circumstance_needs_the_sensitive_right(units, personas):
    child = ChildFactory()
    with pytest.raises(PermissionDenied):
        services.circumstance_add(
            actor=personas.collaborator_a, child=child, group="l", start_date=date(2024, 1, 1)
        )


def test_risk_flag_add_and_end(units, personas):
    child = ChildFactory()
    flag = services.risk_flag_add(
        actor=personas.officer_a, child=child, risk_type="neglect", start_date=date(2024, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.risk_flag_add(
            actor=personas.officer_a, child=child, risk_type="nope", start_date=date(2024, 1, 1)
        )
    services.risk_flag_end(actor=personas.officer_a, flag=flag, end_date=date(2024, 3, 1))
    flag.refresh_from_db()
    assert flag.end_date == date(2024, 3, 1)
    sensitive = services.risk_flag_add(
        actor=personas.officer_a, child=child, risk_type="abuse_risk", start_date=date(2024, 1, 1)
    )
    event = AuditEvent.objects.filter(object_type="registry.riskflag", object_id=str(sensitive.pk)).get()
    assert event.changes["risk_type"] == "***"


# --- move, merge, age-out --------------------------------------------------------------------------


def test_move_changes_scope(units, personas):
    child = ChildFactory()
    services.child_move(actor=personas.officer_a, child=child, to_unit=units.commune_b)
    assert get_child_for_user(personas.officer_b, child.pk).pk == child.pk
    with pytest.raises(Exception) as exc:
        get_child_for_user(personas.officer_a, child.pk)
    assert exc.typename == "Http404"
    child.person.refresh_from_db()
    assert child.person.admin_unit == units.commune_b
    event = AuditEvent.objects.filter(object_id=str(child.pk), action="update").get()
    assert event.changes["admin_unit"] == ["06688", "06862"]


def test_merge_moves_every_link_and_keeps_both_ids(units, personas):
    survivor = ChildFactory(person__full_name="Lê Văn Tám")
    other = ChildFactory(person__full_name="Le Van Tam", person__id_number="022216001234")
    household = HouseholdFactory()
    Child.objects.filter(pk=other.pk).update(household=household)
    HouseholdMember.objects.create(household=household, person=other.person)
    other.refresh_from_db()
    SpecialCircumstanceFactory(child=other, group="d")
    RiskFlagFactory(child=other)
    CaregiverFactory(child=other)
    Consent.objects.create(child=other, purpose="registration", given_on=date(2024, 1, 1))
    services.child_merge(actor=personas.officer_a, survivor=survivor, other=other)
    survivor.refresh_from_db()
    other.refresh_from_db()
    assert other.status == ChildStatus.MERGED and other.merged_into_id == survivor.pk
    assert survivor.circumstances.count() == 1 and survivor.risk_flags.count() == 1
    assert survivor.caregivers.count() == 1 and survivor.consents.count() == 1
    assert survivor.household == household
    assert HouseholdMember.objects.get(household=household).person_id == survivor.person_id
    assert Person.objects.get(pk=survivor.pk).id_number == "022216001234"
    assert get_child_for_user(personas.officer_a, other.pk).pk == survivor.pk
    assert (
        AuditEvent.objects.filter(object_id__in=[str(survivor.pk), str(other.pk)], action="update").count()
        == 2
    )
    with pytest.raises(ValidationError):
        services.child_merge(actor=personas.officer_a, survivor=survivor, other=other)


def test_merge_needs_the_right_on_both(units, personas):
    a, b = ChildFactory(), ChildFactory(admin_unit=units.commune_b)
    with pytest.raises(PermissionDenied):
        services.child_merge(actor=personas.officer_a, survivor=a, other=b)
    with pytest.raises(PermissionDenied):
        services.child_merge(actor=personas.case_manager, survivor=a, other=ChildFactory())


def test_age_out(units, personas):
    today = timezone.localdate()
    old = ChildFactory(person__date_of_birth=date(today.year - 17, 1, 1))
    young = ChildFactory(person__date_of_birth=date(today.year - 10, 1, 1))
    year_only = ChildFactory(person__date_of_birth=None, person__birth_year=today.year - 18)
    with pytest.raises(ValidationError):
        services.child_age_out(actor=personas.officer_a, child=young)
    assert services.children_age_out_due() == 2
    old.refresh_from_db()
    year_only.refresh_from_db()
    assert old.status == year_only.status == ChildStatus.AGED_OUT
    assert old.aged_out_on == date(today.year - 1, 1, 1)
    assert services.children_age_out_due() == 0


# --- consent ----------------------------------------------------------------------------------------


def test_consent_needs_the_child_from_age_seven(units, personas):
    child = ChildFactory(person__date_of_birth=date(2015, 1, 1))
    mother = PersonFactory(full_name="Trần Thị Mẹ", date_of_birth=date(1990, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=personas.officer_a,
            child=child,
            purpose="registration",
            given_on=date(2024, 1, 1),
            given_by=mother,
        )
    assert "given_by_child" in exc.value.message_dict
    consent = services.consent_record(
        actor=personas.officer_a, child=child, purpose="registration", given_on=date(2024, 1, 1),
        given_by=mother, given_by_child=True,
    )  # fmt: skip
    small = ChildFactory(person__date_of_birth=date(2020, 1, 1))
    services.consent_record(
        actor=personas.officer_a,
        child=small,
        purpose="registration",
        given_on=date(2024, 1, 1),
        given_by=mother,
    )
    services.consent_withdraw(actor=personas.officer_a, consent=consent, on=date(2024, 2, 1), reason="moved")
    consent.refresh_from_db()
    assert consent.withdrawn_on == date(2024, 2, 1)
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=personas.officer_a, consent=consent, on=date(2024, 3, 1))


# --- households and caregivers -------------------------------------------------------------------


def test_household_and_caregivers(units, personas):
    head = PersonFactory(full_name="Nguyễn Văn Chủ", date_of_birth=date(1980, 1, 1))
    household = services.household_create(
        actor=personas.officer_a, commune=units.commune_a, code="HK1", head=head
    )
    assert household.province == units.province and household.members.count() == 1
    child = ChildFactory()
    services.household_add_member(
        actor=personas.officer_a,
        household=household,
        person=child.person,
        relationship_to_head="other_relative",
    )
    child.refresh_from_db()
    assert child.household == household
    with pytest.raises(ValidationError):
        services.household_add_member(actor=personas.officer_a, household=household, person=child.person)
    services.household_set_status(actor=personas.officer_a, household=household, year=2024, status="poor")
    services.household_set_status(
        actor=personas.officer_a, household=household, year=2024, status="near_poor"
    )
    assert HouseholdStatus.objects.get(household=household, year=2024).status == "near_poor"
    carer = services.caregiver_add(
        actor=personas.officer_a,
        child=child,
        relationship="mother",
        full_name="Trần Thị Lan",
        is_primary=True,
    )
    assert carer.person.ten == "Lan" and carer.person.admin_unit == units.commune_a
    with pytest.raises(ValidationError):
        services.caregiver_add(
            actor=personas.officer_a, child=child, relationship="mother", person=carer.person
        )
    assert Caregiver.objects.filter(child=child).count() == 1
    with pytest.raises(PermissionDenied):
        services.household_create(actor=personas.officer_b, commune=units.commune_a)
