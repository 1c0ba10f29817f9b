"""Every write of referrals: send one (from a case, or from a hotline contact to the commune where it
happened), and the receiver's answer, accept or reject.

    sent ──► accepted
      └────► rejected          (one service per transition; both answers are final)

A referral shares the child's information with another body, so it needs the consent the domain asks
for (docs/cases.md, "Consent"): for a case, a recorded and unwithdrawn consent of the child in the
registry for sharing with service providers (the guardian's, with the child's own from age 7); for a
contact, that consent when the contact's one child is registered and has it, or else the agreement
of the caller on the line when the caller is the child or a parent. Without it only an emergency
override with its reason lets the referral go. A refusal raises before anything is written:
`ValidationError` by field, `PermissionDenied`, or `services.Conflict` (a stale version). Each service
runs in one transaction with its audit event; the reason and the notes stay on the referral, never in
the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import active_memberships, scope_for
from mangnon.accounts.roles import Action, roles_allowed
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import AdminUnit, Level
from mangnon.intake.access import can_change_contact, place_of
from mangnon.intake.codes import CallerRelationship, ContactKind, Outcome
from mangnon.intake.models import Contact
from mangnon.orgs.models import Organisation
from mangnon.orgs.selectors import providers_near
from mangnon.registry.codes import ConsentPurpose
from mangnon.registry.models import Child, Consent

from . import referral_notify
from .codes import ReferralStatus
from .models import Case, Referral
from .referral_access import may_answer
from .services import Conflict
from .workflow import Status

__all__ = [
    "CALLERS_WHO_CONSENT",
    "CONSENT_PURPOSE",
    "TRANSITIONS",
    "Basis",
    "Sent",
    "consent_basis",
    "receiving_orgs",
    "receiving_units",
    "referral_accept",
    "referral_reject",
    "referral_send",
    "subject_consent",
]

IDEMPOTENCY_SCOPE = "cases.referral.send"
CONSENT_PURPOSE = ConsentPurpose.SHARING
# Who may agree on the line to pass a contact on: the child the contact is about, or a parent (the
# child's legal representative). A neighbour, teacher or official reporting a child cannot consent for
# the child: their report goes on with the registry's consent or an emergency override.
CALLERS_WHO_CONSENT = frozenset({CallerRelationship.CHILD, CallerRelationship.PARENT})
COMMUNE_LEVELS = (Level.COMMUNE, Level.SPECIAL_ZONE)
MAX_TEXT = 5000

TRANSITIONS: dict[str, dict[str, str]] = {
    ReferralStatus.SENT: {ReferralStatus.ACCEPTED: "accept", ReferralStatus.REJECTED: "reject"},
}


class Basis:
    """What a referral rests on (a stable code, shown and returned by the API)."""

    CONSENT = "consent"
    CALLER = "caller"
    EMERGENCY = "emergency_override"


@dataclass(frozen=True)
class Sent:
    referral: Referral
    created: bool  # False: a retried request with the same idempotency key


def consent_basis(referral: Referral) -> str:
    if referral.consent_id is not None:
        return Basis.CONSENT
    if referral.caller_consent:
        return Basis.CALLER
    return Basis.EMERGENCY


# --- consent and receivers ---------------------------------------------------------------------------


def _sharing_consent(child: Child) -> Consent | None:
    """The child's latest recorded consent to share their data with service providers, not withdrawn."""
    return (
        Consent.objects.select_related("given_by")
        .filter(
            child=child,
            purpose=CONSENT_PURPOSE,
            withdrawn_on__isnull=True,
            given_on__lte=timezone.localdate(),
        )
        .order_by("-given_on", "-pk")
        .first()
    )


def subject_consent(*, case: Case | None = None, contact: Contact | None = None) -> Consent | None:
    """The registry consent a referral of this case or contact would rest on, if there is one. A contact
    qualifies only when it is about one child, registered: a consent covers one child."""
    if case is not None:
        return _sharing_consent(case.child)
    if contact is not None:
        rows = list(contact.children.select_related("child").order_by("pk")[:2])
        if len(rows) == 1 and rows[0].child is not None:
            return _sharing_consent(rows[0].child)
    return None


def _province(case: Case | None, contact: Contact | None) -> AdminUnit:
    if case is not None:
        return case.province
    return cast(Contact, contact).province


def receiving_units(*, case: Case | None = None, contact: Contact | None = None) -> list[AdminUnit]:
    """The units a referral may go to, in Vietnamese order: today's communes of the subject's province,
    and for a case also the province itself (the provincial department and its social-work centre).
    A case is not referred to its own commune."""
    province = _province(case, contact)
    levels = (*COMMUNE_LEVELS, Level.PROVINCE) if case is not None else COMMUNE_LEVELS
    units = AdminUnit.objects.valid_on(timezone.localdate()).filter(
        path__startswith=province.path, level__in=levels
    )
    if case is not None:
        units = units.exclude(pk=case.admin_unit_id)
    return sorted(units, key=lambda u: (u.level != Level.PROVINCE, vi_sort_key(u.name)))


