"""The activity calendar (placeholder until built)."""

from django.http import Http404, HttpRequest, HttpResponse


def calendar(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
