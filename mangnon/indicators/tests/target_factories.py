"""Factories for the target, catalogue and API tests: targets and entered figures written directly (the
services are tested on their own)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from mangnon.accounts.tests.factories import UserFactory
from mangnon.geo.models import AdminUnit
from mangnon.indicators import entered
from mangnon.indicators.models import DataSetReport, EnteredValue, Target, TargetKind
from mangnon.registry.services import province_of


def _province() -> AdminUnit:
    return AdminUnit.objects.get(code="22", valid_from__isnull=True)


class TargetFactory(factory.django.DjangoModelFactory[Target]):
    class Meta:
        model = Target

    indicator = "0101"
    admin_unit = factory.LazyFunction(_province)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    year = 2023
    kind = TargetKind.LEVEL
    value = Decimal("20")
    source_document = "Kế hoạch 45/KH-UBND"
    updated_by = factory.SubFactory(UserFactory)


def entered_value(*, element: str, unit: AdminUnit, period: str, value: int, by: Any = None) -> EnteredValue:
    """An entered figure of `element` for `unit` and `period`, in its data set's report."""
    data_set, _element = entered.element_of(element)
    user = by or UserFactory()
    report, _created = DataSetReport.objects.get_or_create(
        data_set=data_set.code,
        admin_unit=unit,
        period=period,
        defaults={"province": province_of(unit)},
    )
    return EnteredValue.objects.create(
        report=report,
        element=element,
        admin_unit=unit,
        province=province_of(unit),
        period=period,
        value=value,
        updated_by=user,
    )
