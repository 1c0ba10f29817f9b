"""Valid form fields for each step of the cycle, and a helper that takes a case through the cycle with
the services (so tests of a later step start from a case that really went through the earlier ones)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from mangnon.cases import services
from mangnon.cases.models import Case
from mangnon.cases.workflow import Status


def meeting_day(case: Case) -> str:
    """A meeting date on or after the day of receipt, never in the future."""
    received = timezone.localtime(case.received_at).date()
    return min(received + timedelta(days=3), timezone.localdate()).isoformat()


def step_data(case: Case, to: str, *, safe: bool = True) -> dict[str, Any]:
    """Valid fields of the form the step to `to` fills in, for the case's current status."""
    today = timezone.localdate()
    received = timezone.localtime(case.received_at)
    if to == Status.ASSESSED:
        return {"safety_assessment": "Trẻ có vết bầm ở tay, không nguy hiểm đến tính mạng."}
    if to == Status.EMERGENCY:
        return {
            "safety_assessment": "Trẻ bị đánh nặng, bố vẫn ở nhà.",
            "serious_danger": True,
            "measures": ["emergency_intervention", "temporary_separation"],
            "measures_applied_at": (received + timedelta(hours=5)).isoformat(),
            "placement": "Nhà bà ngoại, tổ 7",
        }
    if to == Status.INVESTIGATING and case.status in (Status.ASSESSED, Status.EMERGENCY):
        return {
            "information_collected": "Đã gặp trẻ, mẹ, giáo viên chủ nhiệm.",
            "meeting_on": meeting_day(case),
            "participants": "Cán bộ xã, công an xã, hội phụ nữ",
            "needs": "Hỗ trợ tâm lý, an toàn tại nhà.",
        }
    if to == Status.PLAN_DRAFTED:
        return {
            "goals": "Trẻ được an toàn và ổn định tâm lý trong 3 tháng.",
            "responsible": "Cán bộ bảo vệ trẻ em xã",
            "review_dates": [(today + timedelta(days=30)).isoformat()],
            "services": [
                {"service_type": "psychological", "description": "Tư vấn tâm lý hằng tuần"},
                {"service_type": "medical", "start": today.isoformat()},
            ],
        }
    if to == Status.PLAN_APPROVED:
        return {
            "decision_number": "15/QĐ-UBND",
            "decision_date": today.isoformat(),
            "signer": "Chủ tịch UBND",
        }
    if to == Status.REVIEWED:
        return {
            "harm": "low" if safe else "medium",
            "abuser_access": "low",
            "obstacles": "low",
            "child_capacity": "medium",
            "child_stable": safe,
            "conclusion": "Trẻ an toàn, đi học đều." if safe else "Còn nguy cơ.",
        }
    return {}


PATH = (
    Status.ASSESSED,
    Status.INVESTIGATING,
    Status.PLAN_DRAFTED,
    Status.PLAN_APPROVED,
    Status.IN_SERVICE,
    Status.REVIEWED,
    Status.CLOSED,
)


def advance(case: Case, until: str, *, officer: Any, chair: Any, safe: bool = True) -> Case:
    """Take the case along the ordinary path from where it is until its status is `until` (the chair
    approves the plan, the officer takes every other step)."""
    start = PATH.index(case.status) + 1 if case.status in PATH else 0
    for target in PATH[start:]:
        if case.status == until:
            break
        actor = chair if target == Status.PLAN_APPROVED else officer
        services.case_transition(
            actor=actor, case=case, to=target, version=case.version, data=step_data(case, target, safe=safe)
        )
    return case
