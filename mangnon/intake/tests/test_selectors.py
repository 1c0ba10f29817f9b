"""Who reads which contact (access), lists without N+1, repeat callers and children, the open
emergencies, and the counts behind intake's figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from mangnon.accounts.roles import Action
from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.intake import selectors
from mangnon.intake.access import can_change_contact, can_see_caller, get_contact_for_user
from mangnon.intake.codes import Channel, ContactKind, NonDataType, Outcome, Urgency
from mangnon.intake.models import Line
from mangnon.intake.phones import is_phone, normalize_phone
from mangnon.intake.tests.factories import ContactChildFactory, ContactFactory
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock on `day` in Vietnam."""
    return selectors.day_start(day) + timedelta(hours=hour)


# --- access -----------------------------------------------------------------------------------------


def test_counsellor_reads_only_what_they_took(personas, units):
    mine = ContactFactory(counsellor=personas.hotline)
    other = ContactFactory(counsellor=personas.officer_a)
    assert get_contact_for_user(personas.hotline, mine.pk) == mine
    with pytest.raises(Http404):
        get_contact_for_user(personas.hotline, other.pk)
    assert list(selectors.contacts_for(personas.hotline)) == [mine]


def test_readers_see_their_scope_referrals_and_unplaced_contacts_at_province_level(personas, units):
    in_a = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a)
    in_b = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_b)
    referred_to_a = ContactFactory(
        counsellor=personas.hotline, admin_unit=units.commune_b, referred_to=units.commune_a,
        outcome=Outcome.REFERRED,
    )  # fmt: skip
    unplaced = ContactFactory(counsellor=personas.hotline, admin_unit=None, province=units.province)
    legacy = ContactFactory(counsellor=personas.hotline, admin_unit=units.legacy_a)
    officer_a = set(selectors.contacts_for(personas.officer_a))
    assert officer_a == {in_a, referred_to_a, legacy}
    assert set(selectors.contacts_for(personas.officer_b)) == {in_b, referred_to_a}
    everything = {in_a, in_b, referred_to_a, unplaced, legacy}
    for user in (personas.province_officer, personas.province_manager, personas.case_manager):
        assert set(selectors.contacts_for(user)) == everything
    for user in (personas.chair_a, personas.viewer, personas.collaborator_a, personas.system_admin):
        assert not selectors.contacts_for(user).exists()
        with pytest.raises(Http404):
            get_contact_for_user(user, in_a.pk)


def test_who_may_change_a_contact_and_see_its_caller(personas, units):
    contact = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a)
    assert can_change_contact(personas.hotline, contact)
    assert can_change_contact(personas.officer_a, contact)
    assert not can_change_contact(personas.province_manager, contact)  # reads, does not take contacts
    assert not can_change_contact(personas.officer_b, contact)
    with pytest.raises(PermissionDenied):
        get_contact_for_user(personas.province_manager, contact.pk, Action.CONTACT_TAKE)
    assert can_see_caller(personas.hotline, contact) and not can_see_caller(personas.officer_a, contact)
    contact.caller_consents_to_identity = True
    assert can_see_caller(personas.officer_a, contact)


def test_bad_ids_are_404(personas):
    for value in ("abc", None, 0):
        with pytest.raises(Http404):
            get_contact_for_user(personas.hotline, value)


# --- lists --------------------------------------------------------------------------------------------


def _touch(contacts):
    for c in contacts:
        _ = (c.line, c.admin_unit, c.counsellor, c.referred_to, list(c.reasons.all()))
        _ = [(row.child and row.child.person.full_name) for row in c.children.all()]


@pytest.mark.parametrize("n", [2, 6])
def test_list_queries_do_not_grow_with_the_rows(personas, units, django_assert_num_queries, n):
    for _i in range(n):
        contact = ContactFactory(counsellor=personas.province_officer, reasons=["violence.sexual", "missing"])
        ContactChildFactory(contact=contact, child=ChildFactory(), name="")
    qs = selectors.contacts_for(personas.province_officer)
    list(qs)  # warm the viewer's scope cache
    with django_assert_num_queries(3):  # contacts with their relations, reasons, children with persons
        _touch(list(selectors.contacts_for(personas.province_officer)))


