"""Every write of support: programmes, disbursements, gift campaigns with their tallies and recipients,
alternative care placements and their reviews.

Each service checks the actor's scope itself (programmes and campaigns: PROGRAMME_MANAGE at the
province; everything that names a child or a unit: SUPPORT_RECORD there), runs in one transaction with
its audit event, and raises a `ValidationError` naming what to fix (every problem at once) before
writing anything. Creates that an API retries honour an idempotency key (core.idempotency.create_once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.core.validation import FieldErrors
from mangnon.geo.models import AdminUnit
from mangnon.orgs.models import Organisation
from mangnon.registry.access import get_child_for_user
from mangnon.registry.codes import SpecialGroup
from mangnon.registry.models import Child, SpecialCircumstance
from mangnon.registry.services import Conflict, province_of

from .codes import CareKind, GiftOccasion, ProgrammeKind
from .models import (
    AlternativeCare,
    CareReview,
    Disbursement,
    GiftCampaign,
    GiftRecipient,
    GiftTally,
    Programme,
)

DISBURSEMENT_SCOPE = "support.disbursement.create"
MAX_AMOUNT = 10**12  # a thousand billion đồng: anything above is a typing error, not a payment


@dataclass(frozen=True)
class Recorded:
    disbursement: Disbursement
    created: bool  # False: a retried request with the same idempotency key


def _require(actor: Any, action: Action, unit: AdminUnit) -> None:
    if not scope_for(actor, action).contains(unit):
        raise PermissionDenied


def child_for_support(actor: Any, child_id: Any) -> Child:
    """A child the actor may record support for; a child they may not see reads as unknown."""
    try:
        child = get_child_for_user(actor, child_id)
    except Http404:
        raise ValidationError(
            {
                "child": [
                    _("No child with record number %(id)s among the children you may see.") % {"id": child_id}
                ]
            }
        ) from None
    if not scope_for(actor, Action.SUPPORT_RECORD).contains(child.admin_unit):
        raise PermissionDenied
    return child


def _whole_dong(errors: FieldErrors, name: str, value: Any, *, positive: bool) -> int:
    """An amount of whole đồng: an int (not a bool, not a fraction), > 0 or >= 0."""
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(name, _("Enter the amount as a whole number of đồng."))
        return 0
    if positive and value <= 0:
        errors.add(name, _("The amount must be more than 0 đồng."))
    elif value < 0:
        errors.add(name, _("The amount cannot be negative."))
    elif value > MAX_AMOUNT:
        errors.add(name, _("The amount is too large."))
    return value


def _count(errors: FieldErrors, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.add(name, _("Enter a whole number, 0 or more."))
        return 0
    return value


# --- programmes --------------------------------------------------------------------------------------


def _clean_programme(
    *,
    code: str,
    name: str,
    legal_basis: str,
    kind: str,
    eligible_groups: Sequence[str],
    active_from: date | None,
    active_to: date | None,
) -> dict[str, Any]:
    errors = FieldErrors()
    code = (code or "").strip()
    name = " ".join((name or "").split())
    if not code:
        errors.add("code", _("Enter the programme's code."))
    if not name:
        errors.add("name", _("Enter the programme's name."))
    if kind not in ProgrammeKind.values:
        errors.add("kind", _("Choose the kind of support: study, health care, monthly allowance or ad hoc."))
    groups = list(dict.fromkeys(str(g) for g in eligible_groups or ()))
    for g in groups:
        if g not in SpecialGroup.values:
            errors.add("eligible_groups", _("Unknown group of children: %(code)s.") % {"code": g})
    if active_from is None:
        errors.add("active_from", _("Enter the date the programme starts."))
    elif active_to is not None and active_to < active_from:
        errors.add("active_to", _("The programme cannot end before it starts."))
    errors.raise_any()
    return {
        "code": code,
        "name": name,
        "legal_basis": " ".join((legal_basis or "").split()),
        "kind": kind,
        "eligible_groups": [g for g in SpecialGroup.values if g in groups],
        "active_from": active_from,
        "active_to": active_to,
    }


def programme_create(
    *,
    actor: Any,
    province: AdminUnit,
    code: str,
    name: str,
    kind: str,
    active_from: date | None,
    active_to: date | None = None,
    legal_basis: str = "",
    eligible_groups: Sequence[str] = (),
) -> Programme:
    """A programme of `province`, set by a province officer; codes are unique in a province."""
    _require(actor, Action.PROGRAMME_MANAGE, province)
    cleaned = _clean_programme(
        code=code, name=name, legal_basis=legal_basis, kind=kind, eligible_groups=eligible_groups,
        active_from=active_from, active_to=active_to,
    )  # fmt: skip
    if Programme.objects.filter(province=province, code=cleaned["code"]).exists():
        raise ValidationError({"code": [_("A programme with this code already exists.")]})
    with transaction.atomic():
        programme = Programme.objects.create(**cleaned, province=province, created_by=actor)
        audit.record(actor=actor, action=AuditAction.CREATE, obj=programme, unit=province, changes=cleaned)
    return programme


def programme_update(*, actor: Any, programme: Programme, version: int, **changes: Any) -> Programme:
    """Change a programme's fields (not its province). A stale `version` raises Conflict."""
    _require(actor, Action.PROGRAMME_MANAGE, programme.province)
    fields = ("code", "name", "legal_basis", "kind", "eligible_groups", "active_from", "active_to")
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise ValidationError(
            {"__all__": [_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(unknown)}]}
        )
    current = {f: getattr(programme, f) for f in fields}
    cleaned = _clean_programme(**{**current, **changes})
    clash = Programme.objects.filter(province=programme.province, code=cleaned["code"]).exclude(
        pk=programme.pk
    )
    if clash.exists():
        raise ValidationError({"code": [_("A programme with this code already exists.")]})
    with transaction.atomic():
        bumped = Programme.objects.filter(pk=programme.pk, version=version).update(
            **cleaned, version=F("version") + 1, updated_at=timezone.now()
        )
        if not bumped:
            raise Conflict(Programme.objects.values_list("version", flat=True).get(pk=programme.pk))
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=programme,
            unit=programme.province,
            changes=audit.diff(current, cleaned),
        )
        programme.refresh_from_db()
    return programme


