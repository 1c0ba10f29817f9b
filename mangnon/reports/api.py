"""Periodic reports through the API, mounted at /api/v1/reports.

- `POST /api/v1/reports` `{"unit", "period_start", "period_end", "kind", "publish"?, "title"?}` makes a
  draft (its figures gathered, its sections written) and answers 201 with the report; the `unit` is a
  unit code ("22": Quảng Ninh): the unit that carries it today, else the one it named on the period's
  last day (a code retired at the 2025 reform). A unit
  outside the caller's reading scope is 404, a unit they read but may not write reports of 403, a
  period that is not a half-year, a year or whole years 422 with the message. Honours Idempotency-Key.
- `GET /api/v1/reports/{id}`: status, unit, period, kind, title, version, when the figures were
  gathered, the sections and the files of the current version.
- `GET /api/v1/reports/{id}/docx`, `/xlsx`, `/pdf` (where LibreOffice is installed): the file of the
  report as it stands when it is written (200, an attachment, not cached); otherwise it is asked for
  (`services.file_request`, rendered in the background) and the answer is 202 with its status and
  progress: poll until 200. A rendering that failed is 500 with a short message (`?retry=true` asks
  again).

A report outside the caller's scope, or a draft to a reader who may not write it, is 404 (its existence
is not revealed). Reading a report and downloading a file are audited; asking for a file is audited by
the service.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from mangnon.core import audit, idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, invalid
from mangnon.core.models import AuditAction
from mangnon.geo.selectors import unit_on

from . import outputs, pdf, selectors, services
from .access import get_report_for_user
from .models import FileFormat, FileStatus, Report, ReportFile, SectionKey

router = Router(tags=["reports"])

IDEMPOTENCY_SCOPE = "reports.report"


class ReportIn(Schema):
    unit: str = Field(description="Code of the unit the report is of (22: Quảng Ninh)")
    period_start: date = Field(description="1 January or 1 July")
    period_end: date = Field(description="30 June or 31 December")
    kind: str = Field(description="half_year, annual or phase (whole years)")
    publish: bool = Field(False, description="For publication: small counts of children suppressed")
    title: str = Field("", description="The report's title; written from its period when empty")


class UnitOut(Schema):
    code: str
    name: str
    level: str


class PeriodOut(Schema):
    start: date
    end: date
    key: str
    label: str


class SectionOut(Schema):
    key: str
    title: str
    text: str
    edited: bool


class FileOut(Schema):
    fmt: str
    status: str
    progress: int


class ReportOut(Schema):
    id: int
    status: str
    unit: UnitOut
    kind: str
    period: PeriodOut
    title: str
    number: str
    place: str
    issued_on: date | None
    publish: bool
    version: int
    revision: int
    based_on: int | None
    figures_at: str | None
    finalised_at: str | None
    sections: list[SectionOut]
    files: list[FileOut]


class FileStateOut(Schema):
    status: str
    progress: int


def _detail(report: Report) -> ReportOut:
    figures = report.figures or {}
    period = figures.get("period") or {}
    return ReportOut.model_validate(
        {
            "id": report.pk,
            "status": report.status,
            "unit": {
                "code": report.admin_unit.code,
                "name": report.admin_unit.name,
                "level": report.admin_unit.level,
            },
            "kind": report.kind,
            "period": {
                "start": report.period_start,
                "end": report.period_end,
                "key": period.get("key", ""),
                "label": period.get("label", ""),
            },
            "title": report.title,
            "number": report.number,
            "place": report.place,
            "issued_on": report.issued_on,
            "publish": report.publish,
            "version": report.version,
            "revision": report.revision,
            "based_on": report.based_on_id,
            "figures_at": report.figures_at.isoformat() if report.figures_at else None,
            "finalised_at": report.finalised_at.isoformat() if report.finalised_at else None,
            "sections": [
                {"key": s.key, "title": str(SectionKey(s.key).label), "text": s.text, "edited": s.edited}
                for s in report.sections.all()
            ],
            "files": [
                {"fmt": f.fmt, "status": f.status, "progress": f.progress}
                for f in selectors.current_files(report).values()
            ],
        }
    )


def _read(user: Any, report_id: int) -> Report:
    report = get_report_for_user(user, report_id)
    audit.record(actor=user, action=AuditAction.VIEW, obj=report, unit=report.admin_unit)
    return report


@router.post(
    "",
    response={200: ReportOut, 201: ReportOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Make a draft report of a unit for a period (honours Idempotency-Key)",
)
def create_report(request: HttpRequest, body: ReportIn) -> Status[ReportOut]:
    user = caller(request)
    code = body.unit.strip()
    # The unit that carries the code today (a commune's report covers the commune as it is now, its
    # merged predecessors' records included); a code no longer in use, the unit it named at the end of
    # the period.
    unit = unit_on(code) or unit_on(code, body.period_end)
    if unit is None:
        raise Http404

    def create() -> Report:
        return services.report_create(
            actor=user,
            unit=unit,
            kind=body.kind,
            period_start=body.period_start,
            period_end=body.period_end,
            publish=body.publish,
            title=body.title,
        )

    try:
        report, created = idempotency.create_once(
            actor=user,
            scope=IDEMPOTENCY_SCOPE,
            key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
            create=create,
            load=lambda pk: get_report_for_user(user, pk),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    report = get_report_for_user(user, report.pk)
    return Status(201 if created else 200, _detail(report))


@router.get("/{report_id}", response={200: ReportOut, 404: ErrorOut}, summary="A report and its sections")
def get_report(request: HttpRequest, report_id: int) -> ReportOut:
    return _detail(_read(caller(request), report_id))


def _failed(row: ReportFile) -> ApiError:
    message = _(row.error) if row.error else _("The file could not be written.")
    return ApiError(500, "render_failed", {"message": message, "retry": True})


def _file(request: HttpRequest, report_id: int, fmt: str, retry: bool) -> Any:
    user = caller(request)
    report = get_report_for_user(user, report_id)
    if fmt == FileFormat.PDF and not pdf.available():
        raise ApiError(404, "not_available", _("PDF is not available on this server."))
    row = selectors.current_files(report).get(fmt)
    if row is None or (row.status != FileStatus.DONE and (row.status != FileStatus.FAILED or retry)):
        row = services.file_request(actor=user, report=report, fmt=fmt)  # also fails a stuck one
    if row.status == FileStatus.QUEUED:
        # A program asking for a file waits for it in this request rather than polling for a worker: it
        # takes a second or two, and a server run without the task worker still answers. A file a
        # worker has already taken stays with the worker (202 with its progress).
        outputs.render_file(row.pk)
        row.refresh_from_db(fields=["status", "progress", "error"])
    if row.status == FileStatus.DONE:
        content = ReportFile.objects.values_list("content", flat=True).get(pk=row.pk)
        return outputs.download(viewer=user, report=report, row=row, content=bytes(content or b""))
    if row.status == FileStatus.FAILED:
        raise _failed(row)
    return Status(202, {"status": row.status, "progress": row.progress})


FILE_RESPONSES: dict[int, type[Schema]] = {202: FileStateOut, 404: ErrorOut, 500: ErrorOut}


@router.get("/{report_id}/docx", response=FILE_RESPONSES, summary="The report as DOCX (202 while written)")
def report_docx_file(request: HttpRequest, report_id: int, retry: bool = False) -> Any:
    return _file(request, report_id, FileFormat.DOCX, retry)


@router.get("/{report_id}/xlsx", response=FILE_RESPONSES, summary="The annex as XLSX (202 while written)")
def report_xlsx_file(request: HttpRequest, report_id: int, retry: bool = False) -> Any:
    return _file(request, report_id, FileFormat.XLSX, retry)


@router.get("/{report_id}/pdf", response=FILE_RESPONSES, summary="The report as PDF (202 while written)")
def report_pdf_file(request: HttpRequest, report_id: int, retry: bool = False) -> Any:
    return _file(request, report_id, FileFormat.PDF, retry)
