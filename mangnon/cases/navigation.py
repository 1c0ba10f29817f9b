"""The case app's entries of the main menu: the caseload for those who read cases, the dashboard for
those who count them."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="cases",
        label=_("Cases"),
        url_name="cases:caseload",
        order=20,
        visible=lambda user: can(user, Action.CASE_VIEW),
    )
)
navigation.register(
    navigation.NavItem(
        key="cases_dashboard",
        label=_("Case dashboard"),
        url_name="cases:dashboard",
        order=21,
        visible=lambda user: can(user, Action.CASE_COUNT),
    )
)
