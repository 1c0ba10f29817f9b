"""Account routes of the API: who am I, and my personal tokens."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema

from .access import active_memberships
from .selectors import api_tokens_for, get_api_token_for_user
from .tokens import token_revoke

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    role: str
    role_label: str
    unit: str
    unit_name: str
    valid_from: date
    valid_to: date | None


class MeOut(Schema):
    username: str
    full_name: str
    memberships: list[MembershipOut]


class TokenOut(Schema):
    prefix: str
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenList(Schema):
    items: list[TokenOut]
    count: int


@router.get("/me", response=MeOut, summary="The authenticated user and their role memberships")
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        memberships=[
            MembershipOut(
                role=m.role,
                role_label=str(m.get_role_display()),
                unit=m.admin_unit.code,
                unit_name=m.admin_unit.name,
                valid_from=m.valid_from,
                valid_to=m.valid_to,
            )
            for m in active_memberships(user)
        ],
    )


@router.get("/me/tokens", response=TokenList, summary="My personal API tokens (prefixes only)")
def my_tokens(request: HttpRequest) -> TokenList:
    tokens = list(api_tokens_for(viewer=request.auth))  # type: ignore[attr-defined]
    return TokenList(items=[TokenOut.model_validate(t) for t in tokens], count=len(tokens))


@router.delete("/me/tokens/{prefix}", response=TokenOut, summary="Revoke one of my personal API tokens")
def revoke_my_token(request: HttpRequest, prefix: str) -> TokenOut:
    user = request.auth  # type: ignore[attr-defined]
    token = token_revoke(actor=user, token=get_api_token_for_user(user, prefix))
    return TokenOut.model_validate(token)
