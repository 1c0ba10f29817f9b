"""The disbursements API: allowed, forbidden (other commune → 404, roles that do not read support → 403,
anonymous → 401), reads of amounts audited; create with an Idempotency-Key; filters and pagination."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.tests.factories import ChildFactory
from mangnon.support.models import Disbursement
from mangnon.support.tests.factories import DisbursementFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/disbursements"


def post(client: Client, data, **headers):
    return client.post(URL, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def programme(units):
    return ProgrammeFactory(code="NQ222", province=units.province)


@pytest.fixture
def paid(units, programme):
    a1 = DisbursementFactory(programme=programme, admin_unit=units.commune_a, amount=1_000_000)
    a2 = DisbursementFactory(
        programme=programme, admin_unit=units.commune_a, amount=2_000_000, paid_on=date(2026, 4, 1)
    )
    b = DisbursementFactory(programme=programme, admin_unit=units.commune_b, amount=700_000)
    return a1, a2, b


def _body(child, **over):
    return {
        "programme": "NQ222",
        "child": child.pk,
        "amount": 1_200_000,
        "paid_on": "2026-03-02",
        "approver": "QĐ 45/QĐ-UBND, Chủ tịch UBND",
        **over,
    }


# --- list --------------------------------------------------------------------------------------------


def test_commune_officer_lists_their_commune_with_total_audited(personas, api_for, paid):
    a1, a2, _b = paid
    response = api_for(personas.officer_a).get(URL)
    assert response.status_code == 200
    data = response.json()
    assert [i["id"] for i in data["items"]] == [a2.pk, a1.pk]
    assert data["count"] == 2 and data["total_amount"] == 3_000_000
    assert data["items"][0]["amount"] == 2_000_000 and data["items"][0]["programme"] == "NQ222"
    event = AuditEvent.objects.get(
        action=AuditAction.VIEW, object_type="support.disbursement", object_id="list"
    )
    assert sorted(event.changes["shown"]) == sorted([a1.pk, a2.pk])


def test_province_officer_filters_and_pages(personas, api_for, paid, units):
    client = api_for(personas.province_officer)
    assert client.get(URL).json()["count"] == 3
    data = client.get(URL, {"unit": units.commune_b.code}).json()
    assert data["count"] == 1 and data["total_amount"] == 700_000
    data = client.get(URL, {"from": "2026-03-15", "to": "2026-12-31"}).json()
    assert data["count"] == 1 and data["items"][0]["amount"] == 2_000_000
    data = client.get(URL, {"limit": 1, "offset": 1}).json()
    assert len(data["items"]) == 1 and data["count"] == 3 and data["total_amount"] == 3_700_000
    assert client.get(URL, {"programme": "NQ91"}).json()["count"] == 0
    assert client.get(URL, {"unit": "nope"}).status_code == 422


def test_the_list_does_not_grow_queries_with_its_rows(
    personas, api_for, programme, units, django_assert_max_num_queries
):
    for _ in range(3):
        DisbursementFactory(programme=programme, admin_unit=units.commune_a)
    client = api_for(personas.officer_a)
    client.get(URL)
    for _ in range(10):
        DisbursementFactory(programme=programme, admin_unit=units.commune_a)
    with django_assert_max_num_queries(16):
        assert client.get(URL).json()["count"] == 13


@pytest.mark.parametrize("who", ["viewer", "collaborator_a", "hotline", "chair_a"])
def test_roles_that_do_not_read_support_are_refused(personas, api_for, paid, who):
    client = api_for(getattr(personas, who))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{paid[0].pk}").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="support.disbursement").exists()


def test_anonymous_gets_401(paid):
    client = Client()
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/{paid[0].pk}").status_code == 401
    assert post(client, {}).status_code == 401


# --- one ---------------------------------------------------------------------------------------------


def test_one_disbursement_read_is_audited(personas, api_for, paid):
    a1 = paid[0]
    response = api_for(personas.officer_a).get(f"{URL}/{a1.pk}")
    assert response.status_code == 200 and response.json()["amount"] == 1_000_000
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(a1.pk))
    assert event.object_type == "support.disbursement" and event.actor_id == personas.officer_a.pk


def test_commune_b_officer_gets_404_for_commune_a(personas, api_for, paid):
    response = api_for(personas.officer_b).get(f"{URL}/{paid[0].pk}")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="support.disbursement").exists()


# --- create ------------------------------------------------------------------------------------------


def test_create_with_idempotency_key(personas, api_for, programme, units):
    child = ChildFactory(admin_unit=units.commune_a)
    client = api_for(personas.officer_a)
    first = post(client, _body(child), **{"Idempotency-Key": "pay-1"})
    assert first.status_code == 201 and first.json()["amount"] == 1_200_000
    again = post(client, _body(child), **{"Idempotency-Key": "pay-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    reused = post(client, _body(child, amount=5), **{"Idempotency-Key": "pay-1"})
    assert reused.status_code == 422
    assert Disbursement.objects.count() == 1
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="support.disbursement").count() == 1
    )


def test_create_refuses_bad_input_by_field(personas, api_for, programme, units):
    child = ChildFactory(admin_unit=units.commune_a)
    client = api_for(personas.officer_a)
    response = post(client, _body(child, amount=0, approver=""))
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"amount", "approver"}
    assert post(client, _body(child, programme="NQ0")).json()["detail"].keys() == {"programme"}
    assert post(client, _body(child, unit="nope")).status_code == 422
    assert not Disbursement.objects.exists()


def test_create_for_a_child_of_commune_b_is_refused(personas, api_for, programme, units):
    child_b = ChildFactory(admin_unit=units.commune_b)
    response = post(api_for(personas.officer_a), _body(child_b))
    assert response.status_code == 422 and set(response.json()["detail"]) == {"child"}
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "collaborator_a", "case_manager"])
def test_roles_that_do_not_record_support_cannot_create(personas, api_for, programme, units, who):
    child = ChildFactory(admin_unit=units.commune_a)
    assert post(api_for(getattr(personas, who)), _body(child)).status_code == 403
    assert not Disbursement.objects.exists()


def test_list_by_a_pre_reform_unit_resolved_on_to(personas, api_for, programme, units):
    old = DisbursementFactory(
        programme=programme, admin_unit=units.legacy_a, amount=300_000, paid_on=date(2020, 9, 5)
    )
    DisbursementFactory(programme=programme, admin_unit=units.commune_b, amount=1, paid_on=date(2020, 9, 5))
    client = api_for(personas.province_officer)
    data = client.get(URL, {"unit": units.district_a.code, "from": "2020-01-01", "to": "2020-12-31"}).json()
    assert [i["id"] for i in data["items"]] == [old.pk] and data["total_amount"] == 300_000
    data = client.get(URL, {"unit": units.legacy_a.code, "from": "2020-01-01", "to": "2020-12-31"}).json()
    assert data["count"] == 1 and data["items"][0]["unit"] == units.legacy_a.code
    # Its officer reads the historic payment too.
    assert api_for(personas.officer_a).get(f"{URL}/{old.pk}").status_code == 200
