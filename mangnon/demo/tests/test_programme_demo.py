"""The demo's programme work (issue 5): Quảng Ninh 2020 as the province published it (seed 003), computed
by the system's own roll-ups from the demo's records; the parts add up to the whole in both geographies;
the later years stay in the geography of their dates and never in the future; a second load adds nothing.

The demo is loaded once (the slow part) for one test that checks each of these in turn.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone

from mangnon.accounts.models import User
from mangnon.activities import club_rollups
from mangnon.activities import rollups as activity_rollups
from mangnon.activities.codes import ActivityKind, CareModelKind, ClubKind
from mangnon.activities.models import (
    Activity,
    Attendee,
    Campaign,
    CareModel,
    Club,
    ClubMember,
    Material,
    Tally,
)
from mangnon.core import rollups
from mangnon.core.models import AuditEvent
from mangnon.geo.models import REFORM_DATE, AdminUnit, Level, UnitCrosswalk
from mangnon.geo.selectors import predecessors
from mangnon.participation import rollups as participation_rollups
from mangnon.participation.models import ChildVoice, CouncilMeeting, CouncilMember, VoiceStatus
from mangnon.participation.selectors import overdue_voices
from mangnon.support import rollups as support_rollups
from mangnon.support.models import AlternativeCare, Disbursement, GiftCampaign, GiftTally, Programme

START, END = date(2020, 1, 1), date(2020, 12, 31)
MODELS = (
    Activity,
    Tally,
    Attendee,
    Material,
    Campaign,
    Club,
    ClubMember,
    CareModel,
    Programme,
    Disbursement,
    GiftCampaign,
    GiftTally,
    AlternativeCare,
    CouncilMember,
    CouncilMeeting,
    ChildVoice,
    AuditEvent,
)

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", "load", stdout=out)
    return out.getvalue()


def test_the_programme_demo(monkeypatch: pytest.MonkeyPatch, api_for: Any) -> None:
    monkeypatch.setenv("MANGNON_DEMO_PASSWORD", "demo-pass-phrase-1")
    _load()
    viewer = User.objects.get(username="demo-province")
    _the_2020_programme_work_of_quang_ninh(viewer, api_for)
    _the_parts_add_up_to_the_whole(viewer)
    _the_later_years_and_a_second_load(viewer)


def _province() -> AdminUnit:
    return AdminUnit.objects.get(code="22", level=Level.PROVINCE)


def _figures(viewer: User, unit: AdminUnit) -> dict[str, int]:
    """The additive figures of every section for `unit` in 2020."""
    period = {"viewer": viewer, "unit": unit, "start": START, "end": END}
    a = activity_rollups.rollup(**period)
    s = support_rollups.rollup(**period)
    c = club_rollups.rollup(**period)
    p = participation_rollups.rollup(**period)
    return {
        "activities": a.activities,
        "sessions": a.activities_by_kind[ActivityKind.SESSION],
        "session_times": a.person_times_by_kind[ActivityKind.SESSION],
        "trainings": a.activities_by_kind[ActivityKind.TRAINING],
        "person_times": a.person_times,
        "materials": a.material_quantity,
        "disbursements": s.disbursements,
        "disbursed": s.disbursed_amount,
        "gift_children": s.gift_children,
        "gift_visited": s.gift_visited,
        "gift_value": s.gift_value,
        "clubs": c.clubs,
        "members": c.members,
        "club_meetings": c.club_meetings,
        "voices": p.voices_received,
    }


def _own_rows(unit: AdminUnit) -> dict[str, int]:
    """The same figures from the rows sitting AT `unit` itself (not below it), straight from the tables."""
    acts = Activity.objects.filter(admin_unit=unit, start_date__gte=START, start_date__lte=END)
    tallies = Tally.objects.filter(activity__in=acts)
    paid = Disbursement.objects.filter(admin_unit=unit, paid_on__gte=START, paid_on__lte=END)
    gifts = GiftTally.objects.filter(
        admin_unit=unit, campaign__held_on__gte=START, campaign__held_on__lte=END
    )
    clubs = Club.objects.filter(admin_unit=unit, founded_on__lte=END).exclude(closed_on__lt=START)
    g = gifts.aggregate(
        r=Sum("children_reached"), v=Sum("children_visited_given_gifts"), x=Sum("total_value")
    )
    return {
        "activities": acts.count(),
        "sessions": acts.filter(kind=ActivityKind.SESSION).count(),
        "session_times": tallies.filter(activity__kind=ActivityKind.SESSION).aggregate(n=Sum("count"))["n"]
        or 0,
        "trainings": acts.filter(kind=ActivityKind.TRAINING).count(),
        "person_times": tallies.aggregate(n=Sum("count"))["n"] or 0,
        "materials": Material.objects.filter(activity__in=acts).aggregate(n=Sum("quantity"))["n"] or 0,
        "disbursements": paid.count(),
        "disbursed": paid.aggregate(n=Sum("amount"))["n"] or 0,
        "gift_children": g["r"] or 0,
        "gift_visited": g["v"] or 0,
        "gift_value": g["x"] or 0,
        "clubs": clubs.count(),
        "members": ClubMember.objects.filter(club__in=clubs).exclude(left_on__lt=START).count(),
        "club_meetings": acts.filter(kind=ActivityKind.CLUB_MEETING, club__isnull=False).count(),
        "voices": ChildVoice.objects.filter(
            admin_unit=unit, raised_on__gte=START, raised_on__lte=END
        ).count(),
    }


def _add(*parts: Mapping[str, int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for part in parts:
        for key, value in part.items():
            total[key] = total.get(key, 0) + value
    return total


def _the_2020_programme_work_of_quang_ninh(viewer: User, api_for: Any) -> None:
    province = _province()
    sections = rollups.rollup(viewer=viewer, unit=province, start=START, end=END)
    a, c, s, p = sections["activities"], sections["clubs"], sections["support"], sections["participation"]

    # 232 sessions, 49,980 person-times; 109 trainings, 8,641 participant-times.
    assert a["activities_by_kind"]["session"] == 232 and a["person_times_by_kind"]["session"] == 49_980
    assert a["activities_by_kind"]["training"] == 109 and a["person_times_by_kind"]["training"] == 8_641
    # Gifts: Tết thiếu nhi over 200,000 children and 12 billion đồng; Trung thu exactly as published.
    tet, moon = s["gifts_by_occasion"]["tet_thieu_nhi"], s["gifts_by_occasion"]["trung_thu"]
    assert tet["children_reached"] > 200_000 and tet["total_value"] > 12_000_000_000
    assert moon == {
        "children_reached": 207_485,
        "children_visited_given_gifts": 16_512,
        "total_value": 4_989_000_000,
    }
    # NQ 222/2015 and NQ 91/2017: 13,303 payments, 17,316,469,000 đồng, of the four kinds.
    assert s["disbursements"] == 13_303 and s["disbursed_amount"] == 17_316_469_000
    assert all(s["by_kind"][k]["count"] > 0 for k in ("study", "health_care", "monthly_allowance", "ad_hoc"))
    assert {code[:5] for code in s["by_programme"]} == {"NQ222", "NQ91-"}
    assert s["alternative_care"] > 0
    # Măng non teams in 198 schools of 13 district-level units; participation clubs and summer classes
    # in 13/13; members and meetings; every care model of seed 003.
    assert c["clubs_by_kind"]["mang_non_team"] == 198 and c["sub_units_by_kind"]["mang_non_team"] == 13
    assert c["sub_units_by_kind"]["participation"] == 13 and c["sub_units_by_kind"]["summer_talent"] == 13
    assert c["members"] > 0 and c["club_meetings"] > 0
    assert {k for k, n in c["care_models_by_kind"].items() if n} == set(CareModelKind.values) - {"other"}
    # The council: 34 members, two meetings in 2020 with minutes; voices received.
    assert p["council_meetings"] == 2 and p["voices_received"] > 0
    assert CouncilMember.objects.filter(admin_unit=province, from_date__lte=END).count() == 34
    assert all(m.minutes for m in CouncilMeeting.objects.filter(held_on__year=2020))

    # The provincial forum: 90 child delegates and 16 officers at the province, with its roster.
    forum = Activity.objects.get(kind=ActivityKind.FORUM, admin_unit=province, start_date__year=2020)
    assert "xâm hại trẻ em" in forum.theme
    by_group = dict(forum.tallies.values_list("group").annotate(n=Sum("count")).values_list("group", "n"))
    assert by_group == {"children": 90, "officers": 16} and forum.attendees.count() == 106
    # Three women's union forums "Điều em muốn nói", over 2,000 participants.
    women = Activity.objects.filter(
        kind=ActivityKind.FORUM, title__contains="Điều em muốn nói", start_date__year=2020
    )
    assert women.count() == 3
    assert Tally.objects.filter(activity__in=women).aggregate(n=Sum("count"))["n"] > 2_000
    # The Action Month campaign of Kế hoạch 67/KH-UBND groups its activities; materials handed out.
    month = Campaign.objects.get(plan_number="67/KH-UBND", year=2020)
    assert "phòng, chống xâm hại trẻ em" in month.theme and month.activities.count() > 20
    assert any(camp["plan_number"] == "67/KH-UBND" for camp in a["campaigns"])
    assert a["material_quantity_by_kind"]["leaflet"] > 0
    # Some registered children came to two sessions: fewer persons than person-times on the rosters.
    repeated = (
        Attendee.objects.filter(person__isnull=False).values("person").annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert repeated.exists()
    # 2020's clubs sit at pre-reform communes, the Măng non teams at the school's old commune.
    teams = Club.objects.filter(kind=ClubKind.MANG_NON_TEAM, founded_on__lte=END).select_related(
        "admin_unit", "school"
    )
    assert all(t.admin_unit.valid_to is not None and t.school is not None for t in teams)

    # The API says the same.
    response = api_for(viewer).get(
        "/api/v1/rollups", {"unit": "22", "from": "2020-01-01", "to": "2020-12-31"}
    )
    assert response.status_code == 200
    body = json.loads(response.content)["sections"]
    assert body["activities"]["person_times_by_kind"]["session"] == 49_980
    assert body["support"]["disbursed_amount"] == 17_316_469_000
    assert body["clubs"]["clubs_by_kind"]["mang_non_team"] == 198


def _the_parts_add_up_to_the_whole(viewer: User) -> None:
    province = _province()
    whole = _figures(viewer, province)
    districts = list(AdminUnit.objects.filter(level=Level.DISTRICT, parent=province).order_by("code"))
    assert len(districts) == 13
    assert _add(*(_figures(viewer, d) for d in districts), _own_rows(province)) == whole

    # A district: its communes plus its own rows; and its figures are not trivial.
    district = max(districts, key=lambda d: _figures(viewer, d)["session_times"])
    communes = list(AdminUnit.objects.filter(parent=district))
    parts = [_figures(viewer, commune) for commune in communes]
    assert _add(*parts, _own_rows(district)) == _figures(viewer, district)
    assert sum(1 for part in parts if part["session_times"]) >= 2

    # A current commune formed wholly from pre-reform communes: the sum of those communes.
    current = AdminUnit.objects.filter(valid_from=REFORM_DATE, level=Level.COMMUNE).order_by("code")
    for commune in current:
        olds = [link.old_unit for link in predecessors(commune)]
        whole_only = all(UnitCrosswalk.objects.filter(old_unit=o).count() == 1 for o in olds)
        if len(olds) >= 2 and whole_only and _figures(viewer, commune)["session_times"]:
            break
    else:
        pytest.fail("no current commune formed wholly from pre-reform communes with sessions in 2020")
    assert _add(*(_figures(viewer, o) for o in olds)) == _figures(viewer, commune)


def _the_later_years_and_a_second_load(viewer: User) -> None:
    now = timezone.localdate()
    # Nothing in the future; each row in the geography of its date.
    assert not Activity.objects.filter(start_date__gt=now).exists()
    assert not Disbursement.objects.filter(paid_on__gt=now).exists()
    assert not GiftCampaign.objects.filter(held_on__gt=now).exists()
    assert not CouncilMeeting.objects.filter(held_on__gt=now).exists()
    for activity in Activity.objects.select_related("admin_unit"):
        assert activity.admin_unit.is_valid_on(activity.start_date), activity
    for row in Disbursement.objects.select_related("admin_unit").filter(paid_on__year__gte=2024):
        assert row.admin_unit.is_valid_on(row.paid_on)
    years = set(Activity.objects.values_list("start_date__year", flat=True))
    assert set(range(2020, now.year + 1 if now >= date(now.year, 6, 1) else now.year)) <= years
    if now > REFORM_DATE:
        after = Activity.objects.filter(start_date__gte=REFORM_DATE).exclude(admin_unit__level=Level.PROVINCE)
        assert after.exists() and not after.filter(admin_unit__valid_to__isnull=False).exists()
    # Children's voices at every step, some past their due date.
    assert {v for v in ChildVoice.objects.values_list("status", flat=True)} == set(VoiceStatus.values)
    assert overdue_voices(viewer).exists()

    before = {m.__name__: m.objects.count() for m in MODELS}
    said = _load()
    assert "activities: 0 in 0 years" in said and "support: 0 payments" in said
    assert {m.__name__: m.objects.count() for m in MODELS} == before
