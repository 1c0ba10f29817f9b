"""Every write of hotline intake. Each service runs in one transaction with its audit event.

A data contact carries at least one reason code from `taxonomy`; a non-data contact (silent, hang-up,
abusive…) carries its type and no content. An anonymous caller gives no name or number. The audit trail
records what was taken but never the caller's name or number, nor the words of the narrative. Bad input
raises a ValidationError naming every problem in plain words, and nothing is written. The outcome
"referred to a commune" is a referral, recorded through the hook in `referrals` with the contact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import active_memberships, can, has_role, scope_for
from mangnon.accounts.roles import Action, Role, roles_allowed
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.core.validation import FieldErrors
from mangnon.geo.models import AdminUnit, Level
from mangnon.registry.access import get_child_for_user
from mangnon.registry.codes import Sex
from mangnon.registry.models import Child
from mangnon.registry.services import ChildData, Conflict, child_register, province_of

from . import referrals, taxonomy
from .access import can_change_contact, place_of
from .codes import CallerRelationship, Channel, ContactKind, NonDataType, Outcome, Urgency
from .models import Contact, ContactChild, ContactReason, Line
from .phones import is_phone, normalize_phone

IDEMPOTENCY_SCOPE = "intake.contact.create"
# The caller's identity never enters the trail (the trail says only that one was given).
MASKED_FIELDS = ("caller_name", "caller_phone")
COMMUNE_LEVELS = (Level.COMMUNE, Level.SPECIAL_ZONE)
MAX_CHILDREN = 20
MAX_CHILD_AGE = 17
MAX_NARRATIVE = 20_000
MAX_DURATION = 24 * 3600
CLOCK_SKEW = timedelta(minutes=5)  # a client clock a little ahead is not "in the future"


@dataclass(frozen=True)
class ChildEntry:
    """A child a contact is about: a registry child's id, or what the caller said (name, sex, age)."""

    child_id: int | None = None
    name: str = ""
    sex: str = ""
    age: int | None = None
    note: str = ""


@dataclass(frozen=True)
class ContactData:
    channel: str
    kind: str
    non_data_type: str = ""
    line: Line | None = None
    received_at: datetime | None = None  # default: now
    reasons: Sequence[str] = ()
    caller_anonymous: bool = False
    caller_name: str = ""
    caller_phone: str = ""
    caller_relationship: str = CallerRelationship.UNKNOWN
    caller_consents_to_identity: bool = False
    commune: AdminUnit | None = None  # where it happened (a commune-level unit)
    place_text: str = ""
    urgency: str = Urgency.NORMAL
    narrative: str = ""
    outcome: str = ""
    referred_to: AdminUnit | None = None
    duration_seconds: int | None = None
    children: Sequence[ChildEntry] = ()
    # With the outcome "referred": what passing it on rests on (kept on the referral, not the contact).
    caller_agreed: bool = False
    emergency_override: bool = False
    override_reason: str = ""


@dataclass(frozen=True)
class Recorded:
    contact: Contact
    created: bool  # False: a retried request with the same idempotency key


@dataclass
class _Cleaned:
    fields: dict[str, Any]
    reasons: list[str]
    children: list[tuple[Child | None, ChildEntry]]


# --- validation -------------------------------------------------------------------------------------


def _home_province(actor: Any) -> AdminUnit | None:
    """The one province the actor takes contacts in, or None when they take them in several."""
    allowed = roles_allowed(Action.CONTACT_TAKE)
    provinces = {province_of(m.admin_unit) for m in active_memberships(actor) if m.role in allowed}
    return provinces.pop() if len(provinces) == 1 else None


def _check_commune(unit: AdminUnit | None, name: str, day: Any, errors: FieldErrors) -> None:
    if unit is not None and (unit.level not in COMMUNE_LEVELS or not unit.is_valid_on(day)):
        errors.add(name, _("Choose a commune-level unit that existed on the day of the contact."))


