"""Demo programme work: Quảng Ninh 2020 as the province published it (seed 003), record by record, and a
lighter, plausible activity for every later year up to the moment the demo is loaded.

2020 (calibrated so that the roll-up of the province for 2020 gives the published figures):
- 232 direct communication sessions with 49,980 person-times (children, parents and caregivers,
  teachers, officers, by sex and age band), at the pre-reform communes and district-level units, more of
  them in the Action Month (June), around 1 June and around Trung thu (1/10/2020), few during the
  social distancing of April 2020;
- 109 training courses with 8,641 participant-times (officers, social-work collaborators, core children
  of clubs and members of the Măng non teams), at the district-level units and the province;
- the provincial children's forum (theme "Chung tay phòng, chống xâm hại trẻ em": 90 child delegates and
  16 officers, from the 13 district-level units and the provincial protection facility), with its roster;
- 3 women's union forums "Điều em muốn nói" with 2,056 participants;
- the Action Month campaign (Kế hoạch 67/KH-UBND of 17/4/2020) grouping the activities of June, its
  launch with the leaflets, booklets and panels it handed out; consultations with children (the source of
  the children's voices, participation.demo_data) and club meetings;
- the Đội tuyên truyền măng non of the 198 lower-secondary schools (orgs.demo_data), each at the
  pre-reform commune the school served (the school's address), in the 13 district-level units; children's
  participation clubs, summer talent classes, core children's and parents' clubs in 13/13 district-level
  units, with members (light entries: a first name, sex, year of birth); the care models of seed 003.

Later years: a few dozen sessions and trainings a year, a provincial forum, consultations and the
Action Month, at the units of each date: pre-reform until 30/6/2025, the current communes from 1/7/2025
(geo.models.REFORM_DATE); the Măng non teams go on at their schools' current communes from 1/7/2025.
Nothing is dated after the moment of the load.

Totals are split with a seeded generator by largest remainder, so they add up exactly whatever the
split. Rows are checked by the activities services' own checks (`_clean_fields`, `_clean_tallies`), then
written with bulk_create in one transaction per year (or per set of clubs), described by ONE audit event
by the system. Idempotent: each year is marked by its Action Month campaign (each set of clubs by its
first rows); what exists already is skipped, so a second load adds nothing. The figures do not depend on
`--scale` (they are the province's); only the roster of registered children follows the registry.

The helpers at the top (geography of each date, the demo staff, exact splits) serve support.demo_data
and participation.demo_data too.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from mangnon.accounts.models import User
from mangnon.accounts.roles import Role
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import LAST_PRE_REFORM_DAY, REFORM_DATE, AdminUnit, Level, UnitCrosswalk
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.models import Organisation
from mangnon.registry import synthetic
from mangnon.registry.models import Child

from .codes import ActivityKind, AgeBand, CareModelKind, ClubKind, FundingSource, Group, MaterialKind
from .codes import MemberRole as ClubRole
from .models import Activity, Attendee, Campaign, CareModel, Club, ClubMember, Material, Tally
from .services import _clean_fields, _clean_tallies

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

FIRST_YEAR = 2020
STAFF_FROM = date(2019, 1, 1)  # intake.demo_data.STAFF_FROM_2020: the 2020 staff's memberships
TRUNG_THU = {
    2020: date(2020, 10, 1),
    2021: date(2021, 9, 21),
    2022: date(2022, 9, 10),
    2023: date(2023, 9, 29),
    2024: date(2024, 9, 17),
    2025: date(2025, 10, 6),
    2026: date(2026, 9, 25),
    2027: date(2027, 9, 15),
    2028: date(2028, 10, 3),
}

# Quảng Ninh 2020 (seed 003).
SESSIONS_2020, SESSION_TIMES_2020 = 232, 49_980
TRAININGS_2020, TRAINING_TIMES_2020 = 109, 8_641
FORUM_CHILDREN, FORUM_OFFICERS = 90, 16
WOMEN_FORUMS = (712, 689, 655)  # "Điều em muốn nói": 2,056 participants
ACTION_MONTH_2020 = {
    "name": "Tháng hành động vì trẻ em năm 2020",
    "plan_number": "67/KH-UBND",
    "theme": "Chung tay bảo vệ trẻ em, phòng, chống xâm hại trẻ em",
}
FORUM_THEME_2020 = "Chung tay phòng, chống xâm hại trẻ em"
LATER_THEMES = {
    2021: "Chung tay bảo vệ trẻ em, phòng, chống xâm hại trẻ em",
    2022: "Hành động thiết thực vì trẻ em, ưu tiên nguồn lực cho trẻ em",
    2023: "Chung tay vì trẻ em – Ưu tiên nguồn lực để thực hiện các mục tiêu phát triển bền vững",
    2024: "Hành động thiết thực vì trẻ em, ưu tiên nguồn lực cho trẻ em",
    2025: "Hành động thiết thực vì trẻ em, ưu tiên nguồn lực cho trẻ em",
}


# --- shared by the programme-work loaders ------------------------------------------------------------


def split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split over `weights` by largest remainder: the parts always add up to `total` exactly."""
    whole = sum(weights)
    if not weights:
        return []
    if whole <= 0:
        weights, whole = [1.0] * len(weights), float(len(weights))
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def rng_for(ctx: Any, name: str) -> random.Random:
    seed = getattr(ctx, "seed", 20200601)
    return random.Random(f"mangnon-demo-programme:{seed}:{name}")  # noqa: S311 - synthetic data


