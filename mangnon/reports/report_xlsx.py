"""A periodic report's annex as an XLSX workbook: a sheet "Thông tin" (the unit, period, status, when the
figures were gathered, whether the report is for publication), then one sheet per annex table (its title,
its headings, its rows with numbers as numbers, its notes).

Every text cell is written as a string, never as a formula (`core.export`'s rule: a title or a name
typed as "=HYPERLINK(…)" stays text). Sheet names are the tables' titles cut to Excel's 31 characters,
without the characters Excel refuses, and made unique.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from mangnon.core.formatting import vi_datetime

from . import annex
from .models import Report, ReportKind, ReportStatus

Progress = Callable[[int], None]

INFO_SHEET = "Thông tin"
MAX_SHEET_NAME = 31
_REFUSED = re.compile(r"[\[\]:*?/\\]")
# A number as the tables may write it in Vietnamese: 49.980, 17.316,469, 13,85 (no leading zero, so a
# code such as "06688" stays text).
_VI_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,2}(\.\d{3})*|[1-9]\d*)(,\d+)?$")
KIND_TEXT: dict[str, str] = {
    ReportKind.HALF_YEAR: "Báo cáo 6 tháng",
    ReportKind.ANNUAL: "Báo cáo năm",
    ReportKind.PHASE: "Báo cáo giai đoạn",
}
STATUS_TEXT: dict[str, str] = {ReportStatus.DRAFT: "Dự thảo", ReportStatus.FINAL: "Đã hoàn thành"}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_names(titles: Sequence[str]) -> list[str]:
    """A sheet name for each title: at most 31 characters, none of []:*?/\\, not empty, all different
    (a later duplicate gets " (2)", " (3)"…; names compare without case, as Excel does)."""
    taken = {INFO_SHEET.casefold()}
    out = []
    for index, title in enumerate(titles, start=1):
        base = " ".join(_REFUSED.sub(" ", title).split()).strip("'") or f"Biểu {index}"
        name = base[:MAX_SHEET_NAME].rstrip()
        n = 1
        while name.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
        taken.add(name.casefold())
        out.append(name)
    return out


def cell_value(value: Any) -> Any:
    """What a cell holds: numbers as numbers (also those the tables wrote as Vietnamese text), the
    rest as text."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("Có" if value else "Không")
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if _VI_NUMBER.match(text):
        number = Decimal(text.replace(".", "").replace(",", "."))
        return int(number) if number == number.to_integral_value() and "," not in text else number
    return text


def _cell(sheet: Any, value: Any, *, font: Font | None = None, wrap: bool = False) -> WriteOnlyCell:
    value = cell_value(value)
    if isinstance(value, Decimal):
        value = float(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
    elif isinstance(value, int):
        cell.number_format = "#,##0"
    elif isinstance(value, float):
        cell.number_format = "#,##0.###"
    if font is not None:
        cell.font = font
    if wrap:
        cell.alignment = WRAP
    return cell


def _when(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return vi_datetime(moment)


def info_rows(report: Report) -> list[tuple[str, Any]]:
    snapshot = report.figures or {}
    period = snapshot.get("period", {})
    gathered = report.figures_at.isoformat() if report.figures_at else snapshot.get("gathered_at")
    return [
        ("Báo cáo", report.title),
        ("Đơn vị", report.admin_unit.name),
        ("Mã đơn vị", report.admin_unit.code),
        ("Loại báo cáo", KIND_TEXT.get(report.kind, report.kind)),
        ("Kỳ báo cáo", period.get("label") or f"{report.period_start} - {report.period_end}"),
        ("Từ ngày", report.period_start),
        ("Đến ngày", report.period_end),
        ("So sánh với", snapshot.get("previous", {}).get("label", "")),
        ("Trạng thái", STATUS_TEXT.get(report.status, report.status)),
        ("Phiên bản", report.revision),
        ("Số liệu tổng hợp lúc", _when(gathered)),
        (
            "Công bố",
            "Có: các ô đếm dưới 5 trẻ em được ẩn" if report.publish else "Không (sử dụng nội bộ)",
        ),
        ("Đơn vị tính", "Lượt người: số lượt tham gia; người: số người (mỗi người đếm một lần)"),
    ]


def build(
    report: Report,
    *,
    tables: Sequence[annex.AnnexTable] | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The workbook of `report`'s annex (`annex.tables(report.figures)` unless given)."""
    if tables is None:
        tables = annex.tables(report.figures or {})
    book = Workbook(write_only=True)
    info = book.create_sheet(title=INFO_SHEET)
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 70
    info.append([_cell(info, report.title, font=TITLE)])
    info.append([])
    for label, value in info_rows(report):
        if hasattr(value, "isoformat") and not isinstance(value, str):
            value = value.strftime("%d/%m/%Y")
        info.append([_cell(info, label, font=BOLD), _cell(info, value, wrap=True)])
    if tables:
        info.append([])
        info.append([_cell(info, "Các biểu", font=BOLD)])
    names = sheet_names([t.title for t in tables])
    for table, name in zip(tables, names, strict=True):
        info.append([_cell(info, name), _cell(info, table.title, wrap=True)])
    for index, (table, name) in enumerate(zip(tables, names, strict=True), start=1):
        sheet = book.create_sheet(title=name)
        sheet.column_dimensions["A"].width = 40
        for column in range(1, len(table.columns)):
            sheet.column_dimensions[_letter(column)].width = 16
        sheet.freeze_panes = "B3"
        sheet.append([_cell(sheet, table.title, font=TITLE)])
        sheet.append([_cell(sheet, h, font=BOLD, wrap=True) for h in table.columns])
        for row in table.rows:
            sheet.append([_cell(sheet, v) for v in row])
        if table.notes:
            sheet.append([])
            for note in table.notes:
                sheet.append([_cell(sheet, note)])
        if progress is not None:
            progress(10 + 80 * index // len(tables))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
