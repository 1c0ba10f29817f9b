"""Forms of the council page: they parse input, and the services decide (dates as dd/mm/yyyy)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import VietnameseDateField

from .models import AgeBand, MemberRole, Sex, Topic


class CouncilChooser(forms.Form):
    unit = forms.TypedChoiceField(label=_("Council"), coerce=int, required=False)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(pk), name) for pk, name in choices]  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    """A new member: a child by first name and age band only, or an adult adviser by name."""

    submission = forms.CharField(widget=forms.HiddenInput, max_length=64)
    role = forms.ChoiceField(label=_("Member"), choices=MemberRole.choices)
    name = forms.CharField(
        label=_("Name (a child: first name only)"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    age_band = forms.ChoiceField(
        label=_("Age band (children)"), choices=[("", "—"), *AgeBand.choices], required=False
    )
    from_date = VietnameseDateField(label=_("Member from"))
    to_date = VietnameseDateField(label=_("Member until"), required=False)


class EndMemberForm(forms.Form):
    to_date = VietnameseDateField(label=_("Last day as a member"))


class MeetingForm(forms.Form):
    submission = forms.CharField(widget=forms.HiddenInput, max_length=64)
    held_on = VietnameseDateField(label=_("Held on"))
    members_present = forms.IntegerField(label=_("Members present"), min_value=0, max_value=1000)
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class RecommendationForm(forms.Form):
    """A recommendation the children raised at a meeting: recorded as a child's voice linked to it."""

    submission = forms.CharField(widget=forms.HiddenInput, max_length=64)
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 3}))
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
