"""Placeholder: being written."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def overview(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def entry(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def submit(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def approve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def send_back(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def unlock(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def history(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
