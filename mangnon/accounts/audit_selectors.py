"""Reads of the audit trail, scoped by the viewer (the audit page is their only consumer so far).

Events carry no foreign keys (core.AuditEvent), so scope is applied through ids: an event belongs to
a viewer's scope when its unit lies there, or — for events with no unit, such as logins — when its
actor, or the account it is about (failed logins, lockouts), holds a membership there. All are
subqueries, whatever the size of the scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from mangnon.core.models import AuditEvent
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import path_prefix_q

from .access import can, has_role, scope_for
from .models import Membership, User
from .roles import Action, Role

# Dates typed into the filters are Vietnamese calendar days.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Roles that see the whole trail, whatever unit their membership is at.
SEES_EVERYTHING = frozenset({Role.SYSTEM_ADMIN})
USER_OBJECT_TYPE = User._meta.label_lower


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    unit_code: str = ""


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def audit_events_visible_to(*, viewer: Any) -> QuerySet[AuditEvent]:
    """Every event the viewer may read on the audit trail, before any filter."""
    events = AuditEvent.objects.all()
    if not can(viewer, Action.AUDIT_VIEW):
        return events.none()
    if has_role(viewer, *SEES_EVERYTHING):
        return events
    units = scope_for(viewer, Action.AUDIT_VIEW).units().values("pk")
    staff = Membership.objects.filter(admin_unit__in=units)
    staff_ids = staff.values("user_id")
    staff_keys = staff.annotate(key=Cast("user_id", CharField())).values("key")
    about_staff = Q(object_type=USER_OBJECT_TYPE, object_id__in=staff_keys)
    return events.filter(
        Q(unit_id__in=units) | Q(unit_id__isnull=True) & (Q(actor_id__in=staff_ids) | about_staff)
    )


def audit_events_for(*, viewer: Any, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The viewer's events matching `filters`, newest first, each with its unit's name (one query)."""
    events = audit_events_visible_to(viewer=viewer)
    if filters.actor:
        events = events.filter(actor_username__iexact=filters.actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.date_from:
        events = events.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.unit_code:
        # A code names a unit and everything under it; the reform reused codes, so match every unit
        # that has carried it.
        paths = list(AdminUnit.objects.filter(code=filters.unit_code).values_list("path", flat=True))
        if not paths:
            return events.none()
        under = AdminUnit.objects.filter(reduce(or_, [path_prefix_q("path", p) for p in paths]))
        events = events.filter(unit_id__in=under.values("pk"))
    unit_name = AdminUnit.objects.filter(pk=OuterRef("unit_id")).order_by().values("name")[:1]
    return events.annotate(unit_name=Subquery(unit_name)).order_by("-id")
