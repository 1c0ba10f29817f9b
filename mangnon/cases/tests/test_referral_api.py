"""The referrals API: POST /api/v1/referrals (Idempotency-Key honoured), the received and sent lists,
one referral with what it passed on, accept and reject with their version (409 when stale). Allowed,
forbidden (commune B → 404, wrong role → 403, anonymous → 401) and audited on every route."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from mangnon.cases import referral_services as referrals
from mangnon.cases.codes import ReferralStatus
from mangnon.cases.models import Referral
from mangnon.cases.tests.test_referral_services import (
    REASON,
    consent_for,
    hotline_contact,
    open_case,
    social_work_centre,
)
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals"


def post(client: Client, url: str, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def case(personas):
    case = open_case(personas)
    consent_for(case.child)
    return case


@pytest.fixture
def to_b(personas, units, case):
    return referrals.referral_send(
        actor=personas.officer_a, case=case, to_unit=units.commune_b, reason=REASON
    ).referral


def _api_views(referral_id: int) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="cases.referral", object_id=str(referral_id), changes__page="api"
    ).count()


# --- send --------------------------------------------------------------------------------------------


def test_send_from_a_case_with_an_idempotency_key(personas, api_for, units, case):
    api = api_for(personas.officer_a)
    body = {"case": case.pk, "to_unit": units.province.code, "reason": REASON}
    first = post(api, URL, body, **{"Idempotency-Key": "ref-1"})
    again = post(api, URL, body, **{"Idempotency-Key": "ref-1"})
    assert (first.status_code, again.status_code) == (201, 200), first.content
    data = first.json()
    assert data["id"] == again.json()["id"] and Referral.objects.count() == 1
    assert data["status"] == "sent" and data["version"] == 1 and data["subject"] == "case"
    assert data["case"] == case.pk and data["case_number"] == case.number
    assert data["children"] == ["Đặng Minh Khôi"] and data["basis"] == "consent"
    assert data["from_unit"] == units.commune_a.code and data["to_unit"] == units.province.code
    assert data["may_answer"] is False and data["contact_summary"] is None
    other = post(api, URL, {**body, "reason": "khác"}, **{"Idempotency-Key": "ref-1"})
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    assert _api_views(data["id"]) == 2


def test_send_to_an_organisation(personas, api_for, units, case):
    centre = social_work_centre(units)
    response = post(
        api_for(personas.officer_a), URL, {"case": case.pk, "to_org": centre.pk, "reason": REASON}
    )
    assert response.status_code == 201 and response.json()["to_org_name"] == centre.name
    assert response.json()["may_answer"] is True  # the sender records the organisation's answer


def test_send_refusals(personas, api_for, units):
    api = api_for(personas.officer_a)
    case = open_case(personas, name="Lê Thu Hà")  # no consent recorded
    refused = post(api, URL, {"case": case.pk, "to_unit": units.province.code, "reason": REASON})
    assert refused.status_code == 422 and "consent" in refused.json()["detail"]
    for body, field in (
        ({"case": case.pk, "to_unit": "99999", "reason": REASON}, "to_unit"),
        ({"case": case.pk, "to_org": 999999, "reason": REASON}, "to_org"),
        ({"to_unit": units.province.code, "reason": REASON}, "__all__"),
        ({"case": case.pk, "to_unit": units.province.code, "reason": REASON, "emergency_override": True},
         "override_reason"),
    ):  # fmt: skip
        response = post(api, URL, body)
        assert response.status_code == 422 and field in response.json()["detail"], body
    override = {"emergency_override": True, "override_reason": "Trẻ bị bỏ rơi, không tìm được người giám hộ"}
    response = post(api, URL, {"case": case.pk, "to_unit": units.province.code, "reason": REASON, **override})
    assert response.status_code == 201 and response.json()["basis"] == "emergency_override"


def test_send_forbidden(personas, api_for, units, case):
    body = {"case": case.pk, "to_unit": units.province.code, "reason": REASON}
    assert post(api_for(personas.officer_b), URL, body).status_code == 404
    assert post(api_for(personas.chair_a), URL, body).status_code == 403
    for user in (personas.collaborator_a, personas.viewer):
        assert post(api_for(user), URL, body).status_code == 403
    assert post(Client(), URL, body).status_code == 401
    assert Referral.objects.count() == 0


def test_the_hotline_passes_a_contact_on(personas, api_for, units):
    contact = hotline_contact(personas, units)
    body = {"contact": contact.pk, "to_unit": units.commune_a.code, "reason": REASON, "caller_consent": True}
    response = post(api_for(personas.hotline), URL, body)
    assert response.status_code == 201 and response.json()["basis"] == "caller"
    assert response.json()["from_unit"] == units.province.code and response.json()["children"] == ["Bé Na"]
    assert post(api_for(personas.officer_b), URL, body).status_code == 404  # not theirs to see


# --- read --------------------------------------------------------------------------------------------


def test_lists_by_direction_and_status(personas, api_for, to_b):
    received = api_for(personas.officer_b).get(URL, {"direction": "received"}).json()
    assert received["count"] == 1 and received["items"][0]["id"] == to_b.pk
    assert received["items"][0]["may_answer"] is True
    assert api_for(personas.officer_b).get(URL, {"direction": "sent"}).json()["count"] == 0
    sent = api_for(personas.officer_a).get(URL, {"direction": "sent", "status": "sent"}).json()
    assert [r["id"] for r in sent["items"]] == [to_b.pk]
    assert api_for(personas.officer_a).get(URL, {"status": "accepted"}).json()["count"] == 0
    assert api_for(personas.officer_a).get(URL, {"direction": "sideways"}).status_code == 422
    event = AuditEvent.objects.filter(object_type="cases.referral", object_id="api_list:sent").last()
    assert event is not None and event.changes["shown"] == [to_b.pk]


def test_lists_forbidden(personas, api_for, units, case):
    to_province = referrals.referral_send(
        actor=personas.officer_a, case=case, to_unit=units.province, reason=REASON
    ).referral
    assert api_for(personas.officer_b).get(URL).json() == {"items": [], "count": 0}
    assert api_for(personas.province_officer).get(URL).json()["items"][0]["id"] == to_province.pk
    for user in (personas.collaborator_a, personas.viewer):
        assert api_for(user).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401


def test_one_referral_with_what_a_contact_passed_on(personas, api_for, units):
    contact = hotline_contact(personas, units)
    sent = referrals.referral_send(
        actor=personas.hotline, contact=contact, to_unit=units.commune_a, reason=REASON, caller_consent=True
    ).referral
    data = api_for(personas.officer_a).get(f"{URL}/{sent.pk}").json()
    summary = data["contact_summary"]
    assert summary["narrative"] == contact.narrative and summary["children"][0]["name"] == "Bé Na"
    assert summary["caller_relationship"] == "parent"
    assert summary["caller_name"] == "" and summary["caller_phone"] == ""  # not agreed to be named
    assert _api_views(sent.pk) == 1
    # The counsellor who took the call sees the caller.
    mine = api_for(personas.hotline).get(f"{URL}/{sent.pk}").json()["contact_summary"]
    assert mine["caller_name"] == "Trần Văn Bình"


def test_one_referral_forbidden(personas, api_for, to_b):
    for user in (personas.hotline, personas.collaborator_a):
        assert api_for(user).get(f"{URL}/{to_b.pk}").status_code == 404
    other = open_case(personas, name="Phạm Gia Bảo")
    consent_for(other.child)
    Referral.objects.filter(pk=to_b.pk).update(to_unit=other.province)  # now between A and the province
    assert api_for(personas.officer_b).get(f"{URL}/{to_b.pk}").status_code == 404
    assert Client().get(f"{URL}/{to_b.pk}").status_code == 401
    assert _api_views(to_b.pk) == 0


# --- answer ------------------------------------------------------------------------------------------


def test_accept_and_the_stale_version(personas, api_for, to_b):
    api = api_for(personas.officer_b)
    accepted = post(api, f"{URL}/{to_b.pk}/accept", {"version": 1, "note": "Xã sẽ tiếp nhận"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["version"] == 2 and accepted.json()["response_note"] == "Xã sẽ tiếp nhận"
    stale = post(api, f"{URL}/{to_b.pk}/reject", {"version": 1, "reason": "Nhầm"})
    assert stale.status_code == 409 and stale.json()["error"] == "conflict"
    assert stale.json()["detail"]["version"] == 2
    again = post(api, f"{URL}/{to_b.pk}/reject", {"version": 2, "reason": "Nhầm"})
    assert again.status_code == 422
    assert Referral.objects.get(pk=to_b.pk).status == ReferralStatus.ACCEPTED


def test_reject_needs_a_reason(personas, api_for, to_b):
    api = api_for(personas.officer_b)
    response = post(api, f"{URL}/{to_b.pk}/reject", {"version": 1, "reason": "  "})
    assert response.status_code == 422 and "reason" in response.json()["detail"]
    response = post(api, f"{URL}/{to_b.pk}/reject", {"version": 1, "reason": "Gia đình không ở xã"})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    event = AuditEvent.objects.filter(object_type="cases.referral", action=AuditAction.UPDATE).get()
    assert event.changes["step"] == "reject" and "Gia đình" not in str(event.changes)


def test_answer_forbidden(personas, api_for, to_b):
    body = {"version": 1}
    for user in (personas.officer_a, personas.chair_a):
        assert post(api_for(user), f"{URL}/{to_b.pk}/accept", body).status_code == 403, user
    assert post(api_for(personas.hotline), f"{URL}/{to_b.pk}/accept", body).status_code == 404
    assert post(Client(), f"{URL}/{to_b.pk}/accept", body).status_code == 401
    assert (
        post(
            api_for(personas.officer_a), f"{URL}/{to_b.pk}/reject", {"version": 1, "reason": "x"}
        ).status_code
        == 403
    )
    assert Referral.objects.get(pk=to_b.pk).status == ReferralStatus.SENT
