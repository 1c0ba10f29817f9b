"""Case benchmarks: the caseload, the supervisor's dashboard and the overdue list at 100,000 cases.

The set is SIZE synthetic cases (100,000; MANGNON_BENCH_CASES sets another size) in Nghệ An, a large
province (130 communes) that no other benchmark fills: Quảng Ninh's children are registry.*'s to count,
and 100,000 more there would change its set. Each case has its child (a minimal registry record: a
name, sex and year), its commune and its deadlines (the safety and plan deadlines, met or open, and a
review date once the plan is approved), with `next_due_at` the earliest open one as the services keep
it. Closed cases are 55 % of the set; of the open ones about a fifth are overdue and a tenth due within
24 hours, measured against a fixed moment (NOW), so the figures do not move with the calendar. The set
is inserted once per database by bulk_create, in chunks that each commit with their children and
deadlines (a run cut short is completed, not restarted), then ANALYZEd as after any large load.

What is timed is what the pages ask of the database, through the selectors the pages use, for a user
whose scope is resolved afresh on each call (as on each request):

- cases.caseload: the commune officer's caseload page (`selectors.caseload`): their open cases, the
  open cases without a caseworker and the plans waiting for approval, 100 of each at most, with the
  child, commune and caseworker loaded (the view's CASELOAD_SIZE), in the busiest commune.
- cases.dashboard_province / cases.dashboard_commune: the supervisor dashboard for the province (its
  officer) and for the busiest commune (its officer): `selectors.supervisor_summary` (by status; open,
  overdue and due soon, in all and by commune; open cases by risk) and the two lists beside it
  (overdue, due within 24 hours: 20 each, as the view shows them).
- cases.overdue_list: /cases/?overdue=1 for the province officer (`selectors.cases_for(overdue=True)`):
  the count and the first page of 25.

Each baseline computes the same answer the naive way, in the same run: the rows of the viewer's scope
(status, deadline, commune, caseworker) read into Python, counted, filtered and sorted there, and the
rows shown then loaded by id with what the page renders.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Any

from django.core.paginator import Paginator
from django.db import connection, transaction

from mangnon.accounts import bench
from mangnon.accounts.access import scope_for
from mangnon.accounts.models import User
from mangnon.accounts.roles import Action, Role
from mangnon.core.bench import Target, benchmark
from mangnon.core.calendar import VN_TZ
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import REFORM_DATE, AdminUnit
from mangnon.registry import synthetic
from mangnon.registry.models import Child, Person

from . import selectors
from .codes import DeadlineKind
from .models import Case, Deadline
from .workflow import OPEN_STATUSES, Rating, Status

PROVINCE = "40"  # Nghệ An
SIZE = int(os.environ.get("MANGNON_BENCH_CASES", "100000"))
SEED = "bench-cases"
NUMBER_PREFIX = "BENCH-"  # never a number case_open gives (<province>-<year>-<n>)
NOW = datetime(2026, 1, 15, 10, 0, tzinfo=VN_TZ)  # fixed: "overdue" means the same on every run
CHUNK = 10_000
CASELOAD_SIZE = 100  # cases.views.CASELOAD_SIZE
DASHBOARD_LIST = 20  # cases.views.DASHBOARD_LIST
PAGE_SIZE = 25  # cases.views.PAGE_SIZE
OFFICER = "bench-cases-officer"  # commune officer of the busiest commune: the caseload's viewer
COLLEAGUE = "bench-cases-colleague"  # another officer there: caseworker of other cases
SUPERVISOR = "bench-cases-province"  # province officer: the province's dashboard and lists

# Shares of the set by status (closed: more than half, as in any year after the first).
STATUS_WEIGHTS: tuple[tuple[str, float], ...] = (
    (Status.CLOSED, 55),
    (Status.RECEIVED, 3),
    (Status.ASSESSED, 4),
    (Status.EMERGENCY, 1),
    (Status.INVESTIGATING, 6),
    (Status.PLAN_DRAFTED, 4),
    (Status.PLAN_APPROVED, 5),
    (Status.IN_SERVICE, 17),
    (Status.REVIEWED, 5),
)
# A case's risk once rated (Mẫu 02, optional; Mẫu 06): "" not yet rated; emergency measures: high.
RISK_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("", 10), (Rating.HIGH, 20), (Rating.MEDIUM, 35), (Rating.LOW, 35),
)  # fmt: skip
# The deadline an open case waits for, by status (None: a drafted plan waits for the chairperson).
WAITS_FOR: dict[str, str | None] = {
    Status.RECEIVED: DeadlineKind.SAFETY,
    Status.ASSESSED: DeadlineKind.PLAN,
    Status.EMERGENCY: DeadlineKind.PLAN,
    Status.INVESTIGATING: DeadlineKind.PLAN,
    Status.PLAN_DRAFTED: None,
    Status.PLAN_APPROVED: DeadlineKind.REVIEW,
    Status.IN_SERVICE: DeadlineKind.REVIEW,
    Status.REVIEWED: DeadlineKind.REVIEW,
}
PLAN_DAYS = timedelta(days=7)  # five working days, about a week
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


# The set ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    province: AdminUnit
    communes: list[AdminUnit]  # current communes, by code
    weights: list[float]  # relative number of cases per commune
    busiest: AdminUnit


def place() -> Place:
    province = bench.bench_province(PROVINCE)
    communes = list(
        AdminUnit.objects.filter(path__startswith=province.path, valid_from=REFORM_DATE)
        .exclude(pk=province.pk)
        .order_by("code")
    )
    rng = random.Random(f"{SEED}:communes")  # noqa: S311 - reproducible test data
    weights = [rng.uniform(0.3, 2.0) for _ in communes]
    busiest = communes[max(range(len(communes)), key=weights.__getitem__)]
    return Place(province, communes, weights, busiest)


def _user(username: str, role: Role, unit: AdminUnit) -> User:
    return bench.standing_user(username, role, unit, date(2020, 1, 1))


@lru_cache(maxsize=4096)
def _name(full_name: str) -> synthetic.NameFields:
    return synthetic.name_fields(full_name)


def _due(rng: random.Random, kind: str) -> datetime:
    """When the deadline a case waits for falls, around NOW: some past, some within a day, most later."""
    r = rng.random()
    if kind == DeadlineKind.SAFETY:  # 12 hours from receipt: past or within the next 12 hours
        return NOW - rng.uniform(1, 240) * HOUR if r < 0.4 else NOW + rng.uniform(0.1, 12) * HOUR
    if kind == DeadlineKind.PLAN:
        return NOW - rng.uniform(1, 720) * HOUR if r < 0.3 else NOW + rng.uniform(1, 168) * HOUR
    return NOW - rng.uniform(1, 60) * DAY if r < 0.15 else NOW + rng.uniform(0.2, 120) * DAY


def _rows(
    start: int, stop: int, where: Place, officer: User, colleague: User
) -> Iterator[tuple[Person, Child, Case, list[Deadline]]]:
    """Cases start..stop-1, unsaved. Each chunk draws from its own seed (its first case's number), so
    a set completed after an interruption is the set built in one go."""
    cum = list(accumulate(where.weights))
    statuses = [s for s, _w in STATUS_WEIGHTS]
    status_cum = list(accumulate(w for _s, w in STATUS_WEIGHTS))
    rng = random.Random(f"{SEED}:{start}")  # noqa: S311 - reproducible test data
    province = where.province.pk  # foreign keys by id: less work per row than instances
    for i in range(start, stop):
        commune = rng.choices(where.communes, cum_weights=cum)[0]
        status = rng.choices(statuses, cum_weights=status_cum)[0]
        sex = "M" if rng.random() < 0.5 else "F"
        f = _name(synthetic.child_name(rng, sex=sex))
        person = Person(
            ho=f.ho, ten_dem=f.ten_dem, ten=f.ten, full_name=f.full_name, name_key=f.name_key,
            ten_key=f.ten_key, ho_key=f.ho_key, sort_key=f.sort_key, sex=sex,
            birth_year=NOW.year - rng.randint(1, 15), admin_unit_id=commune.pk, province_id=province,
        )  # fmt: skip
        child = Child(person=person, admin_unit_id=commune.pk, province_id=province).copy_birth()
        deadlines: list[tuple[str, datetime, datetime | None]] = []  # kind, due, met
        closed_at = next_due = None
        if status == Status.CLOSED:
            received = NOW - rng.uniform(20, 5 * 365) * DAY
            closed_at = min(received + rng.uniform(15, 300) * DAY, NOW - HOUR)
            deadlines = [
                (DeadlineKind.SAFETY, received + 12 * HOUR, received + rng.uniform(1, 11) * HOUR),
                (DeadlineKind.PLAN, received + PLAN_DAYS, received + rng.uniform(2, 7) * DAY),
                (DeadlineKind.REVIEW, closed_at - DAY, closed_at - DAY),
            ]
        else:
            kind = WAITS_FOR[status]
            if kind == DeadlineKind.SAFETY:
                next_due = _due(rng, kind)
                received = next_due - 12 * HOUR
                deadlines = [(kind, next_due, None), (DeadlineKind.PLAN, received + PLAN_DAYS, None)]
            elif kind == DeadlineKind.PLAN:
                next_due = _due(rng, kind)
                received = next_due - PLAN_DAYS
                met = received + rng.uniform(1, 11) * HOUR
                deadlines = [(DeadlineKind.SAFETY, received + 12 * HOUR, met), (kind, next_due, None)]
            else:
                next_due = _due(rng, DeadlineKind.REVIEW) if kind else None
                received = (next_due or NOW) - rng.uniform(30, 200) * DAY
                deadlines = [
                    (DeadlineKind.SAFETY, received + 12 * HOUR, received + rng.uniform(1, 11) * HOUR),
                    (DeadlineKind.PLAN, received + PLAN_DAYS, received + rng.uniform(2, 7) * DAY),
                ]
                if next_due is not None:
                    deadlines.append((DeadlineKind.REVIEW, next_due, None))
        if status == Status.RECEIVED:
            risk = ""
        elif status == Status.EMERGENCY:
            risk = Rating.HIGH
        else:
            risk = synthetic.pick(rng, RISK_WEIGHTS)
        r = rng.random()
        if commune.pk == where.busiest.pk:  # the caseload's commune: a third each, the officer's own
            worker = officer.pk if r < 1 / 3 else colleague.pk if r < 2 / 3 else None
        else:
            worker = colleague.pk if r < 0.7 else None
        case = Case(
            number=f"{NUMBER_PREFIX}{i + 1:07d}", child=child, admin_unit_id=commune.pk,
            province_id=province, status=status, received_at=received, caseworker_id=worker,
            emergency=status == Status.EMERGENCY, risk=risk, next_due_at=next_due, closed_at=closed_at,
            opened_by_id=colleague.pk,
        )  # fmt: skip
        yield person, child, case, [Deadline(case=case, kind=k, due_at=d, met_at=m) for k, d, m in deadlines]


def _bench_cases(province: AdminUnit) -> int:
    return Case.objects.filter(province=province, number__startswith=NUMBER_PREFIX).count()


def build_set() -> Place:
    """The province, with SIZE cases in it (only the missing ones are inserted)."""
    where = place()
    officer = _user(OFFICER, Role.COMMUNE_OFFICER, where.busiest)
    colleague = _user(COLLEAGUE, Role.COMMUNE_OFFICER, where.busiest)
    _user(SUPERVISOR, Role.PROVINCE_OFFICER, where.province)
    have = _bench_cases(where.province)
    if have >= SIZE:
        return where
    started = time.perf_counter()
    for start in range(have, SIZE, CHUNK):
        rows = list(_rows(start, min(start + CHUNK, SIZE), where, officer, colleague))
        with transaction.atomic():
            # Each bulk_create copies the primary keys the one before set into the foreign keys.
            Person.objects.bulk_create([p for p, _c, _k, _d in rows], batch_size=2000)
            Child.objects.bulk_create([c for _p, c, _k, _d in rows], batch_size=2000)
            Case.objects.bulk_create([k for _p, _c, k, _d in rows], batch_size=2000)
            Deadline.objects.bulk_create([d for *_r, ds in rows for d in ds], batch_size=5000)
    print(f"    (built {SIZE - have:,} cases in {time.perf_counter() - started:.0f} s)", flush=True)
    # Fresh statistics, as after any large load; on PostgreSQL also the visibility map that
    # autovacuum keeps for a table that has settled (index-only scans need it). VACUUM cannot run in a
    # transaction (a test's).
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    command = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_deadline", "registry_person", "registry_child"):
            cursor.execute(f"{command} {table}")
    return where


# Views of the set ----------------------------------------------------------------------------------


@dataclass
class Viewer(bench.Viewer):
    """Who asks, and for which unit."""

    unit: AdminUnit
    cases: int  # in the set, for the report


def _viewer(username: str, unit: AdminUnit) -> Viewer:
    return Viewer(User.objects.get(username=username), unit, Case.objects.filter(province=unit).count())


def officer_set() -> Viewer:
    where = build_set()
    return _viewer(OFFICER, where.busiest)


def supervisor_set() -> Viewer:
    where = build_set()
    return _viewer(SUPERVISOR, where.province)


def _pks(cases: Any) -> list[int]:
    return [c.pk for c in cases]


def _scope_rows(user: User, action: Action, under: AdminUnit | None = None) -> list[tuple[Any, ...]]:
    """The naive read: every case of the viewer's scope (under `under`) as a plain row."""
    units = {u.pk: u.path for u in scope_for(user, action).units()}
    rows = list(
        Case.objects.filter(admin_unit_id__in=list(units)).values_list(
            "pk", "admin_unit_id", "status", "caseworker_id", "next_due_at", "received_at", "risk"
        )
    )
    if under is not None:
        rows = [r for r in rows if units[r[1]].startswith(under.path)]
    return rows


def _soonest_first(rows: list[tuple[Any, ...]]) -> list[int]:
    """The lists' order (next deadline first, no deadline last; then newest; then id) in Python."""
    rows = sorted(rows, key=lambda r: (r[4] is None, r[4] or NOW, -r[5].timestamp(), r[0]))
    return [r[0] for r in rows]


def _shown(pks: list[int]) -> list[int]:
    """Load the cases shown with what the page renders (child, commune, caseworker), in the given order."""
    found = Case.objects.select_related("child__person", "admin_unit", "caseworker").in_bulk(pks)
    return [found[pk].pk for pk in pks]


# Caseload ------------------------------------------------------------------------------------------


def caseload(v: Viewer) -> tuple[list[int], list[int], list[int]]:
    load = selectors.caseload(v.fresh())
    return (
        _pks(load.mine[:CASELOAD_SIZE]),
        _pks(load.unassigned[:CASELOAD_SIZE]),
        _pks(load.to_approve[:CASELOAD_SIZE]),
    )


def naive_caseload(v: Viewer) -> tuple[list[int], list[int], list[int]]:
    user = v.fresh()
    work = scope_for(user, Action.CASE_WORK).unit_ids()
    approve = scope_for(user, Action.CASE_APPROVE_PLAN).unit_ids()
    rows = _scope_rows(user, Action.CASE_VIEW)
    open_rows = [r for r in rows if r[2] in OPEN_STATUSES]
    mine = _soonest_first([r for r in open_rows if r[3] == user.pk])[:CASELOAD_SIZE]
    unassigned = _soonest_first([r for r in open_rows if r[3] is None and r[1] in work])[:CASELOAD_SIZE]
    to_approve = _soonest_first([r for r in rows if r[2] == Status.PLAN_DRAFTED and r[1] in approve])
    return _shown(mine), _shown(unassigned), _shown(to_approve[:CASELOAD_SIZE])


benchmark(
    name="cases.caseload",
    target=Target(max_median_ms=50),
    baseline=naive_caseload,
    setup=officer_set,
)(caseload)


# Dashboard -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    summary: selectors.Summary
    overdue: list[int]
    due_soon: list[int]


def dashboard(v: Viewer) -> Dashboard:
    """What the dashboard view reads: the summary, then the two lists beside it."""
    user = v.fresh()
    summary = selectors.supervisor_summary(user, v.unit, now=NOW)
    overdue = selectors.cases_for(user, overdue=True, unit=v.unit, now=NOW)[:DASHBOARD_LIST]
    soon = selectors.cases_for(user, due_soon=True, unit=v.unit, now=NOW)[:DASHBOARD_LIST]
    return Dashboard(summary, _pks(overdue), _pks(soon))


def _late(r: tuple[Any, ...]) -> bool:
    return r[2] in OPEN_STATUSES and r[4] is not None and r[4] < NOW


def _soon(r: tuple[Any, ...]) -> bool:
    return r[2] in OPEN_STATUSES and r[4] is not None and NOW <= r[4] < NOW + selectors.DUE_SOON


def naive_dashboard(v: Viewer) -> Dashboard:
    user = v.fresh()
    if not scope_for(user, Action.CASE_COUNT).contains(v.unit):
        raise AssertionError("the bench viewer may count the unit's cases")
    counted = _scope_rows(user, Action.CASE_COUNT, v.unit)
    by_status = Counter(r[2] for r in counted)
    open_rows = [r for r in counted if r[2] in OPEN_STATUSES]
    per_unit: dict[int, list[int]] = {}
    for r in open_rows:
        tally = per_unit.setdefault(r[1], [0, 0, 0])
        tally[0] += 1
        tally[1] += _late(r)
        tally[2] += _soon(r)
    units = AdminUnit.objects.in_bulk(list(per_unit))
    rows = sorted(
        (selectors.CommuneRow(pk, units[pk].code, units[pk].name, *per_unit[pk]) for pk in per_unit),
        key=lambda row: vi_sort_key(row.name),
    )
    summary = selectors.Summary(
        unit=v.unit,
        by_status={s.value: by_status.get(s.value, 0) for s in Status},
        open=len(open_rows),
        overdue=sum(map(_late, open_rows)),
        due_soon=sum(map(_soon, open_rows)),
        by_commune=rows,
        by_risk={level: sum(r[6] == level for r in open_rows) for level in (*Rating.values, "")},
    )
    listed = _scope_rows(user, Action.CASE_VIEW, v.unit)
    overdue = _soonest_first([r for r in listed if _late(r)])[:DASHBOARD_LIST]
    soon = _soonest_first([r for r in listed if _soon(r)])[:DASHBOARD_LIST]
    return Dashboard(summary, _shown(overdue), _shown(soon))


benchmark(
    name="cases.dashboard_province",
    target=Target(max_median_ms=300),
    baseline=naive_dashboard,
    setup=supervisor_set,
)(dashboard)

benchmark(
    name="cases.dashboard_commune",
    target=Target(max_median_ms=50),
    baseline=naive_dashboard,
    setup=officer_set,
)(dashboard)


# Overdue list --------------------------------------------------------------------------------------


def overdue_list(v: Viewer) -> tuple[int, list[int]]:
    """/cases/?overdue=1: the paginator's count and its first page."""
    cases = selectors.cases_for(v.fresh(), overdue=True, now=NOW)
    page = Paginator(cases, PAGE_SIZE).get_page(1)
    return page.paginator.count, _pks(page.object_list)


def naive_overdue_list(v: Viewer) -> tuple[int, list[int]]:
    late = _soonest_first([r for r in _scope_rows(v.fresh(), Action.CASE_VIEW) if _late(r)])
    return len(late), _shown(late[:PAGE_SIZE])


benchmark(
    name="cases.overdue_list",
    target=Target(max_median_ms=300),
    baseline=naive_overdue_list,
    setup=supervisor_set,
)(overdue_list)