def _clean_reasons(kind: str, codes: Sequence[str], errors: FieldErrors, *, as_stored: bool) -> list[str]:
    """The reason codes in tree order. `as_stored`: the codes a contact was coded with already, kept
    under the version they were coded in even if a later version retired them."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if kind == ContactKind.NON_DATA:
        if wanted:
            errors.add(
                "reasons", _("A non-data contact has no reasons: clear them, or record a data contact.")
            )
        return []
    unknown = [] if as_stored else [c for c in wanted if not taxonomy.is_selectable(c)]
    if unknown:
        errors.add("reasons", _("Unknown reason code: %(codes)s.") % {"codes": ", ".join(unknown)})
    elif not wanted:
        errors.add("reasons", _("Choose at least one reason for the contact."))
    order = {r.code: i for i, r in enumerate(taxonomy.REASONS)}
    return sorted(wanted, key=lambda c: order.get(c, len(order)))


def _clean_entry(entry: ChildEntry, errors: FieldErrors, *, named: bool = False) -> ChildEntry:
    """Check what the caller said of a child; `named`: a registry child, who needs nothing more."""
    name = " ".join((entry.name or "").split())
    if len(name) > 220:
        errors.add("children", _("A child's name is too long (220 characters at most)."))
    if entry.sex and entry.sex not in Sex.values:
        errors.add("children", _("Choose the sex: M (male) or F (female)."))
    if entry.age is not None and not 0 <= entry.age <= MAX_CHILD_AGE:
        errors.add("children", _("A child's age is a number of years from 0 to 17."))
    if not (named or name or entry.sex or entry.age is not None):
        errors.add("children", _("Give at least the child's name, sex or age."))
    return replace(entry, name=name, note=(entry.note or "").strip()[:300])


def _clean_children(
    actor: Any, kind: str, entries: Sequence[ChildEntry], errors: FieldErrors
) -> list[tuple[Child | None, ChildEntry]]:
    if not entries:
        return []
    if kind == ContactKind.NON_DATA:
        errors.add(
            "children",
            _("A non-data contact is about no child: remove the children, or record a data contact."),
        )
        return []
    if len(entries) > MAX_CHILDREN:
        errors.add("children", _("A contact names at most 20 children."))
        return []
    out: list[tuple[Child | None, ChildEntry]] = []
    linked: set[int] = set()
    for entry in entries:
        if entry.child_id is None:
            out.append((None, _clean_entry(entry, errors)))
            continue
        try:
            child = get_child_for_user(actor, entry.child_id)
        except Http404:
            # The same words for a child out of scope and one that does not exist: nothing is revealed.
            errors.add(
                "children", _("No child %(id)s among the children you may see.") % {"id": entry.child_id}
            )
            continue
        if child.pk not in linked:
            linked.add(child.pk)
            out.append((child, replace(_clean_entry(entry, errors, named=True), child_id=child.pk)))
    return out


def _clean(
    actor: Any, data: ContactData, *, now: datetime, new_line: bool = True, coded_under: str = ""
) -> _Cleaned:
    """Check and normalise a contact; raise ValidationError with every problem at once.
    PermissionDenied when the place lies outside the actor's scope for taking contacts. `coded_under`:
    the reasons are those stored under that taxonomy version, unchanged."""
    errors = FieldErrors()
    if data.channel not in Channel.values:
        errors.add("channel", _("Choose the channel the contact came through."))
    if data.kind not in ContactKind.values:
        errors.add("kind", _("Say whether this is a data or a non-data contact."))
    non_data_type = data.non_data_type or ""
    if data.kind == ContactKind.NON_DATA and non_data_type not in NonDataType.values:
        errors.add("non_data_type", _("Choose the type of the non-data contact."))
    elif data.kind == ContactKind.DATA:
        non_data_type = ""
    received_at = data.received_at or now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > now + CLOCK_SKEW:
        errors.add("received_at", _("The time of the contact is in the future."))
    day = timezone.localtime(received_at).date()
    if data.line is not None and new_line and not Line.objects.filter(pk=data.line.pk, active=True).exists():
        errors.add("line", _("This line is no longer in use."))
    if data.urgency not in Urgency.values:
        errors.add("urgency", _("Unknown urgency."))
    if data.caller_relationship not in CallerRelationship.values:
        errors.add("caller_relationship", _("Unknown relationship to the child."))

    name = " ".join((data.caller_name or "").split())
    phone = normalize_phone(data.caller_phone)
    if data.caller_anonymous:
        if name or phone:
            errors.add(
                "caller_anonymous",
                _("An anonymous caller gives no name or phone number: clear them, or untick anonymous."),
            )
        if data.caller_consents_to_identity:
            errors.add("caller_anonymous", _("An anonymous caller cannot agree to be named."))
    if len(name) > 220:
        errors.add("caller_name", _("The caller's name is too long (220 characters at most)."))
    if phone and not is_phone(phone):
        errors.add("caller_phone", _("Enter the phone number as digits (3 to 15), e.g. 0912 345 678."))

    reasons = _clean_reasons(data.kind, data.reasons, errors, as_stored=bool(coded_under))
    children = _clean_children(actor, data.kind, data.children, errors)

    _check_commune(data.commune, "commune", day, errors)
    _check_commune(data.referred_to, "referred_to", day, errors)
    outcome = data.outcome or ""
    if outcome == Outcome.CASE_OPENED:
        errors.add(
            "outcome", _("A case is opened from the contact's page, which records this outcome itself.")
        )
    elif outcome and outcome not in Outcome.values:
        errors.add("outcome", _("Unknown outcome."))
    if data.referred_to is not None and not outcome:
        outcome = Outcome.REFERRED
    if outcome == Outcome.REFERRED and data.referred_to is None:
        errors.add("referred_to", _("Choose the commune the contact is referred to."))
    elif data.referred_to is not None and outcome != Outcome.REFERRED:
        errors.add("referred_to", _("A commune to refer to goes with the outcome 'referred to a commune'."))
    if data.kind == ContactKind.NON_DATA and outcome:
        errors.add("outcome", _("A non-data contact has no outcome."))
    if len(data.narrative or "") > MAX_NARRATIVE:
        errors.add("narrative", _("The narrative is too long (20,000 characters at most)."))
    if data.duration_seconds is not None and not 0 <= data.duration_seconds <= MAX_DURATION:
        errors.add("duration_seconds", _("The duration is a number of seconds within a day."))

    # The province a contact belongs to: its commune's; else the one the actor works in; else the line's.
    province = province_of(data.commune) if data.commune is not None else _home_province(actor)
    if province is None and data.line is not None and data.line.province_id:
        province = data.line.province
    if province is None:
        errors.add("commune", _("Choose the commune where it happened."))
    errors.raise_any()
    if data.commune is not None and not scope_for(actor, Action.CONTACT_TAKE).contains(data.commune):
        raise PermissionDenied
    return _Cleaned(
        fields={
            "channel": data.channel,
            "line": data.line,
            "received_at": received_at,
            "kind": data.kind,
            "non_data_type": non_data_type,
            "caller_anonymous": data.caller_anonymous,
            "caller_name": name,
            "caller_phone": phone,
            "caller_relationship": data.caller_relationship,
            "caller_consents_to_identity": data.caller_consents_to_identity,
            "taxonomy_version": coded_under or taxonomy.CURRENT_VERSION,
            "admin_unit": data.commune,
            "province": province,
            "place_text": (data.place_text or "").strip()[:300],
            "urgency": data.urgency,
            "narrative": (data.narrative or "").strip(),
            "outcome": outcome,
            "referred_to": data.referred_to,
            "duration_seconds": data.duration_seconds,
        },
        reasons=reasons,
        children=children,
    )


def _snapshot(fields_: Mapping[str, Any], reasons: Sequence[str]) -> dict[str, Any]:
    """What the trail records of a contact: the coded facts, never the narrative's words, and the
    caller's identity only as present (masked)."""
    line = fields_.get("line")
    unit, referred = fields_.get("admin_unit"), fields_.get("referred_to")
    out: dict[str, Any] = {
        "channel": fields_["channel"],
        "line": line.number if line is not None else "",
        "received_at": fields_["received_at"],
        "kind": fields_["kind"],
        "non_data_type": fields_["non_data_type"],
        "reasons": list(reasons),
        "urgency": fields_["urgency"],
        "commune": unit.code if unit is not None else "",
        "outcome": fields_["outcome"],
        "referred_to": referred.code if referred is not None else "",
        "caller_anonymous": fields_["caller_anonymous"],
        "caller_relationship": fields_["caller_relationship"],
        "caller_consents_to_identity": fields_["caller_consents_to_identity"],
        "narrative_length": len(fields_["narrative"]),
    }
    for name in MASKED_FIELDS:
        if fields_[name]:
            out[name] = fields_[name]
    return out


