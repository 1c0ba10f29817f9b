"""A periodic report as a DOCX document, in the layout of Nghị định 30/2020/NĐ-CP (`docx_layout`).

The document is written from what the report holds, never from the records: its snapshot of figures
(`Report.figures`) and its sections' text. In order:

- on a draft, "DỰ THẢO" at the top (a draft must never pass for the issued report);
- the header: the issuing body ("ỦY BAN NHÂN DÂN" / "TỈNH QUẢNG NINH"), the number and symbol
  ("Số: 125/BC-UBND", or "Số:      /BC-UBND" until it is numbered), the national motto, and the place
  and date line (blank dots until it is dated);
- the title in bold capitals;
- the sections as Vietnamese reports number them: "I. KẾT QUẢ THỰC HIỆN" with the six data sections
  as 1-6 (the results against targets with a table of the indicators), "II. KHÓ KHĂN, HẠN CHẾ",
  "III. NHIỆM VỤ TRỌNG TÂM …" (of the period that follows); each section's text a paragraph per block
  separated by a blank line;
- the recipients ("Nơi nhận:") and the signature block ("TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" unless the
  report names its signer's title);
- the annex tables (`annex.tables`) on a new page, each with its title, a ruled table and its notes.

The text is Vietnamese whatever the interface language: it is an official paper. Numbers are written
with `core.formatting.vi_number`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from copy import deepcopy
from decimal import Decimal, InvalidOperation
from typing import Any

from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Mm

from mangnon.core.formatting import vi_number

from . import annex
from . import docx_layout as layout
from .models import Report, ReportKind, SectionKey

Progress = Callable[[int], None]

DRAFT_MARK = "DỰ THẢO"
SYMBOL = "BC-UBND"  # the report (BC) of a people's committee (UBND)
DEFAULT_AUTHORITY = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
DEFAULT_RECIPIENTS = ("Lưu: VT.",)
EMPTY = "-"  # a cell with no figure (no data, or suppressed for publication: the table's notes say)

# Headings of the data sections, under "I. KẾT QUẢ THỰC HIỆN".
SECTION_HEADINGS = {
    SectionKey.COMMUNICATION: "Công tác truyền thông, nâng cao nhận thức về quyền trẻ em, bảo vệ trẻ em",
    SectionKey.TRAINING: "Công tác tập huấn, nâng cao năng lực",
    SectionKey.PARTICIPATION: "Thực hiện quyền tham gia của trẻ em",
    SectionKey.SUPPORT: "Công tác chăm sóc, hỗ trợ trẻ em",
    SectionKey.PROTECTION: "Công tác bảo vệ trẻ em, phòng ngừa và hỗ trợ can thiệp",
    SectionKey.RESULTS: "Kết quả thực hiện các chỉ tiêu",
}
RESULTS_HEADING = "I. KẾT QUẢ THỰC HIỆN"
DIFFICULTIES_HEADING = "II. KHÓ KHĂN, HẠN CHẾ"
ANNEX_HEADING = "PHỤ LỤC"

STATUS_TEXT = {
    "met": "Đạt",
    "not_met": "Chưa đạt",
    "in_progress": "Đang thực hiện",
    "no_target": "",
    "no_data": "Chưa có số liệu",
    "not_available": "Chưa có số liệu",
}
MEASURE_SUFFIX = {"percent": "%", "per_mille": "‰", "per_100k": "/100.000", "count": ""}

# Column widths (mm) of the results table; the text width is 165 mm.
RESULTS_WIDTHS = (10, 67, 22, 22, 22, 22)
RESULTS_COLUMNS = ("TT", "Chỉ tiêu", "Kế hoạch", "Thực hiện", "Cùng kỳ", "Đánh giá")
LANDSCAPE_FROM_COLUMNS = 7  # annex tables this wide go on landscape pages


# --- small helpers (also read by the XLSX) ------------------------------------------------------------


def number_text(value: Any) -> str:
    """A figure of the snapshot as the report writes it: ints and decimal strings in Vietnamese format
    ("49.980", "13,85"), other text as it is, None as "-"."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | Decimal | float):
        return vi_number(value)
    text = str(value)
    try:
        return vi_number(Decimal(text))
    except (InvalidOperation, ValueError):
        return text


def issuer_lines(report: Report) -> tuple[str, ...]:
    """The issuing body: the people's committee of the report's unit, as the case forms name it."""
    return ("Ủy ban nhân dân", report.admin_unit.name)


