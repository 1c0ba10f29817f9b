"""Demo children: Quảng Ninh at realistic proportions, all synthetic, from the demo's fixed seed.

The province has about 366,000 children under 16, about 4,000 of them in special circumstances (the 14
groups of the Law on Children, most of them children with disabilities) and about 4,400 at risk. The
plan below lays out the whole province as households with their children, spread over the 54 current
communes by population, and decides which children are in which group; `--scale full` loads all of it,
the default sample loads every household with a child in special circumstances or at risk plus a
random share of the others (about 15,000 children in all).

Idempotent: each household has a stable code from its place in the plan ("DEMO-QN-000123"), and a
household whose code exists is skipped, so a second run adds nothing, a killed run resumes where it
stopped (each batch is its own transaction) and `--scale full` after the sample adds only the rest.

The records are written with bulk_create, not the registry services: the services check duplicates and
audit each child one by one, which would take hours for the full province and fill the trail with
366,000 "create" events that describe no one's work. Instead each batch writes ONE audit event (action
"create", object type "registry.child", by the system) in the same transaction, naming how many
households, persons and children it created and the range of household codes, so the trail still says
when the demo children appeared and nothing was written behind its back.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.core.names import split_name
from mangnon.geo.models import REFORM_DATE, AdminUnit, Level

from . import synthetic
from .codes import (
    CircumstanceSource,
    ConsentPurpose,
    HouseholdPoverty,
    Relationship,
    RiskType,
    SpecialGroup,
)
from .models import (
    Caregiver,
    Child,
    Consent,
    Household,
    HouseholdMember,
    HouseholdStatus,
    Person,
    RiskFlag,
    SpecialCircumstance,
)

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

CODE_PREFIX = "DEMO-QN-"
FULL_CHILDREN = 366_000
FULL_SPECIAL = 4_000
FULL_AT_RISK = 4_400
SAMPLE_CHILDREN = 15_000
BATCH_HOUSEHOLDS = 500

# Children in special circumstances by group, out of 4,000: most have disabilities, then children
# with serious illness in poor households and orphans; few in conflict with the law, trafficked, etc.
GROUP_WEIGHTS: dict[str, int] = {
    SpecialGroup.D: 2350, SpecialGroup.N: 450, SpecialGroup.A: 350, SpecialGroup.C: 200,
    SpecialGroup.H: 150, SpecialGroup.I: 100, SpecialGroup.E: 80, SpecialGroup.L: 80,
    SpecialGroup.B: 60, SpecialGroup.K: 60, SpecialGroup.DD: 60, SpecialGroup.G: 20,
    SpecialGroup.M: 20, SpecialGroup.O: 20,
}  # fmt: skip
RISK_WEIGHTS: dict[str, int] = {
    RiskType.POOR_HOUSEHOLD: 900, RiskType.PARENTS_DIVORCED: 900, RiskType.MIGRANT: 700,
    RiskType.NEGLECT: 500, RiskType.OUT_OF_SCHOOL: 400, RiskType.FAMILY_VIOLENCE: 300,
    RiskType.CHILD_LABOUR: 200, RiskType.ONLINE: 150, RiskType.EARLY_MARRIAGE: 100,
    RiskType.ABUSE_RISK: 100, RiskType.PARENTS_ADDICTED: 80, RiskType.PARENTS_PRISON: 70,
}  # fmt: skip
# Plausible ages for a group (a child in conflict with the law is at least 12, …).
GROUP_AGES: dict[str, tuple[int, int]] = {
    SpecialGroup.E: (12, 15), SpecialGroup.G: (12, 15), SpecialGroup.H: (10, 15),
    SpecialGroup.K: (8, 15), SpecialGroup.L: (4, 15), SpecialGroup.M: (6, 15),
}  # fmt: skip
RISK_AGES: dict[str, tuple[int, int]] = {
    RiskType.CHILD_LABOUR: (10, 15), RiskType.OUT_OF_SCHOOL: (9, 15), RiskType.ONLINE: (9, 15),
    RiskType.EARLY_MARRIAGE: (13, 15),
}  # fmt: skip
# Groups whose children do not live with their parents: a grandparent or guardian heads the household.
NO_PARENTS = frozenset({SpecialGroup.A, SpecialGroup.B, SpecialGroup.C})


def apportion(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split total over weights by largest remainder, so counts add up exactly."""
    whole = sum(weights.values())
    raw = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


