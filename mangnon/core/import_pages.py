"""The pages of a row import (core.row_import): upload, the job's report and progress, confirmation, and
the template download. Each app's import_views builds one `ImportPages` and routes to its methods.

A job belongs to the unit it was uploaded for: anyone without the import's action there gets 404 for it
(its existence is not revealed); anyone without that action anywhere gets 403 on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import active_memberships, get_scoped_or_404, scope_for
from mangnon.accounts.roles import roles_allowed
from mangnon.geo.models import AdminUnit

from . import audit, row_import, xlsx_import
from .export import XLSX_CONTENT_TYPE
from .models import AuditAction

PROBLEMS_SHOWN = 1000
RUNNING = ("uploaded", "validating", "importing")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    unit = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), label=gettext_lazy("Unit"))

    def __init__(self, *args: Any, units: list[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        if len(units) == 1:
            del self.fields["unit"]  # the officer's own unit, nothing to choose
        else:
            self.fields["unit"].queryset = AdminUnit.objects.filter(  # type: ignore[attr-defined]
                pk__in=[u.pk for u in units]
            )

    def chosen_unit(self) -> AdminUnit:
        return self.cleaned_data.get("unit") or self.units[0]


@dataclass(frozen=True)
class ImportPages:
    importer: type[row_import.RowImport]
    namespace: str  # the app's URL namespace: <ns>:import, import_job, import_progress, import_confirm…
    templates: str  # "activities/import": import.html, import_job.html, import_progress.html
    template_file: Callable[[], IO[bytes]]
    template_filename: str
    title: Any  # the upload page's title (lazy text)

    def units(self, user: Any) -> list[AdminUnit]:
        """The units where the user may import (memberships whose role has the import's action)."""
        allowed = roles_allowed(self.importer.action)
        return [m.admin_unit for m in active_memberships(user) if m.role in allowed]

    def _require(self, request: HttpRequest) -> list[AdminUnit]:
        units = self.units(request.user)
        if not units:
            raise PermissionDenied
        return units

    def _job(self, request: HttpRequest, pk: int) -> Any:
        model: Any = self.importer.job_model
        return get_scoped_or_404(
            model.objects.filter(kind=self.importer.kind).select_related("admin_unit", "created_by"),
            request.user,
            self.importer.action,
            pk=pk,
        )

    def _urls(self, job: Any = None) -> dict[str, str]:
        ns = self.namespace
        urls = {"home": reverse(f"{ns}:import"), "template": reverse(f"{ns}:import_template")}
        if job is not None:
            for name in ("job", "progress", "confirm"):
                urls[name] = reverse(f"{ns}:import_{name}", args=[job.pk])
        return urls

    def _context(self, job: Any) -> dict[str, Any]:
        done = job.status == "done"
        return {
            "job": job,
            "percent": xlsx_import.percent(done=done, processed=job.processed_rows, total=job.total_rows),
            "running": job.status in RUNNING,
            "urls": self._urls(job),
        }

    def home(self, request: HttpRequest) -> HttpResponse:
        units = self._require(request)
        form = UploadForm(request.POST or None, request.FILES or None, units=units)
        if request.method == "POST" and form.is_valid():
            try:
                job = row_import.job_create(
                    self.importer,
                    actor=request.user,
                    unit=form.chosen_unit(),
                    upload=form.cleaned_data["file"],
                )
            except xlsx_import.UploadRefused as exc:
                form.add_error("file", str(exc))
            else:
                return redirect(f"{self.namespace}:import_job", pk=job.pk)
        model: Any = self.importer.job_model
        jobs = model.objects.filter(
            scope_for(request.user, self.importer.action).q(), kind=self.importer.kind
        ).select_related("admin_unit", "created_by")[:20]
        status = 400 if form.errors else 200
        context = {
            "form": form,
            "jobs": jobs,
            "urls": self._urls(),
            "job_url": f"{self.namespace}:import_job",
            "title": self.title,
        }
        return render(request, f"{self.templates}.html", context, status=status)

    def job(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._require(request)
        job = self._job(request, pk)
        # The report quotes the file's cells (for payments, children's record numbers).
        audit.record(actor=request.user, action=AuditAction.VIEW, obj=job, unit=job.admin_unit)
        context = self._context(job)
        context["problems"] = list(job.problems.all()[:PROBLEMS_SHOWN])
        context["more_problems"] = max(0, job.problems.count() - PROBLEMS_SHOWN)
        context["confirm"] = job.status == "validated" and not job.error_count
        return render(request, f"{self.templates}_job.html", context)

    def progress(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The progress bar, polled by htmx while the job runs; a finished job reloads the whole page."""
        self._require(request)
        context = self._context(self._job(request, pk))
        response = render(request, "core/import_progress.html", context)
        if not context["running"] and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response

    def confirm(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._require(request)
        job = self._job(request, pk)
        try:
            row_import.job_confirm(self.importer, actor=request.user, job=job)
        except xlsx_import.UploadRefused as exc:
            messages.error(request, str(exc))
        return redirect(f"{self.namespace}:import_job", pk=job.pk)

    def template(self, request: HttpRequest) -> FileResponse:
        self._require(request)
        return FileResponse(
            self.template_file(),
            as_attachment=True,
            filename=self.template_filename,
            content_type=XLSX_CONTENT_TYPE,
        )

    def views(self) -> Views:
        """The pages as view functions, login required and each with its methods, for an app's urls."""
        return Views(
            home=login_required(require_http_methods(["GET", "POST"])(self.home)),
            job=login_required(require_GET(self.job)),
            progress=login_required(require_GET(self.progress)),
            confirm=login_required(require_POST(self.confirm)),
            template=login_required(require_GET(self.template)),
        )


@dataclass(frozen=True)
class Views:
    home: Callable[..., HttpResponse]
    job: Callable[..., HttpResponse]
    progress: Callable[..., HttpResponse]
    confirm: Callable[..., HttpResponse]
    template: Callable[..., HttpResponseBase]
