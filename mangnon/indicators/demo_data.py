"""Demo indicators: the figures other sectors report for Quảng Ninh 2019-2026, and the province's targets.

Entered figures (entered.py's data sets), through the models, for every year from 2019 to the year of
the load:

- health and education by the units below the province: the 13 pre-reform district-level units up to
  2024, the current communes from 2025; the commune data set by every commune-level unit of the year;
  the water-safety survey by the province;
- province totals near the province's reports (seeds 002 and 003): 29 children dead from injuries in
  2019 and 28 in 2020, drowning a part of them; stunting about 24 % falling to 22 %, underweight about
  15 % falling to 14 %, under-1 mortality about 10 ‰ and under-5 about 12 ‰ falling; water-safety
  skills 75-85 %, traffic rules 96-99 %, a child-protection board in every commune, almost all with
  working rules. Each total is split over the units by their children, so the units add up to it
  exactly, and a part never exceeds its whole in any unit (the data sets' validation rule);
- each report approved (submitted by the province officer, or by a commune's own officer where the
  demo has one, approved by the province manager, with the events and their times) once its year is
  over and reported; the year of the load still being entered (a few communes have submitted), so
  completeness shows; every value with its change row.

Targets: the province's 2023 plan (seed 002) as its plan lists them, 2020's "every child in special
circumstances assisted" (seed 003, met) and plausible plans for 2024-2026, each with its revision rows
(one target of 2023 revised once, to show the history).

Idempotent: a data set's reports of a period are written once (skipped when any exists), a target once
(by indicator, unit and year). Rows are bulk-created, each batch described by ONE audit event by the
system, as in the other demo loaders.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from mangnon.accounts.models import User
from mangnon.activities.demo_data import Geography, geography, split
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.metrics import COMMUNE_LEVELS
from mangnon.geo.models import REFORM_DATE, AdminUnit

from . import entered
from .models import (
    DataSetReport,
    DataSetReportEvent,
    EnteredValue,
    EnteredValueChange,
    ReportEventKind,
    ReportStatus,
    Target,
    TargetKind,
    TargetRevision,
)
from .periods import ReportingPeriod

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

FIRST_YEAR = 2019
SUBMITTER = "demo-province"
APPROVER = "demo-manager"


def plan_name(year: int) -> str:
    return f"Kế hoạch thực hiện công tác trẻ em năm {year} của UBND tỉnh Quảng Ninh"


# --- the province's figures, year by year ------------------------------------------------------------

# Injury deaths (seed 003: 28 in 2020) and drowning, a part of them.
INJURY_DEATHS = {2019: 29, 2020: 28, 2021: 26, 2022: 27, 2023: 24, 2024: 23, 2025: 22, 2026: 20}
DROWNING = {2019: 15, 2020: 14, 2021: 13, 2022: 14, 2023: 12, 2024: 11, 2025: 11, 2026: 9}
LIVE_BIRTHS = {
    2019: 20_480,
    2020: 20_150,
    2021: 19_620,
    2022: 19_310,
    2023: 18_940,
    2024: 18_700,
    2025: 18_420,
    2026: 16_900,
}  # fmt: skip  (2026: the year so far)
# Rates as the province's reports give them; numerators are computed from them and the bases.
U1_PER_MILLE = {2019: 10.6, 2020: 10.3, 2021: 10.2, 2022: 10.0, 2023: 9.9, 2024: 9.7, 2025: 9.6, 2026: 9.5}
U5_PER_MILLE = {2019: 12.9, 2020: 12.6, 2021: 12.4, 2022: 12.0, 2023: 11.6, 2024: 11.2, 2025: 10.9,
                2026: 10.7}  # fmt: skip
WEIGHED_U5 = {2019: 98_200, 2020: 97_600, 2021: 96_900, 2022: 95_800, 2023: 94_700, 2024: 93_500,
              2025: 92_400, 2026: 91_300}  # fmt: skip
UNDERWEIGHT = {2019: 15.3, 2020: 15.0, 2021: 14.8, 2022: 14.6, 2023: 14.4, 2024: 14.2, 2025: 14.0,
               2026: 13.8}  # fmt: skip
STUNTED = {2019: 24.2, 2020: 23.8, 2021: 23.4, 2022: 23.0, 2023: 22.6, 2024: 22.3, 2025: 22.0, 2026: 21.8}
PRIMARY_AGE = {2019: 101_300, 2020: 102_900, 2021: 104_100, 2022: 104_800, 2023: 104_200, 2024: 103_100,
               2025: 101_900, 2026: 100_600}  # fmt: skip
PRIMARY_ON_TIME = {2019: 99.6, 2020: 99.7, 2021: 99.7, 2022: 99.8, 2023: 99.8, 2024: 99.9, 2025: 99.9,
                   2026: 99.9}  # fmt: skip
LOWER_SECONDARY_AGE = {2019: 72_600, 2020: 74_800, 2021: 77_300, 2022: 79_900, 2023: 81_700,
                       2024: 82_900, 2025: 83_600, 2026: 84_100}  # fmt: skip
LOWER_SECONDARY_ON_TIME = {2019: 95.6, 2020: 96.0, 2021: 96.3, 2022: 96.8, 2023: 97.2, 2024: 97.5,
                           2025: 97.8, 2026: 98.0}  # fmt: skip
TRAFFIC = {2019: 95.8, 2020: 96.4, 2021: 97.0, 2022: 97.6, 2023: 98.1, 2024: 98.6, 2025: 98.9, 2026: 99.2}
WATER = {2019: 75.2, 2020: 76.8, 2021: 78.1, 2022: 79.6, 2023: 81.4, 2024: 82.7, 2025: 83.9, 2026: 84.8}
SURVEYED = {2019: 2_400, 2020: 2_450, 2021: 2_380, 2022: 2_500, 2023: 2_520, 2024: 2_480, 2025: 2_510,
            2026: 2_460}  # fmt: skip
LIFE_JACKET = {2019: 80.2, 2020: 81.0, 2021: 82.1, 2022: 83.6, 2023: 85.3, 2024: 86.0, 2025: 86.8,
               2026: 87.5}  # fmt: skip
# Communes without working rules for their board, and without a safe play area (shares).
NO_RULES = {2019: 2, 2020: 1}
PLAY_AREA = {2019: 0.58, 2020: 0.62, 2021: 0.66, 2022: 0.70, 2023: 0.74, 2024: 0.78, 2025: 0.82, 2026: 0.85}
NOT_UNIVERSAL = {2019: 1}  # communes not yet recognised for universal education

# --- targets --------------------------------------------------------------------------------------------

BELOW = TargetKind.BELOW_PREVIOUS
TARGETS: dict[int, dict[str, Any]] = {
    # Seed 002: the 2023 plan's "chỉ tiêu cần đạt".
    2023: {"MN-BV-11": 100, "MN-YT-01": 14.5, "MN-YT-02": 22.5, "MN-YT-03": 10.5, "MN-YT-04": 11,
           "MN-GD-01": 100, "MN-GD-02": 100, "MN-GD-03": 97, "MN-GD-04": 100, "MN-GD-05": 81,
           "MN-GD-06": 85, "MN-BV-09": BELOW, "MN-BV-02": BELOW},
    2024: {"MN-BV-11": 100, "MN-YT-01": 14.2, "MN-YT-02": 22.2, "MN-YT-03": 10, "MN-YT-04": 10.8,
           "MN-GD-01": 100, "MN-GD-02": 100, "MN-GD-03": 97.5, "MN-GD-04": 100, "MN-GD-05": 82,
           "MN-GD-06": 86, "MN-BV-06": 100, "MN-BV-09": BELOW, "MN-BV-02": BELOW},
    2025: {"MN-BV-11": 100, "MN-YT-01": 14, "MN-YT-02": 22, "MN-YT-03": 9.8, "MN-YT-04": 10.5,
           "MN-GD-01": 100, "MN-GD-02": 100, "MN-GD-03": 98, "MN-GD-04": 100, "MN-GD-05": 83,
           "MN-GD-06": 87, "MN-BV-06": 100, "MN-BV-09": BELOW, "MN-BV-02": BELOW},
    2026: {"MN-BV-11": 100, "MN-YT-01": 13.8, "MN-YT-02": 21.8, "MN-YT-03": 9.6, "MN-YT-04": 10.3,
           "MN-GD-01": 100, "MN-GD-02": 100, "MN-GD-03": 98, "MN-GD-04": 100, "MN-GD-05": 84,
           "MN-GD-06": 88, "MN-BV-06": 100, "MN-BV-09": BELOW, "MN-BV-02": BELOW},
    # Seed 003: every child in special circumstances assisted in 2020 ("target met").
    2020: {"MN-BV-06": 100},
}  # fmt: skip
# The one 2023 target revised in the demo: stunting first set at 23 %, lowered to the plan's 22.5 %.
REVISED = ("MN-YT-02", 2023, Decimal("23.00"), "Điều chỉnh theo Kế hoạch của UBND tỉnh sau góp ý của Sở Y tế")


def _share(total: int, rate: float) -> int:
    return round(total * rate / 100)


def province_figures(year: int) -> dict[str, int]:
    """The province's total of every element of the health, education and survey data sets in `year`."""
    births, weighed = LIVE_BIRTHS[year], WEIGHED_U5[year]
    primary, lower = PRIMARY_AGE[year], LOWER_SECONDARY_AGE[year]
    pupils = round((primary + lower) * 0.985)
    return {
        "health.live_births": births,
        "health.deaths_u1": round(births * U1_PER_MILLE[year] / 1000),
        "health.deaths_u5": round(births * U5_PER_MILLE[year] / 1000),
        "health.weighed_u5": weighed,
        "health.underweight_u5": _share(weighed, UNDERWEIGHT[year]),
        "health.stunted_u5": _share(weighed, STUNTED[year]),
        "health.injury_deaths": INJURY_DEATHS[year],
        "health.drowning_deaths": DROWNING[year],
        "education.primary_age": primary,
        "education.primary_on_time": _share(primary, PRIMARY_ON_TIME[year]),
        "education.lower_secondary_age": lower,
        "education.lower_secondary_on_time": _share(lower, LOWER_SECONDARY_ON_TIME[year]),
        "education.pupils": pupils,
        "education.traffic_safety": _share(pupils, TRAFFIC[year]),
        "education.water_safety": _share(pupils, WATER[year]),
        "survey.on_waterways": SURVEYED[year],
        "survey.life_jacket": _share(SURVEYED[year], LIFE_JACKET[year]),
    }


