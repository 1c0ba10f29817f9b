"""Who reads which directory, and loading one organisation for a user.

The directory holds no personal data, so reading it is not tied to a unit's scope: everyone reads the
whole directory of each province they hold a membership in (a commune officer needs the provincial
social-work centre and the schools of the neighbouring communes to refer a child). Keeping it is scoped
like everything else: ORG_MANAGE at the organisation's unit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.accounts.access import active_memberships, pk_or_404, scope_for
from mangnon.accounts.roles import Action, roles_allowed
from mangnon.geo.models import AdminUnit

from .models import Organisation


def province_id_of(unit: AdminUnit) -> int:
    """The province a unit lies in: the first id of its materialised path."""
    return int(unit.path.strip("/").split("/")[0])


def directory_provinces(viewer: Any) -> frozenset[int]:
    """Ids of the provinces whose directory `viewer` reads (empty for anonymous or unassigned users)."""
    allowed = roles_allowed(Action.ORG_VIEW)
    return frozenset(province_id_of(m.admin_unit) for m in active_memberships(viewer) if m.role in allowed)


def can_manage(user: Any, organisation: Organisation) -> bool:
    return scope_for(user, Action.ORG_MANAGE).contains(organisation.admin_unit)


def get_organisation_for_user(user: Any, pk: int, action: Action = Action.ORG_VIEW) -> Organisation:
    """The organisation if it lies in one of the user's provinces (else 404); 403 when the user reads
    it but may not take `action` (ORG_MANAGE) at its unit."""
    key = pk_or_404(pk)
    organisation = (
        Organisation.objects.select_related("admin_unit", "province", "created_by").filter(pk=key).first()
    )
    if organisation is None or organisation.province_id not in directory_provinces(user):
        raise Http404
    if action != Action.ORG_VIEW and not scope_for(user, action).contains(organisation.admin_unit):
        raise PermissionDenied
    return organisation
