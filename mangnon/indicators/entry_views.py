"""The entered-data pages: the overview of who has reported a data set for a period, a unit's report
(its figures, its status and the steps the viewer may take), and the report's history.

Views only translate: units and reports come through entry_selectors (404 outside the viewer's scope),
every write through entry_services. State changes are POST-only and redirect with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import can, check_at_unit, scope_for
from mangnon.accounts.roles import Action
from mangnon.core.forms import errors_to_form
from mangnon.geo.models import AdminUnit

from . import entry_selectors as sel
from . import entry_services as services
from .entered import DATA_SETS, DataSet
from .entry_forms import ChooserForm, EntryForm, ReasonForm
from .models import DataSetReport, ReportStatus
from .periods import ReportingPeriod, parse_period


def _unit_label(unit: AdminUnit) -> str:
    if unit.valid_to is None:
        return unit.name
    return str(_("%(name)s (until %(day)s)") % {"name": unit.name, "day": unit.valid_to.strftime("%d/%m/%Y")})


def _target(
    request: HttpRequest, code: str, unit_id: Any, key: str
) -> tuple[DataSet, AdminUnit, ReportingPeriod]:
    data_set = sel.data_set_or_404(code)
    period = sel.period_or_404(data_set, key)
    unit = sel.unit_or_404(unit_id)
    sel.entry_unit_or_404(request.user, data_set, unit, period)
    return data_set, unit, period


def _entry_url(data_set: DataSet, unit: AdminUnit, period: ReportingPeriod) -> str:
    return reverse("indicators:entry", args=[data_set.code, unit.pk, period.key])


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, Action.INDICATOR_VIEW):
        raise PermissionDenied
    units = sel.overview_units(user)
    chosen = request.GET.get("unit")
    unit = sel.unit_or_404(chosen) if chosen else (units[0] if units else None)
    if unit is None:
        raise Http404
    if not scope_for(user, Action.INDICATOR_VIEW).contains(unit):
        raise Http404
    if unit not in units:
        units.insert(0, unit)
    data = {
        "data_set": request.GET.get("data_set") or DATA_SETS[0].code,
        "period": request.GET.get("period") or str(timezone.localdate().year - 1),
        "unit": str(unit.pk),
    }
    chooser = ChooserForm(data, units=[(u.pk, _unit_label(u)) for u in units])
    result = None
    status = 200
    if chooser.is_valid():
        data_set = sel.data_set_or_404(chooser.cleaned_data["data_set"])
        try:
            period = parse_period(chooser.cleaned_data["period"])
        except ValidationError as exc:
            chooser.add_error("period", exc)
            period = None
        if period is not None and period.type != data_set.period_type:
            chooser.add_error("period", _("This data set is entered for each year: write a year, as 2020."))
            period = None
        if period is not None:
            result = sel.overview(user, data_set, period, unit)
    if result is None:
        status = 400
    return render(
        request,
        "indicators/data_overview.html",
        {"chooser": chooser, "overview": result, "unit": unit, "today": timezone.localdate()},
        status=status,
    )


def _page(
    request: HttpRequest,
    data_set: DataSet,
    unit: AdminUnit,
    period: ReportingPeriod,
    *,
    form: EntryForm | None = None,
    step_errors: list[str] | None = None,
    return_form: ReasonForm | None = None,
    unlock_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    report = sel.report_for(user, data_set, unit, period)
    stored = sel.stored_values(report)
    state = report.status if report else ReportStatus.OPEN
    is_open = state == ReportStatus.OPEN
    may_enter = scope_for(user, Action.DATA_ENTER).contains(unit)
    may_approve = scope_for(user, Action.DATA_APPROVE).contains(unit)
    editable = may_enter and is_open
    if form is None:
        form = EntryForm(initial={"version": report.version if report else None, **stored}, data_set=data_set)
    rows = []
    for element in data_set.elements:
        field = form[element.code]
        if not editable:
            field.field.disabled = True
        rows.append(
            {
                "element": element,
                "field": field,
                "stored": stored.get(element.code),
                "whole": data_set.element(element.part_of) if element.part_of else None,
            }
        )
    return render(
        request,
        "indicators/data_entry.html",
        {
            "data_set": data_set,
            "unit": unit,
            "period": period,
            "report": report,
            "status": state,
            "status_label": ReportStatus(state).label,
            "due_on": data_set.due_on(period),
            "form": form,
            "rows": rows,
            "filled": sum(1 for e in data_set.elements if stored.get(e.code) is not None),
            "editable": editable,
            "can_submit": editable and report is not None,
            "can_approve": may_approve and state == ReportStatus.SUBMITTED,
            "own_submission": report is not None and report.submitted_by_id == user.pk,
            "can_unlock": state == ReportStatus.APPROVED
            and scope_for(user, Action.DATA_UNLOCK).contains(unit),
            "step_errors": step_errors or [],
            "return_form": return_form or ReasonForm(auto_id="return_%s"),
            "unlock_form": unlock_form or ReasonForm(auto_id="unlock_%s"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def entry(request: HttpRequest, data_set: str, unit_id: int, period: str) -> HttpResponse:
    ds, unit, when = _target(request, data_set, unit_id, period)
    if request.method != "POST":
        return _page(request, ds, unit, when)
    check_at_unit(request.user, unit, Action.INDICATOR_VIEW, Action.DATA_ENTER)
    form = EntryForm(request.POST, data_set=ds)
    if not form.is_valid():
        return _page(request, ds, unit, when, form=form, status=400)
    try:
        saved = services.report_values_save(
            actor=request.user,
            data_set=ds,
            unit=unit,
            period=when,
            values=form.values(),
            version=form.cleaned_data.get("version"),
        )
    except services.Conflict as conflict:
        # Keep what was typed, now against the current version: the stored figures are shown beside each
        # field, and saving again is a choice made knowing them.
        kept = request.POST.copy()
        kept["version"] = str(conflict.current_version)
        form = EntryForm(kept, data_set=ds)
        form.is_valid()
        form.add_error(
            None,
            _(
                "Someone else changed this report while you were typing. Your figures are kept: compare "
                "them with the stored ones and save again."
            ),
        )
        return _page(request, ds, unit, when, form=form, status=409)
    except ValidationError as error:
        errors_to_form(form, error)
        return _page(request, ds, unit, when, form=form, status=400)
    if saved.changed:
        messages.success(request, _("Saved. Figures changed: %(count)s.") % {"count": len(saved.changed)})
    else:
        messages.info(request, _("Nothing changed."))
    return HttpResponseRedirect(_entry_url(ds, unit, when), status=303)


def _report_or_404(
    request: HttpRequest, ds: DataSet, unit: AdminUnit, when: ReportingPeriod
) -> DataSetReport:
    report = sel.report_for(request.user, ds, unit, when)
    if report is None:
        raise Http404
    return report


def _step_view(request: HttpRequest, data_set: str, unit_id: int, period: str, step: str) -> HttpResponse:
    ds, unit, when = _target(request, data_set, unit_id, period)
    report = _report_or_404(request, ds, unit, when)
    form = ReasonForm(request.POST, auto_id=f"{step}_%s")
    form.is_valid()
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    try:
        if step == "submit":
            services.report_submit(actor=request.user, report=report)
            done = _("The report is submitted for approval.")
        elif step == "approve":
            services.report_approve(actor=request.user, report=report)
            done = _("The report is approved and locked.")
        elif step == "return":
            services.report_return(actor=request.user, report=report, reason=reason)
            done = _("The report is returned for correction.")
        else:
            services.report_unlock(actor=request.user, report=report, reason=reason)
            done = _("The report is unlocked: its figures can be changed again.")
    except ValidationError as error:
        if step in ("return", "unlock"):
            errors_to_form(form, error)
            forms = {f"{step}_form": form}
            return _page(request, ds, unit, when, status=400, **forms)  # type: ignore[arg-type]
        return _page(request, ds, unit, when, step_errors=error.messages, status=400)
    messages.success(request, done)
    return HttpResponseRedirect(_entry_url(ds, unit, when), status=303)


@require_POST
@login_required
def submit(request: HttpRequest, data_set: str, unit_id: int, period: str) -> HttpResponse:
    return _step_view(request, data_set, unit_id, period, "submit")


@require_POST
@login_required
def approve(request: HttpRequest, data_set: str, unit_id: int, period: str) -> HttpResponse:
    return _step_view(request, data_set, unit_id, period, "approve")


@require_POST
@login_required
def send_back(request: HttpRequest, data_set: str, unit_id: int, period: str) -> HttpResponse:
    return _step_view(request, data_set, unit_id, period, "return")


@require_POST
@login_required
def unlock(request: HttpRequest, data_set: str, unit_id: int, period: str) -> HttpResponse:
    return _step_view(request, data_set, unit_id, period, "unlock")


@require_GET
@login_required
def history(request: HttpRequest, data_set: str, unit_id: int, period: str) -> HttpResponse:
    ds, unit, when = _target(request, data_set, unit_id, period)
    rows = sel.history(request.user, ds, unit, when)
    return render(
        request,
        "indicators/data_history.html",
        {"data_set": ds, "unit": unit, "period": when, "rows": rows},
    )
