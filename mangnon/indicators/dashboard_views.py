"""The dashboard (every indicator of a unit and year) and one indicator in depth, with their XLSX exports.

Views only translate: the tables come from `dashboard_selectors` (scope: a unit outside the viewer's
indicator scope is a 404, a role that reads no indicators a 403), the files from `dashboard_export`.
Everything shown is an aggregate, so nothing here is audited; the lists the drill-down links open are
the owning apps' and audit their reads there. `?publish=1` suppresses small cells as for publication.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.geo.models import AdminUnit

from . import catalogue
from . import dashboard_export as files
from . import dashboard_selectors as s
from .catalogue import Indicator


class IndicatorFilterForm(forms.Form):
    """The unit and year of the dashboard (and, on an indicator's page, the geography of its units)."""

    unit = forms.TypedChoiceField(label=gettext_lazy("Unit"), coerce=int)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    geography = forms.ChoiceField(
        label=gettext_lazy("Units below"), choices=list(s.GEOGRAPHY_LABELS.items()), required=False
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], with_geography: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
        self.fields["year"].choices = [(year, str(year)) for year in s.years()]  # type: ignore[attr-defined]
        for name in ("unit", "year", "geography"):
            self.fields[name].widget.attrs["data-autosubmit"] = ""
        if not with_geography:
            del self.fields["geography"]


class Chosen:
    """What a request asks for: unit, year, geography, publication; or the problem with it."""

    def __init__(self, request: HttpRequest, *, with_geography: bool = False) -> None:
        viewer = request.user
        if not can(viewer, Action.INDICATOR_VIEW):
            raise PermissionDenied
        self.errors: list[str] = []
        self.year = s.default_year()
        raw_year = request.GET.get("year")
        if raw_year:
            try:
                self.year = int(raw_year)
            except ValueError:
                self.year = 0
            if self.year not in s.years():
                self.errors.append(
                    _("Choose a year from %(first)s to %(last)s.")
                    % {"first": s.years()[0], "last": s.years()[-1]}
                )
                self.year = s.default_year()
        unit = s.unit_for(viewer, request.GET["unit"]) if request.GET.get("unit") else s.default_unit(viewer)
        if unit is None:
            raise Http404
        self.unit: AdminUnit = unit
        self.geography = request.GET.get("geography") or s.Geography.PERIOD
        if self.geography not in s.GEOGRAPHY_LABELS:
            self.errors.append(_("Choose the units as they were in the period or today's units."))
            self.geography = s.Geography.PERIOD
        self.publish = request.GET.get("publish") == "1"
        self.form = IndicatorFilterForm(
            initial={"unit": unit.pk, "year": self.year, "geography": self.geography},
            units=s.unit_choices(viewer, self.year, unit),
            with_geography=with_geography,
        )

    def query(self, **extra: Any) -> str:
        params: dict[str, Any] = {"unit": self.unit.pk, "year": self.year}
        params.update(extra)
        return urlencode(params)


def _indicator(code: str) -> Indicator:
    try:
        return catalogue.get(code)
    except KeyError:
        raise Http404 from None


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every indicator for a unit and year against its target and the year before (aggregate: not audited)."""
    chosen = Chosen(request)
    board = s.dashboard(viewer=request.user, unit=chosen.unit, year=chosen.year, publish=chosen.publish)
    context = {
        "form": chosen.form,
        "errors": chosen.errors,
        "board": board,
        "query": chosen.query(),
        "publish_query": chosen.query(publish=1),
        "charts": {"charts": board.charts(), "labels": _chart_labels()},
        "mark": s.SUPPRESSED_MARK,
    }
    return render(request, "indicators/dashboard.html", context, status=400 if chosen.errors else 200)


@require_GET
@login_required
def dashboard_export(request: HttpRequest) -> HttpResponse | FileResponse:
    chosen = Chosen(request)
    if chosen.errors:
        return HttpResponse("\n".join(chosen.errors), status=400, content_type="text/plain; charset=utf-8")
    board = s.dashboard(viewer=request.user, unit=chosen.unit, year=chosen.year, publish=chosen.publish)
    return files.dashboard_file(board, publish=chosen.publish)


@require_GET
@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator: its trend, the units below, its categories (aggregate: not audited)."""
    chosen = Chosen(request, with_geography=True)
    indicator = _indicator(code)
    result = s.detail(
        viewer=request.user,
        indicator=indicator,
        unit=chosen.unit,
        year=chosen.year,
        geography=chosen.geography,
        publish=chosen.publish,
    )
    context = {
        "form": chosen.form,
        "errors": chosen.errors,
        "detail": result,
        "query": chosen.query(geography=chosen.geography),
        "publish_query": chosen.query(geography=chosen.geography, publish=1),
        "dashboard_query": chosen.query(),
        "charts": {"charts": [result.chart()], "labels": _chart_labels(), "line": True},
        "mark": s.SUPPRESSED_MARK,
    }
    return render(request, "indicators/detail.html", context, status=400 if chosen.errors else 200)


@require_GET
@login_required
def detail_export(request: HttpRequest, code: str) -> HttpResponse | FileResponse:
    chosen = Chosen(request, with_geography=True)
    indicator = _indicator(code)
    if chosen.errors:
        return HttpResponse("\n".join(chosen.errors), status=400, content_type="text/plain; charset=utf-8")
    result = s.detail(
        viewer=request.user,
        indicator=indicator,
        unit=chosen.unit,
        year=chosen.year,
        geography=chosen.geography,
        publish=chosen.publish,
    )
    return files.detail_file(result, publish=chosen.publish)


def _chart_labels() -> dict[str, str]:
    return {
        "actual": _("Actual"),
        "target": _("Target"),
        "suppressed": _("suppressed to protect children's identity"),
    }
