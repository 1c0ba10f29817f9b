"""Rendering a report's file in the background (`outputs.render_file`): the bytes stored with status
done, the progress saved as it goes, every failure ending "failed" with a short message (never left
running), a report changed since the request, and the real DOCX → PDF → PNG of page 1 where LibreOffice
(and pdftoppm) are installed, the PDF and the PNG kept in artifacts/reports/."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from mangnon.reports import annex, outputs, pdf, report_docx, report_xlsx, services
from mangnon.reports.models import FileFormat, FileStatus, Report, ReportFile, ReportStatus

from .conftest import text_of
from .outputs_fixtures import TABLES, make_report

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "reports"
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture
def report(units: Any, personas: Any, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.setattr(annex, "tables", lambda snapshot: TABLES)
    return make_report(personas.province_officer, units.province, number="125/BC-UBND", place="Quảng Ninh")


def _queued(report: Report, fmt: str) -> ReportFile:
    """A file asked for and not yet rendered (the task is not run: on_commit callbacks are not)."""
    row = services.file_request(actor=report.created_by, report=report, fmt=fmt)
    assert row.status == FileStatus.QUEUED
    return row


def test_docx_rendered_and_stored(report: Report) -> None:
    row = _queued(report, FileFormat.DOCX)
    outputs.render_file(row.pk)
    row.refresh_from_db()
    assert (row.status, row.progress, row.error) == (FileStatus.DONE, 100, "")
    assert row.finished_at is not None
    text = text_of(bytes(row.content))
    assert "BÁO CÁO KẾT QUẢ THỰC HIỆN CÔNG TÁC TRẺ EM NĂM 2020" in text and "Số: 125/BC-UBND" in text
    assert "Biểu 1. Hoạt động truyền thông năm 2020" in text


def test_xlsx_rendered_and_stored(report: Report) -> None:
    row = _queued(report, FileFormat.XLSX)
    outputs.render_file(row.pk)
    row.refresh_from_db()
    assert row.status == FileStatus.DONE
    book = load_workbook(io.BytesIO(bytes(row.content)))
    assert book.sheetnames[0] == "Thông tin" and len(book.sheetnames) == 1 + len(TABLES)


def test_the_task_renders_the_file_once_the_request_commits(
    report: Report, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        row = services.file_request(actor=report.created_by, report=report, fmt=FileFormat.XLSX)
    row.refresh_from_db()
    assert row.status == FileStatus.DONE and row.content


def test_progress_is_saved_as_it_goes(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    row = _queued(report, FileFormat.DOCX)
    seen: list[tuple[str, int]] = []
    save = outputs._save

    def spy(file_id: int, **values: Any) -> None:
        save(file_id, **values)
        # What a page polling the file reads at this moment (a fresh query, not this process's object).
        status, progress = ReportFile.objects.values_list("status", "progress").get(pk=file_id)
        seen.append((status, progress))

    monkeypatch.setattr(outputs, "_save", spy)
    outputs.render_file(row.pk)
    progress = [p for _status, p in seen]
    assert progress == sorted(progress) and len(set(progress)) >= 4
    assert all(status == FileStatus.RUNNING for status, p in seen[:-1]) and max(progress[:-1]) < 100
    assert seen[-1] == (FileStatus.DONE, 100)


@pytest.mark.parametrize("fmt", [FileFormat.DOCX, FileFormat.XLSX])
def test_a_failure_leaves_the_file_failed(report: Report, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk full at /srv/secret")

    monkeypatch.setattr(report_docx, "build", broken)
    monkeypatch.setattr(report_xlsx, "build", broken)
    row = _queued(report, fmt)
    outputs.render_file(row.pk)
    row.refresh_from_db()
    assert row.status == FileStatus.FAILED and row.finished_at is not None
    assert row.error == outputs.ERROR_RENDER and "secret" not in row.error
    assert row.content is None
    # A later request asks for a new file rather than the failed one.
    again = services.file_request(actor=report.created_by, report=report, fmt=fmt)
    assert again.pk != row.pk and again.status == FileStatus.QUEUED


def test_a_failure_in_the_annex_tables_too(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(annex, "tables", lambda snapshot: 1 / 0)
    row = _queued(report, FileFormat.DOCX)
    outputs.render_file(row.pk)
    row.refresh_from_db()
    assert row.status == FileStatus.FAILED


def test_a_report_changed_since_the_request(report: Report, personas: Any) -> None:
    row = _queued(report, FileFormat.DOCX)
    section = report.sections.first()
    assert section is not None
    services.section_edit(
        actor=personas.province_officer, section=section, version=section.version, text="Mới."
    )
    outputs.render_file(row.pk)
    row.refresh_from_db()
    assert row.status == FileStatus.FAILED and row.error == outputs.ERROR_STALE


def test_a_file_not_queued_is_left_as_it_is(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    row = _queued(report, FileFormat.DOCX)
    outputs.render_file(row.pk)
    monkeypatch.setattr(report_docx, "build", lambda *a, **k: pytest.fail("rendered twice"))
    outputs.render_file(row.pk)  # done already (a second worker, a retried task)
    outputs.render_file(987654)  # gone
    row.refresh_from_db()
    assert row.status == FileStatus.DONE


def test_pdf_without_libreoffice_fails_with_a_message(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "available", lambda: False)
    row = _queued(report, FileFormat.PDF)
    outputs.render_file(row.pk)
    row.refresh_from_db()
    assert row.status == FileStatus.FAILED and row.error == outputs.ERROR_NO_PDF


def test_pdf_conversion_failure(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(content: bytes, timeout: float | None = None) -> bytes:
        raise pdf.ConversionFailed("Error: source file could not be loaded")

    monkeypatch.setattr(pdf, "available", lambda: True)
    monkeypatch.setattr(pdf, "docx_to_pdf", fails)
    row = _queued(report, FileFormat.PDF)
    outputs.render_file(row.pk)
    row.refresh_from_db()
    assert row.status == FileStatus.FAILED and row.error == outputs.ERROR_PDF


def _page_one_png(pdf_path: Path) -> Path | None:
    """Page 1 of the PDF as a PNG through pdftoppm (poppler-utils), or None where it is not installed."""
    program = shutil.which("pdftoppm")
    if program is None:
        return None
    stem = pdf_path.with_name(pdf_path.stem + "-page1")
    subprocess.run(  # noqa: S603 (our arguments, no shell)
        [program, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf_path), str(stem)],
        check=True,
        timeout=120,
    )
    return stem.with_suffix(".png")


@pytest.mark.skipif(not pdf.available() and not IN_CI, reason="LibreOffice (soffice) is not installed")
def test_real_pdf_and_page_one_as_png(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FINAL)
    report.refresh_from_db()
    row = ReportFile.objects.create(
        report=report, fmt=FileFormat.PDF, report_version=report.version, requested_by=report.created_by
    )
    outputs.render_file(row.pk)
    row.refresh_from_db()
    assert row.status == FileStatus.DONE, row.error
    content = bytes(row.content)
    assert content.startswith(b"%PDF-") and len(content) > 5000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / "periodic-report.pdf"
    pdf_path.write_bytes(content)
    png = _page_one_png(pdf_path)
    if png is None:
        if IN_CI:
            pytest.fail("pdftoppm (poppler-utils) is needed to turn page 1 into a PNG under CI=true")
        pytest.skip("pdftoppm (poppler-utils) is not installed: the PDF is kept, not its PNG")
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000