@dataclass
class Geography:
    """The province's units of each period: the 13 pre-reform district-level units and their 171
    communes (until 30/6/2025), the current communes (from 1/7/2025), and the crosswalk."""

    province: AdminUnit
    districts: list[AdminUnit]
    old_communes: list[AdminUnit]
    old_weights: list[float]
    communes: list[AdminUnit]  # current
    weights: list[float]
    old_by_district: dict[int, list[AdminUnit]] = field(default_factory=dict)
    old_of_current: dict[int, list[AdminUnit]] = field(default_factory=dict)  # current pk → predecessors
    by_pk: dict[int, AdminUnit] = field(default_factory=dict)
    new_of_old: dict[int, int] = field(default_factory=dict)  # old pk → its default successor's pk

    def district_of(self, unit: AdminUnit) -> AdminUnit | None:
        return self.by_pk.get(unit.parent_id or 0) if unit.level != Level.DISTRICT else unit

    def district_weights(self) -> list[float]:
        weight = dict(zip((u.pk for u in self.old_communes), self.old_weights, strict=True))
        return [sum(weight[c.pk] for c in self.old_by_district[d.pk]) or 0.1 for d in self.districts]

    def commune_on(self, rng: random.Random, day: date) -> AdminUnit:
        """A commune in the geography of `day`, weighted by its children."""
        if day <= LAST_PRE_REFORM_DAY:
            return rng.choices(self.old_communes, weights=self.old_weights)[0]
        return rng.choices(self.communes, weights=self.weights)[0]

    def area_on(self, rng: random.Random, day: date) -> AdminUnit:
        """A district-level unit before the reform, a current commune after it (no districts then)."""
        if day <= LAST_PRE_REFORM_DAY:
            return rng.choices(self.districts, weights=self.district_weights())[0]
        return rng.choices(self.communes, weights=self.weights)[0]

    def commune_of(self, child: Child, day: date) -> AdminUnit | None:
        """The commune a registered child lived in on `day`, in the geography of that day."""
        own = self.by_pk.get(child.admin_unit_id)
        if own is not None and own.is_valid_on(day):
            return own
        if day <= LAST_PRE_REFORM_DAY:
            return self.old_commune_of(child)
        new = self.new_of_old.get(child.admin_unit_id)
        return self.by_pk.get(new) if new is not None else None

    def old_commune_of(self, child: Child) -> AdminUnit | None:
        """The pre-reform commune a registered child lived in (one of those that went into its commune,
        always the same for the child)."""
        olds = self.old_of_current.get(child.admin_unit_id, [])
        if olds:
            return olds[child.pk % len(olds)]
        own = self.by_pk.get(child.admin_unit_id)  # a unit that existed before the reform already
        return own if own is not None and own.valid_from is None else None


def geography() -> Geography:
    from mangnon.intake.demo_data import communes_2020, communes_current

    province_code = settings.MANGNON_DEMO_PROVINCE
    province = (
        AdminUnit.objects.filter(code=province_code, level=Level.PROVINCE, valid_to__isnull=True)
        .order_by("pk")
        .first()
    )
    if province is None:
        raise ImproperlyConfigured(f"Load the geography first: mangnon geo load --province {province_code}")
    olds, old_weights = communes_2020(province)
    currents, weights = communes_current()
    districts = list(
        AdminUnit.objects.filter(
            path__startswith=province.path, level=Level.DISTRICT, valid_to=LAST_PRE_REFORM_DAY
        ).order_by("code")
    )
    geo = Geography(province, districts, olds, old_weights, currents, weights)
    geo.by_pk = {u.pk: u for u in AdminUnit.objects.filter(path__startswith=province.path)}
    geo.by_pk.update({u.pk: u for u in (province, *districts, *olds, *currents)})
    for d in districts:
        geo.old_by_district[d.pk] = [c for c in olds if c.parent_id == d.pk]
    for old_id, new_id in UnitCrosswalk.objects.filter(old_unit__in=olds).values_list(
        "old_unit_id", "new_unit_id"
    ):
        geo.old_of_current.setdefault(new_id, []).append(geo.by_pk[old_id])
    geo.new_of_old = dict(
        UnitCrosswalk.objects.filter(old_unit__in=olds, is_default=True).values_list(
            "old_unit_id", "new_unit_id"
        )
    )
    for lst in geo.old_of_current.values():
        lst.sort(key=lambda u: u.code)
    return geo


def staff_2020(geo: Geography) -> User:
    """The province officer of 2020 (intake.demo_data makes them; found again here)."""
    from mangnon.intake.demo_data import staff

    return staff(
        "demo-2020-province",
        Role.PROVINCE_OFFICER,
        geo.province,
        valid_from=STAFF_FROM,
        valid_to=LAST_PRE_REFORM_DAY,
    )


def staff_now() -> User:
    from mangnon.intake.demo_data import demo_user

    return demo_user("demo-province")


def recorder(geo: Geography, day: date) -> User:
    return staff_2020(geo) if day <= LAST_PRE_REFORM_DAY else staff_now()


def today() -> date:
    return timezone.localdate()


def years() -> list[int]:
    """The years the demo covers: 2020 to the year of the load."""
    return list(range(FIRST_YEAR, today().year + 1))


def day_weight(day: date) -> float:
    """How likely a programme activity falls on `day`: few on Sundays, during Tết and the social
    distancing of April 2020; many in the Action Month (June), around 1 June and around Trung thu."""
    w = 0.25 if day.weekday() == 6 else 1.0
    if day.month == 6:
        w *= 5
    if date(day.year, 5, 25) <= day <= date(day.year, 6, 5):
        w *= 2
    moon = TRUNG_THU.get(day.year)
    if moon is not None and moon - timedelta(days=14) <= day <= moon + timedelta(days=2):
        w *= 3
    if (day.month == 1 and day.day >= 20) or (day.month == 2 and day.day <= 5):
        w *= 0.15
    if day.year == 2020 and day.month == 4:
        w *= 0.05
    if day.month in (7, 8):
        w *= 0.6
    return w


