"""GET /api/v1/rollups?unit=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD: the roll-up of programme work (core.rollups)
for a unit of either geography and a period, each app's section as the viewer may read it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from mangnon.geo.selectors import unit_on

from . import rollups
from .api import ApiError

router = Router(tags=["rollups"])


class Period(Schema):
    unit: str = Field(description="Unit code (either geography), resolved on `to`")
    start: date | None = Field(None, alias="from", description="First day (default 1 January of `to`)")
    end: date | None = Field(None, alias="to", description="Last day (default today)")


class RollupOut(Schema):
    unit: str
    unit_name: str
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    sections: dict[str, dict[str, Any]]


@router.get("", response=RollupOut, by_alias=True, summary="Programme work of a unit over a period, by app")
def get_rollups(request: HttpRequest, period: Query[Period]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    last = period.end or timezone.localdate()
    first = period.start or last.replace(month=1, day=1)
    if first > last:
        raise ApiError(422, "invalid", {"from": [_("The end of the period is before its start.")]})
    unit = unit_on(period.unit, last)
    if unit is None:
        raise ApiError(404, "not_found", _("No unit with this code on that date."))
    sections = rollups.rollup(viewer=user, unit=unit, start=first, end=last)
    if not sections:
        raise PermissionDenied
    return {"unit": unit.code, "unit_name": unit.name, "from": first, "to": last, "sections": sections}
