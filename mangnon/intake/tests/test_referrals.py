"""The hook through which the outcome "referred to a commune" becomes a referral (intake.referrals): the
contact services call it inside their transaction with the contact as saved and what the referral rests
on; its refusal rolls the contact back. (The referral itself is the cases app's: tested there, in
cases/tests/test_referral_intake.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.intake import referrals, services
from mangnon.intake.codes import Channel, ContactKind, Outcome
from mangnon.intake.models import Contact
from mangnon.intake.services import ContactData

pytestmark = pytest.mark.django_db


def referred(units: Any, **over: Any) -> ContactData:
    values: dict[str, Any] = {
        "channel": Channel.PHONE,
        "kind": ContactKind.DATA,
        "reasons": ["violence.physical"],
        "commune": units.commune_a,
        "outcome": Outcome.REFERRED,
        "referred_to": units.commune_a,
    }
    return ContactData(**{**values, **over})


@pytest.fixture
def calls(monkeypatch: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def referrer(*, actor: Any, contact: Contact, to_unit: Any, consent: referrals.ReferralConsent) -> None:
        assert Contact.objects.filter(pk=contact.pk).exists()  # saved, in the same transaction
        seen.append({"actor": actor, "contact": contact, "to_unit": to_unit, "consent": consent})
        if consent.override_reason == "refuse":
            raise ValidationError({"override_reason": ["no"]})

    monkeypatch.setitem(referrals._hook, "referrer", referrer)
    return seen


def test_a_referred_contact_goes_through_the_hook(personas, units, calls):
    contact = services.contact_create(
        actor=personas.hotline,
        data=referred(units, caller_agreed=True, emergency_override=False, override_reason="ignored"),
    ).contact
    [call] = calls
    assert call["actor"] == personas.hotline and call["contact"] == contact
    assert call["to_unit"] == units.commune_a
    assert call["consent"] == referrals.ReferralConsent(caller_agreed=True)  # no override: no reason


def test_other_outcomes_do_not(personas, units, calls):
    services.contact_create(
        actor=personas.hotline, data=referred(units, outcome=Outcome.COUNSELLING, referred_to=None)
    )
    assert calls == []


def test_a_refusal_rolls_the_contact_back(personas, units, calls):
    with pytest.raises(ValidationError) as err:
        services.contact_create(
            actor=personas.hotline, data=referred(units, emergency_override=True, override_reason="refuse")
        )
    assert "override_reason" in err.value.message_dict
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="intake.contact").exists()


def test_without_an_app_that_records_referrals(personas, units, monkeypatch):
    monkeypatch.delitem(referrals._hook, "referrer", raising=False)
    with pytest.raises(ImproperlyConfigured):
        services.contact_create(actor=personas.hotline, data=referred(units, caller_agreed=True))
    assert not Contact.objects.exists()
