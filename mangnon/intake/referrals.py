"""The outcome "referred to a commune" is a referral, and referrals belong to the cases app.

Passing a contact on shares the child's information with the commune, so it follows the referral rule
(docs/cases.md, "Consent"): a consent recorded on the child's record, the agreement of a caller who is
the child or a parent, or an emergency override with its reason. That rule and the Referral record live
in `cases`, which sits above intake (DESIGN.md §2: intake never imports cases). So intake declares the
hook and cases fills it at start-up (`register`, from `cases.referral_intake`): `contact_create` and
`contact_update` call `refer` inside their own transaction when a contact becomes "referred", and a
refusal (a ValidationError keyed by the contact's field names: `referred_to`, `caller_agreed`,
`override_reason`) rolls the contact back with it — nothing is half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from mangnon.geo.models import AdminUnit

from .models import Contact


@dataclass(frozen=True)
class ReferralConsent:
    """What the referral of a contact rests on, as the one who took it says."""

    caller_agreed: bool = False  # the caller, the child or a parent, agreed to pass it on
    emergency_override: bool = False  # an emergency: passed on without consent…
    override_reason: str = ""  # …and why


class Referrer(Protocol):
    def __call__(
        self, *, actor: Any, contact: Contact, to_unit: AdminUnit, consent: ReferralConsent
    ) -> None: ...


_hook: dict[str, Referrer] = {}  # the one referrer, set at start-up


def register(referrer: Referrer) -> None:
    """Called once, at start-up, by the app that records referrals."""
    _hook["referrer"] = referrer


def refer(*, actor: Any, contact: Contact, to_unit: AdminUnit, consent: ReferralConsent) -> None:
    """Record the referral of a contact just written (in the caller's transaction)."""
    referrer = _hook.get("referrer")
    if referrer is None:
        raise ImproperlyConfigured("Referring a contact needs the app that records referrals (cases).")
    referrer(actor=actor, contact=contact, to_unit=to_unit, consent=consent)
