"""What each step of the cycle is called on the pages (workflow.Transition.name -> label)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STEP_LABELS: dict[str, str | Promise] = {
    "open": _("Information received (Form 01)"),
    "assess": _("Initial assessment (Form 02)"),
    "emergency": _("Emergency measures (Form 02)"),
    "investigate": _("Detailed assessment and meeting (Form 03)"),
    "draft_plan": _("Support and intervention plan (Form 04)"),
    "approve_plan": _("Plan approved (Form 05)"),
    "return_plan": _("Plan returned for revision"),
    "start_services": _("Services started"),
    "review": _("Review of the results (Form 06)"),
    "close": _("Case closed"),
    "replan": _("New plan (Form 04)"),
    "reopen": _("Case reopened"),
}


def step_label(name: str) -> str:
    return str(STEP_LABELS.get(name, name))
