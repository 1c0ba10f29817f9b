"""Writes of periodic reports: create, gather the figures again, edit a section, finalise, make a new
version, ask for a file. Each runs in one transaction with its audit event; a write that names a stale
version raises `Conflict` and writes nothing; a finalised report refuses every change."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.registry.services import Conflict

from . import figures, narrative
from .access import check_write
from .models import FileFormat, FileStatus, Report, ReportFile, ReportSection, ReportStatus, SectionKey

__all__ = [
    "Conflict",
    "file_request",
    "report_create",
    "report_details_edit",
    "report_finalise",
    "report_new_version",
    "report_refresh",
    "section_edit",
]

MAX_SECTION_TEXT = 50_000
STUCK_AFTER = timedelta(minutes=10)  # a file being written reports progress every few seconds
STUCK_ERROR = gettext_noop("The writing of the file stopped: ask for it again.")


def _refuse_if_final(report: Report) -> None:
    if report.is_final:
        raise ValidationError(_("This report is finalised and cannot be changed. Make a new version of it."))


def _check_version(report: Report, version: int | None) -> None:
    if version is not None and version != report.version:
        raise Conflict(report.version)


def _update_draft(report: Report, version: int, **values: Any) -> None:
    """Write `values` to the report if it is still the draft at `version` the caller read, moving its
    version on; Conflict (nothing written) otherwise."""
    draft = Report.objects.filter(pk=report.pk, version=version, status=ReportStatus.DRAFT)
    if not draft.update(**values, version=F("version") + 1, updated_at=timezone.now()):
        raise Conflict(Report.objects.get(pk=report.pk).version)


def _write_sections(report: Report, snapshot: dict[str, Any], *, keep_edits: bool) -> None:
    """Each section's text from the figures; with `keep_edits`, a section the officer edited keeps
    their text (its `generated` text is still brought up to date beside it)."""
    texts = narrative.generate(snapshot)
    existing = {s.key: s for s in report.sections.all()} if keep_edits else {}
    for position, key in enumerate(SectionKey.values):
        generated = texts.get(key, "")
        section = existing.get(key)
        if section is None:
            ReportSection.objects.create(
                report=report, key=key, position=position, generated=generated, text=generated
            )
            continue
        section.generated = generated
        if not section.edited:
            section.text = generated
        section.save(update_fields=["generated", "text", "updated_at"])


def report_create(
    *,
    actor: Any,
    unit: AdminUnit,
    kind: str,
    period_start: date,
    period_end: date,
    publish: bool = False,
    title: str = "",
) -> Report:
    """A draft report of `unit` for the period, its figures gathered and its sections written."""
    check_write(actor, unit)
    figures.report_period(kind, period_start, period_end)  # ValidationError before any work
    snapshot = figures.collect(
        viewer=actor, unit=unit, kind=kind, start=period_start, end=period_end, publish=publish
    )
    with transaction.atomic():
        report = Report.objects.create(
            admin_unit=unit,
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            publish=publish,
            title=(title.strip() or narrative.default_title(snapshot))[:300],
            place=narrative.default_place(unit),
            figures=snapshot,
            figures_at=timezone.now(),
            created_by=actor,
        )
        _write_sections(report, snapshot, keep_edits=False)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=report,
            unit=unit,
            changes={"kind": kind, "start": period_start, "end": period_end, "publish": publish},
        )
    return report


def report_refresh(*, actor: Any, report: Report, version: int | None = None) -> Report:
    """Gather a draft's figures again from the records as they are now and rewrite the sections the
    officer has not edited."""
    check_write(actor, report.admin_unit)
    _refuse_if_final(report)
    _check_version(report, version)
    snapshot = figures.collect(
        viewer=actor,
        unit=report.admin_unit,
        kind=report.kind,
        start=report.period_start,
        end=report.period_end,
        publish=report.publish,
    )
    with transaction.atomic():
        _update_draft(report, report.version, figures=snapshot, figures_at=timezone.now())
        report.refresh_from_db()
        _write_sections(report, snapshot, keep_edits=True)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=report,
            unit=report.admin_unit,
            changes={"figures": "gathered"},
        )
    return report


DETAIL_LIMITS = {"title": 300, "number": 60, "place": 100, "signer_title": 100, "signer_name": 100}
MAX_RECIPIENTS = 2_000


def report_details_edit(*, actor: Any, report: Report, version: int, changes: dict[str, Any]) -> Report:
    """The details a draft is issued with: title, number and symbol, place and date, signer, recipients."""
    check_write(actor, report.admin_unit)
    _refuse_if_final(report)
    allowed = {*DETAIL_LIMITS, "issued_on", "recipients"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, limit in DETAIL_LIMITS.items():
        if name in changes:
            values[name] = str(changes[name] or "").strip()
            if len(values[name]) > limit:
                errors[name] = [_("At most %(n)s characters.") % {"n": limit}]
    if "title" in values and not values["title"]:
        errors["title"] = [_("The report needs a title.")]
    if "recipients" in changes:
        values["recipients"] = str(changes["recipients"] or "").replace("\r\n", "\n").strip()
        if len(values["recipients"]) > MAX_RECIPIENTS:
            errors["recipients"] = [_("At most %(n)s characters.") % {"n": MAX_RECIPIENTS}]
    if "issued_on" in changes:
        issued = changes["issued_on"]
        if issued not in (None, "") and not isinstance(issued, date):
            errors["issued_on"] = [_("Enter a valid date.")]
        values["issued_on"] = issued or None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _update_draft(report, version, **values)
        before = {name: getattr(report, name) for name in values}
        report.refresh_from_db()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=report,
            unit=report.admin_unit,
            changes={
                name: [before[name], getattr(report, name)]
                for name in values
                if before[name] != getattr(report, name)
            },
        )
    return report


def section_edit(*, actor: Any, section: ReportSection, version: int, text: str) -> ReportSection:
    """The officer's text for a section of a draft. Empty text gives the section back its generated one."""
    report = section.report
    check_write(actor, report.admin_unit)
    _refuse_if_final(report)
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_SECTION_TEXT:
        raise ValidationError(
            {"text": [_("The text is too long (at most %(n)s characters).") % {"n": f"{MAX_SECTION_TEXT:,}"}]}
        )
    with transaction.atomic():
        edited = bool(text) and text != section.generated
        updated = ReportSection.objects.filter(pk=section.pk, version=version).update(
            text=text or section.generated, edited=edited, version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict(ReportSection.objects.get(pk=section.pk).version)
        # The report's own version moves too: files rendered before this edit are out of date.
        Report.objects.filter(pk=report.pk).update(version=F("version") + 1, updated_at=timezone.now())
        before = section.text
        section.refresh_from_db()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=report,
            unit=report.admin_unit,
            changes={
                "section": section.key,
                "characters": [len(before), len(section.text)],
                "edited": edited,
            },
        )
    return section


