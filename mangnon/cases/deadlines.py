"""The clocks of a Decree 56 case: what falls due when, and which step meets it.

- **safety** — the initial assessment of safety and harm (Mẫu 02) and, where the child's life, health
  or dignity is in serious danger, emergency measures: within 12 hours of receiving the information
  (art. 26, 31-32). Elapsed hours, nights, weekends and holidays included. Met by "assess" or
  "emergency".
- **plan** — the support and intervention plan (Mẫu 04): within 5 working days of receipt (art. 28),
  i.e. the end of the 5th working day after the day of receipt in Asia/Ho_Chi_Minh, on the working-day
  calendar (weekends, lunar holidays, announced days off). Met by "draft_plan". A reopened case gets a
  new plan deadline counted from the day it was reopened.
- **review** — each review date of the approved plan (the end of that day). Created when the
  chairperson approves the plan; a "review" step meets the earliest one still open.

The emergency branch keeps the plan deadline. The decree says the 5-day rule applies "not in
emergencies": in an emergency the protective measures come first, within 12 hours, and do not wait for
a plan. It does not say an emergency case needs no plan, and a child placed away from their family needs
one at least as soon as any other. Dropping the deadline would take exactly the most serious cases off
the overdue lists, so the 5 working days stay the outer limit there too.

A closed case cancels what is still open; a new plan cancels the review dates of the one it replaces.
Cancelled and met deadlines are kept. `Case.next_due_at` is always the earliest open deadline, so lists
sort and filter on one indexed column.

Settings: MANGNON_CASE_SAFETY_HOURS (default 12), MANGNON_CASE_PLAN_WORKING_DAYS (default 5).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.conf import settings
from django.db.models import Min

from mangnon.core.calendar import VN_TZ, deadline_within_hours, deadline_within_working_days

from .codes import DeadlineKind
from .models import Case, Deadline

SAFETY_HOURS = 12
PLAN_WORKING_DAYS = 5


def safety_hours() -> float:
    return float(getattr(settings, "MANGNON_CASE_SAFETY_HOURS", SAFETY_HOURS))


def plan_working_days() -> int:
    return int(getattr(settings, "MANGNON_CASE_PLAN_WORKING_DAYS", PLAN_WORKING_DAYS))


def safety_due(received_at: datetime) -> datetime:
    return deadline_within_hours(received_at, safety_hours())


def plan_due(start: datetime) -> datetime:
    return deadline_within_working_days(start, plan_working_days())


def review_due(day: date) -> datetime:
    """The end of a review date in Vietnam: the whole day is available, as for working-day deadlines."""
    return datetime.combine(day, time.max, tzinfo=VN_TZ)


def _open(case: Case, kind: str | None = None) -> list[Deadline]:
    qs = Deadline.objects.filter(case=case, met_at__isnull=True, cancelled=False)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("due_at", "pk"))


def _meet_earliest(case: Case, kind: str, at: datetime) -> None:
    found = _open(case, kind)
    if found:
        Deadline.objects.filter(pk=found[0].pk).update(met_at=at)


def _cancel(case: Case, kind: str | None = None) -> None:
    Deadline.objects.filter(pk__in=[d.pk for d in _open(case, kind)]).update(cancelled=True)


def on_open(case: Case) -> None:
    Deadline.objects.bulk_create(
        [
            Deadline(case=case, kind=DeadlineKind.SAFETY, due_at=safety_due(case.received_at)),
            Deadline(case=case, kind=DeadlineKind.PLAN, due_at=plan_due(case.received_at)),
        ]
    )


def on_step(case: Case, step: str, at: datetime, review_dates: Iterable[date] = ()) -> None:
    """Meet, cancel or create the deadlines a step of the cycle (workflow.Transition.name) affects.

    `review_dates` are the approved plan's, for "approve_plan".
    """
    if step in ("assess", "emergency"):
        _meet_earliest(case, DeadlineKind.SAFETY, at)
    elif step == "draft_plan":
        _meet_earliest(case, DeadlineKind.PLAN, at)
    elif step == "approve_plan":
        _cancel(case, DeadlineKind.REVIEW)
        Deadline.objects.bulk_create(
            [
                Deadline(case=case, kind=DeadlineKind.REVIEW, due_at=review_due(d))
                for d in sorted(review_dates)
            ]
        )
    elif step == "review":
        _meet_earliest(case, DeadlineKind.REVIEW, at)
    elif step == "replan":
        _cancel(case, DeadlineKind.REVIEW)  # the new plan brings its own dates once approved
    elif step == "close":
        _cancel(case)
    elif step == "reopen":
        Deadline.objects.create(case=case, kind=DeadlineKind.PLAN, due_at=plan_due(at))


def next_due(case: Case) -> datetime | None:
    found: datetime | None = Deadline.objects.filter(
        case=case, met_at__isnull=True, cancelled=False
    ).aggregate(first=Min("due_at"))["first"]
    return found


def refresh_next_due(case: Case) -> datetime | None:
    """Store the earliest open deadline on the case (the caller holds the case's transaction)."""
    due = next_due(case)
    Case.objects.filter(pk=case.pk).update(next_due_at=due)
    case.next_due_at = due
    return due