def split_set(
    data_set: entered.DataSet, totals: dict[str, int], weights: list[float], rng: random.Random
) -> list[dict[str, int]]:
    """Each element's total split over units of `weights`, the units adding up to the total exactly and
    a part never above its whole in any unit: a part under half its whole is split by the whole's
    shares, a larger one as the whole less a split of what it lacks."""
    wholes = [e for e in data_set.elements if not e.part_of]
    parts = [e for e in data_set.elements if e.part_of]
    rows: list[dict[str, int]] = [{} for _ in weights]
    for element in wholes:
        jittered = [w * rng.uniform(0.85, 1.15) for w in weights]
        for row, n in zip(rows, split(totals[element.code], jittered), strict=True):
            row[element.code] = n
    for element in parts:
        whole = [row[element.part_of] for row in rows]
        total, whole_total = totals[element.code], totals[element.part_of]
        if total * 2 <= whole_total:
            shares = [w * rng.uniform(0.8, 1.2) if w else 0.0 for w in whole]
            values = split(total, shares) if any(shares) else [0] * len(rows)
        else:
            lacking = [w * rng.uniform(0.7, 1.3) if w else 0.0 for w in whole]
            values = [w - n for w, n in zip(whole, split(whole_total - total, lacking), strict=True)]
        for row, n, w in zip(rows, values, whole, strict=True):
            if not 0 <= n <= w:  # a part above its whole: move the excess to units with room
                raise ValueError(f"demo figures: {element.code} {n} > {element.part_of} {w}")
            row[element.code] = n
    return rows


