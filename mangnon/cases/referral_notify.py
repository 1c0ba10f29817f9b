"""Referral notifications: the receiving unit is told that a referral arrived, the sender that it was
answered.

- `referral_received`: a referral to a unit goes to the users who answer it there and work at that very
  unit — the commune's own officers for a commune (not the whole province's staff, whose scope also covers
  it), the province's officers and case managers for the province: active users holding CASE_WORK through
  a membership at the receiving unit, active on the day. A referral to an organisation tells nobody (an
  organisation has no users here; its answer is recorded by the sending side).
- `referral_answered`: the sender, when the referral is accepted or rejected (not when the sender recorded
  the answer themselves, as for an organisation).

Both go out after the transaction that wrote the referral commits (`transaction.on_commit`), through
`core.notifications.notifications_send`, with keys naming the referral and the event, so a retried send
or answer tells nobody twice. Every link is the referral's page, which each recipient may open: the
receiving unit's officers read referrals to their unit, the sender reads what they sent. The words name
the units and the case number or contact number, never the child (a notification may be e-mailed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Action, roles_allowed
from mangnon.core.notifications import Kind, Message, notifications_send, register

from .codes import ReferralStatus
from .models import Referral

REFERRAL_RECEIVED = "referral_received"
REFERRAL_ANSWERED = "referral_answered"


# --- wording (at display time, in the reader's language) ----------------------------------------------


def _subject(params: Mapping[str, Any]) -> str:
    if params.get("number"):
        return _("case %(number)s") % {"number": params["number"]}
    return _("contact no. %(contact)s") % {"contact": params["contact"]}


def _received(params: Mapping[str, Any]) -> str:
    return _("Referral received from %(sender)s: %(subject)s") % {
        "sender": params["from"],
        "subject": _subject(params),
    }


def _answered(params: Mapping[str, Any]) -> str:
    words = {"receiver": params["to"], "subject": _subject(params)}
    if params["status"] == ReferralStatus.ACCEPTED:
        return _("%(receiver)s accepted your referral: %(subject)s") % words
    if params["status"] == ReferralStatus.REJECTED:
        return _("%(receiver)s rejected your referral: %(subject)s") % words
    raise ValueError(params["status"])


register(Kind(REFERRAL_RECEIVED, "cases", _received))
register(Kind(REFERRAL_ANSWERED, "cases", _answered))


# --- who is told -------------------------------------------------------------------------------------


def _referral(referral_id: int) -> Referral | None:
    return (
        Referral.objects.select_related("case", "from_unit", "to_unit", "to_org")
        .filter(pk=referral_id)
        .first()
    )


def _params(referral: Referral) -> dict[str, Any]:
    receiver = referral.to_unit or referral.to_org
    return {
        "referral": referral.pk,
        "from": referral.from_unit.name,
        "to": receiver.name if receiver is not None else "",
        "number": referral.case.number if referral.case is not None else "",
        "contact": referral.contact_id,
        "status": referral.status,
    }


def receivers(referral: Referral) -> list[int]:
    """The users told that `referral` arrived: CASE_WORK at the receiving unit itself, active today."""
    if referral.to_unit_id is None:
        return []
    found = (
        Membership.objects.active(timezone.localdate())
        .filter(
            admin_unit_id=referral.to_unit_id,
            role__in=sorted(roles_allowed(Action.CASE_WORK)),
            user__is_active=True,
        )
        .exclude(user_id=referral.sent_by_id)
        .values_list("user_id", flat=True)
    )
    return sorted(set(found))


def notify_received(referral_id: int) -> int:
    """Tell the receiving unit's officers about a referral just sent; how many were told."""
    referral = _referral(referral_id)
    if referral is None:
        return 0
    link = reverse("referrals:detail", args=[referral.pk])
    key = f"cases.referral:{referral.pk}:received"
    params = _params(referral)
    messages = [Message(user, REFERRAL_RECEIVED, params, link, key) for user in receivers(referral)]
    return len(notifications_send(messages))


def notify_answered(referral_id: int) -> int:
    """Tell the sender that their referral was accepted or rejected (unless they answered it)."""
    referral = _referral(referral_id)
    if referral is None or referral.status == ReferralStatus.SENT:
        return 0
    if referral.responded_by_id == referral.sent_by_id:
        return 0
    if not User.objects.filter(pk=referral.sent_by_id, is_active=True).exists():
        return 0
    link = reverse("referrals:detail", args=[referral.pk])
    key = f"cases.referral:{referral.pk}:answered"
    message = Message(referral.sent_by_id, REFERRAL_ANSWERED, _params(referral), link, key)
    return len(notifications_send([message]))


def on_sent(referral: Referral) -> None:
    """Once the referral's transaction commits, tell the receiving unit."""
    pk = referral.pk
    transaction.on_commit(lambda: notify_received(pk))


def on_answered(referral: Referral) -> None:
    """Once the answer's transaction commits, tell the sender."""
    pk = referral.pk
    transaction.on_commit(lambda: notify_answered(pk))
