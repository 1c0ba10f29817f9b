"""Two requests racing with one Idempotency-Key (a double tap on a slow network) make one contact: the
database's unique key decides, and the loser answers with the winner's contact. Real concurrency needs
PostgreSQL (SQLite serialises writers); the sequential retry is tested on both in test_api.py."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from mangnon.accounts.tokens import token_create
from mangnon.core.models import IdempotencyKey
from mangnon.geo.models import AdminUnit
from mangnon.intake.models import Contact

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]

BODY = {
    "channel": "phone",
    "kind": "data",
    "line": "111",
    "reasons": ["violence.neglect"],
    "commune": "06688",
}


@pytest.fixture(autouse=True)
def geography(transactional_db: None) -> None:
    """Quảng Ninh and line 111, restored when an earlier transactional test flushed the tables."""
    from mangnon.geo import loader
    from mangnon.intake.tests.factories import LineFactory

    if not AdminUnit.objects.filter(code="22").exists():
        loader.load(["22"])
    LineFactory()


def test_two_concurrent_posts_with_one_key_make_one_contact(personas):
    _, raw = token_create(actor=None, user=personas.hotline)
    start = threading.Barrier(2)
    answers: list[tuple[int, int]] = []

    def post() -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
            start.wait(timeout=10)
            r = client.post(
                "/api/v1/contacts", json.dumps(BODY), content_type="application/json",
                headers={"Idempotency-Key": "double-tap"},
            )  # fmt: skip
            answers.append((r.status_code, r.json().get("id", r.content)))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(status for status, _id in answers) == [200, 201]
    assert len({contact_id for _status, contact_id in answers}) == 1
    assert Contact.objects.count() == 1 and IdempotencyKey.objects.filter(key="double-tap").count() == 1
