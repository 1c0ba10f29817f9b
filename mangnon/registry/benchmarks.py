"""Registry benchmarks: duplicate matching and name search over a province-sized registry.

The set is 400,000 synthetic children of Quảng Ninh (`registry.synthetic`, fixed seed), inserted once
by bulk_create in batches and reused by later runs on the same database (a run that was cut short is
completed, not restarted). MANGNON_BENCH_CHILDREN sets another size for a quick try.

registry.match: a batch of duplicate checks (`find_candidates`, province-wide `within`, as for a
province officer) for children whose record exists under another spelling: no diacritics, a typo, the
tên đệm words swapped, day and month swapped, an estimated age instead of the date, or registered in
another commune. The baseline scores the same way without index blocking: every child of the province
of the same sex born within two years, scored in Python. After the timing the whole sample is checked
once more (one timing per check) and recall, precision and the median per check are printed.

registry.search: a name typed without diacritics ("nguyen thi hoa") through the child list's own
selector (`selectors.children_for`, as a province officer): the first page of 50 in Vietnamese order
and the count. Baseline: `icontains` on the name (a scan), narrowed in Python to the same answer.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from mangnon.accounts import bench
from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action, Role
from mangnon.core.bench import Target, benchmark
from mangnon.core.text import normalize_name
from mangnon.geo.models import REFORM_DATE, AdminUnit

from . import import_benchmarks, selectors, synthetic  # noqa: F401  (import_benchmarks registers registry.import)
from .matching import LIKELY, Candidate, candidate_rows, find_candidates, matchable, rank
from .models import Child

PROVINCE = "22"  # Quảng Ninh
SIZE = int(os.environ.get("MANGNON_BENCH_CHILDREN", "400000"))
SEED = "bench-registry"
BENCH_USER = "bench-province-officer"
TODAY = date(2026, 1, 15)  # fixed, so the set is the same whenever it is built
CHUNK = 10_000
SAMPLE = 600  # duplicate checks in the quality figures
TIMED = 12  # checks per timed call
PAGE = 50  # search results on a page
SEARCHES = 20  # name searches per timed call
VARIANTS = ("no_diacritics", "typo", "swapped_dem", "day_month", "estimated", "moved")


@dataclass
class Check:
    kind: str
    original: int  # the child this entry duplicates
    query: dict[str, Any]


@dataclass
class MatchSet:
    within: Q
    checks: list[Check]
    timed: list[Check] = field(default_factory=list)


def _communes(province: AdminUnit) -> dict[str, AdminUnit]:
    current = AdminUnit.objects.filter(path__startswith=province.path, valid_from=REFORM_DATE)
    return {u.code: u for u in current if u.pk != province.pk}


def build_set() -> AdminUnit:
    """The province, with SIZE synthetic children in it (only the missing ones are inserted)."""
    province = bench.bench_province(PROVINCE)
    units = _communes(province)
    have = Child.objects.filter(province=province).count()
    if have >= SIZE:
        return province
    codes = [c for c in synthetic.QUANG_NINH_COMMUNES if c in units] or sorted(units)
    rows: Iterator[dict[str, Any]] = islice(
        synthetic.child_rows(SIZE, seed=SEED, today=TODAY, communes=codes), have, None
    )
    started = time.perf_counter()
    while chunk := list(islice(rows, CHUNK)):
        with transaction.atomic():
            pairs = synthetic.build_children(chunk, units=units, province=province)
            synthetic.bulk_save_children(pairs, batch_size=2000)
        have += len(chunk)
    print(f"    (built {have:,} children in {time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:  # fresh statistics, as after any large load
        for table in ("registry_person", "registry_child"):
            cursor.execute(f"ANALYZE {table}")
    return province


# Variants ---------------------------------------------------------------------------------------


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word + rng.choice("hgn")
    i = rng.randrange(1, len(word))
    kind = rng.random()
    if kind < 0.4:  # a letter replaced
        return word[:i] + rng.choice("aeionhtg") + word[i + 1 :]
    if kind < 0.7:  # a letter dropped
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # a letter doubled


def _variant(rng: random.Random, kind: str, row: dict[str, Any], communes: list[AdminUnit]) -> dict[str, Any]:
    words = row["full_name"].split()
    dob: date | None = row["date_of_birth"]
    year: int | None = row["birth_year"]
    commune = row["commune"]
    if kind == "no_diacritics":
        words = normalize_name(" ".join(words)).title().split()
    elif kind == "typo":
        at = rng.choice([0, len(words) - 1, len(words) - 1])  # most typos are in the tên or họ
        words[at] = _typo(rng, words[at])
    elif kind == "swapped_dem":
        if len(words) >= 4:
            words[1], words[2] = words[2], words[1]
        else:  # a single tên đệm: tên and tên đệm swapped
            words[-1], words[-2] = words[-2], words[-1]
    elif kind == "day_month" and dob is not None and dob.day <= 12 and dob.day != dob.month:
        dob = date(dob.year, dob.day, dob.month)
    elif kind == "estimated":
        dob, year = None, (year or 2015) + rng.choice([-1, 0, 0, 1])
    elif kind == "moved":
        commune = rng.choice([c for c in communes if c.pk != commune.pk])
    return {
        "full_name": " ".join(words),
        "sex": row["sex"],
        "date_of_birth": dob,
        "birth_year": dob.year if dob else year,
        "commune": commune,
    }


def match_set() -> MatchSet:
    province = build_set()
    rng = random.Random(f"{SEED}:variants")  # noqa: S311 - reproducible test data
    ids = list(Child.objects.filter(province=province).order_by("pk").values_list("pk", flat=True))
    chosen = sorted(rng.sample(ids, min(SAMPLE, len(ids))))
    fields = (
        "pk",
        "person__full_name",
        "person__sex",
        "person__date_of_birth",
        "person__birth_year",
        "admin_unit",
    )
    units = {u.pk: u for u in AdminUnit.objects.filter(path__startswith=province.path)}
    communes = [u for u in units.values() if u.valid_from == REFORM_DATE and u.pk != province.pk]
    checks = []
    for i, (pk, name, sex, dob, year, unit_id) in enumerate(
        Child.objects.filter(pk__in=chosen).order_by("pk").values_list(*fields)
    ):
        row = {
            "full_name": name,
            "sex": sex,
            "date_of_birth": dob,
            "birth_year": year,
            "commune": units[unit_id],
        }
        kind = VARIANTS[i % len(VARIANTS)]
        checks.append(Check(kind, pk, _variant(rng, kind, row, communes)))
    within = Q(province=province)
    return MatchSet(within, checks, checks[:: max(1, len(checks) // TIMED)][:TIMED])


def _check(data: MatchSet, check: Check) -> list[Candidate]:
    return find_candidates(**check.query, within=data.within)


def _summary(check: Check, found: list[Candidate]) -> str | None:
    """The answer both sides must agree on: the level at which the true duplicate was offered."""
    return next((c.level for c in found if c.child_id == check.original), None)


def match_batch(data: MatchSet) -> list[str | None]:
    return [_summary(c, _check(data, c)) for c in data.timed]


def naive_match_batch(data: MatchSet) -> list[str | None]:
    """Every child of the same sex born within two years, in the province, scored one by one."""
    out = []
    for check in data.timed:
        q = check.query
        year = q["birth_year"]
        rows = candidate_rows(
            matchable(data.within).filter(
                person__sex=q["sex"], person__birth_year__gte=year - 2, person__birth_year__lte=year + 2
            )
        )
        out.append(_summary(check, rank(rows, **q)))
    return out


def match_quality(data: MatchSet) -> list[str]:
    times: list[float] = []
    hits = likely_true = likely_all = 0
    missed: dict[str, int] = {}
    for check in data.checks:
        start = time.perf_counter()
        found = _check(data, check)
        times.append((time.perf_counter() - start) * 1000)
        if any(c.child_id == check.original for c in found):
            hits += 1
        else:
            missed[check.kind] = missed.get(check.kind, 0) + 1
        likely = [c for c in found if c.level == LIKELY]
        likely_all += len(likely)
        likely_true += sum(c.child_id == check.original for c in likely)
    n = len(data.checks)
    recall = hits / n if n else 0.0
    precision = likely_true / likely_all if likely_all else 1.0
    median = statistics.median(times) if times else 0.0
    verdict = "PASS" if recall >= 0.98 and precision >= 0.95 and median <= 50 else "FAIL"
    lost = ", ".join(f"{k} {v}" for k, v in sorted(missed.items())) or "none"
    return [
        f"{n} checks over {Child.objects.filter(data.within).count():,} children: recall (likely+possible) "
        f"{recall:.3f} (target ≥ 0.98), precision at likely {precision:.3f} (≥ 0.95), "
        f"median {statistics.median(times):.1f} ms per check (≤ 50), p95 "
        f"{sorted(times)[int(len(times) * 0.95)] if times else 0:.1f} ms  {verdict}",
        f"the true record offered as likely in {likely_true} checks, as possible in {hits - likely_true}; "
        f"missed by kind: {lost}",
    ]


benchmark(
    name="registry.match",
    target=Target(max_median_ms=50, min_ratio=5),
    baseline=naive_match_batch,
    setup=match_set,
    per_call=TIMED,
    report=match_quality,
)(match_batch)


# Search -----------------------------------------------------------------------------------------


@dataclass
class SearchSet:
    viewer: Any
    within: Q
    queries: list[str]


def _province_officer(province: AdminUnit) -> Any:
    """The viewer of the searches: an officer of the whole province (made once per database)."""
    return bench.standing_user(BENCH_USER, Role.PROVINCE_OFFICER, province, date(2020, 1, 1))


def search_set() -> SearchSet:
    province = build_set()
    rng = random.Random(f"{SEED}:search")  # noqa: S311 - reproducible test data
    ids = list(Child.objects.filter(province=province).order_by("pk").values_list("pk", flat=True)[:50_000])
    names = Child.objects.filter(pk__in=rng.sample(ids, SEARCHES)).values_list("person__full_name", flat=True)
    viewer = _province_officer(province)
    within = scope_for(viewer, Action.CHILD_VIEW).q("admin_unit")
    return SearchSet(viewer, within, sorted(normalize_name(n) for n in names))


def search(data: SearchSet) -> list[tuple[int, list[int]]]:
    """What the child list does: `children_for` with the text typed, first page and the count."""
    out = []
    for q in data.queries:
        qs = selectors.children_for(data.viewer, selectors.ChildFilter(q=q))
        page = list(qs.values_list("pk", flat=True)[:PAGE])
        out.append((len(page) if len(page) < PAGE else qs.count(), page))
    return out


def _same_answer(typed: str, name_key: str, ten_key: str, ho_key: str) -> bool:
    """`selectors.name_q` in Python: the full name or the tên starts with the text, or họ and tên as
    typed with the words typed between them inside the name."""
    if name_key.startswith(typed) or ten_key.startswith(typed):
        return True
    words = typed.split(" ")
    return (
        len(words) >= 2
        and (ho_key, ten_key) == (words[0], words[-1])
        and all(f" {w} " in name_key for w in words[1:-1])
    )


def naive_search(data: SearchSet) -> list[tuple[int, list[int]]]:
    """`icontains` on the name (a scan of the province), narrowed and sorted in Python."""
    out = []
    for q in data.queries:
        rows = Child.objects.filter(
            data.within,
            status__in=selectors.LISTED_STATUSES,
            person__name_key__icontains=q.split(" ")[-1],
        ).values_list("pk", "person__name_key", "person__ten_key", "person__ho_key", "person__sort_key")
        kept = sorted((sort_key, pk) for pk, key, ten, ho, sort_key in rows if _same_answer(q, key, ten, ho))
        out.append((len(kept), [pk for _s, pk in kept[:PAGE]]))
    return out


benchmark(
    name="registry.search",
    target=Target(max_median_ms=50, min_ratio=5),
    baseline=naive_search,
    setup=search_set,
    per_call=SEARCHES,
)(search)
