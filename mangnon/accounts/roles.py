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
    CHILD_VIEW = "registry.child_view"
    CHILD_REGISTER = "registry.child_register"
    CHILD_EDIT = "registry.child_edit"
    CHILD_MERGE = "registry.child_merge"
    CHILD_VIEW_SENSITIVE = "registry.child_view_sensitive"
    CHILD_COUNT = "registry.child_count"
    ORG_VIEW = "orgs.view"
    ORG_MANAGE = "orgs.manage"
    CONTACT_TAKE = "intake.contact_take"
    CONTACT_VIEW = "intake.contact_view"
    CASE_VIEW = "cases.view"
    CASE_OPEN = "cases.open"
    CASE_WORK = "cases.work"
    CASE_APPROVE_PLAN = "cases.approve_plan"
    CASE_SUPERVISE = "cases.supervise"
    CASE_COUNT = "cases.count"
    INCIDENT_RECORD = "cases.incident_record"
    ACTIVITY_VIEW = "activities.view"
    ACTIVITY_RECORD = "activities.record"
    SUPPORT_VIEW = "support.view"
    SUPPORT_RECORD = "support.record"
    PROGRAMME_MANAGE = "support.programme_manage"
    VOICE_VIEW = "participation.voice_view"
    VOICE_RECORD = "participation.voice_record"
    INDICATOR_VIEW = "indicators.view"
    INDICATOR_SMALL_CELLS = "indicators.small_cells"
    DATA_ENTER = "indicators.data_enter"
    DATA_APPROVE = "indicators.data_approve"
    DATA_UNLOCK = "indicators.data_unlock"
    TARGET_SET = "indicators.target_set"
    REPORT_READ = "reports.read"
    REPORT_WRITE = "reports.write"
    SURVEY_VIEW = "surveys.view"
    SURVEY_MANAGE = "surveys.manage"
    SURVEY_ENTER = "surveys.enter"


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
    # Children's records (Law 91/2025: the least access that lets each role do its work).
    # - Named records: everyone who works with named children. The system administrator runs the
    #   system and the leadership viewer reads figures; neither sees a child's record.
    # - Hotline counsellors read records to match a caller's child and may register a child a contact
    #   is about; they do not edit the register.
    # - Collaborators (village-level) read and register children in their commune, never sensitive facts.
    # - Editing (details, classifications, risks, consent, households, moves) belongs to the officers who
    #   keep the register and to the case managers who work with the child; merging to the register
    #   keepers only.
    # - Sensitive facts (codes.SENSITIVE_GROUPS and SENSITIVE_RISKS: HIV, conflict with the law, drugs,
    #   sexual abuse) only to the roles that work cases; each view of them is audited.
    # - Counts (no names) to every role that plans or reports, leadership included.
    Action.CHILD_VIEW: frozenset(
        {
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.CASE_MANAGER,
            Role.HOTLINE_COUNSELLOR,
            Role.COMMUNE_OFFICER,
            Role.COMMUNE_CHAIR,
            Role.COLLABORATOR,
        }
    ),
    Action.CHILD_REGISTER: frozenset(
        {
            Role.PROVINCE_OFFICER,
            Role.CASE_MANAGER,
            Role.HOTLINE_COUNSELLOR,
            Role.COMMUNE_OFFICER,
            Role.COLLABORATOR,
        }
    ),
    Action.CHILD_EDIT: frozenset({Role.PROVINCE_OFFICER, Role.CASE_MANAGER, Role.COMMUNE_OFFICER}),
    Action.CHILD_MERGE: frozenset({Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER}),
    Action.CHILD_VIEW_SENSITIVE: frozenset({Role.PROVINCE_OFFICER, Role.CASE_MANAGER, Role.COMMUNE_OFFICER}),
    Action.CHILD_COUNT: frozenset(
        {
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.CASE_MANAGER,
            Role.COMMUNE_OFFICER,
            Role.COMMUNE_CHAIR,
            Role.VIEWER,
        }
    ),
    # The organisation directory holds no personal data: everyone reads it; the officers who refer
    # children keep it (a commune officer for their commune, a province officer for the province).
    Action.ORG_VIEW: _ALL,
    Action.ORG_MANAGE: frozenset({Role.SYSTEM_ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER}),
    # Contacts and cases (Decree 56). A counsellor takes contacts and may open a case in the commune
    # concerned, but reads only the contacts they took themselves (intake.access), never the cases.
    # The commune chairperson approves plans and so reads the cases of the commune.
    Action.CONTACT_TAKE: frozenset(
        {Role.HOTLINE_COUNSELLOR, Role.PROVINCE_OFFICER, Role.CASE_MANAGER, Role.COMMUNE_OFFICER}
    ),
    Action.CONTACT_VIEW: frozenset(
        {Role.PROVINCE_MANAGER, Role.PROVINCE_OFFICER, Role.CASE_MANAGER, Role.COMMUNE_OFFICER}
    ),
    Action.CASE_VIEW: frozenset(
        {
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.CASE_MANAGER,
            Role.COMMUNE_OFFICER,
            Role.COMMUNE_CHAIR,
        }
    ),
    Action.CASE_OPEN: frozenset(
        {Role.HOTLINE_COUNSELLOR, Role.PROVINCE_OFFICER, Role.CASE_MANAGER, Role.COMMUNE_OFFICER}
    ),
    Action.CASE_WORK: frozenset({Role.PROVINCE_OFFICER, Role.CASE_MANAGER, Role.COMMUNE_OFFICER}),
    Action.CASE_APPROVE_PLAN: frozenset({Role.COMMUNE_CHAIR}),
    Action.CASE_SUPERVISE: frozenset({Role.PROVINCE_MANAGER, Role.PROVINCE_OFFICER, Role.CASE_MANAGER}),
    Action.CASE_COUNT: frozenset(
        {
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.CASE_MANAGER,
            Role.COMMUNE_OFFICER,
            Role.COMMUNE_CHAIR,
            Role.VIEWER,
        }
    ),
    Action.INCIDENT_RECORD: frozenset({Role.PROVINCE_OFFICER, Role.CASE_MANAGER, Role.COMMUNE_OFFICER}),
    # Programme work: sessions, courses, forums and their tallies are recorded where they happen, by the
    # officer or a collaborator; leadership reads them and their roll-ups.
    Action.ACTIVITY_VIEW: frozenset(
        {
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.COMMUNE_OFFICER,
            Role.COMMUNE_CHAIR,
            Role.COLLABORATOR,
            Role.VIEWER,
        }
    ),
    Action.ACTIVITY_RECORD: frozenset({Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.COLLABORATOR}),
    # Support names children and amounts paid to them: only those who work with named children read it.
    Action.SUPPORT_VIEW: frozenset(
        {Role.PROVINCE_MANAGER, Role.PROVINCE_OFFICER, Role.CASE_MANAGER, Role.COMMUNE_OFFICER}
    ),
    Action.SUPPORT_RECORD: frozenset({Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER}),
    # Programmes (their legal basis, kind and eligibility) are set by the province.
    Action.PROGRAMME_MANAGE: frozenset({Role.PROVINCE_OFFICER}),
    # Children's aspirations carry no names; the officers who forward them and record the answers write.
    Action.VOICE_VIEW: frozenset(
        {
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.COMMUNE_OFFICER,
            Role.COMMUNE_CHAIR,
            Role.COLLABORATOR,
            Role.VIEWER,
        }
    ),
    Action.VOICE_RECORD: frozenset({Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.COLLABORATOR}),
    # Indicators: every role that plans or reports reads them. Leadership reads them as published, with
    # small cells suppressed (disclosure control); the officers who work with the records see them whole.
    Action.INDICATOR_VIEW: frozenset(
        {
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.CASE_MANAGER,
            Role.COMMUNE_OFFICER,
            Role.COMMUNE_CHAIR,
            Role.VIEWER,
        }
    ),
    Action.INDICATOR_SMALL_CELLS: frozenset(
        {
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.CASE_MANAGER,
            Role.COMMUNE_OFFICER,
            Role.COMMUNE_CHAIR,
        }
    ),
    # Figures from other sectors are entered by the officer of the unit that reports them (the province
    # officer types what the health and education departments send), submitted, then approved by the
    # province, which locks them; only the province manager may unlock an approved report.
    Action.DATA_ENTER: frozenset({Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER}),
    Action.DATA_APPROVE: frozenset({Role.PROVINCE_MANAGER, Role.PROVINCE_OFFICER}),
    Action.DATA_UNLOCK: frozenset({Role.PROVINCE_MANAGER}),
    # Targets are set in each unit's plan: the province's by the province, a commune's by its officer.
    Action.TARGET_SET: frozenset({Role.PROVINCE_MANAGER, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER}),
    # Periodic reports: the officers of a unit write its report from the records (and finalise it); the
    # unit's leadership reads the finalised ones, the writers their drafts too.
    Action.REPORT_WRITE: frozenset({Role.PROVINCE_MANAGER, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER}),
    Action.REPORT_READ: frozenset(
        {
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.COMMUNE_OFFICER,
            Role.COMMUNE_CHAIR,
            Role.VIEWER,
        }
    ),
    # Anonymous school surveys. The coordinator (and the province officer) import questionnaires, run
    # rounds and hand out the schools' links; they and the staff who type in paper questionnaires enter
    # answers. Results are aggregated and suppressed where small, so leadership and the officers whose
    # schools took part read them; no one reads a single pupil's answers on a page.
    Action.SURVEY_MANAGE: frozenset({Role.SURVEY_COORDINATOR, Role.PROVINCE_OFFICER}),
    Action.SURVEY_ENTER: frozenset({Role.SURVEY_COORDINATOR, Role.PROVINCE_OFFICER}),
    Action.SURVEY_VIEW: frozenset(
        {
            Role.SURVEY_COORDINATOR,
            Role.PROVINCE_MANAGER,
            Role.PROVINCE_OFFICER,
            Role.COMMUNE_OFFICER,
            Role.VIEWER,
        }
    ),
}


def roles_allowed(action: Action) -> frozenset[Role]:
    return PERMISSIONS.get(action, frozenset())
