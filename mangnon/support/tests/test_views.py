"""The support pages: the list (scoped, filtered, paginated, total shown, audited), recording a payment
(idempotent submit, errors by field, nothing written on bad input), the programmes page; forbidden for
commune B, for roles that do not read support and for anonymous users."""

from __future__ import annotations

import re
from datetime import date

import pytest

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.tests.factories import ChildFactory
from mangnon.support.models import Disbursement, Programme
from mangnon.support.tests.factories import DisbursementFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

LIST = "/support/"
NEW = "/support/new/"
PROGRAMMES = "/support/programmes/"


def _ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-disbursement-id="(\d+)"', response.content.decode())]


@pytest.fixture
def programme(units):
    return ProgrammeFactory(code="NQ222", province=units.province)


@pytest.fixture
def paid(units, programme):
    a = DisbursementFactory(programme=programme, admin_unit=units.commune_a, amount=1_000_000)
    b = DisbursementFactory(programme=programme, admin_unit=units.commune_b, amount=700_000)
    return a, b


def test_commune_officer_sees_their_commune_with_total_audited(personas, client_for, paid):
    a, _b = paid
    response = client_for(personas.officer_a).get(LIST)
    assert response.status_code == 200
    assert _ids(response) == [a.pk]
    assert response.context["amount"] == 1_000_000 and response.context["count"] == 1
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="support.disbursement")
    assert event.changes["shown"] == [a.pk]


def test_province_officer_filters_and_pages(personas, client_for, paid, units, programme):
    client = client_for(personas.province_officer)
    assert sorted(_ids(client.get(LIST))) == sorted(p.pk for p in paid)
    response = client.get(LIST, {"commune": units.commune_b.pk})
    assert _ids(response) == [paid[1].pk] and response.context["amount"] == 700_000
    assert client.get(LIST, {"start": "01/04/2026"}).context["count"] == 0
    assert client.get(LIST, {"start": "01/04/2026", "end": "01/01/2026"}).status_code == 400
    for _ in range(30):
        DisbursementFactory(programme=programme, admin_unit=units.commune_a)
    page2 = client.get(LIST, {"page": 2})
    assert len(_ids(page2)) == 7 and page2.context["count"] == 32


def test_the_list_does_not_grow_queries(
    personas, client_for, programme, units, django_assert_max_num_queries
):
    client = client_for(personas.officer_a)
    for _ in range(2):
        DisbursementFactory(programme=programme, admin_unit=units.commune_a)
    client.get(LIST)
    for _ in range(15):
        DisbursementFactory(programme=programme, admin_unit=units.commune_a)
    with django_assert_max_num_queries(25):
        assert client.get(LIST).status_code == 200


@pytest.mark.parametrize("who", ["viewer", "collaborator_a", "hotline", "chair_a"])
def test_roles_that_do_not_read_support_are_refused(personas, client_for, paid, who):
    client = client_for(getattr(personas, who))
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="support.disbursement").exists()


def test_commune_b_officer_never_sees_commune_a(personas, client_for, paid, units):
    client = client_for(personas.officer_b)
    assert _ids(client.get(LIST)) == [paid[1].pk]
    assert client.get(LIST, {"commune": units.commune_a.pk}).status_code == 400  # not a choice offered


def test_anonymous_is_sent_to_log_in(client):
    for url in (LIST, NEW, PROGRAMMES):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_record_a_payment_once(personas, client_for, programme, units):
    child = ChildFactory(admin_unit=units.commune_a)
    client = client_for(personas.officer_a)
    form = client.get(NEW)
    assert form.status_code == 200
    data = {
        "submission": "s-1", "programme": programme.pk, "child": child.pk, "amount": "1500000",
        "paid_on": "02/03/2026", "approver": "QĐ 45/QĐ-UBND", "commune": "",
    }  # fmt: skip
    response = client.post(NEW, data)
    assert response.status_code == 302
    assert client.post(NEW, data).status_code == 302  # the same form sent twice
    d = Disbursement.objects.get()
    assert (d.amount, d.paid_on, d.admin_unit) == (1_500_000, date(2026, 3, 2), units.commune_a)
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="support.disbursement").count() == 1
    )


