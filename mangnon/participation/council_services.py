"""Writes of the children's council's membership: adding a member (idempotent) and ending a membership.

A council belongs to a unit (the province's council, a commune's council). Children are kept by first
name and age band only; advisers by name. Each service checks VOICE_RECORD at the council's unit itself
and writes its audit event in the same transaction (the event names no one: the member's id and role).
Meetings are recorded by `services.meeting_create`, which checks the members present against the members
these services keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.registry.services import province_of

from .models import AgeBand, CouncilMember, MemberRole

IDEMPOTENCY_SCOPE = "participation.councilmember.create"
MAX_NAME = 100
# A child member is named by a first name (Vietnamese given names are often two words: "Ngọc Anh").
MAX_CHILD_NAME_WORDS = 2
MAX_CHILD_NAME = 30


@dataclass(frozen=True)
class Added:
    member: CouncilMember
    created: bool  # False: a retried request with the same idempotency key


def _require(actor: Any, unit: AdminUnit) -> None:
    if not scope_for(actor, Action.VOICE_RECORD).contains(unit):
        raise PermissionDenied


def active_on(day: date) -> Q:
    """Members whose membership covers `day` (from_date ≤ day ≤ to_date, or no end yet)."""
    return Q(from_date__lte=day) & (Q(to_date__isnull=True) | Q(to_date__gte=day))


def active_members(unit: AdminUnit, day: date) -> QuerySet[CouncilMember]:
    """The members of `unit`'s own council on `day` (not those of the councils below it)."""
    return CouncilMember.objects.filter(active_on(day), admin_unit=unit)


def member_add(
    *,
    actor: Any,
    admin_unit: AdminUnit,
    name: str,
    role: str,
    from_date: date,
    age_band: str = "",
    to_date: date | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
) -> Added:
    """Add a member to the council of `admin_unit`: a child (first name and age band only) or an adviser."""
    _require(actor, admin_unit)
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if role not in MemberRole.values:
        errors["role"] = [_("Choose whether the member is a child or an adviser.")]
    if not name:
        errors["name"] = [_("Enter the member's name.")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("The name is too long (100 characters at most).")]
    elif role == MemberRole.CHILD and (
        len(name.split()) > MAX_CHILD_NAME_WORDS or len(name) > MAX_CHILD_NAME
    ):
        errors["name"] = [_("A child member is recorded by first name only, never the full name.")]
    if role == MemberRole.CHILD and age_band not in AgeBand.values:
        errors["age_band"] = [_("Choose the child's age band.")]
    if role == MemberRole.ADVISER:
        age_band = ""
    if to_date is not None and to_date < from_date:
        errors["to_date"] = [_("The membership ends before it starts.")]
    if not admin_unit.is_valid_on(from_date):
        errors["admin_unit"] = [_("The unit must be one that existed on that date.")]
    if errors:
        raise ValidationError(errors)

    def create() -> CouncilMember:
        member = CouncilMember.objects.create(
            admin_unit=admin_unit,
            province=province_of(admin_unit),
            name=name,
            role=role,
            age_band=age_band,
            from_date=from_date,
            to_date=to_date,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=member,
            unit=admin_unit,
            changes={"role": role, "from_date": from_date.isoformat()},
        )
        return member

    member, created = idempotency.create_once(
        actor=actor,
        scope=IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: CouncilMember.objects.select_related("admin_unit").get(pk=pk),
    )
    return Added(member, created)


def member_end(*, actor: Any, member: CouncilMember, to_date: date) -> CouncilMember:
    """End a membership on `to_date` (its last day). A membership already ended is not ended again: the
    second of two officers ending it at once is told so and changes nothing."""
    _require(actor, member.admin_unit)
    with transaction.atomic():
        locked = CouncilMember.objects.select_for_update().get(pk=member.pk)
        if locked.to_date is not None:
            raise ValidationError(
                {
                    "to_date": [
                        _("This membership has already ended (on %(day)s).")
                        % {"day": f"{locked.to_date:%d/%m/%Y}"}
                    ]
                }
            )
        if to_date < locked.from_date:
            raise ValidationError({"to_date": [_("The membership ends before it starts.")]})
        locked.to_date = to_date
        locked.save(update_fields=["to_date", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            unit=locked.admin_unit,
            changes={"to_date": [None, to_date.isoformat()]},
        )
    return locked
