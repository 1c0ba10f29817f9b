"""Safe CSV and XLSX writers shared by every app's exports.

Formula injection: a spreadsheet program runs a cell that starts with = + - @ (or a tab or carriage
return that hides one) as a formula, so a name typed as `=HYPERLINK(...)` in a form would become a
link or a command on the machine of whoever opens the export. CSV has no types, so such cells get an
apostrophe in front (the OWASP advice: the program shows the text and does not run it). XLSX does have
types: every text cell is written as a string, never as a formula, and the text stays exactly as
entered.

Both writers stream: CSV line by line into the response, XLSX through openpyxl's write-only workbook
into a temporary file (a zip must be finished before it is sent), so memory stays flat on long lists.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_BOM = "\ufeff"  # Excel reads a UTF-8 CSV as the local code page unless it starts with a BOM
CHUNK_SIZE = 64 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_safe(value: object) -> str:
    """One CSV cell as text: dates dd/mm/yyyy, None empty, formula-like text behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return f"'{text}" if is_formula_like(text) else text


class _Line:
    """A file-like object csv.writer writes one line into; the line is then handed back."""

    def write(self, value: str) -> str:
        return value


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks (BOM first), for a StreamingHttpResponse."""
    writer = csv.writer(_Line())
    buffer = [CSV_BOM, writer.writerow([csv_safe(h) for h in header])]
    size = 0
    for row in rows:
        line = writer.writerow([csv_safe(v) for v in row])
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_SIZE:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def _xlsx_cell(sheet: Any, value: object) -> WriteOnlyCell:
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)  # openpyxl refuses aware times; callers pass local time
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
    elif isinstance(value, dt.date):
        cell.number_format = "DD/MM/YYYY"
    return cell


def write_xlsx(
    target: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str,
    widths: Sequence[int] = (),
) -> int:
    """Write an XLSX workbook of one sheet into `target`; returns the number of data rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for h in header:
        cell = _xlsx_cell(sheet, h)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
        count += 1
    book.save(target)
    return count


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def xlsx_file(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str,
    widths: Sequence[int] = (),
) -> IO[bytes]:
    """The workbook in an anonymous temporary file, rewound, ready for a FileResponse (which closes it)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it after sending
    write_xlsx(spool, header, rows, sheet_title=sheet_title, widths=widths)
    spool.seek(0)
    return spool


def download(
    *,
    fmt: str,
    headings: Sequence[str],
    rows: Iterable[Sequence[object]],
    filename: str,
    sheet_title: str,
    widths: Sequence[int] = (),
) -> StreamingHttpResponse:
    """A list as the file the user asked for: CSV streamed line by line, or an XLSX workbook, always as
    an attachment (every list export answers with this)."""
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(headings, rows), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    spool = xlsx_file(headings, rows, sheet_title=sheet_title, widths=widths)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
