from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mangnon.core.calendar import add_working_days, is_working_day
from mangnon.core.models import AuditAction, AuditEvent, CalendarDayKind, CalendarException

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 2, 25)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def _events():
    return AuditEvent.objects.filter(object_type="core.calendarexception").order_by("id")


def test_list_shows_the_statutory_days_and_the_weekend_workdays():
    out = _run("list", "--year", "2026")
    for day in (16, 17, 18, 19, 20):
        assert f"{day}/02/2026" in out
    assert "17/02/2026 Tue  Lunar New Year" in out
    assert "22/08/2026 Sat" in out
    assert "Day off (substituted from 22/08/2026)" in out
    assert out.rstrip().endswith("Exceptions added by administrators:\n  none")


def test_add_list_remove_with_system_audit_events():
    assert add_working_days(date(2026, 2, 24), 1) == WEDNESDAY

    out = _run("add", "25/02/2026", "--kind", "day_off", "--reason", "Thông báo 12/TB-VPCP")

    assert "Added day_off on 25/02/2026 Wed: Thông báo 12/TB-VPCP" in out
    assert add_working_days(date(2026, 2, 24), 1) == date(2026, 2, 26)
    created = _events().get()
    assert created.action == AuditAction.CREATE
    assert created.actor_id is None and created.actor_username == ""
    assert created.changes["kind"] == [None, "day_off"]
    assert "25/02/2026 Wed  day_off      Thông báo 12/TB-VPCP  (added by system," in _run(
        "list", "--year", "2026"
    )

    out = _run("remove", "2026-02-25")

    assert "Removed the exception on 25/02/2026 Wed" in out
    assert not CalendarException.objects.exists()
    removed = _events().last()
    assert removed.action == AuditAction.DELETE and removed.actor_id is None
    assert is_working_day(WEDNESDAY)


def test_add_a_make_up_saturday_in_iso_form():
    _run("add", "2026-02-28", "--kind", "working_day", "--reason", "Làm bù")
    assert CalendarException.objects.get().kind == CalendarDayKind.WORKING_DAY
    assert is_working_day(date(2026, 2, 28))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "31/02/2026", "--kind", "day_off", "--reason", "x"), "Enter a date as dd/mm/yyyy."),
        (
            ("add", "25/02/2026", "--kind", "working_day", "--reason", "x"),
            "This day is already a working day.",
        ),
        (("add", "17/02/2026", "--kind", "day_off", "--reason", "x"), "This day is already a day off."),
        (("add", "25/02/2026", "--kind", "day_off", "--reason", ""), "This field is required."),
        (("add", "25/02/2026", "--kind", "holiday", "--reason", "x"), "invalid choice"),
        (("add", "25/02/2026", "--kind", "day_off"), "--reason"),
        (("remove", "25/02/2026"), "There is no exception on 25/02/2026."),
        (("remove", "2026-13-01"), "Enter the date as dd/mm/yyyy or yyyy-mm-dd"),
        (("list", "--year", "abc"), "--year must be a year from 2000 to 2100"),
    ],
)
def test_errors_are_command_errors_and_write_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not CalendarException.objects.exists()
    assert not _events().exists()


def test_add_refuses_a_day_that_has_an_exception_already():
    _run("add", "25/02/2026", "--kind", "day_off", "--reason", "first")
    with pytest.raises(CommandError, match="already has an exception"):
        _run("add", "25/02/2026", "--kind", "day_off", "--reason", "second")
    assert CalendarException.objects.get().name == "first"
    assert _events().count() == 1
