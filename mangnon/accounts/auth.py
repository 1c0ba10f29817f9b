"""API authentication: a personal token (Authorization: Bearer …) or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .tokens import token_authenticate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF guards the session cookie; a request without one (e.g. a bad token) gets 401, not a CSRF 403.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if key is not None and user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api_auth = [BearerTokenAuth(), ActiveSessionAuth()]