# --- create ---------------------------------------------------------------------------------------


def contact_create(
    *, actor: Any, data: ContactData, idempotency_key: str = "", request_hash: str = ""
) -> Recorded:
    """Record a contact taken by `actor`. With `idempotency_key`, a retried call returns the contact the
    first one made (KeyReused when the key came with a different request). A contact referred to a
    commune is passed on there in the same transaction (`referrals`: the caller's agreement, a recorded
    consent or an emergency override), or neither is written."""
    if not can(actor, Action.CONTACT_TAKE):
        raise PermissionDenied
    cleaned = _clean(actor, data, now=timezone.now())

    def create() -> Contact:
        contact = Contact.objects.create(**cleaned.fields, counsellor=actor)
        ContactReason.objects.bulk_create([ContactReason(contact=contact, code=c) for c in cleaned.reasons])
        ContactChild.objects.bulk_create(
            [
                ContactChild(
                    contact=contact,
                    child=child,
                    name=entry.name,
                    sex=entry.sex,
                    age=entry.age,
                    note=entry.note,
                )
                for child, entry in cleaned.children
            ]
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=contact,
            unit=place_of(contact),
            changes={
                **_snapshot(cleaned.fields, cleaned.reasons),
                "children": [child.pk for child, _entry in cleaned.children if child is not None],
                "unidentified_children": sum(1 for child, _entry in cleaned.children if child is None),
            },
            sensitive=MASKED_FIELDS,
        )
        if cleaned.fields["outcome"] == Outcome.REFERRED:
            _refer(actor, contact, data)
        return contact

    contact, created = idempotency.create_once(
        actor=actor,
        scope=IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: Contact.objects.get(pk=pk),
    )
    return Recorded(contact, created=created)