def days_of(year: int, *, until: date | None = None) -> tuple[list[date], list[float]]:
    last = min(date(year, 12, 31), until or date(year, 12, 31))
    days = [date(year, 1, 1) + timedelta(days=n) for n in range((last - date(year, 1, 1)).days + 1)]
    return days, [day_weight(d) for d in days]


def first_name(rng: random.Random, sex: str) -> str:
    ethnicity = synthetic.KINH if rng.random() < 0.8 else rng.choice(synthetic.MINORITIES)
    return synthetic.child_name(rng, sex=sex, ethnicity=ethnicity).split()[-1]


def org(province: AdminUnit, kind: str, starts: str) -> Organisation | None:
    return (
        Organisation.objects.filter(province=province, kind=kind, name__startswith=starts)
        .order_by("pk")
        .first()
    )


# --- tallies -------------------------------------------------------------------------------------------

# Who comes to a communication session: (group, sex, age band) → weight.
SESSION_CELLS: dict[tuple[str, str, str], float] = {
    (Group.CHILDREN, "M", AgeBand.AGE_6_10): 7,
    (Group.CHILDREN, "F", AgeBand.AGE_6_10): 7,
    (Group.CHILDREN, "M", AgeBand.AGE_11_15): 13,
    (Group.CHILDREN, "F", AgeBand.AGE_11_15): 14,
    (Group.CHILDREN, "M", AgeBand.AGE_16_17): 3,
    (Group.CHILDREN, "F", AgeBand.AGE_16_17): 3.5,
    (Group.PARENTS, "M", AgeBand.ADULT): 9,
    (Group.PARENTS, "F", AgeBand.ADULT): 19,
    (Group.TEACHERS, "M", AgeBand.ADULT): 2,
    (Group.TEACHERS, "F", AgeBand.ADULT): 5,
    (Group.OFFICERS, "M", AgeBand.ADULT): 3,
    (Group.OFFICERS, "F", AgeBand.ADULT): 3,
}
TRAINING_CELLS: dict[tuple[str, str, str], float] = {
    (Group.OFFICERS, "M", AgeBand.ADULT): 14,
    (Group.OFFICERS, "F", AgeBand.ADULT): 18,
    (Group.COLLABORATORS, "M", AgeBand.ADULT): 9,
    (Group.COLLABORATORS, "F", AgeBand.ADULT): 17,
    (Group.TEACHERS, "F", AgeBand.ADULT): 6,
    (Group.TEACHERS, "M", AgeBand.ADULT): 2,
    (Group.CHILDREN, "M", AgeBand.AGE_11_15): 15,
    (Group.CHILDREN, "F", AgeBand.AGE_11_15): 19,
}
CHILD_CELLS: dict[tuple[str, str, str], float] = {
    (Group.CHILDREN, "M", AgeBand.AGE_11_15): 10,
    (Group.CHILDREN, "F", AgeBand.AGE_11_15): 12,
    (Group.CHILDREN, "M", AgeBand.AGE_16_17): 3,
    (Group.CHILDREN, "F", AgeBand.AGE_16_17): 3,
    (Group.CHILDREN, "M", AgeBand.AGE_6_10): 2,
    (Group.CHILDREN, "F", AgeBand.AGE_6_10): 2,
}


def tally_rows(
    rng: random.Random, total: int, cells: dict[tuple[str, str, str], float]
) -> list[dict[str, Any]]:
    keys = list(cells)
    counts = split(total, [cells[k] * rng.uniform(0.6, 1.4) for k in keys])
    return [
        {"group": g, "sex": s, "age_band": b, "count": n}
        for (g, s, b), n in zip(keys, counts, strict=True)
        if n
    ]


# --- planning a year ------------------------------------------------------------------------------------

SESSION_TOPICS = (
    "Phòng, chống xâm hại tình dục trẻ em",
    "Phòng, chống bạo lực học đường",
    "Phòng, chống đuối nước cho trẻ em",
    "Kỹ năng tự bảo vệ cho trẻ em",
    "Phòng, chống tai nạn thương tích trẻ em",
    "Bảo vệ trẻ em trên môi trường mạng",
    "Luật Trẻ em và quyền tham gia của trẻ em",
    "Nuôi dạy con không dùng bạo lực",
    "Phòng, chống mua bán người và tảo hôn",
    "Tổng đài 111 và đường dây nóng 18001769",
)
TRAINING_TOPICS = (
    "Tập huấn kỹ năng bảo vệ trẻ em cho cán bộ cấp xã",
    "Tập huấn nghiệp vụ cho cộng tác viên công tác xã hội",
    "Tập huấn kỹ năng truyền thông cho nhóm trẻ em nòng cốt",
    "Tập huấn cho thành viên Đội tuyên truyền măng non",
    "Tập huấn quản lý trường hợp trẻ em bị xâm hại",
    "Tập huấn thu thập, cập nhật dữ liệu trẻ em",
    "Tập huấn phòng, chống đuối nước và tai nạn thương tích",
)
PLACE_PREFIX = {Level.PROVINCE: "tỉnh", Level.DISTRICT: "", Level.COMMUNE: "", Level.SPECIAL_ZONE: ""}


def place(unit: AdminUnit) -> str:
    name = unit.short_name.replace(" (Thị trấn)", "").replace(" (Xã)", "")
    return f"{unit.get_unit_type_display()} {name}"