def receiving_orgs(case: Case) -> QuerySet[Organisation]:
    """The organisations a case may be referred to: the active service providers of the directory, the
    commune's own first, then the province's bodies, then the rest of the province."""
    return providers_near(case.admin_unit)


def _sender_unit(actor: Any, contact: Contact) -> AdminUnit:
    """The unit the actor passes a contact on for: the narrowest unit of their contact-taking roles that
    covers where it happened, else the narrowest such unit they have."""
    allowed = roles_allowed(Action.CONTACT_TAKE)
    units = [m.admin_unit for m in active_memberships(actor) if m.role in allowed]
    place = place_of(contact)
    covering = [u for u in units if place.path.startswith(u.path)]
    pool = covering or units
    if not pool:
        raise PermissionDenied
    return max(pool, key=lambda u: (len(u.path), -u.pk))


def _check_unit(
    unit: AdminUnit, *, case: Case | None, contact: Contact | None, errors: dict[str, list[str]]
) -> None:
    province = _province(case, contact)
    levels = (*COMMUNE_LEVELS, Level.PROVINCE) if case is not None else COMMUNE_LEVELS
    if (
        unit.level not in levels
        or not unit.path.startswith(province.path)
        or not unit.is_valid_on(timezone.localdate())
    ):
        message = (
            _("Choose a commune of today, or the province, in the case's province.")
            if case is not None
            else _("Choose a commune of today in the contact's province: where it happened.")
        )
        errors.setdefault("to_unit", []).append(message)
    elif case is not None and unit.pk == case.admin_unit_id:
        errors.setdefault("to_unit", []).append(_("The case is already with this commune."))
    elif contact is not None and contact.admin_unit_id is not None and unit.pk != contact.admin_unit_id:
        # Decree 56 art. 26: the information goes to the commune where it happened.
        errors.setdefault("to_unit", []).append(
            _("The contact is about %(commune)s: it is passed on to that commune.")
            % {"commune": contact.admin_unit.name}  # type: ignore[union-attr]
        )


# --- sending -----------------------------------------------------------------------------------------


def _check_subject(
    actor: Any, case: Case | None, contact: Contact | None, errors: dict[str, list[str]]
) -> AdminUnit:
    """Who may send, for which subject; the sending unit."""
    if (case is None) == (contact is None):
        raise ValidationError({NON_FIELD_ERRORS: [_("Refer either a case or a contact.")]})
    if case is not None:
        if not scope_for(actor, Action.CASE_WORK).contains(case.admin_unit):
            raise PermissionDenied
        if case.status == Status.CLOSED:
            errors.setdefault(NON_FIELD_ERRORS, []).append(_("The case is closed: reopen it to refer it."))
        return case.admin_unit
    contact = cast(Contact, contact)
    if not can_change_contact(actor, contact):
        raise PermissionDenied
    if contact.kind != ContactKind.DATA:
        errors.setdefault(NON_FIELD_ERRORS, []).append(_("Only a data contact can be passed on."))
    elif contact.outcome == Outcome.CASE_OPENED:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("A case has been opened from this contact: refer the case instead.")
        )
    return _sender_unit(actor, contact)


def _check_consent(
    *,
    case: Case | None,
    contact: Contact | None,
    caller_consent: bool,
    emergency_override: bool,
    override_reason: str,
    errors: dict[str, list[str]],
) -> Consent | None:
    consent = subject_consent(case=case, contact=contact)
    if caller_consent:
        if contact is None:
            errors.setdefault("caller_consent", []).append(
                _(
                    "The caller's agreement applies to a contact; a case's referral rests on the child's "
                    "consent."
                )
            )
        elif contact.caller_relationship not in CALLERS_WHO_CONSENT:
            errors.setdefault("caller_consent", []).append(
                _(
                    "Only the child or a parent can agree for the child. Record the consent on the child's "
                    "record, or refer without consent in an emergency, giving the reason."
                )
            )
    if emergency_override and not override_reason:
        errors.setdefault("override_reason", []).append(_("Say why the child is referred without consent."))
    elif len(override_reason) > MAX_TEXT:
        errors.setdefault("override_reason", []).append(_("The text is too long (5,000 characters at most)."))
    if consent is None and not caller_consent and not emergency_override:
        errors.setdefault("consent", []).append(
            _(
                "No consent is recorded for sharing the child's information: record it on the child's "
                "record (purpose: sharing with service providers), or refer without consent in an "
                "emergency, giving the reason."
            )
            if case is not None
            else _(
                "No consent: tick that the caller (the child or a parent) agreed, record the consent on "
                "the child's record, or refer without consent in an emergency, giving the reason."
            )
        )
    return consent


