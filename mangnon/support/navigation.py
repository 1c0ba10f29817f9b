"""Support's entry of the main menu, for the roles that read support (it names children and amounts)."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="support",
        label=_("Support"),
        url_name="support:list",
        order=35,
        visible=lambda user: can(user, Action.SUPPORT_VIEW),
    )
)

# Leadership and chairs read the figures (no names) but never the payments: they get the figures page.
navigation.register(
    navigation.NavItem(
        key="support_figures",
        label=_("Support figures"),
        url_name="support:figures",
        order=35,
        visible=lambda user: can(user, Action.CHILD_COUNT) and not can(user, Action.SUPPORT_VIEW),
    )
)
