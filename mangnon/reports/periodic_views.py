"""The periodic reports' pages: the list, a new report, the report itself (its sections edited in place
with htmx, its details, gathering its figures again, finalising it, a new version) and its files (asked
for, their progress polled, then downloaded).

Every report comes through `access.get_report_for_user` (404 outside the viewer's scope, and a draft to
someone who only reads); every write goes through `access.check_write` (403 for a reader) and a
service, which checks again and audits it. The page shows the figures' snapshot the report holds and
never gathers them on a view. Opening a report is audited as a view; downloading a file as an export.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.forms import errors_to_form
from mangnon.core.models import AuditAction
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import AdminUnit, Level

from . import annex, outputs, pdf, selectors, services
from .access import can_write, check_write, get_report_for_user, reports_for
from .forms import ReportCreateForm, ReportDetailsForm, ReportFilterForm, SectionForm
from .models import FileFormat, FileStatus, Report, ReportFile, ReportSection, SectionKey

PAGE_SIZE = 25
UNIT_LEVELS = (Level.PROVINCE, Level.COMMUNE, Level.SPECIAL_ZONE)
STALE_DETAILS = gettext_noop(
    "The report was changed by someone else: your details are kept, check them and save again."
)
STALE_REPORT = gettext_noop("The report was changed by someone else meanwhile: check it and try again.")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _detail_url(report: Report, anchor: str = "") -> str:
    url = reverse("reports:periodic_detail", args=[report.pk])
    return f"{url}#{anchor}" if anchor else url


def _writable_units(user: Any) -> list[AdminUnit]:
    """The units the user may write a report of: the province first, then its current communes by name,
    then the district-level units before the 2025 reform (for the reports of the years they existed)."""
    units = (
        scope_for(user, Action.REPORT_WRITE)
        .units()
        .filter(Q(valid_to__isnull=True, level__in=UNIT_LEVELS) | Q(level=Level.DISTRICT))
    )
    order: dict[str, int] = {Level.PROVINCE: 0, Level.COMMUNE: 1, Level.SPECIAL_ZONE: 1, Level.DISTRICT: 2}
    return sorted(units, key=lambda u: (order.get(u.level, 3), vi_sort_key(u.name), u.pk))


def _record_view(user: Any, report: Report, page: str) -> None:
    audit.record(
        actor=user, action=AuditAction.VIEW, obj=report, unit=report.admin_unit, changes={"page": page}
    )


# --- the list ----------------------------------------------------------------------------------------


@require_GET
@login_required
def periodic_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.REPORT_READ):
        raise PermissionDenied
    readable = reports_for(request.user)
    units = AdminUnit.objects.filter(pk__in=readable.values("admin_unit"))
    years = sorted({d.year for d in readable.dates("period_end", "year")}, reverse=True)
    form = ReportFilterForm(
        request.GET or None,
        units=sorted(units, key=lambda u: (u.level != Level.PROVINCE, vi_sort_key(u.name))),
        years=years,
    )
    rows = readable
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            rows = rows.filter(admin_unit_id=data["unit"])
        if data["year"]:
            year = data["year"]
            rows = rows.filter(Q(period_start__lte=date(year, 12, 31)) & Q(period_end__gte=date(year, 1, 1)))
        if data["status"]:
            rows = rows.filter(status=data["status"])
    rows = rows.defer("figures").order_by(
        "-period_end", "-period_start", "admin_unit__path", "-revision", "-pk"
    )
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: request.GET[k] for k in ("unit", "year", "status") if request.GET.get(k)}
    return render(
        request,
        "reports/periodic/list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "reports": list(page_obj.object_list),
            "query": urlencode(query),
            "may_create": can(request.user, Action.REPORT_WRITE),
        },
    )


# --- a new report ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def periodic_new(request: HttpRequest) -> HttpResponse:
    units = _writable_units(request.user)
    if not units:
        raise PermissionDenied
    form = ReportCreateForm(
        request.POST or None,
        units=units,
        initial={"kind": "annual", "year": timezone.localdate().year},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and "period_start" in form.cleaned_data:
            data = form.cleaned_data
            try:
                report = services.report_create(
                    actor=request.user,
                    unit=form.chosen_unit(),
                    kind=data["kind"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    publish=data["publish"],
                    title=data["title"],
                )
            except ValidationError as error:
                errors_to_form(form, error, {"period_start": "year", "period_end": "year"})
            else:
                messages.success(
                    request, _("The draft report is written from the figures. Read and edit it.")
                )
                return HttpResponseRedirect(_detail_url(report))
    return render(request, "reports/periodic/new.html", {"form": form}, status=status)


# --- the report --------------------------------------------------------------------------------------


def _actions_context(request: HttpRequest, report: Report) -> dict[str, Any]:
    files = selectors.current_files(report)
    formats = [f for f in FileFormat if f != FileFormat.PDF or pdf.available()]
    return {
        "report": report,
        "may_write": can_write(request.user, report),
        "downloads": [{"fmt": fmt, "label": fmt.label, "file": files.get(fmt)} for fmt in formats],
    }


def _annex_tables(report: Report) -> list[dict[str, Any]]:
    """The annex tables from the report's snapshot, each cell said to be a number, a text or empty."""
    out = []
    for table in annex.tables(report.figures or {}):
        rows = [
            [
                {
                    "kind": "none" if cell is None else "text" if isinstance(cell, str) else "num",
                    "value": cell,
                }
                for cell in row
            ]
            for row in table.rows
        ]
        out.append(
            {
                "key": table.key,
                "title": table.title,
                "columns": table.columns,
                "rows": rows,
                "notes": table.notes,
            }
        )
    return out