@dataclass
class PlannedHousehold:
    index: int
    commune: str
    first_child: int  # global index of its first child
    children: int
    in_sample: bool = False
    groups: dict[int, str] = field(default_factory=dict)  # child index → special group
    risks: dict[int, str] = field(default_factory=dict)  # child index → risk type

    @property
    def code(self) -> str:
        return f"{CODE_PREFIX}{self.index:06d}"

    @property
    def flagged(self) -> bool:
        return bool(self.groups or self.risks)


@dataclass
class Plan:
    households: list[PlannedHousehold]
    total: int
    special: int
    at_risk: int


def plan(*, seed: int, total: int = FULL_CHILDREN, sample: int = SAMPLE_CHILDREN) -> Plan:
    """The whole province's households, which children are in which group, and which are sampled.

    Depends only on seed and sizes (never on the date), so every run makes the same plan.
    """
    rng = random.Random(f"mangnon-demo-plan:{seed}:{total}")  # noqa: S311 - synthetic data
    codes, weights = synthetic.weighted_communes()
    cum = list(accumulate(weights))
    households: list[PlannedHousehold] = []
    placed = 0
    while placed < total:
        size = min(rng.choices((1, 2, 3, 4), cum_weights=(45, 85, 97, 100))[0], total - placed)
        commune = rng.choices(codes, cum_weights=cum)[0]
        households.append(PlannedHousehold(len(households), commune, placed, size))
        placed += size
    owner = [h for h in households for _ in range(h.children)]  # child index → household

    special = round(total * FULL_SPECIAL / FULL_CHILDREN)
    at_risk = round(total * FULL_AT_RISK / FULL_CHILDREN)
    chosen = rng.sample(range(total), special + at_risk)
    groups = [g for g, n in apportion(special, GROUP_WEIGHTS).items() for _ in range(n)]
    risks = [r for r, n in apportion(at_risk, RISK_WEIGHTS).items() for _ in range(n)]
    rng.shuffle(groups)
    rng.shuffle(risks)
    for child, group in zip(chosen[:special], groups, strict=True):
        owner[child].groups[child] = group
    for child, risk in zip(chosen[special:], risks, strict=True):
        owner[child].risks[child] = risk

    in_flagged = sum(h.children for h in households if h.flagged)
    share = max(0.0, min(1.0, (sample - in_flagged) / max(1, total - in_flagged)))
    for h in households:
        drawn = rng.random()  # drawn for every household, so the choice never depends on others
        h.in_sample = h.flagged or drawn < share
    return Plan(households, total, special, at_risk)


def _units() -> tuple[AdminUnit, dict[str, AdminUnit]]:
    province = (
        AdminUnit.objects.valid_on(timezone.localdate())
        .filter(code=settings.MANGNON_DEMO_PROVINCE, level=Level.PROVINCE)
        .first()
    )
    communes = {
        u.code: u
        for u in AdminUnit.objects.filter(
            code__in=list(synthetic.QUANG_NINH_COMMUNES), valid_from=REFORM_DATE
        )
    }
    if province is None or len(communes) != len(synthetic.QUANG_NINH_COMMUNES):
        raise ImproperlyConfigured(
            "Load the geography of Quảng Ninh (22) first: mangnon geo load --province 22"
        )
    return province, communes


@dataclass
class _Batch:
    persons: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    # The two largest tables are plain link rows, kept as tuples and written with executemany (below).
    members: list[tuple[Household, Person]] = field(default_factory=list)
    caregivers: list[tuple[Child, Person, str, bool]] = field(default_factory=list)
    statuses: list[HouseholdStatus] = field(default_factory=list)
    circumstances: list[SpecialCircumstance] = field(default_factory=list)
    risks: list[RiskFlag] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)


def _adult(
    rng: random.Random,
    *,
    name: str,
    sex: str,
    born: int,
    ethnicity: str,
    unit: AdminUnit,
    province: AdminUnit,
    home: str,
) -> Person:
    dob = date(born, 1, 1) + timedelta(days=rng.randrange(365))
    return synthetic.person_instance(
        {"full_name": name, "sex": sex, "date_of_birth": dob, "birth_year": born, "ethnicity": ethnicity,
         "address": home},
        unit=unit,
        province=province,
    )  # fmt: skip


