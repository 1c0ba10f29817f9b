"""Scope: which admin units a user may act on, per action. The only way to reach scoped data.

A membership at a unit covers that unit and everything under it (one prefix query on the
materialised path), and — across the 2025 reform — the pre-reform units that map into it through the
crosswalk, so an officer of a current commune can read the historic records of the old communes it
absorbed. A pre-reform district or province is covered only when all of its communes (and, for a
province, its commune-less island districts, which the crosswalk maps directly) are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from mangnon.geo.models import AdminUnit, UnitCrosswalk
from mangnon.geo.selectors import path_prefix_q

from .models import Membership
from .roles import Action, Role, roles_allowed

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    paths: tuple[str, ...] = ()
    extra_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.paths and not self.extra_ids

    def q(self, unit_field: str = "admin_unit") -> Q:
        """A filter for rows whose `unit_field` (a FK to AdminUnit) lies in the scope."""
        if self.is_empty:
            return Q(pk__in=[])
        prefix = f"{unit_field}__" if unit_field else ""
        parts = [path_prefix_q(f"{prefix}path", p) for p in self.paths]
        if self.extra_ids:
            parts.append(Q(**{f"{prefix}pk__in": sorted(self.extra_ids)}))
        return reduce(or_, parts)

    def units(self) -> QuerySet[AdminUnit]:
        return AdminUnit.objects.filter(self.q(unit_field=""))

    def unit_ids(self) -> set[int]:
        return set(self.units().values_list("pk", flat=True))

    def contains(self, unit: AdminUnit | None) -> bool:
        if unit is None:
            return False
        return unit.pk in self.extra_ids or any(unit.path.startswith(p) for p in self.paths)

    def __or__(self, other: Scope) -> Scope:
        return Scope(tuple(sorted(set(self.paths) | set(other.paths))), self.extra_ids | other.extra_ids)


EMPTY_SCOPE = Scope()


def _minimal_paths(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one (a province membership covers its communes)."""
    kept: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def scope_of_units(units: list[AdminUnit]) -> Scope:
    """The scope covered by memberships at these units, including historic units via the crosswalk."""
    paths = _minimal_paths({u.path for u in units})
    if not paths:
        return EMPTY_SCOPE
    under = reduce(or_, [path_prefix_q("new_unit__path", p) for p in paths])
    inside = reduce(or_, [path_prefix_q("path", p) for p in paths])
    legacy = set(
        UnitCrosswalk.objects.filter(under)
        .exclude(old_unit__in=AdminUnit.objects.filter(inside))
        .values_list("old_unit_id", flat=True)
    )
    if legacy:
        legacy |= _fully_covered_ancestors(legacy)
    return Scope(paths, frozenset(legacy))


def _fully_covered_ancestors(ids: set[int]) -> set[int]:
    """Pre-reform parents (districts, then provinces) all of whose children are covered.

    A parent is judged against everything covered so far, not only the level below it: an old province
    whose commune-less island district is itself in the crosswalk has children from two levels.
    """
    covered = set(ids)
    found: set[int] = set()
    frontier = set(ids)
    while frontier:
        candidates = set(
            AdminUnit.objects.filter(pk__in=frontier, parent__valid_to__isnull=False)
            .order_by()
            .values_list("parent_id", flat=True)
            .distinct()
        )
        candidates -= found
        if not candidates:
            break
        incomplete = {
            parent_id
            for pk, parent_id in AdminUnit.objects.filter(parent_id__in=candidates).values_list(
                "pk", "parent_id"
            )
            if pk not in covered
        }
        frontier = candidates - incomplete
        found |= frontier
        covered |= frontier
    return found


def active_memberships(user: Any, on: date | None = None) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = user.__dict__.setdefault("_mangnon_memberships", {})
    key = on.isoformat() if on else "today"
    if key not in cache:
        cache[key] = list(Membership.objects.active(on).filter(user=user).select_related("admin_unit"))
    return cache[key]


def forget_cached_scope(user: Any) -> None:
    """Drop what active_memberships and scope_for cached on this user object, after a membership change."""
    user.__dict__.pop("_mangnon_memberships", None)
    user.__dict__.pop("_mangnon_scopes", None)
    user.__dict__.pop("_mangnon_unit_scopes", None)


def has_role(user: Any, *roles: Role) -> bool:
    return any(m.role in roles for m in active_memberships(user))


def scope_for(user: Any, action: Action) -> Scope:
    """The units where `user` may take `action` today (memberships whose role allows it)."""
    if not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    cache = user.__dict__.setdefault("_mangnon_scopes", {})
    if action not in cache:
        allowed = roles_allowed(action)
        units = [m.admin_unit for m in active_memberships(user) if m.role in allowed]
        # Most actions of one person cover the same units (a commune officer views and works cases at
        # the same commune): each distinct set of units is worked out once.
        by_units = user.__dict__.setdefault("_mangnon_unit_scopes", {})
        key = frozenset(u.pk for u in units)
        if key not in by_units:
            by_units[key] = scope_of_units(units)
        cache[action] = by_units[key]
    return cache[action]


def can(user: Any, action: Action, unit: AdminUnit | None = None) -> bool:
    """May `user` take `action` at all (unit None), or at `unit`?"""
    allowed = roles_allowed(action)
    if unit is None:
        return any(m.role in allowed for m in active_memberships(user))
    return scope_for(user, action).contains(unit)


def scoped(queryset: QuerySet[M], viewer: Any, action: Action, unit_field: str = "admin_unit") -> QuerySet[M]:
    """Rows of `queryset` whose unit lies in the viewer's scope for `action`; scope is applied first."""
    return queryset.filter(scope_for(viewer, action).q(unit_field))


def get_scoped_or_404(
    queryset: QuerySet[M], viewer: Any, action: Action, unit_field: str = "admin_unit", **lookup: Any
) -> M:
    """Load one row the viewer may see; 404 otherwise, so existence is not revealed."""
    obj = scoped(queryset, viewer, action, unit_field).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def pk_or_404(value: Any) -> int:
    """A record's id from a URL or a form as a number; Http404 when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def check_at_unit(user: Any, unit: AdminUnit, view: Action, action: Action) -> None:
    """Http404 unless `user` may `view` at `unit` (a record there is not revealed to them);
    PermissionDenied when they may view there but not take `action`."""
    if not scope_for(user, view).contains(unit):
        raise Http404
    if action != view and not scope_for(user, action).contains(unit):
        raise PermissionDenied
