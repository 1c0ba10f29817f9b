"""Scope: the one way to reach scoped data. Commune A never sees commune B, in either period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from mangnon.accounts.access import can, get_scoped_or_404, scope_for, scope_of_units, scoped
from mangnon.accounts.models import Membership
from mangnon.accounts.roles import PERMISSIONS, Action, Role, roles_allowed
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.geo.models import LAST_PRE_REFORM_DAY, REFORM_DATE, AdminUnit, Level, UnitCrosswalk, UnitType

pytestmark = pytest.mark.django_db


def _predecessors(unit: AdminUnit) -> set[int]:
    return set(UnitCrosswalk.objects.filter(new_unit=unit).values_list("old_unit_id", flat=True))


def _current(code: str) -> AdminUnit:
    return AdminUnit.objects.get(code=code, valid_from=REFORM_DATE)


def _user_at(*memberships: tuple[Role, AdminUnit]):
    user = UserFactory()
    for role, unit in memberships:
        MembershipFactory(user=user, role=role, admin_unit=unit)
    return user


def test_commune_officer_covers_own_commune_and_the_old_communes_merged_into_it(personas, units):
    scope = scope_for(personas.officer_a, Action.GEO_VIEW)
    assert scope.contains(units.commune_a)
    assert scope.contains(units.legacy_a)
    assert scope.unit_ids() == {units.commune_a.pk} | _predecessors(units.commune_a)


def test_commune_officer_never_covers_the_other_commune_nor_its_old_communes(personas, units):
    scope = scope_for(personas.officer_a, Action.GEO_VIEW)
    assert not scope.contains(units.commune_b)
    assert not scope.contains(units.legacy_b)
    assert not scope.unit_ids() & ({units.commune_b.pk} | _predecessors(units.commune_b))
    assert not scope.contains(units.province)


def test_old_district_is_out_of_scope_unless_all_its_communes_are(personas, units):
    # Thành phố Hạ Long went into many current wards, not only Phường Hạ Long.
    assert units.district_a.level == Level.DISTRICT
    assert not scope_for(personas.officer_a, Action.GEO_VIEW).contains(units.district_a)


def test_old_district_is_in_scope_when_all_its_communes_went_into_the_unit():
    # Huyện Cô Tô (3 communes) became Đặc khu Cô Tô as a whole.
    co_to_district = AdminUnit.objects.get(code="207", level=Level.DISTRICT)
    scope = scope_for(_user_at((Role.COMMUNE_OFFICER, _current("07192"))), Action.GEO_VIEW)
    assert scope.contains(co_to_district)
    assert all(scope.contains(c) for c in co_to_district.children.all())
    assert co_to_district.children.count() == 3


def test_old_district_split_between_two_units_needs_both_memberships():
    dam_ha = AdminUnit.objects.get(code="200", level=Level.DISTRICT)
    first, second = _current("06895"), _current("06913")
    assert not scope_for(_user_at((Role.COMMUNE_OFFICER, first)), Action.GEO_VIEW).contains(dam_ha)
    assert not scope_for(_user_at((Role.COMMUNE_OFFICER, second)), Action.GEO_VIEW).contains(dam_ha)
    both = scope_for(_user_at((Role.COMMUNE_OFFICER, first), (Role.COMMUNE_OFFICER, second)), Action.GEO_VIEW)
    assert both.contains(dam_ha)
    assert not both.contains(dam_ha.parent)  # the province itself is never reached through communes


def test_province_membership_covers_everything_under_it_in_both_periods(personas, units):
    scope = scope_for(personas.province_officer, Action.GEO_VIEW)
    for unit in (
        units.province,
        units.commune_a,
        units.commune_b,
        units.legacy_a,
        units.legacy_b,
        units.district_a,
    ):
        assert scope.contains(unit)
    under_province = AdminUnit.objects.filter(path__startswith=units.province.path).count()
    assert scope.units().count() == under_province == 1 + 13 + 171 + 54


def _unit(code: str, name: str, level: str, parent: AdminUnit | None, **dates) -> AdminUnit:
    unit = AdminUnit.objects.create(
        code=code,
        name=name,
        short_name=name,
        name_key=name.lower(),
        level=level,
        unit_type=UnitType.XA,
        parent=parent,
        path="",
        **dates,
    )
    unit.path = (parent.path if parent else "/") + f"{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


def test_merged_province_covers_the_old_province_even_with_a_commune_less_island_district():
    # Like Hải Phòng with Huyện Bạch Long Vĩ: the island district itself is in the crosswalk.
    old = {"valid_to": LAST_PRE_REFORM_DAY}
    old_province = _unit("98", "Tỉnh Cũ", Level.PROVINCE, None, **old)
    mainland = _unit("9801", "Huyện Đất Liền", Level.DISTRICT, old_province, **old)
    island = _unit("9802", "Huyện Đảo", Level.DISTRICT, old_province, **old)
    c1 = _unit("98011", "Xã Một", Level.COMMUNE, mainland, **old)
    c2 = _unit("98012", "Xã Hai", Level.COMMUNE, mainland, **old)
    new_province = _unit("97", "Tỉnh Mới", Level.PROVINCE, None, valid_from=REFORM_DATE)
    n1 = _unit("97001", "Xã Mới", Level.COMMUNE, new_province, valid_from=REFORM_DATE)
    n2 = _unit("97002", "Đặc khu Đảo", Level.SPECIAL_ZONE, new_province, valid_from=REFORM_DATE)
    for o, n in ((c1, n1), (c2, n1), (island, n2)):
        UnitCrosswalk.objects.create(old_unit=o, new_unit=n)

    scope = scope_of_units([new_province])
    assert scope.unit_ids() == {u.pk for u in (old_province, mainland, island, c1, c2, new_province, n1, n2)}
    only_n1 = scope_of_units([n1])
    assert only_n1.unit_ids() == {n1.pk, c1.pk, c2.pk, mainland.pk}


def test_membership_outside_its_dates_grants_nothing(units):
    today = timezone.localdate()
    ended = UserFactory()
    MembershipFactory(
        user=ended,
        admin_unit=units.commune_a,
        valid_from=today - timedelta(days=30),
        valid_to=today - timedelta(days=1),
    )
    future = UserFactory()
    MembershipFactory(user=future, admin_unit=units.commune_a, valid_from=today + timedelta(days=1))
    last_day = UserFactory()
    MembershipFactory(
        user=last_day, admin_unit=units.commune_a, valid_from=today - timedelta(days=30), valid_to=today
    )
    for user in (ended, future):
        assert scope_for(user, Action.GEO_VIEW).is_empty
        assert not can(user, Action.GEO_VIEW)
        assert not can(user, Action.GEO_VIEW, units.commune_a)
    assert can(last_day, Action.GEO_VIEW, units.commune_a)


def test_inactive_user_has_no_scope(personas, units):
    user = personas.province_officer
    user.is_active = False
    user.save()
    assert scope_for(user, Action.GEO_VIEW).is_empty
    assert not can(user, Action.GEO_VIEW, units.commune_a)
    assert not scoped(AdminUnit.objects.all(), user, Action.GEO_VIEW, unit_field="").exists()


def test_anonymous_has_no_scope(units):
    anonymous = AnonymousUser()
    assert scope_for(anonymous, Action.GEO_VIEW).is_empty
    assert not can(anonymous, Action.GEO_VIEW)
    assert not scoped(AdminUnit.objects.all(), anonymous, Action.GEO_VIEW, unit_field="").exists()


def test_scope_is_per_action(personas, units):
    assert scope_for(personas.officer_a, Action.AUDIT_VIEW).is_empty
    assert not can(personas.officer_a, Action.AUDIT_VIEW, units.commune_a)
    assert can(personas.province_manager, Action.AUDIT_VIEW, units.commune_b)
    assert can(personas.system_admin, Action.USERS_MANAGE, units.legacy_a)
    assert not can(personas.province_manager, Action.USERS_MANAGE)


def test_scope_counts_only_memberships_whose_role_allows_the_action(units):
    user = _user_at((Role.COMMUNE_OFFICER, units.commune_a), (Role.PROVINCE_MANAGER, units.commune_b))
    audit_scope = scope_for(user, Action.AUDIT_VIEW)
    assert audit_scope.contains(units.commune_b) and not audit_scope.contains(units.commune_a)
    geo_scope = scope_for(user, Action.GEO_VIEW)
    assert geo_scope.contains(units.commune_a) and geo_scope.contains(units.commune_b)


@pytest.mark.parametrize("action", list(Action))
def test_can_follows_the_permissions_table_for_every_persona(personas, action):
    for user in personas.all().values():
        role = user.memberships.get().role
        assert can(user, action) == (role in PERMISSIONS[action]), (user.username, action)


def test_permissions_table_holds_every_action():
    assert {str(a) for a in PERMISSIONS} == {
        "geo.view",
        "audit.view",
        "accounts.manage",
        "core.calendar_manage",
        "registry.child_import",
        "registry.child_export",
        "registry.child_view",
        "registry.child_register",
        "registry.child_edit",
        "registry.child_merge",
        "registry.child_view_sensitive",
        "registry.child_count",
        "orgs.view",
        "orgs.manage",
        "intake.contact_take",
        "intake.contact_view",
        "cases.view",
        "cases.open",
        "cases.work",
        "cases.approve_plan",
        "cases.supervise",
        "cases.count",
        "cases.incident_record",
        "activities.view",
        "activities.record",
        "support.view",
        "support.record",
        "support.programme_manage",
        "participation.voice_view",
        "participation.voice_record",
        "indicators.view",
        "indicators.small_cells",
        "indicators.data_enter",
        "indicators.data_approve",
        "indicators.data_unlock",
        "indicators.target_set",
        "reports.read",
        "reports.write",
        "surveys.view",
        "surveys.manage",
        "surveys.enter",
    }
    assert PERMISSIONS[Action.GEO_VIEW] == frozenset(Role)
    assert PERMISSIONS[Action.AUDIT_VIEW] == {Role.SYSTEM_ADMIN, Role.PROVINCE_MANAGER}


def test_registry_table_keeps_records_from_admins_and_leadership_and_sensitive_facts_from_collaborators():
    for role in (Role.SYSTEM_ADMIN, Role.VIEWER, Role.SURVEY_COORDINATOR):
        assert role not in PERMISSIONS[Action.CHILD_VIEW]
    assert Role.VIEWER in PERMISSIONS[Action.CHILD_COUNT]
    assert Role.COLLABORATOR in PERMISSIONS[Action.CHILD_REGISTER]
    assert Role.COLLABORATOR not in PERMISSIONS[Action.CHILD_VIEW_SENSITIVE]
    assert Role.COLLABORATOR not in PERMISSIONS[Action.CHILD_EXPORT]
    assert PERMISSIONS[Action.CHILD_VIEW_SENSITIVE] <= PERMISSIONS[Action.CHILD_VIEW]
    assert PERMISSIONS[Action.CHILD_EDIT] <= PERMISSIONS[Action.CHILD_VIEW]


def test_indicators_table_publishes_to_leadership_only_what_disclosure_control_lets_through():
    assert Role.VIEWER in PERMISSIONS[Action.INDICATOR_VIEW]
    assert Role.VIEWER not in PERMISSIONS[Action.INDICATOR_SMALL_CELLS]
    assert PERMISSIONS[Action.INDICATOR_SMALL_CELLS] <= PERMISSIONS[Action.INDICATOR_VIEW]
    assert PERMISSIONS[Action.DATA_UNLOCK] == {Role.PROVINCE_MANAGER}


def test_scoped_filters_rows_by_their_unit(personas, units):
    rows = scoped(Membership.objects.all(), personas.officer_a, Action.GEO_VIEW)
    assert set(rows.values_list("user__username", flat=True)) == {
        "p-commune-a",
        "p-chair-a",
        "p-collaborator",
    }
    everything = scoped(Membership.objects.all(), personas.province_officer, Action.GEO_VIEW)
    assert everything.count() == Membership.objects.count()


def test_scoped_reaches_rows_at_old_communes_through_the_crosswalk(personas, units):
    historic = MembershipFactory(admin_unit=units.legacy_a)
    other = MembershipFactory(admin_unit=units.legacy_b)
    rows = scoped(Membership.objects.all(), personas.officer_a, Action.GEO_VIEW)
    assert rows.filter(pk=historic.pk).exists()
    assert not rows.filter(pk=other.pk).exists()


def test_scoped_applies_to_units_themselves(personas, units):
    visible = scoped(AdminUnit.objects.all(), personas.officer_b, Action.GEO_VIEW, unit_field="")
    assert set(visible.values_list("pk", flat=True)) == {units.commune_b.pk} | _predecessors(units.commune_b)


def test_get_scoped_or_404_loads_a_row_in_scope(personas, units):
    got = get_scoped_or_404(
        AdminUnit.objects.all(), personas.officer_a, Action.GEO_VIEW, unit_field="", pk=units.legacy_a.pk
    )
    assert got == units.legacy_a


@pytest.mark.parametrize("target", ["commune_b", "legacy_b", "province", "district_a"])
def test_get_scoped_or_404_hides_rows_out_of_scope(personas, units, target):
    with pytest.raises(Http404):
        get_scoped_or_404(
            AdminUnit.objects.all(),
            personas.officer_a,
            Action.GEO_VIEW,
            unit_field="",
            pk=getattr(units, target).pk,
        )


def test_get_scoped_or_404_hides_rows_from_a_role_without_the_action(personas, units):
    membership = Membership.objects.get(user=personas.officer_a)
    with pytest.raises(Http404):
        get_scoped_or_404(Membership.objects.all(), personas.officer_a, Action.AUDIT_VIEW, pk=membership.pk)


def test_case_table_plans_are_approved_by_the_chair_alone_and_counsellors_read_no_case():
    assert PERMISSIONS[Action.CASE_APPROVE_PLAN] == {Role.COMMUNE_CHAIR}
    assert Role.COMMUNE_CHAIR not in PERMISSIONS[Action.CASE_WORK]
    assert Role.HOTLINE_COUNSELLOR in PERMISSIONS[Action.CASE_OPEN]
    assert Role.HOTLINE_COUNSELLOR not in PERMISSIONS[Action.CASE_VIEW]
    assert Role.COLLABORATOR not in PERMISSIONS[Action.CASE_VIEW] | PERMISSIONS[Action.CONTACT_VIEW]
    assert PERMISSIONS[Action.CASE_WORK] <= PERMISSIONS[Action.CASE_VIEW]


def test_support_names_children_so_leadership_and_collaborators_do_not_read_it():
    assert Role.VIEWER in roles_allowed(Action.ACTIVITY_VIEW)
    assert Role.VIEWER not in roles_allowed(Action.SUPPORT_VIEW)
    assert Role.COLLABORATOR in roles_allowed(Action.ACTIVITY_RECORD)
    assert Role.COLLABORATOR not in roles_allowed(Action.SUPPORT_VIEW)
    assert roles_allowed(Action.PROGRAMME_MANAGE) == {Role.PROVINCE_OFFICER}
