"""The geography entry of the main menu."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="geo",
        label=_("Geography"),
        url_name="geo:browse",
        order=20,
        visible=lambda user: can(user, Action.GEO_VIEW),
    )
)
