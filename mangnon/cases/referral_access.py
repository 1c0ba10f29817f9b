"""Who sees a referral, who answers it, and loading one referral for a user.

A referral is seen by its sending side and by its receiving unit, by nobody else:

- the sender, and the counsellor who took the contact it passes on;
- those who read cases (CASE_VIEW) at the sending unit (a case's commune; for a contact, the unit the
  sender acted for) or above it;
- those who read cases at the receiving unit or above it. They see what was passed (the reason, the
  child's name, the contact's summary), not the case: a case of another commune stays 404 to them.

So commune B sees nothing of a referral between commune A and the province. The receiving unit's
officers (CASE_WORK there) accept or reject; for an organisation, which has no users here, the sending
side (CASE_WORK at the sending unit) records its answer. `get_referral_for_user` is the only way to one
referral: 404 when the user may not see it, 403 when they may see it but not answer it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from mangnon.accounts.access import can, pk_or_404, scope_for
from mangnon.accounts.roles import Action

from .models import Referral

RELATED = (
    "case__child__person",
    "case__admin_unit",
    "contact__admin_unit",
    "contact__province",
    "contact__counsellor",
    "from_unit",
    "to_unit",
    "to_org",
    "consent__given_by",
    "sent_by",
    "responded_by",
)


def _user_pk(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def sender_q(user: Any) -> Q:
    """Referrals `user` sees as their sending side."""
    pk = _user_pk(user)
    if pk is None:
        return Q(pk__in=[])
    q = Q(sent_by_id=pk) | Q(contact__counsellor_id=pk)
    scope = scope_for(user, Action.CASE_VIEW)
    return q | scope.q("from_unit") if not scope.is_empty else q


def receiver_q(user: Any) -> Q:
    """Referrals to a unit `user` reads cases at (or under)."""
    scope = scope_for(user, Action.CASE_VIEW)
    if _user_pk(user) is None or scope.is_empty:
        return Q(pk__in=[])
    return Q(to_unit__isnull=False) & scope.q("to_unit")


def visible_q(user: Any) -> Q:
    return sender_q(user) | receiver_q(user)


def may_use_referrals(user: Any) -> bool:
    """The roles that send or receive referrals: those who read cases, and those who take contacts."""
    return can(user, Action.CASE_VIEW) or can(user, Action.CONTACT_TAKE)


def may_answer(user: Any, referral: Referral) -> bool:
    """A unit's officers answer for their unit; the sending side records an organisation's answer."""
    scope = scope_for(user, Action.CASE_WORK)
    if referral.to_unit_id is not None:
        return scope.contains(referral.to_unit)
    return scope.contains(referral.from_unit)


def get_referral_for_user(user: Any, referral_id: Any, *, answer: bool = False) -> Referral:
    pk = pk_or_404(referral_id)
    referral = Referral.objects.select_related(*RELATED).filter(visible_q(user), pk=pk).first()
    if referral is None:
        raise Http404
    if answer and not may_answer(user, referral):
        raise PermissionDenied
    return referral
