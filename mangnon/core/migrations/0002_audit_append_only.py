"""Make core_auditevent append-only in the database itself: UPDATE and DELETE are refused by triggers.

TRUNCATE stays allowed: it is an operator wiping the whole database (Django's test flush uses it on
PostgreSQL), not a change to individual rows. On SQLite, a later migration that rebuilds this table
drops its triggers with it and must install them again (the core audit tests fail if it does not).
"""

from django.db import migrations

PG_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER core_auditevent_append_only
        BEFORE UPDATE OR DELETE ON core_auditevent
        FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change()
    """,
]
PG_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
    "DROP FUNCTION IF EXISTS core_auditevent_refuse_change()",
]

SQLITE_INSTALL = [
    """
    CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only: DELETE refused'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
]

STATEMENTS = {
    "postgresql": (PG_INSTALL, PG_REMOVE),
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
}


def _run(schema_editor, forward: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        # An audit trail that silently lost its guard would be worse than a failed install.
        raise RuntimeError(f"The append-only audit trail is not implemented for {vendor}")
    install, remove = STATEMENTS[vendor]
    for sql in install if forward else remove:
        schema_editor.execute(sql, params=None)  # no placeholders: the "%" in RAISE stays literal


def install(apps, schema_editor) -> None:
    _run(schema_editor, forward=True)


def remove(apps, schema_editor) -> None:
    _run(schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
