"""The activity calendar: one month of the activities the viewer may read, day by day.

The month's activities come in one query (the list's selector, with each activity's person-times in the
same query), narrowed to those whose span [start, end] meets the month; an activity over several days
appears on each of its days. Showing them is reading a list of activities, so it is audited as the list
page is. On a phone the month is a list of the days that have activities; on a wide screen a grid.
"""

from __future__ import annotations

import calendar as pycalendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action

from . import selectors
from .forms import ActivityFilterForm
from .models import Activity
from .views import _units

# A month of a whole province stays well under this; past it the page says that not all are shown.
MAX_SHOWN = 500
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class CalendarFilterForm(ActivityFilterForm):
    """The list's filters without its period (the month is the period), plus the campaign."""

    month = forms.CharField(label=gettext_lazy("Month"), required=False, widget=forms.HiddenInput)
    campaign = forms.TypedChoiceField(
        label=gettext_lazy("Campaign"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, campaigns: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["start"], self.fields["end"]
        self.fields["campaign"].choices = [("", "—"), *[(str(pk), name) for pk, name in campaigns]]  # type: ignore[attr-defined]

    def clean_month(self) -> date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        found = MONTH_RE.match(value)
        if found is None or not 1 <= int(found[2]) <= 12 or not 1900 <= int(found[1]) <= 9999:
            raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return date(int(found[1]), int(found[2]), 1)


@dataclass
class Day:
    day: date
    in_month: bool
    activities: list[Activity] = field(default_factory=list)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_days(first: date, activities: list[Activity]) -> list[list[Day]]:
    """The weeks (Monday first) covering the month, each day with the activities that span it."""
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    days = {d: Day(d, d.month == first.month) for week in weeks for d in week}
    last = _shift(first, 1) - timedelta(days=1)
    for activity in activities:
        day = max(activity.start_date, first)
        end = min(activity.end_date, last)
        while day <= end:
            days[day].activities.append(activity)
            day += timedelta(days=1)
    return [[days[d] for d in week] for week in weeks]


@require_GET
@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    campaigns = [(c.pk, c.name) for c in selectors.campaigns_for(request.user)]
    form = CalendarFilterForm(
        request.GET or None, units=_units(request.user, Action.ACTIVITY_VIEW), campaigns=campaigns
    )
    today = timezone.localdate()
    first = today.replace(day=1)
    filters = selectors.ActivityFilter()
    valid = True
    if form.is_bound:
        valid = form.is_valid()
        if valid:
            data = form.cleaned_data
            first = data["month"] or first
            filters = selectors.ActivityFilter(
                unit=form.chosen_unit(), kind=data["kind"], campaign=data["campaign"]
            )
    last = _shift(first, 1) - timedelta(days=1)
    found = list(
        selectors.activities_for(request.user, filters)
        .filter(start_date__lte=last, end_date__gte=first)
        .order_by("start_date", "title", "pk")[: MAX_SHOWN + 1]
    )
    shown = found[:MAX_SHOWN]
    audited = selectors.ActivityFilter(
        start=first, end=last, unit=filters.unit, kind=filters.kind, campaign=filters.campaign
    )
    selectors.record_list_view(request.user, shown, filters=audited)
    query = {k: request.GET[k] for k in ("unit", "kind", "campaign") if request.GET.get(k)}

    def month_url(month: date) -> str:
        return "?" + urlencode({"month": f"{month:%Y-%m}", **query})

    return render(
        request,
        "activities/calendar.html",
        {
            "form": form,
            "month": first,
            "month_value": f"{first:%Y-%m}",
            "weeks": month_days(first, shown),
            "activities": shown,
            "truncated": len(found) > MAX_SHOWN,
            "max_shown": MAX_SHOWN,
            "today": today,
            "previous_url": month_url(_shift(first, -1)),
            "next_url": month_url(_shift(first, 1)),
            "this_month_url": month_url(today.replace(day=1)),
        },
        status=200 if valid else 400,
    )
