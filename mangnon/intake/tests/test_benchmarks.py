"""The intake benchmark on a small batch: contacts are made through the API and the bare service alike,
each with its own Idempotency-Key, and the figures (contacts per second, p95, the framework's floor) are
printed."""

from __future__ import annotations

from typing import Any

import pytest

from mangnon.core import bench
from mangnon.core.models import IdempotencyKey
from mangnon.intake import benchmarks
from mangnon.intake.models import Contact, ContactChild, ContactReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(monkeypatch: Any, units: Any) -> benchmarks.IntakeSet:
    monkeypatch.setattr(benchmarks, "BATCH", 6)
    monkeypatch.setattr(benchmarks, "FLOOR_REQUESTS", 3)
    return benchmarks.intake_set()


def test_the_api_and_the_service_make_the_same_contacts(small: benchmarks.IntakeSet) -> None:
    assert benchmarks.post_contacts(small) == 6
    assert benchmarks.service_contacts(small) == 6
    assert Contact.objects.filter(counsellor=small.counsellor).count() == 12
    assert IdempotencyKey.objects.filter(actor_id=small.counsellor.pk).count() == 12
    assert ContactReason.objects.count() >= 12 and ContactChild.objects.count() >= 12
    api, service = (
        Contact.objects.filter(counsellor=small.counsellor).order_by("pk")[i : i + 6] for i in (0, 6)
    )
    fields = ("channel", "line_id", "admin_unit_id", "urgency", "outcome", "referred_to_id", "caller_name")
    assert [[getattr(c, f) for f in fields] for c in api] == [
        [getattr(c, f) for f in fields] for c in service
    ]
    assert len(small.api_ms) == len(small.service_ms) == 1 and len(small.api_ms[0]) == 6


def test_figures_and_check(small: benchmarks.IntakeSet) -> None:
    for _ in range(2):
        benchmarks.post_contacts(small)
        benchmarks.service_contacts(small)
    lines = benchmarks.figures(small)
    assert lines[0].startswith("6 contacts through the API (1 batches of 6): ") and "contacts/s" in lines[0]
    assert "p95" in lines[0] and "framework floor (GET /api/v1/me, 3 requests)" in lines[1]
    # Judged on the timed batches, the warm-up left out.
    small.api_ms = [[1000.0] * 6, [10.0] * 19 + [1000.0]]
    assert benchmarks.p95_within_target(small)
    small.api_ms.append([benchmarks.MAX_P95_MS + 1] * 6)
    assert not benchmarks.p95_within_target(small)


def test_registered_and_runs_through_the_harness(small: benchmarks.IntakeSet) -> None:
    bench.autodiscover()
    registered = bench.registry.benchmarks["intake.contacts_api"]
    assert registered.baseline is benchmarks.service_contacts and registered.check is not None
    copy = bench.Benchmark(
        registered.name,
        registered.func,
        registered.target,
        registered.baseline,
        setup=lambda: small,
        per_call=6,
        report=registered.report,
        check=registered.check,
    )
    result = bench.run(copy, repeat=1)
    assert result.same_result and len(result.extra) == 2
