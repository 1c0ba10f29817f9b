"""The demo's periodic report (issue 7): Quảng Ninh's annual report for 2020, built from the demo's records
by the services as the province officer builds it, states every figure seed 003 published, in Vietnamese
formats, in its DOCX; once finalised it never changes, whatever happens to the records afterwards.

The demo is loaded once (the slow part) for one test that checks each of these in turn.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import override_settings
from docx import Document

from mangnon.accounts.models import User
from mangnon.activities.models import Tally
from mangnon.geo.models import AdminUnit, Level
from mangnon.reports import report_docx, services
from mangnon.reports.models import FileStatus, Report, ReportKind

pytestmark = pytest.mark.django_db

# Seed 003, Quảng Ninh 2020, as the province published it (../shared/domain/seed-figures.md), in the
# forms a Vietnamese report writes them.
PUBLISHED = {
    "direct communication sessions": ["232 buổi", "49.980 lượt người"],
    "training courses": ["109 lớp", "8.641 lượt người"],
    "province-specific support": ["13.303 lượt", "17.316,469 triệu đồng"],
    "Tết thiếu nhi gifts": ["203.648", "12.146,5 triệu đồng"],
    "Trung thu": ["207.485", "16.512", "4.989 triệu đồng"],
    "provincial children's forum": ["90", "16"],
    "women's union forums": ["2.056"],
    "Đội tuyên truyền măng non": ["198"],
    "children's council": ["34"],
    "clubs in every district-level unit": ["13/13"],
    "children in special circumstances assisted": ["100%"],
    "injury deaths": ["28 trẻ em"],
    "abuse": ["26 vụ", "30 trẻ em", "giảm 2 vụ so với cùng kỳ năm 2019"],
}


def _load() -> None:
    with override_settings(DEBUG=True):
        call_command("demo", "load", stdout=io.StringIO())


def _text(content: bytes) -> str:
    """Every paragraph of the document, its tables' cells included, one per line."""
    doc = Document(io.BytesIO(content))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def _docx(actor: User, report: Report, on_commit: Any) -> bytes:
    with on_commit(execute=True):  # the task runs once the request commits (at once in tests)
        row = services.file_request(actor=actor, report=report, fmt="docx")
    row.refresh_from_db()
    assert row.status == FileStatus.DONE, row.error
    return bytes(row.content)


def test_the_2020_annual_report_of_quang_ninh(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setenv("MANGNON_DEMO_PASSWORD", "demo-pass-phrase-1")
    _load()
    officer = User.objects.get(username="demo-province")
    province = AdminUnit.objects.get(code="22", level=Level.PROVINCE)
    report = services.report_create(
        actor=officer,
        unit=province,
        kind=ReportKind.ANNUAL,
        period_start=date(2020, 1, 1),
        period_end=date(2020, 12, 31),
    )
    text = _text(_docx(officer, report, django_capture_on_commit_callbacks))
    missing = {what: [s for s in forms if s not in text] for what, forms in PUBLISHED.items()}
    assert not {what: gaps for what, gaps in missing.items() if gaps}, text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    english = {"49,980", "8,641", "13,303", "17,316.469"}
    assert not english & set(re.findall(r"[\d.,]*\d", text))

    _a_finalised_report_never_changes(officer, province, report, django_capture_on_commit_callbacks)


def _a_finalised_report_never_changes(
    officer: User, province: AdminUnit, report: Report, on_commit: Any
) -> None:
    report.refresh_from_db()
    final = services.report_finalise(actor=officer, report=report, version=report.version)
    figures, printed = final.figures, _text(report_docx.build(final))
    # The records change afterwards: every session of 2020 gains ten person-times.
    sessions = Tally.objects.filter(activity__kind="session", activity__start_date__year=2020)
    assert sessions.update(count=F("count") + 10) > 0
    final.refresh_from_db()
    assert final.figures == figures
    assert _text(report_docx.build(final)) == printed
    assert "49.980 lượt người" in _text(_docx(officer, final, on_commit))
    # A report built now reads the records as they are.
    fresh = services.report_create(
        actor=officer,
        unit=province,
        kind=ReportKind.ANNUAL,
        period_start=date(2020, 1, 1),
        period_end=date(2020, 12, 31),
    )
    person_times: Any = fresh.figures["current"]["rollup"]["activities"]["person_times_by_kind"]["session"]
    assert person_times > 49_980
