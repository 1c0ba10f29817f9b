"""Referral services: sending from a case (the child's recorded consent, or an emergency override with
its reason) and from a hotline contact to a commune (the caller's agreement); who may send and answer;
the receivers allowed; accept and reject with their version and audit; an accepted contact lets the
commune open a case; and who sees a referral (commune B sees nothing between A and the province)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from mangnon.cases import referral_services as referrals
from mangnon.cases import services
from mangnon.cases.codes import ReferralStatus
from mangnon.cases.models import Case, Referral
from mangnon.cases.referral_access import get_referral_for_user, may_answer
from mangnon.cases.referral_selectors import referrals_for
from mangnon.cases.tests.factories import ContactChildFactory, ContactFactory
from mangnon.cases.workflow import Status
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.intake.codes import CallerRelationship, ContactKind, NonDataType, Outcome
from mangnon.intake.models import Contact, ContactChild
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.models import Organisation
from mangnon.orgs.tests.factories import OrganisationFactory, other_province_commune
from mangnon.registry.codes import ConsentPurpose
from mangnon.registry.models import Child, Consent
from mangnon.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

REASON = "Trẻ cần được tư vấn tâm lý chuyên sâu tại Trung tâm Công tác xã hội."


# --- helpers shared by the referral tests (imported by test_referral_views and test_referral_api) -----


def consent_for(child: Child, *, purpose: str = ConsentPurpose.SHARING, withdrawn: bool = False) -> Consent:
    """A consent recorded in the registry: the mother's, with the child's own agreement."""
    return Consent.objects.create(
        child=child,
        purpose=purpose,
        given_by=PersonFactory(full_name="Nguyễn Thị Hoa", date_of_birth=date(1988, 2, 1)),
        given_by_child=True,
        given_on=timezone.localdate() - timedelta(days=10),
        withdrawn_on=timezone.localdate() - timedelta(days=2) if withdrawn else None,
    )


def open_case(personas: Any, name: str = "Đặng Minh Khôi") -> Case:
    row = ContactChildFactory(contact__counsellor=personas.hotline, child__person__full_name=name)
    return services.case_open(actor=personas.officer_a, contact=row.contact).case


def social_work_centre(units: Any) -> Organisation:
    return OrganisationFactory(
        name="Trung tâm Công tác xã hội tỉnh Quảng Ninh",
        kind=OrgKind.SOCIAL_WORK_CENTRE,
        admin_unit=units.province,
        services=["psychological", "safe_shelter"],
    )


def hotline_contact(
    personas: Any, units: Any, *, relationship: str = CallerRelationship.PARENT, **kwargs: Any
) -> Contact:
    """A 111 call about a child named only by the caller; where it happened is not recorded as a commune
    (so commune A's officers do not read it until they accept it)."""
    fields = {
        "counsellor": personas.hotline,
        "admin_unit": None,
        "province": units.province,
        "caller_relationship": relationship,
        "caller_name": "Trần Văn Bình",
        "caller_phone": "0912345678",
        **kwargs,
    }
    contact = ContactFactory(**fields)
    ContactChild.objects.create(contact=contact, name="Bé Na", sex="F", age=9)
    return contact


def send_case(personas: Any, case: Case, to_unit: Any, **kwargs: Any) -> Referral:
    fields = {"reason": REASON, **kwargs}
    return referrals.referral_send(actor=personas.officer_a, case=case, to_unit=to_unit, **fields).referral


@pytest.fixture
def case(personas):
    return open_case(personas)


# --- sending from a case -----------------------------------------------------------------------------


def test_a_case_is_referred_on_the_childs_recorded_consent(personas, units, case):
    consent = consent_for(case.child)
    referral = send_case(personas, case, units.province)
    assert referral.status == ReferralStatus.SENT and referral.version == 1
    assert referral.from_unit == units.commune_a and referral.to_unit == units.province
    assert referral.consent == consent and not referral.caller_consent and not referral.emergency_override
    assert referrals.consent_basis(referral) == "consent"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="cases.referral")
    assert event.object_id == str(referral.pk) and event.unit_code == units.commune_a.code
    assert event.changes["basis"] == "consent" and event.changes["to_unit"] == units.province.code
    assert REASON not in str(event.changes)  # the narrative stays on the referral


