"""Drill-down from the voices figures: each link opens the list of exactly the voices the figure
counts (received or resolved in the period, in the unit's geography, by topic), within the reader's
scope, and the page read is audited like the board."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.participation.metrics import CATEGORY_LABELS
from mangnon.participation.models import Topic, VoiceStatus
from mangnon.participation.selectors import VOICE_TYPE
from mangnon.participation.tests.factories import ChildVoiceFactory

pytestmark = pytest.mark.django_db

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


def _ids(response):
    return {int(pk) for pk in re.findall(r'data-voice-id="(\d+)"', response.content.decode())}


@pytest.fixture
def sample(units):
    """Commune A: two voices raised in 2025 (one on play resolved in 2025), one raised in 2024 and
    resolved in 2025, one raised in 2025 and resolved in 2026; commune B: one raised in 2025."""
    play = ChildVoiceFactory(
        admin_unit=units.commune_a,
        raised_on=date(2025, 2, 1),
        status=VoiceStatus.RESOLVED,
        resolved_on=date(2025, 5, 1),
    )
    school = ChildVoiceFactory(admin_unit=units.commune_a, raised_on=date(2025, 3, 1), topic=Topic.EDUCATION)
    old = ChildVoiceFactory(
        admin_unit=units.commune_a,
        raised_on=date(2024, 11, 1),
        status=VoiceStatus.RESOLVED,
        resolved_on=date(2025, 1, 15),
    )
    late = ChildVoiceFactory(
        admin_unit=units.commune_a,
        raised_on=date(2025, 12, 1),
        status=VoiceStatus.RESOLVED,
        resolved_on=date(2026, 1, 5),
    )
    in_b = ChildVoiceFactory(admin_unit=units.commune_b, raised_on=date(2025, 6, 1))
    return {
        "received": {play.pk, school.pk, late.pk, in_b.pk},
        "resolved": {play.pk, old.pk},
        "play": {play.pk, late.pk, in_b.pk},
        "b": {in_b.pk},
    }


def _url(code, unit, category=None):
    return metrics.get(code).records_url(unit=unit, period=YEAR, category=category)


def _figure(code, viewer, unit, by=()):
    return metrics.get(code).compute(unit=unit, period=YEAR, viewer=viewer, by=by)


def test_links_name_the_unit_step_period_and_topic(units):
    parts = urlsplit(_url("participation.voices_received", units.province, {"topic": "play"}))
    assert parts.path == "/participation/"
    assert parse_qs(parts.query) == {
        "unit": [str(units.province.pk)],
        "step": ["received"],
        "start": ["2025-01-01"],
        "end": ["2025-12-31"],
        "topic": ["play"],
    }
    assert _url("participation.voices_resolved", units.province, {"topic": "play"}) == ""
    assert _url("participation.council_meetings", units.province) == ""


@pytest.mark.parametrize(
    ("code", "category", "expected"),
    [
        ("participation.voices_received", None, "received"),
        ("participation.voices_received", {"topic": "play"}, "play"),
        ("participation.voices_resolved", None, "resolved"),
    ],
)
def test_each_link_lists_exactly_the_voices_counted(
    sample, units, personas, client_for, code, category, expected
):
    officer = personas.province_officer
    figure = _figure(code, officer, units.province, by=tuple(category or ()))
    response = client_for(officer).get(_url(code, units.province, category))
    assert response.status_code == 200
    assert _ids(response) == sample[expected]
    assert (figure.by["topic"]["play"] if category else figure.total) == len(sample[expected])


def test_other_commune_gets_404_for_the_province_and_only_its_own_for_its_commune(
    sample, units, personas, client_for
):
    client = client_for(personas.officer_b)
    assert client.get(_url("participation.voices_received", units.province)).status_code == 404
    assert client.get(_url("participation.voices_received", units.commune_a)).status_code == 404
    assert _ids(client.get(_url("participation.voices_received", units.commune_b))) == sample["b"]


def test_bad_parameters_and_unknown_unit(units, personas, client_for):
    client = client_for(personas.province_officer)
    assert client.get("/participation/?unit=1&step=nope&start=2025-01-01&end=2025-12-31").status_code == 400
    assert (
        client.get("/participation/?unit=999999&step=received&start=2025-01-01&end=2025-12-31").status_code
        == 404
    )


def test_roles_that_do_not_read_voices_and_anonymous(units, personas, client_for, client):
    url = _url("participation.voices_received", units.province)
    assert client_for(personas.hotline).get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_reached_is_audited(sample, units, personas, client_for):
    client_for(personas.province_officer).get(_url("participation.voices_resolved", units.province))
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type=VOICE_TYPE).get()
    assert set(event.changes["shown"]) == sample["resolved"]
    assert event.changes["counted"]["unit"] == units.province.code
    assert event.changes["counted"]["step"] == "resolved"


def test_category_labels_cover_every_code():
    assert set(CATEGORY_LABELS["topic"]) == set(Topic.values)
