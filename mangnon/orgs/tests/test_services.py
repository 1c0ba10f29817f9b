"""Directory services: ORG_MANAGE at the organisation's unit, checked input, versions, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mangnon.core.models import AuditAction, AuditEvent, IdempotencyKey
from mangnon.orgs import services
from mangnon.orgs.codes import Boarding, OrgKind, SchoolLevel, ServiceType
from mangnon.orgs.models import Organisation
from mangnon.orgs.services import OrganisationData
from mangnon.orgs.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def data(unit, **over) -> OrganisationData:
    values = {
        "name": "  Trường  THCS Hồng Hải ",
        "kind": OrgKind.SCHOOL,
        "admin_unit": unit,
        "short_name": "THCS Hồng Hải",
        "services": [ServiceType.EDUCATION, ServiceType.PSYCHOLOGICAL, ServiceType.EDUCATION],
        "school_level": SchoolLevel.LOWER_SECONDARY,
    }
    return OrganisationData(**{**values, **over})


def update(actor, org, version, **changes):
    return services.organisation_update(actor=actor, organisation=org, version=version, changes=changes)


def test_commune_officer_adds_a_school_of_their_commune_audited(personas, units):
    result = services.organisation_create(actor=personas.officer_a, data=data(units.commune_a))
    org = result.organisation
    assert result.created
    assert org.name == "Trường THCS Hồng Hải" and org.province == units.province
    assert org.search_key == "truong thcs hong hai thcs hong hai"
    assert org.services == ["psychological", "education"]  # deduplicated, in the codes' order
    assert org.created_by == personas.officer_a and org.version == 1
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="orgs.organisation")
    assert event.object_id == str(org.pk) and event.actor_id == personas.officer_a.pk
    assert event.unit_id == units.commune_a.pk and event.changes["name"] == "Trường THCS Hồng Hải"


def test_province_officer_adds_a_provincial_body(personas, units):
    body = data(units.province, name="Trung tâm Công tác xã hội tỉnh", kind=OrgKind.SOCIAL_WORK_CENTRE,
                short_name="", school_level="")  # fmt: skip
    org = services.organisation_create(actor=personas.province_officer, data=body).organisation
    assert org.admin_unit == units.province and org.province == units.province


@pytest.mark.parametrize("who", ["officer_b", "hotline", "viewer", "chair_a", "collaborator_a"])
def test_others_may_not_add_to_commune_a(personas, units, who):
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=getattr(personas, who), data=data(units.commune_a))
    assert not Organisation.objects.exists() and not AuditEvent.objects.exists()


def test_commune_officer_may_not_add_a_provincial_body(personas, units):
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=personas.officer_a, data=data(units.province, school_level=""))


def test_bad_input_names_every_problem_and_writes_nothing(personas, units):
    OrganisationFactory(kind=OrgKind.HOSPITAL, code="BV-01")
    bad = data(
        units.district_a, name=" ", kind=OrgKind.HOSPITAL, code="BV-01", phone="gọi tôi", email="a@",
        services=["medical", "magic"], school_level=SchoolLevel.PRIMARY, boarding=Boarding.BOARDING,
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(actor=personas.province_officer, data=bad)
    errors = caught.value.message_dict
    for name in ("name", "admin_unit", "code", "phone", "email", "services", "school_level"):
        assert name in errors, name
    assert Organisation.objects.count() == 1 and not AuditEvent.objects.exists()


def test_a_pre_reform_commune_is_no_place_for_a_new_entry(personas, units):
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(actor=personas.province_officer, data=data(units.legacy_a))
    assert "admin_unit" in caught.value.message_dict


def test_the_same_key_makes_one_organisation(personas, units):
    for expected in (True, False):
        result = services.organisation_create(
            actor=personas.officer_a, data=data(units.commune_a), idempotency_key="k1", request_hash="h"
        )
        assert result.created is expected
    assert Organisation.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1


def test_update_with_the_current_version_records_the_diff(personas, units):
    org = OrganisationFactory(name="Trường THCS Cũ")
    services.organisation_update(
        actor=personas.officer_a, organisation=org, version=1,
        changes={"name": "Trường THCS Mới", "phone": "0203 3 825 111"},
    )  # fmt: skip
    org.refresh_from_db()
    assert org.name == "Trường THCS Mới" and org.version == 2 and org.search_key.startswith("truong thcs moi")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes == {"name": ["Trường THCS Cũ", "Trường THCS Mới"], "phone": ["", "0203 3 825 111"]}


def test_stale_version_is_a_conflict_and_writes_nothing(personas, units):
    org = OrganisationFactory(name="Trường THCS Cũ", version=3)
    with pytest.raises(services.Conflict) as caught:
        update(personas.officer_a, org, 2, name="X")
    assert caught.value.current_version == 3
    assert Organisation.objects.get().name == "Trường THCS Cũ" and not AuditEvent.objects.exists()


def test_update_refuses_other_communes_and_moves_outside_the_scope(personas, units):
    org = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        update(personas.officer_b, org, 1, notes="x")
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=personas.officer_a, organisation=org, version=1, changes={"admin_unit": units.commune_b}
        )
    services.organisation_update(
        actor=personas.province_officer, organisation=org, version=1, changes={"admin_unit": units.commune_b}
    )
    assert Organisation.objects.get().admin_unit == units.commune_b


def test_update_refuses_unknown_fields(personas, units):
    org = OrganisationFactory()
    with pytest.raises(ValidationError) as caught:
        services.organisation_update(actor=personas.officer_a, organisation=org, version=1, changes={"pk": 9})
    assert "pk" in caught.value.message_dict


def test_school_fields_are_refused_for_other_kinds(personas, units):
    org = OrganisationFactory(kind=OrgKind.SCHOOL, boarding=Boarding.SEMI_BOARDING)
    with pytest.raises(ValidationError) as caught:
        services.organisation_update(
            actor=personas.officer_a, organisation=org, version=1, changes={"kind": OrgKind.POLICE}
        )
    assert "school_level" in caught.value.message_dict
    update(personas.officer_a, org, 1, kind=OrgKind.POLICE, boarding="")
    assert Organisation.objects.get().kind == OrgKind.POLICE


def test_deactivate_then_make_active_again(personas, units):
    org = OrganisationFactory()
    services.organisation_deactivate(actor=personas.officer_a, organisation=org, version=1)
    assert not org.active and org.version == 2
    with pytest.raises(ValidationError):
        services.organisation_deactivate(actor=personas.officer_a, organisation=org, version=2)
    update(personas.officer_a, org, 2, active=True)
    assert org.active
    changes = list(AuditEvent.objects.filter(action=AuditAction.UPDATE).values_list("changes", flat=True))
    assert changes == [{"active": [True, False]}, {"active": [False, True]}]


def test_deactivate_is_refused_to_others(personas, units):
    org = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        services.organisation_deactivate(actor=personas.officer_b, organisation=org, version=1)
    assert Organisation.objects.get().active
