"""The idempotency helper: one object per (actor, scope, key); a reused key with another body is refused;
a failed create stores no key; a lost race returns the winner's object."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from mangnon.accounts.tests.factories import UserFactory
from mangnon.core import idempotency
from mangnon.core.models import IdempotencyKey

pytestmark = pytest.mark.django_db


def test_same_key_runs_once():
    user = UserFactory()
    calls: list[int] = []

    def create() -> int:
        calls.append(1)
        return 41 + len(calls)

    first = idempotency.run_once(actor=user, scope="s", key="k", request_hash="h", create=create)
    again = idempotency.run_once(actor=user, scope="s", key="k", request_hash="h", create=create)
    assert first == idempotency.Outcome("42", True) and again == idempotency.Outcome("42", False)
    assert len(calls) == 1
    other_user = idempotency.run_once(
        actor=UserFactory(), scope="s", key="k", request_hash="h", create=create
    )
    assert other_user.created and len(calls) == 2


def test_no_key_always_creates():
    user = UserFactory()
    assert idempotency.run_once(actor=user, scope="s", key="  ", request_hash="h", create=lambda: 1).created
    assert not IdempotencyKey.objects.exists()


def test_reused_key_with_another_body_is_refused():
    user = UserFactory()
    idempotency.run_once(actor=user, scope="s", key="k", request_hash="h1", create=lambda: 1)
    with pytest.raises(idempotency.KeyReused):
        idempotency.run_once(actor=user, scope="s", key="k", request_hash="h2", create=lambda: 2)


def test_too_long_key_is_refused():
    with pytest.raises(idempotency.KeyInvalid):
        idempotency.run_once(
            actor=UserFactory(), scope="s", key="x" * 129, request_hash="h", create=lambda: 1
        )


def test_failed_create_stores_no_key():
    user = UserFactory()

    def boom() -> int:
        raise ValueError("no")

    with pytest.raises(ValueError):
        idempotency.run_once(actor=user, scope="s", key="k", request_hash="h", create=boom)
    assert not IdempotencyKey.objects.exists()


def test_lost_race_returns_the_winners_object(monkeypatch):
    user = UserFactory()
    # The other request committed the key after our look-up found nothing.
    IdempotencyKey.objects.create(actor_id=user.pk, scope="s", key="k", request_hash="h", object_id="7")
    real = idempotency._existing
    looks = iter([None])
    monkeypatch.setattr(idempotency, "_existing", lambda *a: next(looks, None) or real(*a))
    made: list[int] = []
    outcome = idempotency.run_once(
        actor=user, scope="s", key="k", request_hash="h", create=lambda: made.append(8) or 8
    )
    assert outcome == idempotency.Outcome("7", False)
    assert IdempotencyKey.objects.count() == 1


def test_integrity_error_of_the_create_itself_is_raised():
    def duplicate() -> int:
        raise IntegrityError("unique")

    with pytest.raises(IntegrityError):
        idempotency.run_once(actor=UserFactory(), scope="s", key="k", request_hash="h", create=duplicate)


def test_create_once_returns_the_keys_object_never_the_one_a_lost_race_rolled_back(monkeypatch):
    winner, loser = UserFactory(), UserFactory()
    actor = UserFactory()
    IdempotencyKey.objects.create(
        actor_id=actor.pk, scope="s", key="k", request_hash="h", object_id=str(winner.pk)
    )
    real = idempotency._existing
    looks = iter([None])  # the other request committed the key after our look-up found nothing
    monkeypatch.setattr(idempotency, "_existing", lambda *a: next(looks, None) or real(*a))
    got, created = idempotency.create_once(
        actor=actor,
        scope="s",
        key="k",
        request_hash="h",
        create=lambda: loser,
        load=lambda pk: type(winner).objects.get(pk=pk),
    )
    assert (got, created) == (winner, False)
    again, created = idempotency.create_once(
        actor=actor,
        scope="t",
        key="k",
        request_hash="h",
        create=lambda: loser,
        load=lambda pk: type(winner).objects.get(pk=pk),
    )
    assert (again, created) == (loser, True)
