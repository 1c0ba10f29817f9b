"""/api/v1/reports: create a report, read it, download its files (202 while written, then 200), for each
route the callers allowed, those refused (another commune, a reader without the write right, a draft to
leadership, anonymous) and the audit trail."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from mangnon.core.models import AuditEvent
from mangnon.reports import pdf, report_docx, services
from mangnon.reports.models import FileStatus, Report, ReportFile, SectionKey

from .outputs_fixtures import make_report

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports"
YEAR = {"period_start": "2020-01-01", "period_end": "2020-12-31", "kind": "annual"}


def _events(report: Report, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk), action=action)
    )


def _post(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post(URL, body, content_type="application/json", **headers)


@pytest.fixture
def draft(units: Any, personas: Any) -> Report:
    return make_report(personas.officer_a, units.commune_a)


@pytest.fixture
def final(units: Any, personas: Any) -> Report:
    report = make_report(personas.province_officer, units.province)
    return services.report_finalise(actor=personas.province_officer, report=report, version=report.version)


# --- POST /api/v1/reports -------------------------------------------------------------------------------


def test_create_a_province_report(api_for: Any, personas: Any, units: Any) -> None:
    response = _post(api_for(personas.province_officer), {"unit": "22", **YEAR, "publish": True})
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert (
        report.admin_unit == units.province
        and report.publish
        and report.created_by == personas.province_officer
    )
    assert body["status"] == "draft" and body["kind"] == "annual"
    assert body["unit"] == {"code": "22", "name": "Tỉnh Quảng Ninh", "level": "province"}
    assert body["period"]["key"] == "2020" and body["period"]["label"] == "Năm 2020"
    assert [s["key"] for s in body["sections"]] == list(SectionKey.values)
    assert body["version"] == report.version and body["files"] == []
    assert len(_events(report, "create")) == 1


def test_a_commune_officer_creates_their_communes_report(api_for: Any, personas: Any, units: Any) -> None:
    response = _post(
        api_for(personas.officer_a), {"unit": units.commune_a.code, **YEAR, "title": "Báo cáo X"}
    )
    assert response.status_code == 201
    assert response.json()["title"] == "Báo cáo X"
    assert Report.objects.get().admin_unit == units.commune_a


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [
        ("officer_a", "commune_b", 404),  # another commune
        ("officer_a", "province", 404),  # above their commune
        ("viewer", "province", 403),  # leadership reads reports, does not write them
        ("chair_a", "commune_a", 403),
        ("hotline", "province", 404),  # no report right at all
    ],
)
def test_create_refused(api_for: Any, personas: Any, units: Any, who: str, unit: str, status: int) -> None:
    code = getattr(units, unit).code
    response = _post(api_for(getattr(personas, who)), {"unit": code, **YEAR})
    assert response.status_code == status
    assert response.json()["error"] in ("not_found", "forbidden")
    assert not Report.objects.exists()


def test_create_with_a_wrong_period_or_unit(api_for: Any, personas: Any) -> None:
    client = api_for(personas.province_officer)
    response = _post(client, {"unit": "22", **YEAR, "period_end": "2020-06-30"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert "Báo cáo năm tính từ ngày 01 tháng 01 đến ngày 31 tháng 12." in str(response.json()["detail"])
    response = _post(client, {"unit": "22", **YEAR, "kind": "weekly"})
    assert response.status_code == 422
    assert _post(client, {"unit": "22", **YEAR, "period_start": "not a date"}).status_code == 422
    assert _post(client, {"unit": "no-such-unit", **YEAR}).status_code == 404
    assert not Report.objects.exists()


def test_create_message_by_field_in_the_callers_language(api_for: Any, personas: Any) -> None:
    client = api_for(personas.province_officer)
    response = _post(client, {"unit": "22", **YEAR, "kind": "weekly"})
    assert response.status_code == 422
    assert response.json()["detail"] == {"kind": ["Chọn loại báo cáo."]}  # Vietnamese by default
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _post(client, {"unit": "22", **YEAR, "kind": "weekly"})
    assert response.json()["detail"] == {"kind": ["Choose the kind of report."]}


def test_create_honours_the_idempotency_key(api_for: Any, personas: Any) -> None:
    client = api_for(personas.province_officer)
    first = _post(client, {"unit": "22", **YEAR}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = _post(client, {"unit": "22", **YEAR}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Report.objects.count() == 1
    other = _post(client, {"unit": "22", **YEAR, "publish": True}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"


def test_create_anonymous() -> None:
    response = _post(Client(), {"unit": "22", **YEAR})
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"


# --- GET /api/v1/reports/{id} -------------------------------------------------------------------------


def test_read_a_draft_and_its_sections(api_for: Any, personas: Any, draft: Report) -> None:
    response = api_for(personas.officer_a).get(f"{URL}/{draft.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == draft.pk and body["status"] == "draft" and body["version"] == draft.version
    assert body["figures_at"] and body["finalised_at"] is None
    section = next(s for s in body["sections"] if s["key"] == "training")
    assert section["text"].startswith("Tổ chức 109 lớp tập huấn") and section["title"]
    assert [e.actor_id for e in _events(draft, "view")] == [personas.officer_a.pk]


def test_leadership_reads_finalised_reports_only(
    api_for: Any, personas: Any, final: Report, draft: Report
) -> None:
    client = api_for(personas.viewer)
    response = client.get(f"{URL}/{final.pk}")
    assert response.status_code == 200 and response.json()["status"] == "final"
    assert len(_events(final, "view")) == 1
    # A draft of their province's commune: not revealed.
    assert client.get(f"{URL}/{draft.pk}").status_code == 404
    assert _events(draft, "view") == []


@pytest.mark.parametrize("who", ["officer_b", "hotline", "chair_a"])
def test_read_refused(api_for: Any, personas: Any, draft: Report, who: str) -> None:
    response = api_for(getattr(personas, who)).get(f"{URL}/{draft.pk}")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert _events(draft, "view") == []


def test_read_anonymous_and_unknown(api_for: Any, personas: Any, draft: Report) -> None:
    assert Client().get(f"{URL}/{draft.pk}").status_code == 401
    assert api_for(personas.officer_a).get(f"{URL}/999999").status_code == 404


# --- GET /api/v1/reports/{id}/docx, /xlsx, /pdf ---------------------------------------------------------


def _poll(client: Client, url: str, capture: Any) -> Any:
    """Ask for a file: a file no worker has taken is written in the request itself."""
    with capture(execute=True):
        return client.get(url)


def test_a_file_a_worker_is_writing_answers_202_with_its_progress_and_a_stuck_one_is_written_again(
    api_for: Any, personas: Any, draft: Report, django_capture_on_commit_callbacks: Any
) -> None:
    running = ReportFile.objects.create(
        report=draft,
        fmt="docx",
        report_version=draft.version,
        status=FileStatus.RUNNING,
        progress=40,
        requested_by=personas.officer_a,
    )
    client = api_for(personas.officer_a)
    response = client.get(f"{URL}/{draft.pk}/docx")
    assert response.status_code == 202 and response.json() == {"status": "running", "progress": 40}
    ReportFile.objects.filter(pk=running.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    response = _poll(client, f"{URL}/{draft.pk}/docx", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    running.refresh_from_db()
    assert (
        running.status == FileStatus.FAILED and ReportFile.objects.filter(status=FileStatus.DONE).count() == 1
    )


def test_docx_is_written_in_the_background_then_downloaded(
    api_for: Any, personas: Any, draft: Report, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_for(personas.officer_a)
    response = _poll(client, f"{URL}/{draft.pk}/docx", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Type"] == report_docx.layout.DOCX_CONTENT_TYPE
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="BaoCao_{draft.admin_unit.code}_2020_v1.docx"'
    )
    assert response["Cache-Control"] == "no-store"
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Tổ chức 109 lớp tập huấn nâng cao năng lực cho 8.641 lượt người." in text
    # Asked for once (the service's event), downloaded once.
    exports = _events(draft, "export")
    assert len(exports) == 2 and sum(bool(e.changes.get("downloaded")) for e in exports) == 1
    # The status of the file shows on the report.
    files = client.get(f"{URL}/{draft.pk}").json()["files"]
    assert files == [{"fmt": "docx", "status": "done", "progress": 100}]


def test_an_edit_makes_a_new_file(
    api_for: Any, personas: Any, draft: Report, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_for(personas.officer_a)
    assert _poll(client, f"{URL}/{draft.pk}/docx", django_capture_on_commit_callbacks).status_code == 200
    section = draft.sections.get(key=SectionKey.TASKS)
    services.section_edit(
        actor=personas.officer_a, section=section, version=section.version, text="Việc mới."
    )
    response = _poll(client, f"{URL}/{draft.pk}/docx", django_capture_on_commit_callbacks)
    assert "Việc mới." in "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert ReportFile.objects.filter(report=draft).count() == 2


def test_xlsx_for_leadership_of_a_finalised_report(
    api_for: Any, personas: Any, final: Report, django_capture_on_commit_callbacks: Any
) -> None:
    response = _poll(api_for(personas.viewer), f"{URL}/{final.pk}/xlsx", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Thông tin"
    assert [e.actor_id for e in _events(final, "export")] == [personas.viewer.pk, personas.viewer.pk]


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
@pytest.mark.parametrize("who", ["officer_b", "viewer", "chair_a", "hotline"])
def test_files_refused(api_for: Any, personas: Any, draft: Report, who: str, fmt: str) -> None:
    response = api_for(getattr(personas, who)).get(f"{URL}/{draft.pk}/{fmt}")
    assert response.status_code == 404
    assert not ReportFile.objects.exists() and _events(draft, "export") == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_files_anonymous(draft: Report, fmt: str) -> None:
    assert Client().get(f"{URL}/{draft.pk}/{fmt}").status_code == 401
    assert not ReportFile.objects.exists()


def test_pdf_where_libreoffice_is_installed(
    api_for: Any,
    personas: Any,
    draft: Report,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(pdf, "available", lambda: True)
    monkeypatch.setattr(pdf, "docx_to_pdf", lambda content, timeout=None: b"%PDF-1.7 " + content[:2])
    response = _poll(api_for(personas.officer_a), f"{URL}/{draft.pk}/pdf", django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 PK"
    assert response["Content-Disposition"].endswith('.pdf"')


def test_no_pdf_without_libreoffice(api_for: Any, personas: Any, draft: Report, monkeypatch: Any) -> None:
    monkeypatch.setattr(pdf, "available", lambda: False)
    response = api_for(personas.officer_a).get(f"{URL}/{draft.pk}/pdf")
    assert response.status_code == 404 and response.json()["error"] == "not_available"
    assert not ReportFile.objects.exists()


def test_a_failed_rendering_is_an_error_without_internals(
    api_for: Any,
    personas: Any,
    draft: Report,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("secret internals /srv/mangnon")

    monkeypatch.setattr(report_docx, "build", broken)
    client = api_for(personas.officer_a)
    response = _poll(client, f"{URL}/{draft.pk}/docx", django_capture_on_commit_callbacks)
    assert response.status_code == 500
    assert response.json()["error"] == "render_failed"
    assert "secret" not in response.content.decode() and "RuntimeError" not in response.content.decode()
    assert ReportFile.objects.get().status == FileStatus.FAILED
    assert client.get(f"{URL}/{draft.pk}/docx").status_code == 500  # not tried again unasked
    assert ReportFile.objects.count() == 1
    # Asked again on purpose: a new file is written (and fails again here).
    again = client.get(f"{URL}/{draft.pk}/docx?retry=true")
    assert again.status_code == 500 and ReportFile.objects.count() == 2


def test_openapi_documents_the_report_routes(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/reports", "/api/v1/reports/{report_id}", "/api/v1/reports/{report_id}/docx"} <= set(
        paths
    )
    assert {"/api/v1/reports/{report_id}/xlsx", "/api/v1/reports/{report_id}/pdf"} <= set(paths)
    assert "202" in paths["/api/v1/reports/{report_id}/docx"]["get"]["responses"]
