"""Factories of the indicators app: entered reports and values (targets: target_factories.py). A report
defaults to the health data set of the first pre-reform district-level unit in 2020 (it enters that data
set); pass `admin_unit=` for another unit (the province follows).
These write rows directly, for tests that need a given state; tests of the rules go through the services.
"""

from __future__ import annotations

from datetime import date

import factory

from mangnon.accounts.tests.factories import UserFactory
from mangnon.geo.models import AdminUnit, Level
from mangnon.indicators.models import DataSetReport, EnteredValue
from mangnon.registry.tests.factories import province_of

PROVINCE = "22"


def province() -> AdminUnit:
    return AdminUnit.objects.get(code=PROVINCE, valid_from__isnull=True)


def districts_2020() -> list[AdminUnit]:
    """The 13 district-level units of Quảng Ninh in 2020, by code."""
    return list(
        AdminUnit.objects.valid_on(date(2020, 12, 31))
        .filter(parent=province(), level=Level.DISTRICT)
        .order_by("code")
    )


def default_district() -> AdminUnit:
    return districts_2020()[0]


class DataSetReportFactory(factory.django.DjangoModelFactory[DataSetReport]):
    class Meta:
        model = DataSetReport

    data_set = "health"
    admin_unit = factory.LazyFunction(default_district)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    period = "2020"


class EnteredValueFactory(factory.django.DjangoModelFactory[EnteredValue]):
    class Meta:
        model = EnteredValue

    report = factory.SubFactory(DataSetReportFactory)
    element = "health.live_births"
    admin_unit = factory.LazyAttribute(lambda o: o.report.admin_unit)
    province = factory.LazyAttribute(lambda o: o.report.province)
    period = factory.LazyAttribute(lambda o: o.report.period)
    value = 100
    updated_by = factory.SubFactory(UserFactory)
