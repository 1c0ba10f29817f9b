"""The demo's questionnaire: a pupils' survey on violence and sexual abuse, written as an XLSForm.

It is kept in `demo/violence_2020.md`, pyxform's markdown form of an XLSForm (one table per sheet:
survey, choices, settings), so that a review reads it as it reads any other text. The demo does not
import that text: `xlsform_workbook` turns it into a real .xlsx workbook with openpyxl, and the demo
imports THAT through `xlsform.import_form`, as a coordinator's upload would be, so the stored file and
its download are a genuine XLSForm workbook that opens in a spreadsheet, in ODK and in KoboToolbox.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

DEMO_FORM = Path(__file__).resolve().parent / "demo" / "violence_2020.md"
DEMO_FORM_FILENAME = "KhaoSat_BaoLuc_XamHai_2020.xlsx"

# pyxform's own reading of the markdown form (xls2json_backends): a line "| … |" is a row; a row whose
# first cell is filled starts a sheet of that name; an escaped "\|" is a pipe inside a cell.
_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_SEPARATOR = re.compile(r"^[\s|:-]+$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")

# Column widths (characters) for a readable sheet; other columns get _DEFAULT_WIDTH.
_WIDTHS = {"type": 26, "name": 16, "list_name": 13, "relevant": 24, "constraint": 30}
_DEFAULT_WIDTH = 40


def read_sheets(md_text: str) -> dict[str, list[list[str]]]:
    """The sheets of a markdown XLSForm: {sheet name: rows (header first) of cell texts}."""
    sheets: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for line in md_text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        match = _ROW.match(line)
        if match is None or _SEPARATOR.match(match.group(1)):
            continue
        cells = [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(match.group(1))]
        first, row = cells[0], cells[1:]
        if first:
            current = sheets.setdefault(first, [])
        if current is not None and any(row):
            current.append(row)
    return sheets


def xlsform_workbook(md_text: str) -> bytes:
    """The .xlsx workbook of a markdown XLSForm: one worksheet per sheet, the header row in bold and
    frozen, long labels wrapped. Empty cells stay empty (XLSForm reads them as absent)."""
    sheets = read_sheets(md_text)
    if not sheets:
        raise ValueError("no XLSForm sheet in the text")
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title=title)
        width = max((len(row) for row in rows), default=0)
        header = rows[0] if rows else []
        for row in rows:
            sheet.append([cell if cell != "" else None for cell in row] + [None] * (width - len(row)))
        for cell in sheet[1] if rows else ():
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, heading in enumerate(header, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = _WIDTHS.get(heading, _DEFAULT_WIDTH)
        for row_cells in sheet.iter_rows(min_row=2):
            for cell in row_cells:
                if isinstance(cell.value, str) and len(cell.value) > _DEFAULT_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def demo_form_text() -> str:
    return DEMO_FORM.read_text(encoding="utf-8")


def demo_form_workbook() -> bytes:
    """The demo questionnaire as the .xlsx file the demo imports."""
    return xlsform_workbook(demo_form_text())
