"""Forms of the club and care-model pages: they parse and check input, and the services decide.

The units offered are those the user may act on (handed in by the view, current ones first); the
schools and organisations offered are those of the directory in the same provinces.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import VietnameseDateField
from mangnon.geo.models import AdminUnit
from mangnon.orgs.models import Organisation

from .codes import CareModelKind, ClubKind, MemberRole, TallySex
from .forms import UnitChoiceField, UnitPeriodForm, _blank, unit_label


class _PeriodForm(UnitPeriodForm):
    """Unit (either geography), kind and period: what is active on at least one day of it."""

    kind_choices: Any = ()
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    start = VietnameseDateField(label=_("Active from"), required=False)
    end = VietnameseDateField(label=_("Active until"), required=False)

    def __init__(self, *args: Any, units: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, units=units, **kwargs)
        self.fields["kind"].choices = _blank(self.kind_choices)  # type: ignore[attr-defined]


class ClubFilterForm(_PeriodForm):
    kind_choices = ClubKind.choices


class CareModelFilterForm(_PeriodForm):
    kind_choices = CareModelKind.choices


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class _UnitForm(forms.Form):
    submission = forms.CharField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def _offer(self, units: Iterable[AdminUnit], orgs: Iterable[Organisation], org_field: str) -> None:
        units = list(units)
        field = self.fields["admin_unit"]
        field.queryset = AdminUnit.objects.filter(pk__in=[u.pk for u in units])  # type: ignore[attr-defined]
        field.choices = [("", "—"), *[(u.pk, unit_label(u)) for u in units]]  # type: ignore[attr-defined]
        orgs = list(orgs)
        org = self.fields[org_field]
        org.queryset = Organisation.objects.filter(pk__in=[o.pk for o in orgs])  # type: ignore[attr-defined]
        org.choices = [("", "—"), *[(o.pk, o.name) for o in orgs]]  # type: ignore[attr-defined]


class ClubForm(_UnitForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(ClubKind.choices))
    name = forms.CharField(label=_("Name"), max_length=300)
    admin_unit = UnitChoiceField(label=_("Unit"), queryset=AdminUnit.objects.none(), empty_label="—")
    school = OrgChoiceField(
        label=_("School"), queryset=Organisation.objects.none(), required=False, empty_label="—"
    )
    founded_on = VietnameseDateField(label=_("Founded on"))
    closed_on = VietnameseDateField(label=_("Closed on"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, units: Iterable[AdminUnit], schools: Iterable[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._offer(units, schools, "school")

    def fields_for_service(self) -> dict[str, Any]:
        names = ("kind", "name", "admin_unit", "school", "founded_on", "closed_on", "note")
        return {n: self.cleaned_data.get(n) for n in names}


class CareModelForm(_UnitForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(CareModelKind.choices))
    name = forms.CharField(label=_("Name"), max_length=300)
    admin_unit = UnitChoiceField(label=_("Unit"), queryset=AdminUnit.objects.none(), empty_label="—")
    organisation = OrgChoiceField(
        label=_("Run by"), queryset=Organisation.objects.none(), required=False, empty_label="—"
    )
    start_date = VietnameseDateField(label=_("Start date"))
    end_date = VietnameseDateField(label=_("End date"), required=False)
    children_served = forms.IntegerField(label=_("Children served"), min_value=0, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, units: Iterable[AdminUnit], organisations: Iterable[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._offer(units, organisations, "organisation")

    def fields_for_service(self) -> dict[str, Any]:
        names = (
            "kind", "name", "admin_unit", "organisation", "start_date", "end_date", "children_served",
            "description",
        )  # fmt: skip
        return {n: self.cleaned_data.get(n) for n in names}


class MemberForm(forms.Form):
    """A member joins: a registered person's record number, or a light entry."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False)
    person = forms.IntegerField(label=_("Record number of a registered person"), min_value=1, required=False)
    name = forms.CharField(label=_("Name"), max_length=220, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(TallySex.choices), required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.CHILD)
    joined_on = VietnameseDateField(label=_("Joined on"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") is None and not (data.get("name") or "").strip():
            self.add_error("name", _("Enter a name or choose a registered person."))
        return data


class EndForm(forms.Form):
    """The date a member left, a club closed or a care model ended."""

    on = VietnameseDateField(label=_("Date"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
