"""Disclosure control for published tables: small cells are suppressed, and so are the cells from which
a suppressed one could be worked out again (secondary suppression).

A cell under the threshold (default 5, `MANGNON_DISCLOSURE_THRESHOLD`) but above zero could single out a
child. When a row or column shows its total, one suppressed cell in it can be recovered by subtraction,
so a second cell of that line is suppressed too: the smallest non-zero one, a zero only when nothing
else is left (a zero reveals no child, but hiding it keeps the line's secret). This repeats until every
line with a total holds no suppressed cell or at least two. Tables of indicators, survey answers and
exports marked for publication all go through here; a suppressed cell is shown as such, never as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings

Cell = tuple[int, int]


def threshold() -> int:
    return int(getattr(settings, "MANGNON_DISCLOSURE_THRESHOLD", 5))


def is_small(value: float | Decimal | None, limit: int | None = None) -> bool:
    """A count that could identify someone: above zero and under the threshold."""
    return value is not None and 0 < value < (threshold() if limit is None else limit)


def suppressed_cells(
    cells: Sequence[Sequence[int | None]],
    *,
    limit: int | None = None,
    rows_have_totals: bool = True,
    columns_have_totals: bool = True,
) -> set[Cell]:
    """The (row, column) positions to hide in a table of counts (None: no figure, never chosen).

    `rows_have_totals` and `columns_have_totals` say which lines show a total beside their cells and so
    need secondary suppression. The totals themselves are the caller's: hide one when `is_small`.
    """
    hidden: set[Cell] = {
        (r, c) for r, row in enumerate(cells) for c, value in enumerate(row) if is_small(value, limit)
    }
    lines: list[list[Cell]] = []
    if rows_have_totals:
        lines += [[(r, c) for c in range(len(row))] for r, row in enumerate(cells)]
    if columns_have_totals:
        width = max((len(row) for row in cells), default=0)
        lines += [[(r, c) for r in range(len(cells)) if c < len(cells[r])] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(cell in hidden for cell in line) != 1:
                continue
            candidates = [cell for cell in line if cell not in hidden and cells[cell[0]][cell[1]] is not None]
            if not candidates:
                continue  # the line holds one figure: it is its total, which the caller hides when small
            # The smallest non-zero cell loses least; zeros (which name no one) only as a last resort.
            complement = min(
                candidates, key=lambda cell: (cells[cell[0]][cell[1]] == 0, cells[cell[0]][cell[1]])
            )
            hidden.add(complement)
            changed = True
    return hidden


def suppressed_in_line(values: Sequence[int | None], *, limit: int | None = None) -> set[int]:
    """The positions to hide in one list of counts shown with its total (a breakdown by unit or sex)."""
    cells = [[value] for value in values]
    return {r for r, _c in suppressed_cells(cells, limit=limit, rows_have_totals=False)}
