"""Drill-down from the case figures: each link opens the incident register (or its list of abused
children) filtered to exactly the records the figure counts, within the reader's scope, audited."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from mangnon.cases import incident_selectors as selectors
from mangnon.cases.metrics import CATEGORY_LABELS
from mangnon.cases.tests.factories_incidents import IncidentChildFactory, IncidentFactory
from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


def _ids(response, attribute):
    return {int(pk) for pk in re.findall(rf'{attribute}="(\d+)"', response.content.decode())}


@pytest.fixture
def sample(units):
    """2025: two incidents in commune A (one child in both), one in commune B; 2024: one in A (not
    counted). Ages on the incident day: 4, 7 (then 8), 12, unknown; B's child 16."""
    first = IncidentFactory(admin_unit=units.commune_a, occurred_on=date(2025, 3, 1), forms=["sexual"])
    second = IncidentFactory(
        admin_unit=units.commune_a, occurred_on=date(2025, 9, 1), forms=["physical"], setting="school"
    )
    in_b = IncidentFactory(admin_unit=units.commune_b, occurred_on=date(2025, 5, 1), forms=["sexual"])
    earlier = IncidentFactory(admin_unit=units.commune_a, occurred_on=date(2024, 6, 1))
    twice = IncidentChildFactory(
        incident=first, child__person__sex="F", child__person__date_of_birth=date(2017, 6, 1)
    ).child
    IncidentChildFactory(incident=second, child=twice)
    young = IncidentChildFactory(
        incident=first, child__person__sex="M", child__person__date_of_birth=date(2020, 5, 1)
    ).child
    older = IncidentChildFactory(
        incident=second,
        child__person__sex="F",
        child__person__date_of_birth=None,
        child__person__birth_year=2013,
    ).child
    unknown = IncidentChildFactory(
        incident=second,
        child__person__sex="",
        child__person__date_of_birth=None,
        child__person__birth_year=None,
    ).child
    b_child = IncidentChildFactory(
        incident=in_b, child__person__sex="F", child__person__date_of_birth=date(2009, 1, 1)
    ).child
    IncidentChildFactory(incident=earlier)
    return {
        "incidents": {first.pk, second.pk, in_b.pk},
        "b_incidents": {in_b.pk},
        "children": {twice.pk, young.pk, older.pk, unknown.pk, b_child.pk},
        "ages": {
            twice.pk: "6_10",
            young.pk: "0_5",
            older.pk: "11_15",
            unknown.pk: "unknown",
            b_child.pk: "16_17",
        },
        "girls": {twice.pk, older.pk, b_child.pk},
        "sexual": {twice.pk, young.pk, b_child.pk},
        "school": {twice.pk, older.pk, unknown.pk},
        "b_children": {b_child.pk},
    }


def _url(code, unit, category=None):
    return metrics.get(code).records_url(unit=unit, period=YEAR, category=category)


def _figure(code, viewer, unit, by=()):
    return metrics.get(code).compute(unit=unit, period=YEAR, viewer=viewer, by=by)


def test_links_name_the_unit_period_and_category(units):
    url = _url("cases.abused_children", units.province, {"age_group": "6_10"})
    parts = urlsplit(url)
    assert parts.path == "/cases/incidents/"
    assert parse_qs(parts.query) == {
        "unit": [str(units.province.pk)],
        "start": ["2025-01-01"],
        "end": ["2025-12-31"],
        "show": ["children"],
        "age_group": ["6_10"],
    }
    # A dimension the register cannot filter by has no list.
    assert _url("cases.incidents", units.province, {"relationship": "parent"}) == ""
    assert metrics.get("cases.perpetrators").records_url(unit=units.province, period=YEAR) == ""


def test_incident_link_lists_exactly_the_incidents_counted(sample, units, personas, client_for):
    client = client_for(personas.province_officer)
    figure = _figure("cases.incidents", personas.province_officer, units.province, by=("form",))
    response = client.get(_url("cases.incidents", units.province))
    assert response.status_code == 200
    assert _ids(response, "data-incident-id") == sample["incidents"]
    assert figure.total == len(sample["incidents"]) == 3
    sexual = client.get(_url("cases.incidents", units.province, {"form": "sexual"}))
    assert len(_ids(sexual, "data-incident-id")) == figure.by["form"]["sexual"] == 2