CIRCUMSTANCE_YEARS = 10
RISK_YEARS = 6
# The register opened on 1/1/2016: children born before were registered during its first year, those
# born since within two months of birth (the day each was registered is its created_at, which the
# figures of past years count by).
REGISTER_OPENS = date(2016, 1, 1)
# The province reported every child in special circumstances assisted in 2020 (seed 003), and its
# programmes paid the children in those groups on 1 January (support.demo_data): the circumstances the
# demo would start during 2020 start early in 2021 instead, so that no child of 2020 went unpaid.
UNPAID_YEAR = 2020


def registered_on(*, seed: int, key: str, born: date, today: date) -> date:
    """The day a demo child was registered: fixed by the seed and the child's place in the plan."""
    rng = random.Random(f"mangnon-demo-registered:{seed}:{key}")  # noqa: S311 - synthetic data
    if born < REGISTER_OPENS:
        day = REGISTER_OPENS + timedelta(days=rng.randrange(366))
    else:
        day = born + timedelta(days=rng.randrange(61))
    return min(day, today)


def registered_at(*, seed: int, key: str, born: date, today: date) -> datetime:
    """`registered_on` at a working hour (local time), as created_at."""
    day = registered_on(seed=seed, key=key, born=born, today=today)
    minutes = random.Random(f"mangnon-demo-registered-at:{seed}:{key}").randrange(8 * 60)  # noqa: S311
    moment = datetime.combine(day, time(7, 30)) + timedelta(minutes=minutes)
    return min(timezone.make_aware(moment), timezone.now())


def _not_in_unpaid_year(start: date) -> date:
    if start.year == UNPAID_YEAR and start > date(UNPAID_YEAR, 1, 1):
        return date(UNPAID_YEAR + 1, 1, 1) + timedelta(days=start.timetuple().tm_yday % 60)
    return start


def _after(rng: random.Random, start: date, today: date, *, within_days: int) -> date:
    earliest = max(start, today - timedelta(days=within_days))
    return earliest + timedelta(days=rng.randrange(max(1, (today - earliest).days + 1)))


