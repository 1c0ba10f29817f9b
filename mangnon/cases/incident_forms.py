"""Forms of the incident pages: they parse and check input, and the services decide.

The communes offered are those the user may act on, handed in by the view: the current communes and,
for incidents before the 2025 reform, the pre-reform communes that went into them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms import CheckboxSelectMultiple, MultipleChoiceField
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import PeriodForm, VietnameseDateField
from mangnon.geo.models import AdminUnit
from mangnon.registry.codes import Sex
from mangnon.registry.selectors import SEX_UNKNOWN

from .codes import AbuseForm, LegalStepKind, PerpetratorRelationship, Setting
from .incident_selectors import AGE_GROUPS
from .models import Perpetrator

MAX_VICTIMS = 50
SHOW_CHILDREN = "children"  # the register's list of abused children


def _blank(choices: Iterable[tuple[Any, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *[(str(k), v) for k, v in choices]]


def unit_label(unit: AdminUnit) -> str:
    if unit.valid_to is None:
        return unit.name
    return str(_("%(name)s (until %(day)s)") % {"name": unit.name, "day": unit.valid_to.strftime("%d/%m/%Y")})


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        return unit_label(obj)


class IncidentFilterForm(PeriodForm):
    """The register's filters, every one optional; a commune is chosen by its id (codes were reused
    by the reform), from the communes of either geography the viewer may see."""

    start = VietnameseDateField(label=_("Occurred from"), required=False)
    end = VietnameseDateField(label=_("Occurred until"), required=False)
    commune = forms.TypedChoiceField(label=_("Commune"), required=False, coerce=int, empty_value=None)
    form = forms.ChoiceField(label=_("Form of abuse"), required=False, choices=_blank(AbuseForm.choices))
    setting = forms.ChoiceField(label=_("Setting"), required=False, choices=_blank(Setting.choices))
    # The drill-down from a figure (metrics.py): any unit of either geography by id, and the list of
    # the abused children instead of the incidents, by one category of the children's breakdowns.
    unit = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    show = forms.ChoiceField(
        required=False, choices=[("", ""), (SHOW_CHILDREN, "")], widget=forms.HiddenInput
    )
    sex = forms.ChoiceField(
        required=False, choices=_blank([*Sex.choices, (SEX_UNKNOWN, "")]), widget=forms.HiddenInput
    )
    age_group = forms.ChoiceField(
        required=False, choices=_blank(AGE_GROUPS.items()), widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, communes: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communes = {unit.pk: unit for unit in communes}
        choices = [(pk, unit_label(unit)) for pk, unit in self.communes.items()]
        self.fields["commune"].choices = _blank(choices)  # type: ignore[attr-defined]

    def commune_unit(self) -> AdminUnit | None:
        """The chosen commune (call after is_valid())."""
        pk = self.cleaned_data.get("commune")
        return self.communes.get(pk) if pk is not None else None


class IncidentFieldsForm(forms.Form):
    """An incident's own facts, for recording and for editing."""

    occurred_on = VietnameseDateField(label=_("Date of the incident"))
    admin_unit = UnitChoiceField(
        label=_("Commune where it happened"), queryset=AdminUnit.objects.none(), empty_label="—"
    )
    setting = forms.ChoiceField(label=_("Setting"), choices=_blank(Setting.choices))
    place_text = forms.CharField(label=_("Place"), max_length=300, required=False)
    description = forms.CharField(
        label=_("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Declared last: the name would hide the `forms` module from the lines below it. Shown third.
    forms = MultipleChoiceField(
        label=_("Forms of abuse"), choices=AbuseForm.choices, widget=CheckboxSelectMultiple
    )
    field_order = ("occurred_on", "admin_unit", "forms", "setting", "place_text", "description")

    def __init__(self, *args: Any, communes: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [u.pk for u in communes]
        self.fields["admin_unit"].queryset = AdminUnit.objects.filter(pk__in=ids)  # type: ignore[attr-defined]


class IncidentRecordForm(IncidentFieldsForm):
    victims = forms.CharField(
        label=_("Children abused (record numbers)"),
        max_length=500,
        help_text=_("The record number of each child in the register, separated by commas."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    # One key per opened form: a submit retried (double click, reload) records the incident once.
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_victims(self) -> list[int]:
        parts = [p.strip().lstrip("#") for p in self.cleaned_data["victims"].replace(";", ",").split(",")]
        numbers = [p for p in parts if p]
        if not numbers or any(not p.isdigit() or len(p) > 12 for p in numbers):
            raise forms.ValidationError(_("Enter the children's record numbers, separated by commas."))
        if len(numbers) > MAX_VICTIMS:
            raise forms.ValidationError(_("At most 50 children in one incident."))
        return list(dict.fromkeys(int(p) for p in numbers))


class IncidentEditForm(IncidentFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PerpetratorForm(forms.Form):
    relationship = forms.ChoiceField(
        label=_("Relationship to the child"), choices=_blank(PerpetratorRelationship.choices)
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Sex.choices), required=False)
    age = forms.IntegerField(label=_("Age"), min_value=1, max_value=120, required=False)


# The perpetrators typed with a new incident: rows left empty are skipped.
PerpetratorFormSet = forms.formset_factory(PerpetratorForm, extra=3, max_num=20, validate_max=True)


class VictimForm(forms.Form):
    child = forms.IntegerField(label=_("Record number of the child"), min_value=1)


class LegalStepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Step"), choices=_blank(LegalStepKind.choices))
    on = VietnameseDateField(label=_("Date"))
    perpetrator = forms.TypedChoiceField(
        label=_("Perpetrator concerned"), required=False, coerce=int, empty_value=None
    )
    detail = forms.CharField(label=_("Detail (e.g. the sentence, the fine)"), max_length=500, required=False)

    def __init__(self, *args: Any, perpetrators: Iterable[Perpetrator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.perpetrators = {p.pk: p for p in perpetrators}
        choices = [(pk, perpetrator_label(p, n)) for n, (pk, p) in enumerate(self.perpetrators.items(), 1)]
        self.fields["perpetrator"].choices = _blank(choices, _("— the incident as a whole —"))  # type: ignore[attr-defined]

    def perpetrator_row(self) -> Perpetrator | None:
        pk = self.cleaned_data.get("perpetrator")
        return self.perpetrators.get(pk) if pk is not None else None


def perpetrator_label(p: Perpetrator, n: int) -> str:
    """How pages and forms name a perpetrator of an incident ("Perpetrator 2: Parent, Male, 38 years old")."""
    facts = [str(p.get_relationship_display())]
    if p.sex:
        facts.append(str(p.get_sex_display()))
    if p.age is not None:
        facts.append(str(_("%(age)s years old") % {"age": p.age}))
    return str(_("Perpetrator %(n)s: %(facts)s") % {"n": n, "facts": ", ".join(facts)})
