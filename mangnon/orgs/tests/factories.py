"""Factories of the organisation directory. An organisation defaults to a school in commune A (Phường Hạ
Long, 06688); pass `admin_unit=` for another place, and the province follows from the unit's path."""

from __future__ import annotations

import factory

from mangnon.core.text import normalize_name
from mangnon.geo.models import REFORM_DATE, AdminUnit, Level, UnitType
from mangnon.orgs.codes import OrgKind, ServiceType
from mangnon.orgs.models import Organisation

DEFAULT_COMMUNE = "06688"


def default_commune() -> AdminUnit:
    return AdminUnit.objects.get(code=DEFAULT_COMMUNE, valid_from=REFORM_DATE)


def province_of(unit: AdminUnit) -> AdminUnit:
    first = int(unit.path.strip("/").split("/")[0])
    return unit if first == unit.pk else AdminUnit.objects.get(pk=first)


def _unit(code: str, name: str, level: str, parent: AdminUnit | None) -> AdminUnit:
    unit = AdminUnit.objects.create(
        code=code, name=name, short_name=name, name_key=normalize_name(name), level=level,
        unit_type=UnitType.XA if parent else UnitType.TINH, parent=parent, path="",
    )  # fmt: skip
    unit.path = (parent.path if parent else "/") + f"{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


def other_province_commune() -> AdminUnit:
    """A commune of another (made-up) province: its directory is not Quảng Ninh's."""
    province = _unit("98", "Tỉnh Khác", Level.PROVINCE, None)
    return _unit("98001", "Xã Khác", Level.COMMUNE, province)


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Trường THCS Số {n + 1}")
    kind = OrgKind.SCHOOL
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    services = factory.LazyFunction(lambda: [ServiceType.EDUCATION.value])
    search_key = factory.LazyAttribute(lambda o: normalize_name(f"{o.name} {o.short_name} {o.code}"))
    short_name = ""
    code = ""