def _household(
    h: PlannedHousehold, *, seed: int, today: date, unit: AdminUnit, province: AdminUnit, batch: _Batch
) -> None:
    rng = random.Random(f"mangnon-demo-household:{seed}:{h.index}")  # noqa: S311 - synthetic data
    ethnicity = synthetic.ethnicity_for(rng, h.commune)
    rural = synthetic.is_rural(h.commune)
    home = synthetic.address(rng, ward=not rural)
    father_name = synthetic.parent_name(rng, sex="M", ethnicity=ethnicity)
    mother_ethnicity = ethnicity if rng.random() < 0.85 else synthetic.KINH
    mother_name = synthetic.parent_name(rng, sex="F", ethnicity=mother_ethnicity)
    father_born = today.year - rng.randint(30, 48)
    mother_born = min(today.year - 29, father_born + rng.randint(-1, 5))
    child_indexes = range(h.first_child, h.first_child + h.children)
    without_parents = any(g in NO_PARENTS for g in h.groups.values())

    def adult(name: str, sex: str, born: int, eth: str) -> Person:
        person = _adult(
            rng, name=name, sex=sex, born=born, ethnicity=eth, unit=unit, province=province, home=home
        )
        batch.persons.append(person)
        return person

    if without_parents:
        # A grandparent (or, for a child with no one, a guardian from the village) looks after them.
        relationship = Relationship.GRANDPARENT if rng.random() < 0.8 else Relationship.GUARDIAN
        sex = "F" if rng.random() < 0.6 else "M"
        born = today.year - (
            rng.randint(55, 72) if relationship == Relationship.GRANDPARENT else rng.randint(35, 60)
        )
        ho = split_name(father_name).ho if relationship == Relationship.GRANDPARENT and sex == "M" else ""
        carer_name = synthetic.parent_name(rng, sex=sex, ethnicity=ethnicity, ho=ho)
        carers = [(adult(carer_name, sex, born, ethnicity), relationship, True)]
    else:
        carers = [
            (adult(father_name, "M", father_born, ethnicity), Relationship.FATHER, False),
            (adult(mother_name, "F", mother_born, mother_ethnicity), Relationship.MOTHER, True),
        ]
    head = carers[0][0]
    household = Household(code=h.code, head=head, admin_unit=unit, province=province, address=home)
    batch.households.append(household)
    for person, _, _ in carers:
        batch.members.append((household, person))

    poor = rng.random() < (0.10 if rural else 0.02)
    near_poor = not poor and rng.random() < (0.07 if rural else 0.025)
    if any(g == SpecialGroup.N for g in h.groups.values()) or any(
        r == RiskType.POOR_HOUSEHOLD for r in h.risks.values()
    ):
        poor, near_poor = (True, False) if rng.random() < 0.6 else (False, True)
    if poor or near_poor:
        status = HouseholdPoverty.POOR if poor else HouseholdPoverty.NEAR_POOR
        batch.statuses.append(HouseholdStatus(household=household, year=today.year, status=status))

    for index in child_indexes:
        group, risk = h.groups.get(index), h.risks.get(index)
        min_age, max_age = GROUP_AGES.get(group or "", RISK_AGES.get(risk or "", (0, 15)))
        row = synthetic.child_row(
            rng,
            commune=h.commune,
            today=today,
            serial=index,
            ethnicity=ethnicity,
            father=father_name,
            mother=mother_name,
            home=home,
            min_age=min_age,
            max_age=max_age,
        )
        person = synthetic.person_instance(row, unit=unit, province=province)
        batch.persons.append(person)
        born_on: date = row["date_of_birth"] or date(row["birth_year"], 7, 1)
        child = Child(
            person=person,
            admin_unit=unit,
            province=province,
            household=household,
            created_at=registered_at(seed=seed, key=f"{h.code}:{index}", born=born_on, today=today),
        ).copy_birth()
        batch.children.append(child)
        batch.members.append((household, person))
        for carer, relationship, primary in carers:
            batch.caregivers.append((child, carer, relationship, primary))
        if group is not None:
            # The register carries the circumstances of past years too (the payments and figures of
            # 2019-2020 count them): a disability is mostly known in the first three years of life,
            # another circumstance began at any time in the last ten years (never before birth).
            if group == SpecialGroup.D:
                known_by = min(today, born_on + timedelta(days=3 * 365))
                start = _after(rng, born_on, known_by, within_days=3 * 365)
            else:
                start = _after(rng, born_on, today, within_days=365 * CIRCUMSTANCE_YEARS)
            start = min(today, _not_in_unpaid_year(start))
            source = CircumstanceSource.COMMUNE_REVIEW if rng.random() < 0.8 else CircumstanceSource.HEALTH
            if group in (SpecialGroup.E, SpecialGroup.G):
                source = CircumstanceSource.POLICE
            batch.circumstances.append(
                SpecialCircumstance(
                    child=child, group=group, start_date=start, source=source,
                    verified_on=min(today, start + timedelta(days=rng.randint(3, 30))),
                )
            )  # fmt: skip
        if risk is not None:
            # Flagged at any time in the last six years, so the figures of 2020-2026 have children at
            # risk too (the flags are followed up, not closed, in the demo).
            start = _after(rng, born_on, today, within_days=365 * RISK_YEARS)
            source = CircumstanceSource.SCHOOL if rng.random() < 0.3 else CircumstanceSource.COMMUNE_REVIEW
            batch.risks.append(RiskFlag(child=child, risk_type=risk, start_date=start, source=source))
        if group is not None or risk is not None:
            age = today.year - born_on.year
            batch.consents.append(
                Consent(
                    child=child, purpose=ConsentPurpose.REGISTRATION, given_by=carers[-1][0],
                    given_by_child=age >= 7, given_on=_after(rng, born_on, today, within_days=365),
                )
            )  # fmt: skip


