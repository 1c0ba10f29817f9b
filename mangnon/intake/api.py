"""Contact routes of the API (a contract other tools rely on; see docs/intake.md).

Every route reads and writes through intake's access, selectors and services: a contact the caller may
not read is 404 on every route, a caller's name and number are withheld beyond the counsellor who took
the call unless the caller agreed to be named, and every read of a contact is audited.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.api import ApiError, ErrorOut, caller, conflict, invalid
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import unit_on

from . import selectors, services, taxonomy
from .access import can_see_caller, get_contact_for_user, place_of
from .models import Contact, Line

router = Router(tags=["contacts"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class ChildIn(Schema):
    child: int | None = Field(None, description="Id of a registered child the caller may see")
    name: str = Field("", max_length=220, description="As the caller gave it, when not registered")
    full_name: str = Field("", max_length=220, description="Same as name (the registry's field name)")
    sex: Literal["M", "F", ""] = ""
    age: int | None = None
    birth_year: int | None = Field(None, description="Instead of age: the age is worked out from it")
    note: str = ""

    def entry(self, received_at: datetime | None) -> services.ChildEntry:
        """The child as the service takes it: one name field, an age in years at the contact."""
        age = self.age
        if age is None and self.birth_year is not None:
            age = max(0, (received_at or timezone.now()).year - self.birth_year)
        name = self.name or self.full_name
        return services.ChildEntry(child_id=self.child, name=name, sex=self.sex, age=age, note=self.note)


class ContactFields(Schema):
    channel: str = Field(description="phone, walk_in, school, police, letter, online, collaborator")
    kind: Literal["data", "non_data"] = "data"
    non_data_type: str = Field("", description="For a non-data contact: silent, hang_up, abusive, …")
    line: str = Field("", description="The number of the line the contact came through (111, …)")
    received_at: datetime | None = Field(None, description="Default: now")
    reasons: list[str] = Field(default_factory=list, description="Codes of intake.taxonomy (data contacts)")
    caller_anonymous: bool = False
    caller_name: str = ""
    caller_phone: str = ""
    caller_relationship: str = "unknown"
    caller_consents_to_identity: bool = False
    commune: str = Field("", description="Code of the commune where it happened")
    place_text: str = ""
    urgency: str = Field("normal", description="emergency, high, normal, low")
    narrative: str = ""
    outcome: str = Field("", description="information, counselling, referred")
    referred_to: str = Field("", description="Code of the commune the contact is referred to")
    duration_seconds: int | None = None
    caller_agreed: bool = Field(
        False,
        description="With outcome referred: the caller, the child or a parent, agreed to pass it on",
    )
    emergency_override: bool = Field(
        False, description="With outcome referred: an emergency, passed on without consent"
    )
    override_reason: str = Field("", description="With emergency_override: why consent could not be obtained")


class ContactIn(ContactFields):
    children: list[ChildIn] = Field(default_factory=list)


class ContactPatch(Schema):
    version: int = Field(description="The version read; a stale one gets 409")
    channel: str | None = None
    kind: Literal["data", "non_data"] | None = None
    non_data_type: str | None = None
    line: str | None = None
    received_at: datetime | None = None
    reasons: list[str] | None = None
    caller_anonymous: bool | None = None
    caller_name: str | None = None
    caller_phone: str | None = None
    caller_relationship: str | None = None
    caller_consents_to_identity: bool | None = None
    commune: str | None = None
    place_text: str | None = None
    urgency: str | None = None
    narrative: str | None = None
    outcome: str | None = None
    referred_to: str | None = None
    duration_seconds: int | None = None
    caller_agreed: bool | None = None
    emergency_override: bool | None = None
    override_reason: str | None = None


class ReasonOut(Schema):
    code: str
    label: str


class CallerOut(Schema):
    anonymous: bool
    name: str
    phone: str
    relationship: str
    consents_to_identity: bool
    withheld: bool = Field(description="Name and phone withheld: the caller did not agree to be named")


class ContactChildOut(Schema):
    id: int
    child: int | None
    name: str
    sex: str
    age: int | None
    note: str


class ContactSummary(Schema):
    id: int
    version: int
    received_at: datetime
    channel: str
    line: str
    kind: str
    non_data_type: str
    urgency: str
    outcome: str
    commune: str
    province: str
    reasons: list[ReasonOut]
    counsellor: str


class ContactOut(ContactSummary):
    taxonomy_version: str
    caller: CallerOut
    commune_name: str
    place_text: str
    narrative: str
    referred_to: str
    duration_seconds: int | None
    children: list[ContactChildOut]


class ContactList(Schema):
    items: list[ContactSummary]
    count: int


class ListFilter(Schema):
    since: datetime | None = Field(None, description="Received at or after (a date: from its start)")
    until: datetime | None = Field(None, description="Received before")
    kind: str = ""
    channel: str = ""
    line: str = ""
    urgency: str = ""
    outcome: str = ""
    reason: str = Field("", description="A reason code: contacts with it or a code below it")
    mine: bool = Field(False, description="Only the contacts the caller took")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def _unit(code: str, name: str, on: datetime | None) -> AdminUnit | None:
    if not code:
        return None
    day = timezone.localtime(on).date() if on is not None and timezone.is_aware(on) else None
    unit = unit_on(code, day)
    if unit is None:
        raise ApiError(422, "invalid", {name: [_("Unknown commune code.")]})
    return unit


def _line(number: str) -> Line | None:
    if not number:
        return None
    line = Line.objects.filter(number=number).first()
    if line is None:
        raise ApiError(422, "invalid", {"line": [_("Unknown line.")]})
    return line


def _summary(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "version": contact.version,
        "received_at": contact.received_at,
        "channel": contact.channel,
        "line": contact.line.number if contact.line else "",
        "kind": contact.kind,
        "non_data_type": contact.non_data_type,
        "urgency": contact.urgency,
        "outcome": contact.outcome,
        "commune": contact.admin_unit.code if contact.admin_unit else "",
        "province": contact.province.code,
        "reasons": [
            ReasonOut(code=r.code, label=taxonomy.label(r.code))
            for r in sorted(contact.reasons.all(), key=lambda r: r.pk)  # stored in tree order
        ],
        "counsellor": contact.counsellor.get_username(),
    }


def _detail(viewer: Any, contact: Contact) -> ContactOut:
    """The contact as the viewer may see it; the view is audited."""
    shown = can_see_caller(viewer, contact)
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        obj=contact,
        unit=place_of(contact),
        changes={"caller_shown": shown},
    )
    return ContactOut(
        **_summary(contact),
        taxonomy_version=contact.taxonomy_version,
        caller=CallerOut(
            anonymous=contact.caller_anonymous,
            name=contact.caller_name if shown else "",
            phone=contact.caller_phone if shown else "",
            relationship=contact.caller_relationship,
            consents_to_identity=contact.caller_consents_to_identity,
            withheld=not shown and not contact.caller_anonymous,
        ),
        commune_name=contact.admin_unit.name if contact.admin_unit else "",
        place_text=contact.place_text,
        narrative=contact.narrative,
        referred_to=contact.referred_to.code if contact.referred_to else "",
        duration_seconds=contact.duration_seconds,
        children=[
            ContactChildOut(id=c.pk, child=c.child_id, name=c.name, sex=c.sex, age=c.age, note=c.note)
            for c in contact.children.order_by("pk")
        ],
    )


def _data(body: ContactIn) -> services.ContactData:
    return services.ContactData(
        channel=body.channel,
        kind=body.kind,
        non_data_type=body.non_data_type,
        line=_line(body.line),
        received_at=body.received_at,
        reasons=body.reasons,
        caller_anonymous=body.caller_anonymous,
        caller_name=body.caller_name,
        caller_phone=body.caller_phone,
        caller_relationship=body.caller_relationship,
        caller_consents_to_identity=body.caller_consents_to_identity,
        commune=_unit(body.commune, "commune", body.received_at),
        place_text=body.place_text,
        urgency=body.urgency,
        narrative=body.narrative,
        outcome=body.outcome,
        referred_to=_unit(body.referred_to, "referred_to", body.received_at),
        duration_seconds=body.duration_seconds,
        children=[c.entry(body.received_at) for c in body.children],
        caller_agreed=body.caller_agreed,
        emergency_override=body.emergency_override,
        override_reason=body.override_reason,
    )


def _aware(moment: datetime | date | None) -> datetime | None:
    """A time from a query string; one without a zone is Vietnam's."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        return selectors.day_start(moment)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@router.post(
    "",
    response={200: ContactOut, 201: ContactOut, 403: ErrorOut, 422: ErrorOut},
    summary=(
        "Record a contact (honours Idempotency-Key: the same key returns the same contact); one referred "
        "to a commune is passed on there, with caller_agreed or emergency_override and its reason"
    ),
)
def create_contact(request: HttpRequest, body: ContactIn) -> Status[ContactOut]:
    user = caller(request)
    if not can(user, Action.CONTACT_TAKE):
        raise PermissionDenied
    try:
        recorded = services.contact_create(
            actor=user,
            data=_data(body),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_hash=idempotency.body_hash(body.model_dump(mode="json")),
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    contact = get_contact_for_user(user, recorded.contact.pk)
    return Status(201 if recorded.created else 200, _detail(user, contact))


@router.get("", response=ContactList, summary="Contacts the caller may read, newest first")
def list_contacts(request: HttpRequest, filters: Query[ListFilter]) -> ContactList:
    user = caller(request)
    if not (can(user, Action.CONTACT_TAKE) or can(user, Action.CONTACT_VIEW)):
        raise PermissionDenied
    f = selectors.ContactFilter(
        since=_aware(filters.since), until=_aware(filters.until), kind=filters.kind, channel=filters.channel,
        line=filters.line, urgency=filters.urgency, outcome=filters.outcome, reason=filters.reason,
        counsellor=user.pk if filters.mine else None,
    )  # fmt: skip
    qs = selectors.contacts_for(user, f)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    selectors.record_list_view(user, page, page="api")
    return ContactList(items=[ContactSummary(**_summary(c)) for c in page], count=qs.count())


@router.get("/{contact_id}", response=ContactOut, summary="One contact")
def get_contact(request: HttpRequest, contact_id: int) -> ContactOut:
    user = caller(request)
    return _detail(user, get_contact_for_user(user, contact_id))


@router.patch(
    "/{contact_id}",
    response={200: ContactOut, 409: ErrorOut, 422: ErrorOut},
    summary="Change a contact (the version read; a stale one gets 409)",
)
def patch_contact(request: HttpRequest, contact_id: int, body: ContactPatch) -> ContactOut:
    user = caller(request)
    contact = get_contact_for_user(user, contact_id, Action.CONTACT_TAKE)
    changes = body.model_dump(exclude_unset=True)
    version = changes.pop("version")
    identity = [n for n in changes if n.startswith("caller_") and n != "caller_agreed"]
    if identity and not can_see_caller(user, contact):
        raise PermissionDenied  # the caller's details are not theirs to read, nor to rewrite
    for name, value in changes.items():
        default = ContactFields.model_fields[name].default
        if value is None and isinstance(default, bool):
            changes[name] = False  # null unticks a box
        elif value is None and isinstance(default, str):
            changes[name] = ""  # null clears a text
    on = changes.get("received_at") or contact.received_at
    if "line" in changes:
        changes["line"] = _line(changes["line"] or "")
    for name in ("commune", "referred_to"):
        if name in changes:
            changes[name] = _unit(changes[name] or "", name, on)
    try:
        services.contact_update(actor=user, contact=contact, version=version, changes=changes)
    except services.Conflict as exc:
        raise conflict(exc.current_version) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    return _detail(user, get_contact_for_user(user, contact.pk))
