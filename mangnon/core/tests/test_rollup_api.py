"""GET /api/v1/rollups: every app's section of the roll-up that the viewer may read, for a unit of
either geography and a period; the same figures as each app's own roll-up."""

from __future__ import annotations

import json
from datetime import date

import pytest

from mangnon.activities import rollups as activity_rollups
from mangnon.activities.tests.factories import ActivityFactory, TallyFactory
from mangnon.core import rollups
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.support.tests.factories import DisbursementFactory

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}


@pytest.fixture
def records(units):
    for unit in (units.commune_a, units.commune_b):
        TallyFactory(activity=ActivityFactory(admin_unit=unit, start_date=date(2026, 3, 10)), count=25)
        DisbursementFactory(admin_unit=unit, amount=1_500_000, paid_on=date(2026, 3, 2))


def test_the_sections_are_the_apps_own_figures(personas, api_for, units, records):
    assert {"activities", "support"} <= set(rollups.section_names())
    response = api_for(personas.province_officer).get(
        "/api/v1/rollups", {"unit": units.province.code, **PERIOD}
    )
    body = json.loads(response.content)
    assert response.status_code == 200 and (body["from"], body["to"]) == ("2026-01-01", "2026-06-30")
    assert body["sections"]["activities"]["person_times"] == 50
    assert body["sections"]["support"]["disbursed_amount"] == 3_000_000
    own = activity_rollups.rollup(
        viewer=personas.province_officer, unit=units.province, start=date(2026, 1, 1), end=date(2026, 6, 30)
    )
    assert body["sections"]["activities"] == json.loads(json.dumps(own.as_dict()))
    # Figures only, no names and no single payment: like the apps' figures pages, nothing to audit.
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_commune_officer_reads_their_commune_only(personas, api_for, units, records):
    api = api_for(personas.officer_a)
    body = json.loads(api.get("/api/v1/rollups", {"unit": units.commune_a.code, **PERIOD}).content)
    assert body["sections"]["activities"]["person_times"] == 25
    assert body["sections"]["support"]["disbursed_amount"] == 1_500_000
    assert api.get("/api/v1/rollups", {"unit": units.commune_b.code, **PERIOD}).status_code == 403


def test_leadership_reads_the_sections_its_role_covers(personas, api_for, units, records):
    body = json.loads(
        api_for(personas.viewer).get("/api/v1/rollups", {"unit": units.province.code, **PERIOD}).content
    )
    assert body["sections"]["activities"]["person_times"] == 50


def test_bad_input_and_anonymous(personas, api_for, client, units):
    api = api_for(personas.province_officer)
    assert api.get("/api/v1/rollups", {"unit": "99999", **PERIOD}).status_code == 404
    bad = api.get("/api/v1/rollups", {"unit": units.province.code, "from": "2026-07-01", "to": "2026-01-01"})
    assert bad.status_code == 422 and json.loads(bad.content)["error"] == "invalid"
    assert client.get("/api/v1/rollups", {"unit": units.province.code}).status_code == 401
