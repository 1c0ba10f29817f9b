"""Drill-down from the registry's figures: each link opens the child list filtered to exactly the
children the figure counts (on the period's last day, in the unit's geography), within the reader's
scope, and the page read is audited like every child list."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.codes import ChildStatus, RiskType, SpecialGroup
from mangnon.registry.metrics import CATEGORY_LABELS
from mangnon.registry.models import Child
from mangnon.registry.tests.factories import ChildFactory, RiskFlagFactory, SpecialCircumstanceFactory

pytestmark = pytest.mark.django_db

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
REGISTERED = datetime(2024, 3, 1, tzinfo=UTC)


def _ids(response):
    return {int(pk) for pk in re.findall(r'data-child-id="(\d+)"', response.content.decode())}


@pytest.fixture
def sample(units):
    """Registered in 2024: in commune A a boy (groups a and d, at risk of neglect), a girl (group b),
    a child without a recorded sex, a child who died in 2026 (still counted for 2025), a 17-year-old
    and a merged record (neither counted); one child in commune B (group a). One child of A registered
    only in 2026 (not counted for 2025)."""
    boy = ChildFactory(person__sex="M", person__date_of_birth=date(2015, 1, 1))
    girl = ChildFactory(person__sex="F", person__date_of_birth=date(2016, 1, 1))
    unknown = ChildFactory(person__sex="", person__date_of_birth=date(2014, 1, 1))
    deceased = ChildFactory(
        person__sex="F", person__date_of_birth=date(2012, 1, 1), status=ChildStatus.DECEASED
    )
    ChildFactory(person__date_of_birth=date(2008, 1, 1))
    ChildFactory(status=ChildStatus.MERGED)
    in_b = ChildFactory(admin_unit=units.commune_b, person__sex="M")
    SpecialCircumstanceFactory(child=boy, group=SpecialGroup.A)
    SpecialCircumstanceFactory(child=boy, group=SpecialGroup.D)
    SpecialCircumstanceFactory(child=girl, group=SpecialGroup.B)
    SpecialCircumstanceFactory(child=in_b, group=SpecialGroup.A)
    SpecialCircumstanceFactory(child=unknown, group=SpecialGroup.C, end_date=date(2024, 12, 31))
    RiskFlagFactory(child=boy, risk_type=RiskType.NEGLECT)
    RiskFlagFactory(child=in_b, risk_type=RiskType.FAMILY_VIOLENCE)
    Child.objects.update(created_at=REGISTERED)
    ChildFactory()  # registered now, after the period
    return {
        "children": {boy.pk, girl.pk, unknown.pk, deceased.pk, in_b.pk},
        "special": {boy.pk, girl.pk, in_b.pk},
        "at_risk": {boy.pk, in_b.pk},
        "girls": {girl.pk, deceased.pk},
        "unknown": {unknown.pk},
        "group_a": {boy.pk, in_b.pk},
        "in_b": {in_b.pk},
    }


def _url(code, unit, category=None):
    return metrics.get(code).records_url(unit=unit, period=YEAR, category=category)


def _figure(code, viewer, unit, by=()):
    return metrics.get(code).compute(unit=unit, period=YEAR, viewer=viewer, by=by)


def test_links_name_the_unit_day_set_and_category(units):
    parts = urlsplit(_url("registry.special_circumstances", units.province, {"group": "a"}))
    assert parts.path == "/children/"
    assert parse_qs(parts.query) == {
        "unit": [str(units.province.pk)],
        "counted_on": ["2025-12-31"],
        "counted": ["special"],
        "group": ["a"],
    }
    assert metrics.get("registry.assisted").records_url(unit=units.province, period=YEAR) == ""


@pytest.mark.parametrize(
    ("code", "category", "expected"),
    [
        ("registry.children", None, "children"),
        ("registry.children", {"sex": "F"}, "girls"),
        ("registry.children", {"sex": "unknown"}, "unknown"),
        ("registry.special_circumstances", None, "special"),
        ("registry.special_circumstances", {"group": "a"}, "group_a"),
        ("registry.at_risk", None, "at_risk"),
        ("registry.at_risk", {"risk": "neglect"}, None),
    ],
)
def test_each_link_lists_exactly_the_children_counted(
    sample, units, personas, client_for, code, category, expected
):
    officer = personas.province_officer
    (dimension, value), *_ = (category or {"": ""}).items()
    figure = _figure(code, officer, units.province, by=(dimension,) if dimension else ())
    count = figure.by[dimension][value] if dimension else figure.total
    response = client_for(officer).get(_url(code, units.province, category))
    assert response.status_code == 200
    shown = _ids(response)
    assert len(shown) == count
    if expected:
        assert shown == sample[expected]
    assert f'data-count="total">{count}<' in response.content.decode()


def test_other_commune_gets_404_for_the_province_and_only_its_own_children(
    sample, units, personas, client_for
):
    client = client_for(personas.officer_b)
    assert client.get(_url("registry.children", units.province)).status_code == 404
    assert client.get(_url("registry.children", units.commune_a)).status_code == 404
    assert _ids(client.get(_url("registry.special_circumstances", units.commune_b))) == sample["in_b"]


def test_roles_that_do_not_list_children_and_anonymous(units, personas, client_for, client):
    url = _url("registry.children", units.province)
    assert client_for(personas.viewer).get(url).status_code == 403  # counts, but lists no child
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_reached_is_audited(sample, units, personas, client_for):
    client_for(personas.province_officer).get(_url("registry.at_risk", units.province))
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="registry.child").get()
    assert event.object_id == "list" and set(event.changes["shown"]) == sample["at_risk"]
    assert event.changes["filters"]["counted_unit"] == units.province.code
    assert event.changes["filters"]["counted"] == "at_risk"


def test_the_page_keeps_the_drill_down_when_paging(sample, units, personas, client_for):
    response = client_for(personas.province_officer).get(_url("registry.children", units.province))
    query = parse_qs(response.context["query"])
    assert query["unit"] == [str(units.province.pk)] and query["counted_on"] == ["2025-12-31"]


def test_category_labels_cover_every_code():
    assert set(CATEGORY_LABELS["group"]) == set(SpecialGroup.values)
    assert set(CATEGORY_LABELS["risk"]) == set(RiskType.values)
    assert set(CATEGORY_LABELS["sex"]) == {"M", "F", "unknown"}
