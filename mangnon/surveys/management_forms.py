"""The forms of the survey staff pages: they read input only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mangnon.geo.models import AdminUnit
from mangnon.orgs.codes import Boarding


class UploadForm(forms.Form):
    file = forms.FileField(label=_("XLSForm file (.xlsx, .xls, .md, .csv)"))
    title = forms.CharField(label=_("Title (default: the form's own)"), max_length=255, required=False)


class ReplaceForm(forms.Form):
    file = forms.FileField(label=_("XLSForm file (.xlsx, .xls, .md, .csv)"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}))
    sex_question = forms.ChoiceField(label=_("Question giving the sex"), required=False)
    grade_question = forms.ChoiceField(label=_("Question giving the grade"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, questions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("(none)")), *questions]
        self.fields["sex_question"].choices = options  # type: ignore[attr-defined]
        self.fields["grade_question"].choices = options  # type: ignore[attr-defined]


class AddSchoolsForm(forms.Form):
    schools = forms.MultipleChoiceField(label=_("Schools"), widget=forms.CheckboxSelectMultiple)
    grade_from = forms.IntegerField(label=_("From grade"), min_value=1, max_value=12, required=False)
    grade_to = forms.IntegerField(label=_("To grade"), min_value=1, max_value=12, required=False)
    expected = forms.IntegerField(label=_("Pupils expected (each school)"), min_value=0, required=False)

    def __init__(self, *args: Any, schools: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schools"].choices = [(str(pk), label) for pk, label in schools]  # type: ignore[attr-defined]


class SchoolFilterForm(forms.Form):
    boarding = forms.ChoiceField(
        label=_("Boarding"),
        required=False,
        choices=[
            ("", _("All schools")),
            ("any", _("Boarding or semi-boarding")),
            (Boarding.BOARDING, Boarding.BOARDING.label),
            (Boarding.SEMI_BOARDING, Boarding.SEMI_BOARDING.label),
        ],
    )


class RoundSchoolForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Counted under"), coerce=int)
    boarding = forms.ChoiceField(label=_("Boarding"), choices=Boarding.choices, required=False)
    grade_from = forms.IntegerField(label=_("From grade"), min_value=1, max_value=12, required=False)
    grade_to = forms.IntegerField(label=_("To grade"), min_value=1, max_value=12, required=False)
    expected = forms.IntegerField(label=_("Pupils expected"), min_value=0, required=False)

    def __init__(self, *args: Any, units: list[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {unit.pk: unit for unit in units}
        self.fields["unit"].choices = [(unit.pk, unit.name) for unit in units]  # type: ignore[attr-defined]

    def clean_unit(self) -> AdminUnit:
        return self.units[self.cleaned_data["unit"]]
