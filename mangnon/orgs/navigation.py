"""The organisation directory's entry of the main menu (every role reads the directory)."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="directory",
        label=_("Directory"),
        url_name="orgs:list",
        order=40,
        visible=lambda user: can(user, Action.ORG_VIEW),
    )
)
