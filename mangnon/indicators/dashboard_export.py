"""The dashboard and an indicator's tables as XLSX workbooks.

Cells are written by `core.export` (text is always text, never a formula), one sheet per table, and
the first sheet says what the file holds: the unit, the period, the geography of the units below and
whether small cells were suppressed (for publication, or for the reader's role), with the legend of the
mark a suppressed cell carries. A suppressed cell is the mark, never 0 or empty; a figure without data
is empty. Aggregates only: not audited.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from mangnon.core import export

from . import dashboard_selectors as s
from .catalogue import GROUP_LABELS


@dataclass
class Sheet:
    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] = ()


def workbook_response(filename: str, sheets: Sequence[Sheet]) -> FileResponse:
    """A workbook of several sheets, each cell made safe by `core.export`, as an attachment."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet_data in sheets:
        sheet = book.create_sheet(title=sheet_data.title[:31])
        for index, width in enumerate(sheet_data.widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        heading = []
        for text in sheet_data.headings:
            cell = export._xlsx_cell(sheet, text)
            cell.font = bold
            heading.append(cell)
        sheet.append(heading)
        for row in sheet_data.rows:
            sheet.append([export._xlsx_cell(sheet, value) for value in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it after sending
    book.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=export.XLSX_CONTENT_TYPE)


def _suppression(suppressed: bool, publish: bool) -> str:
    if publish:
        return _("Yes, for publication")
    if suppressed:
        return _("Yes, for the reader's role")
    return _("No")


def about_sheet(
    *,
    unit: str,
    period: str,
    geography: str,
    suppressed: bool,
    publish: bool,
    first: Sequence[list[object]] = (),
) -> Sheet:
    rows: list[list[object]] = [
        *first,
        [_("Unit"), unit],
        [_("Period"), period],
        [_("Geography"), geography],
        [_("Small cells suppressed"), _suppression(suppressed, publish)],
        [
            _("Legend"),
            _("%(mark)s: suppressed to protect children's identity; an empty cell: no data")
            % {"mark": s.SUPPRESSED_MARK},
        ],
        [_("Exported at"), timezone.localtime().replace(tzinfo=None)],
    ]
    return Sheet(_("About"), [_("Item"), _("Value")], rows, (28, 70))


def _number(value: int | Decimal | None) -> int | float | None:
    return None if value is None else s._plain(value)


def dashboard_file(board: s.Dashboard, *, publish: bool) -> FileResponse:
    headings = [
        _("Group"),
        _("Code"),
        _("Indicator"),
        _("Counted in"),
        _("Numerator"),
        _("Denominator"),
        _("Value"),
        _("Target"),
        _("Status"),
        _("Previous year"),
        _("Change"),
    ]
    rows = []
    for group in board.groups:
        for row in group.rows:
            v = row.value
            mark = s.SUPPRESSED_MARK if v.suppressed else None
            rows.append(
                [
                    str(GROUP_LABELS[row.indicator.group]),
                    row.indicator.code,
                    str(row.indicator.name),
                    row.counted_in,
                    mark or _number(v.numerator),
                    _number(v.denominator),
                    mark or _number(v.value),
                    _number(row.target_value) if row.target_value is not None else row.target_label,
                    row.status_label,
                    mark or _number(v.previous),
                    row.trend_label,
                ]
            )
    about = about_sheet(
        unit=board.unit.name,
        period=board.period.label,
        geography=str(s.GEOGRAPHY_LABELS[s.Geography.PERIOD]),
        suppressed=board.suppressed,
        publish=publish,
    )
    sheets = [about, Sheet(_("Indicators"), headings, rows, (22, 10, 50, 18, 12, 12, 12, 14, 16, 12, 12))]
    suffix = "-publish" if publish else ""
    return workbook_response(f"indicators-{board.unit.code}-{board.period.key}{suffix}.xlsx", sheets)


def _detail_rows(rows: Sequence[s.DetailRow], *, with_rate: bool) -> list[list[object]]:
    out: list[list[object]] = []
    for row in rows:
        line: list[object] = [row.label, row.numerator.export]
        if with_rate:
            line += [row.denominator.export, row.value.export]
        line += [
            _number(row.target_value) if row.target_value is not None else row.target_label,
            row.status_label,
        ]
        out.append(line)
    return out


def detail_file(detail: s.Detail, *, publish: bool) -> FileResponse:
    indicator = detail.indicator
    rate = indicator.denominator != ""
    figures = [_("Numerator"), _("Denominator"), _("Value")] if rate else [_("Value")]
    tail = [_("Target"), _("Status")]
    about = about_sheet(
        unit=detail.unit.name,
        period=detail.period.label,
        geography=detail.geography_label,
        suppressed=detail.suppressed,
        publish=publish,
        first=[
            [_("Indicator"), f"{indicator.code} {indicator.name}"],
            [_("Counted in"), detail.counted_in],
        ],
    )
    widths = (34, 14, 14, 14, 14, 18)
    sheets = [
        about,
        Sheet(_("Trend"), [_("Year"), *figures, *tail], _detail_rows(detail.trend, with_rate=rate), widths),
        Sheet(
            _("Units below"),
            [_("Unit"), *figures, *tail],
            _detail_rows([detail.total, *detail.children], with_rate=rate),
            widths,
        ),
    ]
    for breakdown in detail.breakdowns:
        sheets.append(
            Sheet(
                breakdown.label,
                [breakdown.label, _("Numerator")],
                [[row.label, row.numerator.export] for row in breakdown.rows],
                (40, 14),
            )
        )
    suffix = "-publish" if publish else ""
    filename = f"indicator-{indicator.code}-{detail.unit.code}-{detail.period.key}{suffix}.xlsx"
    return workbook_response(filename, sheets)
