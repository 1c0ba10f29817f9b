"""API conventions shared by every router: JSON errors as {"error": code, "detail": ...}."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as InvalidInput
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from . import idempotency

logger = logging.getLogger(__name__)


class Utf8JSONRenderer(JSONRenderer):
    """JSON as UTF-8 text ("không hỗ trợ", not "kh\\u00f4ng h\\u1ed7 tr\\u1ee3"): the body is served as
    charset=utf-8, and Vietnamese read in a log, a terminal or a grep must read as Vietnamese."""

    json_dumps_params = {"ensure_ascii": False}


class ErrorOut(Schema):
    """The body of every error answer (see `error_response`): what routes declare for 4xx statuses."""

    error: str
    detail: Any = None


class ApiError(Exception):
    """Raise from a handler to answer with a given status, code and detail."""

    def __init__(self, status: int, code: str, detail: Any = None) -> None:
        super().__init__(code)
        self.status, self.code, self.detail = status, code, detail


def invalid(exc: InvalidInput) -> ApiError:
    """A service's ValidationError as 422, its messages by field."""
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return ApiError(422, "invalid", detail)


def conflict(current_version: int) -> ApiError:
    """A write that named a version other than the current one (optimistic concurrency)."""
    return ApiError(
        409,
        "conflict",
        {
            "message": _("The record was changed by someone else: reload it and make your change again."),
            "version": current_version,
        },
    )


def error_response(api: NinjaAPI, request: HttpRequest, status: int, code: str, detail: Any) -> HttpResponse:
    return api.create_response(request, {"error": code, "detail": detail}, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.detail)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 401, "unauthenticated", "Authentication required.")

    @api.exception_handler(AuthorizationError)
    def _forbidden_auth(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 403, "forbidden", "You may not do this.")

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 403, "forbidden", "You may not do this.")

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 404, "not_found", "Not found.")

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(api, request, 422, "invalid", exc.errors)

    # An Idempotency-Key misused on any create route: the same answer everywhere.
    @api.exception_handler(idempotency.KeyReused)
    def _key_reused(request: HttpRequest, exc: Exception) -> HttpResponse:
        detail = _("This Idempotency-Key was used before with a different request.")
        return error_response(api, request, 422, "idempotency_key_reused", detail)

    @api.exception_handler(idempotency.KeyInvalid)
    def _key_invalid(request: HttpRequest, exc: Exception) -> HttpResponse:
        detail = {"Idempotency-Key": [_("The Idempotency-Key is too long.")]}
        return error_response(api, request, 422, "invalid", detail)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, exc.status_code, "error", str(exc.message))

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Reveal nothing: the request id lets an operator find the traceback in the log.
        logger.exception("API error (request %s)", getattr(request, "request_id", "-"))
        return error_response(
            api, request, 500, "server_error", {"request_id": getattr(request, "request_id", "")}
        )


def caller(request: HttpRequest) -> Any:
    """The user the request was authenticated as (session or Bearer token), as every route reads it."""
    return request.auth  # type: ignore[attr-defined]
