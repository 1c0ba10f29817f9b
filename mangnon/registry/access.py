"""Loading one child for a user, and what of a child a user may see.

`get_child_for_user` is the only way to one child's record: 404 when the child lies outside the user's
scope for the action (existence is not revealed), 403 when the user may see the child but not take the
action. A merged record's id leads to the child it was merged into.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.accounts.access import pk_or_404, scope_for
from mangnon.accounts.roles import Action

from .codes import SENSITIVE_GROUPS, SENSITIVE_RISKS, ChildStatus
from .models import Child, Household

MAX_MERGE_HOPS = 10


def _resolve(child_id: int) -> Child | None:
    qs = Child.objects.select_related("person", "admin_unit", "province", "household")
    child = qs.filter(pk=child_id).first()
    hops = 0
    while (
        child is not None
        and child.status == ChildStatus.MERGED
        and child.merged_into_id
        and hops < MAX_MERGE_HOPS
    ):
        child = qs.filter(pk=child.merged_into_id).first()
        hops += 1
    return child


def get_child_for_user(user: Any, child_id: int, action: Action = Action.CHILD_VIEW) -> Child:
    """The child (or the survivor it was merged into) if `user` may take `action` on it."""
    pk = pk_or_404(child_id)
    child = _resolve(pk)
    if child is None or not scope_for(user, Action.CHILD_VIEW).contains(child.admin_unit):
        raise Http404
    if action != Action.CHILD_VIEW and not scope_for(user, action).contains(child.admin_unit):
        raise PermissionDenied
    return child


def can_see_sensitive(user: Any, child: Child) -> bool:
    return scope_for(user, Action.CHILD_VIEW_SENSITIVE).contains(child.admin_unit)


def is_sensitive_group(group: str) -> bool:
    return group in SENSITIVE_GROUPS


def is_sensitive_risk(risk_type: str) -> bool:
    return risk_type in SENSITIVE_RISKS


def get_household_for_user(user: Any, household_id: int, action: Action = Action.CHILD_VIEW) -> Household:
    """A household the user may see (404 otherwise), 403 when visible but the action is not allowed."""
    household = (
        Household.objects.select_related("admin_unit", "head").filter(pk=household_id).first()
        if str(household_id).isdigit()
        else None
    )
    if household is None or not scope_for(user, Action.CHILD_VIEW).contains(household.admin_unit):
        raise Http404
    if action != Action.CHILD_VIEW and not scope_for(user, action).contains(household.admin_unit):
        raise PermissionDenied
    return household
