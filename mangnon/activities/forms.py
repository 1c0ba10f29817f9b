"""Forms of the activity pages: they parse and check input, and the services decide.

The units offered are those the user may act on, handed in by the view: current ones first, then the
pre-reform ones (for activities before the 2025 reform). The tally grid is one whole-number input per
group and sex (age band not recorded), in reading order so Tab walks it row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import PeriodForm, VietnameseDateField
from mangnon.geo.models import AdminUnit

from .codes import ActivityKind, FundingSource, Group, MaterialKind, TallySex
from .models import Club

GRID_SEXES = (TallySex.FEMALE, TallySex.MALE, TallySex.UNKNOWN)
ROSTER_ROWS = 5


def unit_label(unit: AdminUnit) -> str:
    """A unit's name; a pre-reform one says until when it existed."""
    if unit.valid_to is None:
        return unit.name
    return str(_("%(name)s (until %(day)s)") % {"name": unit.name, "day": unit.valid_to.strftime("%d/%m/%Y")})


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        return unit_label(obj)


def _blank(choices: Iterable[tuple[Any, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *[(str(k), v) for k, v in choices]]


def cell_name(group: str, sex: str) -> str:
    return f"t_{group}_{sex}"


class UnitPeriodForm(PeriodForm):
    """A unit (either geography, chosen by its id in the subclass's `unit` field: blank allowed unless
    `blank_unit` is False) and a period."""

    blank_unit = True

    def __init__(self, *args: Any, units: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        choices = [(pk, unit_label(u)) for pk, u in self.units.items()]
        self.fields["unit"].choices = _blank(choices) if self.blank_unit else choices  # type: ignore[attr-defined]

    def chosen_unit(self) -> AdminUnit | None:
        pk = self.cleaned_data.get("unit")
        return self.units.get(pk) if pk is not None else None


class ActivityFilterForm(UnitPeriodForm):
    start = VietnameseDateField(label=_("Started from"), required=False)
    end = VietnameseDateField(label=_("Started until"), required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(ActivityKind.choices))


class RollupForm(UnitPeriodForm):
    """The roll-up page's unit (either geography) and period; the default is this year so far."""

    blank_unit = False
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    start = VietnameseDateField(label=_("From"))
    end = VietnameseDateField(label=_("To"))


class ActivityForm(forms.Form):
    """The fast entry form: the activity's facts, its tally grid and up to three materials. The edit page
    uses it without materials, and without the grid when the activity's tallies have age bands (the grid
    has none, and saving it would lose them)."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(ActivityKind.choices))
    title = forms.CharField(label=_("Title"), max_length=300)
    admin_unit = UnitChoiceField(label=_("Unit"), queryset=AdminUnit.objects.none(), empty_label="—")
    club = forms.TypedChoiceField(
        label=_("Club (for a club meeting)"), required=False, coerce=int, empty_value=None
    )
    start_date = VietnameseDateField(label=_("Start date"))
    end_date = VietnameseDateField(label=_("End date"), required=False)
    organiser_text = forms.CharField(label=_("Organiser"), max_length=300, required=False)
    theme = forms.CharField(label=_("Theme"), max_length=500, required=False)
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"), choices=Group.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    funding_source = forms.ChoiceField(
        label=_("Funding source"), choices=_blank(FundingSource.choices), required=False
    )
    cost = forms.IntegerField(label=_("Cost (đồng)"), min_value=0, required=False)

    def __init__(
        self,
        *args: Any,
        units: Iterable[AdminUnit],
        with_grid: bool = True,
        with_materials: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.with_grid, self.with_materials = with_grid, with_materials
        units = list(units)
        field = self.fields["admin_unit"]
        field.queryset = AdminUnit.objects.filter(pk__in=[u.pk for u in units])  # type: ignore[attr-defined]
        # The view's order (current units first), not the queryset's.
        field.choices = [("", "—"), *[(u.pk, unit_label(u)) for u in units]]  # type: ignore[attr-defined]
        # A club meeting names its club: one of the clubs at the units offered.
        clubs = list(
            Club.objects.filter(admin_unit_id__in=[u.pk for u in units])
            .select_related("admin_unit")
            .order_by("name", "pk")
        )
        self.fields["club"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(c.pk, f"{c.name} ({c.admin_unit.name})") for c in clubs],
        ]
        chosen = next((c for c in clubs if str(c.pk) == str(self.initial.get("club"))), None)
        if not self.is_bound and chosen is not None and not self.initial.get("admin_unit"):
            self.initial["admin_unit"] = chosen.admin_unit_id
        for group in Group.values if with_grid else ():
            for sex in GRID_SEXES:
                self.fields[cell_name(group, sex)] = forms.IntegerField(
                    min_value=0,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "class": "tally"}),
                )
        for n in range(1, ROSTER_ROWS + 1) if with_materials else ():
            self.fields[f"r{n}_person"] = forms.IntegerField(
                label=_("Record number of a registered person"), min_value=1, required=False
            )
            self.fields[f"r{n}_name"] = forms.CharField(label=_("Name"), max_length=220, required=False)
            self.fields[f"r{n}_sex"] = forms.ChoiceField(
                label=_("Sex"), choices=_blank(TallySex.choices), required=False
            )
            self.fields[f"r{n}_birth_year"] = forms.IntegerField(label=_("Year of birth"), required=False)
            self.fields[f"r{n}_group"] = forms.ChoiceField(
                label=_("Group"), choices=_blank(Group.choices), required=False
            )
        for n in range(1, 4) if with_materials else ():
            self.fields[f"m{n}_title"] = forms.CharField(
                label=_("Material title"), max_length=300, required=False
            )
            self.fields[f"m{n}_kind"] = forms.ChoiceField(
                label=_("Kind of material"), choices=_blank(MaterialKind.choices), required=False
            )
            self.fields[f"m{n}_quantity"] = forms.IntegerField(
                label=_("Quantity"), min_value=0, required=False
            )

    def fact_fields(self) -> list[forms.BoundField]:
        names = ("kind", "club", "title", "admin_unit", "start_date", "end_date", "organiser_text", "theme")
        return [self[n] for n in names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        meeting = data.get("kind") == ActivityKind.CLUB_MEETING
        if meeting and data.get("club") is None:
            self.add_error("club", _("Choose the club that met."))
        elif not meeting and data.get("club") is not None:
            self.add_error("club", _("Only a club meeting names a club."))
        return data

    def grid(self) -> list[dict[str, Any]]:
        if not self.with_grid:
            return []
        return [
            {"code": code, "label": label, "cells": [self[cell_name(code, s)] for s in GRID_SEXES]}
            for code, label in Group.choices
        ]

    def material_rows(self) -> list[list[forms.BoundField]]:
        if not self.with_materials:
            return []
        return [[self[f"m{n}_title"], self[f"m{n}_kind"], self[f"m{n}_quantity"]] for n in range(1, 4)]

    def tallies(self) -> list[dict[str, Any]] | None:
        """The grid's non-empty cells (None when the form has no grid)."""
        if not self.with_grid:
            return None
        data = self.cleaned_data
        return [
            {"group": g, "sex": s, "age_band": "unknown", "count": data[cell_name(g, s)]}
            for g in Group.values
            for s in GRID_SEXES
            if data.get(cell_name(g, s))
        ]

    def roster_rows(self) -> list[list[forms.BoundField]]:
        if not self.with_materials:
            return []
        names = ("person", "name", "sex", "birth_year", "group")
        return [[self[f"r{n}_{k}"] for k in names] for n in range(1, ROSTER_ROWS + 1)]

    def attendees(self) -> list[dict[str, Any]]:
        """The roster lines filled in (a person's record number, or a name)."""
        if not self.with_materials:
            return []
        data = self.cleaned_data
        out = []
        for n in range(1, ROSTER_ROWS + 1):
            row = {k: data.get(f"r{n}_{k}") for k in ("person", "name", "sex", "birth_year", "group")}
            if row["person"] is not None or row["name"]:
                out.append(row)
        return out

    def materials(self) -> list[dict[str, Any]]:
        if not self.with_materials:
            return []
        data = self.cleaned_data
        return [
            {"title": data[f"m{n}_title"], "kind": data[f"m{n}_kind"], "quantity": data[f"m{n}_quantity"]}
            for n in range(1, 4)
            if data.get(f"m{n}_title") or data.get(f"m{n}_kind") or data.get(f"m{n}_quantity") is not None
        ]

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = (
            "kind", "title", "admin_unit", "club", "start_date", "end_date", "organiser_text", "theme",
            "target_groups", "funding_source", "cost",
        )  # fmt: skip
        return {n: data.get(n) for n in names}


def grid_initial(tallies: Iterable[Any]) -> dict[str, int] | None:
    """The grid's initial values from an activity's tallies; None when one has an age band (or a sex the
    grid does not show), so the grid cannot hold them."""
    out: dict[str, int] = {}
    for t in tallies:
        if t.age_band != "unknown" or t.sex not in GRID_SEXES:
            return None
        out[cell_name(t.group, t.sex)] = t.count
    return out