def test_list_filters(personas, units):
    old = ContactFactory(
        counsellor=personas.hotline, received_at=at(date(2026, 1, 2)), channel=Channel.SCHOOL
    )
    new = ContactFactory(counsellor=personas.hotline, reasons=["education.dropout"], urgency=Urgency.HIGH)
    f = selectors.ContactFilter
    assert list(selectors.contacts_for(personas.hotline, f(since=at(date(2026, 2, 1), 0)))) == [new]
    assert list(selectors.contacts_for(personas.hotline, f(until=at(date(2026, 2, 1), 0)))) == [old]
    assert list(selectors.contacts_for(personas.hotline, f(channel=Channel.SCHOOL))) == [old]
    assert list(selectors.contacts_for(personas.hotline, f(reason="education"))) == [new]
    assert list(selectors.contacts_for(personas.hotline, f(reason="educ"))) == []  # codes, not prefixes
    assert list(selectors.contacts_for(personas.hotline, f(urgency=Urgency.HIGH, line="111"))) == [new]


# --- repeat callers and children ------------------------------------------------------------------


def test_phone_numbers_have_one_form():
    for typed in ("0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678", "(091) 234-5678"):
        assert normalize_phone(typed).startswith("09")
    assert normalize_phone("+1 202 555 0100") == "+12025550100" and is_phone("+12025550100")
    assert is_phone("113") and not is_phone("call me") and not is_phone("12")


def test_previous_contacts_count_across_the_province_show_only_what_the_viewer_reads(personas, units):
    mine = ContactFactory(
        counsellor=personas.hotline, caller_phone="0912345678", received_at=at(date(2026, 3, 1))
    )
    ContactFactory(counsellor=personas.officer_a, caller_phone="0912345678", received_at=at(date(2026, 3, 5)))
    ContactFactory(counsellor=personas.hotline, caller_phone="0987654321")
    previous = selectors.previous_contacts(personas.hotline, phone="+84 912 345 678")
    assert previous.count == 2 and previous.shown == [mine] and previous.hidden == 1
    assert timezone.localtime(previous.last_at).date() == date(2026, 3, 5)
    assert selectors.previous_contacts(personas.hotline, phone="0912345678", exclude=mine.pk).count == 1
    assert selectors.previous_contacts(personas.hotline, phone="09123").count == 0  # too short to match
    assert selectors.previous_contacts(personas.viewer, phone="0912345678").count == 0  # no such role


def test_previous_contacts_about_a_child(personas, units):
    child = ChildFactory(admin_unit=units.commune_a)
    for _i in range(2):
        ContactChildFactory(contact=ContactFactory(counsellor=personas.hotline), child=child, name="")
    assert selectors.previous_contacts(personas.officer_a, child=child.pk).count == 2
    assert selectors.previous_by_child(personas.officer_a, [child.pk])[child.pk].count == 2


# --- emergencies ----------------------------------------------------------------------------------


def test_open_emergencies(personas, units):
    open_mine = ContactFactory(counsellor=personas.hotline, urgency=Urgency.EMERGENCY)
    ContactFactory(counsellor=personas.hotline, urgency=Urgency.EMERGENCY, outcome=Outcome.CASE_OPENED)
    ContactFactory(counsellor=personas.hotline, urgency=Urgency.HIGH)
    colleague = ContactFactory(counsellor=personas.case_manager, urgency=Urgency.EMERGENCY)
    panel = selectors.open_emergencies(personas.hotline)
    assert panel.contacts == [open_mine] and panel.others == 1
    province = selectors.open_emergencies(personas.province_officer)
    assert province.contacts == [open_mine, colleague] and province.others == 0


# --- counts -----------------------------------------------------------------------------------------


