"""Referrals through the API, mounted at /api/v1/referrals (the services of a plan are on the case:
/api/v1/cases/{id}/services, in cases.api). See docs/cases.md, "Referrals and services".

Every route reads and writes through referral_access, referral_selectors and referral_services: a
referral the caller may not see is 404 on every route, one they see but may not answer is 403 on
accept and reject; every read is audited. Refusals are JSON `{"error", "detail"}`: 409 `conflict`
(a stale version), 422 `invalid` by field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from mangnon.core import idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, conflict, invalid
from mangnon.geo.selectors import unit_on
from mangnon.intake.access import get_contact_for_user
from mangnon.orgs.models import Organisation

from . import referral_selectors as selectors
from . import referral_services as services
from .access import get_case_for_user
from .codes import ReferralStatus
from .models import Referral
from .referral_access import get_referral_for_user, may_answer, may_use_referrals
from .services import Conflict

router = Router(tags=["referrals"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class ReferralIn(Schema):
    case: int | None = Field(None, description="The case referred (or `contact`)")
    contact: int | None = Field(None, description="The hotline contact passed on to a commune (or `case`)")
    to_unit: str = Field("", description="Code of the receiving unit (a commune, or for a case the province)")
    to_org: int | None = Field(None, description="For a case: the receiving organisation of the directory")
    reason: str = Field(description="Why the child is referred and what is asked for")
    caller_consent: bool = Field(False, description="A contact's caller (the child or a parent) agreed")
    emergency_override: bool = Field(False, description="Referred without consent in an emergency")
    override_reason: str = Field("", description="Why consent could not be obtained (with the override)")


class AcceptIn(Schema):
    version: int = Field(description="The version read; a stale one gets 409")
    note: str = ""


class RejectIn(Schema):
    version: int = Field(description="The version read; a stale one gets 409")
    reason: str


class ContactChildOut(Schema):
    name: str
    sex: str
    age: int | None
    birth_year: int | None
    child: int | None = Field(description="The registered child, when the contact's entry is linked")


class ContactSummaryOut(Schema):
    received_at: datetime
    channel: str
    urgency: str
    place: str
    reasons: list[str]
    narrative: str
    children: list[ContactChildOut]
    caller_relationship: str
    caller_name: str = Field(description="Only when the caller agreed to be named")
    caller_phone: str = Field(description="Only when the caller agreed to be named")


class ReferralOut(Schema):
    id: int
    version: int
    status: str
    subject: Literal["case", "contact"]
    case: int | None
    case_number: str
    contact: int | None
    children: list[str] = Field(description="The names of the children the referral is about")
    from_unit: str
    from_unit_name: str
    to_unit: str
    to_unit_name: str
    to_org: int | None
    to_org_name: str
    reason: str
    basis: str = Field(description="consent, caller or emergency_override")
    consent: int | None
    consent_given_on: date | None
    emergency_override: bool
    override_reason: str
    sent_by: str
    sent_at: datetime
    responded_by: str
    responded_at: datetime | None
    response_note: str
    may_answer: bool = Field(description="The caller may accept or reject it now")
    contact_summary: ContactSummaryOut | None = Field(description="What a contact referral passed on")


class ReferralList(Schema):
    items: list[ReferralOut]
    count: int


class ListFilter(Schema):
    direction: Literal["", "received", "sent"] = Field("", description="received, sent, or both")
    status: Literal["", "sent", "accepted", "rejected"] = ""
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def _summary(viewer: Any, referral: Referral) -> ContactSummaryOut | None:
    found = selectors.contact_summary(viewer, referral)
    if found is None:
        return None
    contact = found.contact
    return ContactSummaryOut(
        received_at=contact.received_at,
        channel=contact.channel,
        urgency=contact.urgency,
        place=found.place,
        reasons=[r.code for r in contact.reasons.order_by("pk")],
        narrative=contact.narrative,
        children=[
            ContactChildOut(
                name=row.child.person.full_name if row.child is not None else row.name,
                sex=row.child.person.sex if row.child is not None else row.sex,
                age=row.age,
                birth_year=row.child.person.birth_year if row.child is not None else None,
                child=row.child_id,
            )
            for row in found.children
        ],
        caller_relationship=contact.caller_relationship,
        caller_name=contact.caller_name if found.caller_shown else "",
        caller_phone=contact.caller_phone if found.caller_shown else "",
    )


def _out(viewer: Any, referral: Referral, *, detail: bool = False) -> ReferralOut:
    """The referral as the viewer may see it; `detail` adds the contact's summary."""
    case, to_unit, to_org = referral.case, referral.to_unit, referral.to_org
    return ReferralOut(
        id=referral.pk,
        version=referral.version,
        status=referral.status,
        subject="case" if referral.case_id is not None else "contact",
        case=referral.case_id,
        case_number=case.number if case is not None else "",
        contact=referral.contact_id,
        children=selectors.child_names(referral),
        from_unit=referral.from_unit.code,
        from_unit_name=referral.from_unit.name,
        to_unit=to_unit.code if to_unit is not None else "",
        to_unit_name=to_unit.name if to_unit is not None else "",
        to_org=referral.to_org_id,
        to_org_name=to_org.name if to_org is not None else "",
        reason=referral.reason,
        basis=services.consent_basis(referral),
        consent=referral.consent_id,
        consent_given_on=referral.consent.given_on if referral.consent is not None else None,
        emergency_override=referral.emergency_override,
        override_reason=referral.override_reason,
        sent_by=str(referral.sent_by),
        sent_at=referral.sent_at,
        responded_by=str(referral.responded_by) if referral.responded_by is not None else "",
        responded_at=referral.responded_at,
        response_note=referral.response_note,
        may_answer=referral.status == ReferralStatus.SENT and may_answer(viewer, referral),
        contact_summary=_summary(viewer, referral) if detail else None,
    )


