"""Reads over the administrative-unit tree and the 2025 crosswalk.

Geography is public reference data, not personal data: these selectors take no `viewer`. Whoever
may read geography at all (Action.GEO_VIEW, checked by views and API) may read all of it, and the
scope of personal data is applied by `accounts.access`, which builds on these tables.

A code is not an identity: the reform reused commune codes, so a unit is resolved by code *and* a
date. Every selector that returns units selects their parent in the same query, so listing codes
with their parent code never costs a query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import AdminUnit, Level, UnitCrosswalk


def path_prefix_q(lookup: str, prefix: str) -> Q:
    """Rows whose materialised path (at `lookup`) starts with `prefix`, using the path index.

    SQLite's LIKE is case-insensitive and cannot use a plain index, so there the prefix becomes a range
    ("/1/" <= path < "/10": "0" is the character after "/"). PostgreSQL's varchar_pattern_ops index
    serves LIKE 'prefix%' directly, and a range would be wrong under a non-C collation.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{lookup}__gte": prefix, f"{lookup}__lt": prefix[:-1] + "0"})
    return Q(**{f"{lookup}__startswith": prefix})


def today() -> date:
    return timezone.localdate()


def units_valid_on(
    on: date | None = None, *, parent: AdminUnit | None = None, level: Level | str | None = None
) -> QuerySet[AdminUnit]:
    """Units valid on `on` (default today), optionally the direct children of `parent` and at `level`.

    Without a parent, every unit valid on that day is returned (all levels unless `level` narrows it).
    Each unit carries `has_children`: whether it has children valid on the same day.
    """
    day = on or today()
    qs = AdminUnit.objects.valid_on(day).select_related("parent")
    if parent is not None:
        qs = qs.filter(parent=parent)
    if level:
        qs = qs.filter(level=level)
    children = AdminUnit.objects.valid_on(day).filter(parent=OuterRef("pk"))
    return qs.annotate(has_children=Exists(children)).order_by("code")


def provinces_on(on: date | None = None) -> QuerySet[AdminUnit]:
    return units_valid_on(on, level=Level.PROVINCE)


def unit_on(code: str, on: date | None = None) -> AdminUnit | None:
    """The unit that carried `code` on `on` (default today), or None."""
    return AdminUnit.objects.valid_on(on or today()).select_related("parent").filter(code=code).first()


def unit_by_pk(pk: int) -> AdminUnit | None:
    return AdminUnit.objects.select_related("parent").filter(pk=pk).first()


def descendants(
    unit: AdminUnit, *, on: date | None = None, level: Level | str | None = None
) -> QuerySet[AdminUnit]:
    """Every unit below `unit` (one prefix query on the materialised path), optionally valid on `on`."""
    base = AdminUnit.objects.valid_on(on) if on is not None else AdminUnit.objects.all()
    qs = base.filter(path_prefix_q("path", unit.path)).exclude(pk=unit.pk).select_related("parent")
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("code")


def ancestors(unit: AdminUnit) -> list[AdminUnit]:
    """The units above `unit`, top first, read from its path in one query."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part and int(part) != unit.pk]
    by_id = AdminUnit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def _links() -> QuerySet[UnitCrosswalk]:
    return UnitCrosswalk.objects.select_related("old_unit__parent", "new_unit__parent")


def successors(unit: AdminUnit) -> QuerySet[UnitCrosswalk]:
    """Links from a pre-reform unit to the current unit(s) it went into, the default one first."""
    return _links().filter(old_unit=unit).order_by("-is_default", "new_unit__code")


def predecessors(unit: AdminUnit) -> QuerySet[UnitCrosswalk]:
    """Links from the pre-reform units that went (wholly or in part) into a current unit."""
    return _links().filter(new_unit=unit).order_by("old_unit__code")


def successors_by_unit(units: Iterable[AdminUnit]) -> dict[int, list[UnitCrosswalk]]:
    """Successor links of many pre-reform units in one query, keyed by the old unit's id."""
    out: dict[int, list[UnitCrosswalk]] = defaultdict(list)
    for link in _links().filter(old_unit__in=[u.pk for u in units]).order_by("-is_default", "new_unit__code"):
        out[link.old_unit_id].append(link)
    return dict(out)


def predecessors_by_unit(units: Iterable[AdminUnit]) -> dict[int, list[UnitCrosswalk]]:
    """Predecessor links of many current units in one query, keyed by the new unit's id."""
    out: dict[int, list[UnitCrosswalk]] = defaultdict(list)
    for link in _links().filter(new_unit__in=[u.pk for u in units]).order_by("old_unit__code"):
        out[link.new_unit_id].append(link)
    return dict(out)


def in_geography_q(unit: AdminUnit, unit_field: str = "admin_unit") -> Q:
    """Rows whose `unit_field` (a FK to AdminUnit) lies in `unit`'s geography: at the unit or below it;
    for a pre-reform unit also at the current communes formed wholly from its communes (the crosswalk);
    for a current unit also at the pre-reform units that went into it (historic records). Every count
    by unit in either geography filters with this, so apps agree on what a unit covers. With
    `unit_field=""` it filters the units themselves (`AdminUnit.objects.filter(...)`): the units of the
    geography, for a subquery of ids (`units_in`)."""
    prefix = f"{unit_field}__" if unit_field else ""
    ids = f"{unit_field}_id__in" if unit_field else "pk__in"
    q = path_prefix_q(f"{prefix}path", unit.path)
    inside = AdminUnit.objects.filter(path_prefix_q("path", unit.path))
    if unit.valid_to is not None:
        new_ids = set(UnitCrosswalk.objects.filter(old_unit__in=inside).values_list("new_unit_id", flat=True))
        outside = set(
            UnitCrosswalk.objects.filter(new_unit_id__in=new_ids)
            .exclude(old_unit__in=inside)
            .values_list("new_unit_id", flat=True)
        )
        wholly = sorted(new_ids - outside)
        if wholly:
            q |= Q(**{ids: wholly})
    else:
        old_ids = set(
            UnitCrosswalk.objects.filter(new_unit__in=inside)
            .exclude(old_unit__in=inside)
            .values_list("old_unit_id", flat=True)
        )
        if old_ids:
            q |= Q(**{ids: sorted(old_ids)})
    return q


def units_in(unit: AdminUnit, *scope_qs: Q) -> QuerySet[AdminUnit, Any]:
    """The ids of the units in `unit`'s geography (in_geography_q) that also meet each of `scope_qs`
    (filters on the units themselves, `Scope.q("")`), as a subquery: a filter `admin_unit__in=units_in(…)`
    lets the database find the rows through their own index on the unit, where a condition on the
    joined unit's path makes it read every row of the table (bench/README.md)."""
    units = AdminUnit.objects.filter(in_geography_q(unit, ""))
    for scope_q in scope_qs:
        units = units.filter(scope_q)
    return units.values("pk")


def day_within(unit: AdminUnit, on: date) -> date:
    """`on` when the unit was valid then, else the nearest day of its validity (to list its children)."""
    if unit.is_valid_on(on):
        return on
    if unit.valid_to is not None and unit.valid_to < on:
        return unit.valid_to
    return unit.valid_from or on
