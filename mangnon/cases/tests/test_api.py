"""The cases API: allowed, forbidden (another commune → 404, wrong role → 403, anonymous → 401) and
audited, on every route; the 409s of the contract (transition_not_allowed with the allowed statuses,
stale, still_at_risk, case_exists, possible_duplicate); Idempotency-Key on create."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from mangnon.cases.models import Case
from mangnon.cases.tests.factories import ContactChildFactory, ContactFactory
from mangnon.cases.tests.steps import advance, step_data
from mangnon.cases.workflow import Status
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.intake.models import ContactChild
from mangnon.registry import matching
from mangnon.registry import services as registry_services
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases"


def post(client: Client, url: str, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def row(personas):
    return ContactChildFactory(
        contact__counsellor=personas.hotline, child__person__full_name="Đặng Minh Khôi"
    )


@pytest.fixture
def opened(personas, api_for, row):
    response = post(api_for(personas.officer_a), URL, {"contact": row.contact.pk})
    assert response.status_code == 201, response.content
    return response.json()


def _case(data) -> Case:
    return Case.objects.get(pk=data["id"])


def _api_views(case_id: int) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="cases.case", object_id=str(case_id), changes__page="api"
    ).count()


# --- create ------------------------------------------------------------------------------------------


def test_create_from_a_contact_gives_status_version_and_deadlines(personas, opened, row):
    assert opened["status"] == "received" and opened["version"] == 1 and opened["number"] == "22-2026-000001"
    assert opened["child"] == row.child_id and opened["contact"] == row.contact_id
    steps = [(d["step"], d["met_at"]) for d in opened["deadlines"]]
    assert steps == [("safety", None), ("plan", None)]
    assert opened["deadlines"][0]["due_at"] == "2026-03-06T21:30:00Z"  # 16:30 +07:00 plus 12 hours
    assert [s["to"] for s in opened["next_steps"]] == ["assessed", "emergency"]
    assert opened["overdue"] is True
    assert AuditEvent.objects.filter(action="create", object_type="cases.case").count() == 1


def test_create_with_the_same_idempotency_key_gives_the_same_case(personas, api_for, row):
    api = api_for(personas.officer_a)
    first = post(api, URL, {"contact": row.contact.pk}, **{"Idempotency-Key": "c-1"})
    again = post(api, URL, {"contact": row.contact.pk}, **{"Idempotency-Key": "c-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Case.objects.count() == 1
    other = post(api, URL, {"contact": row.contact.pk, "place": "Chợ"}, **{"Idempotency-Key": "c-1"})
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"


def test_create_for_a_child_with_form01_fields(personas, api_for, units):
    child = ChildFactory(admin_unit=units.commune_a)
    body = {"child": child.pk, "received_at": "2026-03-02T08:15:00+07:00", "source": "via_someone",
            "family_situation": "Bố mẹ ly hôn"}  # fmt: skip
    response = post(api_for(personas.officer_a), URL, body)
    assert response.status_code == 201
    data = response.json()
    assert data["received_at"] == "2026-03-02T01:15:00Z"
    assert data["steps"][0]["data"]["family_situation"] == "Bố mẹ ly hôn"
    assert data["steps"][0]["data"]["source"] == "via_someone"


def test_create_refusals(personas, api_for, row, units):
    api = api_for(personas.officer_a)
    bad = post(api, URL, {"child": ChildFactory(admin_unit=units.commune_a).pk, "source": "fax"})
    assert bad.status_code == 422 and "source" in bad.json()["detail"]
    assert post(api, URL, {"contact": row.contact.pk, "commune": "99999"}).status_code == 422
    assert post(api, URL, {}).status_code == 422
    assert post(api, URL, {"contact": 999999}).status_code == 404
    assert Case.objects.count() == 0
    first = post(api, URL, {"contact": row.contact.pk})
    again = post(api, URL, {"child": row.child_id})
    assert again.status_code == 409 and again.json() == {
        "error": "case_exists",
        "detail": {"message": again.json()["detail"]["message"], "case": first.json()["id"]},
    }


def test_create_forbidden(personas, api_for, row, units):
    assert post(api_for(personas.officer_b), URL, {"contact": row.contact.pk}).status_code == 404
    child = ChildFactory(admin_unit=units.commune_a)
    assert post(api_for(personas.officer_b), URL, {"child": child.pk}).status_code == 404
    for user in (personas.chair_a, personas.viewer, personas.collaborator_a):
        assert post(api_for(user), URL, {"contact": row.contact.pk}).status_code == 403
    assert post(Client(), URL, {"contact": row.contact.pk}).status_code == 401
    assert Case.objects.count() == 0


def test_a_counsellor_opens_a_case_and_cannot_read_it(personas, api_for, row):
    api = api_for(personas.hotline)
    response = post(api, URL, {"contact": row.contact.pk})
    assert response.status_code == 201
    data = response.json()
    assert set(data) == {"id", "number", "status", "received_at", "next_due_at"}
    assert api.get(f"{URL}/{data['id']}").status_code == 404
    assert api.get(URL).status_code == 403


def test_a_contact_child_matching_a_registered_child_is_decided_first(personas, api_for, units, monkeypatch):
    known = ChildFactory(admin_unit=units.commune_a, person__full_name="Lò Văn Páo")
    contact = ContactFactory(counsellor=personas.hotline)
    ContactChild.objects.create(contact=contact, name="Lò Văn Páo", sex="M", age=9)
    likely = [
        matching.Candidate(child_id=known.pk, score=0.95, level=matching.LIKELY, reasons=["name_exact"])
    ]
    monkeypatch.setattr(registry_services, "duplicate_candidates", lambda **kw: likely)
    api = api_for(personas.officer_a)
    response = post(api, URL, {"contact": contact.pk})
    assert response.status_code == 409 and response.json()["error"] == "possible_duplicate"
    assert response.json()["detail"]["candidates"][0]["id"] == known.pk
    assert AuditEvent.objects.filter(object_type="registry.child", object_id="match").exists()
    response = post(api, URL, {"contact": contact.pk, "child": known.pk})
    assert response.status_code == 201 and response.json()["child"] == known.pk


# --- read --------------------------------------------------------------------------------------------


def test_read_one_case_is_audited(personas, api_for, opened):
    before = _api_views(opened["id"])
    response = api_for(personas.chair_a).get(f"{URL}/{opened['id']}")
    assert response.status_code == 200 and response.json()["next_steps"] == []
    assert _api_views(opened["id"]) == before + 1


def test_read_one_case_forbidden(personas, api_for, opened):
    for user in (personas.officer_b, personas.hotline, personas.viewer, personas.collaborator_a):
        assert api_for(user).get(f"{URL}/{opened['id']}").status_code == 404
    assert Client().get(f"{URL}/{opened['id']}").status_code == 401


def test_list_filters_by_status_and_overdue(personas, api_for, opened, units):
    other = ChildFactory(admin_unit=units.commune_b)
    recent = post(
        api_for(personas.officer_b), URL, {"child": other.pk, "received_at": timezone.now().isoformat()}
    ).json()
    api = api_for(personas.province_officer)
    everything = api.get(URL).json()
    assert everything["count"] == 2
    late = api.get(URL, {"overdue": "true"}).json()
    assert [c["id"] for c in late["items"]] == [opened["id"]] and late["items"][0]["overdue"] is True
    assert [c["id"] for c in api.get(URL, {"overdue": "false"}).json()["items"]] == [recent["id"]]
    assert api.get(URL, {"status": "assessed"}).json()["count"] == 0
    assert api.get(URL, {"commune": units.commune_b.code}).json()["count"] == 1
    assert api.get(URL, {"commune": "nope"}).status_code == 422
    mine = api_for(personas.officer_a).get(URL, {"caseworker": personas.officer_a.pk}).json()
    assert [c["id"] for c in mine["items"]] == [opened["id"]]
    event = AuditEvent.objects.filter(object_type="cases.case", object_id="api_list").last()
    assert event is not None and event.changes["shown"] == [opened["id"]]


def test_list_is_scoped_and_forbidden_to_other_roles(personas, api_for, opened):
    assert api_for(personas.officer_b).get(URL).json()["count"] == 0
    for user in (personas.hotline, personas.viewer):
        assert api_for(user).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401


# --- transitions -------------------------------------------------------------------------------------


def _step(api, data, to, body=None, version=None):
    payload = {"to": to, "version": data["version"] if version is None else version, **(body or {})}
    return post(api, f"{URL}/{data['id']}/transitions", payload)


def test_a_transition_records_the_step(personas, api_for, opened):
    case = _case(opened)
    response = _step(api_for(personas.officer_a), opened, "emergency", step_data(case, Status.EMERGENCY))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "emergency" and data["version"] == 2 and data["emergency"] is True
    safety = next(d for d in data["deadlines"] if d["step"] == "safety")
    assert safety["met_at"] is not None
    assert data["steps"][-1]["data"]["placement"] == "Nhà bà ngoại, tổ 7"
    assert AuditEvent.objects.filter(object_id=str(case.pk), changes__step="emergency").count() == 1


def test_a_transition_the_table_does_not_allow_is_409_with_the_allowed_ones(personas, api_for, opened):
    response = _step(api_for(personas.officer_a), opened, "closed")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "transition_not_allowed" and body["detail"]["allowed"] == [
        "assessed",
        "emergency",
    ]
    assert _step(api_for(personas.officer_a), opened, "flying").status_code == 409


def test_two_officers_on_one_case_the_second_gets_409_stale(personas, api_for, opened):
    case = _case(opened)
    first = _step(api_for(personas.officer_a), opened, "assessed", step_data(case, Status.ASSESSED))
    assert first.status_code == 200
    second = _step(api_for(personas.province_officer), opened, "emergency", step_data(case, Status.EMERGENCY))
    assert second.status_code == 409
    assert second.json()["error"] == "stale" and second.json()["detail"]["version"] == 2
    case.refresh_from_db()
    assert case.status == Status.ASSESSED and not case.emergency and case.steps.count() == 2


def test_bad_form_fields_are_422_by_field(personas, api_for, opened):
    response = _step(api_for(personas.officer_a), opened, "emergency", {"safety_assessment": "x"})
    assert response.status_code == 422
    assert {"serious_danger", "measures", "measures_applied_at"} <= set(response.json()["detail"])
    assert _case(opened).steps.count() == 1


def test_only_the_chairperson_approves_the_plan(personas, api_for, opened):
    case = _case(opened)
    advance(case, Status.PLAN_DRAFTED, officer=personas.officer_a, chair=personas.chair_a)
    body = step_data(case, Status.PLAN_APPROVED)
    data = {"id": case.pk, "version": case.version}
    assert _step(api_for(personas.officer_a), data, "plan_approved", body).status_code == 403
    assert _step(api_for(personas.officer_b), data, "plan_approved", body).status_code == 404
    response = _step(api_for(personas.chair_a), data, "plan_approved", body)
    assert response.status_code == 200 and response.json()["status"] == "plan_approved"
    reviews = [d for d in response.json()["deadlines"] if d["step"] == "review"]
    assert len(reviews) == 1 and reviews[0]["met_at"] is None


def test_closing_needs_a_safe_review(personas, api_for, opened):
    case = _case(opened)
    advance(case, Status.REVIEWED, officer=personas.officer_a, chair=personas.chair_a, safe=False)
    response = _step(api_for(personas.officer_a), {"id": case.pk, "version": case.version}, "closed")
    assert response.status_code == 409 and response.json()["error"] == "still_at_risk"
    assert response.json()["detail"]["allowed"] == ["plan_drafted"]


def test_transitions_forbidden_outside(personas, api_for, opened):
    case = _case(opened)
    body = step_data(case, Status.ASSESSED)
    assert _step(api_for(personas.officer_b), opened, "assessed", body).status_code == 404
    assert _step(api_for(personas.hotline), opened, "assessed", body).status_code == 404
    assert _step(api_for(personas.chair_a), opened, "assessed", body).status_code == 403
    assert _step(Client(), opened, "assessed", body).status_code == 401
    assert _case(opened).steps.count() == 1


# --- assign and the schema ---------------------------------------------------------------------------


def test_assign(personas, api_for, opened):
    url = f"{URL}/{opened['id']}/assign"
    response = post(
        api_for(personas.province_manager), url, {"caseworker": personas.officer_a.pk, "version": 1}
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    assert (
        post(api_for(personas.officer_a), url, {"caseworker": personas.officer_a.pk, "version": 1}).json()[
            "error"
        ]
        == "stale"
    )
    assert (
        post(
            api_for(personas.officer_a), url, {"caseworker": personas.officer_b.pk, "version": 2}
        ).status_code
        == 422
    )
    assert (
        post(api_for(personas.chair_a), url, {"caseworker": personas.officer_a.pk, "version": 2}).status_code
        == 403
    )
    assert (
        post(
            api_for(personas.officer_b), url, {"caseworker": personas.officer_b.pk, "version": 2}
        ).status_code
        == 404
    )
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.UPDATE, object_id=str(opened["id"]), changes__caseworker__isnull=False
        ).count()
        == 1
    )


def test_openapi_lists_the_case_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/transitions"} <= set(paths)


def test_due_within_a_day_is_not_overdue(personas, api_for, units):
    child = ChildFactory(admin_unit=units.commune_a)
    received = (timezone.now() - timedelta(hours=2)).isoformat()
    data = post(api_for(personas.officer_a), URL, {"child": child.pk, "received_at": received}).json()
    assert data["overdue"] is False
    assert api_for(personas.officer_a).get(URL, {"due_soon": "true"}).json()["count"] == 1
