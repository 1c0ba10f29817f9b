"""The rows an import has met so far, for its check that no child appears twice in the file.

This is the one state of an import that grows with the file. Held in dicts of hashes it cost about
130 bytes a row: 13 MB more of the worker's memory at 100,000 rows than at 10,000 (`mangnon bench
registry.import`). Here it lives in a private temporary SQLite database, which keeps a small page
cache in memory, spills the rest to a file and deletes that file when closed; a look-up is a few
microseconds.

Keys are stored as their 64-bit hash: a false "same child" needs a collision, about 1 in 10^9 for
100,000 rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable


class SeenRows:
    def __init__(self) -> None:
        # "" is SQLite's private temporary database; nothing is worth a journal or a sync here.
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        # SQLite's default page cache (2 MB) would fill as the file is read; a quarter of a MB answers as
        # fast, the operating system's file cache holding the rest (measured at 100,000 rows).
        self._db.execute("PRAGMA cache_size = -256")
        self._db.execute("CREATE TABLE seen (key INTEGER PRIMARY KEY, row INTEGER NOT NULL)")

    def first(self, key: Hashable) -> int | None:
        """The row where `key` was first met, or None."""
        found = self._db.execute("SELECT row FROM seen WHERE key = ?", (hash(key),)).fetchone()
        return found[0] if found else None

    def add(self, key: Hashable, row: int) -> None:
        """Remember `key` at `row`, unless it was met before (the first row is the one reported)."""
        self._db.execute("INSERT OR IGNORE INTO seen (key, row) VALUES (?, ?)", (hash(key), row))

    def close(self) -> None:
        self._db.close()
