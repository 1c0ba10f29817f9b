"""Loading one case for a user, and which steps of it a user may take. (The contact a case is opened
from is loaded through intake.access.)

`get_case_for_user` is the only way to one case: 404 when the case's commune lies outside the user's
CASE_VIEW scope (existence is not revealed), 403 when the user may see the case but not take the
action asked for.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action

from .models import Case
from .workflow import Transition, allowed_from


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def get_case_for_user(user: Any, case_id: Any, action: Action = Action.CASE_VIEW) -> Case:
    case = (
        Case.objects.select_related("child__person", "admin_unit", "province", "caseworker", "contact")
        .filter(pk=_pk(case_id))
        .first()
    )
    if case is None or not scope_for(user, Action.CASE_VIEW).contains(case.admin_unit):
        raise Http404
    if action != Action.CASE_VIEW and not scope_for(user, action).contains(case.admin_unit):
        raise PermissionDenied
    return case


def may_take(user: Any, case: Case, transition: Transition) -> bool:
    return scope_for(user, transition.action).contains(case.admin_unit)


def steps_for(user: Any, case: Case) -> list[Transition]:
    """The next steps of the case that this user may take."""
    return [t for t in allowed_from(case.status) if may_take(user, case, t)]
