"""The date switch of the geography pages."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import VietnameseDateField


class DateSwitchForm(forms.Form):
    on = VietnameseDateField(label=_("Date"), required=False)

    def day(self, default: date) -> date:
        """The chosen day; `default` when none was given. Call after is_valid()."""
        return self.cleaned_data.get("on") or default
