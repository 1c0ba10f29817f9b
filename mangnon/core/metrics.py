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


class DuplicateCode(ValueError):
    """Two data elements claimed the same code."""


class Registry:
    """Data elements by code. The process has one (below); tests build their own."""

    def __init__(self) -> None:
        self._elements: dict[str, DataElement] = {}

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


def get(code: str) -> DataElement:
    return _registry.get(code)


def all_elements() -> list[DataElement]:
    return _registry.all_elements()


def autodiscover() -> None:
    """Import each installed app's `metrics` module, whose declarations register its elements."""
    autodiscover_modules("metrics")
