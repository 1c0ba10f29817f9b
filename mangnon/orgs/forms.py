"""Forms of the directory pages: they parse input, and the services decide.

The unit choices are handed in by the view: the communes of the viewer's provinces for the list's
filter, the units where the user keeps the directory (ORG_MANAGE) for the create and edit forms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mangnon.geo.models import AdminUnit

from .codes import Boarding, OrgKind, SchoolLevel, ServiceType


def _blank(choices: Iterable[tuple[Any, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *[(str(k), v) for k, v in choices if k != ""]]


class DirectoryFilterForm(forms.Form):
    """The filters of the directory list; every field optional."""

    q = forms.CharField(
        label=_("Name or code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. thcs ha khanh")}),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(OrgKind.choices))
    # By code, as the API takes it; the choices are the communes of the viewer's provinces today.
    commune = forms.ChoiceField(label=_("Commune"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False, choices=_blank(ServiceType.choices))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Active organisations")),
            ("inactive", _("Inactive organisations")),
            ("all", _("Active and inactive")),
        ],
    )

    def __init__(self, *args: Any, communes: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communes = {unit.code: unit for unit in communes}
        choices = [(code, unit.name) for code, unit in self.communes.items()]
        self.fields["commune"].choices = _blank(choices)  # type: ignore[attr-defined]

    def commune_unit(self) -> AdminUnit | None:
        """The chosen commune (call after is_valid())."""
        return self.communes.get(self.cleaned_data.get("commune") or "")

    def active(self) -> bool | None:
        """The `active` filter of the selector: True (the default), False, or None for both."""
        return {"": True, "inactive": False}.get(self.cleaned_data.get("status") or "")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        return obj.name


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    short_name = forms.CharField(label=_("Short name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(OrgKind.choices))
    admin_unit = UnitChoiceField(
        label=_("Province or commune"), queryset=AdminUnit.objects.none(), empty_label="—"
    )
    code = forms.CharField(label=_("Official code"), max_length=50, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    services = forms.MultipleChoiceField(
        label=_("Services offered"),
        required=False,
        choices=ServiceType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    school_level = forms.ChoiceField(
        label=_("School level"), required=False, choices=_blank(SchoolLevel.choices)
    )
    boarding = forms.ChoiceField(label=_("Boarding"), required=False, choices=Boarding.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["admin_unit"]
        field.queryset = AdminUnit.objects.filter(pk__in=[u.pk for u in units])  # type: ignore[attr-defined]
        # In the order handed in (the province first, then its communes in Vietnamese order).
        field.choices = [("", "—"), *[(u.pk, u.name) for u in units]]  # type: ignore[attr-defined]


class CreateForm(OrganisationForm):
    # One key per opened form: a submit retried (double click, reload) adds the organisation once.
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class EditForm(OrganisationForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    """Deactivate and reactivate: the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput)
