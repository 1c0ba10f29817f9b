"""The date switch of the geography pages."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _


class DateSwitchForm(forms.Form):
    # A text field in dd/mm/yyyy: the browser's own date picker follows the browser's locale
    # (mm/dd/yyyy on an English browser), which misleads Vietnamese users. Links use ISO dates.
    on = forms.DateField(
        label=_("Date"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
            format="%d/%m/%Y",
        ),
    )

    def day(self, default: date) -> date:
        """The chosen day; `default` when none was given. Call after is_valid()."""
        return self.cleaned_data.get("on") or default
