"""The audit trail: hash chain, `mangnon audit verify`, append-only triggers, masking and request context."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from mangnon.core import audit
from mangnon.core.middleware import RequestContextMiddleware
from mangnon.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TABLE = "core_auditevent"
append_only = importlib.import_module("mangnon.core.migrations.0002_audit_append_only")


def _event(n: int) -> AuditEvent:
    return audit.record(
        actor=None, action="update", object_type="core.test", object_id=str(n), changes={"n": [0, n]}
    )


@contextmanager
def _tampering() -> Iterator[Any]:
    """Lift the append-only guard inside the test transaction (restored by the test's rollback)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        else:
            for sql in append_only.SQLITE_REMOVE:
                cur.execute(sql)
        yield cur


def _verify() -> str:
    out: list[str] = []

    class Out:
        def write(self, s: str) -> None:
            out.append(s)

    call_command("audit", "verify", stdout=Out())
    return "".join(out)


def _installed_triggers() -> set[str]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE]
            )
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        return {row[0] for row in cur.fetchall()}


# --- the chain and `mangnon audit verify` -------------------------------------------------------------


def test_each_event_links_to_the_one_before():
    a, b = _event(1), _event(2)
    assert b.prev_hash == a.hash
    assert a.hash == audit.compute_hash(AuditEvent.objects.get(pk=a.pk))


def test_verify_reports_an_intact_trail_with_its_size():
    _event(1), _event(2), _event(3)
    assert _verify().strip() == f"Audit trail intact: {AuditEvent.objects.count()} events"


def test_verify_names_a_row_edited_directly_in_sql():
    _event(1)
    edited, last = _event(2), _event(3)
    with _tampering() as cur:
        cur.execute(f"UPDATE {TABLE} SET object_id = %s WHERE id = %s", ["999", edited.pk])
    with pytest.raises(CommandError) as exc:
        _verify()
    assert exc.value.returncode == 1
    assert f"broken at row {edited.pk}:" in str(exc.value)
    assert "edited" in str(exc.value)
    assert f"row {last.pk}" not in str(exc.value)


def test_verify_names_the_row_after_one_deleted_directly_in_sql():
    _event(1)
    deleted, after = _event(2), _event(3)
    with _tampering() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [deleted.pk])
    with pytest.raises(CommandError) as exc:
        _verify()
    assert exc.value.returncode == 1
    assert f"broken at row {after.pk}:" in str(exc.value)
    assert "deleted" in str(exc.value)


def test_verify_detects_a_masked_value_written_back_in_clear():
    event = audit.record(actor=None, action="update", object_type="x", changes={"password": ["a", "b"]})
    with _tampering() as cur:
        cur.execute(f"UPDATE {TABLE} SET changes = %s WHERE id = %s", ['{"password": ["a", "b"]}', event.pk])
    result = audit.verify()
    assert not result.ok
    assert result.broken_id == event.pk


# --- append-only in the database ----------------------------------------------------------------------


def test_the_append_only_triggers_are_installed():
    expected = (
        {"core_auditevent_append_only"}
        if connection.vendor == "postgresql"
        else {"core_auditevent_no_update", "core_auditevent_no_delete"}
    )
    assert _installed_triggers() == expected


def _orm_update(e: AuditEvent) -> None:
    AuditEvent.objects.filter(pk=e.pk).update(object_id="changed")


def _orm_save(e: AuditEvent) -> None:
    e.object_id = "changed"
    e.save()


def _orm_delete(e: AuditEvent) -> None:
    e.delete()


def _orm_bulk_delete(e: AuditEvent) -> None:
    AuditEvent.objects.filter(pk=e.pk).delete()


def _sql_update(e: AuditEvent) -> None:
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET object_id = 'changed' WHERE id = %s", [e.pk])


def _sql_delete(e: AuditEvent) -> None:
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [e.pk])


@pytest.mark.parametrize(
    ("write", "verb"),
    [
        (_orm_update, "UPDATE"),
        (_orm_save, "UPDATE"),
        (_orm_delete, "DELETE"),
        (_orm_bulk_delete, "DELETE"),
        (_sql_update, "UPDATE"),
        (_sql_delete, "DELETE"),
    ],
)
def test_updates_and_deletes_are_refused_by_the_database(write, verb):
    event = _event(1)
    # PostgreSQL: the plpgsql trigger raises restrict_violation; SQLite: RAISE(ABORT) is a constraint
    # error. Both reach Django as IntegrityError.
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        write(event)
    assert f"append-only: {verb} refused" in str(exc.value)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.object_id == "1"
    assert audit.verify().ok


