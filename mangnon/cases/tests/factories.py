"""Factories of contacts and cases for the case tests. A case defaults to commune A (Phường Hạ Long,
06688) of the test geography, received at a fixed moment; pass `admin_unit=` for another commune.

These write rows directly, for tests that need a given state; tests of the rules go through
`cases.services` (and open cases with `case_open`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import factory

from mangnon.accounts.tests.factories import UserFactory
from mangnon.cases.models import Case
from mangnon.cases.workflow import Status
from mangnon.intake.codes import Channel, ContactKind
from mangnon.intake.models import Contact, ContactChild
from mangnon.registry.tests.factories import ChildFactory, default_commune, province_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    """A data contact from the 111 line about a child in commune A."""

    class Meta:
        model = Contact

    channel = Channel.PHONE
    received_at = datetime(2026, 3, 6, 16, 30, tzinfo=VN)  # a Friday afternoon
    counsellor = factory.SubFactory(UserFactory)
    kind = ContactKind.DATA
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    place_text = "Tổ 4, khu 2"
    narrative = "Hàng xóm báo trẻ bị bố đánh nhiều lần, có vết bầm trên tay."


class ContactChildFactory(factory.django.DjangoModelFactory[ContactChild]):
    """A child a contact is about, linked to a registered child of the contact's commune."""

    class Meta:
        model = ContactChild

    contact = factory.SubFactory(ContactFactory)
    child = factory.SubFactory(ChildFactory, admin_unit=factory.SelfAttribute("..contact.admin_unit"))


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    """A case in a given status, without steps or deadlines (set `next_due_at` as the test needs)."""

    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"T-{n + 1:06d}")  # never a number case_open gives
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit))
    child = factory.SubFactory(ChildFactory, admin_unit=factory.SelfAttribute("..admin_unit"))
    status = Status.RECEIVED
    received_at = datetime(2026, 3, 6, 16, 30, tzinfo=VN)
    opened_by = factory.SubFactory(UserFactory)
