"""Duplicate matching: the children already registered who may be the child being entered.

Two steps. **Blocking** finds a few hundred rows at most through indexes, in one query (a UNION of
narrow branches, each served by its own index, so no branch turns into a scan of the registry):

- same tên and họ (normalised keys), birth year ±2: no diacritics, swapped or mistyped tên đệm,
  day/month swaps, estimated ages, and a child who moved to another commune inside `within`;
- same tên, birth year ±2, same commune: a mistyped họ;
- same họ and sex, birth year ±2, same commune: a mistyped tên;
- the same words in another order (tên đệm words swapped, tên and tên đệm swapped), any year;
- the same normalised full name, whatever the year: a wrong date of birth.

Each branch is a range scan of one index (Person.Meta.indexes), a few hundred entries at most.

Every branch is limited to `within` (the caller's scope) and to active or aged-out records (a merged
record is never offered: its id leads to the record it was merged into).

**Scoring** compares the name parts with rapidfuzz (tên weighs most), the dates (exact, day/month
swapped, same or near year when an age was estimated), sex, commune, the parents' names (caregivers
recorded as father or mother) and the address. Each candidate comes back `likely` or `possible` with
stable reason codes (REASONS) that the interface translates.

`likely` asks for more than a high score, because a province holds many namesakes born on the same day
(a common họ, tên đệm and tên share a birthday with one child in a dozen across 400,000 children): the
name must be (nearly) the same, the date of birth must agree, and something local must agree too, the
commune, a parent's name or the address. Anything less is `possible`, shown for the officer to judge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import permutations
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from rapidfuzz import fuzz

from mangnon.core.names import split_name
from mangnon.core.text import normalize_name
from mangnon.geo.models import AdminUnit

from .codes import ChildStatus, Relationship
from .models import Caregiver, Child, Person

LIKELY = "likely"
POSSIBLE = "possible"

# Stable reason codes, in the order they are reported.
REASONS = (
    "name_exact",  # the same name once diacritics and case are set aside
    "name_parts_swapped",  # the same words in another order (tên đệm swapped, or tên and tên đệm)
    "name_similar",  # close but not equal: a typo
    "dob_exact",
    "dob_day_month_swapped",
    "birth_year_same",  # same year, one side has only a (possibly estimated) year or the dates differ
    "birth_year_close",  # one or two years apart, one side estimated
    "sex_match",
    "same_commune",
    "parent_name",  # a father's or mother's name matches one given
    "address",
)

YEAR_WINDOW = 2  # estimated ages are often a year or two off
LIKELY_SCORE = 0.85
POSSIBLE_SCORE = 0.62
STRONG_DATE = 0.9  # the same date of birth, or day and month swapped
MIN_NAME_SCORE = 0.72  # below this the name alone rules a candidate out
LIKELY_NAME = 0.9  # a likely candidate's name is the same, the same words reordered, or a typo away
SAME_COMMUNE = 0.06  # with an estimated age, the commune is what tells namesakes apart
MAX_PERMUTED_WORDS = 5  # names longer than this are rare; their reorderings are not looked up
_MATCHABLE = (ChildStatus.ACTIVE, ChildStatus.AGED_OUT)
_PARENTS = (Relationship.FATHER, Relationship.MOTHER)
_FIELDS = (
    "pk",
    "admin_unit_id",
    "person__name_key",
    "person__ho_key",
    "person__ten_key",
    "person__sex",
    "person__date_of_birth",
    "person__birth_year",
    "person__birth_year_estimated",
    "person__address",
)


@dataclass(frozen=True)
class Candidate:
    child_id: int
    score: float
    level: str  # LIKELY or POSSIBLE
    reasons: list[str]


@dataclass(frozen=True)
class _Keys:
    ho: str
    dem: str
    ten: str
    full: str

    @classmethod
    def of(cls, full_name: str) -> _Keys:
        parts = split_name(full_name)
        ho, dem, ten = normalize_name(parts.ho), normalize_name(parts.ten_dem), normalize_name(parts.ten)
        return cls(ho, dem, ten, " ".join(p for p in (ho, dem, ten) if p))

    @classmethod
    def stored(cls, name_key: str, ho_key: str, ten_key: str) -> _Keys:
        """The parts of a stored name; the tên đệm is what lies between the họ and the tên."""
        middle = name_key
        if ho_key and middle.startswith(ho_key):
            middle = middle[len(ho_key) :]
        if ten_key and middle.endswith(ten_key):
            middle = middle[: len(middle) - len(ten_key)]
        return cls(ho_key, middle.strip(), ten_key, name_key)


def _year_range(year: int | None) -> dict[str, int]:
    if year is None:
        return {}
    return {"birth_year__gte": year - YEAR_WINDOW, "birth_year__lte": year + YEAR_WINDOW}


def _blocks(
    keys: _Keys, sex: str, year: int | None, commune: AdminUnit | None, base: QuerySet[Child]
) -> list[QuerySet[Child]]:
    years = _year_range(year)
    # Each branch picks persons through a Person index, then joins the child by primary key, so the
    # planner never starts from the wide `within` filter (a province has hundreds of thousands of rows).
    people = [Person.objects.filter(name_key=keys.full)]
    if keys.ten:
        people.append(Person.objects.filter(ten_key=keys.ten, ho_key=keys.ho, **years))
        if commune is not None:
            people.append(Person.objects.filter(admin_unit=commune, ten_key=keys.ten, **years))
    if commune is not None and keys.ho:
        same_sex = {"sex": sex} if sex else {}
        people.append(Person.objects.filter(admin_unit=commune, ho_key=keys.ho, **same_sex, **years))
    reordered = _reorderings(keys.full)
    if reordered:
        people.append(Person.objects.filter(name_key__in=reordered))
    # First the ids (index-only lookups), then the children among them: with a literal id list no
    # planner is tempted to start from the wide `within` filter.
    first, *rest = [p.order_by().values_list("pk", flat=True) for p in people]
    ids = sorted(set(first.union(*rest) if rest else first))
    # `base` (the scope) is checked per id, correlated, so it cannot become the starting point.
    return [Child.objects.filter(pk__in=ids).filter(Exists(base.filter(pk=OuterRef("pk"))))]


def _reorderings(full: str) -> list[str]:
    """The other orders of the words of a normalised name (tên đệm words swapped, tên and tên đệm
    swapped), looked up as exact keys: whatever the split into họ, tên đệm and tên ("Nguyễn Phúc" is
    also a compound họ), a reordered name is found through the name_key index."""
    words = full.split(" ")
    if len(words) < 2 or len(words) > MAX_PERMUTED_WORDS:
        return []
    return sorted({" ".join(p) for p in permutations(words)} - {full})


def _name_score(query: _Keys, other: _Keys) -> tuple[float, str | None]:
    if query.full == other.full:
        return 1.0, "name_exact"
    if sorted(query.full.split()) == sorted(other.full.split()):
        return 0.93, "name_parts_swapped"
    ten = fuzz.ratio(query.ten, other.ten) / 100
    ho = fuzz.ratio(query.ho, other.ho) / 100 if query.ho or other.ho else 1.0
    if query.dem or other.dem:
        dem = fuzz.token_sort_ratio(query.dem, other.dem) / 100 if query.dem and other.dem else 0.6
    else:
        dem = 1.0
    score = 0.5 * ten + 0.25 * ho + 0.25 * dem
    # A typo in the tên costs less than a different tên: "Trang"/"Tranh" versus "An"/"Anh" is judged by
    # the whole name too; never when the tên đệm differs outright ("Anh Khôi" is not "Duy Khôi").
    if ten >= 0.75 and dem >= 0.5:
        whole = fuzz.ratio(query.full, other.full) / 100
        score = max(score, 0.35 * ten + 0.65 * whole)
    return score, ("name_similar" if score >= MIN_NAME_SCORE else None)


def _date_score(
    dob: date | None, year: int | None, estimated: bool, other_dob: date | None, other_year: int | None,
    other_estimated: bool,
) -> tuple[float, str | None]:  # fmt: skip
    if dob is not None and other_dob is not None:
        if dob == other_dob:
            return 1.0, "dob_exact"
        if (dob.year, dob.month, dob.day) == (other_dob.year, other_dob.day, other_dob.month):
            return 0.92, "dob_day_month_swapped"
    if year is None or other_year is None:
        return 0.4, None
    gap = abs(year - other_year)
    either_estimated = estimated or other_estimated or dob is None or other_dob is None
    if gap == 0:
        return (0.6, "birth_year_same") if either_estimated else (0.35, "birth_year_same")
    if gap <= YEAR_WINDOW and either_estimated:
        return (0.5 if gap == 1 else 0.4), "birth_year_close"
    return 0.0, None


def find_candidates(
    *,
    full_name: str,
    sex: str,
    date_of_birth: date | None,
    birth_year: int | None,
    commune: AdminUnit | None,
    within: Q,
    exclude_ids: Iterable[int] = (),
    parents: Sequence[str] = (),
    address: str = "",
    limit: int = 10,
) -> list[Candidate]:
    """The registered children (among those matching `within`) who may be this child, best first.

    `within` is a filter on Child, normally the caller's scope (`scope.q("admin_unit")`): nothing
    outside it is read. Three queries at most: the ids of the blocks, their children, then
    the parents of the remaining candidates when `parents` are given.
    """
    keys = _Keys.of(full_name)
    if not keys.full:
        return []
    year = date_of_birth.year if date_of_birth is not None else birth_year
    base = matchable(within, exclude_ids)
    rows: list[tuple[Any, ...]] = list(candidate_rows(_blocks(keys, sex, year, commune, base)[0]))
    return rank(
        rows, full_name=full_name, sex=sex, date_of_birth=date_of_birth, birth_year=birth_year,
        commune=commune, parents=parents, address=address, limit=limit,
    )  # fmt: skip


def matchable(within: Q, exclude_ids: Iterable[int] = ()) -> QuerySet[Child]:
    """The records a new child may be matched against: in `within`, active or aged out, not excluded."""
    base = Child.objects.filter(within, status__in=_MATCHABLE)
    excluded = sorted(set(exclude_ids))
    if excluded:
        base = base.exclude(pk__in=excluded)
    return base.order_by()


def candidate_rows(qs: QuerySet[Child]) -> QuerySet[Child, tuple[Any, ...]]:
    """The columns `rank` reads, for any queryset of children (the benchmark's naive scan uses it)."""
    return qs.values_list(*_FIELDS)


def rank(
    rows: Iterable[tuple[Any, ...]],
    *,
    full_name: str,
    sex: str,
    date_of_birth: date | None,
    birth_year: int | None,
    commune: AdminUnit | None,
    parents: Sequence[str] = (),
    address: str = "",
    limit: int = 10,
) -> list[Candidate]:
    """Score `candidate_rows` against the child entered; the candidates above the threshold, best first."""
    keys = _Keys.of(full_name)
    year = date_of_birth.year if date_of_birth is not None else birth_year
    estimated = date_of_birth is None
    scored: list[_Scored] = []
    seen: set[int] = set()
    for pk, unit_id, name_key, ho_key, ten_key, c_sex, c_dob, c_year, c_est, c_address in rows:
        if pk in seen:
            continue
        seen.add(pk)
        name, name_reason = _name_score(keys, _Keys.stored(name_key, ho_key, ten_key))
        if name < MIN_NAME_SCORE:
            continue
        when, date_reason = _date_score(date_of_birth, year, estimated, c_dob, c_year, c_est)
        item = _Scored(pk, 0.6 * name + 0.4 * when, [r for r in (name_reason, date_reason) if r], name, when)
        if sex and c_sex:
            if sex == c_sex:
                item.reasons.append("sex_match")
            else:
                item.score -= 0.25
        if commune is not None and unit_id == commune.pk:
            item.reasons.append("same_commune")
            item.score += SAME_COMMUNE
        if address and c_address and _similar_text(address, c_address):
            item.reasons.append("address")
            item.score += 0.03
        scored.append(item)

    if parents and scored:
        _add_parents(scored, parents)

    out = []
    for item in sorted(scored, key=lambda s: (-s.score, s.pk)):
        if item.score < POSSIBLE_SCORE:
            continue
        level = LIKELY if item.score >= LIKELY_SCORE and item.corroborated() else POSSIBLE
        ordered = sorted(set(item.reasons), key=REASONS.index)
        out.append(
            Candidate(child_id=item.pk, score=round(min(item.score, 1.0), 3), level=level, reasons=ordered)
        )
        if len(out) >= limit:
            break
    return out


@dataclass
class _Scored:
    pk: int
    score: float
    reasons: list[str]
    name: float
    when: float

    def corroborated(self) -> bool:
        """Likely needs the name, the date of birth and a local fact to agree (see the module
        docstring); a parent's name or the address stands in for both the date and the commune."""
        if self.name < LIKELY_NAME:
            return False
        if "parent_name" in self.reasons or "address" in self.reasons:
            return True
        return self.when >= STRONG_DATE and "same_commune" in self.reasons


def _similar_text(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(normalize_name(a), normalize_name(b)) >= 85


def _add_parents(scored: list[_Scored], parents: Sequence[str]) -> None:
    """Raise the candidates whose recorded father or mother bears one of the names given."""
    wanted = [normalize_name(p) for p in parents if p and p.strip()]
    if not wanted:
        return
    known: dict[int, list[str]] = defaultdict(list)
    rows = Caregiver.objects.filter(
        child_id__in=[item.pk for item in scored], relationship__in=_PARENTS
    ).values_list("child_id", "person__name_key")
    for child_id, name_key in rows:
        known[child_id].append(name_key)
    for item in scored:
        if any(fuzz.ratio(w, k) >= 90 for w in wanted for k in known.get(item.pk, ())):
            item.score += 0.08
            item.reasons.append("parent_name")
