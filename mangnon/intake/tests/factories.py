"""Factories of intake. A contact defaults to a data contact about commune A (Phường Hạ Long, 06688),
through line 111 (added by migration 0002), coded "violence.physical"; pass `counsellor=` always."""

from __future__ import annotations

import factory
from django.utils import timezone

from mangnon.intake.codes import Channel, ContactKind
from mangnon.intake.models import Contact, ContactChild, ContactReason, Line
from mangnon.registry.tests.factories import default_commune, province_of


class LineFactory(factory.django.DjangoModelFactory[Line]):
    class Meta:
        model = Line
        django_get_or_create = ("number",)

    number = "111"
    name = "Tổng đài điện thoại quốc gia bảo vệ trẻ em"


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    """`ContactFactory(counsellor=user, reasons=["violence.sexual"])`; `reasons=[]` for none."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    channel = Channel.PHONE
    line = factory.SubFactory(LineFactory)
    received_at = factory.LazyFunction(timezone.now)
    kind = ContactKind.DATA
    admin_unit = factory.LazyFunction(default_commune)
    province = factory.LazyAttribute(lambda o: province_of(o.admin_unit) if o.admin_unit else None)

    @factory.post_generation
    def reasons(obj: Contact, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        codes = (
            ["violence.physical"] if extracted is None and obj.kind == ContactKind.DATA else extracted or []
        )
        for code in codes:
            ContactReason.objects.create(contact=obj, code=code)


class ContactChildFactory(factory.django.DjangoModelFactory[ContactChild]):
    class Meta:
        model = ContactChild

    contact = factory.SubFactory(ContactFactory)
    name = "Bé Na"
    age = 9
