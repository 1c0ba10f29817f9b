"""Writes of entered data: saving a report's figures, and its approval steps.

A report is typed in by the unit that reports it (DATA_ENTER), submitted when every figure is filled,
then approved by the province (DATA_APPROVE, never by the person who submitted it), which locks it; the
approver may instead return it for correction with a reason, and only the province manager may unlock
an approved report (DATA_UNLOCK), again with a reason. Only an open report's figures can change.

Every figure keeps its history (EnteredValueChange: old, new, who, when), every step is a
DataSetReportEvent, and every write is audited in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from mangnon.accounts.access import check_at_unit
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.core.validation import FieldErrors
from mangnon.geo.models import AdminUnit
from mangnon.registry.services import Conflict, province_of

from .entered import DataSet, Kind, get_data_set
from .entry_selectors import enters, missing_elements
from .models import (
    DataSetReport,
    DataSetReportEvent,
    EnteredValue,
    EnteredValueChange,
    ReportEventKind,
    ReportStatus,
)
from .periods import ReportingPeriod

__all__ = [
    "Conflict",
    "Saved",
    "report_approve",
    "report_return",
    "report_submit",
    "report_unlock",
    "report_values_save",
]


@dataclass(frozen=True)
class Saved:
    report: DataSetReport | None  # None: nothing was saved yet and nothing changed
    changed: tuple[str, ...]  # the codes of the elements whose value changed


def _check_unit(
    actor: Any, data_set: DataSet, unit: AdminUnit, period: ReportingPeriod, action: Action
) -> None:
    check_at_unit(actor, unit, Action.INDICATOR_VIEW, action)
    if not enters(data_set, unit, period):
        raise Http404


def _locked_message(report: DataSetReport) -> str:
    if report.status == ReportStatus.SUBMITTED:
        return _(
            "This report has been submitted and cannot change. Ask the province to return it for correction."
        )
    return _("This report is approved and locked; ask the province manager to unlock it with a reason.")


def _figure(value: int) -> str:
    return number_format(value, force_grouping=True)


def _check_values(
    data_set: DataSet, values: Mapping[str, Any], stored: Mapping[str, int | None]
) -> dict[str, int | None]:
    """The submitted values, checked: whole numbers ≥ 0, yes/no as 1 or 0, no part above its whole
    (against the whole in the same submission or already stored). ValidationError naming each field."""
    errors = FieldErrors()
    known = {e.code: e for e in data_set.elements}
    clean: dict[str, int | None] = {}
    for code, value in values.items():
        element = known.get(code)
        if element is None:
            errors.add("__all__", _("%(code)s is not a figure of this data set.") % {"code": code})
            continue
        if value is None:
            clean[code] = None
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.add(code, _("Enter a whole number, 0 or more."))
        elif element.kind is Kind.YES_NO and value not in (0, 1):
            errors.add(code, _("Answer 1 (yes) or 0 (no)."))
        else:
            clean[code] = value
    merged = {**stored, **clean}
    for element in data_set.elements:
        if not element.part_of or element.code in errors.found:
            continue
        part, whole = merged.get(element.code), merged.get(element.part_of)
        if part is not None and whole is not None and part > whole:
            errors.add(
                element.code,
                _("%(part)s (%(part_value)s) cannot be more than %(whole)s (%(whole_value)s).")
                % {
                    "part": element.name,
                    "part_value": _figure(part),
                    "whole": data_set.element(element.part_of).name,
                    "whole_value": _figure(whole),
                },
            )
    errors.raise_any()
    return clean


def report_values_save(
    *,
    actor: Any,
    data_set: DataSet,
    unit: AdminUnit,
    period: ReportingPeriod,
    values: Mapping[str, int | None],
    version: int | None,
) -> Saved:
    """Save a report's form at once: create the report on its first save, write a change row for every
    value that changed (nothing for those that did not), raise the report's version once, audit once.

    `version` is the report's version the form was read at (None when there was no report yet); a stale
    one raises Conflict and writes nothing."""
    _check_unit(actor, data_set, unit, period, Action.DATA_ENTER)
    with transaction.atomic():
        report = (
            DataSetReport.objects.select_for_update()
            .filter(data_set=data_set.code, admin_unit=unit, period=period.key)
            .first()
        )
        if report is not None and version != report.version:
            raise Conflict(report.version)
        if report is not None and report.status != ReportStatus.OPEN:
            raise ValidationError({"__all__": [_locked_message(report)]})
        existing = {v.element: v for v in report.values.all()} if report is not None else {}
        stored = {code: v.value for code, v in existing.items()}
        clean = _check_values(data_set, values, stored)
        changed = {code: new for code, new in clean.items() if stored.get(code) != new}
        if not changed:
            return Saved(report, ())
        now = timezone.now()
        created = report is None
        if report is None:
            try:
                with transaction.atomic():
                    report = DataSetReport.objects.create(
                        data_set=data_set.code, admin_unit=unit, province=province_of(unit), period=period.key
                    )
            except IntegrityError:
                # Someone saved the first figures of this report meanwhile: their version is news to us.
                current = DataSetReport.objects.get(
                    data_set=data_set.code, admin_unit=unit, period=period.key
                )
                raise Conflict(current.version) from None
        else:
            report.version += 1
            report.save(update_fields=["version", "updated_at"])
        changes: list[EnteredValueChange] = []
        for code, new in changed.items():
            row = existing.get(code)
            if row is None:
                row = EnteredValue.objects.create(
                    report=report,
                    element=code,
                    admin_unit=unit,
                    province=report.province,
                    period=period.key,
                    value=new,
                    updated_by=actor,
                )
            else:
                row.value, row.updated_by, row.version = new, actor, row.version + 1
                row.save(update_fields=["value", "updated_by", "version", "updated_at"])
            changes.append(EnteredValueChange(value=row, old=stored.get(code), new=new, at=now, by=actor))
        EnteredValueChange.objects.bulk_create(changes)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=report,
            unit=unit,
            changes={
                "data_set": data_set.code,
                "period": period.key,
                "values": {code: [stored.get(code), new] for code, new in changed.items()},
            },
            at=now,
        )
    return Saved(report, tuple(changed))


def _step(
    *,
    actor: Any,
    report: DataSetReport,
    action: Action,
    expected: str,
    to: str,
    kind: str,
    reason: str = "",
    fields: Mapping[str, Any] | None = None,
    check: Any = None,
) -> DataSetReport:
    """Move `report` from `expected` to `to` under a row lock: check the permission at its unit, run
    `check(locked)` (raising ValidationError), write the step and audit it."""
    check_at_unit(actor, report.admin_unit, Action.INDICATOR_VIEW, action)
    with transaction.atomic():
        locked = DataSetReport.objects.select_for_update().select_related("admin_unit").get(pk=report.pk)
        if locked.status != expected:
            raise ValidationError({"__all__": [_wrong_state_message(locked)]})
        if check is not None:
            check(locked)
        now = timezone.now()
        before = locked.status
        locked.status = to
        updates = ["status", "version", "updated_at"]
        for name, value in (fields or {}).items():
            setattr(locked, name, now if value == "now" else value)
            updates.append(name)
        locked.version += 1
        locked.save(update_fields=updates)
        DataSetReportEvent.objects.create(report=locked, kind=kind, reason=reason, at=now, by=actor)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            unit=locked.admin_unit,
            changes={"status": [before, to], "step": kind, **({"reason": reason} if reason else {})},
            at=now,
        )
    report.refresh_from_db()
    return locked


def _wrong_state_message(report: DataSetReport) -> str:
    if report.status == ReportStatus.OPEN:
        return _("This report is being entered: it has not been submitted.")
    if report.status == ReportStatus.SUBMITTED:
        return _("This report has already been submitted.")
    return _("This report is approved and locked; ask the province manager to unlock it with a reason.")


def _reason_given(reason: str) -> Any:
    def check(_locked: DataSetReport) -> None:
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("Give the reason.")]})

    return check


def report_submit(*, actor: Any, report: DataSetReport) -> DataSetReport:
    """OPEN → SUBMITTED once every figure is filled (0 where there was none)."""
    data_set = get_data_set(report.data_set)

    def every_figure(locked: DataSetReport) -> None:
        values = dict(locked.values.values_list("element", "value"))
        missing = missing_elements(data_set, values)
        if missing:
            message = _("Fill in every figure before submitting (enter 0 where there was none): %(missing)s.")
            names = "; ".join(str(e.name) for e in missing)
            raise ValidationError({"__all__": [message % {"missing": names}]})

    return _step(
        actor=actor,
        report=report,
        action=Action.DATA_ENTER,
        expected=ReportStatus.OPEN,
        to=ReportStatus.SUBMITTED,
        kind=ReportEventKind.SUBMITTED,
        fields={"submitted_at": "now", "submitted_by": actor},
        check=every_figure,
    )


def report_approve(*, actor: Any, report: DataSetReport) -> DataSetReport:
    """SUBMITTED → APPROVED, which locks the figures; never by the person who submitted them."""

    def not_own(locked: DataSetReport) -> None:
        if locked.submitted_by_id == actor.pk:
            raise ValidationError(
                {"__all__": [_("You submitted this report: another person must approve it.")]}
            )

    return _step(
        actor=actor,
        report=report,
        action=Action.DATA_APPROVE,
        expected=ReportStatus.SUBMITTED,
        to=ReportStatus.APPROVED,
        kind=ReportEventKind.APPROVED,
        fields={"approved_at": "now", "approved_by": actor},
        check=not_own,
    )


def report_return(*, actor: Any, report: DataSetReport, reason: str) -> DataSetReport:
    """SUBMITTED → OPEN: sent back to the unit for correction, with the reason."""
    return _step(
        actor=actor,
        report=report,
        action=Action.DATA_APPROVE,
        expected=ReportStatus.SUBMITTED,
        to=ReportStatus.OPEN,
        kind=ReportEventKind.RETURNED,
        reason=(reason or "").strip(),
        fields={"submitted_at": None, "submitted_by": None},
        check=_reason_given(reason),
    )


def report_unlock(*, actor: Any, report: DataSetReport, reason: str) -> DataSetReport:
    """APPROVED → OPEN: the province manager reopens an approved report, with the reason."""
    return _step(
        actor=actor,
        report=report,
        action=Action.DATA_UNLOCK,
        expected=ReportStatus.APPROVED,
        to=ReportStatus.OPEN,
        kind=ReportEventKind.UNLOCKED,
        reason=(reason or "").strip(),
        fields={"submitted_at": None, "submitted_by": None, "approved_at": None, "approved_by": None},
        check=_reason_given(reason),
    )
