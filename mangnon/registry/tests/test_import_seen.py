"""The import's memory of rows already met (its in-file duplicate check), kept in a temporary database."""

from __future__ import annotations

import sqlite3

import pytest

from mangnon.registry.import_seen import SeenRows


def test_a_key_is_remembered_at_the_first_row_it_was_met() -> None:
    seen = SeenRows()
    identity = ("nguyen thi anh", "F", 7, "2016-09-05")
    assert seen.first(identity) is None
    seen.add(identity, 2)
    seen.add(identity, 9)  # met again: the report names the first row
    seen.add(("id_number", "022316012345"), 3)
    assert seen.first(identity) == 2
    assert seen.first(("id_number", "022316012345")) == 3
    assert seen.first(("nguyen thi anh", "F", 7, "2016-09-06")) is None
    seen.close()


def test_many_rows_stay_answerable_and_closing_releases_the_database() -> None:
    seen = SeenRows()
    for row in range(2, 20_002):
        seen.add(("row", row), row)
    assert seen.first(("row", 2)) == 2 and seen.first(("row", 20_001)) == 20_001
    seen.close()
    with pytest.raises(sqlite3.ProgrammingError):
        seen.first(("row", 2))