def number_line(number: str) -> str:
    """ "Số: 125/BC-UBND"; a bare number gets the symbol; without a number, room to write it."""
    number = (number or "").strip()
    if not number:
        return f"Số:      /{SYMBOL}"
    if "/" not in number:
        number = f"{number}/{SYMBOL}"
    return f"Số: {number}"


def place_of(report: Report) -> str:
    return report.place or report.admin_unit.short_name or report.admin_unit.name


def tasks_heading(report: Report) -> str:
    """ "III. NHIỆM VỤ TRỌNG TÂM …" of the period after the report's."""
    start, end = report.period_start, report.period_end
    if report.kind == ReportKind.HALF_YEAR:
        after = f"6 THÁNG CUỐI NĂM {start.year}" if start.month == 1 else f"6 THÁNG ĐẦU NĂM {start.year + 1}"
    elif report.kind == ReportKind.PHASE:
        span = end.year - start.year
        after = f"GIAI ĐOẠN {end.year + 1}-{end.year + 1 + span}"
    else:
        after = f"NĂM {end.year + 1}"
    return f"III. NHIỆM VỤ TRỌNG TÂM {after}"


BULLETS = ("-", "+", "•", "*")


def paragraphs(text: str) -> list[str]:
    """A section's text as paragraphs: blocks separated by a blank line, each block's lines joined into
    one, except that a line starting with a bullet ("- ", "+ ") starts a paragraph of its own."""
    out: list[str] = []
    for block in (text or "").replace("\r\n", "\n").split("\n\n"):
        current: list[str] = []
        for line in (line.strip() for line in block.splitlines()):
            if not line:
                continue
            if line.startswith(BULLETS) and current:
                out.append(" ".join(current))
                current = []
            current.append(line)
        if current:
            out.append(" ".join(current))
    return out


def indicator_value(value: Any, measure: str) -> str:
    if value is None:
        return EMPTY
    return number_text(value) + MEASURE_SUFFIX.get(measure, "")


def results_rows(snapshot: dict[str, Any]) -> list[list[str]]:
    """The indicators with a target or a value, as the results table lists them."""
    rows: list[list[str]] = []
    for item in snapshot.get("indicators", []):
        if item.get("target") is None and item.get("value") is None:
            continue
        measure = item.get("measure", "count")
        rows.append(
            [
                str(len(rows) + 1),
                f"{item.get('name', '')} ({item.get('code', '')})",
                indicator_value(item.get("target"), measure),
                indicator_value(item.get("value"), measure),
                indicator_value(item.get("previous"), measure),
                STATUS_TEXT.get(item.get("status", ""), ""),
            ]
        )
    return rows


def cell_text(value: annex.Cell) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, int) and not isinstance(value, bool):
        return vi_number(value)
    return str(value)


# --- the document -------------------------------------------------------------------------------------


def _heading(doc: Document, text: str) -> None:
    layout.add_paragraph(doc, text, bold=True, align=layout.JUSTIFY, indent=True, after=6)


def _body(doc: Document, text: str) -> None:
    blocks = paragraphs(text)
    if not blocks:
        layout.add_paragraph(doc, layout.BLANK, indent=True)
    for block in blocks:
        layout.add_paragraph(doc, block, indent=True)


def _widths(count: int, total: float) -> list[float]:
    """Column widths: the first (the row's label) twice as wide as the others."""
    if count == 1:
        return [total]
    other = total / (count + 1)
    return [total - other * (count - 1), *([other] * (count - 1))]