def commune_rows(year: int, units: list[AdminUnit], rng: random.Random) -> list[dict[str, int]]:
    """The commune data set: a board everywhere; rules, universal education and a play area in most."""
    n = len(units)
    no_rules = set(rng.sample(range(n), min(n, NO_RULES.get(year, 0))))
    not_universal = set(rng.sample(range(n), min(n, NOT_UNIVERSAL.get(year, 0))))
    play = set(rng.sample(range(n), round(n * PLAY_AREA[year])))
    return [
        {
            "commune.board": 1,
            "commune.board_with_rules": 0 if i in no_rules else 1,
            "commune.universal_education": 0 if i in not_universal else 1,
            "commune.play_area": 1 if i in play else 0,
        }
        for i in range(n)
    ]


# --- writing ------------------------------------------------------------------------------------------


@dataclass
class People:
    submitter: User
    approver: User
    commune_officers: dict[int, User]  # unit pk → the demo officer who enters the commune's figures


def _people(geo: Geography) -> People:
    from mangnon.intake.demo_data import demo_user

    officers: dict[int, User] = {}
    by_code = {u.code: u for u in geo.communes}
    for user in User.objects.filter(username__startswith="demo-"):
        code = {"demo-commune-a": "06688", "demo-commune-b": "06862"}.get(user.username)
        if code is None and user.username.startswith("demo-officer-"):
            code = user.username.removeprefix("demo-officer-")
        if code in by_code:
            officers[by_code[code].pk] = user
    return People(demo_user(SUBMITTER), demo_user(APPROVER), officers)


