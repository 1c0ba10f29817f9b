"""Writes of targets: each unit's yearly target for an indicator, set and revised with its history.

A target belongs to a unit's plan for a year (the province's plan, a commune's plan). `target_set`
creates it or revises it; every version it takes is kept as a TargetRevision row (value, kind, plan or
decision, who, when and why), and each write is audited in the same transaction. A revision names the
version it read: a stale one raises `Conflict` and writes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import check_at_unit
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.core.validation import FieldErrors
from mangnon.geo.models import AdminUnit
from mangnon.registry.services import Conflict, province_of

from . import catalogue
from .catalogue import Measure
from .models import Target, TargetKind, TargetRevision
from .periods import FIRST_YEAR, LAST_YEAR

__all__ = ["Conflict", "target_set"]

MAX_DOCUMENT = 300
_TWO_PLACES = Decimal("0.01")
_LARGEST = Decimal("999999999999.99")  # the column holds 14 digits, two of them decimals


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def _value_errors(measure: Measure, value: Decimal) -> str:
    """The problem with `value` as a target of an indicator measured in `measure`, or ""."""
    if measure is Measure.PERCENT and not (0 <= value <= 100):
        return _("A percentage lies between 0 and 100.")
    if measure is Measure.PER_MILLE and not (0 <= value <= 1000):
        return _("A rate per thousand lies between 0 and 1,000.")
    if measure is Measure.PER_100K and value < 0:
        return _("A rate per 100,000 cannot be negative.")
    if measure is Measure.COUNT and (value < 0 or value != value.to_integral_value()):
        return _("A number of children, cases or sessions is a whole number, 0 or more.")
    if value > _LARGEST:
        return _("The value is too large.")
    return ""


def _existed_in(unit: AdminUnit, year: int) -> bool:
    first, last = date(year, 1, 1), date(year, 12, 31)
    return (unit.valid_from is None or unit.valid_from <= last) and (
        unit.valid_to is None or unit.valid_to >= first
    )


def target_set(
    *,
    actor: Any,
    indicator: str,
    unit: AdminUnit,
    year: int,
    kind: str,
    value: Any,
    source_document: str,
    reason: str,
    version: int | None = None,
) -> Target:
    """Set the target of `indicator` (a catalogue code) for `unit` and `year`, or revise it.

    TARGET_SET at `unit` is needed (404 when the unit lies outside the actor's INDICATOR_VIEW scope).
    A LEVEL target needs a value within the indicator's measure; a target relative to the year before
    takes none. A revision needs a reason and, when `version` is given, the version it read (Conflict
    otherwise). A revision identical to the current target writes nothing.
    """
    check_at_unit(actor, unit, Action.INDICATOR_VIEW, Action.TARGET_SET)
    errors = FieldErrors()
    try:
        measure: Measure | None = catalogue.get(indicator).measure
    except KeyError:
        measure = None
        errors.add("indicator", _("There is no indicator with this code."))
    if not isinstance(year, int) or not (FIRST_YEAR <= year <= LAST_YEAR):
        errors.add(
            "year",
            _("The year must lie between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    elif not _existed_in(unit, year):
        errors.add("year", _("The unit did not exist in that year."))
    if kind not in TargetKind.values:
        errors.add("kind", _("Choose the kind of target."))
    try:
        number = _as_decimal(value)
    except ValueError:
        number = None
        errors.add("value", _("Enter the target as a number."))
    else:
        if kind == TargetKind.LEVEL and number is None:
            errors.add("value", _("A target to reach needs a value."))
        elif kind in (TargetKind.BELOW_PREVIOUS, TargetKind.ABOVE_PREVIOUS) and number is not None:
            errors.add("value", _("A target relative to the year before takes no value."))
        elif number is not None and measure is not None and (problem := _value_errors(measure, number)):
            errors.add("value", problem)
    source_document = " ".join((source_document or "").split())
    if len(source_document) > MAX_DOCUMENT:
        errors.add("source_document", _("The plan or decision is too long (300 characters at most)."))
    reason = (reason or "").strip()
    errors.raise_any()
    if number is not None:
        number = number.quantize(_TWO_PLACES)

    with transaction.atomic():
        target = (
            Target.objects.select_for_update().filter(indicator=indicator, admin_unit=unit, year=year).first()
        )
        now = timezone.now()
        if target is None:
            if version not in (None, 0):
                # The caller read a target that no longer exists in this form.
                raise Conflict(0)
            try:
                with transaction.atomic():
                    target = Target.objects.create(
                        indicator=indicator,
                        admin_unit=unit,
                        province=province_of(unit),
                        year=year,
                        kind=kind,
                        value=number,
                        source_document=source_document,
                        updated_by=actor,
                    )
            except IntegrityError:
                # Another officer set it at the same moment: theirs stands, this one is told so.
                current = Target.objects.filter(indicator=indicator, admin_unit=unit, year=year).first()
                raise Conflict(current.version if current else 0) from None
            action = AuditAction.CREATE
            changes: dict[str, Any] = {
                "indicator": indicator,
                "year": year,
                "kind": kind,
                "value": None if number is None else str(number),
                "source_document": source_document,
            }
        else:
            if version is not None and target.version != version:
                raise Conflict(target.version)
            before = {"kind": target.kind, "value": target.value, "source_document": target.source_document}
            after = {"kind": kind, "value": number, "source_document": source_document}
            changed = {k: v for k, v in after.items() if before[k] != v}
            if not changed:
                return target
            if not reason:
                raise ValidationError({"reason": [_("Say why the target is revised.")]})
            changes = {
                "indicator": indicator,
                "year": year,
                **{
                    k: [
                        None if before[k] is None else str(before[k]),
                        None if after[k] is None else str(after[k]),
                    ]
                    for k in changed
                },
            }
            target.kind, target.value, target.source_document = kind, number, source_document
            target.updated_by = actor
            target.version += 1
            target.save(
                update_fields=["kind", "value", "source_document", "updated_by", "version", "updated_at"]
            )
            action = AuditAction.UPDATE
        TargetRevision.objects.create(
            target=target,
            kind=kind,
            value=number,
            source_document=source_document,
            reason=reason,
            at=now,
            by=actor,
        )
        if reason:
            changes["reason"] = reason
        audit.record(actor=actor, action=action, obj=target, unit=unit, changes=changes)
    return target