def test_bad_payment_writes_nothing(personas, client_for, programme, units):
    child_b = ChildFactory(admin_unit=units.commune_b)
    client = client_for(personas.officer_a)
    data = {
        "submission": "s-2", "programme": programme.pk, "child": child_b.pk, "amount": "1,5",
        "paid_on": "02/03/2026", "approver": "",
    }  # fmt: skip
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"amount", "approver"}
    response = client.post(NEW, {**data, "amount": "100000", "approver": "QĐ 1"})
    assert response.status_code == 400 and set(response.context["form"].errors) == {"child"}
    assert not Disbursement.objects.exists()


def test_programmes_page(personas, client_for, programme, units):
    response = client_for(personas.officer_a).get(PROGRAMMES)
    assert response.status_code == 200 and response.context["form"] is None
    assert 'data-programme="NQ222"' in response.content.decode()
    assert client_for(personas.officer_a).post(PROGRAMMES, {"code": "X"}).status_code == 403
    assert client_for(personas.viewer).get(PROGRAMMES).status_code == 403
    client = client_for(personas.province_officer)
    assert client.get(PROGRAMMES).context["form"] is not None
    response = client.post(
        PROGRAMMES,
        {
            "code": "NQ91", "name": "Hỗ trợ học tập", "legal_basis": "NQ 91/2017/NQ-HĐND", "kind": "study",
            "eligible_groups": ["a", "d"], "active_from": "01/01/2018", "active_to": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    created = Programme.objects.get(code="NQ91")
    assert created.eligible_groups == ["a", "d"] and created.province == units.province
    assert (
        client.post(
            PROGRAMMES, {"code": "NQ91", "name": "x", "kind": "study", "active_from": "01/01/2018"}
        ).status_code
        == 400
    )
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="support.programme").count() == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_scoped_and_audited_before_it_leaves(personas, client_for, paid, fmt):
    response = client_for(personas.officer_a).get(f"/support/export.{fmt}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        assert str(paid[0].pk) in text and "1000000" in text and f"\n{paid[1].pk}," not in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="support.disbursement")
    assert event.changes["rows"] == 1 and event.changes["amount"] == 1_000_000
    assert event.actor_id == personas.officer_a.pk


def test_export_refused_without_support_view_or_with_bad_filters(personas, client_for, paid, client):
    assert client_for(personas.viewer).get("/support/export.csv").status_code == 403
    assert client.get("/support/export.csv").status_code == 302
    officer = client_for(personas.officer_a)
    assert officer.get("/support/export.pdf").status_code == 404
    assert officer.get("/support/export.csv", {"start": "x"}).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


FIGURES = "/support/figures/"


def test_figures_for_a_unit_and_period(personas, client_for, paid, units):
    client = client_for(personas.viewer)  # leadership reads figures, never the payments
    response = client.get(FIGURES)
    assert response.status_code == 200
    assert response.context["result"].unit == units.province.code
    response = client.get(FIGURES, {"unit": units.commune_a.pk, "start": "01/01/2026", "end": "31/12/2026"})
    assert response.status_code == 200
    r = response.context["result"]
    assert (r.disbursements, r.disbursed_amount, r.children_supported) == (1, 1_000_000, 1)
    assert 'data-kind="study"' in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_figures_scope(personas, client_for, units, client):
    officer_b = client_for(personas.officer_b)
    assert officer_b.get(FIGURES).context["result"].unit == units.commune_b.code
    params = {"unit": units.commune_a.pk, "start": "01/01/2026", "end": "31/12/2026"}
    assert officer_b.get(FIGURES, params).status_code == 400  # not a unit offered
    assert client_for(personas.collaborator_a).get(FIGURES).status_code == 403
    assert client.get(FIGURES).status_code == 302
    assert (
        officer_b.get(FIGURES, {**params, "unit": units.commune_b.pk, "end": "01/01/2025"}).status_code == 400
    )
