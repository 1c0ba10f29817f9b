"""The next-step form of a voice: the fields each transition asks for, and the version read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mangnon.geo.models import AdminUnit

from .models import AgeBand, Sex, Topic, VoiceStatus
from .rollups import STEP_DATES


class StepForm(forms.Form):
    to = forms.ChoiceField(choices=VoiceStatus.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    forwarded_to = forms.CharField(label=_("Forwarded to"), max_length=300, required=False)
    forwarded_on = forms.DateField(
        label=_("Forwarded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_on = forms.DateField(
        label=_("Answer due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    answered_on = forms.DateField(
        label=_("Answered on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    resolved_on = forms.DateField(
        label=_("Resolved on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    FIELDS: dict[str, tuple[str, ...]] = {
        VoiceStatus.FORWARDED: ("forwarded_to", "forwarded_on", "due_on"),
        VoiceStatus.ANSWERED: ("answer", "answered_on"),
        VoiceStatus.RESOLVED: ("resolved_on",),
    }

    def __init__(self, *args: Any, step: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {"to", "version", *self.FIELDS.get(step, ())}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]


class VoiceForm(forms.Form):
    """A child's voice as an officer enters it: no name, ever."""

    submission = forms.CharField(widget=forms.HiddenInput, max_length=64)
    text = forms.CharField(label=_("What the child said"), widget=forms.Textarea(attrs={"rows": 4}))
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    admin_unit = forms.ModelChoiceField(label=_("Unit"), queryset=AdminUnit.objects.none(), empty_label="—")
    raised_on = forms.DateField(label=_("Raised on"), widget=forms.DateInput(attrs={"type": "date"}))
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)

    def __init__(self, *args: Any, units: list[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["admin_unit"]
        field.queryset = AdminUnit.objects.filter(pk__in=[u.pk for u in units])  # type: ignore[attr-defined]
        field.choices = [("", "—"), *[(u.pk, u.name) for u in units]]  # type: ignore[attr-defined]


class CountedVoicesForm(forms.Form):
    """The drill-down from a voices figure (metrics.py): the voices of a unit (either geography, by id)
    that reached a step in a period, optionally of one topic."""

    unit = forms.IntegerField(label=_("Unit"), min_value=1)
    step = forms.ChoiceField(label=_("Step"), choices=[(s, s) for s in STEP_DATES])
    start = forms.DateField(label=_("From"), input_formats=["%Y-%m-%d"])
    end = forms.DateField(label=_("To"), input_formats=["%Y-%m-%d"])
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=[("", ""), *Topic.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data
