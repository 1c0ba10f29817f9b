"""Forms of the entered-data pages: choosing a data set, period and unit; typing a report's figures;
the reason for returning or unlocking a report. The rules live in entry_services; a form only turns
what was typed into numbers (a figure may be typed with thousands separators: 1.234 or 1 234)."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .entered import DATA_SETS, DataSet, Kind

_GROUPED = re.compile(r"^\d{1,3}(?:([.,  ])\d{3})(?:\1\d{3})*$")


def parse_figure(text: str | None) -> int | None:
    """A typed figure as a whole number; None when blank; ValidationError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    if _GROUPED.match(text):
        text = re.sub(r"[.,  ]", "", text)
    if not text.isdigit():
        raise ValidationError(_("Enter a whole number, 0 or more."), code="figure")
    return int(text)


class FigureField(forms.CharField):
    def to_python(self, value: Any) -> Any:
        return parse_figure(super().to_python(value))


class ChooserForm(forms.Form):
    data_set = forms.ChoiceField(label=gettext_lazy("Data set"))
    period = forms.CharField(label=gettext_lazy("Year"), max_length=16)
    unit = forms.ChoiceField(label=gettext_lazy("Area"))

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["data_set"]).choices = [(d.code, d.name) for d in DATA_SETS]
        cast(forms.ChoiceField, self.fields["unit"]).choices = units


class EntryForm(forms.Form):
    """One field per element of the data set, named by the element's code, and the report's version."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, data_set: DataSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.data_set = data_set
        for element in data_set.elements:
            field: forms.Field
            if element.kind is Kind.YES_NO:
                field = FigureField(
                    label=element.name,
                    required=False,
                    widget=forms.Select(choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))]),
                )
            else:
                field = FigureField(
                    label=element.name,
                    required=False,
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                )
            self.fields[element.code] = field

    def values(self) -> dict[str, int | None]:
        return {e.code: self.cleaned_data.get(e.code) for e in self.data_set.elements}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,  # the service refuses an empty reason, with its own message
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
