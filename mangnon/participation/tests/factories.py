"""Factories of voices and council meetings. A voice defaults to commune A (06688) of the test geography;
pass `admin_unit=` for another (the province follows). These write rows directly, for tests that need a
given state; tests of the rules go through `participation.services`."""

from __future__ import annotations

from datetime import date

import factory

from mangnon.accounts.tests.factories import UserFactory
from mangnon.participation.models import AgeBand, ChildVoice, CouncilMeeting, CouncilMember, MemberRole, Topic
from mangnon.registry.tests.factories import default_commune, province_of


class ChildVoiceFactory(factory.django.DjangoModelFactory[ChildVoice]):
    class Meta:
        model = ChildVoice

    text = "Chúng em mong có sân chơi an toàn gần trường."
    topic = Topic.PLAY
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    raised_on = date(2026, 3, 10)
    recorded_by = factory.SubFactory(UserFactory)


class CouncilMeetingFactory(factory.django.DjangoModelFactory[CouncilMeeting]):
    class Meta:
        model = CouncilMeeting

    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    held_on = date(2026, 3, 12)
    members_present = 12
    recorded_by = factory.SubFactory(UserFactory)


class CouncilMemberFactory(factory.django.DjangoModelFactory[CouncilMember]):
    class Meta:
        model = CouncilMember

    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    name = factory.Iterator(["Mai", "Minh", "Ngọc Anh", "Hùng", "Lan", "Khoa"])
    role = MemberRole.CHILD
    age_band = AgeBand.AGE_11_15
    from_date = date(2025, 9, 1)
