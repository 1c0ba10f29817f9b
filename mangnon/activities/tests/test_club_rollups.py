"""The clubs roll-up: clubs active in the period, sub-units with such a club, members (persons) by kind
and role while their membership overlaps the period, club meetings, care models; scope (a commune
officer sees their commune, the province all, 404 outside); constant queries; registered as "clubs"."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.activities import club_rollups
from mangnon.activities.tests.factories import (
    ActivityFactory,
    CareModelFactory,
    ClubFactory,
    ClubMemberFactory,
)
from mangnon.core import rollups as core_rollups

pytestmark = pytest.mark.django_db

Y2020 = (date(2020, 1, 1), date(2020, 12, 31))


def _roll(viewer, unit, period=Y2020):
    return club_rollups.rollup(viewer=viewer, unit=unit, start=period[0], end=period[1])


def test_a_club_counts_when_active_on_one_day_of_the_period(personas, units):
    a = units.commune_a
    ClubFactory(admin_unit=a, founded_on=date(2019, 1, 1))  # open: counts
    ClubFactory(admin_unit=a, founded_on=date(2020, 12, 31))  # founded on the last day: counts
    ClubFactory(
        admin_unit=a, founded_on=date(2018, 1, 1), closed_on=date(2020, 1, 1)
    )  # closed on day one: counts
    ClubFactory(admin_unit=a, founded_on=date(2018, 1, 1), closed_on=date(2019, 12, 31))  # closed before
    ClubFactory(admin_unit=a, founded_on=date(2021, 1, 1))  # founded after
    r = _roll(personas.province_officer, units.province)
    assert r.clubs == 3 and r.clubs_by_kind["core_children"] == 3
    assert r.as_dict()["start"] == "2020-01-01"


def test_sub_units_by_kind(personas, units):
    team = "mang_non_team"
    ClubFactory(admin_unit=units.legacy_a, kind=team, founded_on=date(2019, 9, 1))
    ClubFactory(admin_unit=units.legacy_a, kind=team, founded_on=date(2019, 9, 1))
    ClubFactory(admin_unit=units.legacy_b, kind=team, founded_on=date(2019, 9, 1))
    ClubFactory(admin_unit=units.legacy_b, kind="parents", founded_on=date(2019, 9, 1))
    r = _roll(personas.province_officer, units.province)
    assert r.clubs_by_kind[team] == 3 and r.clubs_by_kind["parents"] == 1
    # legacy_a and legacy_b lie in two pre-reform districts: two district-level units have a team
    assert units.legacy_b.parent != units.district_a
    assert r.sub_units_by_kind[team] == 2 and r.sub_units_by_kind["parents"] == 1
    d = _roll(personas.province_officer, units.district_a)
    assert d.clubs_by_kind[team] == 2 and d.sub_units_by_kind[team] == 1  # one commune of the district


def test_either_geography(personas, units):
    """A club at a pre-reform commune counts for the current commune it went into, and the reverse."""
    old = ClubFactory(admin_unit=units.legacy_a, founded_on=date(2019, 9, 1))
    ClubFactory(admin_unit=units.commune_a, founded_on=date(2026, 1, 5))
    r = _roll(personas.officer_a, units.commune_a, (date(2019, 1, 1), date(2026, 6, 30)))
    assert r.clubs == 2
    assert _roll(personas.province_officer, units.legacy_a).clubs == 1 and old.pk


def test_members_by_kind_and_role_overlap_the_period(personas, units):
    club = ClubFactory(admin_unit=units.commune_a, founded_on=date(2019, 1, 1))
    team = ClubFactory(admin_unit=units.commune_a, kind="mang_non_team", founded_on=date(2019, 1, 1))
    gone = ClubFactory(admin_unit=units.commune_a, founded_on=date(2018, 1, 1), closed_on=date(2019, 6, 30))
    ClubMemberFactory(club=club, joined_on=date(2019, 3, 1))
    ClubMemberFactory(club=club, joined_on=date(2019, 3, 1), left_on=date(2020, 2, 1))  # overlaps
    ClubMemberFactory(club=club, joined_on=date(2019, 3, 1), left_on=date(2019, 12, 31))  # left before
    ClubMemberFactory(club=club, joined_on=date(2021, 3, 1))  # joined after
    ClubMemberFactory(club=club, role="adult", joined_on=date(2020, 5, 1))
    ClubMemberFactory(club=team, joined_on=date(2020, 9, 1))
    ClubMemberFactory(club=gone, joined_on=date(2018, 3, 1))  # its club was closed before the period
    r = _roll(personas.officer_a, units.commune_a)
    assert r.members == 4
    assert r.members_by_kind["core_children"] == 3 and r.members_by_kind["mang_non_team"] == 1
    assert r.members_by_role == {"child": 3, "adult": 1}


def test_meetings_and_care_models(personas, units):
    club = ClubFactory(admin_unit=units.commune_a, founded_on=date(2019, 1, 1))
    ActivityFactory(admin_unit=units.commune_a, kind="club_meeting", club=club, start_date=date(2020, 4, 1))
    ActivityFactory(admin_unit=units.commune_a, kind="club_meeting", club=club, start_date=date(2020, 10, 1))
    ActivityFactory(admin_unit=units.commune_a, kind="club_meeting", club=club, start_date=date(2021, 1, 1))
    ActivityFactory(admin_unit=units.commune_a, kind="club_meeting", start_date=date(2020, 4, 1))  # no club
    ActivityFactory(admin_unit=units.commune_a, kind="session", start_date=date(2020, 4, 1))
    CareModelFactory(admin_unit=units.commune_a, kind="foster_care", start_date=date(2018, 1, 1))
    CareModelFactory(
        admin_unit=units.commune_a, kind="deaf_class", start_date=date(2020, 6, 1), end_date=date(2020, 8, 1)
    )
    CareModelFactory(
        admin_unit=units.commune_a, kind="vocational", start_date=date(2017, 1, 1), end_date=date(2019, 1, 1)
    )
    r = _roll(personas.officer_a, units.commune_a)
    assert r.club_meetings == 2
    assert r.care_models == 2
    assert r.care_models_by_kind["foster_care"] == 1 and r.care_models_by_kind["deaf_class"] == 1
    assert r.care_models_by_kind["vocational"] == 0


def test_scope(personas, units):
    ClubFactory(admin_unit=units.commune_a, founded_on=date(2019, 1, 1))
    ClubFactory(admin_unit=units.commune_b, founded_on=date(2019, 1, 1))
    CareModelFactory(admin_unit=units.commune_b)
    assert _roll(personas.officer_a, units.commune_a).clubs == 1
    assert _roll(personas.officer_b, units.commune_b).care_models == 1
    assert _roll(personas.province_officer, units.province).clubs == 2
    assert _roll(personas.viewer, units.commune_b).clubs == 1
    for unit in (units.commune_b, units.province):
        with pytest.raises(Http404):
            _roll(personas.officer_a, unit)
    with pytest.raises(PermissionDenied):
        _roll(personas.hotline, units.province)
    with pytest.raises(ValueError):
        _roll(personas.officer_a, units.commune_a, (date(2021, 1, 1), date(2020, 1, 1)))


def test_constant_queries_and_the_registered_section(personas, units, django_assert_max_num_queries):
    for unit in (units.commune_a, units.commune_b, units.legacy_a):
        for kind in ("core_children", "parents", "mang_non_team"):
            club = ClubFactory(admin_unit=unit, kind=kind, founded_on=date(2019, 1, 1))
            ClubMemberFactory(club=club, joined_on=date(2019, 2, 1))
    _roll(personas.province_officer, units.province)
    with django_assert_max_num_queries(12):
        r = _roll(personas.province_officer, units.province)
    assert r.clubs == 9 and r.members == 9
    found = core_rollups.rollup(viewer=personas.officer_a, unit=units.commune_a, start=Y2020[0], end=Y2020[1])
    assert found["clubs"]["clubs"] == 6 and found["clubs"]["unit"] == units.commune_a.code
