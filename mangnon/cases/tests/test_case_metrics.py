"""The case figures of the metrics registry (cases opened and closed in a period), read by periodic
reports: the days counted in Vietnam's time, the unit's geography, and who may count them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.cases.tests.factories import VN, CaseFactory
from mangnon.cases.workflow import Status
from mangnon.core import metrics
from mangnon.core.metrics import Period

pytestmark = pytest.mark.django_db

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


def _total(code: str, viewer: Any, unit: Any, period: Period = YEAR) -> int:
    return metrics.get(code).compute(unit=unit, period=period, viewer=viewer).total


@pytest.fixture
def sample(units: Any) -> None:
    """Commune A: two cases received in 2025 (one of them closed in 2025), one received on the last
    evening of 2024 in Vietnam (still 2024 there, though 2024-12-31 17:30 UTC), one closed in January
    2026; commune B: one case received and closed in 2025."""
    a, b = units.commune_a, units.commune_b
    CaseFactory(admin_unit=a, received_at=datetime(2025, 3, 6, 9, 0, tzinfo=VN))
    CaseFactory(
        admin_unit=a,
        received_at=datetime(2025, 12, 31, 23, 59, tzinfo=VN),
        status=Status.CLOSED,
        closed_at=datetime(2025, 12, 31, 23, 59, 30, tzinfo=VN),
    )
    CaseFactory(admin_unit=a, received_at=datetime(2025, 1, 1, 0, 30, tzinfo=VN))
    CaseFactory(admin_unit=a, received_at=datetime(2024, 12, 31, 23, 30, tzinfo=VN))
    CaseFactory(
        admin_unit=a,
        received_at=datetime(2024, 11, 1, 8, 0, tzinfo=VN),
        status=Status.CLOSED,
        closed_at=datetime(2026, 1, 1, 0, 5, tzinfo=VN),
    )
    CaseFactory(
        admin_unit=b,
        received_at=datetime(2025, 5, 1, 8, 0, tzinfo=VN),
        status=Status.CLOSED,
        closed_at=datetime(2025, 6, 1, 8, 0, tzinfo=VN),
    )


def test_cases_opened_and_closed_in_the_period(sample: None, units: Any, personas: Any) -> None:
    officer = personas.province_officer
    assert _total("cases.opened", officer, units.province) == 4
    assert _total("cases.closed", officer, units.province) == 2
    assert _total("cases.opened", officer, units.commune_a) == 3
    assert _total("cases.closed", officer, units.commune_a) == 1
    assert _total("cases.opened", officer, units.commune_b) == 1
    first_day = Period(date(2025, 1, 1), date(2025, 1, 1))
    assert _total("cases.opened", officer, units.commune_a, first_day) == 1


def test_a_case_recorded_at_a_pre_reform_commune_counts_for_the_commune_it_went_into(
    units: Any, personas: Any
) -> None:
    CaseFactory(admin_unit=units.legacy_a, received_at=datetime(2025, 4, 1, 8, 0, tzinfo=VN))
    assert _total("cases.opened", personas.province_officer, units.commune_a) == 1
    assert _total("cases.opened", personas.province_officer, units.legacy_a) == 1
    assert _total("cases.opened", personas.province_officer, units.commune_b) == 0


def test_who_may_count_cases(sample: None, units: Any, personas: Any) -> None:
    assert _total("cases.opened", personas.viewer, units.province) == 4  # leadership reads figures
    assert _total("cases.opened", personas.officer_a, units.commune_a) == 3
    with pytest.raises(Http404):
        _total("cases.opened", personas.officer_a, units.province)
    with pytest.raises(Http404):
        _total("cases.closed", personas.officer_b, units.commune_a)
    with pytest.raises(PermissionDenied):
        _total("cases.opened", personas.hotline, units.province)
    with pytest.raises(PermissionDenied):
        _total("cases.closed", personas.collaborator_a, units.commune_a)
