from datetime import UTC, date, datetime, time

import holidays
import pytest
from django.core.exceptions import ValidationError

from mangnon.accounts.tests.factories import UserFactory
from mangnon.core.calendar import (
    VN_TZ,
    add_working_days,
    calendar_exception_delete,
    calendar_exception_set,
    deadline_within_hours,
    deadline_within_working_days,
    is_working_day,
)
from mangnon.core.models import AuditAction, AuditEvent, CalendarDayKind, CalendarException

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 3, 6)
MONDAY = date(2026, 3, 9)
TET_2026 = [date(2026, 2, d) for d in (16, 17, 18, 19, 20)]


@pytest.fixture
def admin():
    return UserFactory(username="calendar-admin")


def _calendar_events():
    return AuditEvent.objects.filter(object_type="core.calendarexception").order_by("id")


def test_weekend_is_skipped():
    assert not is_working_day(date(2026, 3, 7))
    assert not is_working_day(date(2026, 3, 8))
    assert add_working_days(FRIDAY, 1) == MONDAY
    assert add_working_days(FRIDAY, 5) == date(2026, 3, 13)


def test_zero_working_days_is_the_day_itself_and_negative_is_refused():
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    with pytest.raises(ValueError, match="negative"):
        add_working_days(FRIDAY, -1)


def test_tet_2026_days_listed_by_the_holidays_package_are_days_off():
    listed = holidays.country_holidays("VN", years=[2026])
    tet = sorted(d for d in listed if d.month == 2)
    assert tet == TET_2026  # Mon 16/2 (Lunar New Year's Eve) to Fri 20/2 2026
    assert not any(is_working_day(d) for d in TET_2026)
    # Friday 13/2 + 1 working day: the weekend, five days of Tết, the weekend again -> Monday 23/2.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)  # Fri 13, then Mon 23 to Thu 26


def test_swapped_day_off_and_the_saturday_worked_for_it_follow_the_package():
    # 2025: Friday 2/5 off, worked on Saturday 26/4 instead (announced by the Government).
    assert not is_working_day(date(2025, 5, 2))
    assert is_working_day(date(2025, 4, 26))
    assert add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    # Wed 30/4, Thu 1/5 and Fri 2/5 off, then the weekend.
    assert add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)


def test_admin_day_off_is_skipped_and_audited(admin):
    tuesday = date(2026, 3, 10)
    row = calendar_exception_set(actor=admin, date=tuesday, kind=CalendarDayKind.DAY_OFF, name="Bầu cử")
    assert not is_working_day(tuesday)
    assert add_working_days(MONDAY, 1) == date(2026, 3, 11)
    event = _calendar_events().get()
    assert event.action == AuditAction.CREATE
    assert event.actor_username == "calendar-admin"
    assert event.object_id == str(row.pk)
    assert event.changes["kind"] == [None, "day_off"]
    assert event.changes["date"] == [None, "2026-03-10"]


def test_make_up_saturday_is_a_working_day(admin):
    saturday = date(2026, 3, 14)
    assert add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 16)
    calendar_exception_set(actor=admin, date=saturday, kind=CalendarDayKind.WORKING_DAY, name="Làm bù")
    assert is_working_day(saturday)
    assert add_working_days(date(2026, 3, 13), 1) == saturday


def test_changing_an_exception_updates_the_row_and_audits_the_change(admin):
    day = date(2026, 3, 10)
    calendar_exception_set(actor=admin, date=day, kind=CalendarDayKind.DAY_OFF, name="first")
    calendar_exception_set(actor=admin, date=day, kind=CalendarDayKind.DAY_OFF, name="second")
    assert CalendarException.objects.get(date=day).name == "second"
    update = _calendar_events().last()
    assert update.action == AuditAction.UPDATE
    assert update.changes == {"name": ["first", "second"]}


def test_an_exception_that_changes_nothing_is_refused_and_writes_nothing(admin):
    with pytest.raises(ValidationError) as working:
        calendar_exception_set(actor=admin, date=MONDAY, kind=CalendarDayKind.WORKING_DAY)
    assert working.value.code == "already_working"
    with pytest.raises(ValidationError) as off:
        calendar_exception_set(actor=admin, date=TET_2026[1], kind=CalendarDayKind.DAY_OFF)
    assert off.value.code == "already_off"
    with pytest.raises(ValidationError):
        calendar_exception_set(actor=admin, date=MONDAY, kind="holiday")
    assert not CalendarException.objects.exists()
    assert not _calendar_events().exists()


def test_deleting_an_exception_restores_the_statutory_calendar_and_is_audited(admin):
    day = date(2026, 3, 10)
    calendar_exception_set(actor=admin, date=day, kind=CalendarDayKind.DAY_OFF)
    calendar_exception_delete(actor=admin, date=day)
    assert is_working_day(day)
    event = _calendar_events().last()
    assert event.action == AuditAction.DELETE
    assert event.changes["kind"] == ["day_off", None]
    with pytest.raises(CalendarException.DoesNotExist):
        calendar_exception_delete(actor=admin, date=day)


def test_exceptions_are_read_once_for_a_whole_deadline(admin, django_assert_max_num_queries):
    calendar_exception_set(actor=admin, date=date(2026, 3, 10), kind=CalendarDayKind.DAY_OFF)
    with django_assert_max_num_queries(1):
        assert add_working_days(MONDAY, 10) == date(2026, 3, 24)
    # A long span reads the next window only when it gets there.
    with django_assert_max_num_queries(2):
        add_working_days(date(2026, 1, 1), 60)


def test_twelve_hours_run_across_midnight():
    start = datetime(2026, 3, 6, 21, 30, tzinfo=VN_TZ)
    due = deadline_within_hours(start, 12)
    assert due == datetime(2026, 3, 7, 9, 30, tzinfo=VN_TZ)
    assert due.tzinfo == VN_TZ
    # Elapsed hours ignore weekends and holidays: 12 hours from Tết's eve evening.
    assert deadline_within_hours(datetime(2026, 2, 16, 20, 0, tzinfo=VN_TZ), 12).date() == date(2026, 2, 17)


def test_working_day_deadline_ends_at_the_end_of_the_nth_working_day():
    received = datetime(2026, 3, 6, 16, 0, tzinfo=VN_TZ)  # Friday afternoon
    assert deadline_within_working_days(received, 5) == datetime.combine(
        date(2026, 3, 13), time.max, tzinfo=VN_TZ
    )


def test_working_day_deadline_counts_from_the_local_date_in_vietnam():
    # 18:00 UTC on Thursday is 01:00 on Friday in Vietnam: counting starts after Friday.
    received = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)
    due = deadline_within_working_days(received, 1)
    assert due == datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=VN_TZ)


def test_deadlines_need_aware_datetimes():
    naive = datetime(2026, 3, 6, 9, 0)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        deadline_within_hours(naive, 12)
    with pytest.raises(ValueError, match="aware"):
        deadline_within_working_days(naive, 5)