def report_finalise(*, actor: Any, report: Report, version: int) -> Report:
    """Freeze a draft: its figures and text never change again."""
    check_write(actor, report.admin_unit)
    _refuse_if_final(report)
    with transaction.atomic():
        _update_draft(
            report, version, status=ReportStatus.FINAL, finalised_at=timezone.now(), finalised_by=actor
        )
        report.refresh_from_db()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=report,
            unit=report.admin_unit,
            changes={"status": [ReportStatus.DRAFT, ReportStatus.FINAL]},
        )
    return report


def report_new_version(*, actor: Any, report: Report) -> Report:
    """A new draft made from a finalised report: the same figures and text, to correct and finalise again."""
    check_write(actor, report.admin_unit)
    if not report.is_final:
        raise ValidationError(
            _("Only a finalised report can be made into a new version: edit the draft itself.")
        )
    with transaction.atomic():
        copy = Report.objects.create(
            admin_unit=report.admin_unit,
            kind=report.kind,
            period_start=report.period_start,
            period_end=report.period_end,
            publish=report.publish,
            title=report.title,
            number=report.number,
            place=report.place,
            issued_on=None,
            signer_title=report.signer_title,
            signer_name=report.signer_name,
            recipients=report.recipients,
            figures=report.figures,
            figures_at=report.figures_at,
            based_on=report,
            revision=report.revision + 1,
            created_by=actor,
        )
        ReportSection.objects.bulk_create(
            ReportSection(
                report=copy,
                key=s.key,
                position=s.position,
                generated=s.generated,
                text=s.text,
                edited=s.edited,
            )
            for s in report.sections.all()
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=copy,
            unit=copy.admin_unit,
            changes={"based_on": report.pk, "revision": copy.revision},
        )
    return copy


def file_request(*, actor: Any, report: Report, fmt: str) -> ReportFile:
    """The file of `report` as it stands in `fmt`: the one already written for this version, or a new
    one queued for the background task (its progress on `ReportFile`)."""
    if fmt not in FileFormat.values:
        raise ValidationError({"fmt": [_("Unknown file format.")]})
    # A file whose worker stopped mid-way (it no longer moves) is failed, so that a new one is written.
    ReportFile.objects.filter(
        report=report, fmt=fmt, status=FileStatus.RUNNING, updated_at__lt=timezone.now() - STUCK_AFTER
    ).update(status=FileStatus.FAILED, error=STUCK_ERROR, finished_at=timezone.now())
    existing = (
        ReportFile.objects.filter(report=report, fmt=fmt, report_version=report.version)
        .exclude(status=FileStatus.FAILED)
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing
    from .tasks import render_file  # the task module imports the renderers, which import this one's models

    with transaction.atomic():
        row = ReportFile.objects.create(
            report=report, fmt=fmt, report_version=report.version, requested_by=actor
        )
        audit.record(
            actor=actor,
            action=AuditAction.EXPORT,
            obj=report,
            unit=report.admin_unit,
            changes={"format": fmt, "file": row.pk, "publish": report.publish},
        )
        transaction.on_commit(lambda: render_file.enqueue(row.pk))
    return row
