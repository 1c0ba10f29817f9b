"""The date switch of the geography pages."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _


class DateSwitchForm(forms.Form):
    # The browser's date field sends ISO dates; people who type accept dd/mm/yyyy.
    on = forms.DateField(
        label=_("Date"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def day(self, default: date) -> date:
        """The chosen day; `default` when none was given. Call after is_valid()."""
        return self.cleaned_data.get("on") or default
