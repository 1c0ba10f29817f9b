"""The referrals of a child's cases on the child's timeline in the registry: sent and answered, linked to
the referral's page, for those who read the case only, in one query however many there are."""

from __future__ import annotations

from typing import Any

import pytest

from mangnon.cases import referral_services as referrals
from mangnon.cases.tests.test_referral_services import REASON, consent_for, open_case, social_work_centre
from mangnon.cases.timeline import _referral_entries
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.selectors import child_facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas: Any) -> Any:
    case = open_case(personas)
    consent_for(case.child)
    return case


def _kinds(html: str) -> list[str]:
    return [k for k in ("referral_sent", "referral_accepted", "referral_rejected") if f'"{k}"' in html]


def test_the_childs_timeline_shows_the_referrals_to_those_who_read_the_case(
    personas, units, case, client_for
):
    to_b = referrals.referral_send(
        actor=personas.officer_a, case=case, to_unit=units.commune_b, reason=REASON
    ).referral
    referrals.referral_reject(
        actor=personas.officer_b, referral=to_b, version=1, reason="Không cư trú tại xã"
    )
    to_centre = referrals.referral_send(
        actor=personas.officer_a, case=case, to_org=social_work_centre(units), reason=REASON
    ).referral
    referrals.referral_accept(actor=personas.officer_a, referral=to_centre, version=1)
    url = f"/children/{case.child_id}/"
    for reader in (personas.officer_a, personas.province_officer, personas.chair_a):
        response = client_for(reader).get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count('data-timeline-kind="referral_sent"') == 2
        assert 'data-timeline-kind="referral_rejected"' in html
        assert 'data-timeline-kind="referral_accepted"' in html
        assert f'href="/cases/referrals/{to_b.pk}/"' in html and units.commune_b.name in html
        assert client_for(reader).get(f"/cases/referrals/{to_b.pk}/").status_code == 200  # the link opens
    # The child's page (and so its timeline) is a read of the child's record: audited by the registry.
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="registry.child", object_id=str(case.child_id)
    ).exists()


def test_those_who_see_the_child_but_not_the_case_see_no_referral(personas, units, case, client_for):
    referrals.referral_send(actor=personas.officer_a, case=case, to_unit=units.province, reason=REASON)
    url = f"/children/{case.child_id}/"
    for reader in (personas.collaborator_a, personas.hotline):  # they read the child, never the case
        response = client_for(reader).get(url)
        assert response.status_code == 200
        assert _kinds(response.content.decode()) == []
    assert client_for(personas.officer_b).get(url).status_code == 404  # commune B: not even the child


def test_one_query_however_many_referrals(personas, units, case, django_assert_num_queries):
    facts = child_facts(viewer=personas.officer_a, child=case.child, audit_view=False)
    list(_referral_entries(personas.officer_a, case.child, facts))  # the viewer's scope, worked out once
    with django_assert_num_queries(1):
        assert list(_referral_entries(personas.officer_a, case.child, facts)) == []
    centre = social_work_centre(units)
    for to_unit in (units.province, units.commune_b):
        referrals.referral_send(actor=personas.officer_a, case=case, to_unit=to_unit, reason=REASON)
    sent = referrals.referral_send(actor=personas.officer_a, case=case, to_org=centre, reason=REASON)
    referrals.referral_accept(actor=personas.officer_a, referral=sent.referral, version=1)
    with django_assert_num_queries(1):
        entries = list(_referral_entries(personas.officer_a, case.child, facts))
    assert [e.kind for e in entries] == ["referral_sent"] * 3 + ["referral_accepted"]
