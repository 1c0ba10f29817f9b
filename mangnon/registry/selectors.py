"""Reads of the children registry that cross rows, always scoped by the viewer first.

The counts at the bottom are the one definition of each figure: `child_counts` (the API) and the
registry's data elements in `metrics.py` are both built on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.core.text import normalize_name
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q, path_prefix_q

from .access import can_see_sensitive
from .codes import SENSITIVE_GROUPS, SENSITIVE_RISKS, ChildStatus, RiskType, Sex, SpecialGroup
from .models import Child, Household, Person, RiskFlag, SpecialCircumstance

LISTED_STATUSES = (ChildStatus.ACTIVE, ChildStatus.AGED_OUT)
NAME_IDS_MAX = 2000  # see _name_filter


@dataclass(frozen=True)
class ChildFilter:
    q: str = ""
    commune: str | AdminUnit = ""  # a unit (or its code): that unit and everything under it
    group: str = ""  # a special-circumstance group active on `on`
    risk: str = ""  # a risk active on `on`
    age_min: int | None = None
    age_max: int | None = None
    household: int | None = None
    status: str = ""  # default: active and aged-out children (never merged records)
    on: date | None = None  # the day groups, risks and ages are judged on (default today)
    # The drill-down from a figure (metrics.py): the children `counted_children` counts for this unit
    # on `on` (404 outside the viewer's scope for counts), narrowed to those of COUNTED_SETS[counted].
    counted_unit: AdminUnit | None = None
    counted: str = ""
    sex: str = ""  # a Sex code, or SEX_UNKNOWN for none recorded


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 2, 28)


def _active_on(day: date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def _prefix(lookup: str, prefix: str) -> Q:
    """`lookup` starts with `prefix`, in a form the database's plain index serves: SQLite's LIKE is
    case-insensitive and cannot use it, so there the prefix becomes a range; PostgreSQL's pattern index
    serves LIKE 'prefix%' (Django gives varchar_pattern_ops indexes to indexed CharFields)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{lookup}__gte": prefix, f"{lookup}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)})
    return Q(**{f"{lookup}__startswith": prefix})


def name_q(text: str, person: str = "person__") -> Q:
    """Names matching `text` with or without diacritics, each branch served by an index: the full name
    starts with it ("nguyen van a"), the tên starts with it ("an"), or họ and tên as typed with any tên
    đệm between ("nguyen an"; words typed between them must appear in the name). `person` is the path
    to the Person fields ("" on Person itself)."""
    key = normalize_name(text)
    if not key:
        return Q()
    q = _prefix(f"{person}name_key", key) | _prefix(f"{person}ten_key", key)
    words = key.split(" ")
    if len(words) >= 2:
        ho_ten = Q(**{f"{person}ho_key": words[0], f"{person}ten_key": words[-1]})
        for middle in words[1:-1]:
            ho_ten &= Q(**{f"{person}name_key__contains": f" {middle} "})
        q |= ho_ten
    return q


def _name_filter(text: str) -> Q:
    """`name_q` for a list sorted by name. A rare name is resolved to its persons' ids first: otherwise
    PostgreSQL, misjudging how many rows the tên đệm test keeps, walks the whole sort index looking
    for a page (hundreds of ms at 400,000 children). A common name keeps the plain filter, where that
    walk fills a page at once."""
    ids = list(
        Person.objects.filter(name_q(text, person="")).values_list("pk", flat=True)[: NAME_IDS_MAX + 1]
    )
    return Q(person_id__in=ids) if len(ids) <= NAME_IDS_MAX else name_q(text)


