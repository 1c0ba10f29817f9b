"""Reads of referrals, always filtered by what the viewer may see first (referral_access): the received
and sent lists, a case's referrals, and what one referral passed on. Lists load everything they show
with the referral (a constant number of queries, whatever the list's length)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Prefetch, Q, QuerySet, Value, When

from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.intake import taxonomy
from mangnon.intake.access import can_see_caller, place_of
from mangnon.intake.models import Contact, ContactChild

from .codes import ReferralStatus
from .models import Case, Referral
from .referral_access import RELATED, receiver_q, sender_q, visible_q

REFERRAL_TYPE = "cases.referral"


class Direction:
    RECEIVED = "received"
    SENT = "sent"
    ALL = ""

    CHOICES = ("received", "sent")


def _listed(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """Unanswered first, then the latest sent; with the contact's children for the names."""
    children = ContactChild.objects.select_related("child__person").order_by("pk")
    return (
        qs.select_related(*RELATED)
        .prefetch_related(Prefetch("contact__children", queryset=children))
        .annotate(
            waiting=SqlCase(
                When(status=ReferralStatus.SENT, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("waiting", "-sent_at", "-pk")
    )


def referrals_for(viewer: Any, *, direction: str = "", status: str = "") -> QuerySet[Referral]:
    """The referrals `viewer` may see: `direction` "received" (to a unit they read cases at), "sent"
    (their sending side), or both; `status` one ReferralStatus value."""
    if direction == Direction.RECEIVED:
        q = receiver_q(viewer)
    elif direction == Direction.SENT:
        q = sender_q(viewer)
    else:
        q = visible_q(viewer)
    qs = Referral.objects.filter(q)
    if status:
        qs = qs.filter(status=status)
    return _listed(qs)


def case_referrals(viewer: Any, case: Case) -> list[Referral]:
    """A case's referrals, and those of the contact it was opened from, as far as the viewer sees them."""
    about = Q(case=case)
    if case.contact_id is not None:
        about |= Q(contact_id=case.contact_id)
    return list(_listed(Referral.objects.filter(visible_q(viewer)).filter(about)))


def child_names(referral: Referral) -> list[str]:
    """The names of the children a referral is about (a contact's children as the caller gave them)."""
    if referral.case_id is not None:
        return [referral.case.child.person.full_name]  # type: ignore[union-attr]
    if referral.contact_id is None:
        return []
    rows = referral.contact.children.all()  # type: ignore[union-attr]
    return [r.child.person.full_name if r.child is not None else (r.name or "—") for r in rows]


@dataclass(frozen=True)
class ContactSummary:
    """What a contact referral passes on: when and how the information came, where, how urgent, what
    was said, about which children; the caller only when they agreed to be named."""

    contact: Contact
    place: str
    reasons: list[str]
    children: list[ContactChild]
    caller_shown: bool


def contact_summary(viewer: Any, referral: Referral) -> ContactSummary | None:
    contact = referral.contact
    if contact is None:
        return None
    place = place_of(contact).name
    if contact.place_text:
        place = f"{place} · {contact.place_text}"
    return ContactSummary(
        contact=contact,
        place=place,
        reasons=[taxonomy.label(r.code) for r in contact.reasons.order_by("pk")],
        children=list(contact.children.select_related("child__person").order_by("pk")),
        caller_shown=can_see_caller(viewer, contact) and not contact.caller_anonymous,
    )


def record_referral_view(viewer: Any, referral: Referral, *, page: str) -> None:
    """Audit that `viewer` was shown a referral (the child's name and what was passed on)."""
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        obj=referral,
        unit=referral.to_unit or referral.from_unit,
        changes={"page": page},
    )


def record_list_view(
    viewer: Any, referrals: list[Referral], *, page: str, filters: dict[str, Any] | None = None
) -> None:
    """Audit that `viewer` was shown a list of referrals (one event naming the ids shown)."""
    if not referrals:
        return
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        object_type=REFERRAL_TYPE,
        object_id=page,
        changes={
            "shown": [r.pk for r in referrals],
            "filters": {k: v for k, v in (filters or {}).items() if v},
        },
    )
