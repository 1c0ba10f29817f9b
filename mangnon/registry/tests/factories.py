"""Factories of the registry. A child defaults to commune A (Phường Hạ Long, 06688) of the test geography.

Pass `admin_unit=` for another commune: the province follows from the unit's path, and the child's
person gets the same unit. Names are given whole (`person__full_name="Nguyễn Văn An"`) and split with
the same helpers the services use, so the search keys are always consistent.
"""

from __future__ import annotations

from datetime import date

import factory

from mangnon.core.names import name_sort_key, split_name
from mangnon.core.text import normalize_name
from mangnon.geo.models import REFORM_DATE, AdminUnit
from mangnon.registry.codes import RiskType, Sex, SpecialGroup
from mangnon.registry.models import (
    Caregiver,
    Child,
    Household,
    Person,
    RiskFlag,
    SpecialCircumstance,
)

DEFAULT_COMMUNE = "06688"


def default_commune() -> AdminUnit:
    return AdminUnit.objects.get(code=DEFAULT_COMMUNE, valid_from=REFORM_DATE)


def province_of(unit: AdminUnit) -> AdminUnit:
    """The top unit of `unit`'s path (the province it lies in)."""
    first = int(unit.path.strip("/").split("/")[0])
    return unit if first == unit.pk else AdminUnit.objects.get(pk=first)


_NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Minh Châu",
    "Phạm Đức Dũng",
    "Hoàng Thị Hoa",
    "Vũ Quang Huy",
    "Đặng Thu Hà",
    "Bùi Ngọc Lan",
    "Đỗ Văn Nam",
    "Hồ Thị Mai",
]


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: _NAMES[n % len(_NAMES)])
    ho = factory.LazyAttribute(lambda o: split_name(o.full_name).ho)
    ten_dem = factory.LazyAttribute(lambda o: split_name(o.full_name).ten_dem)
    ten = factory.LazyAttribute(lambda o: split_name(o.full_name).ten)
    name_key = factory.LazyAttribute(lambda o: normalize_name(o.full_name))
    ten_key = factory.LazyAttribute(lambda o: normalize_name(split_name(o.full_name).ten))
    ho_key = factory.LazyAttribute(lambda o: normalize_name(split_name(o.full_name).ho))
    sort_key = factory.LazyAttribute(lambda o: name_sort_key(o.full_name))
    sex = Sex.MALE
    date_of_birth = date(2016, 5, 4)
    birth_year = factory.LazyAttribute(lambda o: o.date_of_birth.year if o.date_of_birth else None)
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit) if o.admin_unit else None)


class HouseholdFactory(factory.django.DjangoModelFactory[Household]):
    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"HK{n:05d}")
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    address = "Tổ 1, khu 2"


class ChildFactory(factory.django.DjangoModelFactory[Child]):
    """A child; `ChildFactory(admin_unit=units.commune_b, person__full_name="Lê Văn Tám")`."""

    class Meta:
        model = Child

    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    person = factory.SubFactory(
        PersonFactory,
        admin_unit=factory.SelfAttribute("..admin_unit"),
    )


class SpecialCircumstanceFactory(factory.django.DjangoModelFactory[SpecialCircumstance]):
    class Meta:
        model = SpecialCircumstance

    child = factory.SubFactory(ChildFactory)
    group = SpecialGroup.A
    start_date = date(2024, 1, 1)


class RiskFlagFactory(factory.django.DjangoModelFactory[RiskFlag]):
    class Meta:
        model = RiskFlag

    child = factory.SubFactory(ChildFactory)
    risk_type = RiskType.NEGLECT
    start_date = date(2024, 1, 1)


class CaregiverFactory(factory.django.DjangoModelFactory[Caregiver]):
    class Meta:
        model = Caregiver

    child = factory.SubFactory(ChildFactory)
    person = factory.SubFactory(
        PersonFactory,
        full_name="Nguyễn Văn Bố",
        date_of_birth=date(1985, 3, 2),
        admin_unit=factory.SelfAttribute("..child.admin_unit"),
    )
    relationship = "father"
