"""Support services: validation (whole positive đồng, dates, programme active, eligibility from the
registry), scope (commune B and roles that do not record support are refused), idempotency and audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.geo.models import AdminUnit
from mangnon.orgs.models import Organisation
from mangnon.registry.codes import SpecialGroup
from mangnon.registry.services import Conflict
from mangnon.registry.tests.factories import ChildFactory, SpecialCircumstanceFactory
from mangnon.support import services
from mangnon.support.codes import CareKind, GiftOccasion, ProgrammeKind
from mangnon.support.models import Disbursement, GiftRecipient, GiftTally, Programme
from mangnon.support.tests.factories import AlternativeCareFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

PAID = date(2026, 3, 2)


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


def _pay(actor, programme, child, **over):
    args = {"amount": 1_500_000, "paid_on": PAID, "approver": "QĐ 45/QĐ-UBND, Chủ tịch UBND xã", **over}
    return services.disbursement_record(actor=actor, programme=programme, child_id=child.pk, **args)


# --- programmes --------------------------------------------------------------------------------------


def test_province_officer_creates_a_programme_and_it_is_audited(personas, units):
    p = services.programme_create(
        actor=personas.province_officer,
        province=units.province,
        code="NQ222",
        name="Hỗ trợ trẻ em có hoàn cảnh đặc biệt",
        legal_basis="NQ 222/2015/NQ-HĐND",
        kind=ProgrammeKind.MONTHLY_ALLOWANCE,
        eligible_groups=["d", "a", "a"],
        active_from=date(2016, 1, 1),
    )
    assert p.eligible_groups == ["a", "d"]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="support.programme").count() == 1


def test_programme_rules(personas, units):
    with pytest.raises(ValidationError) as exc:
        services.programme_create(
            actor=personas.province_officer, province=units.province, code="", name=" ", kind="cash",
            eligible_groups=["z"], active_from=date(2020, 1, 1), active_to=date(2019, 1, 1),
        )  # fmt: skip
    assert _errors(exc) == {"code", "name", "kind", "eligible_groups", "active_to"}
    ProgrammeFactory(code="NQ91", province=units.province)
    with pytest.raises(ValidationError) as exc:
        services.programme_create(
            actor=personas.province_officer, province=units.province, code="NQ91", name="x",
            kind=ProgrammeKind.STUDY, active_from=date(2020, 1, 1),
        )  # fmt: skip
    assert _errors(exc) == {"code"}


@pytest.mark.parametrize("who", ["officer_a", "viewer", "collaborator_a", "province_manager"])
def test_only_the_province_officer_manages_programmes(personas, units, who):
    with pytest.raises(PermissionDenied):
        services.programme_create(
            actor=getattr(personas, who), province=units.province, code="X", name="x",
            kind=ProgrammeKind.STUDY, active_from=date(2020, 1, 1),
        )  # fmt: skip
    assert not Programme.objects.exists()


def test_programme_update_with_a_stale_version_is_a_conflict(personas, units):
    p = ProgrammeFactory(province=units.province)
    p = services.programme_update(actor=personas.province_officer, programme=p, version=1, name="Mới")
    assert (p.name, p.version) == ("Mới", 2)
    with pytest.raises(Conflict):
        services.programme_update(actor=personas.province_officer, programme=p, version=1, name="Cũ")
    p.refresh_from_db()
    assert p.name == "Mới"


# --- disbursements -----------------------------------------------------------------------------------


def test_commune_officer_records_a_disbursement_audited(personas, units):
    child = ChildFactory(admin_unit=units.commune_a)
    recorded = _pay(personas.officer_a, ProgrammeFactory(), child)
    d = recorded.disbursement
    assert recorded.created and d.amount == 1_500_000 and d.admin_unit == units.commune_a
    assert d.province == units.province
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="support.disbursement")
    assert event.changes["amount"] == 1_500_000 and event.changes["child"] == child.pk


@pytest.mark.parametrize("amount", [0, -5, 1.5, "1000", True, 10**13])
def test_amount_must_be_a_whole_positive_number_of_dong(personas, amount):
    with pytest.raises(ValidationError) as exc:
        _pay(personas.officer_a, ProgrammeFactory(), ChildFactory(), amount=amount)
    assert _errors(exc) == {"amount"}
    assert not Disbursement.objects.exists()


def test_date_approver_and_programme_dates_are_checked(personas):
    child = ChildFactory()
    with pytest.raises(ValidationError) as exc:
        _pay(personas.officer_a, ProgrammeFactory(), child, paid_on=timezone.localdate() + timedelta(days=1))
    assert _errors(exc) == {"paid_on"}
    with pytest.raises(ValidationError) as exc:
        _pay(personas.officer_a, ProgrammeFactory(), child, approver="  ")
    assert _errors(exc) == {"approver"}
    ended = ProgrammeFactory(active_from=date(2016, 1, 1), active_to=date(2020, 12, 31))
    with pytest.raises(ValidationError) as exc:
        _pay(personas.officer_a, ended, child)
    assert _errors(exc) == {"programme"}


def test_eligibility_follows_the_registry_on_the_day_paid(personas):
    programme = ProgrammeFactory(eligible_groups=[SpecialGroup.A, SpecialGroup.D])
    child = ChildFactory()
    with pytest.raises(ValidationError) as exc:
        _pay(personas.officer_a, programme, child)
    assert _errors(exc) == {"child"}
    SpecialCircumstanceFactory(child=child, group=SpecialGroup.H, start_date=date(2020, 1, 1))
    SpecialCircumstanceFactory(
        child=child, group=SpecialGroup.D, start_date=date(2020, 1, 1), end_date=date(2025, 12, 31)
    )
    with pytest.raises(ValidationError):
        _pay(personas.officer_a, programme, child)  # disabled only until 2025
    assert _pay(personas.officer_a, programme, child, paid_on=date(2025, 6, 1)).created


def test_programme_of_another_province_is_refused(personas):
    other = AdminUnit.objects.create(
        code="99", name="Tỉnh Thử Nghiệm", short_name="Thử Nghiệm", name_key="thu nghiem",
        level="province", unit_type="tinh", path="",
    )  # fmt: skip
    AdminUnit.objects.filter(pk=other.pk).update(path=f"/{other.pk}/")
    with pytest.raises(ValidationError) as exc:
        _pay(personas.officer_a, ProgrammeFactory(province=other), ChildFactory())
    assert _errors(exc) == {"programme"}


def test_child_outside_scope_reads_as_unknown_and_wrong_roles_are_refused(personas, units):
    child_b = ChildFactory(admin_unit=units.commune_b)
    with pytest.raises(ValidationError) as exc:
        _pay(personas.officer_a, ProgrammeFactory(), child_b)
    assert _errors(exc) == {"child"}
    child_a = ChildFactory(admin_unit=units.commune_a)
    for who in ("collaborator_a", "case_manager", "hotline"):
        with pytest.raises(PermissionDenied):
            _pay(getattr(personas, who), ProgrammeFactory(), child_a)
    assert not Disbursement.objects.exists()


def test_idempotency_key_returns_the_first_disbursement(personas):
    child, programme = ChildFactory(), ProgrammeFactory()
    first = _pay(personas.officer_a, programme, child, idempotency_key="k1", request_hash="h")
    again = _pay(personas.officer_a, programme, child, idempotency_key="k1", request_hash="h")
    assert first.created and not again.created
    assert again.disbursement.pk == first.disbursement.pk
    assert Disbursement.objects.count() == 1


def test_a_pre_reform_unit_valid_on_the_day_paid(personas, units):
    child = ChildFactory(admin_unit=units.commune_a)
    d = _pay(
        personas.officer_a, ProgrammeFactory(), child, paid_on=date(2020, 5, 4), admin_unit=units.legacy_a
    )
    assert d.disbursement.admin_unit == units.legacy_a
    with pytest.raises(ValidationError) as exc:
        _pay(personas.officer_a, ProgrammeFactory(), child, admin_unit=units.legacy_a)  # gone by 2026
    assert _errors(exc) == {"admin_unit"}


# --- gifts -------------------------------------------------------------------------------------------


def test_gift_campaign_tally_and_recipient(personas, units):
    campaign = services.gift_campaign_create(
        actor=personas.province_officer, province=units.province, name="Trung thu 2026",
        occasion=GiftOccasion.TRUNG_THU, year=2026, held_on=date(2026, 9, 25),
    )  # fmt: skip
    tally = services.gift_tally_record(
        actor=personas.officer_a, campaign=campaign, admin_unit=units.commune_a, children_reached=300,
        children_visited_given_gifts=40, total_value=12_000_000,
    )  # fmt: skip
    assert tally.province == units.province
    with pytest.raises(ValidationError) as exc:
        services.gift_tally_record(
            actor=personas.officer_a, campaign=campaign, admin_unit=units.commune_a, children_reached=3,
            children_visited_given_gifts=4, total_value=-1,
        )  # fmt: skip
    assert _errors(exc) == {"admin_unit", "children_visited_given_gifts", "total_value"}
    with pytest.raises(PermissionDenied):
        services.gift_tally_record(
            actor=personas.officer_a, campaign=campaign, admin_unit=units.commune_b, children_reached=1,
            children_visited_given_gifts=0, total_value=0,
        )  # fmt: skip
    child = ChildFactory(admin_unit=units.commune_a)
    services.gift_recipient_add(actor=personas.officer_a, campaign=campaign, child_id=child.pk, value=150_000)
    with pytest.raises(ValidationError):
        services.gift_recipient_add(actor=personas.officer_a, campaign=campaign, child_id=child.pk, value=1)
    assert GiftTally.objects.count() == 1 and GiftRecipient.objects.count() == 1
    assert AuditEvent.objects.filter(object_type__startswith="support.gift").count() == 3


def test_gift_campaign_date_in_its_year(personas, units):
    with pytest.raises(ValidationError) as exc:
        services.gift_campaign_create(
            actor=personas.province_officer, province=units.province, name="Tết", occasion="tet",
            year=2026, held_on=date(2025, 1, 29),
        )  # fmt: skip
    assert _errors(exc) == {"occasion", "held_on"}


# --- alternative care --------------------------------------------------------------------------------


def test_alternative_care_start_review_end(personas, units):
    child = ChildFactory(admin_unit=units.commune_a)
    facility = Organisation.objects.create(
        name="Trung tâm Công tác xã hội",
        kind="social_work_centre",
        admin_unit=units.province,
        province=units.province,
    )
    with pytest.raises(ValidationError) as exc:
        services.alternative_care_start(
            actor=personas.officer_a, child_id=child.pk, kind=CareKind.KINSHIP, start=date(2026, 2, 1),
            facility=facility, end=date(2026, 1, 1),
        )  # fmt: skip
    assert _errors(exc) == {"facility", "end"}
    placement = services.alternative_care_start(
        actor=personas.officer_a, child_id=child.pk, kind=CareKind.FACILITY, start=date(2026, 2, 1),
        facility=facility,
    )  # fmt: skip
    services.care_review_add(
        actor=personas.officer_a, placement=placement, reviewed_on=date(2026, 5, 1), note="ổn"
    )
    with pytest.raises(ValidationError):
        services.care_review_add(actor=personas.officer_a, placement=placement, reviewed_on=date(2026, 1, 1))
    placement = services.alternative_care_end(
        actor=personas.officer_a, placement=placement, version=1, end=date(2026, 6, 30)
    )
    assert placement.end == date(2026, 6, 30) and placement.reviews.count() == 1
    with pytest.raises(Conflict):
        services.alternative_care_end(
            actor=personas.officer_a, placement=placement, version=1, end=date(2026, 7, 1)
        )
    with pytest.raises(PermissionDenied):
        services.care_review_add(actor=personas.officer_b, placement=placement, reviewed_on=date(2026, 5, 2))
    review_event = AuditEvent.objects.get(object_type="support.carereview")
    assert "note" not in review_event.changes


def test_alternative_care_outside_scope(personas, units):
    placement = AlternativeCareFactory(admin_unit=units.commune_b, child__admin_unit=units.commune_b)
    with pytest.raises(ValidationError):
        services.alternative_care_start(
            actor=personas.officer_a,
            child_id=placement.child_id,
            kind=CareKind.KINSHIP,
            start=date(2026, 2, 1),
        )
