"""The voices' follow-up on the board: counts by status, a filter by status, and the overdue list, where a
forwarded voice with no answer past its due date appears (and one answered, or not yet due, does not)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from mangnon.core.models import AuditEvent
from mangnon.participation import council_selectors
from mangnon.participation.models import VoiceStatus
from mangnon.participation.tests.factories import ChildVoiceFactory

pytestmark = pytest.mark.django_db

BOARD = "/participation/"


def _forwarded(unit, due_on, **over):
    return ChildVoiceFactory(
        admin_unit=unit,
        raised_on=date(2026, 1, 5),
        status=VoiceStatus.FORWARDED,
        forwarded_to="UBND xã",
        forwarded_on=date(2026, 1, 6),
        due_on=due_on,
        **over,
    )


@pytest.fixture
def voices(units):
    today = timezone.localdate()
    return {
        "received": ChildVoiceFactory(admin_unit=units.commune_a),
        "overdue": _forwarded(units.commune_a, today - timedelta(days=1)),
        "due_today": _forwarded(units.commune_a, today),
        "answered_late": ChildVoiceFactory(
            admin_unit=units.commune_a,
            status=VoiceStatus.ANSWERED,
            forwarded_on=date(2026, 1, 6),
            due_on=date(2026, 1, 20),
            answer="Đã trả lời",
            answered_on=date(2026, 2, 1),
        ),
        "other_commune": _forwarded(units.commune_b, today - timedelta(days=3)),
    }


def test_overdue_is_forwarded_without_answer_past_due(personas, client_for, voices):
    r = client_for(personas.officer_a).get(BOARD)
    assert r.status_code == 200
    assert [v.pk for v in r.context["overdue"]] == [voices["overdue"].pk]
    assert r.context["overdue_count"] == 1
    r = client_for(personas.province_officer).get(BOARD)
    assert [v.pk for v in r.context["overdue"]] == [voices["other_commune"].pk, voices["overdue"].pk]


def test_counts_by_status(personas, client_for, voices):
    r = client_for(personas.officer_a).get(BOARD)
    counts = {code: n for code, _label, n in r.context["statuses"]}
    assert counts == {"received": 1, "forwarded": 2, "answered": 1, "resolved": 0}
    assert r.context["total"] == 4
    body = r.content.decode()
    assert 'data-status-link="forwarded"' in body and "(2)" in body
    counts = council_selectors.status_counts(viewer=personas.province_officer)
    assert counts["forwarded"] == 3 and counts["overdue"] == 2


def test_filter_by_status(personas, client_for, voices):
    r = client_for(personas.officer_a).get(BOARD, {"status": "forwarded"})
    assert r.status_code == 200 and r.context["status"] == "forwarded"
    assert [code for code, *_rest in r.context["columns"]] == ["forwarded"]
    shown = {v.pk for v in r.context["columns"][0][2]}
    assert shown == {voices["overdue"].pk, voices["due_today"].pk}
    assert [v.pk for v in r.context["overdue"]] == [voices["overdue"].pk]  # the overdue list stays
    event = AuditEvent.objects.filter(object_type="participation.childvoice", object_id="list").latest("pk")
    assert event.changes["filters"] == {"status": "forwarded"}
    assert sorted(event.changes["shown"]) == sorted(shown)


def test_unknown_status_refused(personas, client_for, voices):
    r = client_for(personas.officer_a).get(BOARD, {"status": "lost"})
    assert r.status_code == 400 and r.context["status"] == ""


def test_board_forbidden(personas, client_for):
    assert client_for(personas.hotline).get(BOARD, {"status": "received"}).status_code == 403
    r = Client().get(BOARD, {"status": "received"})
    assert r.status_code == 302 and "login" in r["Location"]
