"""Roles and the one declarative table of who may do what (DESIGN.md §3)."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    PROVINCE_MANAGER = "province_manager", _("Province manager")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    CASE_MANAGER = "case_manager", _("Case manager (social-work centre)")
    HOTLINE_COUNSELLOR = "hotline_counsellor", _("Hotline counsellor")
    COMMUNE_OFFICER = "commune_officer", _("Commune child-protection officer")
    COMMUNE_CHAIR = "commune_chair", _("Commune People's Committee chairperson")
    COLLABORATOR = "collaborator", _("Collaborator")
    VIEWER = "viewer", _("Leadership (read only)")
    SURVEY_COORDINATOR = "survey_coordinator", _("Survey coordinator")


class Action(StrEnum):
    """An action a role may take within the scope of its membership. Later apps add their own."""

    GEO_VIEW = "geo.view"
    AUDIT_VIEW = "audit.view"
    USERS_MANAGE = "accounts.manage"
    CALENDAR_MANAGE = "core.calendar_manage"
    CHILD_IMPORT = "registry.child_import"
    CHILD_EXPORT = "registry.child_export"


_ALL = frozenset(Role)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.GEO_VIEW: _ALL,
    Action.AUDIT_VIEW: frozenset({Role.SYSTEM_ADMIN, Role.PROVINCE_MANAGER}),
    Action.USERS_MANAGE: frozenset({Role.SYSTEM_ADMIN}),
    Action.CALENDAR_MANAGE: frozenset({Role.SYSTEM_ADMIN}),
    # A commune's list is imported by the officer who keeps it; exports carry personal data, so only the
    # roles that work with named children may take them out of the system.
    Action.CHILD_IMPORT: frozenset({Role.COMMUNE_OFFICER}),
    Action.CHILD_EXPORT: frozenset(
        {
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.CASE_MANAGER,
            Role.COMMUNE_OFFICER,
            Role.COMMUNE_CHAIR,
        }
    ),
}


def roles_allowed(action: Action) -> frozenset[Role]:
    return PERMISSIONS.get(action, frozenset())
