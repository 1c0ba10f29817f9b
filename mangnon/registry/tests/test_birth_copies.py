"""The child's copies of its birth (Child.born_on, Child.born_in) follow every way a birth is written,
and the children counted on a day are read from them alone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mangnon.registry import selectors, services
from mangnon.registry.models import Child, Person
from mangnon.registry.tests.birth_copies import children_out_of_step
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_registration_copies_the_date_or_the_year(units: Any, personas: Any) -> None:
    dated = services.child_register(
        actor=personas.officer_a,
        data=services.ChildData(
            full_name="Nguyễn Thị Lan", sex="F", commune=units.commune_a, date_of_birth=date(2015, 3, 8)
        ),
    ).child
    year_only = services.child_register(
        actor=personas.officer_a,
        data=services.ChildData(full_name="Trần Văn Hùng", sex="M", commune=units.commune_a, birth_year=2012),
    ).child
    dated.refresh_from_db()
    year_only.refresh_from_db()
    assert (dated.born_on, dated.born_in) == (date(2015, 3, 8), 2015)
    assert (year_only.born_on, year_only.born_in) == (None, 2012)


def test_an_edit_of_the_birth_reaches_the_copy_and_a_later_save_keeps_it(units: Any, personas: Any) -> None:
    child = ChildFactory(person__date_of_birth=date(2014, 1, 2), person__birth_year=2014)
    stale = Child.objects.get(pk=child.pk)  # read before the edit
    services.child_update(
        actor=personas.officer_a,
        child=child,
        version=child.version,
        changes={"date_of_birth": date(2013, 5, 6)},
    )
    child.refresh_from_db()
    assert (child.born_on, child.born_in) == (date(2013, 5, 6), 2013)
    stale.notes = "ghi chú"
    stale.save(update_fields=["notes"])  # a partial save leaves the copies alone
    stale = Child.objects.get(pk=child.pk)
    stale.person.date_of_birth, stale.person.birth_year = None, 2011
    stale.person.save()
    Child.objects.get(pk=child.pk).save()  # a whole-row save takes the person's birth again
    assert children_out_of_step() == []
    assert Child.objects.filter(pk=child.pk, born_on=None, born_in=2011).exists()


def test_a_person_saved_without_its_birth_writes_no_copy(units: Any) -> None:
    child = ChildFactory()
    person = Person.objects.get(pk=child.pk)
    with CaptureQueriesContext(connection) as saved:
        person.phone = "0912345678"
        person.save(update_fields=["phone"])
    assert len(saved) == 1


def test_merge_and_age_out_keep_the_copies(units: Any, personas: Any) -> None:
    survivor, other = ChildFactory(), ChildFactory()
    services.child_merge(actor=personas.officer_a, survivor=survivor, other=other)
    old = ChildFactory(person__date_of_birth=date(2000, 1, 1), person__birth_year=2000)
    services.child_age_out(actor=personas.officer_a, child=old, on=date(2026, 1, 1))
    assert children_out_of_step() == []


def test_counted_children_read_the_children_alone(units: Any, personas: Any) -> None:
    ChildFactory(person__date_of_birth=date(2010, 6, 1), person__birth_year=2010)
    ChildFactory(person__date_of_birth=None, person__birth_year=2005)  # 16 during 2021
    children = selectors.counted_children(
        viewer=personas.province_officer, unit=units.province, day=date(2020, 12, 31)
    )
    assert "registry_person" not in str(children.query)