def _at(day: date, rng: random.Random) -> datetime:
    moment = datetime.combine(day, time(8, 0)) + timedelta(minutes=rng.randrange(8 * 60))
    return timezone.make_aware(moment)


def _units_of(geo: Geography, data_set: entered.DataSet, year: int) -> tuple[list[AdminUnit], list[float]]:
    """The units that enter `data_set` for `year` (in the geography of its last day), with weights."""
    end = date(year, 12, 31)
    if data_set.level is entered.EntryLevel.PROVINCE:
        return [geo.province], [1.0]
    if end < REFORM_DATE:
        if data_set.level is entered.EntryLevel.BELOW_PROVINCE:
            return list(geo.districts), geo.district_weights()
        valid = {
            u.pk
            for u in AdminUnit.objects.valid_on(end).filter(
                path__startswith=geo.province.path, level__in=COMMUNE_LEVELS
            )
        }
        pairs = [(u, w) for u, w in zip(geo.old_communes, geo.old_weights, strict=True) if u.pk in valid]
        return [u for u, _ in pairs], [w for _, w in pairs]
    return list(geo.communes), list(geo.weights)


def load_year(ctx: Any, geo: Geography, people: People, data_set: entered.DataSet, year: int) -> int:
    """The reports of `data_set` for `year` with their values, history and approval; 0 when present."""
    period = str(year)
    if DataSetReport.objects.filter(data_set=data_set.code, period=period).exists():
        return 0
    seed = getattr(ctx, "seed", 20200601)
    rng = random.Random(f"mangnon-demo-indicators:{seed}:{data_set.code}:{year}")  # noqa: S311
    units, weights = _units_of(geo, data_set, year)
    if data_set.code == "commune":
        rows = commune_rows(year, units, rng)
    else:
        totals = province_figures(year)
        rows = split_set(data_set, totals, weights, rng)
    now = timezone.now()
    due = data_set.due_on(ReportingPeriod.year(year))
    reported = due + timedelta(days=30) <= timezone.localdate()
    reports, values, changes, events = [], [], [], []
    for unit, row in zip(units, rows, strict=True):
        by = people.commune_officers.get(unit.pk, people.submitter)
        report = DataSetReport(data_set=data_set.code, admin_unit=unit, province=geo.province, period=period)
        if reported:
            submitted = _at(due - timedelta(days=rng.randint(0, 12)), rng)
            approved = submitted + timedelta(days=rng.randint(2, 20), minutes=rng.randrange(600))
            entered_at = submitted - timedelta(days=rng.randint(1, 5))
            report.status = ReportStatus.APPROVED
            report.submitted_at, report.submitted_by = submitted, by
            report.approved_at, report.approved_by = approved, people.approver
            events += [
                DataSetReportEvent(report=report, kind=ReportEventKind.SUBMITTED, at=submitted, by=by),
                DataSetReportEvent(
                    report=report, kind=ReportEventKind.APPROVED, at=approved, by=people.approver
                ),
            ]
        else:  # the year is still being reported: figures so far, a few communes have submitted
            entered_at = min(now, _at(min(timezone.localdate(), date(year, 12, 31)), rng)) - timedelta(
                days=rng.randint(3, 20)
            )
            if data_set.code == "commune" and rng.random() < 0.25:
                report.status = ReportStatus.SUBMITTED
                report.submitted_at, report.submitted_by = entered_at + timedelta(days=1), by
                events.append(
                    DataSetReportEvent(
                        report=report, kind=ReportEventKind.SUBMITTED, at=report.submitted_at, by=by
                    )
                )
        report.created_at = report.updated_at = entered_at
        reports.append(report)
        for element in data_set.elements:
            value = EnteredValue(
                report=report,
                element=element.code,
                admin_unit=unit,
                province=geo.province,
                period=period,
                value=row[element.code],
                updated_by=by,
            )
            values.append(value)
            changes.append(EnteredValueChange(value=value, old=None, new=value.value, at=entered_at, by=by))
    with transaction.atomic():
        DataSetReport.objects.bulk_create(reports, batch_size=1000)
        for event in events:
            event.report_id = event.report.pk
        for value in values:
            value.report_id = value.report.pk
        EnteredValue.objects.bulk_create(values, batch_size=2000)
        for change in changes:
            change.value_id = change.value.pk
        DataSetReportEvent.objects.bulk_create(events, batch_size=2000)
        EnteredValueChange.objects.bulk_create(changes, batch_size=2000)
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="indicators.entered_value",
            unit=geo.province,
            changes={
                "demo": True,
                "data_set": data_set.code,
                "period": period,
                "reports": len(reports),
                "values": len(values),
            },
        )
    return len(values)


