"""The intake outcome "referred to a commune" is a referral (cases.referral_intake): taking or changing a
contact with that outcome passes it on through `referral_send`, in the same transaction, on the caller's
agreement (the child or a parent), the child's recorded consent, or an emergency override with its reason;
without them nothing is written — neither the contact nor the referral — and the intake screen and
POST /api/v1/contacts say why by field (caller_agreed, override_reason, referred_to)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from mangnon.cases import referral_notify
from mangnon.cases.codes import ReferralStatus
from mangnon.cases.models import Referral
from mangnon.cases.tests.test_referral_services import consent_for
from mangnon.core.models import AuditAction, AuditEvent, IdempotencyKey, Notification
from mangnon.intake import services as intake
from mangnon.intake.codes import CallerRelationship, Channel, ContactKind, Outcome
from mangnon.intake.models import Contact
from mangnon.intake.services import ChildEntry, ContactData
from mangnon.intake.tests.factories import ContactFactory
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

NEW = "/intake/new/"
API = "/api/v1/contacts"
OVERRIDE = "Hàng xóm báo trẻ bị đánh; Nghị định 56 điều 26: báo ngay cho xã nơi xảy ra."


def data(units: Any, **over: Any) -> ContactData:
    """A call about a child in commune A, referred to commune A."""
    values: dict[str, Any] = {
        "channel": Channel.PHONE,
        "kind": ContactKind.DATA,
        "reasons": ["violence.physical"],
        "caller_name": "Trần Thị Hoa",
        "caller_phone": "0912 345 678",
        "caller_relationship": CallerRelationship.PARENT,
        "commune": units.commune_a,
        "narrative": "Mẹ cháu báo cháu bị bố dượng đánh.",
        "outcome": Outcome.REFERRED,
        "referred_to": units.commune_a,
        "children": [ChildEntry(name="Bé Na", sex="F", age=9)],
    }
    return ContactData(**{**values, **over})


def nothing_written() -> bool:
    return (
        not Contact.objects.exists()
        and not Referral.objects.exists()
        and not AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="intake.contact").exists()
    )


# --- the service ---------------------------------------------------------------------------------------


def test_a_referred_contact_is_passed_on_with_the_callers_agreement(personas, units):
    contact = intake.contact_create(actor=personas.hotline, data=data(units, caller_agreed=True)).contact
    assert contact.outcome == Outcome.REFERRED and contact.referred_to == units.commune_a
    referral = Referral.objects.get()
    assert referral.contact == contact and referral.case is None and referral.to_unit == units.commune_a
    assert referral.from_unit == units.province and referral.sent_by == personas.hotline
    assert referral.caller_consent and not referral.emergency_override
    assert referral.status == ReferralStatus.SENT
    assert f"{contact.pk}" in referral.reason and referral.reason  # what it is about, in the site's words
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="cases.referral")
    assert event.changes["basis"] == "caller" and event.changes["contact"] == contact.pk


def test_without_consent_nothing_is_written(personas, units):
    with pytest.raises(ValidationError) as err:
        intake.contact_create(actor=personas.hotline, data=data(units))
    assert set(err.value.message_dict) == {"caller_agreed"}
    assert nothing_written()


def test_a_neighbour_cannot_agree_only_an_emergency_with_its_reason(personas, units):
    neighbour = {"caller_relationship": CallerRelationship.NEIGHBOUR}
    with pytest.raises(ValidationError) as err:
        intake.contact_create(actor=personas.hotline, data=data(units, caller_agreed=True, **neighbour))
    assert "caller_agreed" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        intake.contact_create(
            actor=personas.hotline,
            data=data(units, emergency_override=True, override_reason=" ", **neighbour),
        )
    assert "override_reason" in err.value.message_dict
    assert nothing_written()
    contact = intake.contact_create(
        actor=personas.hotline,
        data=data(units, emergency_override=True, override_reason=OVERRIDE, **neighbour),
    ).contact
    referral = Referral.objects.get(contact=contact)
    assert referral.emergency_override and referral.override_reason == OVERRIDE


def test_a_registered_child_with_a_consent_to_share_needs_no_box(personas, units):
    child = ChildFactory(admin_unit=units.commune_a)
    consent = consent_for(child)
    contact = intake.contact_create(
        actor=personas.hotline,
        data=data(units, children=[ChildEntry(child_id=child.pk)], caller_relationship="neighbour"),
    ).contact
    assert Referral.objects.get(contact=contact).consent == consent


def test_a_contact_about_one_commune_is_not_referred_to_another(personas, units):
    with pytest.raises(ValidationError) as err:
        intake.contact_create(
            actor=personas.hotline, data=data(units, referred_to=units.commune_b, caller_agreed=True)
        )
    assert "referred_to" in err.value.message_dict  # Decree 56 art. 26: where it happened
    assert nothing_written()
    # Where it happened is not known: any commune of the province.
    contact = intake.contact_create(
        actor=personas.hotline,
        data=data(units, commune=None, referred_to=units.commune_b, caller_agreed=True),
    ).contact
    assert Referral.objects.get(contact=contact).to_unit == units.commune_b


def test_a_retried_submission_makes_one_contact_and_one_referral(personas, units):
    for _ in range(2):
        intake.contact_create(
            actor=personas.hotline,
            data=data(units, caller_agreed=True),
            idempotency_key="k",
            request_hash="h",
        )
    assert Contact.objects.count() == 1 and Referral.objects.count() == 1
    assert IdempotencyKey.objects.filter(key="k").count() == 1


def test_the_commune_is_told_after_the_commit(personas, units, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        contact = intake.contact_create(actor=personas.hotline, data=data(units, caller_agreed=True)).contact
    note = Notification.objects.get()
    assert note.recipient == personas.officer_a and note.kind == referral_notify.REFERRAL_RECEIVED
    assert note.params["contact"] == contact.pk


def test_an_update_that_refers_the_contact_passes_it_on(personas, units):
    contact = ContactFactory(counsellor=personas.hotline, caller_relationship=CallerRelationship.CHILD)
    with pytest.raises(ValidationError) as err:
        intake.contact_update(
            actor=personas.hotline, contact=contact, version=1, changes={"referred_to": units.commune_a}
        )
    assert "caller_agreed" in err.value.message_dict
    contact.refresh_from_db()
    assert contact.version == 1 and contact.outcome == "" and not Referral.objects.exists()
    changed = intake.contact_update(
        actor=personas.hotline,
        contact=contact,
        version=1,
        changes={"referred_to": units.commune_a, "caller_agreed": True},
    )
    assert changed.version == 2 and changed.outcome == Outcome.REFERRED
    assert Referral.objects.get().contact == contact
    # Changed again, still referred there: not passed on a second time.
    intake.contact_update(actor=personas.hotline, contact=changed, version=2, changes={"narrative": "Thêm"})
    assert Referral.objects.count() == 1


# --- the intake screen ---------------------------------------------------------------------------------


def screen(units: Any, **over: Any) -> dict[str, Any]:
    fields = {
        "contact_type": "data",
        "channel": "phone",
        "line": "111",
        "caller_phone": "0912 345 678",
        "caller_name": "Trần Thị Hoa",
        "caller_relationship": "parent",
        "reasons": ["violence.physical"],
        "urgency": "high",
        "commune": str(units.commune_a.pk),
        "narrative": "Mẹ cháu báo cháu bị bố dượng đánh.",
        "outcome": "referred",
        "referred_to": str(units.commune_a.pk),
        "received_at": "",
        "submission": "form-1",
        "child-TOTAL_FORMS": "2",
        "child-INITIAL_FORMS": "0",
        "child-MIN_NUM_FORMS": "0",
        "child-MAX_NUM_FORMS": "10",
        "child-0-name": "Bé Na",
        "child-0-sex": "F",
        "child-0-age": "9",
    }
    return {**fields, **over}


def test_the_screen_offers_the_consent_boxes(personas, client_for):
    html = client_for(personas.hotline).get(NEW).content.decode()
    assert "data-referral-consent" in html
    for name in ("caller_agreed", "emergency_override", "override_reason"):
        assert f'name="{name}"' in html and f'for="id_{name}"' in html  # labelled
    assert 'aria-describedby="id_caller_agreed_helptext"' in html


def test_the_screen_refuses_a_referral_without_consent_and_keeps_what_was_typed(personas, units, client_for):
    response = client_for(personas.hotline).post(NEW, screen(units))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mẹ cháu báo cháu bị bố dượng đánh." in html and 'value="Bé Na"' in html
    assert re.search(r'<input[^>]*name="caller_agreed"[^>]*aria-invalid="true"', html)
    assert 'id="id_caller_agreed_error"' in html and "data-intake-errors" in html
    assert response.context["form"].errors["caller_agreed"]
    assert nothing_written()


def test_the_screen_passes_the_contact_on_when_the_caller_agreed(personas, units, client_for):
    response = client_for(personas.hotline).post(NEW, screen(units, caller_agreed="on"))
    assert response.status_code == 302
    contact = Contact.objects.get()
    referral = Referral.objects.get()
    assert referral.contact == contact and referral.caller_consent and contact.children.count() == 1


def test_the_screen_refers_in_an_emergency_with_its_reason(personas, units, client_for):
    client = client_for(personas.hotline)
    neighbour = {"caller_relationship": "neighbour", "emergency_override": "on"}
    response = client.post(NEW, screen(units, **neighbour))
    assert response.status_code == 400 and response.context["form"].errors["override_reason"]
    response = client.post(NEW, screen(units, override_reason=OVERRIDE, **neighbour))
    assert response.status_code == 302
    assert Referral.objects.get().override_reason == OVERRIDE


def test_the_edit_page_refers_the_contact(personas, units, client_for):
    contact = ContactFactory(counsellor=personas.hotline, caller_relationship="parent")
    fields = screen(units, received_at="02/01/2026 08:30", version=str(contact.version))
    fields.pop("submission")
    url = f"/intake/{contact.pk}/edit/"
    client = client_for(personas.hotline)
    assert client.post(url, fields).status_code == 400
    assert Contact.objects.get(pk=contact.pk).version == 1 and not Referral.objects.exists()
    assert client.post(url, {**fields, "caller_agreed": "on"}).status_code == 302
    assert Referral.objects.get().contact_id == contact.pk


# --- the API -------------------------------------------------------------------------------------------


def body(**over: Any) -> dict[str, Any]:
    fields = {
        "channel": "phone",
        "line": "111",
        "reasons": ["violence.physical"],
        "caller_relationship": "parent",
        "commune": "06688",
        "narrative": "Mẹ cháu báo cháu bị bố dượng đánh.",
        "outcome": "referred",
        "referred_to": "06688",
        "children": [{"name": "Bé Na", "sex": "F", "age": 9}],
    }
    return {**fields, **over}


def post(client: Client, fields: dict[str, Any], **headers: str) -> Any:
    return client.post(API, json.dumps(fields), content_type="application/json", headers=headers)


def test_the_api_refuses_a_referral_without_consent_with_422_by_field(personas, api_for):
    api = api_for(personas.hotline)
    response = post(api, body())
    assert response.status_code == 422
    assert response.json()["error"] == "invalid" and "caller_agreed" in response.json()["detail"]
    response = post(api, body(caller_relationship="neighbour", emergency_override=True))
    assert response.status_code == 422 and "override_reason" in response.json()["detail"]
    assert nothing_written()


def test_the_api_passes_the_contact_on(personas, api_for):
    api = api_for(personas.hotline)
    first = post(api, body(caller_agreed=True), **{"Idempotency-Key": "r-1"})
    assert first.status_code == 201, first.content
    assert first.json()["outcome"] == "referred" and first.json()["referred_to"] == "06688"
    again = post(api, body(caller_agreed=True), **{"Idempotency-Key": "r-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    referral = Referral.objects.get()
    assert referral.contact_id == first.json()["id"] and referral.caller_consent
    emergency = post(
        api, body(caller_relationship="teacher", emergency_override=True, override_reason=OVERRIDE)
    )
    assert emergency.status_code == 201 and Referral.objects.count() == 2


def test_the_api_patch_refers_a_contact(personas, api_for):
    api = api_for(personas.hotline)
    created = post(api, body(outcome="", referred_to="")).json()
    assert not Referral.objects.exists()
    url = f"{API}/{created['id']}"
    refused = api.patch(
        url, json.dumps({"version": 1, "referred_to": "06688"}), content_type="application/json"
    )
    assert refused.status_code == 422 and "caller_agreed" in refused.json()["detail"]
    done = api.patch(
        url,
        json.dumps({"version": 1, "referred_to": "06688", "caller_agreed": True}),
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["outcome"] == "referred"
    assert Referral.objects.get().contact_id == created["id"]


def test_a_contact_with_no_outcome_is_not_passed_on(personas, api_for):
    """The contract check's contact (issue 4): no outcome, no referral, as before."""
    response = post(api_for(personas.hotline), body(outcome="", referred_to=""))
    assert response.status_code == 201 and not Referral.objects.exists()


def test_opening_the_case_accepts_the_contacts_pending_referral(personas, units):
    from mangnon.cases import services as case_services

    contact = intake.contact_create(actor=personas.hotline, data=data(units, caller_agreed=True)).contact
    case = case_services.case_open(
        actor=personas.officer_a, contact=contact, register_new=True, form01={"child_age": 9}
    ).case
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.ACCEPTED and referral.responded_by == personas.officer_a
    assert Contact.objects.get(pk=contact.pk).outcome == Outcome.CASE_OPENED  # not set back to "referred"
    assert case.contact == contact
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="cases.referral", object_id=str(referral.pk)
    ).exists()