def test_counts_by_kind_channel_line_reason_and_type(personas, units):
    day = date(2026, 4, 10)
    line = Line.objects.create(number="18001769", name="Tư vấn", province=units.province)
    ContactFactory(
        counsellor=personas.hotline, received_at=at(day), reasons=["violence.physical", "violence.sexual"]
    )
    ContactFactory(counsellor=personas.hotline, received_at=at(day), reasons=["family.custody"], line=line)
    ContactFactory(counsellor=personas.hotline, received_at=at(day), channel=Channel.WALK_IN, line=None,
                   reasons=["violence.neglect"])  # fmt: skip
    ContactFactory(counsellor=personas.hotline, received_at=at(day), kind=ContactKind.NON_DATA,
                   non_data_type=NonDataType.SILENT, admin_unit=None, province=units.province)  # fmt: skip
    ContactFactory(counsellor=personas.hotline, received_at=at(day), admin_unit=units.commune_b)
    ContactFactory(counsellor=personas.hotline, received_at=at(date(2026, 4, 11), 0))  # the next day
    period = Period.day(day)
    counted = selectors.counted_contacts(viewer=personas.province_officer, unit=units.province, period=period)
    assert counted.count() == 5
    assert selectors.by_kind(counted) == {"data": 4, "non_data": 1}
    assert selectors.by_channel(counted)["walk_in"] == 1 and selectors.by_channel(counted)["phone"] == 4
    assert selectors.by_line(counted) == {"111": 3, "18001769": 1, "none": 1}
    by_reason = selectors.by_reason(counted)
    assert by_reason["violence"] == 3 and by_reason["family"] == 1 and by_reason["missing"] == 0
    assert selectors.by_non_data_type(counted)["silent"] == 1
    in_a = selectors.counted_contacts(viewer=personas.officer_a, unit=units.commune_a, period=period)
    assert in_a.count() == 3  # the unplaced contact counts for the province only


def test_counts_in_either_geography_and_scope(personas, units):
    day = date(2026, 4, 10)
    ContactFactory(counsellor=personas.hotline, received_at=at(day), admin_unit=units.legacy_a)
    period = Period.day(day)
    assert (
        selectors.counted_contacts(viewer=personas.officer_a, unit=units.commune_a, period=period).count()
        == 1
    )
    assert (
        selectors.counted_contacts(viewer=personas.officer_a, unit=units.legacy_a, period=period).count() == 1
    )
    with pytest.raises(Http404):
        selectors.counted_contacts(viewer=personas.officer_a, unit=units.commune_b, period=period)


def test_figures_are_registered_scoped_and_disaggregated(personas, units):
    day = date(2026, 4, 10)
    ContactFactory(counsellor=personas.hotline, received_at=at(day), reasons=["violence.physical"])
    ContactFactory(counsellor=personas.hotline, received_at=at(day), kind=ContactKind.NON_DATA,
                   non_data_type=NonDataType.HANG_UP)  # fmt: skip
    period = Period(date(2026, 4, 1), date(2026, 4, 30))
    element = metrics.get("intake.contacts")
    figure = element.compute(unit=units.province, period=period, viewer=personas.viewer, by=("kind", "line"))
    assert figure.total == 2 and figure.by["kind"] == {"data": 1, "non_data": 1}
    data = metrics.get("intake.data_contacts").compute(
        unit=units.commune_a, period=period, viewer=personas.chair_a, by=("reason",)
    )
    assert data.total == 1 and data.by["reason"]["violence"] == 1
    non_data = metrics.get("intake.non_data_contacts").compute(
        unit=units.province, period=period, viewer=personas.province_manager, by=("type",)
    )
    assert non_data.total == 1 and non_data.by["type"]["hang_up"] == 1
    with pytest.raises(PermissionDenied):  # counsellors take contacts; they do not count them
        element.compute(unit=units.province, period=period, viewer=personas.hotline)
    with pytest.raises(Http404):
        element.compute(unit=units.commune_b, period=period, viewer=personas.chair_a)
    with pytest.raises(metrics.UnknownDisaggregation):
        element.compute(unit=units.province, period=period, viewer=personas.viewer, by=("sex",))
