"""Idempotency keys for create calls: a retried submit returns the object the first one made.

The key is stored in the same transaction as the object it made, under a unique constraint on
(actor, scope, key): two concurrent requests with one key cannot both commit, and the loser reads the
winner's object. The same key with a different body is a client error (KeyReused), never a silent reuse.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Model

from .models import IdempotencyKey

MAX_KEY_LENGTH = 128

M = TypeVar("M", bound=Model)


class KeyReused(Exception):
    """The key was used before with a different request body."""


class KeyInvalid(Exception):
    """The key is empty after trimming or longer than MAX_KEY_LENGTH."""


@dataclass(frozen=True)
class Outcome:
    object_id: str
    created: bool  # False: the key was seen before and this is the object it made


def body_hash(body: Any) -> str:
    """A stable hash of a request body (mapping keys sorted; dates as ISO text)."""
    text = json.dumps(body, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _existing(actor_id: int, scope: str, key: str, request_hash: str) -> Outcome | None:
    row = IdempotencyKey.objects.filter(actor_id=actor_id, scope=scope, key=key).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise KeyReused(key)
    return Outcome(row.object_id, created=False)


def run_once(*, actor: Any, scope: str, key: str, request_hash: str, create: Callable[[], Any]) -> Outcome:
    """Run `create` (which returns the new object's id) once per (actor, scope, key).

    Without a key `create` simply runs. `create` runs inside the transaction that stores the key, so a
    failed create stores nothing and a lost race rolls the duplicate back.
    """
    key = (key or "").strip()
    if not key:
        return Outcome(str(create()), created=True)
    if len(key) > MAX_KEY_LENGTH:
        raise KeyInvalid(key)
    found = _existing(actor.pk, scope, key, request_hash)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            object_id = str(create())
            IdempotencyKey.objects.create(
                actor_id=actor.pk, scope=scope, key=key, request_hash=request_hash, object_id=object_id
            )
    except IntegrityError:
        # Either a concurrent request with this key won (read its object) or the create itself failed.
        found = _existing(actor.pk, scope, key, request_hash)
        if found is None:
            raise
        return found
    return Outcome(object_id, created=True)


def create_once(
    *,
    actor: Any,
    scope: str,
    key: str,
    request_hash: str,
    create: Callable[[], M],
    load: Callable[[int], M],
) -> tuple[M, bool]:
    """The create services' one way to honour a key: `create` makes and returns the object, in one
    transaction with the key; a retry (or a request that lost the race to a concurrent one with the same
    key) gets the object the key made, read with `load(id)`, and False. The object a lost race created
    was rolled back, so it is never returned."""
    made: list[M] = []

    def run() -> int:
        made.append(create())
        return int(made[-1].pk)

    with transaction.atomic():
        outcome = run_once(actor=actor, scope=scope, key=key, request_hash=request_hash, create=run)
    if outcome.created:
        return made[-1], True
    return load(int(outcome.object_id)), False
