"""Forms of the case pages that are not Decree 56 forms (those are in step_forms): the choices around
opening a case, a step's version and reason, the list filters and the assignment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.models import User
from mangnon.geo.models import AdminUnit

from .workflow import Rating, Status


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        return obj.name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class OpenForm(forms.Form):
    """Opening a case: where, for which child of the contact, and the officer's answer to the duplicate
    check when a child named only on the contact is registered."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    commune = UnitChoiceField(
        label=_("Commune handling the case"), queryset=AdminUnit.objects.none(), empty_label="—"
    )
    contact_child = forms.TypedChoiceField(label=_("Child"), coerce=int, required=False)
    decision = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(
        self, *args: Any, communes: Any, children: Iterable[tuple[int, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        choices = list(children)
        if len(choices) > 1:
            self.fields["contact_child"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
            self.fields["contact_child"].required = True
        else:
            del self.fields["contact_child"]


class StepMetaForm(forms.Form):
    """What every step carries besides its Decree 56 form: the version read, and a reason where needed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


STATUS_FILTERS = [("", "—"), ("open", _("All open cases")), *Status.choices]
UNRATED = "unrated"  # the filter's word for cases whose risk is not yet rated (stored as "")
RISK_FILTERS = [("", "—"), *Rating.choices, (UNRATED, _("Not yet rated"))]


def risk_filter(value: str) -> str | None:
    """A risk filter's value as cases_for takes it: a Rating, "" for unrated, None for any."""
    if not value:
        return None
    return "" if value == UNRATED else value


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTERS, required=False)
    commune = forms.ChoiceField(label=_("Commune"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_soon = forms.BooleanField(label=_("Due within 24 hours"), required=False)
    mine = forms.BooleanField(label=_("My cases only"), required=False)
    risk = forms.ChoiceField(label=_("Risk"), choices=RISK_FILTERS, required=False)

    def __init__(self, *args: Any, communes: Iterable[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communes = {unit.code: unit for unit in communes}
        self.fields["commune"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(code, unit.name) for code, unit in self.communes.items()],
        ]


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    caseworker = UserChoiceField(label=_("Caseworker"), queryset=User.objects.none(), empty_label="—")

    def __init__(self, *args: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = workers  # type: ignore[attr-defined]
