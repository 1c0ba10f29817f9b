"""Drill-down from the support figures: the payment figures link to the payment list filtered to exactly
the payments counted (unit in either geography, period, programme), within the reader's scope, audited;
the other support figures have no list; the labels of every fixed category for the dashboard."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.support.codes import CareKind, GiftOccasion, ProgrammeKind
from mangnon.support.metrics import CATEGORY_LABELS
from mangnon.support.selectors import DISBURSEMENT_TYPE
from mangnon.support.tests.factories import DisbursementFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


def _ids(response):
    return {int(pk) for pk in re.findall(r'data-disbursement-id="(\d+)"', response.content.decode())}


@pytest.fixture
def sample(units):
    """2025: two payments in commune A (two programmes), one in commune B; one in A in 2024."""
    study, care = ProgrammeFactory(code="HT"), ProgrammeFactory(code="CS", kind=ProgrammeKind.HEALTH_CARE)
    a1 = DisbursementFactory(admin_unit=units.commune_a, programme=study, paid_on=date(2025, 2, 1))
    a2 = DisbursementFactory(admin_unit=units.commune_a, programme=care, paid_on=date(2025, 12, 31))
    b1 = DisbursementFactory(admin_unit=units.commune_b, programme=study, paid_on=date(2025, 6, 1))
    DisbursementFactory(admin_unit=units.commune_a, programme=study, paid_on=date(2024, 12, 31))
    return {"all": {a1.pk, a2.pk, b1.pk}, "study": {a1.pk, b1.pk}, "b": {b1.pk}}


def _url(code, unit, category=None):
    return metrics.get(code).records_url(unit=unit, period=YEAR, category=category)


def test_links_name_the_unit_period_and_programme(units):
    parts = urlsplit(_url("support.disbursements", units.province, {"programme": "HT"}))
    assert parts.path == "/support/"
    assert parse_qs(parts.query) == {
        "unit": [str(units.province.pk)],
        "start": ["2025-01-01"],
        "end": ["2025-12-31"],
        "programme": ["HT"],
    }
    assert _url("support.disbursements", units.province, {"kind": "study"}) == ""
    for code in ("support.children_supported", "support.gift_children", "support.alternative_care"):
        assert _url(code, units.province) == ""


@pytest.mark.parametrize(("category", "expected"), [(None, "all"), ({"programme": "HT"}, "study")])
def test_the_link_lists_exactly_the_payments_counted(sample, units, personas, client_for, category, expected):
    officer = personas.province_officer
    figure = metrics.get("support.disbursements").compute(
        unit=units.province, period=YEAR, viewer=officer, by=tuple(category or ())
    )
    response = client_for(officer).get(_url("support.disbursements", units.province, category))
    assert response.status_code == 200
    assert _ids(response) == sample[expected]
    assert (figure.by["programme"]["HT"] if category else figure.total) == len(sample[expected])


def test_other_commune_gets_404_for_the_province_and_only_its_own_for_its_commune(
    sample, units, personas, client_for
):
    client = client_for(personas.officer_b)
    assert client.get(_url("support.disbursements", units.province)).status_code == 404
    assert client.get(_url("support.disbursements", units.commune_a)).status_code == 404
    assert _ids(client.get(_url("support.disbursements", units.commune_b))) == sample["b"]


def test_roles_that_do_not_read_support_and_anonymous(units, personas, client_for, client):
    url = _url("support.disbursements", units.province)
    assert client_for(personas.viewer).get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_reached_is_audited(sample, units, personas, client_for):
    client_for(personas.province_officer).get(_url("support.disbursed_amount", units.province))
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type=DISBURSEMENT_TYPE).get()
    assert set(event.changes["shown"]) == sample["all"]
    assert event.changes["filters"]["unit"] == units.province.code


def test_category_labels_cover_every_code():
    assert set(CATEGORY_LABELS["kind"]) == set(ProgrammeKind.values)
    assert set(CATEGORY_LABELS["occasion"]) == set(GiftOccasion.values)
    assert set(CATEGORY_LABELS["care_kind"]) == set(CareKind.values)