def test_without_consent_only_an_emergency_override_with_its_reason(personas, units, case):
    with pytest.raises(ValidationError) as err:
        send_case(personas, case, units.province)
    assert "consent" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        send_case(personas, case, units.province, emergency_override=True, override_reason="  ")
    assert "override_reason" in err.value.message_dict
    assert Referral.objects.count() == 0
    referral = send_case(
        personas, case, units.province, emergency_override=True, override_reason="Mẹ không liên lạc được"
    )
    assert referral.consent is None and referral.emergency_override
    assert referrals.consent_basis(referral) == "emergency_override"


def test_a_withdrawn_consent_or_one_for_another_purpose_does_not_count(personas, units, case):
    consent_for(case.child, withdrawn=True)
    consent_for(case.child, purpose=ConsentPurpose.MEDIA)
    with pytest.raises(ValidationError) as err:
        send_case(personas, case, units.province)
    assert "consent" in err.value.message_dict


def test_the_callers_agreement_is_for_contacts_only(personas, units, case):
    consent_for(case.child)
    with pytest.raises(ValidationError) as err:
        send_case(personas, case, units.province, caller_consent=True)
    assert "caller_consent" in err.value.message_dict


def test_receivers_of_a_case(personas, units, case):
    consent_for(case.child)
    centre = social_work_centre(units)
    far = other_province_commune()
    cases = [
        ({"to_unit": units.commune_a}, "to_unit"),  # its own commune
        ({"to_unit": units.legacy_b}, "to_unit"),  # a pre-reform commune
        ({"to_unit": far}, "to_unit"),
        ({"to_unit": None}, "to_unit"),  # nowhere
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as err:
            referrals.referral_send(actor=personas.officer_a, case=case, reason=REASON, **kwargs)
        assert field in err.value.message_dict, kwargs
    with pytest.raises(ValidationError) as err:
        referrals.referral_send(
            actor=personas.officer_a, case=case, reason=REASON, to_unit=units.province, to_org=centre
        )
    assert "to_unit" in err.value.message_dict
    closed = OrganisationFactory(kind=OrgKind.HOSPITAL, admin_unit=units.province, active=False)
    elsewhere = OrganisationFactory(kind=OrgKind.HOSPITAL, admin_unit=far)
    for org in (closed, elsewhere):
        with pytest.raises(ValidationError) as err:
            referrals.referral_send(actor=personas.officer_a, case=case, reason=REASON, to_org=org)
        assert "to_org" in err.value.message_dict
    assert Referral.objects.count() == 0
    to_b = send_case(personas, case, units.commune_b)
    to_centre = referrals.referral_send(actor=personas.officer_a, case=case, reason=REASON, to_org=centre)
    assert to_b.to_unit == units.commune_b and to_centre.referral.to_org == centre


def test_a_reason_is_needed_and_no_second_referral_while_one_is_awaited(personas, units, case):
    consent_for(case.child)
    with pytest.raises(ValidationError) as err:
        send_case(personas, case, units.province, reason="   ")
    assert "reason" in err.value.message_dict
    send_case(personas, case, units.province)
    with pytest.raises(ValidationError) as err:
        send_case(personas, case, units.province)
    assert "__all__" in err.value.message_dict
    assert send_case(personas, case, units.commune_b).to_unit == units.commune_b


def test_who_refers_a_case(personas, units, case):
    consent_for(case.child)
    for user in (personas.chair_a, personas.officer_b, personas.hotline, personas.viewer):
        with pytest.raises(PermissionDenied):
            referrals.referral_send(actor=user, case=case, to_unit=units.province, reason=REASON)
    # Those who work cases in the province refer too; the referral is still the case commune's.
    referral = referrals.referral_send(
        actor=personas.case_manager, case=case, to_unit=units.province, reason=REASON
    ).referral
    assert referral.from_unit == units.commune_a


def test_a_closed_case_is_not_referred(personas, units, case):
    consent_for(case.child)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    case.refresh_from_db()
    with pytest.raises(ValidationError):
        send_case(personas, case, units.province)


def test_a_retried_send_with_the_same_key_makes_one_referral(personas, units, case):
    consent_for(case.child)
    first = referrals.referral_send(
        actor=personas.officer_a, case=case, to_unit=units.province, reason=REASON,
        idempotency_key="r-1", request_hash="h",
    )  # fmt: skip
    again = referrals.referral_send(
        actor=personas.officer_a, case=case, to_unit=units.province, reason=REASON,
        idempotency_key="r-1", request_hash="h",
    )  # fmt: skip
    assert first.created and not again.created and first.referral.pk == again.referral.pk
    assert Referral.objects.count() == 1


# --- sending from a contact --------------------------------------------------------------------------


def test_the_hotline_passes_a_contact_to_the_commune_on_the_parents_agreement(personas, units):
    contact = hotline_contact(personas, units)
    referral = referrals.referral_send(
        actor=personas.hotline, contact=contact, to_unit=units.commune_a, reason=REASON, caller_consent=True
    ).referral
    assert referral.contact == contact and referral.case is None and referral.caller_consent
    assert referral.from_unit == units.province  # the counsellor acts for the province's line
    assert referrals.consent_basis(referral) == "caller"
    contact.refresh_from_db()
    assert contact.outcome == "" and contact.referred_to is None  # passed on, not yet taken


def test_a_neighbour_cannot_agree_for_the_child(personas, units):
    contact = hotline_contact(personas, units, relationship=CallerRelationship.NEIGHBOUR)
    with pytest.raises(ValidationError) as err:
        referrals.referral_send(
            actor=personas.hotline,
            contact=contact,
            to_unit=units.commune_a,
            reason=REASON,
            caller_consent=True,
        )
    assert "caller_consent" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        referrals.referral_send(
            actor=personas.hotline, contact=contact, to_unit=units.commune_a, reason=REASON
        )
    assert "consent" in err.value.message_dict
    referral = referrals.referral_send(
        actor=personas.hotline,
        contact=contact,
        to_unit=units.commune_a,
        reason=REASON,
        emergency_override=True,
        override_reason="Hàng xóm báo trẻ bị đánh; Nghị định 56 điều 26: chuyển ngay cho xã",
    ).referral
    assert referrals.consent_basis(referral) == "emergency_override"


def test_a_contacts_registered_child_brings_its_consent(personas, units):
    row = ContactChildFactory(contact__counsellor=personas.hotline)
    consent = consent_for(row.child)
    referral = referrals.referral_send(
        actor=personas.hotline, contact=row.contact, to_unit=units.commune_a, reason=REASON
    ).referral
    assert referral.consent == consent and referrals.consent_basis(referral) == "consent"


def test_a_contact_goes_to_a_commune_of_its_province_only(personas, units):
    contact = hotline_contact(personas, units)
    centre = social_work_centre(units)
    for kwargs, field in (
        ({"to_unit": units.province}, "to_unit"),
        ({"to_unit": other_province_commune()}, "to_unit"),
        ({"to_org": centre}, "to_org"),
    ):
        with pytest.raises(ValidationError) as err:
            referrals.referral_send(
                actor=personas.hotline, contact=contact, reason=REASON, caller_consent=True, **kwargs
            )
        assert field in err.value.message_dict, kwargs


def test_a_contact_about_a_known_commune_goes_to_that_commune(personas, units):
    contact = hotline_contact(personas, units, admin_unit=units.commune_a)
    with pytest.raises(ValidationError) as err:
        referrals.referral_send(
            actor=personas.hotline,
            contact=contact,
            to_unit=units.commune_b,
            reason=REASON,
            caller_consent=True,
        )
    assert "to_unit" in err.value.message_dict
    sent = referrals.referral_send(
        actor=personas.hotline, contact=contact, to_unit=units.commune_a, reason=REASON, caller_consent=True
    )
    assert sent.referral.to_unit == units.commune_a


def test_contacts_that_are_not_passed_on(personas, units):
    silent = ContactFactory(
        counsellor=personas.hotline, kind=ContactKind.NON_DATA, non_data_type=NonDataType.SILENT, narrative=""
    )
    opened = hotline_contact(personas, units, admin_unit=units.commune_a, outcome=Outcome.CASE_OPENED)
    for contact in (silent, opened):
        with pytest.raises(ValidationError) as err:
            referrals.referral_send(
                actor=personas.hotline, contact=contact, to_unit=units.commune_a, reason=REASON,
                emergency_override=True, override_reason="Khẩn cấp",
            )  # fmt: skip
        assert "__all__" in err.value.message_dict
    # Only one who may change the contact passes it on (another counsellor does not even see it).
    other = hotline_contact(personas, units)
    with pytest.raises(PermissionDenied):
        referrals.referral_send(
            actor=personas.officer_b,
            contact=other,
            to_unit=units.commune_a,
            reason=REASON,
            caller_consent=True,
        )


# --- answering ---------------------------------------------------------------------------------------


def test_the_commune_accepts_a_contact_and_may_then_open_a_case_from_it(personas, units):
    contact = hotline_contact(personas, units)
    referral = referrals.referral_send(
        actor=personas.hotline, contact=contact, to_unit=units.commune_a, reason=REASON, caller_consent=True
    ).referral
    with pytest.raises(PermissionDenied):  # the commune does not read the contact before accepting it
        services.case_open(actor=personas.officer_a, contact=contact, commune=units.commune_a)
    accepted = referrals.referral_accept(
        actor=personas.officer_a, referral=referral, version=1, note="Đã nhận"
    )
    assert accepted.status == ReferralStatus.ACCEPTED and accepted.version == 2
    assert accepted.responded_by == personas.officer_a and accepted.response_note == "Đã nhận"
    contact.refresh_from_db()
    assert contact.outcome == Outcome.REFERRED and contact.referred_to == units.commune_a
    assert contact.admin_unit == units.commune_a  # the commune that takes it is where it happened
    assert contact.version == 2
    events = AuditEvent.objects.filter(action=AuditAction.UPDATE)
    assert events.filter(object_type="cases.referral", changes__step="accept").count() == 1
    assert events.filter(object_type="intake.contact", object_id=str(contact.pk)).count() == 1
    case = services.case_open(
        actor=personas.officer_a, contact=contact, commune=units.commune_a, register_new=True
    )
    assert case.case.admin_unit == units.commune_a and case.case.contact == contact


def test_reject_needs_a_reason_and_answers_are_final(personas, units, case):
    consent_for(case.child)
    referral = send_case(personas, case, units.commune_b)
    with pytest.raises(ValidationError) as err:
        referrals.referral_reject(actor=personas.officer_b, referral=referral, version=1, reason=" ")
    assert "reason" in err.value.message_dict
    rejected = referrals.referral_reject(
        actor=personas.officer_b, referral=referral, version=1, reason="Trẻ không cư trú tại xã"
    )
    assert rejected.status == ReferralStatus.REJECTED and rejected.response_note == "Trẻ không cư trú tại xã"
    with pytest.raises(services.Conflict) as stale:
        referrals.referral_accept(actor=personas.officer_b, referral=rejected, version=1)
    assert stale.value.current_version == 2
    with pytest.raises(ValidationError):
        referrals.referral_accept(actor=personas.officer_b, referral=rejected, version=2)
    rejected.refresh_from_db()
    assert rejected.status == ReferralStatus.REJECTED


def test_only_the_receiving_units_case_workers_answer(personas, units, case):
    consent_for(case.child)
    referral = send_case(personas, case, units.commune_b)
    for user in (personas.officer_a, personas.chair_a, personas.hotline, personas.viewer):
        with pytest.raises(PermissionDenied):
            referrals.referral_accept(actor=user, referral=referral, version=1)
    assert may_answer(personas.officer_b, referral) and may_answer(personas.province_officer, referral)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT


def test_the_sender_records_an_organisations_answer(personas, units, case):
    consent_for(case.child)
    centre = social_work_centre(units)
    referral = referrals.referral_send(
        actor=personas.officer_a, case=case, to_org=centre, reason=REASON
    ).referral
    assert may_answer(personas.officer_a, referral) and not may_answer(personas.officer_b, referral)
    assert not may_answer(personas.chair_a, referral)
    accepted = referrals.referral_accept(actor=personas.officer_a, referral=referral, version=1)
    assert accepted.status == ReferralStatus.ACCEPTED and accepted.responded_by == personas.officer_a


def test_a_consent_withdrawn_since_stops_the_acceptance(personas, units, case):
    consent = consent_for(case.child)
    referral = send_case(personas, case, units.province)
    Consent.objects.filter(pk=consent.pk).update(withdrawn_on=timezone.localdate())
    with pytest.raises(ValidationError) as err:
        referrals.referral_accept(actor=personas.province_officer, referral=referral, version=1)
    assert "__all__" in err.value.message_dict
    rejected = referrals.referral_reject(
        actor=personas.province_officer, referral=referral, version=1, reason="Gia đình rút lại sự đồng ý"
    )
    assert rejected.status == ReferralStatus.REJECTED


# --- who sees a referral -----------------------------------------------------------------------------


def _sees(user: Any, referral: Referral) -> bool:
    try:
        get_referral_for_user(user, referral.pk)
    except Http404:
        return False
    return True


def test_commune_b_sees_nothing_between_a_and_the_province(personas, units, case):
    consent_for(case.child)
    referral = send_case(personas, case, units.province)
    for user in (personas.officer_a, personas.chair_a, personas.province_officer, personas.province_manager,
                 personas.case_manager):  # fmt: skip
        assert _sees(user, referral), user
    for user in (personas.officer_b, personas.hotline, personas.collaborator_a, personas.viewer,
                 personas.system_admin):  # fmt: skip
        assert not _sees(user, referral), user
    assert list(referrals_for(personas.officer_b)) == []


def test_the_receiving_commune_sees_the_referral_but_not_the_case(personas, units, case):
    consent_for(case.child)
    referral = send_case(personas, case, units.commune_b)
    assert _sees(personas.officer_b, referral)
    with pytest.raises(Http404):
        from mangnon.cases.access import get_case_for_user

        get_case_for_user(personas.officer_b, case.pk)
    assert [r.pk for r in referrals_for(personas.officer_b, direction="received")] == [referral.pk]
    assert list(referrals_for(personas.officer_b, direction="sent")) == []
    assert [r.pk for r in referrals_for(personas.officer_a, direction="sent")] == [referral.pk]
    assert list(referrals_for(personas.officer_a, direction="received")) == []


def test_a_contact_referral_is_seen_by_the_hotline_and_the_receiving_commune(personas, units):
    contact = hotline_contact(personas, units)
    referral = referrals.referral_send(
        actor=personas.hotline, contact=contact, to_unit=units.commune_a, reason=REASON, caller_consent=True
    ).referral
    assert _sees(personas.hotline, referral) and _sees(personas.officer_a, referral)
    assert _sees(personas.province_officer, referral)
    assert not _sees(personas.officer_b, referral)
    assert [r.pk for r in referrals_for(personas.hotline, direction="sent")] == [referral.pk]
    assert list(referrals_for(personas.hotline, direction="received")) == []


def test_lists_put_the_unanswered_first_and_filter_by_status(personas, units, case):
    consent_for(case.child)
    answered = send_case(personas, case, units.commune_b)
    referrals.referral_accept(actor=personas.officer_b, referral=answered, version=1)
    waiting = send_case(personas, case, units.province)
    other = open_case(personas, name="Lê Thu Hà")
    consent_for(other.child)
    later = send_case(personas, other, units.commune_b)
    assert [r.pk for r in referrals_for(personas.officer_a)] == [later.pk, waiting.pk, answered.pk]
    assert [r.pk for r in referrals_for(personas.officer_a, status="accepted")] == [answered.pk]
