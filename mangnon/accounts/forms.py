from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's form with our own wording, so the Vietnamese message is ours to keep right."""

    error_messages = {
        "invalid_login": _(
            "Please enter a correct username and password. Both fields may be case-sensitive."
        ),
        "inactive": _("This account is inactive."),
    }