def _check_receiver(
    *,
    case: Case | None,
    contact: Contact | None,
    to_unit: AdminUnit | None,
    to_org: Organisation | None,
    errors: dict[str, list[str]],
) -> None:
    if (to_unit is None) == (to_org is None):
        errors.setdefault("to_unit", []).append(
            _("Choose where the child is referred: a unit or an organisation.")
        )
        return
    if to_unit is not None:
        _check_unit(to_unit, case=case, contact=contact, errors=errors)
    elif case is None:
        errors.setdefault("to_org", []).append(
            _("A contact is passed on to the commune where it happened; refer the case to an organisation.")
        )
    elif to_org is not None and not receiving_orgs(case).filter(pk=to_org.pk).exists():
        errors.setdefault("to_org", []).append(
            _("Choose an active service provider of the directory in the case's province.")
        )


def _send(
    *,
    actor: Any,
    case: Case | None,
    contact: Contact | None,
    to_unit: AdminUnit | None,
    to_org: Organisation | None,
    reason: str,
    caller_consent: bool,
    emergency_override: bool,
    override_reason: str,
) -> Referral:
    errors: dict[str, list[str]] = {}
    from_unit = _check_subject(actor, case, contact, errors)
    _check_receiver(case=case, contact=contact, to_unit=to_unit, to_org=to_org, errors=errors)
    if not reason:
        errors.setdefault("reason", []).append(_("Say why the child is referred and what is asked for."))
    elif len(reason) > MAX_TEXT:
        errors.setdefault("reason", []).append(_("The text is too long (5,000 characters at most)."))
    consent = _check_consent(
        case=case,
        contact=contact,
        caller_consent=caller_consent,
        emergency_override=emergency_override,
        override_reason=override_reason,
        errors=errors,
    )
    if not errors and (to_unit is not None or to_org is not None):
        pending = Referral.objects.filter(
            case=case, contact=contact, to_unit=to_unit, to_org=to_org, status=ReferralStatus.SENT
        )
        if pending.exists():
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("This child is already referred there and the answer is awaited.")
            )
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        case=case,
        contact=contact,
        from_unit=from_unit,
        to_unit=to_unit,
        to_org=to_org,
        reason=reason,
        consent=consent,
        caller_consent=caller_consent and consent is None,
        emergency_override=emergency_override,
        override_reason=override_reason if emergency_override else "",
        sent_by=actor,
        sent_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=referral,
        unit=from_unit,
        changes={
            "case": case.pk if case is not None else None,
            "contact": contact.pk if contact is not None else None,
            "from_unit": from_unit.code,
            "to_unit": to_unit.code if to_unit is not None else None,
            "to_org": to_org.pk if to_org is not None else None,
            "basis": consent_basis(referral),
            "consent": referral.consent_id,
            "emergency_override": referral.emergency_override,
            "status": ReferralStatus.SENT,
        },
    )
    referral_notify.on_sent(referral)
    return referral


def referral_send(
    *,
    actor: Any,
    case: Case | None = None,
    contact: Contact | None = None,
    to_unit: AdminUnit | None = None,
    to_org: Organisation | None = None,
    reason: str,
    caller_consent: bool = False,
    emergency_override: bool = False,
    override_reason: str = "",
    idempotency_key: str = "",
    request_hash: str = "",
) -> Sent:
    """Refer a case (those who work it: CASE_WORK at its commune) to a unit of its province or to a
    service provider of the directory, or pass a data contact (those who may change it) on to a commune
    of its province. Checked before anything is written: the subject and who sends it, the receiver,
    the reason, the consent or the override with its reason, and no unanswered referral of the same
    child to the same receiver. With `idempotency_key`, a retried call returns the first referral."""
    referral, created = idempotency.create_once(
        actor=actor,
        scope=IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=lambda: _send(
            actor=actor,
            case=case,
            contact=contact,
            to_unit=to_unit,
            to_org=to_org,
            reason=(reason or "").strip(),
            caller_consent=bool(caller_consent),
            emergency_override=bool(emergency_override),
            override_reason=(override_reason or "").strip(),
        ),
        load=lambda pk: Referral.objects.get(pk=pk),
    )
    return Sent(referral, created=created)


# --- answering ---------------------------------------------------------------------------------------


def _current_version(referral: Referral) -> int:
    return int(Referral.objects.values_list("version", flat=True).get(pk=referral.pk))


