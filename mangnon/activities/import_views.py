"""XLSX import of activities (placeholder until built)."""

from django.http import Http404, HttpRequest, HttpResponse


def import_start(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