def add_rows_fast(
    doc: Document, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> None:
    """`layout.add_table` for many rows: python-docx builds each cell's paragraph, run and properties
    through its object model (about half a millisecond a cell); here two prototype rows are laid out by
    `layout.add_table` (one with every cell left-aligned, one centred, as it aligns a cell by the length
    of its text) and each row is a copy of their XML with the texts put in. The result is the same
    document, written several times faster for the annex's thousands of cells."""
    if not rows:
        layout.add_table(doc, header, [], widths_mm=widths)
        return
    count = len(header)
    table = layout.add_table(doc, header, [["wide"] * count, ["n"] * count], widths_mm=widths)
    left_row, centre_row = table.rows[1]._tr, table.rows[2]._tr
    centre_cells = centre_row.findall(qn("w:tc"))
    tbl = table._tbl
    for values in rows:
        row = deepcopy(left_row)
        for index, (cell, text) in enumerate(zip(row.findall(qn("w:tc")), values, strict=True)):
            if len(text) <= 3:  # centred, as layout.add_table places a short value
                replacement = deepcopy(centre_cells[index])
                row.replace(cell, replacement)
                cell = replacement
            _put_text(cell, text)
        tbl.append(row)
    tbl.remove(left_row)
    tbl.remove(centre_row)


def _put_text(cell: Any, text: str) -> None:
    """The text of a prototype cell's one run (a cell of empty text keeps its paragraph, no run)."""
    runs = cell.findall(f"{qn('w:p')}/{qn('w:r')}")
    if not text:
        for run in runs:
            run.getparent().remove(run)
        return
    node = runs[0].find(qn("w:t"))
    node.text = text
    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _annex(doc: Document, tables: Sequence[annex.AnnexTable]) -> None:
    wide = any(len(t.columns) >= LANDSCAPE_FROM_COLUMNS for t in tables)
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    text_width = float(layout.TEXT_WIDTH_MM)
    if wide:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(layout.PAGE_HEIGHT_MM), Mm(layout.PAGE_WIDTH_MM)
        text_width = layout.PAGE_HEIGHT_MM - layout.MARGINS_MM["left"] - layout.MARGINS_MM["right"]
    layout.add_paragraph(doc, ANNEX_HEADING, bold=True, size=14, align=layout.CENTER, after=6)
    for table in tables:
        layout.add_paragraph(doc, table.title, bold=True, align=layout.CENTER, after=6)
        rows = [[cell_text(c) for c in row] for row in table.rows]
        add_rows_fast(doc, table.columns, rows, _widths(len(table.columns), text_width))
        for note in table.notes:
            layout.add_paragraph(doc, note, italic=True, size=12, after=0)
        layout.add_paragraph(doc, after=6)


def _closing(report: Report) -> layout.Closing:
    title_lines = [line.strip() for line in (report.signer_title or "").splitlines() if line.strip()]
    if not title_lines:
        authority: tuple[str, ...] = DEFAULT_AUTHORITY
    elif title_lines[0].upper().startswith("TM."):
        authority = tuple(title_lines)
    else:
        authority = (DEFAULT_AUTHORITY[0], *title_lines)
    recipients = [line.strip().lstrip("-").strip() for line in (report.recipients or "").splitlines()]
    return layout.Closing(
        right=layout.Signer(authority=authority, name=report.signer_name, note=""),
        recipients=[line for line in recipients if line] or DEFAULT_RECIPIENTS,
    )


def build(
    report: Report,
    *,
    tables: Sequence[annex.AnnexTable] | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The DOCX of `report` (its sections read once). `tables` are the annex tables when the caller has
    them already (the XLSX of the same rendering), `annex.tables(report.figures)` otherwise; `progress`
    is told the percentage done as the document grows."""

    def step(percent: int) -> None:
        if progress is not None:
            progress(percent)

    snapshot = report.figures or {}
    sections = {s.key: s.text for s in report.sections.all()}
    doc = layout.new_document(title=report.title)
    if not report.is_final:
        layout.add_paragraph(doc, DRAFT_MARK, bold=True, size=14, align=layout.RIGHT, after=0)
    layout.add_heading(
        doc,
        layout.Heading(
            issuer=issuer_lines(report),
            number=number_line(report.number),
            place_date=layout.place_date(place_of(report), report.issued_on),
        ),
    )
    layout.add_title(doc, report.title)
    step(10)
    layout.add_paragraph(doc, RESULTS_HEADING, bold=True, align=layout.JUSTIFY, indent=True)
    for number, (key, heading) in enumerate(SECTION_HEADINGS.items(), start=1):
        _heading(doc, f"{number}. {heading}")
        _body(doc, sections.get(key, ""))
        if key == SectionKey.RESULTS:
            rows = results_rows(snapshot)
            if rows:
                layout.add_table(doc, RESULTS_COLUMNS, rows, widths_mm=RESULTS_WIDTHS)
    layout.add_paragraph(doc, DIFFICULTIES_HEADING, bold=True, align=layout.JUSTIFY, indent=True)
    _body(doc, sections.get(SectionKey.DIFFICULTIES, ""))
    layout.add_paragraph(doc, tasks_heading(report), bold=True, align=layout.JUSTIFY, indent=True)
    _body(doc, sections.get(SectionKey.TASKS, ""))
    layout.add_closing(doc, _closing(report))
    step(40)
    if tables is None:
        tables = annex.tables(snapshot)
    step(50)
    if tables:
        _annex(doc, tables)
    step(90)
    return layout.to_bytes(doc)
