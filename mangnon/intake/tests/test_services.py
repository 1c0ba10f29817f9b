"""Intake services: data and non-data contacts, anonymous callers, children, the retried key, updates with
a version, children linked after the fact, lines; every write audited with the caller's identity masked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mangnon.core import idempotency
from mangnon.core.models import AuditAction, AuditEvent, IdempotencyKey
from mangnon.intake import services
from mangnon.intake.codes import CallerRelationship, Channel, ContactKind, NonDataType, Outcome, Urgency
from mangnon.intake.models import Contact, ContactChild, ContactReason, Line
from mangnon.intake.services import ChildEntry, ContactData
from mangnon.intake.tests.factories import ContactChildFactory, ContactFactory
from mangnon.registry.models import Child
from mangnon.registry.services import ChildData, Conflict, PossibleDuplicate
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def data_contact(**over):
    values = {
        "channel": Channel.PHONE,
        "kind": ContactKind.DATA,
        "reasons": ["violence.physical"],
        "caller_name": "Trần Văn Khải",
        "caller_phone": "0912 345 678",
        "narrative": "Hàng xóm nghe tiếng trẻ khóc nhiều đêm.",
    }
    return ContactData(**{**values, **over})


def non_data(kind: str = NonDataType.SILENT, **over):
    return ContactData(channel=Channel.PHONE, kind=ContactKind.NON_DATA, non_data_type=kind, **over)


def test_data_contact_is_stored_with_its_reasons_and_audited_with_the_caller_masked(personas, units):
    line = Line.objects.get(number="111")
    recorded = services.contact_create(
        actor=personas.hotline, data=data_contact(line=line, commune=units.commune_a)
    )
    contact = recorded.contact
    assert recorded.created
    assert contact.counsellor == personas.hotline and contact.line == line
    assert contact.province == units.province and contact.admin_unit == units.commune_a
    assert contact.caller_phone == "0912345678"  # one stored form for repeat callers
    assert contact.taxonomy_version == "2026.1"
    assert list(contact.reasons.values_list("code", flat=True)) == ["violence.physical"]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="intake.contact")
    assert event.changes["caller_name"] == "***" and event.changes["caller_phone"] == "***"
    assert "Trần Văn Khải" not in str(event.changes) and "0912345678" not in str(event.changes)
    assert "khóc" not in str(event.changes) and event.changes["narrative_length"] > 0
    assert event.changes["reasons"] == ["violence.physical"] and event.unit_code == units.commune_a.code


def test_reasons_are_deduplicated_and_kept_in_tree_order(personas):
    contact = services.contact_create(
        actor=personas.hotline,
        data=data_contact(reasons=["family.custody", "violence.sexual", "violence.sexual"]),
    ).contact
    assert list(contact.reasons.order_by("pk").values_list("code", flat=True)) == [
        "violence.sexual",
        "family.custody",
    ]


@pytest.mark.parametrize(
    ("reasons", "message"),
    [([], "ít nhất một lý do"), (["violence.nonsense"], "violence.nonsense")],
)
def test_data_contact_needs_a_known_reason(personas, reasons, message):
    with pytest.raises(ValidationError) as err:
        services.contact_create(actor=personas.hotline, data=data_contact(reasons=reasons))
    assert message in str(err.value.message_dict["reasons"])
    assert Contact.objects.count() == 0


def test_non_data_contact_needs_its_type_and_stores_no_reasons(personas):
    contact = services.contact_create(actor=personas.hotline, data=non_data(NonDataType.HANG_UP)).contact
    assert contact.kind == ContactKind.NON_DATA and contact.non_data_type == NonDataType.HANG_UP
    assert not ContactReason.objects.filter(contact=contact).exists()
    assert contact.province.code == "22"  # the counsellor's province: a non-data call has no place
    with pytest.raises(ValidationError) as err:
        services.contact_create(actor=personas.hotline, data=non_data(""))
    assert "non_data_type" in err.value.message_dict


def test_non_data_contact_with_reasons_children_or_outcome_is_refused(personas):
    bad = non_data(
        reasons=["violence.physical"], children=[ChildEntry(name="Bé A")], outcome=Outcome.COUNSELLING
    )
    with pytest.raises(ValidationError) as err:
        services.contact_create(actor=personas.hotline, data=bad)
    assert {"reasons", "children", "outcome"} <= set(err.value.message_dict)
    assert Contact.objects.count() == 0


def test_anonymous_caller_identity_is_refused(personas):
    with pytest.raises(ValidationError) as err:
        services.contact_create(actor=personas.hotline, data=data_contact(caller_anonymous=True))
    assert "caller_anonymous" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.contact_create(
            actor=personas.hotline,
            data=data_contact(
                caller_anonymous=True, caller_name="", caller_phone="", caller_consents_to_identity=True
            ),
        )
    assert Contact.objects.count() == 0
    contact = services.contact_create(
        actor=personas.hotline, data=data_contact(caller_anonymous=True, caller_name="", caller_phone="")
    ).contact
    assert contact.caller_anonymous and contact.caller_name == "" and contact.caller_phone == ""


def test_bad_phone_future_time_and_unknown_codes_are_all_reported_at_once(personas):
    bad = data_contact(
        caller_phone="call me",
        received_at=timezone.now() + timedelta(hours=2),
        urgency="panic",
        channel="fax",
    )
    with pytest.raises(ValidationError) as err:
        services.contact_create(actor=personas.hotline, data=bad)
    assert {"caller_phone", "received_at", "urgency", "channel"} <= set(err.value.message_dict)


def test_children_linked_in_scope_or_recorded_minimally(personas, units):
    child = ChildFactory(admin_unit=units.commune_a)
    contact = services.contact_create(
        actor=personas.officer_a,
        data=data_contact(
            commune=units.commune_a,
            children=[
                ChildEntry(child_id=child.pk),
                ChildEntry(child_id=child.pk),
                ChildEntry(name="Bé Na", age=9),
            ],
        ),
    ).contact
    rows = list(contact.children.order_by("pk"))
    assert [r.child_id for r in rows] == [child.pk, None]
    assert rows[1].name == "Bé Na" and rows[1].age == 9
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="intake.contact")
    assert event.changes["children"] == [child.pk] and event.changes["unidentified_children"] == 1
    assert "Bé Na" not in str(event.changes)


def test_a_child_out_of_scope_is_refused_as_unknown(personas, units):
    other = ChildFactory(admin_unit=units.commune_b)
    with pytest.raises(ValidationError) as err:
        services.contact_create(
            actor=personas.officer_a,
            data=data_contact(commune=units.commune_a, children=[ChildEntry(child_id=other.pk)]),
        )
    missing = str(err.value.message_dict["children"])
    with pytest.raises(ValidationError) as err2:
        services.contact_create(
            actor=personas.officer_a,
            data=data_contact(commune=units.commune_a, children=[ChildEntry(child_id=99_999_999)]),
        )
    assert missing.replace(str(other.pk), "N") == str(err2.value.message_dict["children"]).replace(
        "99999999", "N"
    )


def test_empty_minimal_child_and_bad_age_are_refused(personas):
    with pytest.raises(ValidationError) as err:
        services.contact_create(
            actor=personas.hotline, data=data_contact(children=[ChildEntry(), ChildEntry(name="A", age=30)])
        )
    assert len(err.value.message_dict["children"]) == 2


def test_place_must_be_in_the_takers_scope_and_a_commune(personas, units):
    with pytest.raises(PermissionDenied):
        services.contact_create(actor=personas.officer_a, data=data_contact(commune=units.commune_b))
    with pytest.raises(ValidationError) as err:
        services.contact_create(actor=personas.hotline, data=data_contact(commune=units.province))
    assert "commune" in err.value.message_dict
    assert Contact.objects.count() == 0


def test_roles_that_do_not_take_contacts_are_refused(personas):
    for user in (personas.viewer, personas.chair_a, personas.collaborator_a, personas.province_manager):
        with pytest.raises(PermissionDenied):
            services.contact_create(actor=user, data=data_contact())


def test_referral_needs_a_commune_and_sets_the_outcome(personas, units):
    agreed = {"caller_relationship": CallerRelationship.PARENT, "caller_agreed": True}
    contact = services.contact_create(
        actor=personas.hotline, data=data_contact(referred_to=units.commune_b, **agreed)
    ).contact
    assert contact.outcome == Outcome.REFERRED and contact.referred_to == units.commune_b
    with pytest.raises(ValidationError) as err:
        services.contact_create(actor=personas.hotline, data=data_contact(outcome=Outcome.REFERRED))
    assert "referred_to" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.contact_create(actor=personas.hotline, data=data_contact(outcome=Outcome.CASE_OPENED))
    assert "outcome" in err.value.message_dict


def test_retried_key_returns_the_same_contact(personas):
    first = services.contact_create(
        actor=personas.hotline, data=data_contact(), idempotency_key="call-1", request_hash="h1"
    )
    again = services.contact_create(
        actor=personas.hotline, data=data_contact(), idempotency_key="call-1", request_hash="h1"
    )
    assert first.created and not again.created and first.contact.pk == again.contact.pk
    assert Contact.objects.count() == 1 and IdempotencyKey.objects.filter(key="call-1").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="intake.contact").count() == 1
    with pytest.raises(idempotency.KeyReused):
        services.contact_create(
            actor=personas.hotline, data=data_contact(), idempotency_key="call-1", request_hash="h2"
        )


# --- update -----------------------------------------------------------------------------------------


def test_update_needs_the_current_version_and_audits_the_diff_masked(personas, units):
    contact = services.contact_create(actor=personas.hotline, data=data_contact()).contact
    updated = services.contact_update(
        actor=personas.hotline,
        contact=contact,
        version=contact.version,
        changes={"urgency": Urgency.EMERGENCY, "caller_name": "Trần Khải", "reasons": ["violence.sexual"]},
    )
    assert updated.version == 2 and updated.urgency == Urgency.EMERGENCY
    assert list(updated.reasons.values_list("code", flat=True)) == ["violence.sexual"]
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="intake.contact").last()
    assert event.changes["urgency"] == ["normal", "emergency"]
    assert event.changes["caller_name"] == ["***", "***"]
    assert event.changes["reasons"] == [["violence.physical"], ["violence.sexual"]]
    with pytest.raises(Conflict) as err:
        services.contact_update(
            actor=personas.hotline, contact=contact, version=1, changes={"narrative": "x"}
        )
    assert err.value.current_version == 2
    assert Contact.objects.get(pk=contact.pk).narrative != "x"


def test_update_refuses_unknown_fields_and_keeps_case_opened(personas):
    contact = ContactFactory(counsellor=personas.hotline, outcome=Outcome.CASE_OPENED)
    with pytest.raises(ValidationError):
        services.contact_update(actor=personas.hotline, contact=contact, version=1, changes={"counsellor": 3})
    with pytest.raises(ValidationError) as err:
        services.contact_update(
            actor=personas.hotline, contact=contact, version=1, changes={"outcome": Outcome.COUNSELLING}
        )
    assert "outcome" in err.value.message_dict
    updated = services.contact_update(
        actor=personas.hotline, contact=contact, version=1, changes={"urgency": Urgency.HIGH}
    )
    assert updated.outcome == Outcome.CASE_OPENED and updated.urgency == Urgency.HIGH


def test_update_allowed_for_the_taker_and_takers_where_it_happened_only(personas, units):
    contact = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a)
    services.contact_update(
        actor=personas.officer_a, contact=contact, version=1, changes={"place_text": "Tổ 3"}
    )
    for user in (personas.officer_b, personas.province_manager, personas.chair_a, personas.viewer):
        with pytest.raises(PermissionDenied):
            services.contact_update(actor=user, contact=contact, version=2, changes={"place_text": "x"})


def test_reasons_coded_under_an_older_version_stay_until_changed(personas):
    contact = ContactFactory(
        counsellor=personas.hotline, reasons=["violence.retired"], taxonomy_version="2025.1"
    )
    updated = services.contact_update(
        actor=personas.hotline, contact=contact, version=1, changes={"urgency": Urgency.HIGH}
    )
    assert updated.taxonomy_version == "2025.1"
    assert list(updated.reasons.values_list("code", flat=True)) == ["violence.retired"]
    with pytest.raises(ValidationError) as err:  # recoding uses today's codes
        services.contact_update(
            actor=personas.hotline,
            contact=updated,
            version=2,
            changes={"reasons": ["violence.retired", "missing"]},
        )
    assert "violence.retired" in str(err.value.message_dict["reasons"])
    recoded = services.contact_update(
        actor=personas.hotline, contact=updated, version=2, changes={"reasons": ["violence.neglect"]}
    )
    assert recoded.taxonomy_version == "2026.1"


def test_a_data_contact_with_children_stays_data(personas):
    row = ContactChildFactory(contact=ContactFactory(counsellor=personas.hotline))
    with pytest.raises(ValidationError) as err:
        services.contact_update(
            actor=personas.hotline,
            contact=row.contact,
            version=1,
            changes={"kind": ContactKind.NON_DATA, "non_data_type": NonDataType.THANKS, "reasons": []},
        )
    assert "kind" in err.value.message_dict


# --- children after the fact ------------------------------------------------------------------------


def test_link_a_registered_child_to_an_unidentified_entry(personas, units):
    row = ContactChildFactory(
        contact=ContactFactory(counsellor=personas.officer_a, admin_unit=units.commune_a)
    )
    child = ChildFactory(admin_unit=units.commune_a)
    linked = services.contact_link_child(
        actor=personas.officer_a, contact=row.contact, child=child, entry=row
    )
    assert linked.pk == row.pk and linked.child == child and linked.name == "Bé Na"
    assert Contact.objects.get(pk=row.contact_id).version == 2
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="intake.contact").last()
    assert event.changes == {"child_linked": child.pk, "entry": row.pk}
    with pytest.raises(ValidationError):  # the same child twice
        services.contact_link_child(actor=personas.officer_a, contact=row.contact, child=child)


def test_link_minimal_and_out_of_scope(personas, units):
    contact = ContactFactory(counsellor=personas.officer_a, admin_unit=units.commune_a)
    row = services.contact_link_child(
        actor=personas.officer_a, contact=contact, minimal=ChildEntry(name="Bé Tí", sex="F")
    )
    assert row.child is None and row.name == "Bé Tí"
    with pytest.raises(PermissionDenied):
        services.contact_link_child(
            actor=personas.officer_a, contact=contact, child=ChildFactory(admin_unit=units.commune_b)
        )
    with pytest.raises(PermissionDenied):
        services.contact_link_child(actor=personas.officer_b, contact=contact, minimal=ChildEntry(age=3))


def test_register_through_the_registry_then_link(personas, units):
    row = ContactChildFactory(contact=ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a))
    data = ChildData(full_name="Lò Thị Na", sex="F", commune=units.commune_a, date_of_birth=date(2016, 3, 8))
    linked = services.contact_link_child(
        actor=personas.hotline, contact=row.contact, register=data, entry=row
    )
    assert linked.child is not None and linked.child.person.full_name == "Lò Thị Na"
    assert Child.objects.count() == 1
    # the same child typed again: the registry's duplicate check asks first, and nothing is written
    second = ContactChildFactory(contact=row.contact, name="Na")
    with pytest.raises(PossibleDuplicate):
        services.contact_link_child(actor=personas.hotline, contact=row.contact, register=data, entry=second)
    assert Child.objects.count() == 1 and ContactChild.objects.get(pk=second.pk).child is None


# --- lines ------------------------------------------------------------------------------------------


def test_line_111_comes_with_the_database():
    line = Line.objects.get(number="111")
    assert line.province is None and line.active


def test_line_configure_creates_updates_and_audits_changes_only(personas, units):
    line = services.line_configure(actor=None, number="18001769", name="Tư vấn", province=units.province)
    assert line.province == units.province
    services.line_configure(actor=None, number="18001769", name="Tư vấn", province=units.province)
    services.line_configure(
        actor=None, number="18001769", name="Tư vấn", province=units.province, active=False
    )
    events = AuditEvent.objects.filter(object_type="intake.line").order_by("id")
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert events[1].changes == {"active": [True, False]}
    with pytest.raises(PermissionDenied):
        services.line_configure(actor=personas.officer_a, number="1800", name="x")
    with pytest.raises(ValidationError):
        services.line_configure(actor=None, number="12ab", name="")
    with pytest.raises(ValidationError) as err:  # an inactive line takes no new contact
        services.contact_create(actor=personas.hotline, data=data_contact(line=line))
    assert "line" in err.value.message_dict
