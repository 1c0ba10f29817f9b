"""Pages of clubs, teams and care models (placeholder until built)."""

from django.http import Http404, HttpRequest, HttpResponse


def club_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def club_detail(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def care_model_list(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