def load_targets(geo: Geography, people: People) -> int:
    have = set(Target.objects.filter(admin_unit=geo.province).values_list("indicator", "year"))
    targets, revisions = [], []
    for year, wanted in sorted(TARGETS.items()):
        if year > timezone.localdate().year:
            continue
        source = plan_name(year)
        set_at = timezone.make_aware(datetime.combine(date(year, 2, 20), time(9, 0)))
        for code, goal in wanted.items():
            if (code, year) in have:
                continue
            kind = TargetKind.LEVEL if goal is not BELOW else goal
            value = None if goal is BELOW else Decimal(str(goal)).quantize(Decimal("0.01"))
            target = Target(
                indicator=code,
                admin_unit=geo.province,
                province=geo.province,
                year=year,
                kind=kind,
                value=value,
                source_document=source,
                updated_by=people.submitter,
            )
            target.created_at = target.updated_at = set_at
            targets.append(target)
            if (code, year) == REVISED[:2]:
                target.version = 2
                first = REVISED[2]
                revisions.append(
                    TargetRevision(target=target, kind=kind, value=first, source_document="Dự thảo kế hoạch",
                                   reason="", at=set_at - timedelta(days=30), by=people.submitter)
                )  # fmt: skip
                revisions.append(
                    TargetRevision(target=target, kind=kind, value=value, source_document=source,
                                   reason=REVISED[3], at=set_at, by=people.submitter)
                )  # fmt: skip
            else:
                revisions.append(
                    TargetRevision(target=target, kind=kind, value=value, source_document=source,
                                   reason="", at=set_at, by=people.submitter)
                )  # fmt: skip
    if not targets:
        return 0
    with transaction.atomic():
        Target.objects.bulk_create(targets)
        for revision in revisions:
            revision.target_id = revision.target.pk
        TargetRevision.objects.bulk_create(revisions)
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="indicators.target",
            unit=geo.province,
            changes={"demo": True, "targets": len(targets), "years": sorted({t.year for t in targets})},
        )
    return len(targets)


def load(ctx: DemoContext | Any) -> dict[str, int]:
    geo = geography()
    people = _people(geo)
    last = min(timezone.localdate().year, max(INJURY_DEATHS))
    values = 0
    for year in range(FIRST_YEAR, last + 1):
        for data_set in entered.DATA_SETS:
            values += load_year(ctx, geo, people, data_set, year)
    targets = load_targets(geo, people)
    ctx.say(f"  {values} entered figures, {targets} targets created")
    return {"values": values, "targets": targets}
