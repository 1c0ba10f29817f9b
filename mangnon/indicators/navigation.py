"""The indicators entry of the main menu, for the roles that read them."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="indicators",
        label=_("Indicators"),
        url_name="indicators:dashboard",
        order=39,
        visible=lambda user: can(user, Action.INDICATOR_VIEW),
    )
)
