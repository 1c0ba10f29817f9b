"""Reads of activities, always scoped by the viewer first (ACTIVITY_VIEW at the activity's unit).

An activity's roster names people, so each read of an activity and each page of the list is audited;
the roll-ups (rollups.py) are aggregate and are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from mangnon.accounts.access import pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q

from .models import Activity, Attendee, Campaign, Material, Tally

ACTIVITY_TYPE = "activities.activity"


def get_activity_for_user(user: Any, activity_id: Any, action: Action = Action.ACTIVITY_VIEW) -> Activity:
    """The activity if `user` may read activities at its unit (404 otherwise: existence is not revealed);
    403 when they may read it but not take `action` there."""
    pk = pk_or_404(activity_id)
    activity = (
        Activity.objects.select_related("admin_unit", "province", "organiser", "campaign", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if activity is None or not scope_for(user, Action.ACTIVITY_VIEW).contains(activity.admin_unit):
        raise Http404
    if action != Action.ACTIVITY_VIEW and not scope_for(user, action).contains(activity.admin_unit):
        raise PermissionDenied
    return activity


@dataclass(frozen=True)
class ActivityDetails:
    activity: Activity
    tallies: list[Tally]
    attendees: list[Attendee]
    materials: list[Material]


def activity_details(*, viewer: Any, activity: Activity, audit_view: bool = True) -> ActivityDetails:
    """The activity's tallies, roster (with their records) and materials; the view is audited, naming
    the registered persons shown."""
    tallies = list(activity.tallies.order_by("group", "sex", "age_band"))
    attendees = list(activity.attendees.select_related("person").order_by("pk"))
    materials = list(activity.materials.order_by("pk"))
    if audit_view:
        audit.record(
            actor=viewer,
            action=AuditAction.VIEW,
            obj=activity,
            unit=activity.admin_unit,
            changes={"persons": [a.person_id for a in attendees if a.person_id]},
        )
    return ActivityDetails(activity, tallies, attendees, materials)


@dataclass(frozen=True)
class ActivityFilter:
    start: date | None = None  # started on or after
    end: date | None = None  # started on or before
    unit: AdminUnit | None = None  # in the unit's geography (either one)
    kind: str = ""
    campaign: int | None = None

    def as_dict(self) -> dict[str, Any]:
        values = {**self.__dict__, "unit": self.unit.code if self.unit else None}
        return {k: v for k, v in values.items() if v not in ("", None)}


def filter_activities(activities: QuerySet[Activity], f: ActivityFilter) -> QuerySet[Activity]:
    if f.start is not None:
        activities = activities.filter(start_date__gte=f.start)
    if f.end is not None:
        activities = activities.filter(start_date__lte=f.end)
    if f.unit is not None:
        activities = activities.filter(in_geography_q(f.unit))
    if f.kind:
        activities = activities.filter(kind=f.kind)
    if f.campaign is not None:
        activities = activities.filter(campaign_id=f.campaign)
    return activities


def visible_activities(viewer: Any, filters: ActivityFilter | None = None) -> QuerySet[Activity]:
    """The activities the viewer may read (ACTIVITY_VIEW scope first), filtered, unordered."""
    scoped = Activity.objects.filter(scope_for(viewer, Action.ACTIVITY_VIEW).q("admin_unit"))
    return filter_activities(scoped, filters or ActivityFilter())


def _per_activity(model: type[Tally] | type[Attendee], aggregate: Any) -> Coalesce:
    rows = model.objects.filter(activity=OuterRef("pk")).order_by().values("activity")
    return Coalesce(Subquery(rows.annotate(n=aggregate).values("n")), Value(0), output_field=IntegerField())


def activities_for(viewer: Any, filters: ActivityFilter | None = None) -> QuerySet[Activity]:
    """The list: visible activities, latest first, each with its person-times (tallies) and roster size
    in the one query."""
    return (
        visible_activities(viewer, filters)
        .select_related("admin_unit", "campaign")
        .annotate(
            person_times=_per_activity(Tally, Sum("count")),
            roster_size=_per_activity(Attendee, Count("pk")),
        )
        .order_by("-start_date", "-pk")
    )


def record_list_view(
    viewer: Any, activities: list[Activity], *, filters: ActivityFilter | None = None
) -> None:
    """Audit that `viewer` was shown a page of the list (one event naming the activities shown)."""
    if not activities:
        return
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        object_type=ACTIVITY_TYPE,
        object_id="list",
        changes={"shown": [a.pk for a in activities], "filters": (filters or ActivityFilter()).as_dict()},
    )


def _provinces(viewer: Any) -> set[int]:
    """Ids of the provinces where the viewer reads activities (a path's first id is its province)."""
    scope = scope_for(viewer, Action.ACTIVITY_VIEW)
    found = {int(p.strip("/").split("/")[0]) for p in scope.paths}
    if scope.extra_ids:
        paths = AdminUnit.objects.filter(pk__in=scope.extra_ids).values_list("path", flat=True)
        found |= {int(p.strip("/").split("/")[0]) for p in paths}
    return found


def campaigns_for(viewer: Any) -> QuerySet[Campaign]:
    """Campaigns of the provinces where the viewer reads activities, each with the number of its
    activities the viewer may see. Campaigns hold no personal data: reading them is not audited."""
    scope = scope_for(viewer, Action.ACTIVITY_VIEW)
    if scope.is_empty:
        return Campaign.objects.none()
    return (
        Campaign.objects.filter(province_id__in=sorted(_provinces(viewer)))
        .select_related("province")
        .annotate(activity_count=Count("activities", filter=scope.q("activities__admin_unit"), distinct=True))
        .order_by("-year", "name", "pk")
    )


def get_campaign_for_user(user: Any, campaign_id: Any) -> Campaign:
    """A campaign of a province where the user reads activities (404 otherwise)."""
    pk = pk_or_404(campaign_id)
    campaign = campaigns_for(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign
