"""The children's voices entry of the main menu, for the roles that read them."""

from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import navigation

navigation.register(
    navigation.NavItem(
        key="participation",
        label=_("Children's voices"),
        url_name="participation:board",
        order=37,
        visible=lambda user: can(user, Action.VOICE_VIEW),
    )
)