@require_GET
@login_required
def periodic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    sections = list(report.sections.all())
    context = _actions_context(request, report)
    newer = reports_for(request.user).filter(based_on=report).order_by("-revision").first()
    based_on = reports_for(request.user).filter(pk=report.based_on_id).first() if report.based_on_id else None
    finalised_by = report.finalised_by if report.finalised_by_id else None
    _record_view(request.user, report, "report")
    return render(
        request,
        "reports/periodic/detail.html",
        {
            **context,
            "sections": sections,
            "tables": _annex_tables(report),
            "newer": newer,
            "based_on": based_on,
            "finalised_by": finalised_by,
        },
    )


# --- a section, edited in place -----------------------------------------------------------------------


def _section(report: Report, key: str) -> ReportSection:
    if key not in SectionKey.values:
        raise Http404
    section = report.sections.filter(key=key).first()
    if section is None:
        raise Http404
    return section


def _render_section(
    request: HttpRequest,
    report: Report,
    section: ReportSection,
    *,
    form: SectionForm | None = None,
    conflict: str | None = None,
    status: int = 200,
    actions: bool = False,
) -> HttpResponse:
    """The section as shown on the page (or its form); with `actions`, the report's actions block too,
    swapped out of band (its version moved with the edit)."""
    context = {
        **_actions_context(request, report),
        "section": section,
        "number": section.position + 1,
        "form": form,
        "conflict": conflict,
        "oob": actions,
    }
    if _is_htmx(request):
        return render(request, "reports/periodic/_section_response.html", context)
    return render(request, "reports/periodic/section_page.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def section_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    check_write(request.user, report.admin_unit)
    section = _section(report, key)
    if report.is_final:
        messages.error(
            request, _("This report is finalised and cannot be changed. Make a new version of it.")
        )
        if not _is_htmx(request):
            return HttpResponseRedirect(_detail_url(report, f"section-{key}"))
        return _render_section(request, report, section)
    if request.method == "GET":
        form = SectionForm(initial={"text": section.text, "version": section.version})
        return _render_section(request, report, section, form=form)
    form = SectionForm(request.POST)
    if not form.is_valid():
        return _render_section(request, report, section, form=form, status=400)
    text = "" if request.POST.get("restore") else form.cleaned_data["text"]
    try:
        section = services.section_edit(
            actor=request.user, section=section, version=form.cleaned_data["version"], text=text
        )
    except services.Conflict as conflict:
        # Keep every word typed, now against the current version: the officer compares with the text
        # saved meanwhile (shown beside the form) and saves again on purpose.
        section.refresh_from_db()
        data = request.POST.copy()
        data["version"] = str(conflict.current_version)
        form = SectionForm(data)
        form.is_valid()
        message = _(
            "Someone else saved this section while you were editing it. Your text is kept below; "
            "compare it with the saved text, then save again."
        )
        return _render_section(request, report, section, form=form, conflict=message, status=409)
    except ValidationError as error:
        errors_to_form(form, error)
        return _render_section(request, report, section, form=form, status=400)
    if not _is_htmx(request):
        messages.success(request, _("The section is saved."))
        return HttpResponseRedirect(_detail_url(report, f"section-{key}"))
    report.refresh_from_db()
    return _render_section(request, report, section, actions=True)


@require_GET
@login_required
def section_show(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """The section as shown on the page: what "Cancel" brings back in place of the form."""
    report = get_report_for_user(request.user, pk)
    section = _section(report, key)
    if not _is_htmx(request):
        return HttpResponseRedirect(_detail_url(report, f"section-{key}"))
    return _render_section(request, report, section)


# --- the report's details ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def details_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    check_write(request.user, report.admin_unit)
    if report.is_final:
        messages.error(
            request, _("This report is finalised and cannot be changed. Make a new version of it.")
        )
        return HttpResponseRedirect(_detail_url(report))
    initial = {name: getattr(report, name) for name in ReportDetailsForm.FIELDS}
    form = ReportDetailsForm(request.POST or None, initial={**initial, "version": report.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.report_details_edit(
                    actor=request.user,
                    report=report,
                    version=form.cleaned_data["version"],
                    changes=form.changes(),
                )
            except services.Conflict as conflict:
                data = request.POST.copy()
                data["version"] = str(conflict.current_version)
                form = ReportDetailsForm(data)
                form.is_valid()
                form.add_error(
                    None,
                    _(STALE_DETAILS),
                )
                report.refresh_from_db()
                status = 409
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The report's details are saved."))
                return HttpResponseRedirect(_detail_url(report))
    return render(request, "reports/periodic/details.html", {"report": report, "form": form}, status=status)


# --- the report's actions ----------------------------------------------------------------------------


def _posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise Http404 from None


def _write_step(request: HttpRequest, pk: int) -> Report:
    report = get_report_for_user(request.user, pk)
    check_write(request.user, report.admin_unit)
    return report


@require_POST
@login_required
def report_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    report = _write_step(request, pk)
    try:
        services.report_refresh(actor=request.user, report=report, version=_posted_version(request))
    except services.Conflict:
        messages.error(request, _(STALE_REPORT))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The figures are gathered again; the sections you edited are kept."))
    return HttpResponseRedirect(_detail_url(report))


@require_POST
@login_required
def report_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    report = _write_step(request, pk)
    try:
        services.report_finalise(actor=request.user, report=report, version=_posted_version(request))
    except services.Conflict:
        messages.error(request, _(STALE_REPORT))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The report is finalised: its figures and text no longer change."))
    return HttpResponseRedirect(_detail_url(report))


@require_POST
@login_required
def report_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    report = _write_step(request, pk)
    try:
        copy = services.report_new_version(actor=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(_detail_url(report))
    messages.success(request, _("A new draft version is made from the finalised report."))
    return HttpResponseRedirect(_detail_url(copy))


# --- files -------------------------------------------------------------------------------------------


def _file_of(report: Report, file_id: int, *, content: bool = False) -> ReportFile:
    rows = ReportFile.objects.filter(report=report, pk=file_id)
    row = (rows if content else rows.defer("content")).first()
    if row is None:
        raise Http404
    return row


def _render_file(request: HttpRequest, report: Report, row: ReportFile | None, fmt: str) -> HttpResponse:
    return render(
        request,
        "reports/periodic/_file.html",
        {"report": report, "item": {"fmt": fmt, "label": FileFormat(fmt).label, "file": row}},
    )


@require_POST
@login_required
def file_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the report's file in a format (anyone who reads the report may): the one already written
    for this version, or a new one queued."""
    report = get_report_for_user(request.user, pk)
    fmt = request.POST.get("fmt", "")
    if fmt not in FileFormat.values or (fmt == FileFormat.PDF and not pdf.available()):
        raise Http404
    row = services.file_request(actor=request.user, report=report, fmt=fmt)
    if not _is_htmx(request):
        return HttpResponseRedirect(_detail_url(report, "report-files"))
    row = _file_of(report, row.pk)  # as it stands now (the immediate backend may have written it)
    return _render_file(request, report, row, fmt)


@require_GET
@login_required
def file_progress(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """The file's progress: polled every second by the page until it is ready or failed."""
    report = get_report_for_user(request.user, pk)
    row = _file_of(report, file_id)
    return _render_file(request, report, row, row.fmt)


@require_GET
@login_required
def file_download(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    row = _file_of(report, file_id, content=True)
    if row.status != FileStatus.DONE or row.content is None:
        raise Http404
    return outputs.download(viewer=request.user, report=report, row=row, content=bytes(row.content))
