"""Who may read and change a contact, and loading one contact for a user.

A hotline counsellor reads the contacts they took and nothing else. The roles that read contacts
(CONTACT_VIEW) read those about a place in their scope, or referred to a unit in it; a contact with no
commune recorded belongs to its province. Anyone else gets 404: a contact's existence is not revealed.
A contact is changed by the one who took it, or by a role that takes contacts where it happened.
A caller's name and number are shown to the one who took the call, and beyond them only with the
caller's consent (Decree 56, Mẫu 01: "the reporter's details only if they agree").
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from mangnon.accounts.access import pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.geo.models import AdminUnit

from .models import Contact


def _user_pk(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def visible_q(user: Any) -> Q:
    """A filter for the contacts `user` may read."""
    pk = _user_pk(user)
    if pk is None:
        return Q(pk__in=[])
    q = Q(counsellor_id=pk)
    scope = scope_for(user, Action.CONTACT_VIEW)
    if not scope.is_empty:
        q |= (
            scope.q("admin_unit")
            | (Q(admin_unit__isnull=True) & scope.q("province"))
            | scope.q("referred_to")
        )
    return q


def place_of(contact: Contact) -> AdminUnit:
    """The unit a contact is about: its commune, else its province."""
    return contact.admin_unit if contact.admin_unit_id else contact.province  # type: ignore[return-value]


def can_see_contact(user: Any, contact: Contact) -> bool:
    pk = _user_pk(user)
    if pk is None:
        return False
    if contact.counsellor_id == pk:
        return True
    scope = scope_for(user, Action.CONTACT_VIEW)
    referred = contact.referred_to if contact.referred_to_id else None
    return scope.contains(place_of(contact)) or scope.contains(referred)


def can_change_contact(user: Any, contact: Contact) -> bool:
    if not can_see_contact(user, contact):
        return False
    takes = scope_for(user, Action.CONTACT_TAKE)
    if contact.counsellor_id == _user_pk(user):
        return not takes.is_empty  # still holds a role that takes contacts
    return takes.contains(place_of(contact))


def can_see_caller(user: Any, contact: Contact) -> bool:
    return contact.counsellor_id == _user_pk(user) or contact.caller_consents_to_identity


def get_contact_for_user(user: Any, contact_id: Any, action: Action = Action.CONTACT_VIEW) -> Contact:
    """The contact if `user` may read it (404 otherwise); with CONTACT_TAKE, 403 when they may read it
    but not change it."""
    pk = pk_or_404(contact_id)
    contact = (
        Contact.objects.select_related("line", "admin_unit", "province", "referred_to", "counsellor")
        .filter(pk=pk)
        .first()
    )
    if contact is None or not can_see_contact(user, contact):
        raise Http404
    if action == Action.CONTACT_TAKE and not can_change_contact(user, contact):
        raise PermissionDenied
    return contact
