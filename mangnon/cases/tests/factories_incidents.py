"""Factories of incidents, their victims, perpetrators and legal steps. An incident defaults to commune A
(Phường Hạ Long, 06688) of the test geography; pass `admin_unit=` for another one (the province follows).

These write rows directly, for tests that need a given state; tests of the rules go through
`incident_services`.
"""

from __future__ import annotations

from datetime import date

import factory

from mangnon.accounts.tests.factories import UserFactory
from mangnon.cases.codes import AbuseForm, LegalStepKind, PerpetratorRelationship, Setting
from mangnon.cases.models import Incident, IncidentChild, LegalStep, Perpetrator
from mangnon.registry.codes import Sex
from mangnon.registry.tests.factories import ChildFactory, default_commune, province_of


class IncidentFactory(factory.django.DjangoModelFactory[Incident]):
    class Meta:
        model = Incident

    occurred_on = date(2025, 9, 15)
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    forms = factory.LazyFunction(lambda: [AbuseForm.PHYSICAL.value])
    setting = Setting.FAMILY
    place_text = "Tổ 3, khu 5"
    description = "Trẻ bị đánh nhiều lần."
    recorded_by = factory.SubFactory(UserFactory)


class IncidentChildFactory(factory.django.DjangoModelFactory[IncidentChild]):
    class Meta:
        model = IncidentChild

    incident = factory.SubFactory(IncidentFactory)
    child = factory.SubFactory(ChildFactory, admin_unit=factory.SelfAttribute("..incident.admin_unit"))


class PerpetratorFactory(factory.django.DjangoModelFactory[Perpetrator]):
    class Meta:
        model = Perpetrator

    incident = factory.SubFactory(IncidentFactory)
    relationship = PerpetratorRelationship.PARENT
    sex = Sex.MALE
    age = 38


class LegalStepFactory(factory.django.DjangoModelFactory[LegalStep]):
    class Meta:
        model = LegalStep

    incident = factory.SubFactory(IncidentFactory)
    kind = LegalStepKind.REPORTED
    on = date(2025, 9, 16)
    recorded_by = factory.SubFactory(UserFactory)