def children_for(viewer: Any, filters: ChildFilter | None = None) -> QuerySet[Child]:
    """The children `viewer` may see, filtered, in Vietnamese order by tên (then họ, tên đệm)."""
    f = filters or ChildFilter()
    day = f.on or timezone.localdate()
    qs = Child.objects.filter(scope_for(viewer, Action.CHILD_VIEW).q("admin_unit"))
    if f.counted_unit is not None:
        # Exactly the figure's children (whatever their status but merged), as far as the viewer may list.
        counted = counted_children(viewer=viewer, unit=f.counted_unit, day=day)
        qs = COUNTED_SETS[f.counted or COUNTED_CHILDREN](qs.filter(pk__in=counted.values("pk")), day)
        if f.status:
            qs = qs.filter(status=f.status)
    else:
        qs = qs.filter(status=f.status) if f.status else qs.filter(status__in=LISTED_STATUSES)
    if f.sex:
        qs = qs.filter(person__sex="" if f.sex == SEX_UNKNOWN else f.sex)
    q = (f.q or "").strip()
    if q:
        digits = q.replace(" ", "")
        qs = (
            qs.filter(person__id_number=digits)
            if digits.isdigit() and len(digits) == 12
            else qs.filter(_name_filter(q))
        )
    if f.commune:
        if isinstance(f.commune, AdminUnit):
            paths = [f.commune.path]
        else:
            paths = list(AdminUnit.objects.filter(code=f.commune).values_list("path", flat=True))
        if not paths:
            return qs.none()
        unit_q = Q()
        for p in paths:
            unit_q |= path_prefix_q("admin_unit__path", p)
        qs = qs.filter(unit_q)
    if f.group:
        circ = SpecialCircumstance.objects.filter(_active_on(day), child=OuterRef("pk"), group=f.group)
        qs = qs.filter(Exists(circ))
        if f.group in SENSITIVE_GROUPS:
            qs = qs.filter(scope_for(viewer, Action.CHILD_VIEW_SENSITIVE).q("admin_unit"))
    if f.risk:
        flags = RiskFlag.objects.filter(_active_on(day), child=OuterRef("pk"), risk_type=f.risk)
        qs = qs.filter(Exists(flags))
        if f.risk in SENSITIVE_RISKS:
            qs = qs.filter(scope_for(viewer, Action.CHILD_VIEW_SENSITIVE).q("admin_unit"))
    if f.age_min is not None:
        latest = _years_before(day, f.age_min)
        qs = qs.filter(
            Q(person__date_of_birth__lte=latest)
            | Q(person__date_of_birth__isnull=True, person__birth_year__lte=day.year - f.age_min)
        )
    if f.age_max is not None:
        earliest = _years_before(day, f.age_max + 1)
        qs = qs.filter(
            Q(person__date_of_birth__gt=earliest)
            | Q(person__date_of_birth__isnull=True, person__birth_year__gte=day.year - f.age_max)
        )
    if f.household is not None:
        qs = qs.filter(household_id=f.household)
    return qs.select_related("person", "admin_unit").order_by("person__sort_key", "pk")


def child_list(*, viewer: Any, **filters: Any) -> QuerySet[Child]:
    """`children_for` with the filters as keywords (those of ChildFilter)."""
    return children_for(viewer, ChildFilter(**filters))


def record_list_view(viewer: Any, children: list[Child], *, filters: ChildFilter | None = None) -> None:
    """Audit that `viewer` was shown a page of children (one event naming the ids shown)."""
    if not children:
        return
    f = filters or ChildFilter()
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        object_type="registry.child",
        object_id="list",
        changes={
            "shown": [c.pk for c in children],
            "filters": {
                k: (v.code if isinstance(v, AdminUnit) else v)
                for k, v in f.__dict__.items()
                if v not in ("", None)
            },
        },
    )


@dataclass
class ChildFacts:
    """What of a child's classifications a viewer may see; `hidden` counts what was withheld."""

    circumstances: list[SpecialCircumstance] = field(default_factory=list)
    risk_flags: list[RiskFlag] = field(default_factory=list)
    hidden: int = 0


