"""The referrals' entry of the main menu: for those who read cases (received and sent referrals) and
those who take contacts (the contacts they passed on)."""

from django.utils.translation import gettext_lazy as _

from mangnon.core import navigation

from .referral_access import may_use_referrals

navigation.register(
    navigation.NavItem(
        key="referrals",
        label=_("Referrals"),
        url_name="referrals:list",
        order=22,
        visible=may_use_referrals,
    )
)
