"""Figures: the data elements apps declare, and the registry that indicators, dashboards and reports read.

Counts are owned by the app that owns the records (DESIGN.md §2). An app declares the figures it can
produce in its own `metrics.py` with `register`; `autodiscover()`, called from `CoreConfig.ready()`,
imports every installed app's `metrics` module the way Django imports `admin.py`. Readers look elements
up by code and never import another app's models.

A computation is always made for a viewer and respects their scope, like the owning app's selectors:
`Http404` for a unit outside it, `PermissionDenied` for a viewer who may not read the figure at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:  # for annotations only: core sits below geo and never imports it at run time
    from django.utils.functional import _StrOrPromise as StrOrPromise

    from mangnon.geo.models import AdminUnit


class UnitKind(StrEnum):
    """What a figure's numbers measure. Later kinds (an amount in đồng, a rate) join as apps need them."""

    COUNT = "count"  # distinct records: children, cases, sessions
    AMOUNT = "amount"  # money, in whole đồng


@dataclass(frozen=True)
class Period:
    """The days a figure covers, both ends included; a single day has start == end."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"A period cannot end ({self.end}) before it starts ({self.start}).")

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(day, day)


@dataclass(frozen=True)
class Figure:
    """A figure's total and, for each disaggregation asked for, its value per category code."""

    total: int
    by: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


class Computation(Protocol):
    def __call__(self, *, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure: ...


class RecordsLink(Protocol):
    """The address of the owning app's list of the records behind a figure, filtered to `unit`, `period`
    and, when given, one category of a disaggregation (`{"sex": "F"}`). The list applies the reader's
    own scope as always, so a link never shows more than its reader may see."""

    def __call__(self, *, unit: AdminUnit, period: Period, category: Mapping[str, str]) -> str: ...


class UnknownDisaggregation(ValueError):
    """A figure was asked for by a dimension its element does not declare."""


@dataclass(frozen=True)
class DataElement:
    """One figure an app can produce. `code` is stable ("<owner>.<name>"); `name` may be reworded."""

    code: str
    name: StrOrPromise
    owner: str  # the label of the app that owns the records counted
    computation: Computation = field(repr=False, compare=False)
    unit: UnitKind = UnitKind.COUNT
    disaggregations: tuple[str, ...] = ()  # dimension codes such as "sex" or "group"
    records: RecordsLink | None = field(default=None, repr=False, compare=False)  # drill-down, if any

    def records_url(
        self, *, unit: AdminUnit, period: Period, category: Mapping[str, str] | None = None
    ) -> str:
        """The list of the records counted, or "" when the figure has none to show (a tally)."""
        if self.records is None:
            return ""
        return self.records(unit=unit, period=period, category=category or {})

    def compute(self, *, unit: AdminUnit, period: Period, viewer: Any, by: Iterable[str] = ()) -> Figure:
        """The figure for `unit` over `period` as `viewer` may see it, broken down by each of `by`."""
        requested = tuple(dict.fromkeys(by))
        unknown = [d for d in requested if d not in self.disaggregations]
        if unknown:
            raise UnknownDisaggregation(
                f"{self.code} is not disaggregated by {', '.join(unknown)} "
                f"(it is by: {', '.join(self.disaggregations) or 'nothing'})."
            )
        return self.computation(unit=unit, period=period, viewer=viewer, by=requested)


class BatchComputation(Protocol):
    def __call__(
        self, *, codes: tuple[str, ...], unit: AdminUnit, period: Period, viewer: Any
    ) -> Mapping[str, Figure]: ...


@dataclass(frozen=True)
class Batch:
    """Several of an app's elements whose totals one computation gives together, when each alone would
    read the same rows again (the registry's children, in special circumstances, at risk, assisted: one
    pass over a province's children instead of four). It must give exactly what each element's own
    computation gives, and raise as they would (PermissionDenied, Http404)."""

    owner: str
    codes: frozenset[str]
    computation: BatchComputation = field(repr=False, compare=False)


class DuplicateCode(ValueError):
    """Two data elements claimed the same code."""


class Registry:
    """Data elements by code. The process has one (below); tests build their own."""

    def __init__(self) -> None:
        self._elements: dict[str, DataElement] = {}
        self._batches: dict[str, Batch] = {}  # element code -> the batch that computes it

    def register(self, element: DataElement) -> DataElement:
        """Add `element`, returning it so a module can keep it: `CHILDREN = register(DataElement(...))`."""
        if not element.code.startswith(f"{element.owner}."):
            raise ValueError(f"{element.code!r} must start with its owner's label, {element.owner!r}.")
        if element.code in self._elements:
            raise DuplicateCode(f"A data element {element.code!r} is already registered.")
        self._elements[element.code] = element
        return element

    def get(self, code: str) -> DataElement:
        """The element with `code`; KeyError when no app declares it."""
        return self._elements[code]

    def register_batch(self, batch: Batch) -> Batch:
        for code in batch.codes:
            if not code.startswith(f"{batch.owner}."):
                raise ValueError(f"{code!r} must start with its owner's label, {batch.owner!r}.")
            if code in self._batches:
                raise DuplicateCode(f"{code!r} is already computed by another batch.")
        self._batches.update(dict.fromkeys(batch.codes, batch))
        return batch

    def batches_for(self, codes: Iterable[str]) -> list[tuple[Batch, tuple[str, ...]]]:
        """The batches that compute two or more of `codes`, each with the codes it would compute."""
        wanted: dict[Batch, list[str]] = {}
        for code in dict.fromkeys(codes):
            if code in self._batches:
                wanted.setdefault(self._batches[code], []).append(code)
        return [(batch, tuple(found)) for batch, found in wanted.items() if len(found) > 1]

    def all_elements(self) -> list[DataElement]:
        return sorted(self._elements.values(), key=lambda e: e.code)


_registry = Registry()


def register(element: DataElement) -> DataElement:
    return _registry.register(element)


def data_element(
    code: str,
    *,
    name: StrOrPromise,
    owner: str,
    disaggregations: tuple[str, ...] = (),
    unit: UnitKind = UnitKind.COUNT,
    records: RecordsLink | None = None,
) -> Callable[[Computation], DataElement]:
    """Declare the decorated computation as data element `code` and register it."""

    def declare(computation: Computation) -> DataElement:
        return register(DataElement(code, name, owner, computation, unit, disaggregations, records))

    return declare


def batch(*, owner: str, codes: Iterable[str]) -> Callable[[BatchComputation], Batch]:
    """Declare the decorated computation as the batch that gives the totals of `codes` together."""

    def declare(computation: BatchComputation) -> Batch:
        return _registry.register_batch(Batch(owner, frozenset(codes), computation))

    return declare


def totals(codes: Iterable[str], *, unit: AdminUnit, period: Period, viewer: Any) -> dict[str, Figure]:
    """The totals of those of `codes` that a batch computes together (two or more of one batch). Codes
    without a batch, and a batch that refuses the viewer, are left out: compute them one by one, which
    says why (PermissionDenied, Http404) element by element."""
    found: dict[str, Figure] = {}
    for each, codes_of_batch in _registry.batches_for(codes):
        try:
            figures = each.computation(codes=codes_of_batch, unit=unit, period=period, viewer=viewer)
        except (PermissionDenied, Http404):
            continue
        found.update({code: figures[code] for code in codes_of_batch})
    return found


def get(code: str) -> DataElement:
    return _registry.get(code)


def all_elements() -> list[DataElement]:
    return _registry.all_elements()


def autodiscover() -> None:
    """Import each installed app's `metrics` module, whose declarations register its elements."""
    autodiscover_modules("metrics")
