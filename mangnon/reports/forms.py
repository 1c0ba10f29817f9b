"""Forms of the periodic reports' pages: they parse and check what was typed; the services decide.

The units offered are handed in by the view (those in the user's scope); a period is typed as the
people who write these reports think of it (a year and a half, a year, a first and a last year) and
turned here into the dates the services take.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import VietnameseDateField
from mangnon.geo.models import AdminUnit

from .models import ReportKind, ReportStatus

FIRST_YEAR = 2000
HALVES = (("1", _("First half (January to June)")), ("2", _("Second half (July to December)")))


def unit_label(unit: AdminUnit) -> str:
    """A unit's name, with the day it ended for a unit before the 2025 reform."""
    if unit.valid_to is None:
        return unit.name
    return str(_("%(name)s (until %(day)s)") % {"name": unit.name, "day": unit.valid_to.strftime("%d/%m/%Y")})


def _blank(choices: Iterable[tuple[Any, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *[(str(k), v) for k, v in choices]]


def _year_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=FIRST_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ReportFilterForm(forms.Form):
    """The list's filters, every one optional."""

    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(ReportStatus.choices))

    def __init__(self, *args: Any, units: Iterable[AdminUnit], years: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _blank((u.pk, u.name) for u in units)  # type: ignore[attr-defined]
        self.fields["year"].choices = _blank((y, y) for y in years)  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = ""


class ReportCreateForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind of report"), choices=ReportKind.choices)
    year = _year_field(_("Year"))
    half = forms.ChoiceField(label=_("Half of the year"), required=False, choices=_blank(HALVES))
    first_year = _year_field(_("First year"))
    last_year = _year_field(_("Last year"))
    publish = forms.BooleanField(
        label=_("For publication (small counts of children are hidden)"), required=False
    )
    title = forms.CharField(
        label=_("Title (optional)"),
        required=False,
        max_length=300,
        help_text=_("Left empty, the title is written from the unit and the period."),
    )

    def __init__(self, *args: Any, units: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        last = timezone.localdate().year + 1
        for name in ("year", "first_year", "last_year"):
            field = self.fields[name]
            field.max_value = last  # type: ignore[attr-defined]
            field.validators.append(MaxValueValidator(last))
            field.widget.attrs["max"] = last
        self.fields["unit"].choices = [(u.pk, unit_label(u)) for u in self.units.values()]  # type: ignore[attr-defined]
        if len(self.units) == 1:
            self.fields["unit"].initial = next(iter(self.units))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        required = _("This field is required.")
        if kind in (ReportKind.HALF_YEAR, ReportKind.ANNUAL):
            year = data.get("year")
            if year is None:
                if "year" not in self.errors:
                    self.add_error("year", required)
                return data
            if kind == ReportKind.ANNUAL:
                data["period_start"], data["period_end"] = date(year, 1, 1), date(year, 12, 31)
            elif data.get("half") == "1":
                data["period_start"], data["period_end"] = date(year, 1, 1), date(year, 6, 30)
            elif data.get("half") == "2":
                data["period_start"], data["period_end"] = date(year, 7, 1), date(year, 12, 31)
            else:
                self.add_error("half", _("Choose the first or the second half of the year."))
        elif kind == ReportKind.PHASE:
            first, last = data.get("first_year"), data.get("last_year")
            for name, value in (("first_year", first), ("last_year", last)):
                if value is None and name not in self.errors:
                    self.add_error(name, required)
            if first is not None and last is not None:
                if last <= first:
                    self.add_error("last_year", _("The last year must come after the first year."))
                else:
                    data["period_start"], data["period_end"] = date(first, 1, 1), date(last, 12, 31)
        return data

    def chosen_unit(self) -> AdminUnit:
        return self.units[self.cleaned_data["unit"]]


class SectionForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the section"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReportDetailsForm(forms.Form):
    """The details a report is issued with (the document's header and closing)."""

    title = forms.CharField(label=_("Title of the report"), max_length=300)
    number = forms.CharField(
        label=_("Number and symbol"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "125/BC-UBND"}),
    )
    place = forms.CharField(label=_("Place of the date line"), required=False, max_length=100)
    issued_on = VietnameseDateField(label=_("Dated"), required=False)
    signer_title = forms.CharField(
        label=_("Signer's title"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"}),
    )
    signer_name = forms.CharField(label=_("Signer's name"), required=False, max_length=100)
    recipients = forms.CharField(
        label=_("Recipients (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    FIELDS = ("title", "number", "place", "issued_on", "signer_title", "signer_name", "recipients")

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}
