"""Forms of the registry's action pages: move, merge, consent, caregivers, households.

They parse and check input; the services decide. Choices that depend on the viewer or the record
(communes, caregivers, the people who may join a household) are handed in by the view.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import VietnameseDateField
from mangnon.geo.models import AdminUnit

from .codes import ConsentPurpose, HouseholdPoverty, Relationship, Sex
from .models import Caregiver, Person


def _blank(choices: Iterable[tuple[Any, Any]]) -> list[tuple[str, Any]]:
    return [("", "—"), *[(str(k), v) for k, v in choices]]


def _carer_label(caregiver: Caregiver) -> str:
    return f"{caregiver.person.full_name} — {caregiver.get_relationship_display()}"


class MoveForm(forms.Form):
    commune = forms.ChoiceField(label=_("New commune"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, communes: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communes = {str(unit.pk): unit for unit in communes}
        choices = [(pk, unit.name) for pk, unit in self.communes.items()]
        self.fields["commune"].choices = _blank(choices)  # type: ignore[attr-defined]

    def chosen_commune(self) -> AdminUnit:
        """The commune chosen (call after is_valid(): it is one of the choices)."""
        return self.communes[self.cleaned_data["commune"]]


class MergeLookupForm(forms.Form):
    """The other record, by its number (the profile's address shows it: /children/<number>/)."""

    other = forms.IntegerField(label=_("Number of the other record"), min_value=1)


class MergeForm(MergeLookupForm):
    """The officer's confirmation: which of the two records stays."""

    keep = forms.IntegerField(label=_("Record that stays"), min_value=1)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=_blank(ConsentPurpose.choices))
    given_on = VietnameseDateField(label=_("Given on"), initial=timezone.localdate)
    given_by = forms.ChoiceField(label=_("Given by (a caregiver of the child)"), required=False)
    other_name = forms.CharField(
        label=_("Or another parent or guardian (full name)"), max_length=220, required=False
    )
    other_relationship = forms.ChoiceField(
        label=_("Their relationship to the child"), choices=_blank(Relationship.choices), required=False
    )
    given_by_child = forms.BooleanField(
        label=_("The child agreed too (required from 7 years of age)"), required=False
    )

    def __init__(self, *args: Any, caregivers: Iterable[Caregiver], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        caregivers = list(caregivers)
        self.carers = {str(c.person_id): c.person for c in caregivers}
        labels = {str(c.person_id): _carer_label(c) for c in caregivers}
        self.fields["given_by"].choices = _blank(labels.items())  # type: ignore[attr-defined]

    def clean_other_name(self) -> str:
        return " ".join(self.cleaned_data["other_name"].split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("given_by") and data.get("other_name"):
            self.add_error("other_name", _("Choose a listed caregiver or type a name, not both."))
        elif data.get("other_name") and not data.get("other_relationship"):
            self.add_error("other_relationship", _("Choose their relationship to the child."))
        return data

    def chosen_carer(self) -> Person | None:
        """The caregiver chosen in the list (call after is_valid())."""
        return self.carers.get(self.cleaned_data.get("given_by") or "")


class WithdrawForm(forms.Form):
    withdrawn_on = VietnameseDateField(label=_("Withdrawn on"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class CaregiverForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=220)
    relationship = forms.ChoiceField(
        label=_("Relationship to the child"), choices=_blank(Relationship.choices)
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Sex.choices), required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    is_primary = forms.BooleanField(label=_("Primary caregiver"), required=False)
    lives_with_child = forms.BooleanField(label=_("Lives with the child"), required=False, initial=True)

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the carer's full name."))
        return name


class HouseholdCreateForm(forms.Form):
    code = forms.CharField(label=_("Household number"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    head = forms.ChoiceField(label=_("Head of household"), required=False)

    def __init__(self, *args: Any, caregivers: Iterable[Caregiver], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        caregivers = list(caregivers)
        self.carers = {str(c.person_id): c.person for c in caregivers}
        labels = {str(c.person_id): _carer_label(c) for c in caregivers}
        self.fields["head"].choices = _blank(labels.items())  # type: ignore[attr-defined]

    def chosen_head(self) -> Person | None:
        return self.carers.get(self.cleaned_data.get("head") or "")


class HouseholdMemberForm(forms.Form):
    """A person to add: one of the household's children's caregivers, or a registered child by number."""

    person = forms.ChoiceField(label=_("A caregiver of the household's children"), required=False)
    child = forms.IntegerField(label=_("Or a registered child (record number)"), required=False, min_value=1)
    relationship_to_head = forms.ChoiceField(
        label=_("Relationship to the head"), choices=_blank(Relationship.choices), required=False
    )

    def __init__(self, *args: Any, people: Iterable[tuple[Person, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = list(people)
        self.people = {str(person.pk): person for person, _label in people}
        labels = [(str(person.pk), label) for person, label in people]
        self.fields["person"].choices = _blank(labels)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen, number = data.get("person"), data.get("child")
        if chosen and number:
            self.add_error("child", _("Choose a caregiver or enter a record number, not both."))
        elif not chosen and not number and not self.errors:
            self.add_error(None, _("Choose a caregiver or enter the record number of a child."))
        return data

    def chosen_person(self) -> Person | None:
        return self.people.get(self.cleaned_data.get("person") or "")


class HouseholdStatusForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), initial=lambda: timezone.localdate().year)
    status = forms.ChoiceField(label=_("Status"), choices=_blank(HouseholdPoverty.choices))
