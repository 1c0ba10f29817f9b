"""The activities' entry of the main menu, for the roles that read activities."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="activities",
        label=_("Activities"),
        url_name="activities:list",
        order=36,
        visible=lambda user: can(user, Action.ACTIVITY_VIEW),
    )
)