# --- disbursements -----------------------------------------------------------------------------------


def eligible_on(child: Child, programme: Programme, day: date) -> bool:
    """Whether the child belongs, on `day`, to one of the groups the programme supports (any child when
    it names none), from the registry's special-circumstance rows active that day."""
    if not programme.eligible_groups:
        return True
    return (
        SpecialCircumstance.objects.filter(
            child=child, group__in=programme.eligible_groups, start_date__lte=day
        )
        .exclude(end_date__lt=day)
        .exists()
    )


def disbursement_record(
    *,
    actor: Any,
    programme: Programme,
    child_id: Any,
    amount: Any,
    paid_on: date | None,
    approver: str,
    admin_unit: AdminUnit | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
) -> Recorded:
    """Record a payment of `programme` to a child the actor may record support for, at the child's
    commune unless `admin_unit` (a unit valid on `paid_on`, also in the actor's scope) says where it was
    paid. With `idempotency_key`, a retried call returns the first disbursement."""
    child = child_for_support(actor, child_id)
    unit = admin_unit or child.admin_unit
    _require(actor, Action.SUPPORT_RECORD, unit)
    errors = FieldErrors()
    value = _whole_dong(errors, "amount", amount, positive=True)
    approver = " ".join((approver or "").split())
    if not approver:
        errors.add("approver", _("Enter who approved the payment (decision number and signer)."))
    elif len(approver) > 300:
        errors.add("approver", _("The approver is too long (300 characters at most)."))
    if paid_on is None:
        errors.add("paid_on", _("Enter the date of payment."))
    else:
        if paid_on > timezone.localdate():
            errors.add("paid_on", _("The date of payment is in the future."))
        if not programme.is_active_on(paid_on):
            errors.add("programme", _("The programme was not active on the date of payment."))
        elif not eligible_on(child, programme, paid_on):
            errors.add(
                "child",
                _("On the date of payment the child was in none of the groups the programme supports."),
            )
        if admin_unit is not None and not admin_unit.is_valid_on(paid_on):
            errors.add("admin_unit", _("The unit did not exist on the date of payment."))
    province = province_of(unit)
    if programme.province_id != province.pk:
        errors.add("programme", _("The programme belongs to another province."))
    errors.raise_any()
    day = cast(date, paid_on)  # checked above

    def create() -> Disbursement:
        row = Disbursement.objects.create(
            programme=programme, child=child, admin_unit=unit, province=province, amount=value,
            paid_on=day, approver=approver, recorded_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            unit=unit,
            changes={
                "programme": programme.code, "child": child.pk, "admin_unit": unit.code, "amount": value,
                "paid_on": paid_on, "approver": approver,
            },
        )  # fmt: skip
        return row

    row, created = idempotency.create_once(
        actor=actor,
        scope=DISBURSEMENT_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: Disbursement.objects.select_related("programme", "admin_unit").get(pk=pk),
    )
    return Recorded(row, created)


