"""Pages of the disbursements import (upload, the dry run's report, confirmation, progress) and its template.

Views only translate: the steps are core.row_import's, the pages core.import_pages', the rules
`importing`'s (and services', through which every row is written).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.core.import_pages import ImportPages

from . import import_template
from .importing import DisbursementImport

PAGES = ImportPages(
    importer=DisbursementImport,
    namespace="support",
    templates="support/import",
    template_file=import_template.template_file,
    template_filename=import_template.FILENAME,
    title=gettext_lazy("Import payment lists"),
)


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    return PAGES.home(request)


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    return PAGES.job(request, pk)


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return PAGES.progress(request, pk)


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return PAGES.confirm(request, pk)


@login_required
@require_GET
def import_template_download(request: HttpRequest) -> FileResponse:
    return PAGES.template(request)
