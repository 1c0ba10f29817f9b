"""The services of a plan: adding one, starting, delivering (with the date) and cancelling (with the
reason), each versioned and audited; the case page's services section and its forms; the API routes
/api/v1/cases/{id}/services. Allowed, forbidden (another commune → 404, a role that does not work cases
→ 403, anonymous → login / 401) and audited on every page and route."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mangnon.cases import plan_services, services
from mangnon.cases.codes import ServiceStatus
from mangnon.cases.models import Case, CaseService
from mangnon.cases.tests.factories import ContactChildFactory
from mangnon.cases.tests.steps import advance
from mangnon.cases.workflow import Status
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.tests.factories import OrganisationFactory, other_province_commune

pytestmark = pytest.mark.django_db

DESCRIPTION = "Khám và điều trị vết thương ở tay"


@pytest.fixture
def opened(personas):
    row = ContactChildFactory(contact__counsellor=personas.hotline, child__person__full_name="Đặng Minh Khôi")
    return services.case_open(actor=personas.officer_a, contact=row.contact).case


@pytest.fixture
def case(personas, opened):
    """A case whose plan (two services: psychological, medical) the chairperson has approved."""
    return advance(opened, Status.PLAN_APPROVED, officer=personas.officer_a, chair=personas.chair_a)


@pytest.fixture
def hospital(units):
    return OrganisationFactory(
        name="Bệnh viện Bãi Cháy", kind=OrgKind.HOSPITAL, admin_unit=units.province, services=["medical"]
    )


def _service(case: Case, kind: str = "psychological") -> CaseService:
    return case.services.get(service_type=kind)


def _add(personas, case, **kwargs):
    fields = {"service_type": "medical", "description": DESCRIPTION, **kwargs}
    return plan_services.case_service_add(actor=personas.officer_a, case=case, **fields).service


# --- services ----------------------------------------------------------------------------------------


def test_add_a_service_to_the_plan(personas, case, hospital):
    today = timezone.localdate()
    service = _add(
        personas, case, provider=hospital, planned_start=today, planned_end=today + timedelta(days=7)
    )
    assert service.status == ServiceStatus.PLANNED and service.version == 1 and service.provider == hospital
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="cases.caseservice")
    assert event.object_id == str(service.pk) and event.changes["case"] == case.pk
    assert event.changes["provider"] == hospital.pk and DESCRIPTION not in str(event.changes)


def test_adding_is_refused_before_a_plan_and_on_bad_input(personas, units, opened, case, hospital):
    fresh = ContactChildFactory(contact__counsellor=personas.hotline)
    received = services.case_open(actor=personas.officer_a, contact=fresh.contact).case
    with pytest.raises(ValidationError) as err:
        _add(personas, received)
    assert "__all__" in err.value.message_dict
    elsewhere = OrganisationFactory(kind=OrgKind.HOSPITAL, admin_unit=other_province_commune())
    school = OrganisationFactory(kind=OrgKind.SCHOOL, active=False)
    for kwargs, field in (
        ({"service_type": "massage"}, "service_type"),
        ({"provider": elsewhere}, "provider"),
        ({"provider": school}, "provider"),
        ({"description": "x" * 501}, "description"),
        ({"planned_start": timezone.localdate(), "planned_end": timezone.localdate() - timedelta(days=1)},
         "planned_end"),
    ):  # fmt: skip
        with pytest.raises(ValidationError) as err:
            _add(personas, case, **kwargs)
        assert field in err.value.message_dict, kwargs
    assert case.services.count() == 2


def test_only_those_who_work_the_case_add_services(personas, case):
    for user in (personas.chair_a, personas.officer_b, personas.hotline, personas.viewer):
        with pytest.raises(PermissionDenied):
            plan_services.case_service_add(actor=user, case=case, service_type="medical")
    assert plan_services.case_service_add(actor=personas.case_manager, case=case, service_type="legal_aid")


def test_a_retried_add_with_the_same_key_adds_one_service(personas, case):
    first = plan_services.case_service_add(
        actor=personas.officer_a, case=case, service_type="legal_aid", idempotency_key="s-1", request_hash="h"
    )
    again = plan_services.case_service_add(
        actor=personas.officer_a, case=case, service_type="legal_aid", idempotency_key="s-1", request_hash="h"
    )
    assert first.created and not again.created and first.service.pk == again.service.pk
    assert case.services.filter(service_type="legal_aid").count() == 1


def test_start_deliver_and_the_final_statuses(personas, case):
    service = _service(case)
    started = plan_services.case_service_update(
        actor=personas.officer_a, service=service, version=1, status=ServiceStatus.IN_PROGRESS
    )
    assert started.status == ServiceStatus.IN_PROGRESS and started.started_on == timezone.localdate()
    assert started.version == 2
    with pytest.raises(ValidationError) as err:
        plan_services.case_service_update(
            actor=personas.officer_a, service=started, version=2, status=ServiceStatus.DELIVERED
        )
    assert "delivered_on" in err.value.message_dict
    delivered = plan_services.case_service_update(
        actor=personas.officer_a,
        service=started,
        version=2,
        status=ServiceStatus.DELIVERED,
        delivered_on=timezone.localdate(),
    )
    assert delivered.status == ServiceStatus.DELIVERED and delivered.delivered_on == timezone.localdate()
    with pytest.raises(ValidationError):
        plan_services.case_service_update(
            actor=personas.officer_a, service=delivered, version=3, status=ServiceStatus.CANCELLED, reason="x"
        )
    events = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="cases.caseservice")
    assert [e.changes["status"] for e in events] == [["planned", "in_progress"], ["in_progress", "delivered"]]


def test_cancel_needs_a_reason_kept_out_of_the_audit_trail(personas, case):
    service = _service(case, "medical")
    with pytest.raises(ValidationError) as err:
        plan_services.case_service_update(
            actor=personas.officer_a, service=service, version=1, status=ServiceStatus.CANCELLED, reason=" "
        )
    assert "reason" in err.value.message_dict
    cancelled = plan_services.case_service_update(
        actor=personas.officer_a, service=service, version=1, status=ServiceStatus.CANCELLED,
        reason="Gia đình tự đưa trẻ đi khám",
    )  # fmt: skip
    assert (
        cancelled.status == ServiceStatus.CANCELLED
        and cancelled.cancel_reason == "Gia đình tự đưa trẻ đi khám"
    )
    event = AuditEvent.objects.filter(object_type="cases.caseservice").last()
    assert event is not None and event.changes["cancel_reason_changed"] is True
    assert "Gia đình" not in str(event.changes)


def test_dates_are_not_in_the_future_nor_before_receipt_nor_delivered_before_started(personas, case):
    service = _service(case)
    received = timezone.localtime(case.received_at).date()
    for day in (timezone.localdate() + timedelta(days=1), received - timedelta(days=1)):
        with pytest.raises(ValidationError) as err:
            plan_services.case_service_update(
                actor=personas.officer_a, service=service, version=1, status="in_progress", started_on=day
            )
        assert "started_on" in err.value.message_dict
    plan_services.case_service_update(
        actor=personas.officer_a,
        service=service,
        version=1,
        status="in_progress",
        started_on=received + timedelta(days=20),
    )
    with pytest.raises(ValidationError) as err:
        plan_services.case_service_update(
            actor=personas.officer_a, service=service, version=2, status="delivered",
            delivered_on=received + timedelta(days=10),
        )  # fmt: skip
    assert "delivered_on" in err.value.message_dict


def test_a_stale_version_changes_nothing(personas, case):
    service = _service(case)
    plan_services.case_service_update(
        actor=personas.officer_a, service=service, version=1, status="in_progress"
    )
    stale = CaseService.objects.get(pk=service.pk)
    with pytest.raises(services.Conflict) as err:
        plan_services.case_service_update(
            actor=personas.officer_a, service=stale, version=1, status="cancelled", reason="Không cần nữa"
        )
    assert err.value.current_version == 2
    assert CaseService.objects.get(pk=service.pk).status == ServiceStatus.IN_PROGRESS


def test_starting_waits_for_the_approved_plan_but_cancelling_does_not(personas, opened):
    case = advance(opened, Status.PLAN_DRAFTED, officer=personas.officer_a, chair=personas.chair_a)
    service = _service(case)
    assert plan_services.next_statuses(service, case) == ["cancelled"]
    with pytest.raises(ValidationError) as err:
        plan_services.case_service_update(
            actor=personas.officer_a, service=service, version=1, status="in_progress"
        )
    assert "status" in err.value.message_dict
    plan_services.case_service_update(
        actor=personas.officer_a, service=service, version=1, status="cancelled", reason="Kế hoạch thay đổi"
    )


def test_edit_the_provider_description_and_dates(personas, case, hospital):
    service = _service(case, "medical")
    today = timezone.localdate()
    changed = plan_services.case_service_update(
        actor=personas.officer_a,
        service=service,
        version=1,
        changes={"provider": hospital, "description": DESCRIPTION, "planned_end": today + timedelta(days=3)},
    )
    assert changed.provider == hospital and changed.description == DESCRIPTION and changed.version == 2
    event = AuditEvent.objects.filter(object_type="cases.caseservice").last()
    assert event is not None and event.changes["provider"] == [None, hospital.pk]
    assert event.changes["description_changed"] is True and DESCRIPTION not in str(event.changes)


def test_a_closed_case_and_other_officers(personas, case):
    service = _service(case)
    for user in (personas.chair_a, personas.officer_b):
        with pytest.raises(PermissionDenied):
            plan_services.case_service_update(actor=user, service=service, version=1, status="in_progress")
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    service = _service(Case.objects.get(pk=case.pk))
    with pytest.raises(ValidationError):
        plan_services.case_service_update(
            actor=personas.officer_a, service=service, version=1, status="in_progress"
        )


# --- the case page's section and its forms -----------------------------------------------------------


def test_the_section_offers_the_next_statuses_and_the_add_form_to_those_who_work_the_case(
    personas, client_for, case
):
    html = client_for(personas.officer_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="case-services"' in html and html.count("data-service-actions") == 2
    assert 'data-service-to="in_progress"' in html and 'data-service-to="cancelled"' in html
    assert "data-service-add" in html
    # The chairperson reads the plan's services but does not change them.
    html = client_for(personas.chair_a).get(f"/cases/{case.pk}/").content.decode()
    assert html.count('data-service="') == 2 and "data-service-actions" not in html
    assert "data-service-add" not in html
    # The printable case lists them too.
    html = client_for(personas.officer_a).get(f"/cases/{case.pk}/print/").content.decode()
    assert html.count('data-service="') == 2


def test_the_case_page_does_not_grow_in_queries_with_its_services(personas, client_for, case):
    client = client_for(personas.officer_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cases/{case.pk}/").status_code == 200
        return len(ctx.captured_queries)

    client.get(f"/cases/{case.pk}/")
    few = count()
    for _ in range(8):
        _add(personas, case, service_type="education")
    assert count() <= few


def test_add_through_the_page(personas, client_for, case, hospital):
    client = client_for(personas.officer_a)
    url = f"/cases/referrals/case/{case.pk}/services/"
    assert client.get(url).status_code == 200
    views = AuditEvent.objects.filter(object_id=str(case.pk), changes__page="service_add")
    assert views.count() == 1
    data = {"submission": "k-1", "service_type": "medical", "provider": hospital.pk,
            "planned_start": timezone.localdate().strftime("%d/%m/%Y")}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith(f"/cases/{case.pk}/#case-services")
    assert client.post(url, data).status_code == 302  # the same submission again adds nothing
    assert case.services.filter(provider=hospital).count() == 1
    bad = client.post(url, {"submission": "k-2", "service_type": "", "planned_start": "31/02/2026"})
    assert bad.status_code == 400 and b"data-service-errors" in bad.content
    assert case.services.count() == 3


def test_change_through_the_page(personas, client_for, case):
    client = client_for(personas.officer_a)
    service = _service(case)
    url = f"/cases/referrals/case/{case.pk}/services/{service.pk}/"
    response = client.post(url, {"version": 1, "status": "in_progress"})
    assert response.status_code == 302
    assert CaseService.objects.get(pk=service.pk).status == ServiceStatus.IN_PROGRESS
    stale = client.post(url, {"version": 1, "status": "cancelled", "reason": "Trùng"}, follow=True)
    assert b"message-error" in stale.content  # someone changed it meanwhile: nothing changes
    assert CaseService.objects.get(pk=service.pk).status == ServiceStatus.IN_PROGRESS
    client.post(url, {"version": 2, "status": "delivered", "on": timezone.localdate().strftime("%d/%m/%Y")})
    assert CaseService.objects.get(pk=service.pk).status == ServiceStatus.DELIVERED
    assert 'data-status="delivered"' in client.get(f"/cases/{case.pk}/").content.decode()


def test_service_pages_forbidden(personas, client_for, client, case):
    service = _service(case)
    add = f"/cases/referrals/case/{case.pk}/services/"
    change = f"/cases/referrals/case/{case.pk}/services/{service.pk}/"
    assert client_for(personas.officer_b).get(add).status_code == 404
    assert (
        client_for(personas.officer_b).post(change, {"version": 1, "status": "in_progress"}).status_code
        == 404
    )
    assert client_for(personas.chair_a).get(add).status_code == 403
    assert (
        client_for(personas.chair_a).post(change, {"version": 1, "status": "in_progress"}).status_code == 403
    )
    assert client_for(personas.hotline).get(add).status_code == 404
    other = advance(
        services.case_open(actor=personas.officer_a, contact=ContactChildFactory().contact).case,
        Status.PLAN_APPROVED, officer=personas.officer_a, chair=personas.chair_a,
    )  # fmt: skip
    wrong = f"/cases/referrals/case/{other.pk}/services/{service.pk}/"  # a service of another case
    assert (
        client_for(personas.officer_a).post(wrong, {"version": 1, "status": "in_progress"}).status_code == 404
    )
    for url in (add, change):
        response = client.get(url) if url == add else client.post(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    assert CaseService.objects.get(pk=service.pk).status == ServiceStatus.PLANNED


# --- API ---------------------------------------------------------------------------------------------


def _post(client: Client, url: str, data, method: str = "post", **headers):
    call = getattr(client, method)
    return call(url, json.dumps(data), content_type="application/json", headers=headers)


def test_api_lists_the_services_with_the_next_statuses_and_audits(personas, api_for, case):
    url = f"/api/v1/cases/{case.pk}/services"
    data = api_for(personas.officer_a).get(url).json()
    assert sorted(s["service_type"] for s in data) == ["medical", "psychological"]
    assert all(s["next_statuses"] == ["in_progress", "delivered", "cancelled"] for s in data)
    assert all(s["next_statuses"] == [] for s in api_for(personas.chair_a).get(url).json())
    views = AuditEvent.objects.filter(object_id=str(case.pk), changes__page="api_services")
    assert views.count() == 2


def test_api_list_forbidden(personas, api_for, case):
    url = f"/api/v1/cases/{case.pk}/services"
    assert api_for(personas.officer_b).get(url).status_code == 404
    assert api_for(personas.hotline).get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_api_add_with_an_idempotency_key(personas, api_for, case, hospital):
    api = api_for(personas.officer_a)
    url = f"/api/v1/cases/{case.pk}/services"
    body = {"service_type": "medical", "provider": hospital.pk, "start": timezone.localdate().isoformat()}
    first = _post(api, url, body, **{"Idempotency-Key": "svc-1"})
    again = _post(api, url, body, **{"Idempotency-Key": "svc-1"})
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "planned" and first.json()["provider_name"] == "Bệnh viện Bãi Cháy"
    other = _post(api, url, {**body, "description": "khác"}, **{"Idempotency-Key": "svc-1"})
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    bad = _post(api, url, {"service_type": "massage", "provider": 999999})
    assert bad.status_code == 422 and "provider" in bad.json()["detail"]
    bad = _post(api, url, {"service_type": "massage"})
    assert bad.status_code == 422 and "service_type" in bad.json()["detail"]
    assert case.services.count() == 3


def test_api_add_forbidden(personas, api_for, case):
    url = f"/api/v1/cases/{case.pk}/services"
    assert _post(api_for(personas.chair_a), url, {"service_type": "medical"}).status_code == 403
    assert _post(api_for(personas.officer_b), url, {"service_type": "medical"}).status_code == 404
    assert _post(Client(), url, {"service_type": "medical"}).status_code == 401
    assert case.services.count() == 2


def test_api_patch_moves_a_service_along_with_its_version(personas, api_for, case, hospital):
    api = api_for(personas.officer_a)
    service = _service(case)
    url = f"/api/v1/cases/{case.pk}/services/{service.pk}"
    started = _post(api, url, {"version": 1, "status": "in_progress"}, method="patch")
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    assert started.json()["version"] == 2 and started.json()["next_statuses"] == ["delivered", "cancelled"]
    stale = _post(api, url, {"version": 1, "status": "cancelled", "reason": "x"}, method="patch")
    assert stale.status_code == 409 and stale.json()["error"] == "conflict"
    assert stale.json()["detail"]["version"] == 2
    missing = _post(api, url, {"version": 2, "status": "delivered"}, method="patch")
    assert missing.status_code == 422 and "delivered_on" in missing.json()["detail"]
    edited = _post(api, url, {"version": 2, "provider": hospital.pk, "end": None}, method="patch")
    assert edited.status_code == 200 and edited.json()["provider"] == hospital.pk
    done = _post(
        api, url, {"version": 3, "status": "delivered", "delivered_on": timezone.localdate().isoformat()},
        method="patch",
    )  # fmt: skip
    assert done.status_code == 200 and done.json()["delivered_on"] == timezone.localdate().isoformat()
    assert done.json()["next_statuses"] == []


def test_api_patch_forbidden(personas, api_for, case):
    service = _service(case)
    url = f"/api/v1/cases/{case.pk}/services/{service.pk}"
    body = {"version": 1, "status": "in_progress"}
    assert _post(api_for(personas.chair_a), url, body, method="patch").status_code == 403
    assert _post(api_for(personas.officer_b), url, body, method="patch").status_code == 404
    assert _post(Client(), url, body, method="patch").status_code == 401
    assert _post(api_for(personas.officer_a), f"{url}0", body, method="patch").status_code == 404
    assert CaseService.objects.get(pk=service.pk).status == ServiceStatus.PLANNED