# --- gifts -------------------------------------------------------------------------------------------


def gift_campaign_create(
    *, actor: Any, province: AdminUnit, name: str, occasion: str, year: int, held_on: date | None
) -> GiftCampaign:
    """A gift campaign of the province; its figures count in the period that contains `held_on`."""
    _require(actor, Action.PROGRAMME_MANAGE, province)
    errors = FieldErrors()
    name = " ".join((name or "").split())
    if not name:
        errors.add("name", _("Enter the campaign's name."))
    if occasion not in GiftOccasion.values:
        errors.add("occasion", _("Choose the occasion."))
    if held_on is None:
        errors.add("held_on", _("Enter the date the gifts were given."))
    elif held_on.year != year:
        errors.add("held_on", _("The date must fall in the campaign's year."))
    errors.raise_any()
    with transaction.atomic():
        campaign = GiftCampaign.objects.create(
            name=name,
            occasion=occasion,
            year=year,
            held_on=cast(date, held_on),
            province=province,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=campaign,
            unit=province,
            changes={"name": name, "occasion": occasion, "year": year, "held_on": held_on},
        )
    return campaign


def gift_tally_record(
    *,
    actor: Any,
    campaign: GiftCampaign,
    admin_unit: AdminUnit,
    children_reached: Any,
    children_visited_given_gifts: Any,
    total_value: Any,
) -> GiftTally:
    """A unit's figures for a campaign (one tally per unit and campaign). The children visited and given
    gifts are some of those reached."""
    _require(actor, Action.SUPPORT_RECORD, admin_unit)
    errors = FieldErrors()
    reached = _count(errors, "children_reached", children_reached)
    visited = _count(errors, "children_visited_given_gifts", children_visited_given_gifts)
    value = _whole_dong(errors, "total_value", total_value, positive=False)
    if visited > reached:
        errors.add("children_visited_given_gifts", _("More children visited than reached."))
    if province_of(admin_unit).pk != campaign.province_id:
        errors.add("admin_unit", _("The unit is not in the campaign's province."))
    elif not admin_unit.is_valid_on(campaign.held_on):
        errors.add("admin_unit", _("The unit did not exist on the day of the campaign."))
    if GiftTally.objects.filter(campaign=campaign, admin_unit=admin_unit).exists():
        errors.add("admin_unit", _("This unit's figures for the campaign are already recorded."))
    errors.raise_any()
    with transaction.atomic():
        tally = GiftTally.objects.create(
            campaign=campaign, admin_unit=admin_unit, province_id=campaign.province_id,
            children_reached=reached, children_visited_given_gifts=visited, total_value=value,
            recorded_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=tally,
            unit=admin_unit,
            changes={
                "campaign": campaign.pk,
                "children_reached": reached,
                "visited": visited,
                "total_value": value,
            },
        )
    return tally


