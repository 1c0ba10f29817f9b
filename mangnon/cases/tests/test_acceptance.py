"""Issue 4's acceptance, end to end through the API: a 111 call becomes a case; the 12-hour and
5-working-day deadlines hold across a weekend and across Tết 2026; only the chairperson approves the
plan; the case closes only after a Mẫu 06 review that says the child is safe; every step is in the
audit trail (and the trail's chain still verifies)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mangnon.cases.models import Case
from mangnon.cases.tests.factories import ContactFactory
from mangnon.cases.tests.steps import step_data
from mangnon.cases.workflow import Status
from mangnon.core import audit
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.intake.models import ContactChild, Line

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _call_111(personas, received_at: datetime, name: str):
    """A counsellor of the 111 line takes a call about a child recorded only by name, sex and age."""
    line, _ = Line.objects.get_or_create(number="111", defaults={"name": "Tổng đài 111"})
    contact = ContactFactory(counsellor=personas.hotline, line=line, received_at=received_at)
    ContactChild.objects.create(contact=contact, name=name, sex="M", age=10)
    return contact


def _due(data, step):
    return datetime.fromisoformat(next(d["due_at"] for d in data["deadlines"] if d["step"] == step))


def test_a_call_becomes_a_case_that_runs_the_decree_56_cycle(personas, api_for):
    officer, chair = api_for(personas.officer_a), api_for(personas.chair_a)

    # Friday night before Tết Bính Ngọ (days off Monday 16 to Friday 20 February 2026).
    contact = _call_111(personas, datetime(2026, 2, 13, 21, 30, tzinfo=VN), "Đặng Minh Khôi")
    opened = post(officer, "/api/v1/cases", {"contact": contact.pk})
    assert opened.status_code == 201, opened.content
    case = opened.json()
    assert case["child_name"] == "Đặng Minh Khôi" and case["status"] == "received"
    assert _due(case, "safety") == datetime(2026, 2, 14, 9, 30, tzinfo=VN)  # 12 hours, through the night
    # 5 working days: Mon 23, Tue 24, Wed 25, Thu 26, Fri 27 February; the end of that day.
    assert _due(case, "plan") == datetime(2026, 2, 27, 23, 59, 59, 999000, tzinfo=VN)

    # A Friday-afternoon call across an ordinary weekend: due Saturday 04:30 and Friday 13 March.
    weekend = _call_111(personas, datetime(2026, 3, 6, 16, 30, tzinfo=VN), "Lò Văn Páo")
    other = post(officer, "/api/v1/cases", {"contact": weekend.pk}).json()
    assert _due(other, "safety") == datetime(2026, 3, 7, 4, 30, tzinfo=VN)
    assert _due(other, "plan") == datetime(2026, 3, 13, 23, 59, 59, 999000, tzinfo=VN)

    row = Case.objects.get(pk=case["id"])
    url = f"/api/v1/cases/{case['id']}/transitions"

    def step(client, to, *, safe=True, reason="", expect=200):
        row.refresh_from_db()
        body = {"to": to, "version": row.version, "reason": reason, **step_data(row, to, safe=safe)}
        response = post(client, url, body)
        assert response.status_code == expect, response.content
        return response.json()

    # Closing straight away is not in the table.
    refused = step(officer, Status.CLOSED, expect=409)
    assert refused["error"] == "transition_not_allowed" and refused["detail"]["allowed"] == [
        "assessed",
        "emergency",
    ]
    step(officer, Status.ASSESSED)
    step(officer, Status.INVESTIGATING)
    drafted = step(officer, Status.PLAN_DRAFTED)
    assert next(d for d in drafted["deadlines"] if d["step"] == "plan")["met_at"] is not None

    # The plan is approved by the chairperson only.
    assert step(officer, Status.PLAN_APPROVED, expect=403)["error"] == "forbidden"
    approved = step(chair, Status.PLAN_APPROVED)
    assert approved["status"] == "plan_approved" and approved["steps"][-1]["form"] == "05"
    step(officer, Status.IN_SERVICE)

    # A review that still finds risk does not close the case: back to planning.
    step(officer, Status.REVIEWED, safe=False)
    assert step(officer, Status.CLOSED, expect=409)["error"] == "still_at_risk"
    step(officer, Status.PLAN_DRAFTED, reason="Bố vẫn tiếp cận được trẻ")
    step(chair, Status.PLAN_APPROVED)
    step(officer, Status.IN_SERVICE)
    step(officer, Status.REVIEWED)
    closed = step(officer, Status.CLOSED)
    assert closed["status"] == "closed" and closed["closed_at"] is not None and closed["next_due_at"] is None

    # Every step is in the audit trail, by the person who took it, and the chain holds.
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case["id"]))
    assert events.filter(action=AuditAction.CREATE).count() == 1
    taken = [
        (e.changes["step"], e.actor_username) for e in events.filter(action=AuditAction.UPDATE).order_by("id")
    ]
    assert taken == [
        ("assess", "p-commune-a"),
        ("investigate", "p-commune-a"),
        ("draft_plan", "p-commune-a"),
        ("approve_plan", "p-chair-a"),
        ("start_services", "p-commune-a"),
        ("review", "p-commune-a"),
        ("replan", "p-commune-a"),
        ("approve_plan", "p-chair-a"),
        ("start_services", "p-commune-a"),
        ("review", "p-commune-a"),
        ("close", "p-commune-a"),
    ]
    step_ids = {e.changes["step_id"] for e in events.filter(action=AuditAction.UPDATE)}
    assert step_ids == set(row.steps.exclude(name="open").values_list("pk", flat=True))
    assert audit.verify().ok

    # Commune B's officer never sees it.
    other_commune = api_for(personas.officer_b)
    assert other_commune.get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert other_commune.get("/api/v1/cases").json()["count"] == 0
