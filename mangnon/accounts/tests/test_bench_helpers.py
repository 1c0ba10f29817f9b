from datetime import date

import pytest

from mangnon.accounts import bench
from mangnon.accounts.access import scope_for
from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Action, Role


@pytest.mark.django_db
def test_standing_user_is_made_once_with_its_one_membership(units):
    first = bench.standing_user("bench-x", Role.COMMUNE_OFFICER, units.commune_a, date(2020, 1, 1))
    again = bench.standing_user("bench-x", Role.COMMUNE_OFFICER, units.commune_a, date(2020, 1, 1))
    assert first.pk == again.pk
    assert User.objects.filter(username="bench-x").count() == 1
    membership = Membership.objects.get(user=first)
    assert (membership.role, membership.admin_unit, membership.valid_from) == (
        Role.COMMUNE_OFFICER,
        units.commune_a,
        date(2020, 1, 1),
    )
    assert not first.has_usable_password()


@pytest.mark.django_db
def test_viewer_fresh_resolves_the_scope_again(units):
    user = bench.standing_user("bench-y", Role.COMMUNE_OFFICER, units.commune_a, date(2020, 1, 1))
    viewer = bench.Viewer(user)
    assert scope_for(viewer.fresh(), Action.CHILD_VIEW).contains(units.commune_a)
    Membership.objects.filter(user=user).update(admin_unit=units.commune_b)
    assert scope_for(viewer.user, Action.CHILD_VIEW).contains(units.commune_a)  # cached on the user
    scope = scope_for(viewer.fresh(), Action.CHILD_VIEW)
    assert scope.contains(units.commune_b)
    assert not scope.contains(units.commune_a)


@pytest.mark.django_db
def test_bench_province_is_the_current_province(units):
    assert bench.bench_province(units.province.code) == units.province
