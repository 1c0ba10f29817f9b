"""Django's `flush`, made to work with the append-only audit trail on SQLite.

On PostgreSQL flush empties tables with TRUNCATE, which the audit triggers allow. On SQLite it runs
DELETE, which they refuse; so the triggers are lifted for the flush and put back in the same
transaction (SQLite DDL is transactional), and nothing else ever runs without them. Django's test
runner calls this command between transactional tests (live-server and browser tests).
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

AUDIT_TABLE = "core_auditevent"


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=options["database"]), connection.cursor() as cur:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [AUDIT_TABLE]
            )
            triggers = cur.fetchall()
            for name, _sql in triggers:
                cur.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            super().handle(**options)
            for _name, sql in triggers:
                cur.execute(sql)
