"""Forms of the intake pages: they parse and shape input, and the services decide.

The intake form is built for speed: one `contact_type` choice holds "data contact" and the non-data types,
so a silent call is logged by choosing its type and saving. Choices of places come from the view (the
communes the user takes contacts in; any commune of their provinces to refer to).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import VietnameseDateField
from mangnon.geo.models import AdminUnit
from mangnon.registry.codes import Sex
from mangnon.registry.forms import CommuneChoiceField

from . import taxonomy
from .codes import CallerRelationship, Channel, ContactKind, NonDataType, Outcome, Urgency
from .models import Line
from .services import ChildEntry

DATA = "data"  # the `contact_type` of a data contact; the others are the non-data types
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATETIME_INPUT_FORMATS = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
CHILD_ROWS = 2

# Keyboard shortcuts, with Alt: digits for the channels, letters for the types of contact (Vietnamese
# mnemonics where one is free: I "im lặng", C "cúp máy", Q "quấy rối", N "nhầm số", K "kiểm tra").
# Alt+D, E, F, S, B, H, T, V open browser menus or the address bar, so they are never used.
CHANNEL_KEYS = {code: str(i) for i, code in enumerate(Channel.values, start=1)}
TYPE_KEYS = {
    DATA: "0",
    NonDataType.SILENT: "I",
    NonDataType.HANG_UP: "C",
    NonDataType.ABUSIVE: "Q",
    NonDataType.WRONG_NUMBER: "N",
    NonDataType.THANKS: "G",
    NonDataType.TEST: "K",
    NonDataType.OTHER: "X",
}
KEY_EMERGENCY = "U"
KEY_REASONS = "L"
KEY_CHILDREN = "R"
KEY_PHONE = "P"

URGENCY_CHOICES = [(u.value, u.label) for u in Urgency if u != Urgency.EMERGENCY]
OUTCOME_CHOICES = [("", "—"), *[(o.value, o.label) for o in Outcome if o != Outcome.CASE_OPENED]]


def _blank(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", "—"), *choices]


class VietnameseDateTimeField(forms.DateTimeField):
    """A time typed as dd/mm/yyyy HH:MM, read in Vietnam's time zone."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        kwargs.setdefault("error_messages", {"invalid": _("Enter the time as dd/mm/yyyy hh:mm.")})
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(
                attrs={"placeholder": "dd/mm/yyyy hh:mm", "inputmode": "numeric", "autocomplete": "off"},
                format=DATETIME_FORMAT,
            ),
        )
        super().__init__(**kwargs)


