"""Forms of the target pages: they parse input, and the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TargetKind
from .periods import FIRST_YEAR, LAST_YEAR


class TargetChooser(forms.Form):
    """The unit and year whose targets are shown."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(pk), name) for pk, name in choices]  # type: ignore[attr-defined]


class TargetForm(forms.Form):
    """A target to set or revise: the value is checked against the indicator's measure by the service."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    kind = forms.ChoiceField(label=_("Kind of target"), choices=TargetKind.choices)
    value = forms.CharField(
        label=_("Target value"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    source_document = forms.CharField(
        label=_("Plan or decision"),
        required=False,
        max_length=300,
        help_text=_("The plan or decision that sets this target, e.g. Kế hoạch số 45/KH-UBND."),
    )
    reason = forms.CharField(
        label=_("Reason for the revision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
