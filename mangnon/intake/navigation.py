"""Intake's entries of the main menu: the intake screen for those who take contacts, the list of contacts
for those who take or read them."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="intake",
        label=_("Take a contact"),
        url_name="intake:new",
        order=15,
        visible=lambda user: can(user, Action.CONTACT_TAKE),
    )
)
navigation.register(
    navigation.NavItem(
        key="contacts",
        label=_("Contacts"),
        url_name="intake:list",
        order=16,
        visible=lambda user: can(user, Action.CONTACT_TAKE) or can(user, Action.CONTACT_VIEW),
    )
)
