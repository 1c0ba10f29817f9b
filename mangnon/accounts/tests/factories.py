from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.COMMUNE_OFFICER
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
