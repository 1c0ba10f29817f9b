"""The XLSX annex of a periodic report opened back with openpyxl: the information sheet first, a sheet
per annex table (names of at most 31 characters, unique), numbers as numbers, formula-looking text kept
as text."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from mangnon.reports import annex, report_xlsx
from mangnon.reports.models import Report, ReportStatus

from .outputs_fixtures import TABLES, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(units: Any, personas: Any, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.setattr(annex, "tables", lambda snapshot: TABLES)
    return make_report(personas.province_officer, units.province)


def _open(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def _rows(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_an_information_sheet_then_one_sheet_per_table(report: Report) -> None:
    book = _open(report_xlsx.build(report))
    assert book.sheetnames[0] == "Thông tin"
    assert len(book.sheetnames) == 1 + len(TABLES)
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert len({name.casefold() for name in book.sheetnames}) == len(book.sheetnames)
    # The two tables whose titles start alike get different names.
    assert book.sheetnames[2] != book.sheetnames[3] and book.sheetnames[3].endswith("(2)")


def test_the_information_sheet(report: Report) -> None:
    rows = {row[0]: row[1] for row in _rows(_open(report_xlsx.build(report))["Thông tin"]) if row and row[0]}
    assert rows["Đơn vị"] == "Tỉnh Quảng Ninh"
    assert rows["Kỳ báo cáo"] == "Năm 2020" and rows["So sánh với"] == "Năm 2019"
    assert rows["Từ ngày"] == "01/01/2020" and rows["Đến ngày"] == "31/12/2020"
    assert rows["Trạng thái"] == "Dự thảo"
    assert rows["Công bố"].startswith("Không")
    assert rows["Số liệu tổng hợp lúc"][:2].isdigit() and "/" in rows["Số liệu tổng hợp lúc"]
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FINAL, publish=True)
    report.refresh_from_db()
    rows = {row[0]: row[1] for row in _rows(_open(report_xlsx.build(report))["Thông tin"]) if row and row[0]}
    assert rows["Trạng thái"] == "Đã hoàn thành" and rows["Công bố"].startswith("Có")


def test_title_headings_rows_as_numbers_and_notes(report: Report) -> None:
    book = _open(report_xlsx.build(report))
    first = _rows(book[book.sheetnames[1]])
    assert first[0][0] == "Biểu 1. Hoạt động truyền thông năm 2020"
    assert first[1] == ["Hoạt động", "Số buổi", "Số lượt người", "Cùng kỳ 2019"]
    assert first[2] == ["Truyền thông trực tiếp", 232, 49980, 41230]
    assert first[3] == ["Tập huấn", 109, 8641, None]
    assert ["Đơn vị tính: lượt người.", None, None, None] in first
    support = _rows(book[book.sheetnames[2]])
    assert support[3] == ["Tổng", 13303, pytest.approx(17316.469), 17316469000]
    # A code with a leading zero stays text.
    assert _rows(book[book.sheetnames[3]])[2] == ["Đơn vị", "06688"]


def test_formula_looking_text_is_text(report: Report) -> None:
    book = _open(report_xlsx.build(report))
    sheet = book[book.sheetnames[1]]
    cell = sheet["A5"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert not any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)


def test_sheet_names() -> None:
    names = report_xlsx.sheet_names(["a/b:c*d?[e]", "", "x" * 40, "x" * 40, "Thông tin"])
    assert names[0] == "a b c d e" and names[1] == "Biểu 2"
    assert names[2] == "x" * 31 and names[3] == "x" * 27 + " (2)"
    assert names[4] == "Thông tin (2)"  # the information sheet's name is taken


def test_cell_values() -> None:
    assert report_xlsx.cell_value("49.980") == 49980
    assert report_xlsx.cell_value("17.316,469") == Decimal("17316.469")
    assert report_xlsx.cell_value("13,85") == Decimal("13.85")
    assert report_xlsx.cell_value("1.2.3") == "1.2.3"
    assert report_xlsx.cell_value("13/13") == "13/13"
    assert report_xlsx.cell_value(None) == ""
