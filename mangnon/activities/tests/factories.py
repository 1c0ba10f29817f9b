"""Factories of campaigns, activities, tallies, roster rows and materials. An activity defaults to commune
A (Phường Hạ Long, 06688) of the test geography; pass `admin_unit=` for another (the province follows).

These write rows directly, for tests that need a given state; tests of the rules go through
`activities.services`.
"""

from __future__ import annotations

from datetime import date

import factory

from mangnon.accounts.tests.factories import UserFactory
from mangnon.activities.codes import (
    ActivityKind,
    AgeBand,
    CareModelKind,
    ClubKind,
    Group,
    MaterialKind,
    MemberRole,
    TallySex,
)
from mangnon.activities.models import (
    Activity,
    Attendee,
    Campaign,
    CareModel,
    Club,
    ClubMember,
    Material,
    Tally,
)
from mangnon.registry.tests.factories import default_commune, province_of


class CampaignFactory(factory.django.DjangoModelFactory[Campaign]):
    class Meta:
        model = Campaign

    name = "Tháng hành động vì trẻ em 2026"
    plan_number = "67/KH-UBND"
    theme = "Chung tay bảo vệ trẻ em"
    year = 2026
    start_date = date(2026, 6, 1)
    end_date = date(2026, 6, 30)
    province = factory.LazyFunction(lambda: province_of(default_commune()))
    created_by = factory.SubFactory(UserFactory)


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    kind = ActivityKind.SESSION
    title = factory.Sequence(lambda n: f"Buổi truyền thông số {n + 1}")
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    start_date = date(2026, 3, 10)
    end_date = factory.SelfAttribute("start_date")
    recorded_by = factory.SubFactory(UserFactory)


class TallyFactory(factory.django.DjangoModelFactory[Tally]):
    class Meta:
        model = Tally

    activity = factory.SubFactory(ActivityFactory)
    group = Group.CHILDREN
    sex = TallySex.FEMALE
    age_band = AgeBand.AGE_11_15
    count = 10


class AttendeeFactory(factory.django.DjangoModelFactory[Attendee]):
    class Meta:
        model = Attendee

    activity = factory.SubFactory(ActivityFactory)
    name = factory.Sequence(lambda n: f"Người tham gia {n + 1}")
    sex = TallySex.FEMALE
    group = Group.CHILDREN


class MaterialFactory(factory.django.DjangoModelFactory[Material]):
    class Meta:
        model = Material

    activity = factory.SubFactory(ActivityFactory)
    title = "Tờ rơi phòng chống xâm hại trẻ em"
    kind = MaterialKind.LEAFLET
    quantity = 500


class ClubFactory(factory.django.DjangoModelFactory[Club]):
    class Meta:
        model = Club

    kind = ClubKind.CORE_CHILDREN
    name = factory.Sequence(lambda n: f"Câu lạc bộ trẻ em nòng cốt số {n + 1}")
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    founded_on = date(2020, 9, 1)
    recorded_by = factory.SubFactory(UserFactory)


class ClubMemberFactory(factory.django.DjangoModelFactory[ClubMember]):
    class Meta:
        model = ClubMember

    club = factory.SubFactory(ClubFactory)
    name = factory.Sequence(lambda n: f"Thành viên {n + 1}")
    sex = TallySex.FEMALE
    birth_year = 2012
    role = MemberRole.CHILD
    joined_on = factory.LazyAttribute(lambda o: o.club.founded_on)


class CareModelFactory(factory.django.DjangoModelFactory[CareModel]):
    class Meta:
        model = CareModel

    kind = CareModelKind.FOSTER_CARE
    name = factory.Sequence(lambda n: f"Mô hình chăm sóc thay thế số {n + 1}")
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    start_date = date(2020, 1, 1)
    recorded_by = factory.SubFactory(UserFactory)
