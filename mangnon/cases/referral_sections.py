"""Case-page sections for the services of the plan and for referrals (registered with cases.sections);
importing this module also adds the referrals' menu entry."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action

from . import plan_services, referral_navigation  # noqa: F401 (the menu entry)
from .models import Case
from .referral_forms import ServiceAddForm
from .referral_selectors import case_referrals, child_names
from .sections import Section, register
from .selectors import case_services
from .step_forms import providers_for
from .workflow import Status


def _services(viewer: Any, case: Case) -> dict[str, Any]:
    """The plan's services; for those who work the case, each row's next statuses and the add form."""
    services = case_services(case)
    may_change = plan_services.may_change_services(viewer, case)
    rows = [
        {
            "service": s,
            "next": plan_services.next_statuses(s, case) if may_change else [],
        }
        for s in services
    ]
    context: dict[str, Any] = {"services": services, "rows": rows, "may_change": may_change}
    if may_change and case.status in plan_services.ADD_STATUSES:
        context["add_form"] = ServiceAddForm(
            initial={"submission": uuid.uuid4().hex}, providers=providers_for(case)
        )
    return context


def _referrals(viewer: Any, case: Case) -> dict[str, Any]:
    referrals = case_referrals(viewer, case)
    return {
        "referrals": [{"referral": r, "children": child_names(r)} for r in referrals],
        "may_refer": case.status != Status.CLOSED
        and scope_for(viewer, Action.CASE_WORK).contains(case.admin_unit),
    }


register(Section("services", _("Services of the plan"), "cases/_services.html", 10, _services))
register(Section("referrals", _("Referrals"), "cases/referrals/_section.html", 20, _referrals))
