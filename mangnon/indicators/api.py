"""Indicator values and the catalogue through the API, mounted at /api/v1/indicators.

`GET /values?codes=0101,MN-BV-06&unit=22&period=2020` answers each indicator's value for a unit and a
period, with its numerator, denominator, target and status, computed live by the evaluator for the
caller: a unit outside their INDICATOR_VIEW scope is 404 (as an unknown one), a caller who reads no
indicator 403, a bad period or an unknown code 422 with the message. Leadership (no
INDICATOR_SMALL_CELLS) and `publish=true` get small cells suppressed. Values are aggregates: reading them
is not audited. `GET /catalogue` lists the indicators and the data sets for other tools.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from mangnon.core.api import ApiError, ErrorOut, caller
from mangnon.geo.selectors import unit_on

from . import catalogue, target_selectors
from .engine import Evaluator, Value, trimmed
from .periods import parse_period

router = Router(tags=["indicators"])


def number(value: Decimal | None) -> int | float | None:
    """A figure as a JSON number: 30, not "30" nor 30.0; 12.5 for a rate."""
    shown = trimmed(value)
    if shown is None or isinstance(shown, int):
        return shown
    return float(shown)


class ValuesQuery(Schema):
    codes: str = Field("", description="Indicator codes separated by commas; every indicator when empty")
    unit: str = Field(description="Code of the administrative unit (22: Quảng Ninh)")
    period: str = Field(description="A year (2020), a half-year (2020H1, 2020H2) or years (2016-2020)")
    publish: bool = Field(False, description="Suppress small cells, as for publication")
    compare: bool = Field(False, description="Also the previous period's value and the trend")


class UnitOut(Schema):
    code: str
    name: str


class TargetOut(Schema):
    kind: str
    value: int | float | None
    source_document: str


class ValueOut(Schema):
    code: str
    name: str
    measure: str
    unit: UnitOut
    period: str
    numerator: int | float | None
    denominator: int | float | None
    value: int | float | None
    target: TargetOut | None
    status: str
    trend: str
    previous: int | float | None
    suppressed: bool
    available: bool


class ElementOut(Schema):
    code: str
    name: str
    kind: str
    over_time: str
    part_of: str


class DataSetOut(Schema):
    code: str
    name: str
    agency: str
    level: str
    period_type: str
    due_days: int
    elements: list[ElementOut]


class IndicatorOut(Schema):
    code: str
    name: str
    group: str
    measure: str
    numerator: str
    denominator: str
    formula: str
    direction: str
    source: str
    agency: str
    disaggregations: list[str]
    period_types: list[str]
    counts_children: bool
    tt13: bool


class CatalogueOut(Schema):
    indicators: list[IndicatorOut]
    data_sets: list[DataSetOut]


def _value_out(value: Value) -> dict[str, Any]:
    target = value.target
    return {
        "code": value.indicator.code,
        "name": str(value.indicator.name),
        "measure": value.indicator.measure.value,
        "unit": {"code": value.unit.code, "name": value.unit.name},
        "period": value.period.key,
        "numerator": number(value.numerator),
        "denominator": number(value.denominator),
        "value": number(value.value),
        "target": (
            None
            if target is None
            else {
                "kind": target.kind,
                "value": number(target.value),
                "source_document": target.source_document,
            }
        ),
        "status": value.status.value,
        "trend": value.trend.value,
        "previous": number(value.previous),
        "suppressed": value.suppressed,
        "available": value.available,
    }


@router.get(
    "/values",
    response={200: list[ValueOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def values(request: HttpRequest, query: Query[ValuesQuery]) -> list[dict[str, Any]]:
    user = caller(request)
    target_selectors.require_view(user)
    try:
        period = parse_period(query.period)
    except ValidationError as exc:
        raise ApiError(422, "invalid", {"period": exc.messages}) from None
    codes = [c.strip() for c in query.codes.split(",") if c.strip()]
    unknown = [c for c in codes if c not in {i.code for i in catalogue.all_indicators()}]
    if unknown:
        raise ApiError(
            422,
            "invalid",
            {"codes": [_("No indicator has the code %(code)s.") % {"code": code} for code in unknown]},
        )
    indicators = [catalogue.get(c) for c in dict.fromkeys(codes)] if codes else catalogue.all_indicators()
    # Codes were reused at the 2025 reform: the unit is the one that carried the code on the period's
    # last day, else today's (a code first given after the period).
    unit = unit_on(query.unit.strip(), period.end) or unit_on(query.unit.strip())
    if unit is None:
        raise Http404
    evaluator = Evaluator(user, publish=query.publish)
    return [_value_out(v) for v in evaluator.values(list(indicators), unit, period, compare=query.compare)]


@router.get("/catalogue", response={200: CatalogueOut, 401: ErrorOut, 403: ErrorOut})
def catalogue_list(request: HttpRequest) -> dict[str, Any]:
    target_selectors.require_view(caller(request))
    return {
        "indicators": [
            {
                "code": e.indicator.code,
                "name": str(e.indicator.name),
                "group": e.indicator.group.value,
                "measure": e.indicator.measure.value,
                "numerator": e.indicator.numerator,
                "denominator": e.indicator.denominator,
                "formula": e.formula,
                "direction": e.indicator.direction.value,
                "source": e.indicator.source.value,
                "agency": str(e.indicator.agency),
                "disaggregations": list(e.indicator.disaggregations),
                "period_types": [p.value for p in e.indicator.period_types],
                "counts_children": e.indicator.counts_children,
                "tt13": e.indicator.tt13,
            }
            for e in target_selectors.catalogue_entries()
        ],
        "data_sets": [
            {
                "code": d.code,
                "name": str(d.name),
                "agency": str(d.agency),
                "level": d.level.value,
                "period_type": d.period_type.value,
                "due_days": d.due_days,
                "elements": [
                    {
                        "code": e.code,
                        "name": str(e.name),
                        "kind": e.kind.value,
                        "over_time": e.over_time.value,
                        "part_of": e.part_of,
                    }
                    for e in d.elements
                ],
            }
            for d in target_selectors.data_sets()
        ],
    }
