"""The clocks of a case: 12 elapsed hours for safety, 5 working days for the plan (across a weekend and
across Tết 2026), review dates from the approved plan; met, cancelled, and the earliest kept on the case."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from mangnon.cases import deadlines, services
from mangnon.cases.codes import DeadlineKind
from mangnon.cases.models import Deadline
from mangnon.cases.tests.factories import ContactChildFactory
from mangnon.cases.tests.steps import advance, step_data
from mangnon.cases.workflow import Status
from mangnon.core.calendar import calendar_exception_set
from mangnon.core.models import CalendarDayKind

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
END = time.max


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def test_safety_is_twelve_elapsed_hours_through_the_night_and_weekend():
    assert deadlines.safety_due(at(2026, 3, 6, 16, 30)) == at(2026, 3, 7, 4, 30)  # Friday -> Saturday
    assert deadlines.safety_due(at(2026, 2, 13, 21, 30)) == at(2026, 2, 14, 9, 30)  # into Tết's weekend


def test_plan_is_the_end_of_the_fifth_working_day_after_the_day_of_receipt_across_a_weekend():
    # Friday afternoon: Mon 9, Tue 10, Wed 11, Thu 12, Fri 13 March.
    assert deadlines.plan_due(at(2026, 3, 6, 16, 30)) == datetime.combine(date(2026, 3, 13), END, tzinfo=VN)
    # Received on a Saturday: the weekend does not count, Mon 9 is the first working day.
    assert deadlines.plan_due(at(2026, 3, 7, 10, 0)) == datetime.combine(date(2026, 3, 13), END, tzinfo=VN)


def test_plan_deadline_across_tet_2026():
    # Tết Bính Ngọ: Monday 16 to Friday 20 February 2026 are days off (holidays' Vietnamese calendar).
    # Thursday 12/02: Fri 13 (1), Mon 23 (2), Tue 24 (3), Wed 25 (4), Thu 26 (5).
    assert deadlines.plan_due(at(2026, 2, 12, 10, 0)) == datetime.combine(date(2026, 2, 26), END, tzinfo=VN)
    # Friday 13/02 at night: Mon 23 ... Fri 27.
    assert deadlines.plan_due(at(2026, 2, 13, 21, 30)) == datetime.combine(date(2026, 2, 27), END, tzinfo=VN)


def test_an_announced_day_off_moves_the_plan_deadline(personas):
    calendar_exception_set(actor=personas.system_admin, date=date(2026, 3, 10), kind=CalendarDayKind.DAY_OFF)
    assert deadlines.plan_due(at(2026, 3, 6, 16, 30)) == datetime.combine(date(2026, 3, 16), END, tzinfo=VN)


def test_settings_change_the_clocks(settings):
    settings.MANGNON_CASE_SAFETY_HOURS = 24
    settings.MANGNON_CASE_PLAN_WORKING_DAYS = 7
    assert deadlines.safety_due(at(2026, 3, 6, 16, 30)) == at(2026, 3, 7, 16, 30)
    assert deadlines.plan_due(at(2026, 3, 6, 16, 30)) == datetime.combine(date(2026, 3, 17), END, tzinfo=VN)


def _open(personas, received_at):
    row = ContactChildFactory(contact__received_at=received_at, contact__counsellor=personas.hotline)
    return services.case_open(actor=personas.officer_a, contact=row.contact).case


def _kinds(case):
    return [(d.kind, d.due_at, d.met_at is not None, d.cancelled) for d in case.deadlines.order_by("due_at")]


def test_opening_sets_safety_and_plan_and_the_next_deadline(personas):
    case = _open(personas, at(2026, 2, 12, 10, 0))
    assert _kinds(case) == [
        (DeadlineKind.SAFETY, at(2026, 2, 12, 22, 0), False, False),
        (DeadlineKind.PLAN, datetime.combine(date(2026, 2, 26), END, tzinfo=VN), False, False),
    ]
    assert case.next_due_at == at(2026, 2, 12, 22, 0)


def test_assessment_meets_safety_and_the_plan_becomes_next(personas):
    case = _open(personas, at(2026, 3, 6, 16, 30))
    advance(case, Status.ASSESSED, officer=personas.officer_a, chair=personas.chair_a)
    safety = case.deadlines.get(kind=DeadlineKind.SAFETY)
    assert safety.met_at is not None
    assert case.next_due_at == datetime.combine(date(2026, 3, 13), END, tzinfo=VN)


def test_the_emergency_branch_meets_safety_and_keeps_the_plan_deadline(personas):
    case = _open(personas, at(2026, 3, 6, 16, 30))
    services.case_transition(
        actor=personas.officer_a, case=case, to=Status.EMERGENCY, version=case.version,
        data=step_data(case, Status.EMERGENCY),
    )  # fmt: skip
    assert case.emergency is True
    assert case.deadlines.get(kind=DeadlineKind.SAFETY).met_at is not None
    plan = case.deadlines.get(kind=DeadlineKind.PLAN)
    assert plan.met_at is None and not plan.cancelled
    assert case.next_due_at == plan.due_at


def test_the_plan_meets_its_deadline_and_approval_brings_the_review_dates(personas):
    case = _open(personas, at(2026, 3, 6, 16, 30))
    advance(case, Status.PLAN_DRAFTED, officer=personas.officer_a, chair=personas.chair_a)
    assert case.deadlines.get(kind=DeadlineKind.PLAN).met_at is not None
    assert case.next_due_at is None  # nothing open until the plan is approved
    advance(case, Status.PLAN_APPROVED, officer=personas.officer_a, chair=personas.chair_a)
    review = case.deadlines.get(kind=DeadlineKind.REVIEW)
    review_day = timezone.localdate() + timedelta(days=30)
    assert review.due_at == datetime.combine(review_day, END, tzinfo=VN)
    assert case.next_due_at == review.due_at


def test_review_meets_the_review_deadline_and_closing_cancels_what_is_left(personas):
    case = _open(personas, at(2026, 3, 6, 16, 30))
    advance(case, Status.PLAN_DRAFTED, officer=personas.officer_a, chair=personas.chair_a)
    # A plan with two review dates: the review step meets the earliest, closing cancels the other.
    data = step_data(case, Status.PLAN_DRAFTED)
    today = timezone.localdate()
    data["review_dates"] = [
        (today + timedelta(days=10)).isoformat(),
        (today + timedelta(days=40)).isoformat(),
    ]
    services.case_transition(
        actor=personas.chair_a,
        case=case,
        to=Status.INVESTIGATING,
        version=case.version,
        reason="Thiếu dịch vụ",
    )
    services.case_transition(
        actor=personas.officer_a, case=case, to=Status.PLAN_DRAFTED, version=case.version, data=data
    )
    advance(case, Status.REVIEWED, officer=personas.officer_a, chair=personas.chair_a)
    reviews = list(case.deadlines.filter(kind=DeadlineKind.REVIEW).order_by("due_at"))
    assert [r.met_at is not None for r in reviews] == [True, False]
    advance(case, Status.CLOSED, officer=personas.officer_a, chair=personas.chair_a)
    assert case.deadlines.filter(met_at__isnull=True, cancelled=False).count() == 0
    assert case.next_due_at is None


def test_a_new_plan_cancels_the_old_review_dates_and_reopening_sets_a_new_plan_deadline(personas):
    case = _open(personas, at(2026, 3, 6, 16, 30))
    advance(case, Status.REVIEWED, officer=personas.officer_a, chair=personas.chair_a, safe=False)
    services.case_transition(
        actor=personas.officer_a, case=case, to=Status.PLAN_DRAFTED, version=case.version,
        data=step_data(case, Status.PLAN_DRAFTED), reason="Trẻ vẫn còn nguy cơ",
    )  # fmt: skip
    assert not case.deadlines.filter(kind=DeadlineKind.REVIEW, met_at__isnull=True, cancelled=False).exists()
    case.refresh_from_db()
    advance(case, Status.CLOSED, officer=personas.officer_a, chair=personas.chair_a)
    before = timezone.now()
    services.case_transition(
        actor=personas.officer_a, case=case, to=Status.INVESTIGATING, version=case.version, reason="Tái diễn"
    )
    reopened = case.deadlines.filter(kind=DeadlineKind.PLAN, met_at__isnull=True, cancelled=False).get()
    assert reopened.due_at == deadlines.plan_due(before)
    assert case.next_due_at == reopened.due_at and case.closed_at is None


def test_next_due_is_the_earliest_open_deadline(personas):
    case = _open(personas, at(2026, 3, 6, 16, 30))
    Deadline.objects.filter(case=case, kind=DeadlineKind.SAFETY).update(cancelled=True)
    assert deadlines.refresh_next_due(case) == datetime.combine(date(2026, 3, 13), END, tzinfo=VN)
