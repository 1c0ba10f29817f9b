"""Reads of support, always scoped by the viewer first.

Support names children and the amounts paid to them: only the roles with SUPPORT_VIEW read it, in their
scope (a disbursement outside it is 404), and every read that shows amounts is audited, naming the
disbursements shown. Programmes and campaigns name no child: every role reads those of its provinces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from mangnon.accounts.access import active_memberships, pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q

from .models import AlternativeCare, Disbursement, GiftCampaign, GiftRecipient, GiftTally, Programme

DISBURSEMENT_TYPE = "support.disbursement"


def _province_ids(viewer: Any) -> set[int]:
    return {int(m.admin_unit.path.strip("/").split("/")[0]) for m in active_memberships(viewer)}


def programmes_for(viewer: Any) -> QuerySet[Programme]:
    """The programmes of the provinces the viewer works in, by code."""
    return Programme.objects.filter(province_id__in=sorted(_province_ids(viewer))).order_by("code")


def get_programme_for_user(user: Any, programme_id: Any, action: Action | None = None) -> Programme:
    """A programme of one of the user's provinces (404 otherwise); with `action` (PROGRAMME_MANAGE),
    403 when they may read it but not manage it."""
    pk = pk_or_404(programme_id)
    programme = programmes_for(user).select_related("province").filter(pk=pk).first()
    if programme is None:
        raise Http404
    if action is not None and not scope_for(user, action).contains(programme.province):
        raise PermissionDenied
    return programme


def programme_by_code(user: Any, code: str, province: AdminUnit) -> Programme | None:
    return programmes_for(user).filter(code=code, province=province).first()


def campaigns_for(viewer: Any) -> QuerySet[GiftCampaign]:
    return GiftCampaign.objects.filter(province_id__in=sorted(_province_ids(viewer))).order_by(
        "-held_on", "pk"
    )


def get_campaign_for_user(user: Any, campaign_id: Any) -> GiftCampaign:
    pk = pk_or_404(campaign_id)
    campaign = campaigns_for(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


# --- disbursements -----------------------------------------------------------------------------------


def get_disbursement_for_user(user: Any, disbursement_id: Any) -> Disbursement:
    """The disbursement if the user may read support at its unit (404 otherwise). Not audited here:
    the caller that shows it calls `record_view`."""
    pk = pk_or_404(disbursement_id)
    row = Disbursement.objects.select_related("programme", "admin_unit", "province").filter(pk=pk).first()
    if row is None or not scope_for(user, Action.SUPPORT_VIEW).contains(row.admin_unit):
        raise Http404
    return row


@dataclass(frozen=True)
class DisbursementFilter:
    start: date | None = None  # paid on or after
    end: date | None = None  # paid on or before
    unit: AdminUnit | None = None  # in the unit's geography (either one)
    programme: str = ""  # programme code

    def as_dict(self) -> dict[str, Any]:
        values = {**self.__dict__, "unit": self.unit.code if self.unit else None}
        return {k: v for k, v in values.items() if v not in ("", None)}


def disbursements_for(viewer: Any, filters: DisbursementFilter | None = None) -> QuerySet[Disbursement]:
    """The disbursements the viewer may read (SUPPORT_VIEW scope first), filtered, newest first, with
    the programme, unit and child's name in the same query. PermissionDenied for a role that never
    reads support."""
    scope = scope_for(viewer, Action.SUPPORT_VIEW)
    if scope.is_empty:
        raise PermissionDenied
    f = filters or DisbursementFilter()
    rows = Disbursement.objects.filter(scope.q("admin_unit"))
    if f.start is not None:
        rows = rows.filter(paid_on__gte=f.start)
    if f.end is not None:
        rows = rows.filter(paid_on__lte=f.end)
    if f.unit is not None:
        rows = rows.filter(in_geography_q(f.unit))
    if f.programme:
        rows = rows.filter(programme__code=f.programme)
    return rows.select_related("programme", "admin_unit", "child__person").order_by("-paid_on", "-pk")


def totals(rows: QuerySet[Disbursement]) -> tuple[int, int]:
    """How many disbursements and how many đồng in all (one query)."""
    found = rows.order_by().aggregate(n=Count("pk"), amount=Sum("amount"))
    return int(found["n"]), int(found["amount"] or 0)


def record_view(
    viewer: Any,
    rows: list[Disbursement],
    *,
    filters: DisbursementFilter | None = None,
    action: str = AuditAction.VIEW,
) -> None:
    """Audit that `viewer` was shown (or exported) these disbursements' amounts: one event naming them.
    An empty page shows no amount and is not recorded."""
    if not rows:
        return
    if len(rows) == 1 and filters is None:
        audit.record(actor=viewer, action=action, obj=rows[0], unit=rows[0].admin_unit)
        return
    audit.record(
        actor=viewer,
        action=action,
        object_type=DISBURSEMENT_TYPE,
        object_id="list",
        changes={"shown": [r.pk for r in rows], "filters": (filters or DisbursementFilter()).as_dict()},
    )


# --- alternative care --------------------------------------------------------------------------------


def get_placement_for_user(
    user: Any, placement_id: Any, action: Action = Action.SUPPORT_VIEW
) -> AlternativeCare:
    pk = pk_or_404(placement_id)
    row = (
        AlternativeCare.objects.select_related("admin_unit", "child__person", "facility")
        .filter(pk=pk)
        .first()
    )
    if row is None or not scope_for(user, Action.SUPPORT_VIEW).contains(row.admin_unit):
        raise Http404
    if action != Action.SUPPORT_VIEW and not scope_for(user, action).contains(row.admin_unit):
        raise PermissionDenied
    return row


# --- gifts -------------------------------------------------------------------------------------------

RECIPIENT_TYPE = "support.giftrecipient"


def tallies_for(viewer: Any, campaign: GiftCampaign) -> QuerySet[GiftTally]:
    """The campaign's tallies at units in the viewer's SUPPORT_VIEW scope (figures only, no names)."""
    scope = scope_for(viewer, Action.SUPPORT_VIEW)
    return (
        campaign.tallies.filter(scope.q("admin_unit"))
        .select_related("admin_unit")
        .order_by("admin_unit__name")
    )


def recipients_for(viewer: Any, campaign: GiftCampaign) -> QuerySet[GiftRecipient]:
    """The campaign's named recipients in the viewer's SUPPORT_VIEW scope, by name."""
    scope = scope_for(viewer, Action.SUPPORT_VIEW)
    return (
        campaign.recipients.filter(scope.q("admin_unit"))
        .select_related("admin_unit", "child__person")
        .order_by("child__person__sort_key", "pk")
    )


def record_recipients_view(viewer: Any, campaign: GiftCampaign, rows: list[GiftRecipient]) -> None:
    """Audit that `viewer` was shown these named recipients and the value of their gifts."""
    if not rows:
        return
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        object_type=RECIPIENT_TYPE,
        object_id="list",
        changes={"campaign": campaign.pk, "shown": [r.pk for r in rows]},
    )


# --- alternative care lists --------------------------------------------------------------------------

PLACEMENT_TYPE = "support.alternativecare"


def placements_for(viewer: Any, *, current_only: bool = False) -> QuerySet[AlternativeCare]:
    """The placements the viewer may read (SUPPORT_VIEW scope first), the ongoing first, then newest,
    with the child's name, unit and facility in the same query."""
    scope = scope_for(viewer, Action.SUPPORT_VIEW)
    if scope.is_empty:
        raise PermissionDenied
    rows = AlternativeCare.objects.filter(scope.q("admin_unit"))
    if current_only:
        rows = rows.filter(end__isnull=True)
    return rows.select_related("child__person", "admin_unit", "facility").order_by(
        F("end").desc(nulls_first=True), "-start", "-pk"
    )


