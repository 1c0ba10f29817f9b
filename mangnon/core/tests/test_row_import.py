"""The shared pieces of the spreadsheet imports: reading numbers and dates of a row, codes in either
language, the upload's type check, the progress bar."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.utils import translation

from mangnon.activities.codes import FundingSource
from mangnon.core.row_import import Column, Row, code_lookup, split_codes
from mangnon.core.xlsx_import import UploadRefused, percent, sniff_kind

COLUMNS = {c.key: c for c in (Column("n", "Số"), Column("d", "Ngày"))}


def row(**values: object) -> Row:
    return Row(2, values, COLUMNS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, 12), (12.0, 12), ("1.500.000", 1_500_000), ("1 500", 1500), ("", None), (None, None)],
)
def test_whole_numbers_are_read(value: object, expected: int | None) -> None:
    r = row(n=value)
    assert r.whole("n") == expected and r.ok


@pytest.mark.parametrize("value", [-1, 1.5, "mười", "12a", True])
def test_other_values_are_not_whole_numbers(value: object) -> None:
    r = row(n=value)
    with translation.override("en"):
        assert r.whole("n") is None
        assert r.problems[0][0] == "Số" and "is not a whole number" in str(r.problems[0][1])


def test_dates_from_cells_or_text() -> None:
    cell = datetime(2026, 3, 5, 0, 0)  # noqa: DTZ001 - a date cell, naive as openpyxl reads it
    assert row(d=cell).date("d") == date(2026, 3, 5)
    assert row(d="05/03/2026").date("d") == date(2026, 3, 5)
    bad = row(d="2026-03-05")
    assert bad.date("d") is None and not bad.ok


def test_codes_are_read_as_codes_or_labels_in_either_language() -> None:
    lookup = code_lookup(FundingSource, {"ngân sách": "state_budget"})
    for text in ("state_budget", "State budget", "ngân sách nhà nước", "NGAN SACH NHA NUOC", "ngân sách"):
        assert lookup[split_codes(text)[0]] == "state_budget"
    assert split_codes("a, b; c.") == ["a", "b", "c"]


def test_an_xlsx_only_import_refuses_other_files() -> None:
    with pytest.raises(UploadRefused):
        sniff_kind("list.csv", b"a,b", io.BytesIO(b"a,b"), kinds=("xlsx",))
    with pytest.raises(UploadRefused):
        sniff_kind("list.xlsx", b"PK\x03\x04junk", io.BytesIO(b"PK\x03\x04junk"), kinds=("xlsx",))


def test_progress() -> None:
    assert percent(done=True, processed=0, total=0) == 100
    assert percent(done=False, processed=5, total=20) == 25
    assert percent(done=False, processed=3, total=0) == 0