def gift_recipient_add(
    *, actor: Any, campaign: GiftCampaign, child_id: Any, value: Any, visited: bool = True
) -> GiftRecipient:
    """A named child given a gift in the campaign, at the child's commune (once per campaign)."""
    child = child_for_support(actor, child_id)
    errors = FieldErrors()
    amount = _whole_dong(errors, "value", value, positive=False)
    if child.province_id != campaign.province_id:
        errors.add("child", _("The child lives outside the campaign's province."))
    if GiftRecipient.objects.filter(campaign=campaign, child=child).exists():
        errors.add("child", _("The child is already recorded in this campaign."))
    errors.raise_any()
    with transaction.atomic():
        row = GiftRecipient.objects.create(
            campaign=campaign, child=child, admin_unit=child.admin_unit, province_id=child.province_id,
            value=amount, visited=visited, recorded_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            unit=child.admin_unit,
            changes={"campaign": campaign.pk, "child": child.pk, "value": amount, "visited": visited},
        )
    return row


# --- alternative care --------------------------------------------------------------------------------


def alternative_care_start(
    *,
    actor: Any,
    child_id: Any,
    kind: str,
    start: date | None,
    end: date | None = None,
    facility: Organisation | None = None,
) -> AlternativeCare:
    """Place a child in alternative care; a facility placement may name the facility (from the
    directory), other kinds never do. Recorded at the child's commune."""
    child = child_for_support(actor, child_id)
    errors = FieldErrors()
    if kind not in CareKind.values:
        errors.add("kind", _("Choose the kind of care: temporary foster family, kinship or facility."))
    if facility is not None and kind != CareKind.FACILITY:
        errors.add("facility", _("Only a placement in a facility names a facility."))
    if start is None:
        errors.add("start", _("Enter the date the placement starts."))
    elif start > timezone.localdate():
        errors.add("start", _("The start of the placement is in the future."))
    elif end is not None and end < start:
        errors.add("end", _("The placement cannot end before it starts."))
    errors.raise_any()
    with transaction.atomic():
        placement = AlternativeCare.objects.create(
            child=child, kind=kind, facility=facility, start=cast(date, start), end=end,
            admin_unit=child.admin_unit, province_id=child.province_id, recorded_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=placement,
            unit=child.admin_unit,
            changes={
                "child": child.pk, "kind": kind, "facility": facility.pk if facility else None,
                "start": start, "end": end,
            },
        )  # fmt: skip
    return placement


def alternative_care_end(
    *, actor: Any, placement: AlternativeCare, version: int, end: date
) -> AlternativeCare:
    """End a placement on `end` (not before it started). A stale `version` raises Conflict."""
    _require(actor, Action.SUPPORT_RECORD, placement.admin_unit)
    if end < placement.start:
        raise ValidationError({"end": [_("The placement cannot end before it starts.")]})
    with transaction.atomic():
        bumped = AlternativeCare.objects.filter(pk=placement.pk, version=version).update(
            end=end, version=F("version") + 1, updated_at=timezone.now()
        )
        if not bumped:
            raise Conflict(AlternativeCare.objects.values_list("version", flat=True).get(pk=placement.pk))
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=placement,
            unit=placement.admin_unit,
            changes={"end": [placement.end, end]},
        )
        placement.refresh_from_db()
    return placement


def care_review_add(
    *, actor: Any, placement: AlternativeCare, reviewed_on: date | None, note: str = ""
) -> CareReview:
    """A review of a placement, dated within it and not in the future. The note stays out of the audit."""
    _require(actor, Action.SUPPORT_RECORD, placement.admin_unit)
    errors = FieldErrors()
    if reviewed_on is None:
        errors.add("reviewed_on", _("Enter the date of the review."))
    elif reviewed_on > timezone.localdate():
        errors.add("reviewed_on", _("The date of the review is in the future."))
    elif reviewed_on < placement.start or (placement.end is not None and reviewed_on > placement.end):
        errors.add("reviewed_on", _("The review must fall within the placement."))
    note = (note or "").strip()
    if len(note) > 1000:
        errors.add("note", _("The note is too long (1,000 characters at most)."))
    errors.raise_any()
    with transaction.atomic():
        review = CareReview.objects.create(
            placement=placement, reviewed_on=cast(date, reviewed_on), note=note, recorded_by=actor
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=review,
            unit=placement.admin_unit,
            changes={"placement": placement.pk, "reviewed_on": reviewed_on},
        )
    return review