def record_placements_view(viewer: Any, rows: list[AlternativeCare]) -> None:
    """Audit that `viewer` was shown these children's placements (one event naming them)."""
    if not rows:
        return
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        object_type=PLACEMENT_TYPE,
        object_id="list" if len(rows) > 1 else str(rows[0].pk),
        changes={"shown": [r.pk for r in rows]},
    )


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return date(day.year - 1, 2, 28)


def _paid_and_cared(day: date) -> tuple[QuerySet[Disbursement], QuerySet[AlternativeCare]]:
    paid = Disbursement.objects.filter(paid_on__gt=_year_before(day), paid_on__lte=day)
    cared = AlternativeCare.objects.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))
    return paid, cared


def assisted_count(children: QuerySet[Any], day: date) -> int:
    """How many of `children` (a queryset of registry children) had support on `day`: a payment of a
    programme in the year up to that day (after the same day a year before), or a placement in
    alternative care that day. The registry's counts ask this through their hook (`apps.py`)."""
    paid, cared = _paid_and_cared(day)
    # Two counts, each driven by the (few) support rows and the children found by key: an OR of the two
    # would test every child of the unit. The placed children not paid are looked up one by one among
    # the payments (NOT EXISTS), not tested against all of the year's payments (85 → 9 ms at 133,000).
    return (
        children.filter(pk__in=paid.values("child_id")).count()
        + children.filter(pk__in=cared.values("child_id"))
        .exclude(Exists(paid.filter(child_id=OuterRef("pk"))))
        .count()
    )
