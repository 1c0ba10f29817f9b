"""Demo support: Quảng Ninh 2020 as the province published it (seed 003), and a lighter support in the
later years, up to the moment the demo is loaded.

- The province's own programmes, NQ 222/2015/NQ-HĐND and NQ 91/2017/NQ-HĐND, one programme per kind of
  support (study, health care, monthly allowance, ad hoc). In 2020 they paid 13,303 times, 17,316,469,000
  đồng in all: 665 children a monthly allowance every month (7,980 payments), 1,330 children a study
  grant in January and September (2,660), 1,330 health-care and 1,333 ad hoc payments, the ad hoc
  amounts taking whatever makes the total exact. The programmes support children in special
  circumstances (every group of the Law on Children), so each payment goes to a registered child who
  was in one of those groups on the day paid (the rule of `services.eligible_on`), at the pre-reform
  commune the child lived in then (the commune that went into the child's current one).
- Gifts: Tết thiếu nhi 2020 (203,648 children, 12,146,500,000 đồng) and Trung thu 2020 (207,485
  child-times reached, 16,512 visited and given gifts, 4,989,000,000 đồng), as one tally per pre-reform
  district-level unit, split by the children living there so that they add up exactly; both occasions
  every later year (at the current communes once the districts were gone).
- Alternative care: a few placements of 2020 (at the pre-reform commune, ended since) and some since the
  reform at the current communes, some still open, with reviews.

Rows are written with bulk_create in one transaction per set, described by ONE audit event by the
system. Idempotent: the programmes by code, the payments of a year by whether the demo programmes paid
anything that year, a gift campaign by its occasion and year, the placements by whether any exists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import transaction

from mangnon.activities.demo_data import (
    FIRST_YEAR,
    TRUNG_THU,
    Geography,
    geography,
    recorder,
    rng_for,
    split,
    staff_2020,
    staff_now,
    today,
    years,
)
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import LAST_PRE_REFORM_DAY, REFORM_DATE, AdminUnit
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.models import Organisation
from mangnon.registry.codes import SpecialGroup
from mangnon.registry.models import Child, SpecialCircumstance

from .codes import CareKind, GiftOccasion, ProgrammeKind
from .models import AlternativeCare, CareReview, Disbursement, GiftCampaign, GiftTally, Programme

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

# Quảng Ninh 2020 (seed 003).
DISBURSEMENTS_2020 = 13_303
DISBURSED_2020 = 17_316_469_000  # đồng
MONTHLY_CHILDREN, STUDY_CHILDREN, HEALTH_PAYMENTS = 665, 1_330, 1_330
AD_HOC_PAYMENTS = DISBURSEMENTS_2020 - 12 * MONTHLY_CHILDREN - 2 * STUDY_CHILDREN - HEALTH_PAYMENTS  # 1,333
MONTHLY_AMOUNT, STUDY_AMOUNT = 1_080_000, 1_500_000
TET_THIEU_NHI_2020 = (203_648, 14_230, 12_146_500_000)  # reached, visited and given gifts, đồng
TRUNG_THU_2020 = (207_485, 16_512, 4_989_000_000)


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    name: str
    legal_basis: str
    kind: str
    active_from: date


PROGRAMMES = (
    ProgrammeSpec(
        "NQ222-HT",
        "Hỗ trợ học tập cho trẻ em",
        "Nghị quyết số 222/2015/NQ-HĐND của HĐND tỉnh",
        ProgrammeKind.STUDY,
        date(2016, 1, 1),
    ),
    ProgrammeSpec(
        "NQ222-YT",
        "Hỗ trợ chăm sóc sức khỏe cho trẻ em",
        "Nghị quyết số 222/2015/NQ-HĐND của HĐND tỉnh",
        ProgrammeKind.HEALTH_CARE,
        date(2016, 1, 1),
    ),
    ProgrammeSpec(
        "NQ91-TCHT",
        "Trợ cấp hằng tháng cho trẻ em",
        "Nghị quyết số 91/2017/NQ-HĐND của HĐND tỉnh",
        ProgrammeKind.MONTHLY_ALLOWANCE,
        date(2018, 1, 1),
    ),
    ProgrammeSpec(
        "NQ91-DX",
        "Hỗ trợ đột xuất cho trẻ em",
        "Nghị quyết số 91/2017/NQ-HĐND của HĐND tỉnh",
        ProgrammeKind.AD_HOC,
        date(2018, 1, 1),
    ),
)


def _programmes(geo: Geography) -> dict[str, Programme]:
    found = {
        p.code: p
        for p in Programme.objects.filter(province=geo.province, code__in=[s.code for s in PROGRAMMES])
    }
    todo = [s for s in PROGRAMMES if s.code not in found]
    if todo:
        rec = staff_2020(geo)
        rows = [
            Programme(
                code=s.code,
                name=s.name,
                legal_basis=s.legal_basis,
                kind=s.kind,
                eligible_groups=list(SpecialGroup.values),
                province=geo.province,
                active_from=s.active_from,
                created_by=rec,
            )
            for s in todo
        ]
        with transaction.atomic():
            Programme.objects.bulk_create(rows)
            audit.record(
                actor=None,
                action=AuditAction.CREATE,
                object_type="support.programme",
                unit=geo.province,
                changes={"demo": True, "programmes": [r.code for r in rows]},
            )
        found.update({r.code: r for r in rows})
    return found


# --- disbursements ---------------------------------------------------------------------------------


def _born_by(child: Child, day: date) -> bool:
    dob = child.person.date_of_birth
    return dob <= day if dob else (child.person.birth_year or 9999) < day.year


def _where_paid(geo: Geography, child: Child, day: date) -> AdminUnit | None:
    """The commune of the payment in the geography of its day."""
    return geo.commune_of(child, day)


@dataclass
class Payment:
    programme: Programme
    child: Child
    day: date
    thousands: int  # amount in thousands of đồng


def _in_circumstances(child: Child, day: date) -> bool:
    """`services.eligible_on` for programmes that support every group, read from the rows loaded with
    the child (one query for all of them rather than one per payment)."""
    periods: list[tuple[date, date | None]] = getattr(child, "demo_periods", [])
    return any(start <= day and (end is None or end >= day) for start, end in periods)


def _pool(rng: Any, children: Sequence[Child], day: date) -> list[Child]:
    """The children a programme may pay on `day`, in random order."""
    pool = [c for c in children if _born_by(c, day) and _in_circumstances(c, day)]
    rng.shuffle(pool)
    return pool


def plan_payments(
    ctx: Any, geo: Geography, progs: dict[str, Programme], year: int, children: Sequence[Child]
) -> list[Payment]:
    """The payments of `year`: 2020's published count and total exactly; later years about 400."""
    rng = rng_for(ctx, f"disbursements:{year}")
    first = year == FIRST_YEAR
    monthly_n, study_n, health_n, ad_hoc_n = (
        (MONTHLY_CHILDREN, STUDY_CHILDREN, HEALTH_PAYMENTS, AD_HOC_PAYMENTS)
        if first
        else (rng.randint(18, 24), rng.randint(40, 60), rng.randint(30, 45), rng.randint(30, 45))
    )
    pool = _pool(rng, children, date(year, 1, 1))
    if not pool:
        return []
    pick = lambda n: pool[n % len(pool)]  # noqa: E731 - a small registry (tests) pays some children more
    out: list[Payment] = []
    for n in range(monthly_n):
        child = pick(n)
        for month in range(1, 13):
            out.append(Payment(progs["NQ91-TCHT"], child, date(year, month, 10), MONTHLY_AMOUNT // 1000))
    for n in range(study_n):
        child = pick(monthly_n + n)
        for month in (1, 9):
            out.append(Payment(progs["NQ222-HT"], child, date(year, month, 15), STUDY_AMOUNT // 1000))
    year_days = [date(year, 1, 1) + timedelta(days=d) for d in range(365)]
    for _ in range(health_n):
        out.append(
            Payment(progs["NQ222-YT"], rng.choice(pool), rng.choice(year_days), rng.randrange(500, 3001, 50))
        )
    ad_hoc_days = sorted(rng.choice(year_days) for _ in range(ad_hoc_n))
    if first:
        rest = DISBURSED_2020 // 1000 - sum(p.thousands for p in out)
        amounts = split(rest, [rng.uniform(0.5, 1.5) for _ in ad_hoc_days])
    else:
        amounts = [rng.randrange(1000, 3001, 100) for _ in ad_hoc_days]
    for day, amount in zip(ad_hoc_days, amounts, strict=True):
        out.append(Payment(progs["NQ91-DX"], rng.choice(pool), day, amount))
    return [p for p in out if p.day <= today() and _born_by(p.child, p.day)] if not first else out


MAX_CHILDREN_READ = 20_000  # more than the sample's children in special circumstances (about 4,000)


def _children() -> list[Child]:
    """The registered children in special circumstances, whom payments and placements are drawn from,
    each with its circumstances' periods (`demo_periods`); in the order of their households, which is
    random, so the first ones are spread over the province."""
    periods: dict[int, list[tuple[date, date | None]]] = {}
    for child_id, start, end in SpecialCircumstance.objects.values_list("child_id", "start_date", "end_date"):
        periods.setdefault(child_id, []).append((start, end))
    fields = ("pk", "admin_unit", "person__date_of_birth", "person__birth_year")
    children = list(
        Child.objects.select_related("person")
        .only(*fields)
        .filter(pk__in=SpecialCircumstance.objects.values("child_id"))
        .order_by("pk")[:MAX_CHILDREN_READ]
    )
    for child in children:
        child.demo_periods = periods[child.pk]  # type: ignore[attr-defined]
    return children


def load_disbursements(
    ctx: Any, geo: Geography, progs: dict[str, Programme], children: Callable[[], list[Child]]
) -> dict[int, int]:
    done: dict[int, int] = {}
    users = {True: staff_2020(geo), False: staff_now()}
    for year in years():
        paid = Disbursement.objects.filter(programme__in=progs.values(), paid_on__year=year)
        if paid.exists() or date(year, 1, 10) > today():
            continue
        payments = plan_payments(ctx, geo, progs, year, children())
        rows = []
        for p in payments:
            unit = _where_paid(geo, p.child, p.day)
            # The services' own rules: the programme active that day, the child eligible then, the unit
            # existing then.
            if unit is None or not p.programme.is_active_on(p.day) or not unit.is_valid_on(p.day):
                raise ValueError(f"A demo payment breaks the rules: {p}")
            if not _born_by(p.child, p.day) or not _in_circumstances(p.child, p.day):
                raise ValueError(f"A demo payment to an ineligible child: {p}")
            district = unit if unit.level != "commune" else geo.by_pk.get(unit.parent_id or 0)
            approver = (
                f"Chủ tịch UBND {district.get_unit_type_display()} {district.short_name}"
                if district
                else f"Chủ tịch UBND {unit.name}"
            )
            rows.append(
                Disbursement(
                    programme=p.programme,
                    child=p.child,
                    admin_unit=unit,
                    province=geo.province,
                    amount=p.thousands * 1000,
                    paid_on=p.day,
                    approver=approver,
                    recorded_by=users[p.day <= LAST_PRE_REFORM_DAY],
                )
            )
        if not rows:
            continue
        with transaction.atomic():
            Disbursement.objects.bulk_create(rows, batch_size=2000)
            audit.record(
                actor=None,
                action=AuditAction.CREATE,
                object_type="support.disbursement",
                unit=geo.province,
                changes={
                    "demo": True,
                    "year": year,
                    "disbursements": len(rows),
                    "amount": sum(r.amount for r in rows),
                    "children": len({r.child_id for r in rows}),
                },
            )
        done[year] = len(rows)
    return done


# --- gifts -------------------------------------------------------------------------------------------


def _gift_units(geo: Geography, day: date) -> tuple[list[AdminUnit], list[float]]:
    if day <= LAST_PRE_REFORM_DAY:
        return geo.districts, geo.district_weights()
    return geo.communes, geo.weights


def load_gifts(ctx: Any, geo: Geography) -> int:
    made = 0
    for year in years():
        for occasion, day, name in (
            (GiftOccasion.TET_THIEU_NHI, date(year, 6, 1), f"Quà Tết thiếu nhi 1/6/{year}"),
            (GiftOccasion.TRUNG_THU, TRUNG_THU.get(year, date(year, 9, 20)), f"Quà Tết Trung thu {year}"),
        ):
            if (
                day > today()
                or GiftCampaign.objects.filter(province=geo.province, occasion=occasion, year=year).exists()
            ):
                continue
            rng = rng_for(ctx, f"gifts:{occasion}:{year}")
            if year == FIRST_YEAR:
                reached, visited, value = (
                    TET_THIEU_NHI_2020 if occasion == GiftOccasion.TET_THIEU_NHI else TRUNG_THU_2020
                )
            else:
                base = TET_THIEU_NHI_2020 if occasion == GiftOccasion.TET_THIEU_NHI else TRUNG_THU_2020
                f = rng.uniform(0.95, 1.08)
                reached, visited, value = (
                    int(base[0] * f),
                    int(base[1] * f),
                    int(base[2] * f) // 100_000 * 100_000,
                )
            units, weights = _gift_units(geo, day)
            noisy = [w * rng.uniform(0.85, 1.15) for w in weights]
            reached_by = split(reached, noisy)
            visited_by = split(visited, [r or 0.001 for r in reached_by])
            value_by = split(value // 1000, [r * rng.uniform(0.9, 1.1) or 0.001 for r in reached_by])
            rec = recorder(geo, day)
            with transaction.atomic():
                campaign = GiftCampaign.objects.create(
                    name=name,
                    occasion=occasion,
                    year=year,
                    held_on=day,
                    province=geo.province,
                    created_by=rec,
                )
                rows = [
                    GiftTally(
                        campaign=campaign,
                        admin_unit=u,
                        province=geo.province,
                        children_reached=r,
                        children_visited_given_gifts=min(v, r),
                        total_value=val * 1000,
                        recorded_by=rec,
                    )
                    for u, r, v, val in zip(units, reached_by, visited_by, value_by, strict=True)
                ]
                GiftTally.objects.bulk_create(rows)
                audit.record(
                    actor=None,
                    action=AuditAction.CREATE,
                    obj=campaign,
                    unit=geo.province,
                    changes={
                        "demo": True,
                        "name": name,
                        "tallies": len(rows),
                        "children_reached": reached,
                        "visited": visited,
                        "total_value": value,
                    },
                )
            made += 1
    return made


# --- alternative care ----------------------------------------------------------------------------------


def load_care(ctx: Any, geo: Geography, children: Callable[[], list[Child]]) -> int:
    if AlternativeCare.objects.filter(province=geo.province).exists():
        return 0
    rng = rng_for(ctx, "alternative-care")
    users = {True: staff_2020(geo), False: staff_now()}
    facility = (
        Organisation.objects.filter(province=geo.province, kind=OrgKind.PROTECTION_FACILITY)
        .order_by("pk")
        .first()
    )
    kinds = (CareKind.TEMPORARY_FOSTER_FAMILY, CareKind.KINSHIP, CareKind.FACILITY)
    plans: list[tuple[Child, str, date, date | None, AdminUnit]] = []
    old_pool = _pool(rng, children(), date(2019, 12, 31))
    for n in range(min(6, len(old_pool))):
        child = old_pool[n]
        start = date(2020, 1, 1) + timedelta(days=rng.randint(20, 330))
        unit = geo.commune_of(child, start)
        if unit is not None:
            plans.append((child, kinds[n % 3], start, start + timedelta(days=rng.randint(120, 700)), unit))
    now = today()
    if now >= REFORM_DATE + timedelta(days=30):
        new_pool = [c for c in _pool(rng, children(), REFORM_DATE) if c not in old_pool[:6]]
        span = (now - REFORM_DATE).days
        for n in range(min(10, len(new_pool))):
            child = new_pool[n]
            start = REFORM_DATE + timedelta(days=rng.randint(0, span - 1))
            end = start + timedelta(days=rng.randint(30, 200))
            unit = geo.commune_of(child, start)
            if unit is not None:
                plans.append((child, kinds[n % 3], start, end if end < now and n % 2 else None, unit))
    if not plans:
        return 0
    with transaction.atomic():
        rows = [
            AlternativeCare(
                child=c,
                kind=k,
                facility=facility if k == CareKind.FACILITY else None,
                start=s,
                end=e,
                admin_unit=u,
                province=geo.province,
                recorded_by=users[s <= LAST_PRE_REFORM_DAY],
            )
            for c, k, s, e, u in plans
        ]
        AlternativeCare.objects.bulk_create(rows)
        reviews = []
        for row in rows:
            day = row.start + timedelta(days=30)
            if day <= now and (row.end is None or day <= row.end):
                reviews.append(
                    CareReview(
                        placement=row,
                        reviewed_on=day,
                        recorded_by=row.recorded_by,
                        note="Trẻ ổn định, gia đình chăm sóc chu đáo; tiếp tục theo dõi.",
                    )
                )
        CareReview.objects.bulk_create(reviews)
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="support.alternativecare",
            unit=geo.province,
            changes={"demo": True, "placements": len(rows), "reviews": len(reviews)},
        )
    return len(rows)


def load(ctx: DemoContext | Any) -> dict[str, Any]:
    geo = geography()
    progs = _programmes(geo)
    children = cache(_children)  # read once, and only when something is to be written
    paid = load_disbursements(ctx, geo, progs, children)
    gifts = load_gifts(ctx, geo)
    care = load_care(ctx, geo, children)
    ctx.say(
        f"  support: {sum(paid.values())} payments in {len(paid)} years, {gifts} gift campaigns, "
        f"{care} alternative care placements created"
    )
    return {"disbursements": paid, "gift_campaigns": gifts, "placements": care}
