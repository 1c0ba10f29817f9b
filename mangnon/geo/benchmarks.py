"""Geography benchmarks: how fast a user's scope (all the units they may act on) is resolved.

The measured side is `accounts.access.scope_of_units(...).unit_ids()`: set queries on the materialised
path (one prefix match per membership) and the crosswalk, and two queries per level of pre-reform
parents, whatever the number of units. The baseline answers the same
question the naive way, walking the tree one query per unit: the children of every unit, the crosswalk
predecessors of every current unit, then the pre-reform parents all of whose children are covered.
"""

from __future__ import annotations

from datetime import date

from mangnon.accounts.access import scope_of_units
from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Role
from mangnon.core.bench import Target, benchmark
from mangnon.geo import loader
from mangnon.geo.models import LAST_PRE_REFORM_DAY, REFORM_DATE, AdminUnit, Level, UnitCrosswalk

CURRENT_PROVINCES = 34
PRE_REFORM_PROVINCES = 63
BENCH_PROVINCE = "22"  # Quảng Ninh
BENCH_COMMUNE = "06688"  # Phường Hạ Long, current since 1/7/2025


def _province_count(day: date) -> int:
    return AdminUnit.objects.valid_on(day).filter(level=Level.PROVINCE).count()


def _member(username: str, role: Role, units: list[AdminUnit]) -> list[AdminUnit]:
    """A bench user with a membership at each unit (created once); returns the units of its memberships."""
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": "Benchmark"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    for unit in units:
        Membership.objects.get_or_create(user=user, role=role, admin_unit=unit)
    memberships = Membership.objects.active().filter(user=user, role=role).select_related("admin_unit")
    return [m.admin_unit for m in memberships]


def country_officer() -> list[AdminUnit]:
    """Load the whole country if needed; a province officer at every current province."""
    current, pre_reform = _province_count(REFORM_DATE), _province_count(LAST_PRE_REFORM_DAY)
    if current < CURRENT_PROVINCES or pre_reform < PRE_REFORM_PROVINCES:
        loader.load(None)
    provinces = list(AdminUnit.objects.valid_on(REFORM_DATE).filter(level=Level.PROVINCE).order_by("code"))
    return _member("bench-country", Role.PROVINCE_OFFICER, provinces)


def commune_officer() -> list[AdminUnit]:
    """Load Quảng Ninh if needed; a commune officer of Phường Hạ Long."""
    commune = AdminUnit.objects.filter(code=BENCH_COMMUNE, valid_from=REFORM_DATE).first()
    if commune is None:
        loader.load([BENCH_PROVINCE])
        commune = AdminUnit.objects.get(code=BENCH_COMMUNE, valid_from=REFORM_DATE)
    return _member("bench-commune", Role.COMMUNE_OFFICER, [commune])


def naive_scope_ids(units: list[AdminUnit]) -> set[int]:
    """The ids `scope_of_units(units).unit_ids()` returns, found one query per unit."""
    walked: set[int] = set()
    current: list[int] = []
    stack = [(u.pk, u.valid_to is None) for u in units]
    while stack:
        pk, is_current = stack.pop()
        if pk in walked:
            continue
        walked.add(pk)
        if is_current:
            current.append(pk)
        children = AdminUnit.objects.filter(parent_id=pk).values_list("pk", "valid_to")
        stack.extend((child, valid_to is None) for child, valid_to in children)

    # Pre-reform units that went into a current unit of the scope, with their parents.
    parent_of: dict[int, int | None] = {}
    for pk in current:
        links = UnitCrosswalk.objects.filter(new_unit_id=pk).values_list("old_unit_id", "old_unit__parent_id")
        parent_of.update((old, parent) for old, parent in links if old not in walked)
    legacy = set(parent_of)

    # A pre-reform parent is covered when every one of its children is; repeat a level up.
    covered = set(legacy)
    found: set[int] = set()
    frontier = set(legacy)
    while frontier:
        candidates = {p for p in (parent_of[pk] for pk in frontier) if p is not None} - found
        complete: set[int] = set()
        for parent in candidates:
            valid_to, grandparent = AdminUnit.objects.values_list("valid_to", "parent_id").get(pk=parent)
            if valid_to is None:
                continue  # a current parent is either in the walked tree or not in the scope at all
            siblings = AdminUnit.objects.filter(parent_id=parent).values_list("pk", flat=True)
            if all(child in covered for child in siblings):
                complete.add(parent)
                parent_of[parent] = grandparent
        found |= complete
        covered |= complete
        frontier = complete
    return walked | legacy | found


def _scope_ids(units: list[AdminUnit]) -> set[int]:
    return scope_of_units(units).unit_ids()


# A national user's scope is some 14,000 units: it must stay well under a second on the 2-core reference
# machine and beat the per-unit walk by an order of magnitude (the reason for the materialised path).
benchmark(
    name="geo.scope_resolution",
    target=Target(max_median_ms=500, min_ratio=10),
    baseline=naive_scope_ids,
    setup=country_officer,
)(_scope_ids)

# One commune is resolved on every request of a commune officer. At this size the walk needs about as
# few queries as the path lookup, so only the time is a target; the baseline shows the cost at scale.
benchmark(
    name="geo.scope_commune",
    target=Target(max_median_ms=20),
    baseline=naive_scope_ids,
    setup=commune_officer,
)(_scope_ids)