def _check_answer(*, actor: Any, referral: Referral, version: int, target: str) -> None:
    current = _current_version(referral)
    if version != current:
        raise Conflict(current)
    if not may_answer(actor, referral):
        raise PermissionDenied
    if target not in TRANSITIONS.get(referral.status, {}):
        raise ValidationError({NON_FIELD_ERRORS: [_("This referral has been answered already.")]})


def _pass_contact(actor: Any, referral: Referral, now: Any) -> None:
    """An accepted contact referral: the contact is referred to the receiving commune, whose officers then
    read it and may open a case from it; a contact whose commune was not known is placed there (the
    commune that takes it is where it happened)."""
    contact, unit = referral.contact, referral.to_unit
    if contact is None or unit is None:
        return
    updates: dict[str, Any] = {}
    changes: dict[str, Any] = {"referral": referral.pk}
    if contact.admin_unit_id is None:
        updates["admin_unit"] = unit
        changes["admin_unit"] = [None, unit.code]
    if contact.outcome != Outcome.CASE_OPENED and contact.referred_to_id != unit.pk:
        updates.update(outcome=Outcome.REFERRED, referred_to=unit)
        old = contact.referred_to.code if contact.referred_to is not None else None
        changes.update(outcome=[contact.outcome, Outcome.REFERRED], referred_to=[old, unit.code])
    if not updates:
        return
    Contact.objects.filter(pk=contact.pk).update(**updates, version=F("version") + 1, updated_at=now)
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=contact, unit=unit, changes=changes)


def _answer(*, actor: Any, referral: Referral, version: int, target: str, note: str) -> Referral:
    now = timezone.now()
    with transaction.atomic():
        updated = Referral.objects.filter(pk=referral.pk, version=version, status=ReferralStatus.SENT).update(
            status=target,
            responded_by=actor,
            responded_at=now,
            response_note=note,
            version=F("version") + 1,
            updated_at=now,
        )
        if not updated:
            raise Conflict(_current_version(referral))
        if target == ReferralStatus.ACCEPTED:
            _pass_contact(actor, referral, now)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=referral,
            unit=referral.to_unit or referral.from_unit,
            changes={
                "status": [ReferralStatus.SENT, target],
                "step": TRANSITIONS[ReferralStatus.SENT][target],
                "version": [version, version + 1],
                "note_given": bool(note),
            },
        )
        referral_notify.on_answered(referral)
    referral.refresh_from_db()
    return referral


def referral_accept(*, actor: Any, referral: Referral, version: int, note: str = "") -> Referral:
    """The receiving unit's officers accept (for an organisation, the sender records that it accepted).
    A consent withdrawn since the referral was sent stops it: the receiver rejects instead. An accepted
    contact referral refers the contact to the receiving commune (intake's "referred to a commune")."""
    note = (note or "").strip()
    _check_answer(actor=actor, referral=referral, version=version, target=ReferralStatus.ACCEPTED)
    errors: dict[str, list[str]] = {}
    if len(note) > MAX_TEXT:
        errors["note"] = [_("The text is too long (5,000 characters at most).")]
    if referral.consent_id is not None and not referral.emergency_override:
        withdrawn = Consent.objects.filter(pk=referral.consent_id, withdrawn_on__isnull=False).exists()
        if withdrawn:
            errors[NON_FIELD_ERRORS] = [
                _("The consent this referral rests on has been withdrawn since: it cannot be accepted.")
            ]
    if errors:
        raise ValidationError(errors)
    return _answer(actor=actor, referral=referral, version=version, target=ReferralStatus.ACCEPTED, note=note)


def accept_on_opening(*, actor: Any, contact: Contact, case: Case) -> None:
    """A case opened from a contact referred to the case's commune answers that referral: accepted by the
    officer who opened it (when they may answer it), as if they had accepted it first."""
    pending = Referral.objects.filter(contact=contact, to_unit=case.admin_unit_id, status=ReferralStatus.SENT)
    for referral in pending.select_related("to_unit", "from_unit", "contact"):
        if may_answer(actor, referral):
            _answer(
                actor=actor,
                referral=referral,
                version=referral.version,
                target=ReferralStatus.ACCEPTED,
                note="",
            )


def referral_reject(*, actor: Any, referral: Referral, version: int, reason: str) -> Referral:
    """The receiving unit's officers reject, saying why (for an organisation, the sender records it)."""
    reason = (reason or "").strip()
    _check_answer(actor=actor, referral=referral, version=version, target=ReferralStatus.REJECTED)
    if not reason:
        raise ValidationError({"reason": [_("Say why the referral is rejected.")]})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": [_("The text is too long (5,000 characters at most).")]})
    return _answer(
        actor=actor, referral=referral, version=version, target=ReferralStatus.REJECTED, note=reason
    )
