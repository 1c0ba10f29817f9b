"""`{% load registry_actions %}`: what the profile and household pages need for the action pages.

Those pages' views (views.py) hand in the records only. `may` asks the scope whether the viewer may take
an action at a unit (to show a button only to those who may use it); the form tags give the profile's
consent and caregiver forms: the one an action view sent back with its errors, or a new one.
"""

from __future__ import annotations

from django import template

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.geo.models import AdminUnit

from ..action_forms import CaregiverForm, ConsentForm

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context: template.Context, action: str, unit: AdminUnit) -> bool:
    """`{% may "CHILD_MERGE" child.admin_unit as can_merge %}` (an Action member's name)."""
    return can(context["request"].user, Action[action], unit)


@register.simple_tag(takes_context=True)
def consent_form(context: template.Context) -> ConsentForm:
    sent = context.get("consent_form")
    return sent if sent is not None else ConsentForm(caregivers=context.get("caregivers") or [])


@register.simple_tag(takes_context=True)
def caregiver_form(context: template.Context) -> CaregiverForm:
    sent = context.get("caregiver_form")
    return sent if sent is not None else CaregiverForm()
