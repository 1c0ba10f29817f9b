"""Roll-up benchmarks: the province-year roll-up of programme work at ten times the demo volume.

The set is ten times the programme work Quảng Ninh reported for 2020 (DESIGN.md, issue 5), spread over
its pre-reform districts and communes (the geography of 2020), built once per database by bulk_create
from a fixed seed and reused afterwards (about a minute):

- 7,300 activities (2,320 direct communication sessions, 1,090 training courses, talks, club meetings,
  forums, campaign events…), each with a tally grid of 10–30 cells (group × sex × age band: 146,000
  cells), 60 % with a roster of 5–40 people drawn from a pool of 30,000 persons, so the same person
  attends many activities (one roster row in ten a light entry), a third with 1–3 materials, a third
  in one of 20 campaigns;
- 133,030 disbursements (10 × 13,303) to 11,000 children from six programmes, paid through the year;
- 40 gift campaigns with a tally from most communes and 20,000 named recipients (half of them where
  no tally covers them, so they add to the figures);
- 2,500 clubs with 37,500 members, 2,000 placements in alternative care, 2,000 children's voices and
  400 council meetings.

What is timed is `mangnon.core.rollups.rollup` (every section: activities, clubs, support,
participation) for the province officer, over 2020, for the province (activities.rollup_province), a
district (activities.rollup_district: the busiest pre-reform district) and a commune
(activities.rollup_commune: the busiest pre-reform commune). The scope of the viewer is resolved
afresh on every call, as on every request.

The baseline is what a straightforward implementation does, timed in the same run: the activities of
the unit read as objects, then each activity's tallies, roster and materials read one activity at a
time and summed in Python (three queries an activity); the disbursements read unit by unit (a query
per commune) and summed in Python, the programmes looked up in a dict; each gift recipient checked
against the tallies in Python; each club's members read club by club; voices and meetings read as rows
and counted in Python. Both return the headline figures of every section (`Headline`), which must be
equal.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from mangnon.accounts import bench
from mangnon.accounts.access import scope_for
from mangnon.accounts.models import User
from mangnon.accounts.roles import Action, Role
from mangnon.core import rollups as core_rollups
from mangnon.core.bench import Target, benchmark, count_queries
from mangnon.geo.models import AdminUnit, Level
from mangnon.geo.selectors import in_geography_q
from mangnon.participation.models import ChildVoice, CouncilMeeting, Topic
from mangnon.registry import synthetic
from mangnon.registry.models import Child, Person
from mangnon.support.codes import CareKind, GiftOccasion, ProgrammeKind
from mangnon.support.models import (
    AlternativeCare,
    Disbursement,
    GiftCampaign,
    GiftRecipient,
    GiftTally,
    Programme,
)

from .codes import ActivityKind, AgeBand, ClubKind, Group, MaterialKind, MemberRole, TallySex
from .models import Activity, Attendee, Campaign, Club, ClubMember, Material, Tally

SEED = "bench-activities"
YEAR = 2020
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)
OFFICER = "bench-activities-province"  # province officer: records the set and reads the roll-ups
SCALE = 10

# Activities of the year by kind (ten times the 2020 report: 232 sessions, 109 courses…).
KINDS: dict[str, int] = {
    ActivityKind.SESSION: 232 * SCALE,
    ActivityKind.TRAINING: 109 * SCALE,
    ActivityKind.TALK: 100 * SCALE,
    ActivityKind.CLUB_MEETING: 150 * SCALE,
    ActivityKind.FORUM: 20 * SCALE,
    ActivityKind.CONTEST: 20 * SCALE,
    ActivityKind.CAMP: 10 * SCALE,
    ActivityKind.CAMPAIGN_EVENT: 30 * SCALE,
    ActivityKind.MEDIA_ITEM: 30 * SCALE,
    ActivityKind.PANEL: 20 * SCALE,
    ActivityKind.CONSULTATION: 10 * SCALE,
}
ROSTER_KINDS = {ActivityKind.SESSION, ActivityKind.TRAINING, ActivityKind.FORUM, ActivityKind.CONSULTATION}
PERSONS = 30_000  # the pool rosters draw from
CHILDREN = 11_000  # of them, registered children paid by programmes
DISBURSEMENTS = 13_303 * SCALE
GIFT_CAMPAIGNS = 4 * SCALE
GIFT_RECIPIENTS = 20_000
CLUBS = 250 * SCALE
CARE = 2_000
VOICES = 2_000
MEETINGS = 400
CELLS = [(g, s, a) for g in Group.values for s in TallySex.values for a in AgeBand.values]
PROGRAMMES = (
    ("BENCH-HT", ProgrammeKind.STUDY, 500_000),
    ("BENCH-YT", ProgrammeKind.HEALTH_CARE, 1_000_000),
    ("BENCH-TC1", ProgrammeKind.MONTHLY_ALLOWANCE, 270_000),
    ("BENCH-TC2", ProgrammeKind.MONTHLY_ALLOWANCE, 540_000),
    ("BENCH-DX", ProgrammeKind.AD_HOC, 2_000_000),
    ("BENCH-DX2", ProgrammeKind.AD_HOC, 300_000),
)


# The set ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    province: AdminUnit
    districts: list[AdminUnit]  # pre-reform district-level units
    communes: list[AdminUnit]  # pre-reform communes


def place() -> Place:
    province = bench.bench_province()
    pre = AdminUnit.objects.filter(path__startswith=province.path, valid_to__isnull=False).order_by("code")
    return Place(
        province,
        [u for u in pre if u.level != Level.COMMUNE],
        [u for u in pre if u.level == Level.COMMUNE],
    )


def _officer(province: AdminUnit) -> User:
    return bench.standing_user(OFFICER, Role.PROVINCE_OFFICER, province, date(2019, 1, 1))


@lru_cache(maxsize=8192)
def _name(full_name: str) -> synthetic.NameFields:
    return synthetic.name_fields(full_name)


def _day(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange(366))


def _persons(rng: random.Random, where: Place) -> list[Person]:
    out = []
    for _ in range(PERSONS):
        sex = "M" if rng.random() < 0.5 else "F"
        f = _name(synthetic.child_name(rng, sex=sex))
        commune = rng.choice(where.communes)
        out.append(
            Person(
                ho=f.ho,
                ten_dem=f.ten_dem,
                ten=f.ten,
                full_name=f.full_name,
                name_key=f.name_key,
                ten_key=f.ten_key,
                ho_key=f.ho_key,
                sort_key=f.sort_key,
                sex=sex,
                birth_year=YEAR - rng.randint(1, 15),
                admin_unit_id=commune.pk,
                province_id=where.province.pk,
            )
        )
    return out


Roster = list[tuple[int | None, str, str]]


def _activities(
    rng: random.Random, where: Place, user: User, campaigns: list[Campaign], clubs: list[Club]
) -> Iterator[tuple[Activity, list[Tally], Roster, list[Material]]]:
    """Unsaved activities with their tally cells, roster entries (person pk or None, name, group) and
    materials."""
    province = where.province.pk
    for kind, n in KINDS.items():
        for i in range(n):
            if kind == ActivityKind.CLUB_MEETING:
                club = rng.choice(clubs)
                unit_id = club.admin_unit_id
            else:
                club = None
                # One activity in ten at a district-level unit, the rest in a commune.
                unit_id = (
                    rng.choice(where.districts) if rng.random() < 0.1 else rng.choice(where.communes)
                ).pk
            day = _day(rng)
            activity = Activity(
                kind=kind,
                title=f"BENCH {kind} {i + 1}",
                admin_unit_id=unit_id,
                province_id=province,
                start_date=day,
                end_date=day + timedelta(days=rng.choice((0, 0, 0, 1, 2))),
                campaign=rng.choice(campaigns) if rng.random() < 1 / 3 else None,
                club=club,
                recorded_by=user,
            )
            tallies = [
                Tally(activity=activity, group=g, sex=s, age_band=a, count=rng.randint(1, 60))
                for g, s, a in rng.sample(CELLS, rng.randint(10, 30))
            ]
            roster: Roster = []
            if kind in ROSTER_KINDS and rng.random() < 0.6:
                for _ in range(rng.randint(5, 40)):
                    group = Group.CHILDREN if rng.random() < 0.7 else Group.PARENTS
                    if rng.random() < 0.1:
                        roster.append((None, f"Khách {rng.randrange(10**6)}", group))
                    else:  # persons drawn from the pool by index, mapped to pks after saving
                        roster.append((rng.randrange(PERSONS), "", group))
            materials = (
                [
                    Material(
                        activity=activity,
                        title=f"BENCH tài liệu {j}",
                        kind=rng.choice(MaterialKind.values),
                        quantity=rng.randint(10, 2000),
                    )
                    for j in range(rng.randint(1, 3))
                ]
                if rng.random() < 1 / 3
                else []
            )
            yield activity, tallies, roster, materials


def build_set() -> Place:
    """The province with its year of programme work (inserted once per database)."""
    where = place()
    user = _officer(where.province)
    if Activity.objects.filter(recorded_by=user).exists():
        return where
    started = time.perf_counter()
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data
    province = where.province.pk
    with transaction.atomic():
        persons = Person.objects.bulk_create(_persons(rng, where), batch_size=2000)
        children = Child.objects.bulk_create(
            [
                Child(person=p, admin_unit_id=p.admin_unit_id or 0, province_id=province).copy_birth()
                for p in persons[:CHILDREN]
            ],
            batch_size=2000,
        )
        campaigns = Campaign.objects.bulk_create(
            [
                Campaign(
                    name=f"BENCH chiến dịch {i + 1}",
                    plan_number=f"{i + 1}/KH-UBND",
                    year=YEAR,
                    start_date=START,
                    end_date=END,
                    province_id=province,
                    created_by=user,
                )
                for i in range(20)
            ]
        )
        clubs = Club.objects.bulk_create(
            [
                Club(
                    kind=rng.choice(ClubKind.values),
                    name=f"BENCH câu lạc bộ {i + 1}",
                    admin_unit_id=rng.choice(where.communes).pk,
                    province_id=province,
                    founded_on=date(rng.randint(2012, 2020), rng.randint(1, 12), 1),
                    closed_on=date(2020, 6, 30) if rng.random() < 0.05 else None,
                    recorded_by=user,
                )
                for i in range(CLUBS)
            ],
            batch_size=2000,
        )
        ClubMember.objects.bulk_create(
            [
                ClubMember(
                    club=club,
                    name=f"Thành viên {j}",
                    sex=rng.choice(("M", "F")),
                    role=MemberRole.CHILD if rng.random() < 0.85 else MemberRole.ADULT,
                    joined_on=club.founded_on,
                )
                for club in clubs
                for j in range(rng.randint(8, 22))
            ],
            batch_size=5000,
        )
        rows = list(_activities(rng, where, user, campaigns, clubs))
        Activity.objects.bulk_create([a for a, *_ in rows], batch_size=2000)
        Tally.objects.bulk_create([t for _a, ts, *_ in rows for t in ts], batch_size=5000)
        attendees = []
        for activity, _ts, roster, _ms in rows:
            seen: set[int] = set()
            for index, name, group in roster:
                if index is None:
                    attendees.append(Attendee(activity=activity, name=name, group=group))
                elif index not in seen:
                    seen.add(index)
                    attendees.append(Attendee(activity=activity, person=persons[index], group=group))
        Attendee.objects.bulk_create(attendees, batch_size=5000)
        Material.objects.bulk_create([m for *_r, ms in rows for m in ms], batch_size=5000)

        programmes = Programme.objects.bulk_create(
            [
                Programme(
                    code=code,
                    name=f"BENCH {code}",
                    kind=kind,
                    province_id=province,
                    active_from=date(2015, 1, 1),
                    created_by=user,
                )
                for code, kind, _amount in PROGRAMMES
            ]
        )
        amounts = [amount for *_c, amount in PROGRAMMES]
        disbursements = []
        for _ in range(DISBURSEMENTS):
            child = rng.choice(children)
            p = rng.randrange(len(programmes))
            disbursements.append(
                Disbursement(
                    programme=programmes[p],
                    child=child,
                    admin_unit_id=child.admin_unit_id,
                    province_id=province,
                    amount=amounts[p],
                    paid_on=_day(rng),
                    approver="BENCH",
                    recorded_by=user,
                )
            )
        Disbursement.objects.bulk_create(disbursements, batch_size=5000)

        gifts = GiftCampaign.objects.bulk_create(
            [
                GiftCampaign(
                    name=f"BENCH quà {i + 1}",
                    occasion=GiftOccasion.values[i % len(GiftOccasion.values)],
                    year=YEAR,
                    held_on=_day(rng),
                    province_id=province,
                    created_by=user,
                )
                for i in range(GIFT_CAMPAIGNS)
            ]
        )
        tallied: set[tuple[int, int]] = set()
        gift_tallies = []
        for campaign in gifts:
            for commune in where.communes:
                if rng.random() < 0.8:
                    tallied.add((campaign.pk, commune.pk))
                    reached = rng.randint(20, 400)
                    gift_tallies.append(
                        GiftTally(
                            campaign=campaign,
                            admin_unit_id=commune.pk,
                            province_id=province,
                            children_reached=reached,
                            children_visited_given_gifts=reached // 2,
                            total_value=reached * 200_000,
                            recorded_by=user,
                        )
                    )
        GiftTally.objects.bulk_create(gift_tallies, batch_size=5000)
        named: set[tuple[int, int]] = set()
        recipients: list[GiftRecipient] = []
        while len(recipients) < GIFT_RECIPIENTS:
            campaign, child = rng.choice(gifts), rng.choice(children)
            if (campaign.pk, child.pk) in named:
                continue
            named.add((campaign.pk, child.pk))
            recipients.append(
                GiftRecipient(
                    campaign=campaign,
                    child=child,
                    admin_unit_id=child.admin_unit_id,
                    province_id=province,
                    value=rng.choice((100_000, 200_000, 500_000)),
                    visited=rng.random() < 0.7,
                    recorded_by=user,
                )
            )
        GiftRecipient.objects.bulk_create(recipients, batch_size=5000)
        AlternativeCare.objects.bulk_create(
            [
                AlternativeCare(
                    child=child,
                    kind=rng.choice(CareKind.values),
                    start=date(rng.randint(2016, 2020), 3, 1),
                    end=date(2020, 9, 1) if rng.random() < 0.2 else None,
                    admin_unit_id=child.admin_unit_id,
                    province_id=province,
                    recorded_by=user,
                )
                for child in rng.sample(children, CARE)
            ],
            batch_size=2000,
        )
        meetings = CouncilMeeting.objects.bulk_create(
            [
                CouncilMeeting(
                    admin_unit_id=rng.choice(where.communes).pk,
                    province_id=province,
                    held_on=_day(rng),
                    members_present=rng.randint(5, 20),
                    recorded_by=user,
                )
                for _ in range(MEETINGS)
            ]
        )
        voices = []
        for i in range(VOICES):
            raised = _day(rng)
            forwarded = raised + timedelta(days=7) if rng.random() < 0.7 else None
            answered = forwarded + timedelta(days=30) if forwarded and rng.random() < 0.6 else None
            voices.append(
                ChildVoice(
                    text=f"BENCH nguyện vọng {i}",
                    topic=rng.choice(Topic.values),
                    admin_unit_id=rng.choice(where.communes).pk,
                    province_id=province,
                    raised_on=raised,
                    meeting=rng.choice(meetings) if rng.random() < 0.3 else None,
                    forwarded_on=forwarded,
                    answered_on=answered,
                    resolved_on=answered + timedelta(days=10) if answered and rng.random() < 0.5 else None,
                    recorded_by=user,
                )
            )
        ChildVoice.objects.bulk_create(voices, batch_size=2000)
    print(f"    (built the year of programme work in {time.perf_counter() - started:.0f} s)", flush=True)
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    command = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    with connection.cursor() as cursor:
        for model in (
            Activity, Tally, Attendee, Material, Campaign, Club, ClubMember, Disbursement, GiftCampaign,
            GiftTally, GiftRecipient, AlternativeCare, ChildVoice, CouncilMeeting, Person, Child,
        ):  # fmt: skip
            cursor.execute(f"{command} {model._meta.db_table}")
    return where


# The roll-up and its baseline -----------------------------------------------------------------------


@dataclass
class Viewer(bench.Viewer):
    unit: AdminUnit


def province_set() -> Viewer:
    where = build_set()
    return Viewer(User.objects.get(username=OFFICER), where.province)


def _busiest(units: list[AdminUnit]) -> AdminUnit:
    """The unit of `units` under which most of the set's activities happened."""
    paths = Counter(
        Activity.objects.filter(title__startswith="BENCH ").values_list("admin_unit__path", flat=True)
    )
    return max(units, key=lambda u: (sum(n for p, n in paths.items() if p.startswith(u.path)), u.code))


