"""The incident register's entry of the main menu, for the roles that read cases (abuse records)."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="incidents",
        label=_("Incidents"),
        url_name="incidents:list",
        order=34,
        visible=lambda user: can(user, Action.CASE_VIEW),
    )
)
