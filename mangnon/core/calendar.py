"""Working days and legal deadlines in Vietnam.

A day is a working day unless it is a Saturday or Sunday, or a public holiday listed by the `holidays`
package for Vietnam (Tết, Giỗ Tổ Hùng Vương, 30/4, 1/5, 2/9 and the days off the Government swaps in).
When the Government swaps a day off, the weekend day worked in return (e.g. Saturday 26/4/2025 for
Friday 2/5/2025) is a working day: the package lists those as `weekend_workdays`. On top of that, an
administrator adds `CalendarException` rows: `day_off` closes a day, `working_day` opens one (a make-up
Saturday). An exception always wins over the statutory calendar.

Deadlines follow Decree 56/2017: "within 12 hours" counts elapsed hours, night and weekend included;
"within N working days" ends at the end of the Nth working day (see `deadline_within_working_days`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .models import AuditAction, CalendarDayKind, CalendarException

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_SATURDAY = 5
# Exceptions are read in windows of at least this many days, so a deadline costs one query, rarely two.
_MIN_WINDOW = 31


@lru_cache(maxsize=64)
def _statutory(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, weekend days worked in exchange for a swapped day off) of one year.

    A swap announced for one year can reach into the next (31/12/2018 off, Saturday 5/1/2019 worked),
    so the neighbouring years are asked too and the answer is cut to `year`.
    """
    calendar = holidays.country_holidays("VN", years=[year - 1, year, year + 1])
    days_off = frozenset(d for d in calendar if d.year == year)
    worked = frozenset(d for d in calendar.weekend_workdays if d.year == year)
    return days_off, worked


def _statutory_working_day(d: date) -> bool:
    days_off, worked = _statutory(d.year)
    if d in days_off:
        return False
    return d.weekday() < _SATURDAY or d in worked


def _exceptions(first: date, last: date) -> dict[date, str]:
    rows = CalendarException.objects.filter(date__range=(first, last)).values_list("date", "kind")
    return dict(rows)


def _working(d: date, exceptions: Mapping[date, str]) -> bool:
    kind = exceptions.get(d)
    if kind == CalendarDayKind.DAY_OFF:
        return False
    if kind == CalendarDayKind.WORKING_DAY:
        return True
    return _statutory_working_day(d)


def is_working_day(d: date) -> bool:
    return _working(d, _exceptions(d, d))


def add_working_days(d: date, n: int) -> date:
    """The Nth working day after `d` (`d` itself when n is 0; `d` need not be a working day)."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return d
    window = timedelta(days=max(_MIN_WINDOW, 2 * n + 14))  # long enough to cross Tết's days off
    exceptions: dict[date, str] = {}
    day = loaded_until = d
    left = n
    while left:
        day += timedelta(days=1)
        if day > loaded_until:
            loaded_until = day + window
            exceptions = _exceptions(day, loaded_until)
        if _working(day, exceptions):
            left -= 1
    return day


def _require_aware(start: datetime) -> None:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be an aware datetime")


def deadline_within_hours(start: datetime, hours: float) -> datetime:
    """`start` plus elapsed hours (nights, weekends and holidays count), in Vietnam's time zone."""
    _require_aware(start)
    return (start + timedelta(hours=hours)).astimezone(VN_TZ)


def deadline_within_working_days(start: datetime, n: int) -> datetime:
    """The last moment of the Nth working day after the day `start` falls on in Vietnam.

    The day of `start` does not count, whatever the hour and whether or not it is a working day: a
    request received on Friday afternoon with 5 working days is due at 23:59:59.999999 (Asia/Ho_Chi_Minh)
    of the following Friday. Ending at the end of the day rather than at the hour of `start` matches
    how offices read "trong thời hạn N ngày làm việc": the whole last day is available.
    """
    _require_aware(start)
    due = add_working_days(start.astimezone(VN_TZ).date(), n)
    return datetime.combine(due, time.max, tzinfo=VN_TZ)


def calendar_exception_set(*, actor: Any, date: date, kind: str, name: str = "") -> CalendarException:
    """Add or change the administrator's exception for one day.

    Only a day the statutory calendar has off can be made a working day, and only a statutory working day
    can be given off, so an exception always changes something. Permission (Action.CALENDAR_MANAGE) is
    checked by the caller: core cannot depend on accounts.
    """
    if kind not in CalendarDayKind.values:
        raise ValidationError(_("Unknown kind of calendar day: %(kind)s") % {"kind": kind}, code="invalid")
    statutory = _statutory_working_day(date)
    if kind == CalendarDayKind.WORKING_DAY and statutory:
        raise ValidationError(_("This day is already a working day."), code="already_working")
    if kind == CalendarDayKind.DAY_OFF and not statutory:
        raise ValidationError(_("This day is already a day off."), code="already_off")
    with transaction.atomic():
        row = CalendarException.objects.select_for_update().filter(date=date).first()
        if row is None:
            row = CalendarException.objects.create(date=date, kind=kind, name=name)
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=row,
                changes=audit.diff({}, {"date": date, "kind": kind, "name": name}),
            )
            return row
        old = {"kind": row.kind, "name": row.name}
        row.kind, row.name = kind, name
        row.save(update_fields=["kind", "name", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            changes=audit.diff(old, {"kind": kind, "name": name}),
        )
    return row


def calendar_exception_delete(*, actor: Any, date: date) -> None:
    """Remove the exception for one day: the statutory calendar applies again."""
    with transaction.atomic():
        row = CalendarException.objects.select_for_update().filter(date=date).first()
        if row is None:
            raise CalendarException.DoesNotExist
        audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=row,
            changes={"date": [row.date, None], "kind": [row.kind, None], "name": [row.name, None]},
        )
        row.delete()
