"""The catalogue page and the target pages: every indicator of a unit's plan for a year with its target,
the value reached and whether it was met; one target's form and its history.

Views only translate: units come through `target_selectors.get_unit_for_user` (404 outside the scope),
values through the evaluator, every write through `target_services.target_set`. Targets and values are
aggregate figures: reading them is not audited; setting a target is.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.geo.models import AdminUnit

from . import target_selectors, target_services
from .engine import Evaluator
from .models import TargetKind
from .periods import ReportingPeriod
from .target_forms import TargetChooser, TargetForm


def _status_labels() -> dict[str, str]:
    # Translated at request time, in the reader's language.
    return {
        "met": _("Met"),
        "not_met": _("Not met"),
        "in_progress": _("In progress"),
        "no_target": _("No target"),
        "no_data": _("No data"),
        "not_available": _("Not available to you"),
    }


def _unit_label(unit: AdminUnit) -> str:
    if unit.valid_to is None:
        return unit.name
    return str(_("%(name)s (until %(day)s)") % {"name": unit.name, "day": unit.valid_to.strftime("%d/%m/%Y")})


@require_GET
@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    target_selectors.require_view(request.user)
    return render(
        request,
        "indicators/catalogue.html",
        {"entries": target_selectors.catalogue_entries(), "data_sets": target_selectors.data_sets()},
    )


@require_GET
@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    target_selectors.require_view(user)
    year = target_selectors.year_or_404(request.GET.get("year"))
    units = target_selectors.units_for(user, year)
    chosen = request.GET.get("unit")
    if chosen:
        unit = target_selectors.get_unit_for_user(user, chosen)
    elif units:
        unit = units[0]
    else:
        raise PermissionDenied
    if unit not in units:
        units.insert(0, unit)
    return render(
        request,
        "indicators/targets.html",
        {
            "unit": unit,
            "year": year,
            "groups": target_selectors.targets_by_group(user, unit, year),
            "chooser": TargetChooser(
                initial={"unit": unit.pk, "year": year}, choices=[(u.pk, _unit_label(u)) for u in units]
            ),
            "can_set": scope_for(user, Action.TARGET_SET).contains(unit),
            "status_labels": _status_labels(),
            "kind_labels": dict(TargetKind.choices),
        },
    )


def _initial(history: target_selectors.TargetHistory) -> dict[str, Any]:
    target = history.target
    if target is None:
        return {"version": 0, "kind": TargetKind.LEVEL}
    value = "" if target.value is None else target.value.normalize()
    return {
        "version": target.version,
        "kind": target.kind,
        "value": "" if value == "" else f"{value:f}",
        "source_document": target.source_document,
    }


@require_http_methods(["GET", "POST"])
@login_required
def target_edit(request: HttpRequest, code: str, unit_id: int, year: int) -> HttpResponse:
    user = request.user
    indicator = target_selectors.indicator_or_404(code)
    unit = target_selectors.get_unit_for_user(user, unit_id)
    year = target_selectors.year_or_404(year)
    can_set = scope_for(user, Action.TARGET_SET).contains(unit)
    history = target_selectors.target_history(unit, indicator.code, year)
    form = TargetForm(initial=_initial(history))
    status = 200
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        form = TargetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                target_services.target_set(
                    actor=user,
                    indicator=indicator.code,
                    unit=unit,
                    year=year,
                    kind=data["kind"],
                    value=data["value"],
                    source_document=data["source_document"],
                    reason=data["reason"],
                    version=data["version"],
                )
            except target_services.Conflict:
                messages.error(
                    request,
                    _("The record was changed by someone else: reload it and make your change again."),
                )
                history = target_selectors.target_history(unit, indicator.code, year)
                form = TargetForm({**request.POST.dict(), **{"version": _initial(history)["version"]}})
                form.is_valid()
                status = 409
            except ValidationError as exc:
                for name, problems in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
                status = 422
            else:
                messages.success(request, _("Saved."))
                url = reverse("indicators:targets") + f"?unit={unit.pk}&year={year}"
                return HttpResponseRedirect(url, status=303)
        else:
            status = 422
    row = target_selectors.target_row(Evaluator(user).value(indicator, unit, ReportingPeriod.year(year)))
    return render(
        request,
        "indicators/targets_edit.html",
        {
            "indicator": indicator,
            "unit": unit,
            "year": year,
            "history": history,
            "form": form,
            "can_set": can_set,
            "row": row,
            "status_labels": _status_labels(),
            "kind_labels": dict(TargetKind.choices),
        },
        status=status,
    )
