"""The audit trail: append-only, hash-chained.

Every write service calls `record` inside its own transaction, so the event commits or rolls back with
the change it describes. Each event's hash covers its content and the previous event's hash, so an edit
or a deletion made behind the application's back breaks the chain at a row `verify` can name. Writers
are serialised while they append (an advisory lock on PostgreSQL; SQLite's immediate transactions
already serialise writers), which keeps the chain linear. A database trigger (core migration 0002)
refuses UPDATE and DELETE on the table, so the chain is the second line of defence, not the only one.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from . import context
from .models import AuditEvent

GENESIS_HASH = "0" * 64
MASK = "***"
# Values of these fields never enter the trail, whatever the caller passes (names compared case-folded,
# at any depth of nested mappings).
ALWAYS_MASKED = frozenset({"password", "token", "token_hash", "secret", "id_number", "personal_id"})
_PG_LOCK_KEY = 0x6D616E67  # "mang": one advisory lock id for the whole trail


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _canonical(event: AuditEvent) -> bytes:
    payload = [
        event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.actor_id,
        event.actor_username,
        event.action,
        event.object_type,
        event.object_id,
        event.unit_id,
        event.unit_code,
        event.changes,
        event.request_id,
        event.client_ip,
        event.prev_hash,
    ]
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [old, new]}; fields absent from `old` count as None."""
    return {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}


def _mask(changes: Mapping[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, value in changes.items():
        if str(field).casefold() in hidden:
            out[field] = [MASK, MASK] if isinstance(value, list | tuple) and len(value) == 2 else MASK
        elif isinstance(value, Mapping):
            out[field] = _mask(value, hidden)
        else:
            out[field] = value
    return out


def _stored_ip(value: str | None) -> str | None:
    """The address as the database will hand it back, so the hash computed now still holds on read.

    The field normalises IPv6 on save (and PostgreSQL's inet prints its own canonical form); an
    unparseable address is dropped rather than failing the write it describes.
    """
    if not value:
        return None
    try:
        ipaddress.ip_address(value)
        return AuditEvent._meta.get_field("client_ip").to_python(value)
    except (ValueError, ValidationError):
        return None


def _lock_chain() -> None:
    # Held until the enclosing transaction ends, so the next writer reads this row as its predecessor
    # (under READ COMMITTED each statement sees what committed before the lock was granted).
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def record(
    *,
    actor: Any,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    unit: Any = None,
    changes: Mapping[str, Any] | None = None,
    sensitive: Iterable[str] = (),
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event. `actor` is a user or None (the system); `unit` an AdminUnit or None."""
    if at is not None and timezone.is_naive(at):
        # A naive time would be stored in one zone and hashed in another, breaking its own link.
        raise ValueError("audit.record needs an aware datetime")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    ctx = context.current()
    hidden = frozenset(f.casefold() for f in (*ALWAYS_MASKED, *sensitive))
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        _lock_chain()
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
        event = AuditEvent(
            at=at or timezone.now(),
            actor_id=actor.pk if is_user else None,
            actor_username=actor.get_username() if is_user else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            unit_id=getattr(unit, "pk", None),
            unit_code=getattr(unit, "code", "") or "",
            changes=_json_safe(_mask(changes or {}, hidden)),
            request_id=ctx.request_id,
            client_ip=_stored_ip(ctx.client_ip),
            prev_hash=prev,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify(chunk_size: int = 5000) -> VerifyResult:
    """Walk the trail in order; report the first row whose hash or link does not hold."""
    prev_hash = GENESIS_HASH
    prev_id: int | None = None
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        if event.prev_hash != prev_hash:
            where = f"after row {prev_id}" if prev_id is not None else "at the start of the trail"
            return VerifyResult(
                False, checked, event.id, f"link broken {where}: a row was deleted or altered before it"
            )
        if compute_hash(event) != event.hash:
            return VerifyResult(
                False, checked, event.id, "content does not match its hash: the row was edited"
            )
        prev_hash, prev_id = event.hash, event.id
        checked += 1
    return VerifyResult(True, checked)