class IdListField(forms.Field):
    """Record ids (checked boxes of a search); the service checks each against the user's scope."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            return list(dict.fromkeys(int(v) for v in values))
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose children from the list.")) from None


class ContactForm(forms.Form):
    """A contact's own facts, for taking it and for editing it."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE, widget=forms.RadioSelect
    )
    line = forms.ChoiceField(label=_("Line"), required=False)
    contact_type = forms.ChoiceField(label=_("Type of contact"), widget=forms.RadioSelect, initial=DATA)
    caller_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    caller_anonymous = forms.BooleanField(label=_("Anonymous caller"), required=False)
    caller_name = forms.CharField(
        label=_("Caller's name"),
        max_length=220,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    caller_relationship = forms.ChoiceField(
        label=_("Caller's relationship to the child"),
        choices=CallerRelationship.choices,
        initial=CallerRelationship.UNKNOWN,
    )
    caller_consents_to_identity = forms.BooleanField(label=_("The caller agrees to be named"), required=False)
    commune = CommuneChoiceField(
        label=_("Commune where it happened"),
        queryset=AdminUnit.objects.none(),
        required=False,
        empty_label="—",
    )
    place_text = forms.CharField(label=_("Place (village, street, school…)"), max_length=300, required=False)
    reasons = forms.MultipleChoiceField(
        label=_("Reasons"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    emergency = forms.BooleanField(label=_("Possible emergency"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=URGENCY_CHOICES, initial=Urgency.NORMAL)
    narrative = forms.CharField(
        label=_("What was said"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_CHOICES, required=False)
    referred_to = CommuneChoiceField(
        label=_("Referred to (commune)"), queryset=AdminUnit.objects.none(), required=False, empty_label="—"
    )
    # Referring passes the child's information on: the caller's agreement, or an emergency and its reason
    # (the referral rule, checked by the cases app when the contact is saved; see intake.referrals).
    caller_agreed = forms.BooleanField(
        label=_("The caller (the child or a parent) agreed to the referral"),
        required=False,
        help_text=_(
            "Referring passes the child's information to the commune: the child or a parent must agree, "
            "unless it is an emergency."
        ),
    )
    emergency_override = forms.BooleanField(label=_("Emergency: refer without consent"), required=False)
    override_reason = forms.CharField(
        label=_("Why consent could not be obtained"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    received_at = VietnameseDateTimeField(label=_("Received at"))

    def __init__(
        self,
        *args: Any,
        communes: QuerySet[AdminUnit],
        referral_communes: QuerySet[AdminUnit],
        lines: Iterable[Line],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lines = {line.number: line for line in lines}
        self.fields["line"].choices = _blank((n, str(line)) for n, line in self.lines.items())  # type: ignore[attr-defined]
        self.fields["contact_type"].choices = [  # type: ignore[attr-defined]
            (DATA, ContactKind.DATA.label),
            *NonDataType.choices,
        ]
        self.fields["reasons"].choices = [(r.code, r.label) for r in taxonomy.selectable()]  # type: ignore[attr-defined]
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        self.fields["referred_to"].queryset = referral_communes  # type: ignore[attr-defined]

    def clean_received_at(self) -> datetime | None:
        value: datetime | None = self.cleaned_data["received_at"]
        if value is None or timezone.is_aware(value):
            return value
        return timezone.make_aware(value)

    def kind(self) -> str:
        return ContactKind.DATA if self.cleaned_data["contact_type"] == DATA else ContactKind.NON_DATA

    def non_data_type(self) -> str:
        return "" if self.cleaned_data["contact_type"] == DATA else self.cleaned_data["contact_type"]

    def urgency_value(self) -> str:
        return Urgency.EMERGENCY if self.cleaned_data["emergency"] else self.cleaned_data["urgency"]

    def line_value(self) -> Line | None:
        return self.lines.get(self.cleaned_data.get("line") or "")


class IntakeForm(ContactForm):
    """Taking a contact: the children it is about come with it, and earlier contacts from the number
    typed are looked up as it is typed."""

    received_at = VietnameseDateTimeField(label=_("Received at (empty: now)"), required=False)
    linked_children = IdListField(label=_("Registered children"), required=False)
    # One key per opened form: a submit retried (double click, reload) records the contact once.
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caller_phone"].widget.attrs.update(
            {
                "hx-post": reverse("intake:previous"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#previous-caller",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )


class ContactEditForm(ContactForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ChildEntryForm(forms.Form):
    """A child as the caller described them, when not (yet) found in the registry."""

    name = forms.CharField(label=_("Child's name as given"), max_length=220, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Sex.choices), required=False)
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=17, required=False)

    def entry(self) -> ChildEntry | None:
        """The child described, or None for a row left empty."""
        data = self.cleaned_data
        if not (data.get("name") or data.get("sex") or data.get("age") is not None):
            return None
        return ChildEntry(name=data.get("name", ""), sex=data.get("sex", ""), age=data.get("age"))


ChildEntryFormSet: type[forms.BaseFormSet[ChildEntryForm]] = forms.formset_factory(
    ChildEntryForm, extra=CHILD_ROWS, max_num=10
)


class ChildSearchForm(forms.Form):
    child_q = forms.CharField(required=False, max_length=100)
    linked_children = IdListField(required=False)


class RegisterChildForm(forms.Form):
    """Registering the child of a contact: the registry's minimal facts, prefilled from the contact."""

    full_name = forms.CharField(label=_("Full name"), max_length=220)
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Sex.choices))
    date_of_birth = VietnameseDateField(label=_("Date of birth"), required=False)
    birth_year = forms.IntegerField(label=_("Year of birth (when the date is not known)"), required=False)
    commune = CommuneChoiceField(label=_("Commune"), queryset=AdminUnit.objects.none(), empty_label="—")

    def __init__(self, *args: Any, communes: QuerySet[AdminUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]


class ContactFilterForm(forms.Form):
    since = VietnameseDateField(label=_("From"), required=False)
    until = VietnameseDateField(label=_("Until"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(ContactKind.choices), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=_blank(Channel.choices), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=_blank(Urgency.choices), required=False)
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    mine = forms.BooleanField(label=_("Taken by me"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = _blank(  # type: ignore[attr-defined]
            (r.code, r.label) for r in taxonomy.selectable() if r.depth == 0
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data
