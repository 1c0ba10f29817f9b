"""Registry selectors: scope first, search with or without diacritics, filters, Vietnamese order, no N+1,
facts withheld by role, and counts in either geography."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from mangnon.core.models import AuditEvent
from mangnon.registry import selectors
from mangnon.registry.codes import ChildStatus
from mangnon.registry.models import Child
from mangnon.registry.selectors import ChildFilter, children_for
from mangnon.registry.tests.factories import (
    ChildFactory,
    HouseholdFactory,
    RiskFlagFactory,
    SpecialCircumstanceFactory,
)

pytestmark = pytest.mark.django_db


def names(qs):
    return [c.person.full_name for c in qs]


def test_search_with_or_without_diacritics(units, personas):
    ChildFactory(person__full_name="Nguyễn Văn An")
    ChildFactory(person__full_name="Đặng Thị Ánh")
    ChildFactory(person__full_name="Trần Văn Bình")
    ChildFactory(person__full_name="Nguyễn Thị Hoa")
    for q in ("nguyen van an", "Nguyễn Văn An", "nguyen van", "nguyen an", "Nguyễn  AN"):
        assert names(children_for(personas.officer_a, ChildFilter(q=q))) == ["Nguyễn Văn An"], q
    assert names(children_for(personas.officer_a, ChildFilter(q="dang thi anh"))) == ["Đặng Thị Ánh"]
    assert names(children_for(personas.officer_a, ChildFilter(q="anh"))) == ["Đặng Thị Ánh"]
    assert names(children_for(personas.officer_a, ChildFilter(q="nguyen"))) == [
        "Nguyễn Văn An",
        "Nguyễn Thị Hoa",
    ]
    assert names(children_for(personas.officer_a, ChildFilter(q="nguyen thi an"))) == []


def test_twelve_digits_search_the_id_number(units, personas):
    ChildFactory(person__full_name="Lê Văn Tám", person__id_number="022216001234")
    ChildFactory(person__full_name="Lê Văn Chín")
    assert names(children_for(personas.officer_a, ChildFilter(q="022216001234"))) == ["Lê Văn Tám"]


def test_scope_first(units, personas):
    ChildFactory(person__full_name="Nguyễn Văn An")
    ChildFactory(admin_unit=units.commune_b, person__full_name="Nguyễn Văn An")
    assert children_for(personas.officer_a).count() == 1
    assert children_for(personas.officer_b).count() == 1
    assert children_for(personas.province_officer).count() == 2
    assert children_for(personas.viewer).count() == 0
    assert children_for(personas.system_admin).count() == 0


def test_vietnamese_order_by_ten(units, personas):
    for name in ("Trần Văn Ăn", "Lê Thị Ánh", "Phạm Đức", "Hoàng Văn An", "Nguyễn Văn Dũng", "Vũ Thị Anh"):
        ChildFactory(person__full_name=name)
    assert names(children_for(personas.officer_a)) == [
        "Hoàng Văn An",
        "Vũ Thị Anh",
        "Lê Thị Ánh",
        "Trần Văn Ăn",
        "Nguyễn Văn Dũng",
        "Phạm Đức",
    ]


def test_filters(units, personas):
    day = date(2025, 3, 1)
    a = ChildFactory(person__date_of_birth=date(2015, 6, 1))
    b = ChildFactory(person__date_of_birth=date(2010, 1, 1))
    merged = ChildFactory(status=ChildStatus.MERGED, merged_into=a)
    SpecialCircumstanceFactory(child=a, group="d", start_date=date(2024, 1, 1))
    SpecialCircumstanceFactory(child=b, group="d", start_date=date(2020, 1, 1), end_date=date(2024, 1, 1))
    RiskFlagFactory(child=b, risk_type="neglect", start_date=date(2024, 1, 1))
    household = HouseholdFactory()
    Child.objects.filter(pk=b.pk).update(household=household)
    viewer = personas.officer_a

    def ids(**kw):
        return {c.pk for c in children_for(viewer, ChildFilter(on=day, **kw))}

    assert ids() == {a.pk, b.pk}
    assert ids(status="merged") == {merged.pk}
    assert ids(group="d") == {a.pk}
    assert ids(risk="neglect") == {b.pk}
    assert ids(age_min=12) == {b.pk}
    assert ids(age_max=9) == {a.pk}
    assert ids(age_min=9, age_max=9) == {a.pk}
    assert ids(household=household.pk) == {b.pk}
    assert ids(commune="06688") == {a.pk, b.pk}
    assert ids(commune="06862") == set()
    assert ids(commune="nope") == set()


def test_sensitive_group_filter_shows_nothing_to_collaborators(units, personas):
    child = ChildFactory()
    SpecialCircumstanceFactory(child=child, group="l")
    assert children_for(personas.officer_a, ChildFilter(group="l")).count() == 1
    assert children_for(personas.collaborator_a, ChildFilter(group="l")).count() == 0
    RiskFlagFactory(child=child, risk_type="abuse_risk")
    assert children_for(personas.collaborator_a, ChildFilter(risk="abuse_risk")).count() == 0


def test_list_has_no_n_plus_one(units, personas):
    for _ in range(3):
        ChildFactory()
    children_for(personas.officer_a).exists()  # the viewer's scope is read once and cached
    with CaptureQueriesContext(connection) as few:
        rows = [(c.person.full_name, c.admin_unit.code) for c in children_for(personas.officer_a)]
    for _ in range(10):
        ChildFactory()
    with CaptureQueriesContext(connection) as many:
        more = [(c.person.full_name, c.admin_unit.code) for c in children_for(personas.officer_a)]
    assert len(rows) == 3 and len(more) == 13
    assert len(many) == len(few) == 1


def test_child_facts_withhold_and_audit_sensitive(units, personas):
    child = ChildFactory()
    SpecialCircumstanceFactory(child=child, group="đ")
    RiskFlagFactory(child=child, risk_type="parents_prison")
    RiskFlagFactory(child=child, risk_type="neglect")
    facts = selectors.child_facts(viewer=personas.hotline, child=child)
    assert (
        facts.circumstances == []
        and [r.risk_type for r in facts.risk_flags] == ["neglect"]
        and facts.hidden == 2
    )
    facts = selectors.child_facts(viewer=personas.case_manager, child=child)
    assert len(facts.circumstances) == 1 and facts.hidden == 0
    event = AuditEvent.objects.filter(actor_id=personas.case_manager.pk, action="view").get()
    assert sorted(event.changes["sensitive_shown"]) == ["group:đ", "risk:parents_prison"]


def _registered(child, when):
    Child.objects.filter(pk=child.pk).update(created_at=when)


def test_counts_for_a_current_unit(units, personas):
    a = ChildFactory(person__date_of_birth=date(2015, 1, 1))
    b = ChildFactory(person__date_of_birth=date(2016, 1, 1))
    ChildFactory(person__date_of_birth=date(2000, 1, 1))  # 16 or older: not counted
    ChildFactory(admin_unit=units.commune_b)
    SpecialCircumstanceFactory(child=a, group="a")
    SpecialCircumstanceFactory(child=a, group="d")
    SpecialCircumstanceFactory(child=b, group="d", end_date=date(2024, 6, 1))
    RiskFlagFactory(child=b)
    counts = selectors.child_counts(viewer=personas.viewer, unit=units.commune_a)
    assert counts.children == 2 and counts.special == 1 and counts.at_risk == 1 and counts.assisted == 0
    assert counts.by_group["a"] == 1 and counts.by_group["d"] == 1 and counts.by_group["l"] == 0
    province = selectors.child_counts(viewer=personas.province_manager, unit=units.province)
    assert province.children == 3
    with pytest.raises(Http404):
        selectors.child_counts(viewer=personas.officer_b, unit=units.commune_a)
    with pytest.raises(Http404):
        selectors.child_counts(viewer=personas.hotline, unit=units.commune_a)


def test_counts_in_the_pre_reform_geography(units, personas):
    before = datetime(2025, 1, 1, tzinfo=UTC)
    historic = ChildFactory(admin_unit=units.legacy_a, person__date_of_birth=date(2014, 1, 1))
    current = ChildFactory(person__date_of_birth=date(2014, 1, 1))
    _registered(historic, before)
    _registered(current, before)
    day = date(2025, 6, 1)
    old_commune = selectors.child_counts(viewer=personas.province_manager, unit=units.legacy_a, on=day)
    assert old_commune.children == 1
    old_district = selectors.child_counts(viewer=personas.province_manager, unit=units.district_a, on=day)
    assert old_district.children >= 1
    now = selectors.child_counts(viewer=personas.officer_a, unit=units.commune_a)
    assert now.children == 2  # the historic record of an old commune that went into A counts in A
    assert (
        selectors.child_counts(viewer=personas.officer_a, unit=units.commune_a, on=date(2024, 6, 1)).children
        == 0
    )


def test_commune_filter_takes_a_unit_and_child_list_takes_keywords(units, personas):
    a = ChildFactory()
    ChildFactory(admin_unit=units.commune_b)
    assert [
        c.pk for c in selectors.child_list(viewer=personas.province_officer, commune=units.commune_a)
    ] == [a.pk]
    selectors.record_list_view(personas.officer_a, [a], filters=ChildFilter(commune=units.commune_a))
    event = AuditEvent.objects.get(object_id="list")
    assert event.changes == {"shown": [a.pk], "filters": {"commune": "06688"}}


def test_assisted_count_comes_from_the_support_hook(units, personas, monkeypatch):
    ChildFactory()
    ChildFactory()
    assert selectors.child_counts(viewer=personas.viewer, unit=units.commune_a).assisted == 0  # nobody paid
    # Another hook for this test only: monkeypatch puts the support app's back afterwards.
    monkeypatch.setattr(selectors, "_assisted_counter", lambda children, day: children.count() - 1)
    assert selectors.child_counts(viewer=personas.viewer, unit=units.commune_a).assisted == 1
