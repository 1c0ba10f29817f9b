"""Referral notifications: the receiving unit's own officers are told a referral arrived (a commune's
officers for a commune, the province's for the province; nobody for an organisation), the sender is told
of the answer; after the commit only, once per referral and event; commune B and the hotline counsellor
hear nothing of commune A's referrals; every link is a page the recipient may open."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from mangnon.accounts.models import User
from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.cases import referral_notify
from mangnon.cases import referral_services as referrals
from mangnon.cases.models import Referral
from mangnon.cases.tests.test_referral_services import (
    REASON,
    consent_for,
    hotline_contact,
    open_case,
    social_work_centre,
)
from mangnon.core.models import AuditEvent, Notification
from mangnon.core.notifications import text_of

pytestmark = pytest.mark.django_db


def _told(kind: str | None = None) -> set[str]:
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return set(rows.values_list("recipient__username", flat=True))


@pytest.fixture
def case(personas: Any) -> Any:
    case = open_case(personas)
    consent_for(case.child)
    return case


def _send(personas: Any, case: Any, capture: Any, **kwargs: Any) -> Referral:
    with capture(execute=True):
        return referrals.referral_send(actor=personas.officer_a, case=case, reason=REASON, **kwargs).referral


def test_a_referral_to_the_province_tells_the_provinces_case_workers(
    personas, units, case, client_for, django_capture_on_commit_callbacks
):
    referral = _send(personas, case, django_capture_on_commit_callbacks, to_unit=units.province)
    # CASE_WORK at the province itself: its officer and the social-work centre's case manager. Not the
    # sender, not commune B, not the counsellor, the chairperson, the manager (no CASE_WORK), the viewer.
    assert _told(referral_notify.REFERRAL_RECEIVED) == {
        personas.province_officer.username,
        personas.case_manager.username,
    }
    note = Notification.objects.filter(recipient=personas.province_officer).get()
    assert note.link == f"/cases/referrals/{referral.pk}/"
    assert note.key == f"cases.referral:{referral.pk}:received"
    assert note.params["number"] == case.number and note.params["from"] == units.commune_a.name
    assert case.child.person.full_name not in str(note.params)  # may be e-mailed: no child's name
    for user in (personas.province_officer, personas.case_manager):
        assert client_for(user).get(note.link).status_code == 200
    with translation.override("en"):
        assert text_of(note) == f"Referral received from {units.commune_a.name}: case {case.number}"
    assert text_of(note) and case.number in text_of(note)  # Vietnamese, the default


def test_a_referral_to_a_commune_tells_that_communes_officers_only(
    personas, units, case, django_capture_on_commit_callbacks
):
    _send(personas, case, django_capture_on_commit_callbacks, to_unit=units.commune_b)
    # The province's officers also answer for commune B, but the commune's own officer is told.
    assert _told() == {personas.officer_b.username}


def test_the_hotline_passes_a_contact_on_and_the_commune_is_told(
    personas, units, django_capture_on_commit_callbacks
):
    contact = hotline_contact(personas, units)
    with django_capture_on_commit_callbacks(execute=True):
        referral = referrals.referral_send(
            actor=personas.hotline,
            contact=contact,
            to_unit=units.commune_a,
            reason=REASON,
            caller_consent=True,
        ).referral
    assert _told() == {personas.officer_a.username}
    note = Notification.objects.get()
    assert note.params["contact"] == contact.pk and note.params["number"] == ""
    with translation.override("en"):
        assert text_of(note).endswith(f"contact no. {contact.pk}")
    # The commune accepts: the counsellor who sent it is told.
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_accept(actor=personas.officer_a, referral=referral, version=1)
    answer = Notification.objects.get(kind=referral_notify.REFERRAL_ANSWERED)
    assert answer.recipient == personas.hotline and answer.params["status"] == "accepted"
    assert answer.link == f"/cases/referrals/{referral.pk}/"


def test_commune_b_and_the_hotline_hear_nothing_of_as_referrals(
    personas, units, case, django_capture_on_commit_callbacks
):
    referral = _send(personas, case, django_capture_on_commit_callbacks, to_unit=units.province)
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_reject(
            actor=personas.province_officer, referral=referral, version=1, reason="Không thuộc thẩm quyền"
        )
    told = _told()
    for user in (personas.officer_b, personas.hotline, personas.chair_a, personas.viewer):
        assert user.username not in told
    assert Notification.objects.filter(recipient__in=[personas.officer_b, personas.hotline]).count() == 0


def test_the_sender_is_told_of_the_answer(
    personas, units, case, client_for, django_capture_on_commit_callbacks
):
    referral = _send(personas, case, django_capture_on_commit_callbacks, to_unit=units.commune_b)
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_reject(
            actor=personas.officer_b, referral=referral, version=1, reason="Trẻ không cư trú tại xã"
        )
    answer = Notification.objects.get(kind=referral_notify.REFERRAL_ANSWERED)
    assert answer.recipient == personas.officer_a and answer.params["status"] == "rejected"
    assert answer.key == f"cases.referral:{referral.pk}:answered"
    assert client_for(personas.officer_a).get(answer.link).status_code == 200
    with translation.override("en"):
        assert text_of(answer) == f"{units.commune_b.name} rejected your referral: case {case.number}"


def test_an_organisations_answer_recorded_by_the_sender_tells_nobody(
    personas, units, case, django_capture_on_commit_callbacks
):
    centre = social_work_centre(units)
    referral = _send(personas, case, django_capture_on_commit_callbacks, to_org=centre)
    assert Notification.objects.count() == 0  # an organisation has no users here
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_accept(actor=personas.officer_a, referral=referral, version=1)
    assert Notification.objects.count() == 0  # the sender recorded the answer themselves


def test_nothing_is_sent_before_the_commit_nor_for_a_refused_referral(
    personas, units, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referrals.referral_send(actor=personas.officer_a, case=case, reason=REASON, to_unit=units.province)
    assert Notification.objects.count() == 0 and len(callbacks) == 1
    other = open_case(personas, name="Lê Thị Mai")  # no consent: refused, nothing scheduled
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        referrals.referral_send(actor=personas.officer_a, case=other, reason=REASON, to_unit=units.province)
    assert callbacks == [] and Notification.objects.count() == 0


def test_each_is_told_once(personas, units, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = referrals.referral_send(
            actor=personas.officer_a, case=case, reason=REASON, to_unit=units.province,
            idempotency_key="n-1", request_hash="h",
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = referrals.referral_send(
            actor=personas.officer_a, case=case, reason=REASON, to_unit=units.province,
            idempotency_key="n-1", request_hash="h",
        )  # fmt: skip
    assert not again.created and callbacks == []  # a retried send schedules nothing
    assert referral_notify.notify_received(first.referral.pk) == 0  # run again: nobody told twice
    assert Notification.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_accept(actor=personas.case_manager, referral=first.referral, version=1)
    assert referral_notify.notify_answered(first.referral.pk) == 0
    assert Notification.objects.filter(kind=referral_notify.REFERRAL_ANSWERED).count() == 1
    # One audit event per batch made (the system as actor), as for every notification.
    assert AuditEvent.objects.filter(object_type="core.notification", actor_id__isnull=True).count() == 2


def test_an_officer_who_left_the_unit_is_not_told(personas, units, case, django_capture_on_commit_callbacks):
    gone: User = UserFactory(username="p-gone", is_active=False)  # type: ignore[assignment]
    MembershipFactory(user=gone, role=Role.COMMUNE_OFFICER, admin_unit=units.commune_b)
    _send(personas, case, django_capture_on_commit_callbacks, to_unit=units.commune_b)
    assert _told() == {personas.officer_b.username}
