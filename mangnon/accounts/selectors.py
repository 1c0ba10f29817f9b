"""Reads on accounts. Tokens are personal: through the app a user only ever sees their own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import ApiToken, User


def api_tokens_for(*, viewer: User) -> QuerySet[ApiToken]:
    """The viewer's own tokens, newest first (the raw tokens are not stored, only their prefixes)."""
    return ApiToken.objects.filter(user=viewer).order_by("-created_at", "-pk")


def get_api_token_for_user(user: User, prefix: str) -> ApiToken:
    """One of the user's own tokens by prefix; 404 for anyone else's, so their existence is not revealed."""
    token = api_tokens_for(viewer=user).filter(prefix=prefix).first()
    if token is None:
        raise Http404
    return token
