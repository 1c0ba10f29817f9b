"""Pages of the children import (upload, dry-run report, confirmation, progress), its template, and exports.

Views only translate: the rules live in `importing` and `exporting`. An import job belongs to the
uploader's commune: anyone without CHILD_IMPORT there gets 404 for it (its existence is not revealed).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import active_memberships, can, get_scoped_or_404, scope_for
from mangnon.accounts.roles import Action, roles_allowed
from mangnon.core import audit, navigation, xlsx_import
from mangnon.core.export import XLSX_CONTENT_TYPE, download
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit

from . import exporting, importing
from .codes import ETHNICITIES, SpecialGroup
from .models import ImportJob

navigation.register(
    navigation.NavItem(
        key="children_import",
        label=gettext_lazy("Import children"),
        url_name="registry_import:home",
        order=11,
        visible=lambda user: can(user, Action.CHILD_IMPORT),
    )
)

PROBLEMS_SHOWN = 1000
RUNNING = (ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING)


def _import_units(user: Any) -> list[AdminUnit]:
    """The communes where the user keeps the register (memberships whose role may import)."""
    allowed = roles_allowed(Action.CHILD_IMPORT)
    return [m.admin_unit for m in active_memberships(user) if m.role in allowed]


def _require_import(request: HttpRequest) -> list[AdminUnit]:
    units = _import_units(request.user)
    if not units:
        raise PermissionDenied
    return units


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("List of children (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    unit = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), label=gettext_lazy("Commune"))

    def __init__(self, *args: Any, units: list[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        if len(units) == 1:
            del self.fields["unit"]  # the officer's own commune, nothing to choose
        else:
            ids = [u.pk for u in units]
            self.fields["unit"].queryset = AdminUnit.objects.filter(pk__in=ids)  # type: ignore[attr-defined]

    def commune(self) -> AdminUnit:
        return self.cleaned_data.get("unit") or self.units[0]


class ConfirmForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("How to import"),
        choices=ImportJob.Mode.choices,
        widget=forms.RadioSelect,
        initial=ImportJob.Mode.ALL_OR_NOTHING,
    )


def get_import_job_for_user(user: Any, pk: int) -> ImportJob:
    return get_scoped_or_404(
        ImportJob.objects.filter(kind=ImportJob.Kind.CHILDREN).select_related("admin_unit", "created_by"),
        user,
        Action.CHILD_IMPORT,
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_home(request: HttpRequest) -> HttpResponse:
    units = _require_import(request)
    form = UploadForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.import_job_create(
                actor=request.user, unit=form.commune(), upload=form.cleaned_data["file"]
            )
        except importing.UploadRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("registry_import:job", pk=job.pk)
    jobs = ImportJob.objects.filter(
        scope_for(request.user, Action.CHILD_IMPORT).q(), kind=ImportJob.Kind.CHILDREN
    ).select_related("admin_unit", "created_by")[:20]
    context = {
        "form": form,
        "jobs": jobs,
        "title": _("Import a list of children"),
        "urls": {"template": reverse("registry_import:template")},
        "job_url": "registry_import:job",
    }
    return render(request, "registry/import.html", context, status=400 if form.errors else 200)


def _job_context(job: ImportJob) -> dict[str, Any]:
    done = job.status == ImportJob.Status.DONE
    return {
        "job": job,
        "percent": xlsx_import.percent(done=done, processed=job.processed_rows, total=job.total_rows),
        "running": job.status in RUNNING,
        "urls": {
            "home": reverse("registry_import:home"),
            "progress": reverse("registry_import:progress", args=[job.pk]),
        },
    }


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_import(request)
    job = get_import_job_for_user(request.user, pk)
    # The report quotes the file's cells, which are children's personal data.
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=job, unit=job.admin_unit)
    context = _job_context(job)
    context["problems"] = list(job.problems.all()[:PROBLEMS_SHOWN])
    context["more_problems"] = max(0, job.problems.count() - PROBLEMS_SHOWN)
    context["confirm"] = ConfirmForm() if job.status == ImportJob.Status.VALIDATED else None
    context["resumable"] = importing.is_resumable(job)
    return render(request, "registry/import_job.html", context)


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx while the job runs; a finished job reloads the whole page."""
    _require_import(request)
    job = get_import_job_for_user(request.user, pk)
    context = _job_context(job)
    response = render(request, "core/import_progress.html", context)
    if not context["running"] and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _require_import(request)
    job = get_import_job_for_user(request.user, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to import."))
        return redirect("registry_import:job", pk=job.pk)
    try:
        importing.import_job_confirm(actor=request.user, job=job, mode=form.cleaned_data["mode"])
    except importing.UploadRefused as exc:
        messages.error(request, str(exc))
    return redirect("registry_import:job", pk=job.pk)


@login_required
@require_POST
def job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    _require_import(request)
    job = get_import_job_for_user(request.user, pk)
    try:
        importing.import_job_resume(actor=request.user, job=job)
    except importing.UploadRefused as exc:
        messages.error(request, str(exc))
    return redirect("registry_import:job", pk=job.pk)


@login_required
@require_GET
def import_template(request: HttpRequest) -> FileResponse:
    """The XLSX template, built on request: the data sheet's headings and a sheet of instructions."""
    _require_import(request)
    spool = importing.template_workbook(
        guide=_template_guide(),
        ethnicities=[name for _code, name in ETHNICITIES],
        groups=[(g.value, str(g.label)) for g in SpecialGroup],
    )
    return FileResponse(
        spool, as_attachment=True, filename="mau-danh-sach-tre-em.xlsx", content_type=XLSX_CONTENT_TYPE
    )


def _template_guide() -> list[tuple[str, str]]:
    return [
        ("Họ và tên", _("Required. The child's full name with diacritics, e.g. Nguyễn Thị Minh Khai.")),
        ("Giới tính (Nam/Nữ)", _("Required. Nam or Nữ.")),
        ("Ngày sinh (dd/mm/yyyy)", _("The date of birth, day first (e.g. 05/09/2016), or a date cell.")),
        ("Năm sinh", _("When the exact date is unknown: the year of birth (4 digits).")),
        ("Dân tộc", _("One of the 54 ethnic groups (list below); empty if unknown.")),
        ("Số định danh cá nhân", _("12 digits, typed as text so the leading zero stays; empty if none.")),
        ("Mã xã", _("The 5-digit code of the commune in force today; empty means your own commune.")),
        ("Xã (phường)", _("The commune's name, when its code is not given.")),
        ("Địa chỉ", _("Hamlet, group, street.")),
        ("Họ tên cha", _("Father's full name.")),
        ("Họ tên mẹ", _("Mother's full name.")),
        (
            "Nhóm hoàn cảnh đặc biệt",
            _("Letters of the groups of the Law on Children, art. 10, separated by commas (e.g. a, d)."),
        ),
        ("Ghi chú", _("Anything else.")),
    ]


@login_required
@require_GET
def export_children(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    if fmt not in ("xlsx", "csv"):
        raise Http404
    if not can(request.user, Action.CHILD_EXPORT):
        raise PermissionDenied
    filters = exporting.filters_from_query(request.GET)
    if (
        filters.commune
        and not scope_for(request.user, Action.CHILD_EXPORT).units().filter(code=filters.commune).exists()
    ):
        raise Http404  # a commune outside the viewer's area: not revealed, not exported
    export = exporting.children_export(viewer=request.user, filters=filters, fmt=fmt)
    return download(
        fmt=fmt,
        headings=export.headings,
        rows=export.rows,
        filename=export.filename,
        sheet_title=exporting.SHEET_TITLE,
        widths=exporting.WIDTHS,
    )
