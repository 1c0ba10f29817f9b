"""Forms of the support pages: they parse and check input, and the services decide.

The communes and programmes offered are those the user may act on, handed in by the view: the current
communes and, for payments before the 2025 reform, the pre-reform communes that went into them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import PeriodForm, VietnameseDateField
from mangnon.geo.models import AdminUnit
from mangnon.orgs.models import Organisation
from mangnon.registry.codes import SpecialGroup

from .codes import CareKind, GiftOccasion, ProgrammeKind
from .models import Programme


def _blank(choices: Iterable[tuple[Any, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *[(str(k), v) for k, v in choices]]


def unit_label(unit: AdminUnit) -> str:
    if unit.valid_to is None:
        return unit.name
    return str(_("%(name)s (until %(day)s)") % {"name": unit.name, "day": unit.valid_to.strftime("%d/%m/%Y")})


class _Choices(forms.Form):
    def _set_units(self, name: str, communes: Iterable[AdminUnit]) -> None:
        self.communes = {unit.pk: unit for unit in communes}
        self.fields[name].choices = _blank((pk, unit_label(u)) for pk, u in self.communes.items())  # type: ignore[attr-defined]

    def chosen_unit(self, name: str = "commune") -> AdminUnit | None:
        pk = self.cleaned_data.get(name)
        return self.communes.get(pk) if pk is not None else None


class DisbursementFilterForm(_Choices, PeriodForm):
    """The list's filters, every one optional."""

    start = VietnameseDateField(label=_("Paid from"), required=False)
    end = VietnameseDateField(label=_("Paid until"), required=False)
    commune = forms.TypedChoiceField(label=_("Commune"), required=False, coerce=int, empty_value=None)
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    # The drill-down from a figure (metrics.py): any unit of either geography, by id.
    unit = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, communes: Iterable[AdminUnit], programmes: Iterable[Programme], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_units("commune", communes)
        codes = dict.fromkeys(p.code for p in programmes)
        self.fields["programme"].choices = _blank((c, c) for c in codes)  # type: ignore[attr-defined]


class DisbursementForm(_Choices):
    """Recording one payment to a registered child."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False)
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int)
    child = forms.IntegerField(label=_("Child's record number"), min_value=1)
    amount = forms.IntegerField(
        label=_("Amount (đồng)"), help_text=_("A whole number of đồng, e.g. 1500000."), min_value=1
    )
    paid_on = VietnameseDateField(label=_("Date paid"))
    approver = forms.CharField(
        label=_("Approved by"), max_length=300, help_text=_("The decision number and who signed it.")
    )
    commune = forms.TypedChoiceField(
        label=_("Commune where it was paid"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Leave empty for the child's commune."),
    )

    def __init__(
        self, *args: Any, communes: Iterable[AdminUnit], programmes: Iterable[Programme], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_units("commune", communes)
        self.programmes = {p.pk: p for p in programmes}
        self.fields["programme"].choices = _blank(  # type: ignore[attr-defined]
            (pk, f"{p.code} — {p.name}") for pk, p in self.programmes.items()
        )


class ProgrammeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=255)
    legal_basis = forms.CharField(
        label=_("Legal basis"), max_length=255, required=False, help_text=_("e.g. NQ 222/2015/NQ-HĐND")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(ProgrammeKind.choices))
    eligible_groups = forms.MultipleChoiceField(
        label=_("Groups supported"),
        required=False,
        choices=SpecialGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any registered child."),
    )
    active_from = VietnameseDateField(label=_("Active from"))
    active_to = VietnameseDateField(label=_("Active until"), required=False)


class FiguresForm(_Choices, PeriodForm):
    """The unit (either geography) and period of the roll-up."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, empty_value=None)
    start = VietnameseDateField(label=_("From"))
    end = VietnameseDateField(label=_("Until"))

    def __init__(self, *args: Any, units: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_units("unit", units)


class GiftCampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    occasion = forms.ChoiceField(label=_("Occasion"), choices=_blank(GiftOccasion.choices))
    held_on = VietnameseDateField(label=_("Held on"))


class GiftTallyForm(_Choices):
    """A unit's figures for a campaign: child-times, not named children."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, empty_value=None)
    children_reached = forms.IntegerField(label=_("Child-times reached"), min_value=0)
    children_visited_given_gifts = forms.IntegerField(
        label=_("Child-times visited and given gifts"), min_value=0
    )
    total_value = forms.IntegerField(label=_("Total value (đồng)"), min_value=0)

    def __init__(self, *args: Any, units: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_units("unit", units)


class GiftRecipientForm(forms.Form):
    child = forms.IntegerField(label=_("Child's record number"), min_value=1)
    value = forms.IntegerField(label=_("Value (đồng)"), min_value=0)
    visited = forms.BooleanField(label=_("Visited at home"), required=False, initial=True)


class PlacementForm(forms.Form):
    child = forms.IntegerField(label=_("Child's record number"), min_value=1)
    kind = forms.ChoiceField(label=_("Kind of care"), choices=_blank(CareKind.choices))
    facility = forms.ModelChoiceField(
        label=_("Facility"), queryset=Organisation.objects.none(), required=False, empty_label="—"
    )
    start = VietnameseDateField(label=_("From"))
    end = VietnameseDateField(label=_("Until"), required=False)

    def __init__(self, *args: Any, facilities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    reviewed_on = VietnameseDateField(label=_("Date of the review"))
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PlacementEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    end = VietnameseDateField(label=_("Placement ended on"))