def test_abused_children_link_lists_exactly_the_children_counted(sample, units, personas, client_for):
    client = client_for(personas.province_officer)
    response = client.get(_url("cases.abused_children", units.province))
    assert response.status_code == 200
    assert _ids(response, "data-child-id") == sample["children"]
    assert _figure("cases.abused_children", personas.province_officer, units.province).total == 5


@pytest.mark.parametrize(
    ("dimension", "code", "expected"),
    [
        ("sex", "F", "girls"),
        ("form", "sexual", "sexual"),
        ("setting", "school", "school"),
        ("age_group", "6_10", None),
        ("age_group", "unknown", None),
    ],
)
def test_each_category_lists_its_count(sample, units, personas, client_for, dimension, code, expected):
    client = client_for(personas.province_officer)
    wanted = sample[expected] if expected else {pk for pk, age in sample["ages"].items() if age == code}
    figure = _figure("cases.abused_children", personas.province_officer, units.province, by=(dimension,))
    response = client.get(_url("cases.abused_children", units.province, {dimension: code}))
    assert _ids(response, "data-child-id") == wanted
    assert figure.by[dimension][code] == len(wanted)


def test_age_groups_add_up_to_the_children(sample, units, personas):
    figure = _figure("cases.abused_children", personas.province_officer, units.province, by=("age_group",))
    assert figure.by["age_group"] == {"0_5": 1, "6_10": 1, "11_15": 1, "16_17": 1, "unknown": 1}
    assert sum(figure.by["age_group"].values()) == figure.total


def test_age_group_bounds():
    assert [selectors.age_group(a) for a in (None, -1, 0, 5, 6, 10, 11, 15, 16, 17, 18)] == [
        "unknown",
        "unknown",
        "0_5",
        "0_5",
        "6_10",
        "6_10",
        "11_15",
        "11_15",
        "16_17",
        "16_17",
        "unknown",
    ]


def test_other_commune_gets_404_for_the_province_and_only_its_own_for_its_commune(
    sample, units, personas, client_for
):
    client = client_for(personas.officer_b)
    assert client.get(_url("cases.incidents", units.province)).status_code == 404
    assert client.get(_url("cases.abused_children", units.province)).status_code == 404
    assert client.get(_url("cases.abused_children", units.commune_a)).status_code == 404
    own = client.get(_url("cases.incidents", units.commune_b))
    assert _ids(own, "data-incident-id") == sample["b_incidents"]
    children = client.get(_url("cases.abused_children", units.commune_b))
    assert _ids(children, "data-child-id") == sample["b_children"]


def test_roles_without_case_view_and_anonymous(units, personas, client_for, client):
    url = _url("cases.abused_children", units.province)
    assert client_for(personas.viewer).get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_of_abused_children_is_audited(sample, units, personas, client_for):
    client_for(personas.province_officer).get(_url("cases.abused_children", units.province, {"sex": "F"}))
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type=selectors.VICTIM_TYPE).get()
    assert event.object_id == "list" and event.actor_username == "p-province"
    assert set(event.changes["shown"]) == sample["girls"]
    assert event.changes["filters"]["sex"] == "F" and event.changes["filters"]["unit"] == units.province.code


def test_the_incident_list_reached_is_audited(sample, units, personas, client_for):
    client_for(personas.province_officer).get(_url("cases.incidents", units.province))
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type=selectors.INCIDENT_TYPE).get()
    assert set(event.changes["shown"]) == sample["incidents"]


def test_category_labels_cover_every_code():
    element = metrics.get("cases.abused_children")
    assert set(element.disaggregations) <= set(CATEGORY_LABELS)
    assert set(CATEGORY_LABELS["age_group"]) == set(selectors.AGE_GROUPS)
    assert "sexual" in CATEGORY_LABELS["form"] and "unknown" in CATEGORY_LABELS["sex"]
