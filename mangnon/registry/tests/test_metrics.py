"""The registry's figures: each element on a small set, breakdowns that add up where they should, the
same numbers as the counts API, scope, the pre-reform geography, and `mangnon metrics`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import Http404
from django.utils import timezone

from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.registry import selectors
from mangnon.registry.codes import ChildStatus, RiskType, SpecialGroup
from mangnon.registry.models import Child
from mangnon.registry.tests.factories import ChildFactory, RiskFlagFactory, SpecialCircumstanceFactory

pytestmark = pytest.mark.django_db

CODES = ("registry.children", "registry.special_circumstances", "registry.at_risk", "registry.assisted")


def _registered(child, when):
    Child.objects.filter(pk=child.pk).update(created_at=when)


def _today():
    return Period.day(timezone.localdate())


@pytest.fixture
def children(units):
    """In commune A: a boy in groups a and d at risk of neglect, a girl in group đ (sensitive) at risk
    of family violence, a child whose sex was not recorded, a 16-year-old and a merged record (neither
    counted); one child in commune B."""
    boy = ChildFactory(person__sex="M", person__date_of_birth=date(2015, 1, 1))
    girl = ChildFactory(person__sex="F", person__date_of_birth=date(2016, 1, 1))
    ChildFactory(person__sex="", person__date_of_birth=date(2014, 1, 1))
    ChildFactory(person__date_of_birth=date(2000, 1, 1))
    ChildFactory(status=ChildStatus.MERGED)
    ChildFactory(admin_unit=units.commune_b)
    SpecialCircumstanceFactory(child=boy, group=SpecialGroup.A)
    SpecialCircumstanceFactory(child=boy, group=SpecialGroup.D)
    SpecialCircumstanceFactory(child=girl, group=SpecialGroup.DD)
    SpecialCircumstanceFactory(child=girl, group=SpecialGroup.B, end_date=date(2024, 6, 1))
    RiskFlagFactory(child=boy, risk_type=RiskType.NEGLECT)
    RiskFlagFactory(child=girl, risk_type=RiskType.FAMILY_VIOLENCE)
    return boy, girl


def _figure(code, viewer, unit, period=None, by=()):
    return metrics.get(code).compute(unit=unit, period=period or _today(), viewer=viewer, by=by)


def test_children_by_sex(children, units, personas):
    figure = _figure("registry.children", personas.viewer, units.commune_a, by=["sex"])
    assert figure.total == 3
    assert figure.by == {"sex": {"M": 1, "F": 1, "unknown": 1}}


def test_special_circumstances_by_group_and_sex(children, units, personas):
    figure = _figure("registry.special_circumstances", personas.viewer, units.commune_a, by=["group", "sex"])
    assert figure.total == 2
    assert list(figure.by["group"]) == SpecialGroup.values  # a..o with đ, every group listed
    assert figure.by["group"]["a"] == figure.by["group"]["d"] == figure.by["group"]["đ"] == 1
    assert figure.by["group"]["b"] == 0  # ended before the day
    assert sum(figure.by["group"].values()) == 3  # groups overlap: the boy is in two
    assert figure.by["sex"] == {"M": 1, "F": 1, "unknown": 0}
    assert sum(figure.by["sex"].values()) == figure.total


def test_at_risk_by_risk_and_sex(children, units, personas):
    figure = _figure("registry.at_risk", personas.viewer, units.commune_a, by=["risk", "sex"])
    assert figure.total == 2
    assert list(figure.by["risk"]) == RiskType.values
    assert figure.by["risk"]["neglect"] == figure.by["risk"]["family_violence"] == 1
    assert sum(figure.by["risk"].values()) == 2
    assert sum(figure.by["sex"].values()) == figure.total


def test_assisted_comes_from_the_support_hook(children, units, personas, monkeypatch):
    assert _figure("registry.assisted", personas.viewer, units.commune_a).total == 0  # nobody paid
    # Another hook for this test only: monkeypatch puts the support app's back afterwards.
    monkeypatch.setattr(selectors, "_assisted_counter", lambda counted, day: counted.count() - 1)
    assert _figure("registry.assisted", personas.viewer, units.commune_a).total == 2


def test_the_four_totals_counted_together_equal_each_figure_alone(children, units, personas):
    for viewer, unit in ((personas.viewer, units.commune_a), (personas.province_officer, units.province)):
        together = metrics.totals(CODES, unit=unit, period=_today(), viewer=viewer)
        assert set(together) == set(CODES)
        for code in CODES:
            assert together[code].total == _figure(code, viewer, unit).total, code


def test_counting_together_leaves_a_refused_viewer_to_each_figure(children, units, personas):
    assert metrics.totals(CODES, unit=units.commune_a, period=_today(), viewer=personas.hotline) == {}
    assert metrics.totals(CODES, unit=units.commune_a, period=_today(), viewer=personas.officer_b) == {}
    assert metrics.totals(CODES[:1], unit=units.commune_a, period=_today(), viewer=personas.viewer) == {}


def test_the_figures_agree_with_the_counts_api(children, units, personas):
    counts = selectors.child_counts(viewer=personas.province_manager, unit=units.province)
    special = _figure(
        "registry.special_circumstances", personas.province_manager, units.province, by=["group"]
    )
    assert _figure("registry.children", personas.province_manager, units.province).total == counts.children
    assert special.total == counts.special and special.by["group"] == counts.by_group
    assert _figure("registry.at_risk", personas.province_manager, units.province).total == counts.at_risk


def test_figures_are_judged_on_the_last_day_of_the_period(units, personas):
    child = ChildFactory(person__date_of_birth=date(2015, 1, 1))
    _registered(child, datetime(2024, 1, 1, tzinfo=UTC))
    SpecialCircumstanceFactory(child=child, group=SpecialGroup.A, end_date=date(2024, 6, 1))
    first_half = Period(date(2024, 1, 1), date(2024, 5, 31))
    year = Period(date(2024, 1, 1), date(2024, 12, 31))
    assert (
        _figure("registry.special_circumstances", personas.officer_a, units.commune_a, first_half).total == 1
    )
    assert _figure("registry.special_circumstances", personas.officer_a, units.commune_a, year).total == 0
    before_registration = Period.day(date(2023, 12, 31))
    assert _figure("registry.children", personas.officer_a, units.commune_a, before_registration).total == 0


def test_scope(children, units, personas):
    for code in CODES:
        assert _figure(code, personas.officer_a, units.commune_a).total >= 0
        assert _figure(code, personas.chair_a, units.commune_a).total >= 0
        with pytest.raises(Http404):
            _figure(code, personas.officer_b, units.commune_a)
        with pytest.raises(Http404):
            _figure(code, personas.officer_a, units.province)
        with pytest.raises(PermissionDenied):
            _figure(code, personas.hotline, units.commune_a)
        with pytest.raises(PermissionDenied):
            _figure(code, None, units.commune_a)


def test_the_pre_reform_geography_through_the_crosswalk(units, personas):
    historic = ChildFactory(
        admin_unit=units.legacy_a, person__sex="F", person__date_of_birth=date(2014, 1, 1)
    )
    current = ChildFactory(person__sex="M", person__date_of_birth=date(2014, 1, 1))
    _registered(historic, datetime(2025, 1, 1, tzinfo=UTC))
    _registered(current, datetime(2025, 1, 1, tzinfo=UTC))
    before_reform = Period.day(date(2025, 6, 1))
    old_commune = _figure(
        "registry.children", personas.province_manager, units.legacy_a, before_reform, ["sex"]
    )
    assert old_commune.total == 1 and old_commune.by["sex"]["F"] == 1
    old_district = _figure("registry.children", personas.province_manager, units.district_a, before_reform)
    assert old_district.total >= 1
    # The historic record of an old commune that went into A counts in A, and A's officer reads both.
    assert _figure("registry.children", personas.officer_a, units.commune_a).total == 2
    assert _figure("registry.children", personas.officer_a, units.legacy_a, before_reform).total == 1
    with pytest.raises(Http404):
        _figure("registry.children", personas.officer_b, units.legacy_a, before_reform)


def _run(*args):
    out = StringIO()
    call_command("metrics", *args, stdout=out)
    return out.getvalue()


def test_command_lists_the_figures():
    out = _run("list")
    for code in CODES:
        assert code in out
    assert "Children in special circumstances" in out and "group, sex" in out


def test_command_shows_a_figure_as_a_user(children, units, personas):
    today = timezone.localdate().isoformat()
    out = _run(
        "show", "registry.special_circumstances", "--unit", "06688", "--on", today, "--by", "group",
        "--by", "sex", "--user", personas.viewer.username,
    )  # fmt: skip
    lines = out.splitlines()
    assert lines[0] == "registry.special_circumstances: Children in special circumstances"
    assert lines[1] == f"{units.commune_a.name} (06688) on {today}, as p-viewer: 2"
    assert "by group:" in lines and "by sex:" in lines
    assert "  đ                  1" in lines and "  F                  1" in lines


def test_command_refuses_what_the_user_may_not_read(children, personas):
    show = ("show", "registry.children", "--unit", "06688")
    with pytest.raises(CommandError, match="outside"):
        _run(*show, "--user", personas.officer_b.username)
    with pytest.raises(CommandError, match="may not read"):
        _run(*show, "--user", personas.hotline.username)
    with pytest.raises(CommandError, match="No user"):
        _run(*show, "--user", "nobody")
    with pytest.raises(CommandError, match="not disaggregated by group"):
        _run(*show, "--by", "group", "--user", personas.viewer.username)
    with pytest.raises(CommandError, match="No figure"):
        _run("show", "registry.nothing", "--unit", "06688", "--user", personas.viewer.username)
    with pytest.raises(CommandError, match="No unit"):
        _run("show", "registry.children", "--unit", "99999", "--user", personas.viewer.username)
    with pytest.raises(CommandError, match="not a date"):
        _run(*show, "--on", "yesterday", "--user", personas.viewer.username)