@dataclass
class Planned:
    fields: dict[str, Any]
    tallies: list[dict[str, Any]] = field(default_factory=list)
    attendees: list[Attendee] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)


@dataclass
class YearPlan:
    year: int
    campaign: dict[str, Any]
    activities: list[Planned] = field(default_factory=list)


def _activity(
    kind: str,
    title: str,
    unit: AdminUnit,
    day: date,
    *,
    days: int = 0,
    theme: str = "",
    campaign: bool = False,
    organiser: Organisation | None = None,
    organiser_text: str = "",
    groups: Sequence[str] = (),
    funding: str = FundingSource.STATE_BUDGET,
    cost: int | None = None,
    club: Club | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title,
        "admin_unit": unit,
        "start_date": day,
        "end_date": min(day + timedelta(days=days), today()),
        "theme": theme,
        "campaign": campaign,
        "organiser": organiser,
        "organiser_text": organiser_text,
        "target_groups": list(groups),
        "funding_source": funding,
        "cost": cost,
        "club": club,
    }


def _when(rng: random.Random, days: list[date], weights: list[float], n: int) -> list[date]:
    return sorted(rng.choices(days, weights=weights, k=n))


def plan_year(ctx: Any, geo: Geography, year: int) -> YearPlan:
    """Every activity of `year` (the published figures in 2020, a lighter year afterwards), dated up to
    today. Depends on the seed, the geography and the date of the load only."""
    rng = rng_for(ctx, f"activities:{year}")
    until = today()
    days, weights = days_of(year, until=until)
    first = year == FIRST_YEAR
    action_month = (date(year, 6, 1), date(year, 6, 30))
    theme = ACTION_MONTH_2020["theme"] if first else LATER_THEMES.get(year, LATER_THEMES[2025])
    plan = YearPlan(
        year,
        {
            "name": ACTION_MONTH_2020["name"] if first else f"Tháng hành động vì trẻ em năm {year}",
            "plan_number": ACTION_MONTH_2020["plan_number"] if first else "",
            "theme": theme,
            "year": year,
            "start_date": action_month[0],
            "end_date": action_month[1],
        },
    )
    province = geo.province
    women = org(province, OrgKind.MASS_ORGANISATION, "Hội Liên hiệp Phụ nữ")
    union = org(province, OrgKind.MASS_ORGANISATION, "Đoàn Thanh niên")
    in_month = lambda d: action_month[0] <= d <= action_month[1]  # noqa: E731

    # The launch of the Action Month, with what it handed out.
    launch_day = date(year, 5, 30) if first else date(year, 6, 1)
    if launch_day <= until:
        launch = Planned(
            _activity(
                ActivityKind.CAMPAIGN_EVENT,
                f"Lễ phát động {plan.campaign['name']}",
                province,
                launch_day,
                theme=theme,
                campaign=True,
                organiser_text="Ban Chỉ đạo Tháng hành động vì trẻ em tỉnh",
                groups=(Group.CHILDREN, Group.OFFICERS, Group.PARENTS),
                cost=150_000_000 if first else None,
            ),
            tally_rows(
                rng,
                520 if first else 400,
                {
                    **CHILD_CELLS,
                    (Group.OFFICERS, "M", AgeBand.ADULT): 6,
                    (Group.OFFICERS, "F", AgeBand.ADULT): 6,
                    (Group.PARENTS, "F", AgeBand.ADULT): 4,
                },
            ),
            materials=[
                Material(
                    title="Tờ rơi “Phòng, chống xâm hại trẻ em”",
                    kind=MaterialKind.LEAFLET,
                    quantity=20_000 if first else 8_000,
                ),
                Material(
                    title="Sổ tay kỹ năng tự bảo vệ cho trẻ em",
                    kind=MaterialKind.BOOKLET,
                    quantity=5_000 if first else 2_000,
                ),
                Material(
                    title="Pa nô, áp phích Tháng hành động vì trẻ em",
                    kind=MaterialKind.PANEL,
                    quantity=150 if first else 60,
                ),
            ],
        )
        plan.activities.append(launch)

    # Direct communication sessions: communes mostly, some at district-level units.
    n_sessions = SESSIONS_2020 if first else rng.randint(36, 48)
    total = SESSION_TIMES_2020 if first else n_sessions * rng.randint(150, 200)
    session_days = _when(rng, days, weights, n_sessions)
    sizes = split(total, [rng.uniform(0.4, 1.6) for _ in session_days])
    for n, (day, size) in enumerate(zip(session_days, sizes, strict=True), 1):
        unit = geo.area_on(rng, day) if rng.random() < 0.15 else geo.commune_on(rng, day)
        topic = SESSION_TOPICS[(n + year) % len(SESSION_TOPICS)]
        item = Planned(
            _activity(
                ActivityKind.SESSION,
                f"{topic} – {place(unit)}",
                unit,
                day,
                theme=topic,
                campaign=in_month(day),
                groups=(Group.CHILDREN, Group.PARENTS),
                organiser=union if rng.random() < 0.1 else None,
                organiser_text="" if unit.level == Level.PROVINCE else f"UBND {place(unit)}",
            ),
            tally_rows(rng, size, SESSION_CELLS),
        )
        if rng.random() < 0.25:
            item.materials.append(
                Material(
                    title="Tờ rơi Tổng đài 111", kind=MaterialKind.LEAFLET, quantity=rng.randint(50, 300)
                )
            )
        plan.activities.append(item)

    # Training courses at the district-level units (the current communes after the reform) and the
    # province.
    n_training = TRAININGS_2020 if first else rng.randint(12, 18)
    total = TRAINING_TIMES_2020 if first else n_training * rng.randint(60, 85)
    training_days = _when(
        rng, days, [w if d.weekday() < 5 else 0 for d, w in zip(days, weights, strict=True)], n_training
    )
    sizes = split(total, [rng.uniform(0.6, 1.4) for _ in training_days])
    for n, (day, size) in enumerate(zip(training_days, sizes, strict=True), 1):
        unit = province if rng.random() < 0.2 else geo.area_on(rng, day)
        topic = TRAINING_TOPICS[(n + year) % len(TRAINING_TOPICS)]
        plan.activities.append(
            Planned(
                _activity(
                    ActivityKind.TRAINING,
                    f"{topic} – {place(unit)}",
                    unit,
                    day,
                    days=rng.choice((0, 1, 1, 2)),
                    theme=topic,
                    campaign=in_month(day),
                    groups=(Group.OFFICERS, Group.COLLABORATORS, Group.CHILDREN),
                    cost=rng.randint(8, 40) * 1_000_000,
                ),
                tally_rows(rng, size, TRAINING_CELLS),
            )
        )

    # The provincial children's forum.
    forum_day = date(year, 6, 11) if first else date(year, 6, 10) + timedelta(days=rng.randint(0, 14))
    if forum_day <= until:
        forum_theme = FORUM_THEME_2020 if first else theme
        children, officers = (
            (FORUM_CHILDREN, FORUM_OFFICERS) if first else (rng.randint(70, 95), rng.randint(12, 18))
        )
        forum = Planned(
            _activity(
                ActivityKind.FORUM,
                f"Diễn đàn trẻ em tỉnh Quảng Ninh năm {year}",
                province,
                forum_day,
                theme=forum_theme,
                campaign=True,
                groups=(Group.CHILDREN,),
                organiser_text="Sở Lao động - Thương binh và Xã hội tỉnh Quảng Ninh"
                if forum_day <= LAST_PRE_REFORM_DAY
                else "Sở Y tế tỉnh Quảng Ninh",
                cost=120_000_000,
            ),
            [
                *tally_rows(
                    rng, children, {k: v for k, v in CHILD_CELLS.items() if k[2] != AgeBand.AGE_6_10}
                ),
                *tally_rows(
                    rng,
                    officers,
                    {(Group.OFFICERS, "M", AgeBand.ADULT): 4, (Group.OFFICERS, "F", AgeBand.ADULT): 5},
                ),
            ],
        )
        for row in forum.tallies:  # the roster: one light entry per delegate and officer
            for _ in range(row["count"]):
                adult = row["age_band"] == AgeBand.ADULT
                born = year - (
                    rng.randint(30, 55)
                    if adult
                    else rng.randint(12, 16 if row["age_band"] == AgeBand.AGE_11_15 else 17)
                )
                name = synthetic.parent_name(rng, sex=row["sex"]) if adult else first_name(rng, row["sex"])
                forum.attendees.append(
                    Attendee(name=name, sex=row["sex"], birth_year=born, group=row["group"])
                )
        plan.activities.append(forum)

    # The women's union forums "Điều em muốn nói" (2020: three, 2,056 participants).
    if first:
        forum_districts = rng.sample(geo.districts, len(WOMEN_FORUMS))
        for n, (unit, size) in enumerate(zip(forum_districts, WOMEN_FORUMS, strict=True)):
            day = date(2020, 6, 5 + 7 * n)
            plan.activities.append(
                Planned(
                    _activity(
                        ActivityKind.FORUM,
                        f"Diễn đàn “Điều em muốn nói” – {place(unit)}",
                        unit,
                        day,
                        theme="Điều em muốn nói",
                        campaign=True,
                        organiser=women,
                        groups=(Group.CHILDREN, Group.PARENTS),
                        funding=FundingSource.CONTRIBUTIONS,
                    ),
                    tally_rows(
                        rng,
                        size,
                        {
                            **CHILD_CELLS,
                            (Group.PARENTS, "F", AgeBand.ADULT): 6,
                            (Group.PARENTS, "M", AgeBand.ADULT): 2,
                            (Group.OTHER, "F", AgeBand.ADULT): 1,
                        },
                    ),
                )
            )

    # Consultations with children (where the children's voices come from): one per district-level unit
    # in 2020, a few afterwards, at communes.
    n_consult = len(geo.districts) if first else rng.randint(4, 6)
    for n, day in enumerate(_when(rng, days, weights, n_consult)):
        unit = rng.choice(geo.old_by_district[geo.districts[n].pk]) if first else geo.commune_on(rng, day)
        plan.activities.append(
            Planned(
                _activity(
                    ActivityKind.CONSULTATION,
                    f"Lấy ý kiến trẻ em về các vấn đề liên quan – {place(unit)}",
                    unit,
                    day,
                    theme="Trẻ em nói lên tiếng nói, nguyện vọng của mình",
                    campaign=in_month(day),
                    groups=(Group.CHILDREN,),
                ),
                tally_rows(rng, rng.randint(25, 60), CHILD_CELLS),
            )
        )
    return plan


