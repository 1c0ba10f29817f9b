"""The annex tables of a periodic report, from its figures: one definition read by the DOCX (its annex
pages), the XLSX (a sheet per table) and the pages.

(Being written: the dataclass below is the interface the renderers rely on.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Cell = str | int | None  # text, a whole number, or None for "suppressed / no data" (see `notes`)


@dataclass(frozen=True)
class AnnexTable:
    key: str  # stable, ASCII: the XLSX sheet's name comes from `title`, the key names the table in code
    title: str  # Vietnamese: "Biểu 1. Hoạt động truyền thông năm 2020"
    columns: list[str]  # Vietnamese headings
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)  # e.g. what a suppressed cell means, the source


def tables(snapshot: dict[str, Any]) -> list[AnnexTable]:
    """The annex tables of a report whose figures are `snapshot` (figures.collect)."""
    return []
