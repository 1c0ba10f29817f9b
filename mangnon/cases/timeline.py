"""The cases of a child and their referrals on the child's timeline in the registry, for viewers who may
read the cases (CASE_VIEW where the case is): one query each, however many cases and referrals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.registry import timeline
from mangnon.registry.models import Child
from mangnon.registry.selectors import ChildFacts

from .codes import ReferralStatus
from .models import Case, Referral


def _case_entries(viewer: Any, child: Child, facts: ChildFacts) -> Iterable[timeline.TimelineEntry]:
    visible = scope_for(viewer, Action.CASE_VIEW).q("admin_unit")
    for case in Case.objects.filter(visible, child=child).order_by("received_at", "pk"):
        url = reverse("cases:detail", args=[case.pk])
        yield timeline.TimelineEntry(
            timezone.localtime(case.received_at).date(),
            "case_opened",
            _("Case %(number)s opened") % {"number": case.number},
            url,
        )
        if case.closed_at is not None:
            yield timeline.TimelineEntry(
                timezone.localtime(case.closed_at).date(),
                "case_closed",
                _("Case %(number)s closed") % {"number": case.number},
                url,
            )


def _referral_entries(viewer: Any, child: Child, facts: ChildFacts) -> Iterable[timeline.TimelineEntry]:
    """Each referral of the child's cases the viewer may read: sent, then accepted or rejected. A case's
    referral is sent by the case's commune, so whoever reads the case may open the referral's page."""
    visible = scope_for(viewer, Action.CASE_VIEW).q("case__admin_unit")
    referrals = (
        Referral.objects.filter(visible, case__child=child)
        .select_related("case", "to_unit", "to_org")
        .order_by("sent_at", "pk")
    )
    for referral in referrals:
        receiver = referral.to_unit or referral.to_org
        words = {"number": referral.case.number, "receiver": receiver.name if receiver else ""}  # type: ignore[union-attr]
        url = reverse("referrals:detail", args=[referral.pk])
        yield timeline.TimelineEntry(
            timezone.localtime(referral.sent_at).date(),
            "referral_sent",
            _("Case %(number)s referred to %(receiver)s") % words,
            url,
        )
        if referral.responded_at is None:
            continue
        if referral.status == ReferralStatus.ACCEPTED:
            text = _("%(receiver)s accepted the referral of case %(number)s") % words
        else:
            text = _("%(receiver)s rejected the referral of case %(number)s") % words
        yield timeline.TimelineEntry(
            timezone.localtime(referral.responded_at).date(), f"referral_{referral.status}", text, url
        )


timeline.register("cases", _case_entries)
timeline.register("referrals", _referral_entries)