def district_set() -> Viewer:
    where = build_set()
    return Viewer(User.objects.get(username=OFFICER), _busiest(where.districts))


def commune_set() -> Viewer:
    where = build_set()
    return Viewer(User.objects.get(username=OFFICER), _busiest(where.communes))


Headline = dict[str, Any]


def _headline(found: dict[str, Any]) -> Headline:
    a, c, s, p = found["activities"], found["clubs"], found["support"], found["participation"]
    return {
        "activities_by_kind": a["activities_by_kind"],
        "person_times_by_kind": a["person_times_by_kind"],
        "unique_persons": a["unique_persons"],
        "material_quantity_by_kind": a["material_quantity_by_kind"],
        "clubs_by_kind": c["clubs_by_kind"],
        "members": c["members"],
        "club_meetings": c["club_meetings"],
        "disbursements": s["disbursements"],
        "disbursed_amount": s["disbursed_amount"],
        "children_supported": s["children_supported"],
        "by_kind": {k: (v["count"], v["amount"]) for k, v in s["by_kind"].items()},
        "gift_children": s["gift_children"],
        "gift_value": s["gift_value"],
        "alternative_care": s["alternative_care"],
        "voices_received": p["voices_received"],
        "voices_answered": p["voices_answered"],
        "council_meetings": p["council_meetings"],
    }


