"""The surveys' entry of the main menu, for the roles that read survey results."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="surveys",
        label=_("Surveys"),
        url_name="surveys:round_list",
        order=47,
        visible=lambda user: can(user, Action.SURVEY_VIEW),
    )
)
