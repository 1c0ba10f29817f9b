"""The intake screen's outcome "referred to a commune", recorded as a referral.

Intake sits below cases (DESIGN.md §2) and cannot call `referral_send`; it declares a hook instead
(`intake.referrals`), which this module fills at start-up (imported from CasesConfig.ready). When a
contact is taken or changed with the outcome "referred", `contact_create` / `contact_update` call
`refer_contact` inside their transaction: the contact is passed on to the commune through
`referral_send`, under the same rule as from the referral page (the caller's agreement when the caller is
the child or a parent, the child's recorded consent, or an emergency override with its reason), and a
refusal rolls the contact back with it. The errors are renamed to the contact form's fields.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from mangnon.geo.models import AdminUnit
from mangnon.intake import referrals as intake_referrals
from mangnon.intake import taxonomy
from mangnon.intake.models import Contact

from .referral_services import MAX_TEXT, referral_send

# The referral service's field names → the contact's (the intake form and POST /api/v1/contacts).
FIELDS = {
    "to_unit": "referred_to",
    "to_org": "referred_to",
    "consent": "caller_agreed",
    "caller_consent": "caller_agreed",
    "override_reason": "override_reason",
    "reason": "narrative",
    NON_FIELD_ERRORS: "referred_to",
}


def _reason(contact: Contact) -> str:
    """Why it is passed on, in the site's language (the referral keeps the text as it was written): the
    contact's reasons. What was said is on the contact, which the receiving commune reads."""
    codes = list(contact.reasons.order_by("pk").values_list("code", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Contact no. %(number)s, passed on when it was taken: %(reasons)s.") % {
            "number": contact.pk,
            "reasons": "; ".join(str(taxonomy.label(c)) for c in codes),
        }
    return text[:MAX_TEXT]


def refer_contact(
    *, actor: Any, contact: Contact, to_unit: AdminUnit, consent: intake_referrals.ReferralConsent
) -> None:
    try:
        referral_send(
            actor=actor,
            contact=contact,
            to_unit=to_unit,
            reason=_reason(contact),
            caller_consent=consent.caller_agreed,
            emergency_override=consent.emergency_override,
            override_reason=consent.override_reason,
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed: dict[str, list[str]] = {}
        for name, problems in error.message_dict.items():
            renamed.setdefault(FIELDS.get(name, name), []).extend(problems)
        raise ValidationError(renamed) from None


intake_referrals.register(refer_contact)