def child_facts(*, viewer: Any, child: Child, audit_view: bool = True) -> ChildFacts:
    """The child's classifications and risks the viewer may see; the view (and every sensitive fact
    shown) is audited."""
    sensitive_ok = can_see_sensitive(viewer, child)
    facts = ChildFacts()
    shown_sensitive: list[str] = []
    for c in child.circumstances.order_by("-start_date", "pk"):
        if c.group in SENSITIVE_GROUPS:
            if not sensitive_ok:
                facts.hidden += 1
                continue
            shown_sensitive.append(f"group:{c.group}")
        facts.circumstances.append(c)
    for r in child.risk_flags.order_by("-start_date", "pk"):
        if r.risk_type in SENSITIVE_RISKS:
            if not sensitive_ok:
                facts.hidden += 1
                continue
            shown_sensitive.append(f"risk:{r.risk_type}")
        facts.risk_flags.append(r)
    if audit_view:
        audit.record(
            actor=viewer,
            action=AuditAction.VIEW,
            obj=child,
            unit=child.admin_unit,
            changes={"sensitive_shown": shown_sensitive} if shown_sensitive else {},
        )
    return facts


# --- counts for indicators ----------------------------------------------------------------------
# One definition of each count: `counted_children` says which children are counted; the helpers after
# it say who among them is in special circumstances, at risk or assisted, and break a count down.


AssistedCounter = Callable[[QuerySet[Child], date], int]
_assisted_counter: AssistedCounter | None = None

SEX_UNKNOWN = "unknown"  # the category of children whose sex was not recorded


def set_assisted_counter(counter: AssistedCounter | None) -> None:
    """The hook the support app fills (from its AppConfig.ready()): how many of the given children had
    support on a day. The registry never imports the support app (apps depend downward only)."""
    global _assisted_counter  # one hook per process, set at start-up
    _assisted_counter = counter


def assisted_children(children: QuerySet[Child], day: date) -> int:
    """How many of `children` had support on `day`: 0 until the support app sets its counter."""
    return _assisted_counter(children, day) if _assisted_counter is not None else 0


def counted_children(*, viewer: Any, unit: AdminUnit, day: date) -> QuerySet[Child]:
    """The children counted for `unit` on `day`: under 16 that day, registered by then, recorded in the
    unit's geography (either one: a pre-reform unit with a pre-reform day, or a current unit), merged
    records left out. 404 when the unit lies outside the viewer's scope for counts."""
    scope = scope_for(viewer, Action.CHILD_COUNT)
    if not scope.contains(unit):
        raise Http404
    sixteen = _years_before(day, 16)
    return (
        Child.objects.filter(scope.q("admin_unit"))
        .filter(in_geography_q(unit))
        .exclude(status=ChildStatus.MERGED)
        .filter(created_at__lt=_start_of(day + timedelta(days=1)))
        # The child's own copies of its birth (Child.born_on, Child.born_in): no join to the persons.
        .filter(
            Q(born_on__gt=sixteen, born_on__lte=day)
            | Q(born_on__isnull=True, born_in__gt=day.year - 16, born_in__lte=day.year)
        )
    )