def full_rollup(v: Viewer) -> Headline:
    return _headline(core_rollups.rollup(viewer=v.fresh(), unit=v.unit, start=START, end=END))


def _in_period(day: date | None) -> bool:
    return day is not None and START <= day <= END


def naive_rollup(v: Viewer) -> Headline:
    """The same headline figures the straightforward way (see the module's docstring)."""
    user = v.fresh()
    where = scope_for(user, Action.ACTIVITY_VIEW).q("admin_unit") & in_geography_q(v.unit, "admin_unit")
    # Activities: one query for the list, then three per activity.
    by_kind = dict.fromkeys(ActivityKind.values, 0)
    times = dict.fromkeys(ActivityKind.values, 0)
    quantity = dict.fromkeys(MaterialKind.values, 0)
    persons: set[int] = set()
    light = 0
    for activity in Activity.objects.filter(where, start_date__gte=START, start_date__lte=END):
        by_kind[activity.kind] += 1
        times[activity.kind] += sum(t.count for t in activity.tallies.all())
        for attendee in activity.attendees.all():
            if attendee.person_id is None:
                light += 1
            else:
                persons.add(attendee.person_id)
        for material in activity.materials.all():
            quantity[material.kind] += material.quantity
    # Clubs: the clubs, then each club's members.
    clubs_by_kind = dict.fromkeys(ClubKind.values, 0)
    members = 0
    for club in Club.objects.filter(where, founded_on__lte=END).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=START)
    ):
        clubs_by_kind[club.kind] += 1
        members += sum(
            1 for m in club.members.all() if m.joined_on <= END and (m.left_on is None or m.left_on >= START)
        )
    meetings = sum(
        1
        for a in Activity.objects.filter(where, kind=ActivityKind.CLUB_MEETING, club__isnull=False)
        if _in_period(a.start_date)
    )
    # Support: the disbursements commune by commune, summed in Python.
    count_where = scope_for(user, Action.CHILD_COUNT).q("admin_unit") & in_geography_q(v.unit, "admin_unit")
    programmes = {p.pk: p.kind for p in Programme.objects.all()}
    paid = {k: [0, 0] for k in ProgrammeKind.values}
    supported: set[int] = set()
    units = AdminUnit.objects.filter(
        pk__in=Disbursement.objects.filter(count_where).values("admin_unit_id").distinct()
    )
    for unit in units:
        for d in Disbursement.objects.filter(admin_unit=unit, paid_on__gte=START, paid_on__lte=END):
            paid[programmes[d.programme_id]][0] += 1
            paid[programmes[d.programme_id]][1] += d.amount
            supported.add(d.child_id)
    gift_children = gift_value = 0
    held = {c.pk for c in GiftCampaign.objects.all() if _in_period(c.held_on)}
    tally_paths: dict[int, list[str]] = {}
    for t in GiftTally.objects.filter(campaign__in=held).select_related("admin_unit"):
        tally_paths.setdefault(t.campaign_id, []).append(t.admin_unit.path)
    for t in GiftTally.objects.filter(count_where, campaign__in=held):
        gift_children += t.children_reached
        gift_value += t.total_value
    for r in GiftRecipient.objects.filter(count_where, campaign__in=held).select_related("admin_unit"):
        if not any(r.admin_unit.path.startswith(p) for p in tally_paths.get(r.campaign_id, ())):
            gift_children += 1
            gift_value += r.value
    care = sum(
        1
        for c in AlternativeCare.objects.filter(count_where)
        if c.start <= END and (c.end is None or c.end >= START)
    )
    # Participation: rows counted in Python.
    voice_where = scope_for(user, Action.VOICE_VIEW).q("admin_unit") & in_geography_q(v.unit)
    voices = list(ChildVoice.objects.filter(voice_where).values_list("raised_on", "answered_on"))
    council = sum(1 for m in CouncilMeeting.objects.filter(voice_where) if _in_period(m.held_on))
    return {
        "activities_by_kind": by_kind,
        "person_times_by_kind": times,
        "unique_persons": len(persons) + light,
        "material_quantity_by_kind": quantity,
        "clubs_by_kind": clubs_by_kind,
        "members": members,
        "club_meetings": meetings,
        "disbursements": sum(n for n, _a in paid.values()),
        "disbursed_amount": sum(a for _n, a in paid.values()),
        "children_supported": len(supported),
        "by_kind": {k: (n, a) for k, (n, a) in paid.items()},
        "gift_children": gift_children,
        "gift_value": gift_value,
        "alternative_care": care,
        "voices_received": sum(1 for raised, _a in voices if _in_period(raised)),
        "voices_answered": sum(1 for _r, answered in voices if _in_period(answered)),
        "council_meetings": council,
    }


def report(v: Viewer) -> Iterator[str]:
    """Query counts of one call of each, and the volume counted."""
    figures = full_rollup(v)
    yield (
        f"{v.unit.name}, {YEAR}: {sum(figures['activities_by_kind'].values()):,} activities, "
        f"{sum(figures['person_times_by_kind'].values()):,} person-times, "
        f"{figures['unique_persons']:,} persons, {figures['disbursements']:,} disbursements, "
        f"{sum(figures['clubs_by_kind'].values()):,} clubs; "
        f"queries: roll-up {count_queries(full_rollup, v)}, baseline {count_queries(naive_rollup, v)}"
    )


benchmark(
    name="activities.rollup_province",
    target=Target(max_median_ms=500),
    baseline=naive_rollup,
    setup=province_set,
    report=report,
)(full_rollup)

benchmark(
    name="activities.rollup_district",
    target=Target(max_median_ms=500),
    baseline=naive_rollup,
    setup=district_set,
    report=report,
)(full_rollup)

benchmark(
    name="activities.rollup_commune",
    target=Target(max_median_ms=100),
    baseline=naive_rollup,
    setup=commune_set,
    report=report,
)(full_rollup)
