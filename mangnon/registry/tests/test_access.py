"""Loading one child or household: 404 outside the scope, 403 when visible but the action is not allowed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.accounts.roles import Action
from mangnon.registry.access import can_see_sensitive, get_child_for_user, get_household_for_user
from mangnon.registry.codes import ChildStatus
from mangnon.registry.tests.factories import ChildFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def test_child_in_scope_out_of_scope_and_by_role(units, personas):
    child = ChildFactory()
    for user in (personas.officer_a, personas.chair_a, personas.collaborator_a, personas.province_officer,
                 personas.province_manager, personas.case_manager, personas.hotline):  # fmt: skip
        assert get_child_for_user(user, child.pk) == child
    for user in (personas.officer_b, personas.viewer, personas.system_admin, personas.survey):
        with pytest.raises(Http404):
            get_child_for_user(user, child.pk)
    with pytest.raises(Http404):
        get_child_for_user(personas.officer_a, "x")  # type: ignore[arg-type]
    assert get_child_for_user(personas.officer_a, child.pk, Action.CHILD_EDIT) == child
    for user in (personas.chair_a, personas.collaborator_a, personas.hotline):
        with pytest.raises(PermissionDenied):
            get_child_for_user(user, child.pk, Action.CHILD_EDIT)


def test_a_child_of_a_pre_reform_commune_is_seen_by_its_successor(units, personas):
    child = ChildFactory(admin_unit=units.legacy_a)
    assert get_child_for_user(personas.officer_a, child.pk) == child
    with pytest.raises(Http404):
        get_child_for_user(personas.officer_b, child.pk)


def test_merged_chain_leads_to_the_survivor_and_keeps_its_scope(units, personas):
    survivor = ChildFactory(admin_unit=units.commune_b)
    middle = ChildFactory(admin_unit=units.commune_b, status=ChildStatus.MERGED, merged_into=survivor)
    first = ChildFactory(status=ChildStatus.MERGED, merged_into=middle)
    assert get_child_for_user(personas.officer_b, first.pk) == survivor
    with pytest.raises(Http404):
        get_child_for_user(personas.officer_a, first.pk)


def test_sensitive_right(units, personas):
    child = ChildFactory()
    assert can_see_sensitive(personas.officer_a, child) and can_see_sensitive(personas.case_manager, child)
    assert not can_see_sensitive(personas.collaborator_a, child)
    assert not can_see_sensitive(personas.hotline, child) and not can_see_sensitive(personas.chair_a, child)


def test_household(units, personas):
    household = HouseholdFactory()
    assert get_household_for_user(personas.officer_a, household.pk) == household
    with pytest.raises(Http404):
        get_household_for_user(personas.officer_b, household.pk)
    with pytest.raises(PermissionDenied):
        get_household_for_user(personas.collaborator_a, household.pk, Action.CHILD_EDIT)
