from datetime import date

import pytest

from mangnon.geo import selectors
from mangnon.geo.models import LAST_PRE_REFORM_DAY, REFORM_DATE, AdminUnit, Level

pytestmark = pytest.mark.django_db

BEFORE = date(2020, 6, 1)
AFTER = date(2025, 8, 1)


def test_units_valid_on_a_date_under_a_parent(units):
    before = selectors.units_valid_on(BEFORE, parent=units.province)
    after = selectors.units_valid_on(AFTER, parent=units.province)
    assert before.count() == 13
    assert {u.level for u in before} == {Level.DISTRICT}
    assert after.count() == 54
    assert selectors.units_valid_on(AFTER, parent=units.province, level=Level.SPECIAL_ZONE).count() == 2


def test_units_valid_on_the_reform_boundary(units):
    assert selectors.units_valid_on(LAST_PRE_REFORM_DAY, parent=units.province).count() == 13
    assert selectors.units_valid_on(REFORM_DATE, parent=units.province).count() == 54


def test_units_valid_on_defaults_to_today_and_all_levels(units):
    today = selectors.units_valid_on()
    assert today.count() == 1 + 54
    assert selectors.units_valid_on(BEFORE).count() == 1 + 13 + 171
    assert list(selectors.provinces_on(BEFORE)) == [units.province]


def test_has_children_is_judged_on_the_same_day(units):
    assert selectors.units_valid_on(BEFORE, level=Level.PROVINCE).get().has_children
    districts = selectors.units_valid_on(BEFORE, parent=units.province)
    assert all(d.has_children for d in districts)
    assert not any(u.has_children for u in selectors.units_valid_on(AFTER, parent=units.province))


def test_unit_on_resolves_a_reused_code_by_date(units):
    assert selectors.unit_on("06688") == units.commune_a
    old = selectors.unit_on("06688", LAST_PRE_REFORM_DAY)
    assert old is not None and old != units.commune_a
    assert old.name == "Phường Hồng Hải" and old.is_pre_reform
    assert selectors.unit_on("22", BEFORE) == selectors.unit_on("22", AFTER) == units.province
    assert selectors.unit_on(units.district_a.code, AFTER) is None
    assert selectors.unit_on("00000") is None


def test_descendants(units):
    assert selectors.descendants(units.province).count() == 13 + 171 + 54
    assert selectors.descendants(units.province, on=BEFORE).count() == 13 + 171
    assert selectors.descendants(units.province, on=AFTER).count() == 54
    assert selectors.descendants(units.province, on=BEFORE, level=Level.COMMUNE).count() == 171
    communes = selectors.descendants(units.district_a)
    assert units.legacy_a in communes
    assert units.district_a not in communes
    assert all(c.parent_id == units.district_a.pk for c in communes)
    assert not selectors.descendants(units.commune_a).exists()


def test_ancestors(units):
    assert selectors.ancestors(units.legacy_a) == [units.province, units.district_a]
    assert selectors.ancestors(units.commune_a) == [units.province]
    assert selectors.ancestors(units.province) == []


def test_successors_and_predecessors(units):
    links = list(selectors.successors(units.legacy_a))
    assert units.commune_a in [link.new_unit for link in links]
    assert links[0].is_default
    assert sum(link.is_default for link in links) == 1
    olds = [link.old_unit for link in selectors.predecessors(units.commune_a)]
    assert units.legacy_a in olds
    assert all(o.is_pre_reform for o in olds)
    assert not selectors.successors(units.commune_a).exists()
    assert not selectors.predecessors(units.legacy_a).exists()


def test_bulk_crosswalk_in_one_query(units, django_assert_num_queries):
    old = list(AdminUnit.objects.filter(level=Level.COMMUNE, valid_to=LAST_PRE_REFORM_DAY))
    new = list(AdminUnit.objects.filter(valid_from=REFORM_DATE))
    with django_assert_num_queries(1):
        forward = selectors.successors_by_unit(old)
        names = {link.new_unit.parent.code for links in forward.values() for link in links}
    assert set(forward) == {u.pk for u in old}
    assert names == {"22"}
    with django_assert_num_queries(1):
        backward = selectors.predecessors_by_unit(new)
        districts = {link.old_unit.parent.level for links in backward.values() for link in links}
    assert set(backward) == {u.pk for u in new}
    assert districts == {Level.DISTRICT}
    assert units.legacy_a.pk in {link.old_unit_id for link in backward[units.commune_a.pk]}


def test_listing_with_parents_is_one_query(units, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [
            (u.code, u.parent.code if u.parent else None, u.has_children)
            for u in selectors.units_valid_on(BEFORE)
        ]
    assert len(rows) == 185
    with django_assert_num_queries(1):
        parents = {u.parent.code for u in selectors.descendants(units.province, on=AFTER)}
    assert parents == {"22"}
    with django_assert_num_queries(1):
        selectors.ancestors(units.legacy_a)


def test_day_within(units):
    assert selectors.day_within(units.district_a, AFTER) == LAST_PRE_REFORM_DAY
    assert selectors.day_within(units.district_a, BEFORE) == BEFORE
    assert selectors.day_within(units.commune_a, BEFORE) == REFORM_DATE
    assert selectors.day_within(units.province, BEFORE) == BEFORE