# --- registered children on two rosters ------------------------------------------------------------


def _returning_children(geo: Geography, plan: YearPlan, rng: random.Random) -> None:
    """Two sessions in the same commune with registered children of that commune on their rosters,
    most of them at both: there the roll-up's unique persons are fewer than the person-times (up to
    three communes a year, those with the most children old enough)."""
    by_unit: dict[int, list[Planned]] = {}
    for p in plan.activities:
        if p.fields["kind"] == ActivityKind.SESSION and p.fields["admin_unit"].level == Level.COMMUNE:
            by_unit.setdefault(p.fields["admin_unit"].pk, []).append(p)
    born_by = plan.year - 5
    found: list[tuple[int, list[Planned], list[Child]]] = []
    for ps in by_unit.values():
        if len(ps) < 2:
            continue
        unit = ps[0].fields["admin_unit"]
        current = (
            [unit.pk]
            if unit.valid_to is None
            else [n for n, olds in geo.old_of_current.items() if unit in olds]
        )
        kids = list(
            Child.objects.filter(admin_unit_id__in=current, person__birth_year__lte=born_by)
            .select_related("person")
            .order_by("pk")[:30]
        )
        if len(kids) >= 3:
            found.append((len(kids), ps, kids))
    found.sort(key=lambda f: (-f[0], f[1][0].fields["admin_unit"].code))
    for _, ps, kids in found[:3]:
        for p, group in ((ps[0], kids), (ps[1], kids[: max(2, len(kids) * 2 // 3)])):
            for kid in group:
                p.attendees.append(
                    Attendee(
                        person=kid.person,
                        sex=kid.person.sex or "unknown",
                        birth_year=kid.person.birth_year,
                        group=Group.CHILDREN,
                    )
                )


# --- writing ----------------------------------------------------------------------------------------


def _write_year(ctx: Any, geo: Geography, plan: YearPlan) -> dict[str, int]:
    user_for = {True: staff_2020(geo), False: staff_now()}
    cleaned: list[tuple[Planned, dict[str, Any], list[Tally]]] = []
    campaign = Campaign(
        **plan.campaign,
        province=geo.province,
        created_by=user_for[plan.campaign["start_date"] <= LAST_PRE_REFORM_DAY],
    )
    for p in plan.activities:
        club = p.fields.pop("club", None)
        in_campaign = p.fields.pop("campaign")
        fields = _clean_fields(None, p.fields)  # the service's own checks: kind, dates, unit valid then…
        fields["campaign"] = campaign if in_campaign else None
        fields["club"] = club
        cleaned.append((p, fields, _clean_tallies(p.tallies)))
    with transaction.atomic():
        campaign.save()
        rows = [
            Activity(
                **fields,
                province=geo.province,
                recorded_by=user_for[fields["start_date"] <= LAST_PRE_REFORM_DAY],
            )
            for _, fields, _ in cleaned
        ]
        Activity.objects.bulk_create(rows, batch_size=500)
        tallies, attendees, materials = [], [], []
        for activity, (p, _, ts) in zip(rows, cleaned, strict=True):
            for t in ts:
                t.activity = activity
                tallies.append(t)
            for a in p.attendees:
                a.activity = activity
                attendees.append(a)
            for m in p.materials:
                m.activity = activity
                materials.append(m)
        Tally.objects.bulk_create(tallies, batch_size=1000)
        Attendee.objects.bulk_create(attendees, batch_size=1000)
        Material.objects.bulk_create(materials, batch_size=1000)
        counts = {
            "activities": len(rows),
            "tallies": len(tallies),
            "attendees": len(attendees),
            "materials": len(materials),
        }
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="activities.activity",
            unit=geo.province,
            changes={"demo": True, "year": plan.year, "campaign": campaign.name, **counts},
        )
    return counts


def load_activities(ctx: Any, geo: Geography) -> dict[int, dict[str, int]]:
    done: dict[int, dict[str, int]] = {}
    for year in years():
        if date(year, 6, 1) > today():
            continue
        name = ACTION_MONTH_2020["name"] if year == FIRST_YEAR else f"Tháng hành động vì trẻ em năm {year}"
        if Campaign.objects.filter(province=geo.province, year=year, name=name).exists():
            continue
        plan = plan_year(ctx, geo, year)
        _returning_children(geo, plan, rng_for(ctx, f"rosters:{year}"))
        done[year] = _write_year(ctx, geo, plan)
    return done


# --- clubs, teams, care models ----------------------------------------------------------------------


def _schools(geo: Geography) -> list[tuple[Organisation, AdminUnit]]:
    """The lower-secondary schools of the orgs demo with the pre-reform commune they served (their
    address, as orgs.demo_data writes it: 'xã Húc Động, huyện Bình Liêu')."""
    from mangnon.orgs.demo_data import _address

    old_at: dict[str, AdminUnit] = {}
    for d in geo.districts:
        for c in geo.old_by_district[d.pk]:
            old_at[_address(c, d)] = c
    schools = Organisation.objects.filter(
        province=geo.province, kind=OrgKind.SCHOOL, school_level__in=("lower_secondary", "multi_level")
    ).order_by("pk")
    return [(s, old_at[s.address]) for s in schools if s.address in old_at]


@dataclass
class ClubPlan:
    club: Club
    members: list[ClubMember] = field(default_factory=list)
    meetings: list[tuple[date, int]] = field(default_factory=list)  # (day, children present)


def _members(
    rng: random.Random,
    n_children: int,
    joined: date,
    *,
    left: date | None,
    adults: int = 1,
    ages: tuple[int, int] = (11, 15),
) -> list[ClubMember]:
    out = []
    for _ in range(n_children):
        sex = rng.choice("MF")
        out.append(
            ClubMember(
                name=first_name(rng, sex),
                sex=sex,
                birth_year=joined.year - rng.randint(*ages),
                role=ClubRole.CHILD,
                joined_on=joined,
                left_on=left,
            )
        )
    for _ in range(adults):
        sex = "F" if rng.random() < 0.7 else "M"
        out.append(
            ClubMember(
                name=synthetic.parent_name(rng, sex=sex),
                sex=sex,
                birth_year=joined.year - rng.randint(28, 50),
                role=ClubRole.ADULT,
                joined_on=joined,
                left_on=left,
            )
        )
    return out


def plan_clubs_2020(ctx: Any, geo: Geography) -> list[ClubPlan]:
    rng = rng_for(ctx, "clubs:2020")
    rec = staff_2020(geo)
    base = {"province": geo.province, "recorded_by": rec}
    plans: list[ClubPlan] = []
    for school, old in _schools(geo):
        founded = date(2019, 9, 5) + timedelta(days=rng.randint(0, 240))
        club = Club(
            kind=ClubKind.MANG_NON_TEAM,
            name=f"Đội tuyên truyền măng non {school.name}",
            admin_unit=old,
            school=school,
            founded_on=founded,
            closed_on=LAST_PRE_REFORM_DAY,
            **base,
        )
        plans.append(ClubPlan(club, _members(rng, rng.randint(8, 12), founded, left=date(2021, 5, 31))))
    for d in geo.districts:
        olds = geo.old_by_district[d.pk]
        for old in rng.sample(olds, min(2, len(olds))):
            founded = date(2018, 3, 1) + timedelta(days=rng.randint(0, 600))
            club = Club(
                kind=ClubKind.PARTICIPATION,
                name=f"Câu lạc bộ quyền tham gia của trẻ em {place(old)}",
                admin_unit=old,
                founded_on=founded,
                closed_on=LAST_PRE_REFORM_DAY,
                **base,
            )
            cp = ClubPlan(club, _members(rng, rng.randint(15, 25), founded, left=None))
            cp.meetings = [
                (date(2020, m, 1) + timedelta(days=rng.randint(0, 25)), rng.randint(10, 20))
                for m in (3, 6, 9, 12)
            ]
            plans.append(cp)
        club = Club(
            kind=ClubKind.SUMMER_TALENT,
            name=f"Lớp năng khiếu hè năm 2020 – {place(d)}",
            admin_unit=d,
            founded_on=date(2020, 6, 15),
            closed_on=date(2020, 8, 15),
            note="Lớp năng khiếu hè cho thiếu nhi (vẽ, hát, bơi).",
            **base,
        )
        plans.append(
            ClubPlan(
                club,
                _members(rng, rng.randint(25, 40), date(2020, 6, 15), left=date(2020, 8, 15), ages=(6, 14)),
            )
        )
        old = rng.choice(olds)
        founded = date(2017, 1, 1) + timedelta(days=rng.randint(0, 900))
        plans.append(
            ClubPlan(
                Club(
                    kind=ClubKind.CORE_CHILDREN,
                    name=f"Câu lạc bộ trẻ em nòng cốt {place(old)}",
                    admin_unit=old,
                    founded_on=founded,
                    closed_on=LAST_PRE_REFORM_DAY,
                    **base,
                ),
                _members(rng, rng.randint(12, 20), founded, left=None),
            )
        )
        if rng.random() < 0.6:
            old = rng.choice(olds)
            plans.append(
                ClubPlan(
                    Club(
                        kind=ClubKind.PARENTS,
                        name=f"Câu lạc bộ cha mẹ {place(old)}",
                        admin_unit=old,
                        founded_on=founded,
                        closed_on=LAST_PRE_REFORM_DAY,
                        **base,
                    ),
                    _members(rng, 0, founded, left=None, adults=rng.randint(12, 25)),
                )
            )
    return plans


def plan_clubs_current(ctx: Any, geo: Geography) -> list[ClubPlan]:
    """From 1/7/2025 the Măng non teams go on at their schools' current communes, with new members."""
    rng = rng_for(ctx, "clubs:current")
    rec = staff_now()
    founded = REFORM_DATE + timedelta(days=66)  # the school year 2025-2026
    if founded > today():
        return []
    plans = []
    for school, _old in _schools(geo):
        club = Club(
            kind=ClubKind.MANG_NON_TEAM,
            name=f"Đội tuyên truyền măng non {school.name}",
            admin_unit=school.admin_unit,
            school=school,
            founded_on=founded,
            province=geo.province,
            recorded_by=rec,
        )
        plans.append(ClubPlan(club, _members(rng, rng.randint(6, 10), founded, left=None)))
    return plans


def _write_clubs(geo: Geography, plans: list[ClubPlan], label: str) -> int:
    if not plans:
        return 0
    with transaction.atomic():
        clubs = [p.club for p in plans]
        Club.objects.bulk_create(clubs, batch_size=500)
        members = []
        meetings: list[Activity] = []
        tallies: list[tuple[Activity, list[dict[str, Any]]]] = []
        rng = random.Random(f"mangnon-demo-programme:meetings:{label}")  # noqa: S311
        for p in plans:
            for m in p.members:
                m.club = p.club
                members.append(m)
            for day, present in p.meetings:
                if day > today():
                    continue
                planned = _activity(
                    ActivityKind.CLUB_MEETING, f"Sinh hoạt {p.club.name}", p.club.admin_unit, day
                )
                planned.pop("campaign")
                planned.pop("club")
                fields = _clean_fields(None, planned)
                fields["club"] = p.club
                a = Activity(**fields, province=geo.province, recorded_by=p.club.recorded_by)
                meetings.append(a)
                tallies.append((a, tally_rows(rng, present, CHILD_CELLS)))
        ClubMember.objects.bulk_create(members, batch_size=1000)
        Activity.objects.bulk_create(meetings, batch_size=500)
        rows = []
        for a, ts in tallies:
            for t in _clean_tallies(ts):
                t.activity = a
                rows.append(t)
        Tally.objects.bulk_create(rows, batch_size=1000)
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="activities.club",
            unit=geo.province,
            changes={
                "demo": True,
                "set": label,
                "clubs": len(clubs),
                "members": len(members),
                "meetings": len(meetings),
            },
        )
    return len(clubs)


CARE_MODELS: tuple[tuple[str, str, str, str, int], ...] = (
    # kind, name, run by (name starts with), where ("province" or a district's short name), started
    (
        CareModelKind.FOSTER_CARE,
        "Mô hình chăm sóc thay thế tạm thời trẻ em tại gia đình nhận chăm sóc",
        "Trung tâm Công tác xã hội",
        "province",
        2016,
    ),
    (
        CareModelKind.VOCATIONAL,
        "Mô hình dạy nghề gắn với tạo việc làm cho trẻ em có hoàn cảnh đặc biệt",
        "Trung tâm Bảo trợ trẻ em",
        "province",
        2015,
    ),
    (CareModelKind.INJURY_PREVENTION, "Mô hình phòng, chống tai nạn thương tích trẻ em", "", "Hạ Long", 2017),
    (
        CareModelKind.INJURY_PREVENTION,
        "Mô hình phòng, chống tai nạn thương tích trẻ em",
        "",
        "Móng Cái",
        2018,
    ),
    (
        CareModelKind.AUTISM_THERAPY,
        "Trị liệu tâm lý cho trẻ em tự kỷ",
        "Trung tâm Bảo trợ trẻ em",
        "province",
        2016,
    ),
    (
        CareModelKind.DEAF_CLASS,
        "Lớp học đặc biệt dành cho trẻ em khiếm thính",
        "Trung tâm Bảo trợ trẻ em",
        "province",
        2014,
    ),
    (
        CareModelKind.AUTISM_FAMILY_CLUB,
        "Câu lạc bộ gia đình trẻ tự kỷ",
        "Trung tâm Công tác xã hội",
        "province",
        2018,
    ),
    (CareModelKind.FRIENDLY_CLUB, "Câu lạc bộ “Thân thiện”", "Trung tâm Công tác xã hội", "province", 2019),
    (
        CareModelKind.EARLY_CHILDHOOD,
        "Mô hình phát triển toàn diện trẻ em trong những năm đầu đời",
        "",
        "Bình Liêu",
        2019,
    ),
    (
        CareModelKind.EARLY_CHILDHOOD,
        "Mô hình phát triển toàn diện trẻ em trong những năm đầu đời",
        "",
        "Ba Chẽ",
        2019,
    ),
)


def plan_care_models(ctx: Any, geo: Geography) -> list[CareModel]:
    rng = rng_for(ctx, "care-models")
    districts = {d.short_name: d for d in geo.districts}
    rec = staff_2020(geo)
    out = []
    for kind, name, runner, where, started in CARE_MODELS:
        unit = geo.province if where == "province" else districts.get(where)
        if unit is None:
            continue
        organisation = (
            org(geo.province, OrgKind.SOCIAL_WORK_CENTRE, runner)
            or org(geo.province, OrgKind.PROTECTION_FACILITY, runner)
            if runner
            else None
        )
        out.append(
            CareModel(
                kind=kind,
                name=name if unit.level == Level.PROVINCE else f"{name} – {place(unit)}",
                admin_unit=unit,
                province=geo.province,
                organisation=organisation,
                start_date=date(started, rng.randint(1, 12), 1),
                end_date=None if unit.level == Level.PROVINCE else LAST_PRE_REFORM_DAY,
                children_served=rng.randint(15, 120),
                recorded_by=rec,
                description="Mô hình được duy trì theo báo cáo công tác trẻ em năm 2020 của tỉnh.",
            )
        )
    return out


def load_clubs(ctx: Any, geo: Geography) -> dict[str, int]:
    out = {"clubs_2020": 0, "clubs_current": 0, "care_models": 0}
    old_teams = Club.objects.filter(
        province=geo.province, kind=ClubKind.MANG_NON_TEAM, closed_on=LAST_PRE_REFORM_DAY
    )
    if not old_teams.exists():
        out["clubs_2020"] = _write_clubs(geo, plan_clubs_2020(ctx, geo), "2020")
    new_teams = Club.objects.filter(
        province=geo.province, kind=ClubKind.MANG_NON_TEAM, founded_on__gte=REFORM_DATE
    )
    if not new_teams.exists():
        out["clubs_current"] = _write_clubs(geo, plan_clubs_current(ctx, geo), "current")
    if not CareModel.objects.filter(province=geo.province).exists():
        rows = plan_care_models(ctx, geo)
        with transaction.atomic():
            CareModel.objects.bulk_create(rows)
            audit.record(
                actor=None,
                action=AuditAction.CREATE,
                object_type="activities.caremodel",
                unit=geo.province,
                changes={"demo": True, "care_models": len(rows)},
            )
        out["care_models"] = len(rows)
    return out


def load(ctx: DemoContext | Any) -> dict[str, Any]:
    geo = geography()
    years_done = load_activities(ctx, geo)
    clubs = load_clubs(ctx, geo)
    made = sum(c["activities"] for c in years_done.values())
    which = ", ".join(map(str, years_done)) or "none new"
    ctx.say(
        f"  activities: {made} in {len(years_done)} years created ({which}); clubs: {clubs['clubs_2020']} "
        f"of 2020, {clubs['clubs_current']} since 1/7/2025; {clubs['care_models']} care models"
    )
    return {"years": years_done, **clubs}