def _insert(model: type[Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """executemany of plain rows: the ORM's per-value preparation was most of the demo's load time for
    these link tables, whose values are ids, short codes, booleans and one adapted timestamp."""
    if not rows:
        return
    qn = connection.ops.quote_name
    # Table and column names come from the models and this module, never from input.
    table, names, marks = (
        qn(model._meta.db_table),
        ", ".join(qn(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _write(batch: _Batch, *, province: AdminUnit, first: str, last: str) -> None:
    # bulk_create sets the primary keys (PostgreSQL and SQLite ≥ 3.35 return them), and each later
    # bulk_create copies the key of a related object saved just before.
    with transaction.atomic():
        Person.objects.bulk_create(batch.persons, batch_size=1000)
        Household.objects.bulk_create(batch.households, batch_size=1000)
        Child.objects.bulk_create(batch.children, batch_size=1000)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        _insert(
            HouseholdMember,
            ["created_at", "updated_at", "household_id", "person_id", "relationship_to_head"],
            [(now, now, h.pk, p.pk, "") for h, p in batch.members],
        )
        _insert(
            Caregiver,
            [
                "created_at",
                "updated_at",
                "child_id",
                "person_id",
                "relationship",
                "is_primary",
                "lives_with_child",
            ],
            [(now, now, c.pk, p.pk, rel, primary, True) for c, p, rel, primary in batch.caregivers],
        )
        HouseholdStatus.objects.bulk_create(batch.statuses, batch_size=1000)
        SpecialCircumstance.objects.bulk_create(batch.circumstances, batch_size=1000)
        RiskFlag.objects.bulk_create(batch.risks, batch_size=1000)
        Consent.objects.bulk_create(batch.consents, batch_size=1000)
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="registry.child",
            unit=province,
            changes={
                "demo": True,
                "households": len(batch.households),
                "persons": len(batch.persons),
                "children": len(batch.children),
                "special_circumstances": len(batch.circumstances),
                "risk_flags": len(batch.risks),
                "household_codes": [first, last],
            },
        )


def backdate_registrations(the_plan: Plan, *, seed: int, today: date) -> int:
    """Give the demo children loaded before registrations were dated (all created at load time) the
    day they were registered. Only children registered later than their day change: a second run
    changes nothing."""
    by_code = {h.code: h for h in the_plan.households}
    seen: dict[str, int] = {}
    changes: list[tuple[Any, int]] = []
    rows = (
        Child.objects.filter(household__code__startswith=CODE_PREFIX)
        .order_by("pk")
        .values_list("pk", "household__code", "person__date_of_birth", "person__birth_year", "created_at")
    )
    for pk, household, dob, year, created in rows.iterator(chunk_size=5000):
        code = household or ""
        h = by_code.get(code)
        position = seen.get(code, 0)
        seen[code] = position + 1
        if h is None or (dob is None and year is None):
            continue
        born = dob or date(year or 0, 7, 1)
        wanted = registered_at(seed=seed, key=f"{code}:{h.first_child + position}", born=born, today=today)
        if timezone.localdate(created) > timezone.localdate(wanted):
            changes.append((connection.ops.adapt_datetimefield_value(wanted), pk))
    qn = connection.ops.quote_name
    # The child's key is its person's (person_id), not "id".
    table, key = qn(Child._meta.db_table), qn(Child._meta.pk.column or "person_id")
    sql = f"UPDATE {table} SET {qn('created_at')} = %s WHERE {key} = %s"  # noqa: S608
    for start in range(0, len(changes), 5000):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, changes[start : start + 5000])
    return len(changes)


def _batches(todo: list[PlannedHousehold], size: int) -> Iterator[list[PlannedHousehold]]:
    for start in range(0, len(todo), size):
        yield todo[start : start + size]


def load(ctx: DemoContext | Any, *, total: int | None = None, sample: int | None = None) -> dict[str, int]:
    """Load the demo children. `total`/`sample` shrink the province (tests); the default is Quảng Ninh."""
    full = getattr(ctx, "scale", "sample") == "full"
    # MANGNON_DEMO_CHILDREN lays out a smaller province (the test settings use it); the default is all.
    total = total or getattr(settings, "MANGNON_DEMO_CHILDREN", None) or FULL_CHILDREN
    sample = sample or round(total * SAMPLE_CHILDREN / FULL_CHILDREN)
    the_plan = plan(seed=ctx.seed, total=total, sample=sample)
    wanted = [h for h in the_plan.households if full or h.in_sample]
    existing = set(
        Household.objects.filter(code__startswith=CODE_PREFIX).values_list("code", flat=True).iterator()
    )
    todo = [h for h in wanted if h.code not in existing]
    province, communes = _units()
    today = timezone.localdate()
    created = {"households": 0, "children": 0}
    for chunk in _batches(todo, BATCH_HOUSEHOLDS):
        batch = _Batch()
        for h in chunk:
            _household(
                h, seed=ctx.seed, today=today, unit=communes[h.commune], province=province, batch=batch
            )
        _write(batch, province=province, first=chunk[0].code, last=chunk[-1].code)
        created["households"] += len(batch.households)
        created["children"] += len(batch.children)
        if len(todo) > BATCH_HOUSEHOLDS * 20:
            ctx.say(f"  … {created['children']:,} children".replace(",", "."))
    dated = backdate_registrations(the_plan, seed=ctx.seed, today=today)
    if dated:
        ctx.say(f"  {dated} demo children given the day they were registered")
    ctx.say(
        f"  {created['children']} demo children in {created['households']} households created, "
        f"{len(wanted) - len(todo)} households already there ({'full province' if full else 'sample'})"
    )
    return created