# --- update ---------------------------------------------------------------------------------------

UPDATABLE = frozenset(f.name for f in fields(ContactData) if f.name != "children")


def _current_data(contact: Contact) -> ContactData:
    return ContactData(
        channel=contact.channel,
        kind=contact.kind,
        non_data_type=contact.non_data_type,
        line=contact.line,
        received_at=contact.received_at,
        reasons=list(contact.reasons.values_list("code", flat=True)),
        caller_anonymous=contact.caller_anonymous,
        caller_name=contact.caller_name,
        caller_phone=contact.caller_phone,
        caller_relationship=contact.caller_relationship,
        caller_consents_to_identity=contact.caller_consents_to_identity,
        commune=contact.admin_unit,
        place_text=contact.place_text,
        urgency=contact.urgency,
        narrative=contact.narrative,
        outcome=contact.outcome,
        referred_to=contact.referred_to,
        duration_seconds=contact.duration_seconds,
    )


def contact_update(*, actor: Any, contact: Contact, version: int, changes: Mapping[str, Any]) -> Contact:
    """Change a contact if `version` is still current (else Conflict); the diff is audited (the caller's
    identity masked). The children are changed with `contact_link_child`; the outcome "case opened" is
    set only by opening a case, and stays. Referred now (or to another commune), the contact is passed on
    in the same transaction, as by `contact_create`."""
    if not can_change_contact(actor, contact):
        raise PermissionDenied
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    before = _current_data(contact)
    has_case = contact.outcome == Outcome.CASE_OPENED
    merged = replace(before, **{**changes, **({"outcome": ""} if has_case else {})})
    if has_case and changes.get("outcome", Outcome.CASE_OPENED) != Outcome.CASE_OPENED:
        raise ValidationError({"outcome": [_("A case was opened from this contact: its outcome stays.")]})
    if contact.children.exists() and merged.kind == ContactKind.NON_DATA:
        raise ValidationError({"kind": [_("The contact names children: it stays a data contact.")]})
    if has_case and merged.kind == ContactKind.NON_DATA:
        raise ValidationError({"kind": [_("A case was opened from this contact: it stays a data contact.")]})
    same_reasons = set(merged.reasons) == set(before.reasons)
    cleaned = _clean(
        actor,
        merged,
        now=timezone.now(),
        new_line=merged.line != before.line,
        coded_under=contact.taxonomy_version if same_reasons else "",
    )
    if has_case:
        cleaned.fields["outcome"] = Outcome.CASE_OPENED
    referred = cleaned.fields["referred_to"]
    # Referred now, or to another commune: passed on (the referral rule) in this transaction.
    refer = cleaned.fields["outcome"] == Outcome.REFERRED and (
        contact.outcome != Outcome.REFERRED or contact.referred_to_id != referred.pk
    )
    old = _fields_of(contact)
    with transaction.atomic():
        bumped = Contact.objects.filter(pk=contact.pk, version=version).update(
            **cleaned.fields, version=F("version") + 1, updated_at=timezone.now()
        )
        if not bumped:
            raise Conflict(Contact.objects.values_list("version", flat=True).get(pk=contact.pk))
        old_reasons = list(before.reasons)
        if not same_reasons:
            ContactReason.objects.filter(contact=contact).delete()
            ContactReason.objects.bulk_create(
                [ContactReason(contact=contact, code=c) for c in cleaned.reasons]
            )
        fresh = Contact.objects.select_related("admin_unit", "province", "referred_to").get(pk=contact.pk)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=fresh,
            unit=place_of(fresh),
            changes=audit.diff(
                _snapshot(old, sorted(old_reasons)), _snapshot(cleaned.fields, sorted(cleaned.reasons))
            ),
            sensitive=MASKED_FIELDS,
        )
        if refer:
            _refer(actor, fresh, merged)
    contact.refresh_from_db()  # after the commit: a refused referral leaves the contact as it was
    return contact


