"""The children's council pages (placeholder until built)."""

from django.http import Http404, HttpRequest, HttpResponse


def council(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
