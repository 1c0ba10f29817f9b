"""Factories of support. Rows default to commune A (Phường Hạ Long) of the test geography and its
province; these write rows directly, for tests that need a given state (the rules go through services)."""

from __future__ import annotations

from datetime import date

import factory

from mangnon.accounts.tests.factories import UserFactory
from mangnon.registry.tests.factories import ChildFactory, default_commune, province_of
from mangnon.support.codes import CareKind, GiftOccasion, ProgrammeKind
from mangnon.support.models import (
    AlternativeCare,
    Disbursement,
    GiftCampaign,
    GiftRecipient,
    GiftTally,
    Programme,
)


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"NQ{n + 1}")
    name = "Hỗ trợ học tập"
    legal_basis = "NQ 222/2015/NQ-HĐND"
    kind = ProgrammeKind.STUDY
    province = factory.LazyFunction(lambda: province_of(default_commune()))
    active_from = date(2015, 1, 1)
    created_by = factory.SubFactory(UserFactory)


class DisbursementFactory(factory.django.DjangoModelFactory[Disbursement]):
    class Meta:
        model = Disbursement

    programme = factory.SubFactory(ProgrammeFactory)
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    child = factory.SubFactory(ChildFactory, admin_unit=factory.SelfAttribute("..admin_unit"))
    amount = 500_000
    paid_on = date(2026, 3, 2)
    approver = "QĐ 12/QĐ-UBND, Chủ tịch UBND"
    recorded_by = factory.SubFactory(UserFactory)


class GiftCampaignFactory(factory.django.DjangoModelFactory[GiftCampaign]):
    class Meta:
        model = GiftCampaign

    name = "Trung thu"
    occasion = GiftOccasion.TRUNG_THU
    year = 2026
    held_on = date(2026, 9, 25)
    province = factory.LazyFunction(lambda: province_of(default_commune()))
    created_by = factory.SubFactory(UserFactory)


class GiftTallyFactory(factory.django.DjangoModelFactory[GiftTally]):
    class Meta:
        model = GiftTally

    campaign = factory.SubFactory(GiftCampaignFactory)
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    children_reached = 100
    children_visited_given_gifts = 10
    total_value = 5_000_000
    recorded_by = factory.SubFactory(UserFactory)


class GiftRecipientFactory(factory.django.DjangoModelFactory[GiftRecipient]):
    class Meta:
        model = GiftRecipient

    campaign = factory.SubFactory(GiftCampaignFactory)
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    child = factory.SubFactory(ChildFactory, admin_unit=factory.SelfAttribute("..admin_unit"))
    value = 200_000
    recorded_by = factory.SubFactory(UserFactory)


class AlternativeCareFactory(factory.django.DjangoModelFactory[AlternativeCare]):
    class Meta:
        model = AlternativeCare

    kind = CareKind.KINSHIP
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    child = factory.SubFactory(ChildFactory, admin_unit=factory.SelfAttribute("..admin_unit"))
    start = date(2026, 1, 1)
    recorded_by = factory.SubFactory(UserFactory)