def _refer(actor: Any, contact: Contact, data: ContactData) -> None:
    """Pass the contact on to the commune it is referred to, through the app that records referrals;
    its refusal (no consent and no emergency override, a commune other than where it happened…) is a
    ValidationError that rolls the contact back too."""
    referrals.refer(
        actor=actor,
        contact=contact,
        to_unit=contact.referred_to,  # type: ignore[arg-type]
        consent=referrals.ReferralConsent(
            caller_agreed=bool(data.caller_agreed),
            emergency_override=bool(data.emergency_override),
            override_reason=(data.override_reason or "").strip() if data.emergency_override else "",
        ),
    )


def _fields_of(contact: Contact) -> dict[str, Any]:
    """The stored fields `_snapshot` describes, to compare with the cleaned new ones."""
    return {
        "channel": contact.channel,
        "line": contact.line,
        "received_at": contact.received_at,
        "kind": contact.kind,
        "non_data_type": contact.non_data_type,
        "caller_anonymous": contact.caller_anonymous,
        "caller_name": contact.caller_name,
        "caller_phone": contact.caller_phone,
        "caller_relationship": contact.caller_relationship,
        "caller_consents_to_identity": contact.caller_consents_to_identity,
        "admin_unit": contact.admin_unit,
        "urgency": contact.urgency,
        "narrative": contact.narrative,
        "outcome": contact.outcome,
        "referred_to": contact.referred_to,
    }


# --- children after the fact ----------------------------------------------------------------------


