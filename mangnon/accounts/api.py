"""Account routes of the API: who am I."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from .access import active_memberships

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
