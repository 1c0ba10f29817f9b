"""Reads of the organisation directory, always limited to the viewer's provinces first."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from mangnon.core.text import normalize_name
from mangnon.geo.models import AdminUnit, Level
from mangnon.geo.selectors import path_prefix_q, successors

from .access import directory_provinces, province_id_of
from .codes import PROVIDER_KINDS
from .models import Organisation


def _with_related(qs: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return qs.select_related("admin_unit", "province")


def offers_q(service_type: str) -> Q:
    """Organisations whose `services` list holds `service_type`.

    JSON containment is not available on SQLite, so this matches the quoted code in the stored list's
    text; codes are whole words in quotes ('"medical"'), so one never matches inside another.
    """
    return Q(services__icontains=f'"{service_type}"')


def organisations_for(
    viewer: Any,
    *,
    kind: str = "",
    unit: AdminUnit | None = None,
    service_type: str = "",
    q: str = "",
    active: bool | None = True,
) -> QuerySet[Organisation]:
    """The directory the viewer reads (every province they hold a membership in), filtered.

    `unit` keeps the organisations at that unit or under it; `q` matches the name, short name or code with
    or without diacritics; `active` None lists active and inactive ones alike.
    """
    qs = Organisation.objects.filter(province_id__in=sorted(directory_provinces(viewer)))
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(path_prefix_q("admin_unit__path", unit.path))
    if service_type:
        qs = qs.filter(offers_q(service_type))
    key = normalize_name(q)
    if key:
        qs = qs.filter(search_key__contains=key)
    if active is not None:
        qs = qs.filter(active=active)
    return _with_related(qs).order_by("search_key", "pk")


def _nearby_units(unit: AdminUnit) -> list[AdminUnit]:
    """The unit, and for a unit that ended in the 2025 reform the current units it went into: a case
    recorded at an old commune is served by the organisations of the commune that absorbed it."""
    if unit.valid_to is None or unit.valid_to >= timezone.localdate():
        return [unit]
    return [unit, *(link.new_unit for link in successors(unit))]


def providers_near(unit: AdminUnit, service_type: str = "") -> QuerySet[Organisation]:
    """Active service providers for a child at `unit`: the unit's own first, then the province's bodies,
    then the rest of the province (a district hospital serves the communes around it).

    The directory is public within the province, so this needs no viewer; callers pass a unit they have
    already checked the viewer may act on.
    """
    own = Q()
    for near in _nearby_units(unit):
        own |= path_prefix_q("admin_unit__path", near.path)
    qs = Organisation.objects.filter(
        province_id=province_id_of(unit), kind__in=sorted(PROVIDER_KINDS), active=True
    )
    if service_type:
        qs = qs.filter(offers_q(service_type))
    if unit.level == Level.PROVINCE:
        own = Q(admin_unit_id=unit.pk)
    ranked = qs.annotate(
        nearness=Case(
            When(own, then=Value(0)),
            When(admin_unit__level=Level.PROVINCE, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    return _with_related(ranked).order_by(F("nearness"), "search_key", "pk")