def contact_link_child(
    *,
    actor: Any,
    contact: Contact,
    child: Child | None = None,
    entry: ContactChild | None = None,
    minimal: ChildEntry | None = None,
    register: ChildData | None = None,
    decision: str | None = None,
    link_to: int | None = None,
) -> ContactChild:
    """Name a child on a contact after it was taken: a registered child (`child`), a child registered
    now through the registry (`register`, with the duplicate check's `decision` and `link_to`), or what
    the caller said (`minimal`). With `entry` (one of the contact's unidentified children), the child
    identifies that entry instead of being added. Registering and linking commit together or not at all.
    """
    if not can_change_contact(actor, contact):
        raise PermissionDenied
    if sum(x is not None for x in (child, minimal, register)) != 1:
        raise ValueError("give exactly one of child, minimal, register")
    if contact.kind != ContactKind.DATA:
        raise ValidationError({"children": [_("A non-data contact is about no child.")]})
    if entry is not None and (entry.contact_id != contact.pk or entry.child_id is not None):
        raise ValidationError({"entry": [_("This entry is not an unidentified child of the contact.")]})
    with transaction.atomic():
        if register is not None:
            child = child_register(actor=actor, data=register, decision=decision, link_to=link_to).child
        if child is not None:
            if not scope_for(actor, Action.CHILD_VIEW).contains(child.admin_unit):
                raise PermissionDenied
            row = _link_registered(contact, child, entry)
            changes: dict[str, Any] = {"child_linked": child.pk, "entry": row.pk}
        else:
            errors = FieldErrors()
            cleaned = _clean_entry(minimal, errors)  # type: ignore[arg-type]
            errors.raise_any()
            if contact.children.count() >= MAX_CHILDREN:
                raise ValidationError({"children": [_("A contact names at most 20 children.")]})
            row = ContactChild.objects.create(
                contact=contact, name=cleaned.name, sex=cleaned.sex, age=cleaned.age, note=cleaned.note
            )
            changes = {"child_added": "unidentified", "entry": row.pk}
        Contact.objects.filter(pk=contact.pk).update(version=F("version") + 1, updated_at=timezone.now())
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=contact, unit=place_of(contact), changes=changes
        )
    contact.refresh_from_db()
    return row


def _link_registered(contact: Contact, child: Child, entry: ContactChild | None) -> ContactChild:
    if contact.children.filter(child=child).exists():
        raise ValidationError({"children": [_("This child is already on the contact.")]})
    try:
        with transaction.atomic():
            if entry is None:
                return ContactChild.objects.create(contact=contact, child=child)
            ContactChild.objects.filter(pk=entry.pk).update(child=child)
    except IntegrityError:  # linked by a concurrent request a moment ago
        raise ValidationError({"children": [_("This child is already on the contact.")]}) from None
    entry.refresh_from_db()
    return entry


# --- lines ----------------------------------------------------------------------------------------


def line_configure(
    *, actor: Any, number: str, name: str, province: AdminUnit | None = None, active: bool = True
) -> Line:
    """Create the line `number` or bring it up to date (a deployment's lines, from the command line or
    the demo). `actor` None is the operator; otherwise a system administrator."""
    if actor is not None and not has_role(actor, Role.SYSTEM_ADMIN):
        raise PermissionDenied
    number = number.strip()
    name = " ".join(name.split())
    errors = FieldErrors()
    if not (number.isdigit() and 3 <= len(number) <= 20):
        errors.add("number", _("A line's number is 3 to 20 digits."))
    if not name or len(name) > 200:
        errors.add("name", _("Give the line a name (200 characters at most)."))
    if province is not None and province.level != Level.PROVINCE:
        errors.add("province", _("A provincial line belongs to a province."))
    errors.raise_any()
    wanted = {"name": name, "province": province, "active": active}
    with transaction.atomic():
        line = Line.objects.select_for_update().filter(number=number).first()
        if line is None:
            line = Line.objects.create(number=number, **wanted)
            changes: dict[str, Any] = {
                "number": number,
                "name": name,
                "province": province.code if province else "",
                "active": active,
            }
            action = AuditAction.CREATE
        else:
            old = {
                "name": line.name,
                "province": line.province.code if line.province else "",
                "active": line.active,
            }
            new = {"name": name, "province": province.code if province else "", "active": active}
            changes = audit.diff(old, new)
            if not changes:
                return line
            for key, value in wanted.items():
                setattr(line, key, value)
            line.save()
            action = AuditAction.UPDATE
        audit.record(actor=actor, action=action, obj=line, unit=province, changes=changes)
    return line
