"""Reads of clubs, teams and care models, scoped by the viewer first (ACTIVITY_VIEW at the club's unit).

A list of clubs (names, kinds, counts) names no one and is not audited; a club's member list names
people, so each read of it is audited (like an activity's roster), naming the registered persons and
the meetings shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from mangnon.accounts.access import check_at_unit, pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q

from .club_rollups import active_q
from .codes import ActivityKind
from .models import Activity, CareModel, Club, ClubMember


@dataclass(frozen=True)
class ClubFilter:
    start: date | None = None  # active on at least one day of [start, end]
    end: date | None = None
    unit: AdminUnit | None = None  # in the unit's geography (either one)
    kind: str = ""

    def as_dict(self) -> dict[str, Any]:
        values = {**self.__dict__, "unit": self.unit.code if self.unit else None}
        return {k: v for k, v in values.items() if v not in ("", None)}


def _period_q(f: ClubFilter, since: str, until: str) -> Q:
    if f.start is None and f.end is None:
        return Q()
    return active_q(f.start or date.min, f.end or date.max, since=since, until=until)


def _count(rows: QuerySet[Any], field: str) -> Coalesce:
    counted = rows.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0), output_field=IntegerField())


def clubs_for(viewer: Any, filters: ClubFilter | None = None) -> QuerySet[Club]:
    """The clubs the viewer may read, filtered, by kind and name; each with `member_count` (persons whose
    membership overlaps the period, or current members without one) and `meeting_count` (its club
    meetings in the period) in the one query."""
    f = filters or ClubFilter()
    clubs = Club.objects.filter(scope_for(viewer, Action.ACTIVITY_VIEW).q("admin_unit"))
    clubs = clubs.filter(_period_q(f, "founded_on", "closed_on"))
    if f.unit is not None:
        clubs = clubs.filter(in_geography_q(f.unit))
    if f.kind:
        clubs = clubs.filter(kind=f.kind)
    if f.start is None and f.end is None:
        member_q = Q(left_on__isnull=True)
        meeting_q = Q()
    else:
        member_q = _period_q(f, "joined_on", "left_on")
        meeting_q = Q(start_date__gte=f.start or date.min, start_date__lte=f.end or date.max)
    members = ClubMember.objects.filter(member_q, club=OuterRef("pk"))
    meetings = Activity.objects.filter(meeting_q, kind=ActivityKind.CLUB_MEETING, club=OuterRef("pk"))
    return (
        clubs.select_related("admin_unit", "school")
        .annotate(member_count=_count(members, "club"), meeting_count=_count(meetings, "club"))
        .order_by("kind", "name", "pk")
    )


def get_club_for_user(user: Any, club_id: Any, action: Action = Action.ACTIVITY_VIEW) -> Club:
    """The club if `user` reads activities at its unit (404 otherwise: existence is not revealed); 403
    when they may read it but not take `action` there."""
    club = (
        Club.objects.select_related("admin_unit", "province", "school", "recorded_by")
        .filter(pk=pk_or_404(club_id))
        .first()
    )
    if club is None:
        raise Http404
    check_at_unit(user, club.admin_unit, Action.ACTIVITY_VIEW, action)
    return club


def member_of(club: Club, member_id: Any) -> ClubMember:
    """A member of the club (404 when the id is not one of its members)."""
    member = (
        ClubMember.objects.filter(club=club, pk=pk_or_404(member_id))
        .select_related("club__admin_unit")
        .first()
    )
    if member is None:
        raise Http404
    return member


@dataclass(frozen=True)
class ClubDetails:
    club: Club
    members: list[ClubMember]
    meetings: list[Activity]


def club_details(*, viewer: Any, club: Club, audit_view: bool = True) -> ClubDetails:
    """The club's members (with their records) and its meetings the viewer may see, latest first; the
    read is audited, naming the registered persons and the meetings shown."""
    members = list(club.members.select_related("person").order_by("left_on", "role", "name", "pk"))
    meetings = list(
        Activity.objects.filter(scope_for(viewer, Action.ACTIVITY_VIEW).q("admin_unit"))
        .filter(club=club, kind=ActivityKind.CLUB_MEETING)
        .select_related("admin_unit")
        .order_by("-start_date", "-pk")
    )
    if audit_view:
        audit.record(
            actor=viewer,
            action=AuditAction.VIEW,
            obj=club,
            unit=club.admin_unit,
            changes={
                "persons": [m.person_id for m in members if m.person_id],
                "light_entries": sum(1 for m in members if not m.person_id),
                "meetings": [a.pk for a in meetings],
            },
        )
    return ClubDetails(club, members, meetings)


def clubs_to_record_meetings(viewer: Any, units: list[AdminUnit]) -> QuerySet[Club]:
    """Clubs at the given units (the ones the viewer records activities at): the activity form offers
    them for a club meeting."""
    return Club.objects.filter(admin_unit__in=[u.pk for u in units]).order_by("name", "pk")


# --- care models -------------------------------------------------------------------------------------


def care_models_for(viewer: Any, filters: ClubFilter | None = None) -> QuerySet[CareModel]:
    """The care models the viewer may read (not personal: not audited), filtered like the clubs."""
    f = filters or ClubFilter()
    models = CareModel.objects.filter(scope_for(viewer, Action.ACTIVITY_VIEW).q("admin_unit"))
    models = models.filter(_period_q(f, "start_date", "end_date"))
    if f.unit is not None:
        models = models.filter(in_geography_q(f.unit))
    if f.kind:
        models = models.filter(kind=f.kind)
    return models.select_related("admin_unit", "organisation").order_by("kind", "name", "pk")


def get_care_model_for_user(user: Any, model_id: Any, action: Action = Action.ACTIVITY_VIEW) -> CareModel:
    model = (
        CareModel.objects.select_related("admin_unit", "province", "organisation")
        .filter(pk=pk_or_404(model_id))
        .first()
    )
    if model is None:
        raise Http404
    check_at_unit(user, model.admin_unit, Action.ACTIVITY_VIEW, action)
    return model
