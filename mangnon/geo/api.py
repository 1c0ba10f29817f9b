"""Geography routes of the API: units valid on a date, one unit, and the 2025 crosswalk.

Geography is public reference data: any user who may read it (Action.GEO_VIEW) reads all of it,
unscoped. A code alone is not an identity (the reform reused commune codes), so every route resolves
codes on a date, `on`, which defaults to today.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core.api import ApiError

from . import selectors
from .models import LAST_PRE_REFORM_DAY, AdminUnit, Level, UnitCrosswalk

router = Router(tags=["geography"])

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000


class UnitOut(Schema):
    code: str
    name: str
    level: str
    type: str = Field(description='Vietnamese type label, e.g. "phường"')
    parent: str | None = Field(description="Code of the parent unit")
    valid_from: date | None = Field(description="First day of validity; null: since before our records")
    valid_to: date | None = Field(description="Last day of validity; null: still valid")


class UnitList(Schema):
    items: list[UnitOut]
    count: int


class LinkOut(UnitOut):
    is_default: bool = Field(description="The successor that records of a divided commune move to")


class LinkList(Schema):
    items: list[LinkOut]
    count: int


class UnitFilter(Schema):
    parent: str | None = Field(None, description="Code of the parent unit (resolved on `on`)")
    level: Level | None = None
    on: date | None = Field(None, description="Validity date, YYYY-MM-DD (default today)")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def _unit_out(unit: AdminUnit) -> UnitOut:
    return UnitOut(
        code=unit.code,
        name=unit.name,
        level=unit.level,
        type=unit.get_unit_type_display(),
        parent=unit.parent.code if unit.parent else None,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
    )


def _link_out(unit: AdminUnit, link: UnitCrosswalk) -> LinkOut:
    return LinkOut(**_unit_out(unit).model_dump(), is_default=link.is_default)


def _require_geo_view(request: HttpRequest) -> None:
    if not can(request.auth, Action.GEO_VIEW):  # type: ignore[attr-defined]
        raise PermissionDenied


def _resolve(code: str, on: date | None) -> AdminUnit:
    unit = selectors.unit_on(code, on)
    if unit is None:
        day = on or selectors.today()
        raise ApiError(
            404,
            "not_found",
            _("No administrative unit with code %(code)s on %(day)s.")
            % {
                "code": code,
                "day": day.isoformat(),
            },
        )
    return unit


@router.get("/units", response=UnitList, summary="Administrative units valid on a date")
def unit_list(request: HttpRequest, filters: Query[UnitFilter]) -> UnitList:
    _require_geo_view(request)
    parent = _resolve(filters.parent, filters.on) if filters.parent else None
    qs = selectors.units_valid_on(filters.on, parent=parent, level=filters.level)
    page = qs[filters.offset : filters.offset + filters.limit]
    return UnitList(items=[_unit_out(u) for u in page], count=qs.count())


@router.get("/units/{code}", response=UnitOut, summary="One administrative unit, by code on a date")
def unit_detail(request: HttpRequest, code: str, on: date | None = None) -> UnitOut:
    _require_geo_view(request)
    return _unit_out(_resolve(code, on))


@router.get(
    "/units/{code}/successors",
    response=LinkList,
    summary="Current units a pre-reform unit went into (`on` defaults to 30/6/2025)",
)
def unit_successors(request: HttpRequest, code: str, on: date | None = None) -> LinkList:
    _require_geo_view(request)
    unit = _resolve(code, on or LAST_PRE_REFORM_DAY)
    links = list(selectors.successors(unit))
    return LinkList(items=[_link_out(link.new_unit, link) for link in links], count=len(links))


@router.get(
    "/units/{code}/predecessors",
    response=LinkList,
    summary="Pre-reform units that went into a current unit (`on` defaults to today)",
)
def unit_predecessors(request: HttpRequest, code: str, on: date | None = None) -> LinkList:
    _require_geo_view(request)
    unit = _resolve(code, on)
    links = list(selectors.predecessors(unit))
    return LinkList(items=[_link_out(link.old_unit, link) for link in links], count=len(links))
