"""Support through the API, mounted at /api/v1/disbursements (a contract other tools rely on).

Disbursements name children and amounts: only the roles that read support (SUPPORT_VIEW) list or read
them, in their scope (one outside it is 404); every response that shows amounts is audited. Creates
honour an Idempotency-Key.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, invalid
from mangnon.geo.selectors import unit_on
from mangnon.registry.services import province_of

from . import selectors, services
from .models import Disbursement

router = Router(tags=["support"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class DisbursementIn(Schema):
    programme: str = Field(description="Code of a programme of the child's province")
    child: int = Field(description="Id of a registered child the caller records support for")
    amount: int = Field(description="Whole đồng, more than 0")
    paid_on: date
    approver: str = Field(description="Who approved: decision number and signer")
    unit: str = Field(
        "", description="Code of the unit where it was paid (valid on paid_on); default the child's"
    )


class DisbursementOut(Schema):
    id: int
    programme: str
    programme_kind: str
    child: int
    unit: str
    unit_name: str
    amount: int = Field(description="Whole đồng")
    paid_on: date
    approver: str
    version: int


class DisbursementList(Schema):
    items: list[DisbursementOut]
    count: int
    total_amount: int = Field(description="Whole đồng, over every disbursement matching the filters")


class ListFilter(Schema):
    unit: str = Field("", description="Unit code (either geography), resolved on `to` (default today)")
    start: date | None = Field(None, alias="from", description="Paid on or after")
    end: date | None = Field(None, alias="to", description="Paid on or before")
    programme: str = ""
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def _out(d: Disbursement) -> DisbursementOut:
    return DisbursementOut(
        id=d.pk,
        programme=d.programme.code,
        programme_kind=d.programme.kind,
        child=d.child_id,
        unit=d.admin_unit.code,
        unit_name=d.admin_unit.name,
        amount=d.amount,
        paid_on=d.paid_on,
        approver=d.approver,
        version=d.version,
    )


@router.get(
    "",
    response={200: DisbursementList, 422: ErrorOut},
    summary="Disbursements the caller may read, newest first",
)
def list_disbursements(request: HttpRequest, filters: Query[ListFilter]) -> DisbursementList:
    user = caller(request)
    if not can(user, Action.SUPPORT_VIEW):
        raise PermissionDenied
    unit = None
    if filters.unit:
        unit = unit_on(filters.unit, filters.end or timezone.localdate())
        if unit is None:
            raise ApiError(422, "invalid", {"unit": [_("No unit with this code on that date.")]})
    f = selectors.DisbursementFilter(
        start=filters.start, end=filters.end, unit=unit, programme=filters.programme
    )
    rows = selectors.disbursements_for(user, f)
    page = list(rows[filters.offset : filters.offset + filters.limit])
    count, amount = selectors.totals(rows)
    selectors.record_view(user, page, filters=f)
    return DisbursementList(items=[_out(d) for d in page], count=count, total_amount=amount)


@router.get("/{disbursement_id}", response=DisbursementOut, summary="One disbursement (the read is audited)")
def get_disbursement(request: HttpRequest, disbursement_id: int) -> DisbursementOut:
    user = caller(request)
    row = selectors.get_disbursement_for_user(user, disbursement_id)
    selectors.record_view(user, [row])
    return _out(row)


@router.post(
    "",
    response={200: DisbursementOut, 201: DisbursementOut, 422: ErrorOut},
    summary="Record a disbursement (honours Idempotency-Key)",
)
def create_disbursement(request: HttpRequest, body: DisbursementIn) -> Status[DisbursementOut]:
    user = caller(request)
    if not can(user, Action.SUPPORT_RECORD):
        raise PermissionDenied
    unit = None
    if body.unit:
        unit = unit_on(body.unit, body.paid_on)
        if unit is None:
            raise ApiError(422, "invalid", {"unit": [_("No unit with this code on that date.")]})
    try:
        child = services.child_for_support(user, body.child)
        where = unit or child.admin_unit
        programme = selectors.programme_by_code(user, body.programme, province_of(where))
        if programme is None:
            raise ValidationError({"programme": [_("No programme with this code in the province.")]})
        recorded = services.disbursement_record(
            actor=user,
            programme=programme,
            child_id=child.pk,
            amount=body.amount,
            paid_on=body.paid_on,
            approver=body.approver,
            admin_unit=unit,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    row = selectors.get_disbursement_for_user(user, recorded.disbursement.pk)
    return Status(201 if recorded.created else 200, _out(row))