def test_the_reverse_migration_lifts_the_guard_and_the_forward_one_restores_it():
    class Editor:
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str, params: Any = None) -> None:
            with connection.cursor() as cur:
                cur.execute(sql, params)

    event = _event(1)
    append_only.remove(None, Editor())
    assert _installed_triggers() == set()
    with transaction.atomic():
        _sql_update(event)
    append_only.install(None, Editor())
    with pytest.raises(IntegrityError), transaction.atomic():
        _sql_delete(event)


def test_flush_empties_the_trail_and_keeps_the_guard():
    # Django's test runner flushes between transactional tests: TRUNCATE on PostgreSQL (allowed by the
    # triggers), DELETE on SQLite (our flush lifts the triggers for it and puts them back).
    _event(1)
    call_command("flush", interactive=False, inhibit_post_migrate=True, reset_sequences=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    event = _event(2)
    assert event.prev_hash == audit.GENESIS_HASH
    with pytest.raises(IntegrityError), transaction.atomic():
        _sql_delete(event)


# --- concurrency --------------------------------------------------------------------------------------


def test_writers_are_serialised_while_they_append():
    if connection.vendor == "postgresql":
        _event(1)  # holds the chain's advisory lock until this (test) transaction ends
        other = connection.copy()
        try:
            with other.cursor() as cur:
                cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [audit._PG_LOCK_KEY])
                assert cur.fetchone()[0] is False
        finally:
            other.close()
    else:
        # SQLite: every transaction begins IMMEDIATE, taking the write lock before reading the chain's head.
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# --- content: masking, request context, transactions --------------------------------------------------


def test_always_masked_and_caller_sensitive_fields_never_reach_the_table():
    event = audit.record(
        actor=None,
        action="update",
        object_type="registry.person",
        object_id="7",
        changes={
            "Password": ["old-secret-1", "new-secret-2"],
            "token": "tok-secret-3",
            "guardian": {"id_number": "012345678901", "name": "Lê Văn B"},
            "phone": ["0912000111", "0912000222"],
            "name": ["Nguyễn Văn A", "Nguyễn Văn Á"],
        },
        sensitive=["phone"],
    )
    stored = AuditEvent.objects.get(pk=event.pk).changes
    assert stored == {
        "Password": ["***", "***"],
        "token": "***",
        "guardian": {"id_number": "***", "name": "Lê Văn B"},
        "phone": ["***", "***"],
        "name": ["Nguyễn Văn A", "Nguyễn Văn Á"],
    }
    with connection.cursor() as cur:
        cur.execute(f"SELECT changes FROM {TABLE} WHERE id = %s", [event.pk])
        raw = str(cur.fetchone()[0])
    for secret in ("old-secret-1", "new-secret-2", "tok-secret-3", "012345678901", "0912000111"):
        assert secret not in raw
    assert audit.verify().ok


def test_record_inside_a_request_captures_its_id_and_client_address():
    recorded: list[AuditEvent] = []

    def view(request: Any) -> HttpResponse:
        recorded.append(audit.record(actor=None, action="view", object_type="core.test"))
        return HttpResponse()

    request = RequestFactory().get(
        "/", HTTP_X_REQUEST_ID="req-0123456789", REMOTE_ADDR="2001:0DB8:0000::0001"
    )
    response = RequestContextMiddleware(view)(request)
    stored = AuditEvent.objects.get(pk=recorded[0].pk)
    assert stored.request_id == "req-0123456789" == response["X-Request-ID"]
    # Normalised before hashing, so the stored form still matches the hash.
    assert stored.client_ip == "2001:db8::1"
    assert audit.verify().ok


def test_an_event_in_a_rolled_back_transaction_leaves_no_row():
    kept = _event(1)
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _event(2)
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == before
    assert _event(3).prev_hash == kept.hash
    assert audit.verify().ok


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        audit.record(actor=None, action="update", at=datetime(2026, 1, 1, 8, 0))  # noqa: DTZ001
