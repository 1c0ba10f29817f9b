"""The support roll-up for a unit (either geography) and period: the one definition of every support
figure, read by the API, the pages and `metrics.py`.

- Disbursements: those paid in [start, end] at a unit in the unit's geography; count and total đồng by
  programme (code) and by programme kind; children supported = distinct children among them (a child
  paid twice, or by two programmes, counts once).
- Gifts, by occasion, for the campaigns held in the period: child-times reached, child-times visited
  and given gifts, total value in đồng. A unit reports a campaign either as a tally (figures) or child by
  child (recipients), or both. A tally is the whole figure of its unit and everything under it and
  already includes any named recipients there, so a recipient adds only when no tally of that campaign
  covers the recipient's unit (at it or above it): nothing is counted twice. Gift figures are
  child-times (lượt trẻ em): a child given gifts in two campaigns counts twice, and tallies name no
  child, so unique children cannot be known.
- Alternative care: placements active for at least a day of the period (started on or before its end,
  not ended before its start), by kind.

Figures are aggregates (no names): every role that counts children (CHILD_COUNT, leadership included)
reads them in its scope; they are not audited. Built with a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import rollups as core_rollups
from mangnon.geo.models import AdminUnit, Level
from mangnon.geo.selectors import units_in

from .codes import CareKind, GiftOccasion, ProgrammeKind
from .models import AlternativeCare, Disbursement, GiftRecipient, GiftTally, Programme

COUNT_ACTION = Action.CHILD_COUNT


@dataclass(frozen=True)
class Paid:
    count: int = 0
    amount: int = 0  # đồng


@dataclass(frozen=True)
class Gifts:
    children_reached: int = 0  # child-times
    children_visited_given_gifts: int = 0  # child-times
    total_value: int = 0  # đồng


@dataclass(frozen=True)
class SupportRollup:
    unit: str
    start: date
    end: date
    disbursements: int
    disbursed_amount: int  # đồng
    children_supported: int  # distinct children
    by_programme: dict[str, Paid] = field(default_factory=dict)
    programme_names: dict[str, str] = field(default_factory=dict)  # code → name, for reports' tables
    by_kind: dict[str, Paid] = field(default_factory=dict)
    gifts_by_occasion: dict[str, Gifts] = field(default_factory=dict)
    alternative_care_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def gift_children(self) -> int:
        return sum(g.children_reached for g in self.gifts_by_occasion.values())

    @property
    def gift_visited(self) -> int:
        return sum(g.children_visited_given_gifts for g in self.gifts_by_occasion.values())

    @property
    def gift_value(self) -> int:
        return sum(g.total_value for g in self.gifts_by_occasion.values())

    @property
    def alternative_care(self) -> int:
        return sum(self.alternative_care_by_kind.values())

    def as_dict(self) -> dict[str, Any]:
        """The roll-up as plain JSON-ready data (dates as ISO text), for an API or an export."""
        return {
            "unit": self.unit,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "disbursements": self.disbursements,
            "disbursed_amount": self.disbursed_amount,
            "children_supported": self.children_supported,
            "by_programme": {k: vars(v) for k, v in self.by_programme.items()},
            "programme_names": dict(self.programme_names),
            "by_kind": {k: vars(v) for k, v in self.by_kind.items()},
            "gifts_by_occasion": {k: vars(v) for k, v in self.gifts_by_occasion.items()},
            "gift_children": self.gift_children,
            "gift_visited": self.gift_visited,
            "gift_value": self.gift_value,
            "alternative_care_by_kind": dict(self.alternative_care_by_kind),
            "alternative_care": self.alternative_care,
        }


def _path_and_ancestors(path: str) -> list[str]:
    """'/1/4/77/' → ['/1/', '/1/4/', '/1/4/77/']: the paths of a unit and of the units above it."""
    parts = path.strip("/").split("/")
    return [f"/{'/'.join(parts[: i + 1])}/" for i in range(len(parts))]


def rollup(*, viewer: Any, unit: AdminUnit, start: date, end: date) -> SupportRollup:
    """The support figures of `unit` over [start, end] as `viewer` may count them: PermissionDenied for
    a role that never counts, Http404 for a unit outside the viewer's scope."""
    if start > end:
        raise ValueError("The period ends before it starts.")
    scope = scope_for(viewer, COUNT_ACTION)
    if scope.is_empty:
        raise PermissionDenied
    if not scope.contains(unit):
        raise Http404
    # Every support row keeps its place in `admin_unit`, so one filter serves all of them: the units by
    # id (one subquery), which lets the database use the rows' index on the unit (activities.rollup_*).
    where = Q(admin_unit__in=units_in(unit, scope.q("")))

    paid = Disbursement.objects.filter(where, paid_on__gte=start, paid_on__lte=end).order_by()
    # Grouped by programme id (no join: the index (admin_unit, paid_on, programme, child, amount) covers
    # it), the programmes' codes and kinds read apart; the children counted once each.
    per_programme = list(paid.values_list("programme_id").annotate(n=Count("pk"), amount=Sum("amount")))
    programmes = {
        pk: (code, kind, name)
        for pk, code, kind, name in Programme.objects.filter(
            pk__in=[pk for pk, _n, _a in per_programme]
        ).values_list("pk", "code", "kind", "name")
    }
    by_programme: dict[str, Paid] = {}
    kind_sums: dict[str, list[int]] = {k: [0, 0] for k in ProgrammeKind.values}
    programme_names: dict[str, str] = {}
    for pk, n, amount in per_programme:
        code, kind, programme_names[code] = programmes[pk]
        by_programme[code] = Paid(n, int(amount or 0))
        kind_sums[kind][0] += n
        kind_sums[kind][1] += int(amount or 0)
    children = paid.aggregate(children=Count("child", distinct=True))["children"] if per_programme else 0

    in_period = Q(campaign__held_on__gte=start, campaign__held_on__lte=end)
    gift_sums: dict[str, list[int]] = {o: [0, 0, 0] for o in GiftOccasion.values}
    tallies = (
        GiftTally.objects.filter(where, in_period)
        .order_by()
        .values("campaign__occasion")
        .annotate(
            reached=Sum("children_reached"),
            visited=Sum("children_visited_given_gifts"),
            value=Sum("total_value"),
        )
    )
    for t in tallies:
        sums = gift_sums[t["campaign__occasion"]]
        sums[0] += int(t["reached"] or 0)
        sums[1] += int(t["visited"] or 0)
        sums[2] += int(t["value"] or 0)
    # A tally at the recipient's unit or at a unit above it (a district's) covers the recipient. A tally
    # at the recipient's own unit is found through the index (campaign, admin_unit); the rest are
    # summed per campaign and unit, and each sum kept when no tally of its campaign is at a unit above
    # (a correlated subquery on paths took seconds at a province's volume: activities.rollup_province
    # in bench/README.md). Only tallies above the communes can be above a recipient's unit.
    same_unit = GiftTally.objects.filter(campaign=OuterRef("campaign"), admin_unit=OuterRef("admin_unit"))
    tally_paths: dict[int, set[str]] = {}
    above = GiftTally.objects.filter(in_period).exclude(admin_unit__level=Level.COMMUNE)
    for campaign_id, path in above.values_list("campaign_id", "admin_unit__path"):
        tally_paths.setdefault(campaign_id, set()).add(path)
    named = (
        GiftRecipient.objects.filter(where, in_period)
        .exclude(Exists(same_unit))
        .order_by()
        .values("campaign_id", "campaign__occasion", "admin_unit__path")
        .annotate(reached=Count("pk"), visited=Count("pk", filter=Q(visited=True)), value=Sum("value"))
    )
    for r in named:
        covering = tally_paths.get(r["campaign_id"], set())
        if covering and any(path in covering for path in _path_and_ancestors(r["admin_unit__path"])):
            continue
        sums = gift_sums[r["campaign__occasion"]]
        sums[0] += int(r["reached"])
        sums[1] += int(r["visited"])
        sums[2] += int(r["value"] or 0)

    active = Q(start__lte=end) & (Q(end__isnull=True) | Q(end__gte=start))
    care = dict(
        AlternativeCare.objects.filter(where, active).order_by().values_list("kind").annotate(n=Count("pk"))
    )

    return SupportRollup(
        unit=unit.code,
        start=start,
        end=end,
        disbursements=sum(p.count for p in by_programme.values()),
        disbursed_amount=sum(p.amount for p in by_programme.values()),
        children_supported=int(children),
        by_programme=by_programme,
        programme_names=programme_names,
        by_kind={k: Paid(n, amount) for k, (n, amount) in kind_sums.items()},
        gifts_by_occasion={o: Gifts(*sums) for o, sums in gift_sums.items()},
        alternative_care_by_kind={k: int(care.get(k, 0)) for k in CareKind.values},
    )


core_rollups.register("support", lambda **period: rollup(**period).as_dict())
