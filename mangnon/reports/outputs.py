"""The rendering of a periodic report's file (run by the background task `tasks.render_file`).

`render_file(file_id)` takes a queued `ReportFile`, marks it running, writes the DOCX, XLSX or PDF (the
DOCX converted by LibreOffice, `pdf.docx_to_pdf`) from the report as it stands, and stores the bytes
with status "done". Its progress (0-100) is saved as it goes, each step in its own short write outside
any rendering transaction, so a page polling the file sees it move. Whatever goes wrong ends with
status "failed" and a short error for the reader (in English, translated where it is shown; the
traceback goes to the log, not to the row): a file is never left "running" by an exception.

A file is rendered for the version of the report it was asked for (`report_version`); when the report
has changed since (a section edited), the file fails as out of date and the next request asks for a
new one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_noop

from mangnon.core import audit
from mangnon.core.export import XLSX_CONTENT_TYPE
from mangnon.core.models import AuditAction

from . import annex, pdf, report_docx, report_xlsx
from .docx_layout import DOCX_CONTENT_TYPE
from .models import FileFormat, FileStatus, Report, ReportFile

logger = logging.getLogger(__name__)

MAX_ERROR = 300
# Stored in English (the row outlives the language of the request); pages and the API translate them.
ERROR_STALE = gettext_noop("The report changed after this file was asked for: ask for it again.")
ERROR_NO_PDF = gettext_noop("PDF is not available on this server (LibreOffice is not installed).")
ERROR_PDF = gettext_noop("The document could not be converted to PDF.")
ERROR_RENDER = gettext_noop("The file could not be written.")


class Stale(Exception):
    """The report changed after the file was asked for."""


def _save(file_id: int, **values: object) -> None:
    """One short write (autocommit): seen at once by whoever polls the file."""
    ReportFile.objects.filter(pk=file_id).update(**values, updated_at=timezone.now())


def _progress(file_id: int) -> Callable[[int], None]:
    last = [-1]

    def tell(percent: int) -> None:
        percent = max(0, min(int(percent), 99))  # 100 is "done", written with the content
        if percent > last[0]:
            last[0] = percent
            _save(file_id, progress=percent)

    return tell


def _scaled(tell: Callable[[int], None], low: int, high: int) -> Callable[[int], None]:
    """A progress callback reporting 0-100 within [low, high] of the whole."""
    return lambda percent: tell(low + (high - low) * percent // 100)


def _render(row: ReportFile, tell: Callable[[int], None]) -> bytes:
    report = Report.objects.select_related("admin_unit").get(pk=row.report_id)
    if report.version != row.report_version:
        raise Stale
    tell(5)
    tables = annex.tables(report.figures or {})
    tell(10)
    if row.fmt == FileFormat.XLSX:
        return report_xlsx.build(report, tables=tables, progress=_scaled(tell, 10, 95))
    if row.fmt == FileFormat.DOCX:
        return report_docx.build(report, tables=tables, progress=_scaled(tell, 10, 95))
    if row.fmt == FileFormat.PDF:
        if not pdf.available():
            raise pdf.ConversionFailed("LibreOffice is not installed")
        content = report_docx.build(report, tables=tables, progress=_scaled(tell, 10, 40))
        tell(45)
        return pdf.docx_to_pdf(content)
    raise ValueError(f"unknown format {row.fmt!r}")


def _error_text(exc: Exception) -> str:
    if isinstance(exc, Stale):
        return ERROR_STALE
    if isinstance(exc, pdf.ConversionFailed):
        return ERROR_NO_PDF if not pdf.available() else ERROR_PDF
    return ERROR_RENDER


def render_file(file_id: int) -> None:
    """Render the file `file_id` if it is queued (a file already taken by another worker, done or failed
    is left as it is)."""
    started = ReportFile.objects.filter(pk=file_id, status=FileStatus.QUEUED).update(
        status=FileStatus.RUNNING, progress=0, error="", updated_at=timezone.now()
    )
    if not started:
        return
    try:
        row = ReportFile.objects.get(pk=file_id)
        content = _render(row, _progress(file_id))
    except Exception as exc:  # the file must end failed, whatever happened
        if not isinstance(exc, Stale):
            logger.exception("Report file %s could not be rendered", file_id)
        ReportFile.objects.filter(Q(pk=file_id), ~Q(status=FileStatus.DONE)).update(
            status=FileStatus.FAILED,
            error=_error_text(exc)[:MAX_ERROR],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return
    _save(file_id, content=content, status=FileStatus.DONE, progress=100, finished_at=timezone.now())


CONTENT_TYPES: dict[str, str] = {
    FileFormat.DOCX: DOCX_CONTENT_TYPE,
    FileFormat.XLSX: XLSX_CONTENT_TYPE,
    FileFormat.PDF: pdf.PDF_CONTENT_TYPE,
}
# The browser saves the file and runs nothing of it, even if it were opened in a tab.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"


def filename(report: Report, fmt: str) -> str:
    """ "BaoCao_22_2020_v1.docx": ASCII (every browser keeps it), like the case forms' "Mau02_…"."""
    period = str((report.figures or {}).get("period", {}).get("key") or report.period_start.year)
    return f"BaoCao_{report.admin_unit.code}_{period}_v{report.revision}.{fmt}"


def download(*, viewer: Any, report: Report, row: ReportFile, content: bytes) -> HttpResponse:
    """The written file as an attachment, its export audited before it leaves: one answer for the pages
    and the API."""
    audit.record(
        actor=viewer,
        action=AuditAction.EXPORT,
        obj=report,
        unit=report.admin_unit,
        changes={"format": row.fmt, "file": row.pk, "downloaded": True, "publish": report.publish},
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[row.fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename(report, row.fmt)
    )
    response["Cache-Control"] = "no-store"  # figures of children: no copy left in a shared cache
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response
