"""What every spreadsheet import shares: reading a workbook's rows, checking an upload, the problem list.

The children import (registry.importing) and the imports of activities and disbursements
(activities.importing, support.importing, through core.row_import) are built on these pieces:

- reading: `heading_key` and `map_headings` recognise a file's headings whatever their accents or
  notes in parentheses; `sheet_rows` streams a read-only sheet's rows as `RawCell`s that say whether
  the cell holds a formula (formulas are never evaluated or written: a formula cell is a problem, and
  text that merely looks like one is stored as text);
- uploads: `check_upload` (size), `sniff_kind` (judged by content, the extension must agree) and
  `store_upload` (under settings.UPLOAD_DIR, outside the web root, with its SHA-256);
- problems: a stable code and its parameters (`Problem`), put into words in the reader's language when
  the report is shown (`render`). Each import registers its table of words with `register_words`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.worksheet._reader import ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from .text import normalize_name

CSV_SNIFF_BYTES = 16 * 1024
XLSX_MAGIC = b"PK\x03\x04"

# Reading ---------------------------------------------------------------------------------------------

_PARENTHESES = re.compile(r"\(.*?\)")
FORMULA_START = ("=", "+", "@", "\t", "\r")


def heading_key(text: object) -> str:
    """'Giới tính (Nam/Nữ)' -> 'gioi tinh': what a heading is recognised by."""
    return normalize_name(_PARENTHESES.sub(" ", str(text or ""))).strip(" :*.")


def map_headings(values: list[object], aliases: Mapping[str, str]) -> dict[str, int]:
    """Column key -> position, for the headings found among `values` (`aliases`: heading_key -> key)."""
    found: dict[str, int] = {}
    for position, value in enumerate(values):
        key = aliases.get(heading_key(value))
        if key and key not in found:
            found[key] = position
    return found


@dataclass(frozen=True)
class RawCell:
    value: object
    is_formula: bool = False


def csv_formula(value: str) -> bool:
    """Whether a text cell would be a formula to a spreadsheet (CSV has no cell types)."""
    # A leading minus is a formula too ("-2+3"), but "- note" or "-" alone are text.
    return value.startswith(FORMULA_START) or (len(value) > 1 and value[0] == "-" and not value[1].isspace())


_SHEET_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"


def sheet_rows(sheet: Any, *, first_row: int) -> Iterator[tuple[int, list[RawCell]]]:
    """The rows of a read-only sheet from `first_row` on, as (row number, cells), streaming.

    openpyxl's own `iter_rows` is streaming too, except that its XML parser leaves every row it has
    read, emptied, in the sheet's tree, as well as each row's height: about 70 bytes a row that stay
    until the end (7 MB for 100,000 rows). This is the same loop over the same cell parser, which lets
    go of each row once read. It uses openpyxl 3.1's reader internals (pinned below 4); a test checks
    that it reads what `iter_rows` reads.
    """
    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        rows_parent = None
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == _SHEET_DATA_TAG:
                    rows_parent = element
                continue
            if element.tag != ROW_TAG:
                continue
            number, parsed = parser.parse_row(element)
            if rows_parent is not None:
                rows_parent.remove(element)
            parser.row_dimensions.clear()
            if number < first_row:
                continue
            cells = [RawCell(None)] * max((c["column"] for c in parsed), default=0)
            for cell in parsed:
                cells[cell["column"] - 1] = RawCell(cell["value"], cell["data_type"] == "f")
            yield number, cells


def text(value: object) -> str:
    """A cell as text, its spaces collapsed; a whole float (Excel's numbers) without its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def show(value: object) -> str:
    """A cell quoted in a problem: at most 40 characters."""
    shown = text(value)
    return shown if len(shown) <= 40 else f"{shown[:40]}…"


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def parse_dmy(value: str) -> dt.date | None:
    """dd/mm/yyyy (also with . or -) as a date; None when it is not a real day."""
    match = _DMY.fullmatch(value)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def cell_date(value: object) -> dt.date | None:
    """A date cell, or text written dd/mm/yyyy; None when it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_dmy(text(value))


# Uploads ---------------------------------------------------------------------------------------------


class UploadRefused(Exception):
    """The upload is refused; the message says why in plain words."""


def check_upload(upload: Any) -> None:
    """Refuse an empty upload or one above settings.UPLOAD_MAX_BYTES."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise UploadRefused(
            _("The file is too large: at most %(mb)s MB.")
            % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    if upload.size == 0:
        raise UploadRefused(_("The file is empty."))


def _is_workbook(head: bytes, handle: IO[bytes]) -> bool:
    if not head.startswith(XLSX_MAGIC):
        return False
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return {"[Content_Types].xml", "xl/workbook.xml"} <= names


def sniff_kind(name: str, head: bytes, handle: IO[bytes], kinds: tuple[str, ...] = ("xlsx", "csv")) -> str:
    """'xlsx' or 'csv' (among `kinds`), judged by content (the extension must agree); raises
    UploadRefused otherwise."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in kinds:
        if kinds == ("xlsx",):
            raise UploadRefused(_("Only .xlsx files can be imported."))
        raise UploadRefused(_("Only .xlsx and .csv files can be imported."))
    if suffix == "xlsx":
        if _is_workbook(head, handle):
            return "xlsx"
        raise UploadRefused(_("This file is not an Excel workbook (.xlsx), whatever its name says."))
    if head.startswith(XLSX_MAGIC) or b"\x00" in head:
        raise UploadRefused(_("This file is not a CSV text file, whatever its name says."))
    try:
        # Not final: a character cut at the end of the sample is held back, not an error. (Checking the
        # error's position instead misjudged files with a BOM, whose positions the decoder counts after it.)
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise UploadRefused(
            _("The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again.")
        ) from exc
    return "csv"


@dataclass(frozen=True)
class StoredUpload:
    path: str
    sha256: str
    original_name: str


def store_upload(upload: Any, kinds: tuple[str, ...] = ("xlsx", "csv")) -> StoredUpload:
    """Check the upload's content and copy it under settings.UPLOAD_DIR/imports, outside the web root."""
    upload.seek(0)
    head = upload.read(CSV_SNIFF_BYTES)
    kind = sniff_kind(upload.name or "", head, upload, kinds)
    directory = Path(settings.UPLOAD_DIR) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{uuid.uuid4().hex}.{kind}"
    digest = hashlib.sha256()
    upload.seek(0)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return StoredUpload(str(target), digest.hexdigest(), Path(upload.name or "").name[:255])


# Problems --------------------------------------------------------------------------------------------

RECORDED_TEXT = "recorded_text"  # a problem kept as the text it was found in (no code of its own)

_WORDS: dict[str, Promise] = {}
_PREPARE: dict[str, Callable[[Mapping[str, Any]], Mapping[str, Any]]] = {}
_SPECIAL: dict[str, Callable[[Mapping[str, Any]], str]] = {}


def register_words(
    words: Mapping[str, Promise],
    *,
    prepare: Mapping[str, Callable[[Mapping[str, Any]], Mapping[str, Any]]] | None = None,
    special: Mapping[str, Callable[[Mapping[str, Any]], str]] | None = None,
) -> None:
    """Add an import's problem codes: `words` (code -> lazy text with %(name)s parameters), `prepare`
    (code -> parameters put into words before the text takes them), `special` (code -> its whole text).
    The codes are stored in the database: renaming one orphans the problems recorded under it."""
    _WORDS.update(words)
    _PREPARE.update(prepare or {})
    _SPECIAL.update(special or {})


def render(code: str, params: Mapping[str, Any]) -> str:
    """The problem in words, in the active language."""
    if code in _SPECIAL:
        return _SPECIAL[code](params)
    if code == RECORDED_TEXT or code not in _WORDS:
        return str(params.get("text", code))
    template = str(_WORDS[code])
    try:
        return template % (_PREPARE[code](params) if code in _PREPARE else params)
    except (KeyError, TypeError, ValueError):  # a row recorded under older words: show them bare
        return template


@dataclass(frozen=True)
class Problem:
    """A problem not yet in words: what `ImportProblem` stores (code and params)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in _WORDS and self.code not in _SPECIAL and self.code != RECORDED_TEXT:
            raise ValueError(f"unknown import problem code {self.code!r}")

    def __str__(self) -> str:
        return render(self.code, self.params)


class FileProblem(Exception):
    """The file as a whole cannot be read (wrong type, wrong sheet, missing columns): a problem code."""

    def __init__(self, code: str, **params: Any) -> None:
        self.problem = Problem(code, params)
        super().__init__(code)


def percent(*, done: bool, processed: int, total: int) -> int:
    """A job's progress bar: 100 when done, else the share of rows processed."""
    if done:
        return 100
    return min(100, processed * 100 // total) if total else 0


# Templates -------------------------------------------------------------------------------------------

TEMPLATE_TEXT_ROWS = 1000  # rows of the data sheet formatted as text where a column needs it


def template_workbook(
    *,
    sheet_title: str,
    headings: list[str],
    text_columns: tuple[int, ...] = (),
    guide_title: str = "Hướng dẫn",
    guide: Sequence[tuple[str, str]] = (),
) -> Any:
    """A downloadable template's workbook (not yet saved): the data sheet with its headings in bold,
    frozen, then a sheet of instructions (`guide`: pairs of a heading and how to fill it in).

    Built on request rather than committed as a binary, so it always matches the import's columns.
    `text_columns` (1-based) are formatted as text so that Excel keeps leading zeros (codes, IDs).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook always has its first sheet
    sheet.title = sheet_title
    sheet.append(headings)
    sheet.freeze_panes = "A2"
    for index, heading in enumerate(headings, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(heading) + 4))
        if index in text_columns:
            for row in range(2, TEMPLATE_TEXT_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
    notes = book.create_sheet(guide_title)
    notes.column_dimensions["A"].width = 32
    notes.column_dimensions["B"].width = 100
    notes.append(["Cột", "Cách ghi"])
    for heading, how in guide:
        notes.append([heading, how])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    return book


def spooled(book: Any) -> IO[bytes]:
    """A workbook saved to a temporary file, rewound, for a FileResponse (which closes it)."""
    import tempfile

    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    book.save(spool)
    spool.seek(0)
    return spool
