"""Reads of targets and of the catalogue, scoped by the viewer first (INDICATOR_VIEW at the unit).

Targets are figures of a plan and the values beside them are aggregates: neither names a child, so
reading them is not audited (writes are, in target_services). A unit outside the viewer's scope is 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format

from mangnon.accounts.access import can, check_at_unit, pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import metrics
from mangnon.geo.models import AdminUnit

from . import catalogue, entered
from .catalogue import GROUP_LABELS, MEASURE_LABELS, SOURCE_LABELS, Indicator
from .dashboard_selectors import DIMENSION_LABELS
from .engine import Evaluator, Term, Value, trimmed
from .models import Target, TargetRevision
from .periods import FIRST_YEAR, LAST_YEAR, ReportingPeriod

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


def require_view(viewer: Any) -> None:
    """PermissionDenied for a viewer who reads no indicator anywhere."""
    if not can(viewer, Action.INDICATOR_VIEW):
        raise PermissionDenied


def default_year() -> int:
    return timezone.localdate().year


def year_or_404(value: Any, default: int | None = None) -> int:
    """A year from a URL or a query string (blank: `default`, else this year); 404 when it is not one
    between 2000 and 2100."""
    if value in (None, ""):
        return default or default_year()
    year = pk_or_404(value)
    if not (FIRST_YEAR <= year <= LAST_YEAR):
        raise Http404
    return year


def units_for(viewer: Any, year: int) -> list[AdminUnit]:
    """The units whose targets the viewer may read for `year`: those in their INDICATOR_VIEW scope that
    exist on the year's last day (the geography of that year), broadest first, then by code."""
    scope = scope_for(viewer, Action.INDICATOR_VIEW)
    units = AdminUnit.objects.valid_on(date(year, 12, 31)).filter(scope.q(""))
    return sorted(units, key=lambda u: (u.path.count("/"), u.code))


def get_unit_for_user(viewer: Any, unit_id: Any, action: Action = Action.INDICATOR_VIEW) -> AdminUnit:
    """The unit `viewer` may read indicators at (404 outside their scope); 403 when they may read but
    not take `action` there."""
    require_view(viewer)
    unit = AdminUnit.objects.select_related("parent").filter(pk=pk_or_404(unit_id)).first()
    if unit is None:
        raise Http404
    check_at_unit(viewer, unit, Action.INDICATOR_VIEW, action)
    return unit


def indicator_or_404(code: str) -> Indicator:
    try:
        return catalogue.get(code)
    except KeyError:
        raise Http404 from None


@dataclass(frozen=True)
class TargetRow:
    value: Value
    actual: int | Decimal | None  # the value reached, trimmed
    target: int | Decimal | None  # the target's value, trimmed

    @property
    def indicator(self) -> Indicator:
        return self.value.indicator


def target_row(value: Value) -> TargetRow:
    return TargetRow(value, trimmed(value.value), trimmed(value.target.value) if value.target else None)


@dataclass
class TargetGroup:
    code: str
    label: StrOrPromise
    rows: list[TargetRow] = field(default_factory=list)


def targets_by_group(viewer: Any, unit: AdminUnit, year: int) -> list[TargetGroup]:
    """Every indicator of the catalogue with its target for `unit` and `year`, the value it reached
    that year (as `viewer` may see it: small cells suppressed for leadership) and its status, grouped
    as the catalogue groups them."""
    values = Evaluator(viewer).values(list(catalogue.all_indicators()), unit, ReportingPeriod.year(year))
    groups = {g: TargetGroup(g.value, label) for g, label in GROUP_LABELS.items()}
    for value in values:
        groups[value.indicator.group].rows.append(target_row(value))
    return [g for g in groups.values() if g.rows]


@dataclass(frozen=True)
class TargetHistory:
    target: Target | None
    revisions: list[TargetRevision]  # latest first


def target_history(unit: AdminUnit, code: str, year: int) -> TargetHistory:
    """The target of `code` for `unit` and `year` (None when none was set) and every version it had.
    The caller checked the viewer may read indicators at `unit`."""
    target = Target.objects.filter(indicator=code, admin_unit=unit, year=year).first()
    if target is None:
        return TargetHistory(None, [])
    revisions = list(target.revisions.select_related("by").order_by("-at", "-pk"))
    for revision in revisions:
        revision.shown_value = trimmed(revision.value)  # type: ignore[attr-defined]
    return TargetHistory(target, revisions)


# --- the catalogue -------------------------------------------------------------------------------------


def element_name(code: str) -> StrOrPromise:
    """A data element's name: the owning app's for a computed one, the data set's for an entered one."""
    if entered.is_entered(code):
        return entered.element_of(code)[1].name
    try:
        return metrics.get(code).name
    except KeyError:
        return code


def term_label(text: str) -> str:
    """A formula's term in words: "Children abused (form: sexual)"."""
    term = Term.parse(text)
    name = str(element_name(term.code))
    if term.dimension:
        return f"{name} ({term.dimension}: {term.category})"
    return name


@dataclass(frozen=True)
class CatalogueEntry:
    indicator: Indicator
    group_label: StrOrPromise
    measure_label: StrOrPromise
    source_label: StrOrPromise
    numerator_label: str
    denominator_label: str
    formula: str
    disaggregation_labels: list[str]


def formula_of(indicator: Indicator) -> str:
    numerator = term_label(indicator.numerator)
    if not indicator.denominator:
        return numerator
    factor = number_format(int(indicator.factor), force_grouping=True)
    return f"{numerator} / {term_label(indicator.denominator)} × {factor}"


def catalogue_entries() -> list[CatalogueEntry]:
    return [
        CatalogueEntry(
            indicator=i,
            group_label=GROUP_LABELS[i.group],
            measure_label=MEASURE_LABELS[i.measure],
            source_label=SOURCE_LABELS[i.source],
            numerator_label=term_label(i.numerator),
            denominator_label=term_label(i.denominator) if i.denominator else "",
            formula=formula_of(i),
            disaggregation_labels=[str(DIMENSION_LABELS.get(d, d)) for d in i.disaggregations],
        )
        for i in catalogue.all_indicators()
    ]


def data_sets() -> tuple[entered.DataSet, ...]:
    return entered.DATA_SETS
