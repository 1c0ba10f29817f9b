"""The working-day calendar page (/calendar/): the statutory days off of a year, and the administrator's
exceptions (the Government's announced extra days off and make-up working days) added or removed here.

Core's models and services must not import accounts; views may, so the permission check lives here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import holidays
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action

from . import navigation
from .calendar import calendar_exception_delete, calendar_exception_set
from .formatting import vi_date
from .forms import VietnameseDateField, parse_date
from .models import AuditAction, AuditEvent, CalendarDayKind, CalendarException

# The years the `holidays` package knows Vietnam's calendar for, with room for planning ahead.
MIN_YEAR, MAX_YEAR = 2000, 2100
_US_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")

navigation.register(
    navigation.NavItem(
        key="calendar",
        label=gettext_lazy("Working-day calendar"),
        url_name="core:calendar",
        order=80,
        visible=lambda user: can(user, Action.CALENDAR_MANAGE),
    )
)


class CalendarExceptionForm(forms.Form):
    """One exception to add; also parses the arguments of `mangnon calendar add`."""

    date = VietnameseDateField(label=gettext_lazy("Date"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CalendarDayKind.choices)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. Official letter 123/TB-VPCP")}),
    )

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        existing = CalendarException.objects.filter(date=day).first()
        # The service would overwrite an existing exception; adding must not change one silently.
        if existing is not None:
            raise forms.ValidationError(
                _("%(date)s already has an exception (%(kind)s). Delete it first to change it."),
                params={"date": vi_date(day), "kind": existing.get_kind_display()},
            )
        return day

    def save(self, *, actor: Any) -> CalendarException | None:
        """Add the exception; None when the service refuses it (its reason becomes a form error)."""
        try:
            return calendar_exception_set(
                actor=actor,
                date=self.cleaned_data["date"],
                kind=self.cleaned_data["kind"],
                name=self.cleaned_data["reason"],
            )
        except ValidationError as e:
            self.add_error(None, e)
            return None


@dataclass(frozen=True)
class StatutoryDay:
    date: dt.date
    name: str


@lru_cache(maxsize=64)
def statutory_days(year: int, language: str) -> tuple[tuple[StatutoryDay, ...], tuple[dt.date, ...]]:
    """(days off with their names, weekend days worked in exchange) that the package lists for `year`."""
    vietnamese = language.startswith("vi")
    # Neighbouring years too, as core.calendar does: a swap can reach across New Year.
    listed = holidays.country_holidays(
        "VN", years=[year - 1, year, year + 1], language="vi" if vietnamese else "en_US"
    )
    days_off = []
    for day, name in sorted((d, n) for d, n in listed.items() if d.year == year):
        if not vietnamese:
            # The English names carry US dates ("substituted from 08/22/2026"); ours are dd/mm/yyyy.
            name = _US_DATE.sub(r"\2/\1/\3", name)
        days_off.append(StatutoryDay(day, name))
    worked = tuple(sorted(d for d in listed.weekend_workdays if d.year == year))
    return tuple(days_off), worked


def exceptions_of(year: int) -> list[CalendarException]:
    """The year's exceptions, each with `added_by` (from its audit event: the row keeps no actor)."""
    rows = list(CalendarException.objects.filter(date__year=year))
    events = AuditEvent.objects.filter(
        object_type=CalendarException._meta.label_lower,
        object_id__in=[str(r.pk) for r in rows],
        action=AuditAction.CREATE,
    ).values_list("object_id", "actor_username")
    # The latest creation of an id wins: a database may give a deleted row's id to a new row.
    added_by = dict(events.order_by("id"))
    for row in rows:
        row.added_by = added_by.get(str(row.pk), "")  # type: ignore[attr-defined]
    return rows


def _year_url(year: int) -> str:
    return f"{reverse('core:calendar')}?{urlencode({'year': year})}"


def _check(request: HttpRequest) -> None:
    if not can(request.user, Action.CALENDAR_MANAGE):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    _check(request)
    status = 200
    year_error = ""
    year = timezone.localdate().year
    raw_year = request.GET.get("year", "")
    if raw_year:
        if raw_year.isdigit() and MIN_YEAR <= int(raw_year) <= MAX_YEAR:
            year = int(raw_year)
        else:
            year_error = _("The year must be a number from %(min)d to %(max)d.") % {
                "min": MIN_YEAR,
                "max": MAX_YEAR,
            }
            status = 400

    if request.method == "POST":
        form = CalendarExceptionForm(request.POST)
        row = form.save(actor=request.user) if form.is_valid() else None
        if row is not None:
            messages.success(
                request,
                _("Added %(kind)s on %(date)s.")
                % {"kind": row.get_kind_display(), "date": vi_date(row.date)},
            )
            return HttpResponseRedirect(_year_url(row.date.year))
        status = 400
    else:
        form = CalendarExceptionForm()

    days_off, worked = statutory_days(year, translation.get_language() or "vi")
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "year_error": year_error,
            "previous_year": year - 1 if year > MIN_YEAR else None,
            "next_year": year + 1 if year < MAX_YEAR else None,
            "days_off": days_off,
            "weekend_workdays": worked,
            "exceptions": exceptions_of(year),
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def calendar_exception_remove(request: HttpRequest) -> HttpResponse:
    _check(request)
    day = parse_date(request.POST.get("date", ""))
    if day is None:
        messages.error(request, _("Enter a date as dd/mm/yyyy."))
        return HttpResponseRedirect(reverse("core:calendar"))
    try:
        calendar_exception_delete(actor=request.user, date=day)
    except CalendarException.DoesNotExist:
        messages.error(request, _("There is no exception on %(date)s.") % {"date": vi_date(day)})
    else:
        messages.success(
            request,
            _("Removed the exception on %(date)s: the statutory calendar applies again.")
            % {"date": vi_date(day)},
        )
    return HttpResponseRedirect(_year_url(day.year))