def _start_of(day: date) -> datetime:
    """The first moment of `day` in the current time zone: `created_at < start of the next day` says
    what `created_at__date <= day` says without converting every row's time (a Python function per
    row on SQLite, which was most of a province's count)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _special_ids(day: date) -> QuerySet[Any]:
    return SpecialCircumstance.objects.filter(_active_on(day)).values("child_id")


def _risk_ids(day: date) -> QuerySet[Any]:
    return RiskFlag.objects.filter(_active_on(day)).values("child_id")


def counted_totals(children: QuerySet[Child], day: date) -> dict[str, int]:
    """For `children` (counted_children's) on `day`: how many there are, how many are in special
    circumstances and how many at risk (the counts of children_in_special_circumstances and
    children_at_risk), with how many were assisted. What the indicator engine reads when it needs
    several of the registry's figures at once (the batch in metrics.py)."""
    # One pass over the children for their number; the others are driven by the few circumstances,
    # risks and payments of the day, each child found by its key. Counting all four in one pass with
    # filtered counts tested every child against every set: 280 ms against 150 ms at a province
    # (bench/README.md, Indicators).
    return {
        "children": children.count(),
        "special": children_in_special_circumstances(children, day).count(),
        "at_risk": children_at_risk(children, day).count(),
        "assisted": assisted_children(children, day),
    }


def children_in_special_circumstances(children: QuerySet[Child], day: date) -> QuerySet[Child]:
    """Those of `children` in at least one special-circumstance group on `day`."""
    # Driven by the circumstances of the day (a few thousand rows), each child found by its key, rather
    # than a test for every child of the unit (hundreds of thousands at a province).
    return children.filter(pk__in=_special_ids(day))


def children_at_risk(children: QuerySet[Child], day: date) -> QuerySet[Child]:
    """Those of `children` with at least one risk on `day`."""
    return children.filter(pk__in=_risk_ids(day))


COUNTED_CHILDREN, COUNTED_SPECIAL, COUNTED_AT_RISK = "children", "special", "at_risk"
# The sets of counted children a figure (and its list) is about.
COUNTED_SETS: dict[str, Callable[[QuerySet[Child], date], QuerySet[Child]]] = {
    COUNTED_CHILDREN: lambda children, _day: children,
    COUNTED_SPECIAL: children_in_special_circumstances,
    COUNTED_AT_RISK: children_at_risk,
}


def _count_per(rows: QuerySet[Any], key: str, codes: list[str]) -> dict[str, int]:
    """Distinct children per value of `key` among `rows`, with every code listed (0 when none)."""
    found = dict(
        rows.order_by().values_list(key).annotate(n=Count("child", distinct=True)).values_list(key, "n")
    )
    return {code: found.get(code, 0) for code in codes}


def children_by_group(children: QuerySet[Child], day: date) -> dict[str, int]:
    """How many of `children` are in each special-circumstance group on `day`. A child may be in several
    groups, so the groups can add up to more than the children in special circumstances."""
    rows = SpecialCircumstance.objects.filter(_active_on(day), child__in=children.values("pk"))
    return _count_per(rows, "group", SpecialGroup.values)


def children_by_risk(children: QuerySet[Child], day: date) -> dict[str, int]:
    """How many of `children` have each risk on `day` (like groups, risks overlap)."""
    rows = RiskFlag.objects.filter(_active_on(day), child__in=children.values("pk"))
    return _count_per(rows, "risk_type", RiskType.values)


def children_by_sex(children: QuerySet[Child]) -> dict[str, int]:
    """How many of `children` are of each sex, those without one recorded as SEX_UNKNOWN: the categories
    add up to the number of children."""
    found = dict(
        children.order_by().values_list("person__sex").annotate(n=Count("pk")).values_list("person__sex", "n")
    )
    return {**{sex: found.get(sex, 0) for sex in Sex.values}, SEX_UNKNOWN: found.get("", 0)}


@dataclass(frozen=True)
class ChildCounts:
    unit: str
    on: date
    children: int
    special: int  # children in at least one special-circumstance group
    by_group: dict[str, int]
    at_risk: int
    assisted: int


def child_counts(*, viewer: Any, unit: AdminUnit, on: date | None = None) -> ChildCounts:
    """For `unit` on `on` (default today) the counts of `counted_children`: all of them, those in special
    circumstances (and by group), at risk and assisted. 404 when the unit lies outside the viewer's scope
    for counts."""
    day = on or timezone.localdate()
    children = counted_children(viewer=viewer, unit=unit, day=day)
    return ChildCounts(
        unit=unit.code,
        on=day,
        children=children.count(),
        special=children_in_special_circumstances(children, day).count(),
        by_group=children_by_group(children, day),
        at_risk=children_at_risk(children, day).count(),
        assisted=assisted_children(children, day),
    )


def household_children(*, viewer: Any, household: Household) -> list[Child]:
    """The household's children the viewer may see, in Vietnamese order."""
    return list(children_for(viewer, ChildFilter(household=household.pk)))