def _detail(viewer: Any, referral_id: int) -> ReferralOut:
    referral = get_referral_for_user(viewer, referral_id)
    selectors.record_referral_view(viewer, referral, page="api")
    return _out(viewer, referral, detail=True)


def _receiver(body: ReferralIn) -> tuple[Any, Organisation | None]:
    unit = None
    if body.to_unit:
        unit = unit_on(body.to_unit)
        if unit is None:
            raise ApiError(422, "invalid", {"to_unit": [_("Unknown unit code.")]})
    org = None
    if body.to_org is not None:
        org = Organisation.objects.filter(pk=body.to_org).first()
        if org is None:
            raise ApiError(422, "invalid", {"to_org": [_("Unknown organisation.")]})
    return unit, org


@router.post(
    "",
    response={200: ReferralOut, 201: ReferralOut, 409: ErrorOut, 422: ErrorOut},
    summary="Refer a case, or pass a contact on to a commune (honours Idempotency-Key)",
)
def send_referral(request: HttpRequest, body: ReferralIn) -> Status[ReferralOut]:
    user = caller(request)
    if not may_use_referrals(user):
        raise PermissionDenied
    if (body.case is None) == (body.contact is None):
        raise ApiError(422, "invalid", {"__all__": [_("Refer either a case or a contact.")]})
    case = get_case_for_user(user, body.case) if body.case is not None else None
    contact = get_contact_for_user(user, body.contact) if body.contact is not None else None
    to_unit, to_org = _receiver(body)
    try:
        sent = services.referral_send(
            actor=user,
            case=case,
            contact=contact,
            to_unit=to_unit,
            to_org=to_org,
            reason=body.reason,
            caller_consent=body.caller_consent,
            emergency_override=body.emergency_override,
            override_reason=body.override_reason,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    return Status(201 if sent.created else 200, _detail(user, sent.referral.pk))


@router.get("", response=ReferralList, summary="Referrals the caller may see: received, sent, or both")
def list_referrals(request: HttpRequest, filters: Query[ListFilter]) -> ReferralList:
    user = caller(request)
    if not may_use_referrals(user):
        raise PermissionDenied
    qs = selectors.referrals_for(user, direction=filters.direction, status=filters.status)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    selectors.record_list_view(
        user,
        page,
        page=f"api_list:{filters.direction or 'all'}",
        filters={"status": filters.status},
    )
    return ReferralList(items=[_out(user, r) for r in page], count=qs.count())


@router.get("/{referral_id}", response=ReferralOut, summary="One referral, with what it passed on")
def get_referral(request: HttpRequest, referral_id: int) -> ReferralOut:
    return _detail(caller(request), referral_id)


@router.post(
    "/{referral_id}/accept",
    response={200: ReferralOut, 409: ErrorOut, 422: ErrorOut},
    summary="Accept (a unit's officers; for an organisation, the sender records it)",
)
def accept_referral(request: HttpRequest, referral_id: int, body: AcceptIn) -> ReferralOut:
    return _answer(request, referral_id, lambda user, ref: services.referral_accept(
        actor=user, referral=ref, version=body.version, note=body.note
    ))  # fmt: skip


@router.post(
    "/{referral_id}/reject",
    response={200: ReferralOut, 409: ErrorOut, 422: ErrorOut},
    summary="Reject with a reason (a unit's officers; for an organisation, the sender records it)",
)
def reject_referral(request: HttpRequest, referral_id: int, body: RejectIn) -> ReferralOut:
    return _answer(request, referral_id, lambda user, ref: services.referral_reject(
        actor=user, referral=ref, version=body.version, reason=body.reason
    ))  # fmt: skip


def _answer(
    request: HttpRequest, referral_id: int, answer: Callable[[Any, Referral], Referral]
) -> ReferralOut:
    """Accepting and rejecting: the referral as one who may answer it, the answer, its errors as JSON."""
    user = caller(request)
    referral = get_referral_for_user(user, referral_id, answer=True)
    try:
        answer(user, referral)
    except Conflict as exc:
        raise conflict(exc.current_version) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return _detail(user, referral.pk)
