"""Browse the administrative-unit tree on a date, before or after the 2025 reform.

The tree expands with htmx (a partial per unit) and degrades to plain links to a unit's page, which
lists its children and its side of the crosswalk.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action

from . import selectors
from .forms import DateSwitchForm
from .models import LAST_PRE_REFORM_DAY, AdminUnit


def _require_geo_view(request: HttpRequest) -> None:
    if not can(request.user, Action.GEO_VIEW):
        raise PermissionDenied


def _get_unit_or_404(pk: int) -> AdminUnit:
    unit = selectors.unit_by_pk(pk)
    if unit is None:
        raise Http404
    return unit


def _date_form(request: HttpRequest) -> tuple[DateSwitchForm, date | None]:
    """The bound date switch and its day (today when empty); day None when the input is malformed."""
    form = DateSwitchForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, form.day(selectors.today())


def _context(on: date, **extra: Any) -> dict[str, Any]:
    return {"on": on, "today": selectors.today(), "pre_reform_day": LAST_PRE_REFORM_DAY, **extra}


@require_GET
@login_required
def browse(request: HttpRequest) -> HttpResponse:
    _require_geo_view(request)
    form, on = _date_form(request)
    status = 200
    if on is None:
        # Show the error beside the field and today's tree rather than a bare error page.
        on, status = selectors.today(), 400
    provinces = selectors.provinces_on(on)
    return render(request, "geo/browse.html", _context(on, form=form, provinces=provinces), status=status)


@require_GET
@login_required
def unit_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx partial: a unit's children valid on the chosen day."""
    _require_geo_view(request)
    on = _date_form(request)[1]
    if on is None:
        return HttpResponseBadRequest(_("Invalid date."))
    unit = _get_unit_or_404(pk)
    day = selectors.day_within(unit, on)
    children = selectors.units_valid_on(day, parent=unit)
    return render(request, "geo/_children.html", _context(day, unit=unit, children=children))


@require_GET
@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's page: what it is, its children on the chosen day, and its side of the crosswalk."""
    _require_geo_view(request)
    form, on = _date_form(request)
    status = 200
    if on is None:
        on, status = selectors.today(), 400
    unit = _get_unit_or_404(pk)
    day = selectors.day_within(unit, on)
    children = list(selectors.units_valid_on(day, parent=unit))
    # A pre-reform district lists where each of its communes went, in one query for all of them.
    child_successors = selectors.successors_by_unit(children) if unit.is_pre_reform else {}
    rows = [(child, child_successors.get(child.pk, [])) for child in children]
    context = _context(
        day,
        form=form,
        unit=unit,
        requested=on,
        ancestors=selectors.ancestors(unit),
        rows=rows,
        successors=list(selectors.successors(unit)),
        predecessors=list(selectors.predecessors(unit)),
    )
    return render(request, "geo/unit_detail.html", context, status=status)
