"""A round's results as an XLSX workbook: one long sheet of every table, and a "Notes" sheet.

The long sheet has one line per shown cell (question, row, column, count, percent) and one per total,
so it filters and pivots in a spreadsheet; a suppressed cell carries the mark, never 0 or an empty
count. Free-text answers appear as their number only. Cells are written through `core.export` (text is
always text: a label starting with "=" is never a formula). The Notes sheet gives the threshold and the
rules. The export is audited by the view.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.indicators.dashboard_export import Sheet, workbook_response

from .results import Cell, Results


def _count(cell: Cell, mark: str) -> Any:
    return mark if cell.suppressed else cell.count


def rows_of(results: Results, mark: str) -> list[list[Any]]:
    total = _("Total")
    rows: list[list[Any]] = []
    for q in results.questions:
        table = q.table
        rows.append([q.name, q.label, _("Asked"), "", _count(q.asked, mark), None])
        rows.append([q.name, q.label, _("Answered"), "", _count(q.answered, mark), None])
        for label, cells, row_total in zip(table.rows, table.cells, table.row_totals, strict=True):
            for column, cell in zip(table.columns, cells, strict=True):
                rows.append([q.name, q.label, label, column, _count(cell, mark), cell.percent])
            if len(table.columns) > 1:
                rows.append([q.name, q.label, label, total, _count(row_total, mark), None])
        for column, cell in zip(table.columns, table.column_totals, strict=True):
            rows.append([q.name, q.label, total, column, _count(cell, mark), cell.percent])
        if table.summary:
            for name, value in (
                (_("Lower quartile"), table.summary.q1),
                (_("Median"), table.summary.median),
                (_("Upper quartile"), table.summary.q3),
            ):
                rows.append([q.name, q.label, total, name, value, None])
    return rows


def notes_rows(results: Results, mark: str, by: str) -> list[list[Any]]:
    return [
        [_("Questionnaire"), results.questionnaire.title],
        [_("Rounds"), ", ".join(r.name for r in results.rounds)],
        [_("Break down by"), by],
        [_("Respondents"), _count(results.respondents, mark)],
        [_("Threshold"), results.threshold],
        [
            _("Suppressed cells"),
            _(
                "%(mark)s marks a count under %(threshold)d (and the counts that would let it be "
                "worked out); it is not 0."
            )
            % {"mark": mark, "threshold": results.threshold},
        ],
        [
            _("Schools and units"),
            _(
                "Schools with too few answers are merged into the other schools of their unit, or counted "
                "in the totals only; the same for units."
            ),
        ],
        [_("Percentages"), _("Computed from shown counts only, never over a small number of answers.")],
        [_("Free text"), _("Free-text answers are counted, never shown.")],
        *[[_("Note"), note] for note in results.notes],
    ]


def response(results: Results, *, mark: str) -> FileResponse:
    heading = [_("Question"), _("Label"), _("Row"), _("Column"), _("Count"), _("Percent")]
    by = " × ".join(results.by) or _("none")
    day = timezone.localdate().isoformat()
    name = f"KhaoSat_{results.questionnaire.pk}_{'_'.join(str(r.pk) for r in results.rounds)}_{day}.xlsx"
    return workbook_response(
        name,
        [
            Sheet(_("Results"), heading, rows_of(results, mark), widths=(18, 40, 30, 30, 10, 10)),
            Sheet(_("Notes"), [_("Item"), _("Value")], notes_rows(results, mark, by), widths=(24, 90)),
        ],
    )
