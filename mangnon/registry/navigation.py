"""The children registry's entry of the main menu."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="children",
        label=_("Children"),
        url_name="registry:list",
        order=10,
        visible=lambda user: can(user, Action.CHILD_VIEW),
    )
)
