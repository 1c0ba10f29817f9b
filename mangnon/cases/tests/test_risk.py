"""A case's risk: rated at the initial assessment (Mẫu 02), high when emergency measures apply, and the
highest of the review's three ratings of the remaining risk (Mẫu 06); counted on the supervisor's
dashboard, filterable on the list and the API, shown on the case page."""

from __future__ import annotations

import json

import pytest

from mangnon.cases import services
from mangnon.cases.models import Case
from mangnon.cases.step_forms import risk_after
from mangnon.cases.tests.factories import CaseFactory, ContactChildFactory
from mangnon.cases.tests.steps import advance, step_data
from mangnon.cases.workflow import Rating, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas):
    row = ContactChildFactory(contact__counsellor=personas.hotline, child__person__full_name="Đặng Minh Khôi")
    return services.case_open(actor=personas.officer_a, contact=row.contact).case


def _step(case: Case, officer, to: str, **fields) -> Case:
    data = {**step_data(case, to), **fields}
    services.case_transition(actor=officer, case=case, to=to, version=case.version, data=data)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(
    ("transition", "data", "risk"),
    [
        ("emergency", {"risk": "low"}, Rating.HIGH),  # serious danger is high whatever was ticked
        ("assess", {"risk": "medium"}, Rating.MEDIUM),
        ("assess", {}, ""),
        (
            "review",
            {"harm": "low", "abuser_access": "medium", "obstacles": "low", "child_capacity": "low"},
            "medium",
        ),
        (
            "review",
            {"harm": "low", "abuser_access": "low", "obstacles": "low", "child_capacity": "low"},
            "low",
        ),
        ("approve_plan", {}, None),
    ],
)
def test_the_one_definition(transition, data, risk):
    assert risk_after(transition, data) == risk


def test_the_steps_rate_the_case(personas, case):
    assert case.risk == ""
    assert _step(case, personas.officer_a, Status.ASSESSED, risk="medium").risk == Rating.MEDIUM
    advance(case, Status.REVIEWED, officer=personas.officer_a, chair=personas.chair_a)
    case.refresh_from_db()
    assert case.risk == Rating.LOW  # the review found every remaining risk low


def test_the_emergency_step_is_high(personas, case):
    assert _step(case, personas.officer_a, Status.EMERGENCY).risk == Rating.HIGH


def test_dashboard_counts_open_cases_by_risk(personas, client_for, units, case):
    CaseFactory(admin_unit=units.commune_a, risk=Rating.HIGH)
    CaseFactory(admin_unit=units.commune_b, risk=Rating.HIGH)
    CaseFactory(admin_unit=units.commune_a, risk=Rating.HIGH, status=Status.CLOSED)  # closed: not counted
    html = client_for(personas.province_manager).get("/cases/dashboard/").content.decode()
    assert 'data-risk="high">2<' in html and 'data-risk="unrated">1<' in html and 'data-risk="low">0<' in html
    html = client_for(personas.officer_b).get("/cases/dashboard/").content.decode()
    assert 'data-risk="high">1<' in html and 'data-risk="unrated">0<' in html  # commune B's own only


def test_list_and_api_filter_by_risk(personas, client_for, api_for, units, case):
    high = CaseFactory(admin_unit=units.commune_a, risk=Rating.HIGH)
    CaseFactory(admin_unit=units.commune_b, risk=Rating.HIGH)
    response = client_for(personas.officer_a).get("/cases/all/", {"risk": "high"})
    assert [r["case"].pk for r in response.context["rows"]] == [high.pk]
    response = client_for(personas.officer_a).get("/cases/all/", {"risk": "unrated"})
    assert [r["case"].pk for r in response.context["rows"]] == [case.pk]
    api = api_for(personas.officer_a)
    body = json.loads(api.get("/api/v1/cases", {"risk": "high"}).content)
    assert [c["id"] for c in body["items"]] == [high.pk] and body["items"][0]["risk"] == "high"
    assert api.get("/api/v1/cases", {"risk": "severe"}).status_code == 422
    assert (
        json.loads(api_for(personas.officer_b).get("/api/v1/cases", {"risk": "unrated"}).content)["count"]
        == 0
    )


def test_case_page_shows_the_risk(personas, client_for, case):
    html = client_for(personas.officer_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-risk=""' in html
    assert client_for(personas.officer_b).get(f"/cases/{case.pk}/").status_code == 404
