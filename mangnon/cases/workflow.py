"""The Decree 56/2017 support-and-intervention cycle as an explicit transition table.

    received ──► assessed ──────────────► investigating ──► plan_drafted ──► plan_approved ──► in_service
        │                                      ▲  ▲              │                                │
        └──► emergency ────────────────────────┘  └── returned ──┘                                ▼
                                                                        plan_drafted ◄──── reviewed ──► closed
                                                                                                          │
                                                    investigating ◄──────── reopened ─────────────────────┘

Each allowed (from, to) pair names the Decree 56 form it captures, the action (accounts.roles) the actor
needs at the case's commune, and whether a reason must be given. One service per transition
(cases.services.case_transition dispatches on this table); a history row (CaseStep) per change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.roles import Action


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")  # Mẫu 01
    ASSESSED = "assessed", _("Initial assessment done")  # Mẫu 02
    EMERGENCY = "emergency", _("Emergency intervention")  # Mẫu 02, art. 31-32
    INVESTIGATING = "investigating", _("Detailed assessment")  # Mẫu 03
    PLAN_DRAFTED = "plan_drafted", _("Plan drafted")  # Mẫu 04
    PLAN_APPROVED = "plan_approved", _("Plan approved")  # Mẫu 05
    IN_SERVICE = "in_service", _("Services under way")
    REVIEWED = "reviewed", _("Reviewed")  # Mẫu 06
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(Status) - {Status.CLOSED}


class Form(models.TextChoices):
    """The forms of the Decree 56 appendix a step fills in."""

    M01 = "01", _("Form 01: report on receiving information")
    M02 = "02", _("Form 02: initial assessment of safety and harm")
    M03 = "03", _("Form 03: detailed assessment and meeting")
    M04 = "04", _("Form 04: support and intervention plan")
    M05 = "05", _("Form 05: decision approving the plan")
    M06 = "06", _("Form 06: review of the plan's results")
    NONE = "", _("No form")


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    name: str  # stable code, recorded on the history row
    form: Form
    action: Action
    needs_reason: bool = False


T = Transition
TRANSITIONS: tuple[Transition, ...] = (
    T(Status.RECEIVED, Status.ASSESSED, "assess", Form.M02, Action.CASE_WORK),
    T(Status.RECEIVED, Status.EMERGENCY, "emergency", Form.M02, Action.CASE_WORK),
    T(Status.ASSESSED, Status.INVESTIGATING, "investigate", Form.M03, Action.CASE_WORK),
    T(Status.EMERGENCY, Status.INVESTIGATING, "investigate", Form.M03, Action.CASE_WORK),
    T(Status.INVESTIGATING, Status.PLAN_DRAFTED, "draft_plan", Form.M04, Action.CASE_WORK),
    T(Status.PLAN_DRAFTED, Status.PLAN_APPROVED, "approve_plan", Form.M05, Action.CASE_APPROVE_PLAN),
    T(Status.PLAN_DRAFTED, Status.INVESTIGATING, "return_plan", Form.NONE, Action.CASE_APPROVE_PLAN, True),
    T(Status.PLAN_APPROVED, Status.IN_SERVICE, "start_services", Form.NONE, Action.CASE_WORK),
    T(Status.IN_SERVICE, Status.REVIEWED, "review", Form.M06, Action.CASE_WORK),
    T(Status.REVIEWED, Status.CLOSED, "close", Form.NONE, Action.CASE_WORK),
    T(Status.REVIEWED, Status.PLAN_DRAFTED, "replan", Form.M04, Action.CASE_WORK, True),
    T(Status.CLOSED, Status.INVESTIGATING, "reopen", Form.NONE, Action.CASE_WORK, True),
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


def transition(source: str, target: str) -> Transition | None:
    return _BY_PAIR.get((Status(source), Status(target))) if target in Status.values else None


def allowed_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]


class Rating(models.TextChoices):
    """Mẫu 06 ratings."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
