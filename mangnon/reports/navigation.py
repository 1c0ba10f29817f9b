"""The periodic reports' entry of the main menu, for the roles that read reports."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="reports",
        label=_("Reports"),
        url_name="reports:periodic_list",
        order=45,
        visible=lambda user: can(user, Action.REPORT_READ),
    )
)
