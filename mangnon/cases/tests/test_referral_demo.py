"""The demo's referrals (cases.demo_data): the hotline passes calls on to commune A (one accepted, one
still waiting, with its notification), commune A and B refer cases to the province's social-work centre
(accepted on consent, rejected with a reason, an emergency without consent), the hotline's earlier
referrals are answered but for the latest three, and a second load adds nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from mangnon.accounts.models import User
from mangnon.cases import demo_data as cases_demo
from mangnon.cases import referral_notify
from mangnon.cases.codes import ReferralStatus
from mangnon.cases.models import Referral
from mangnon.cases.referral_services import consent_basis
from mangnon.core.models import Notification
from mangnon.intake.codes import Outcome

pytestmark = pytest.mark.django_db


def _load(capture: Any) -> str:
    out = io.StringIO()
    # Notifications go out when the demo's transactions commit, as in a real load.
    with override_settings(DEBUG=True), capture(execute=True):
        call_command("demo", "load", stdout=out)
    return out.getvalue()


def test_the_demo_referrals(
    units: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setenv("MANGNON_DEMO_PASSWORD", "demo-pass-phrase-1")
    said = _load(django_capture_on_commit_callbacks)
    assert "referrals: 5 sent" in said
    officer_a = User.objects.get(username="demo-commune-a")

    # The hotline's calls to commune A, passed on from the intake screen.
    calls = Referral.objects.filter(contact__caller_name__endswith="(demo)", to_unit=units.commune_a)
    accepted = calls.get(caller_consent=True, contact__narrative__startswith="Mẹ cháu gọi")
    assert accepted.status == ReferralStatus.ACCEPTED and accepted.responded_by == officer_a
    assert accepted.contact.outcome == Outcome.REFERRED  # type: ignore[union-attr]
    waiting = calls.get(emergency_override=True, contact__narrative__startswith="Hàng xóm gọi")
    assert waiting.status == ReferralStatus.SENT and waiting.override_reason
    told = Notification.objects.get(recipient=officer_a, key=f"cases.referral:{waiting.pk}:received")
    assert told.kind == referral_notify.REFERRAL_RECEIVED

    # The cases referred to the province's social-work centre.
    to_centre = Referral.objects.filter(case__isnull=False, to_org__isnull=False).order_by("sent_at")
    assert {(consent_basis(r), r.status) for r in to_centre} == {
        ("consent", ReferralStatus.ACCEPTED),
        ("consent", ReferralStatus.REJECTED),
        ("emergency_override", ReferralStatus.ACCEPTED),
    }
    assert all(r.to_org.name.startswith("Trung tâm Công tác xã hội") for r in to_centre)  # type: ignore[union-attr]
    assert to_centre.get(status=ReferralStatus.REJECTED).response_note
    assert {r.from_unit for r in to_centre} == {units.commune_a, units.commune_b}

    # The hotline's earlier referrals (intake's demo) are answered, but for the latest three.
    assert Referral.objects.filter(status=ReferralStatus.SENT).count() == cases_demo.WAITING_CONTACT_REFERRALS
    assert Referral.objects.filter(status=ReferralStatus.ACCEPTED, case__isnull=True).count() > 5

    before = (Referral.objects.count(), Notification.objects.count())
    assert "referrals: 0 sent, 0 of" in _load(django_capture_on_commit_callbacks)
    assert (Referral.objects.count(), Notification.objects.count()) == before
