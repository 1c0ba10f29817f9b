"""Forms of the registry pages: they parse and check input, and the services decide.

The commune choices are the units the user may act on, handed in by the view (geography is public
reference data; the scope that limits it comes from accounts.access).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import VietnameseDateField
from mangnon.geo.models import AdminUnit

from .codes import (
    ETHNICITIES,
    ChildStatus,
    CircumstanceSource,
    RiskType,
    Sex,
    SpecialGroup,
)
from .selectors import COUNTED_SETS, SEX_UNKNOWN

MIN_BIRTH_YEAR = 1990
AGE_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(0, 19)]


def _blank(choices: Any, label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *[(str(k), v) for k, v in choices]]


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        return obj.name


class ChildFilterForm(forms.Form):
    """The filters of the child list; every field optional, bad values reported beside the field."""

    q = forms.CharField(
        label=_("Name or ID number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. nguyen van an")}),
    )
    # By code, as the export and the API take it; the choices are the communes the viewer sees today.
    commune = forms.ChoiceField(label=_("Commune"), required=False)
    group = forms.ChoiceField(label=_("Special circumstance"), required=False)
    risk = forms.ChoiceField(label=_("Risk"), required=False)
    age_min = forms.IntegerField(label=_("Age from"), required=False, min_value=0, max_value=25)
    age_max = forms.IntegerField(label=_("Age to"), required=False, min_value=0, max_value=25)
    status = forms.ChoiceField(label=_("Status"), required=False)
    # The drill-down from a figure (metrics.py): the children counted for a unit (any level, either
    # geography, by id) on a day, of one set, by sex.
    unit = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    counted_on = forms.DateField(required=False, input_formats=["%Y-%m-%d"], widget=forms.HiddenInput)
    counted = forms.ChoiceField(
        required=False, choices=_blank([(k, k) for k in COUNTED_SETS]), widget=forms.HiddenInput
    )
    sex = forms.ChoiceField(
        required=False, choices=_blank([*Sex.choices, (SEX_UNKNOWN, "")]), widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, communes: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communes = {unit.code: unit for unit in communes}
        commune_choices = [(code, unit.name) for code, unit in self.communes.items()]
        self.fields["commune"].choices = _blank(commune_choices)  # type: ignore[attr-defined]
        self.fields["group"].choices = _blank(SpecialGroup.choices)  # type: ignore[attr-defined]
        self.fields["risk"].choices = _blank(RiskType.choices)  # type: ignore[attr-defined]
        self.fields["status"].choices = _blank(ChildStatus.choices)  # type: ignore[attr-defined]

    def commune_unit(self) -> AdminUnit | None:
        """The chosen commune (call after is_valid())."""
        return self.communes.get(self.cleaned_data.get("commune") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("The upper age must not be below the lower age."))
        return data


class ChildForm(forms.Form):
    """A child's own facts, for registration and for editing."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=220,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. Nguyễn Văn An")}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Sex.choices))
    date_of_birth = VietnameseDateField(label=_("Date of birth"), required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth (when the date is not known)"), required=False, min_value=MIN_BIRTH_YEAR
    )
    birth_year_estimated = forms.BooleanField(label=_("The year is an estimate"), required=False)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=_blank(ETHNICITIES), required=False)
    id_number = forms.CharField(
        label=_("Personal ID number"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    commune = CommuneChoiceField(label=_("Commune"), queryset=AdminUnit.objects.none(), empty_label="—")
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, communes: QuerySet[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the child's full name."))
        return name


class RegistrationForm(ChildForm):
    """Registration adds the officer's decision after the duplicate check."""

    # Used by the duplicate check, then recorded as the new child's father and mother.
    father_name = forms.CharField(label=_("Father's full name"), max_length=220, required=False)
    mother_name = forms.CharField(label=_("Mother's full name"), max_length=220, required=False)
    # One key per opened form: a submit retried (double click, reload) registers the child once.
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class ChildEditForm(ChildForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CircumstanceForm(forms.Form):
    group = forms.ChoiceField(label=_("Group"), choices=_blank(SpecialGroup.choices))
    sub_group = forms.CharField(label=_("Sub-group"), max_length=100, required=False)
    start_date = VietnameseDateField(label=_("From"))
    source = forms.ChoiceField(label=_("Source"), choices=_blank(CircumstanceSource.choices), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, groups: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"].choices = _blank(groups)  # type: ignore[attr-defined]


class RiskFlagForm(forms.Form):
    risk_type = forms.ChoiceField(label=_("Risk"), choices=_blank(RiskType.choices))
    start_date = VietnameseDateField(label=_("From"))
    source = forms.ChoiceField(label=_("Source"), choices=_blank(CircumstanceSource.choices), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, risks: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if risks is not None:
            self.fields["risk_type"].choices = _blank(risks)  # type: ignore[attr-defined]


class EndForm(forms.Form):
    """The end date of a circumstance or risk flag."""

    end_date = VietnameseDateField(label=_("Until"))
