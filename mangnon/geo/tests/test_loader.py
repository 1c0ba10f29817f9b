"""The Quảng Ninh geography the test database is built with, and the whole country (slow)."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from mangnon.geo import loader
from mangnon.geo.models import LAST_PRE_REFORM_DAY, REFORM_DATE, AdminUnit, Level, UnitCrosswalk

pytestmark = pytest.mark.django_db


def _province():
    return AdminUnit.objects.get(code="22", valid_from__isnull=True)


def test_quang_ninh_before_the_reform():
    province = _province()
    old = AdminUnit.objects.filter(path__startswith=province.path, valid_to=LAST_PRE_REFORM_DAY)
    assert old.filter(level=Level.DISTRICT, parent=province).count() == 13
    assert old.filter(level=Level.COMMUNE, parent__parent=province).count() == 171
    assert province.valid_from is None and province.valid_to is None  # its territory did not change


def test_quang_ninh_after_the_reform():
    province = _province()
    new = AdminUnit.objects.filter(parent=province, valid_from=REFORM_DATE, valid_to__isnull=True)
    assert new.count() == 54
    assert Counter(new.values_list("unit_type", flat=True)) == {"xa": 22, "phuong": 30, "dac_khu": 2}
    assert set(new.filter(unit_type="dac_khu").values_list("level", flat=True)) == {Level.SPECIAL_ZONE}


def test_paths_are_materialised_from_the_parent():
    for unit in AdminUnit.objects.select_related("parent"):
        expected = (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"
        assert unit.path == expected


def test_quang_ninh_crosswalk_is_complete_with_one_default_successor_each():
    old_communes = AdminUnit.objects.filter(level=Level.COMMUNE, valid_to=LAST_PRE_REFORM_DAY)
    counts = old_communes.annotate(
        links=Count("successor_links"),
        defaults=Count("successor_links", filter=Q(successor_links__is_default=True)),
    )
    assert counts.count() == 171
    assert all(c.links >= 1 for c in counts)
    assert all(c.defaults == 1 for c in counts)
    # Links only ever go from a pre-reform unit to a current one.
    assert not UnitCrosswalk.objects.exclude(old_unit__valid_to=LAST_PRE_REFORM_DAY).exists()
    assert not UnitCrosswalk.objects.exclude(new_unit__valid_from=REFORM_DATE).exists()
    # And every current unit absorbed at least one pre-reform commune.
    assert not AdminUnit.objects.filter(valid_from=REFORM_DATE, predecessor_links__isnull=True).exists()


def test_reloading_changes_nothing():
    before_units = list(AdminUnit.objects.order_by("pk").values_list())
    before_links = list(UnitCrosswalk.objects.order_by("pk").values_list())
    stats = loader.load(["22"])
    assert (stats.created, stats.updated, stats.crosswalk_created) == (0, 0, 0)
    assert stats.unchanged == len(before_units)
    assert list(AdminUnit.objects.order_by("pk").values_list()) == before_units
    assert list(UnitCrosswalk.objects.order_by("pk").values_list()) == before_links


def test_a_drifted_row_is_repaired():
    unit = AdminUnit.objects.get(code="06688", valid_from=REFORM_DATE)
    AdminUnit.objects.filter(pk=unit.pk).update(name="Phường Sai Tên")
    stats = loader.load(["22"])
    assert stats.updated == 1
    unit.refresh_from_db()
    assert unit.name == "Phường Hạ Long"


def test_unknown_code_is_refused_even_beside_a_known_one():
    count = AdminUnit.objects.count()
    with pytest.raises(ValueError, match="99"):
        loader.load(["22", "99"])
    assert AdminUnit.objects.count() == count


@pytest.mark.slow
def test_load_all_provinces_both_periods_and_complete_crosswalk():
    out = StringIO()
    call_command("geo", "load", "--all", stdout=out)
    assert "Loaded all provinces" in out.getvalue()
    pre = AdminUnit.objects.valid_on(LAST_PRE_REFORM_DAY)
    post = AdminUnit.objects.valid_on(REFORM_DATE)
    old_provinces = set(pre.filter(level=Level.PROVINCE).values_list("pk", flat=True))
    new_provinces = set(post.filter(level=Level.PROVINCE).values_list("pk", flat=True))
    assert len(old_provinces) == 63
    assert len(new_provinces) == 34
    # Every pre-reform province has communes valid to 30/6/2025, under its districts.
    old_communes = pre.filter(level=Level.COMMUNE, valid_to=LAST_PRE_REFORM_DAY)
    assert set(old_communes.values_list("parent__parent", flat=True)) == old_provinces
    # Every current province has communes from 1/7/2025, directly under it.
    new_communes = post.filter(level=Level.COMMUNE, valid_from=REFORM_DATE)
    assert set(new_communes.values_list("parent", flat=True)) == new_provinces
    assert old_communes.count() > 10_000 and new_communes.count() > 3_000
    # Every pre-reform commune in the country maps to a current unit, with exactly one default.
    assert not old_communes.filter(successor_links__isnull=True).exists()
    defaults = Counter(UnitCrosswalk.objects.filter(is_default=True).values_list("old_unit", flat=True))
    assert set(defaults.values()) == {1}
    assert set(old_communes.values_list("pk", flat=True)) <= set(defaults)
    # District-level units without communes (islands) map to a current unit themselves.
    bare = pre.filter(level=Level.DISTRICT).exclude(children__isnull=False)
    assert not bare.filter(successor_links__isnull=True).exists()
