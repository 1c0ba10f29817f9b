"""The Decree 56 forms (Mẫu 01-06) a step of a case fills in: one Django form class per form.

The same classes check the case pages' input and the API's JSON bodies (`bind` takes either), so a
rule is written once. `stored()` gives the cleaned fields as JSON-safe values (dates and times as ISO
text, an organisation as its id and name) for CaseStep.data; `display_rows` turns stored data back into
labelled rows for the case page, whatever form version wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mangnon.core.formatting import vi_date, vi_datetime
from mangnon.core.forms import VietnameseDateField, parse_date
from mangnon.orgs.codes import ServiceType
from mangnon.orgs.models import Organisation
from mangnon.orgs.selectors import providers_near
from mangnon.registry.codes import Sex

from .models import Case
from .workflow import Form, Rating, Transition

MAX_AGE = 17  # Law on Children: a child is under 16; Decree 56 cases reach 16-17-year-olds in care
CLOCK_SKEW = timedelta(minutes=5)  # a device's clock a little ahead is not "in the future"
MAX_SERVICES = 20


# Mẫu 01: how the information came.
SOURCES = (
    ("phone", gettext_lazy("By phone")),
    ("in_person", gettext_lazy("In person")),
    ("via_someone", gettext_lazy("Through another person or agency")),
)
MEASURES = (
    ("emergency_intervention", gettext_lazy("Emergency intervention")),
    ("temporary_separation", gettext_lazy("Temporary separation from the carer")),
)


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *[(str(k), v) for k, v in choices]]


def _text(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=5000, widget=forms.Textarea(attrs={"rows": rows})
    )


def _line(label: Any, *, required: bool = True, max_length: int = 300) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length)


class VietnameseDateTimeField(forms.DateTimeField):
    """A moment typed as dd/mm/yyyy hh:mm (Vietnam's time); ISO 8601 with an offset from the API."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M"])
        kwargs.setdefault(
            "error_messages", {"invalid": gettext_lazy("Enter a date and time as dd/mm/yyyy hh:mm.")}
        )
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(
                attrs={"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off"}, format="%d/%m/%Y %H:%M"
            ),
        )
        super().__init__(**kwargs)


class DateListField(forms.Field):
    """One or more dates: a list from the API, or "dd/mm/yyyy, dd/mm/yyyy" typed on the page."""

    default_error_messages = {"invalid": gettext_lazy("Enter dates as dd/mm/yyyy, separated by commas.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "dd/mm/yyyy, dd/mm/yyyy"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[date]:
        if value in self.empty_values:
            return []
        items = value if isinstance(value, list | tuple) else re.split(r"[,;\s]+", str(value).strip())
        days: set[date] = set()
        for item in items:
            if isinstance(item, date):
                days.add(item)
                continue
            day = parse_date(str(item).strip()) if str(item).strip() else None
            if day is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            days.add(day)
        return sorted(days)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(vi_date(d) if isinstance(d, date) else str(d) for d in value)
        return value


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Organisation):
        return value.pk
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


class StepForm(forms.Form):
    """A Decree 56 form, bound for one case and one transition (rules may depend on either)."""

    def __init__(
        self, *args: Any, case: Case | None = None, transition: Transition | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.transition = transition

    @classmethod
    def prepare(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        """Form data from a JSON body (a page's QueryDict is taken as it is)."""
        return data

    def stored(self) -> dict[str, Any]:
        return {name: _json_safe(value) for name, value in self.cleaned_data.items()}

    def error_dict(self) -> dict[str, list[str]]:
        return {name: [str(m) for m in messages] for name, messages in self.errors.items()}

    def _not_in_future(self, name: str, moment: datetime | date | None) -> None:
        if moment is None:
            return
        if isinstance(moment, datetime):
            late = moment > timezone.now() + CLOCK_SKEW
        else:
            late = moment > timezone.localdate()
        if late:
            self.add_error(name, _("This is in the future."))

    def _not_before_receipt(self, name: str, moment: datetime | date | None) -> None:
        if moment is None or self.case is None:
            return
        received = self.case.received_at
        early = (
            moment < received
            if isinstance(moment, datetime)
            else moment < timezone.localtime(received).date()
        )
        if early:
            self.add_error(name, _("This is before the information was received."))


# --- Mẫu 01 -----------------------------------------------------------------------------------------


class Form01(StepForm):
    """Mẫu 01, report on receiving information about a child (art. 26)."""

    source = forms.ChoiceField(
        label=gettext_lazy("How the information was received"), choices=_blank(SOURCES)
    )
    received_at = VietnameseDateTimeField(label=gettext_lazy("Date and time received"))
    child_name = _line(gettext_lazy("Child's full name"), max_length=220)
    child_sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=_blank(Sex.choices))
    child_date_of_birth = VietnameseDateField(label=gettext_lazy("Date of birth"), required=False)
    child_age = forms.IntegerField(
        label=gettext_lazy("Estimated age (when the date of birth is not known)"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
    )
    place = _line(gettext_lazy("Where it happened"))
    child_condition = _text(gettext_lazy("The child's condition"), required=False)
    consequences = _text(gettext_lazy("Likely consequences without intervention"), required=False)
    father_name = _line(gettext_lazy("Father's full name"), required=False, max_length=220)
    father_age = forms.IntegerField(
        label=gettext_lazy("Father's age"), required=False, min_value=12, max_value=110
    )
    father_occupation = _line(gettext_lazy("Father's occupation"), required=False, max_length=200)
    mother_name = _line(gettext_lazy("Mother's full name"), required=False, max_length=220)
    mother_age = forms.IntegerField(
        label=gettext_lazy("Mother's age"), required=False, min_value=12, max_value=110
    )
    mother_occupation = _line(gettext_lazy("Mother's occupation"), required=False, max_length=200)
    family_situation = _text(gettext_lazy("Family situation"), required=False)
    current_carer = _line(gettext_lazy("Who cares for the child now"), required=False)
    actions_taken = _text(gettext_lazy("Actions already taken"), required=False)
    reporter_consents = forms.BooleanField(
        label=gettext_lazy("The person who reported agrees to be named"), required=False
    )
    reporter_name = _line(gettext_lazy("Reporter's full name"), required=False, max_length=220)
    reporter_phone = _line(gettext_lazy("Reporter's phone"), required=False, max_length=20)
    reporter_address = _line(gettext_lazy("Reporter's address or relationship to the child"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        received = data.get("received_at")
        self._not_in_future("received_at", received)
        dob = data.get("child_date_of_birth")
        if dob is None and data.get("child_age") is None and "child_age" not in self.errors:
            self.add_error("child_date_of_birth", _("Enter the date of birth, or at least an estimated age."))
        if dob is not None:
            self._not_in_future("child_date_of_birth", dob)
            if received is not None and dob > timezone.localtime(received).date():
                self.add_error(
                    "child_date_of_birth", _("The date of birth is after the information was received.")
                )
        given = [n for n in ("reporter_name", "reporter_phone", "reporter_address") if data.get(n)]
        if given and not data.get("reporter_consents"):
            for name in given:
                self.add_error(
                    name, _("The reporter's details may be recorded only if they agree to be named.")
                )
        return data


# --- Mẫu 02 -----------------------------------------------------------------------------------------


class Form02(StepForm):
    """Mẫu 02, initial assessment of the child's safety and of the harm (art. 26), and the emergency
    measures applied within 12 hours when life, health or dignity is in serious danger (art. 31-32)."""

    safety_assessment = _text(gettext_lazy("The child's safety and the harm found"), rows=4)
    risk = forms.ChoiceField(
        label=gettext_lazy("Risk to the child"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=gettext_lazy("Serious danger (the emergency step) is always a high risk."),
    )
    serious_danger = forms.BooleanField(
        label=gettext_lazy("The child's life, health or dignity is in serious danger"), required=False
    )
    measures = forms.MultipleChoiceField(
        label=gettext_lazy("Emergency measures applied"),
        choices=MEASURES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    measures_applied_at = VietnameseDateTimeField(label=gettext_lazy("Measures applied at"), required=False)
    placement = _line(gettext_lazy("Where the child is placed (temporary separation)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        measures = data.get("measures") or []
        applied_at = data.get("measures_applied_at")
        emergency = self.transition is not None and self.transition.name == "emergency"
        if emergency:
            if not data.get("serious_danger"):
                self.add_error(
                    "serious_danger",
                    _(
                        "Emergency measures apply only when the child's life, health or dignity is in "
                        "serious danger."
                    ),
                )
            if not measures:
                self.add_error("measures", _("Choose the emergency measures applied."))
            if applied_at is None and "measures_applied_at" not in self.errors:
                self.add_error("measures_applied_at", _("Enter when the measures were applied."))
            if "temporary_separation" in measures and not data.get("placement"):
                self.add_error("placement", _("Enter where the child is placed while separated."))
        else:
            if data.get("serious_danger"):
                self.add_error(
                    "serious_danger",
                    _(
                        "The child is in serious danger: record the emergency measures instead "
                        "(emergency step)."
                    ),
                )
            if measures or applied_at or data.get("placement"):
                self.add_error("measures", _("Emergency measures are recorded with the emergency step."))
        self._not_in_future("measures_applied_at", applied_at)
        self._not_before_receipt("measures_applied_at", applied_at)
        return data


# --- Mẫu 03 -----------------------------------------------------------------------------------------


class Form03(StepForm):
    """Mẫu 03, information collected and the detailed assessment, with the meeting on the child's needs
    (art. 27)."""

    information_collected = _text(gettext_lazy("Information collected"), rows=4)
    meeting_on = VietnameseDateField(label=gettext_lazy("Meeting held on"))
    participants = _text(gettext_lazy("Participants"), rows=2)
    needs = _text(gettext_lazy("The child's needs"), rows=4)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._not_in_future("meeting_on", data.get("meeting_on"))
        self._not_before_receipt("meeting_on", data.get("meeting_on"))
        return data


# --- Mẫu 04 -----------------------------------------------------------------------------------------


class ProviderField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class ServiceForm(forms.Form):
    """One service of the plan; it becomes a CaseService row when the plan is recorded."""

    service_type = forms.ChoiceField(label=gettext_lazy("Service"), choices=_blank(ServiceType.choices))
    provider = ProviderField(
        label=gettext_lazy("Provider"), queryset=Organisation.objects.none(), required=False, empty_label="—"
    )
    description = _line(gettext_lazy("Description"), required=False, max_length=500)
    start = VietnameseDateField(label=gettext_lazy("From"), required=False)
    end = VietnameseDateField(label=gettext_lazy("Until"), required=False)

    def __init__(self, *args: Any, providers: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if providers is not None:
            self.fields["provider"].queryset = providers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return data


class BaseServiceFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(f.cleaned_data for f in self.forms):
            raise ValidationError(_("Plan at least one service."))


ServiceFormSet = forms.formset_factory(
    ServiceForm, formset=BaseServiceFormSet, extra=3, max_num=MAX_SERVICES, validate_max=True
)


def providers_for(case: Case | None) -> QuerySet[Organisation]:
    """Organisations that may deliver a service in this case, the commune's own first (the directory
    has no personal data, so no viewer scope is needed)."""
    if case is None:
        return Organisation.objects.none()
    return providers_near(case.admin_unit)


class Form04(StepForm):
    """Mẫu 04, the support and intervention plan (art. 28): goals, services, who is responsible and when
    the plan is reviewed."""

    goals = _text(gettext_lazy("Goals of the plan"), rows=4)
    responsible = _line(gettext_lazy("Who is responsible for carrying it out"))
    review_dates = DateListField(label=gettext_lazy("Review date(s)"))
    notes = _text(gettext_lazy("Notes"), required=False, rows=2)

    PREFIX = "services"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = ServiceFormSet(
            data=self.data if self.is_bound else None,
            prefix=self.PREFIX,
            form_kwargs={"providers": providers_for(self.case)},
        )

    @classmethod
    def prepare(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        if isinstance(data, QueryDict):
            return data
        rows = data.get(cls.PREFIX) or []
        if not isinstance(rows, list):
            rows = []
        flat = {k: v for k, v in data.items() if k != cls.PREFIX}
        flat[f"{cls.PREFIX}-TOTAL_FORMS"] = str(len(rows))
        flat[f"{cls.PREFIX}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            for key, value in row.items() if isinstance(row, Mapping) else []:
                flat[f"{cls.PREFIX}-{i}-{key}"] = "" if value is None else value
        return flat

    def is_valid(self) -> bool:
        own = super().is_valid()
        return self.services.is_valid() and own

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        if any(d < today for d in data.get("review_dates") or []):
            self.add_error("review_dates", _("A review date cannot be in the past."))
        return data

    def planned_services(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.services.forms if f.cleaned_data]

    def stored(self) -> dict[str, Any]:
        rows = []
        for row in self.planned_services():
            provider = row.get("provider")
            rows.append(
                {
                    **{k: _json_safe(v) for k, v in row.items()},
                    "provider_name": provider.name if provider is not None else "",
                }
            )
        return {**super().stored(), "services": rows}

    def error_dict(self) -> dict[str, list[str]]:
        errors = super().error_dict()
        if not self.services.is_bound:
            return errors
        for i, row in enumerate(self.services.forms):
            for name, messages in row.errors.items():
                errors[f"{self.PREFIX}[{i}].{name}"] = [str(m) for m in messages]
        if self.services.non_form_errors():
            errors[self.PREFIX] = [str(m) for m in self.services.non_form_errors()]
        return errors


# --- Mẫu 05 -----------------------------------------------------------------------------------------


class Form05(StepForm):
    """Mẫu 05, the commune chairperson's decision approving the plan (art. 28)."""

    decision_number = _line(gettext_lazy("Decision number"), max_length=50)
    decision_date = VietnameseDateField(label=gettext_lazy("Decision date"))
    signer = _line(gettext_lazy("Signed by"), max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._not_in_future("decision_date", data.get("decision_date"))
        self._not_before_receipt("decision_date", data.get("decision_date"))
        return data


# --- Mẫu 06 -----------------------------------------------------------------------------------------


def _rating(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Rating.choices, widget=forms.RadioSelect)


class Form06(StepForm):
    """Mẫu 06, review of the plan's results (art. 30): the remaining risk rated high / medium / low, and
    the child's own ability to protect themself and recover."""

    harm = _rating(gettext_lazy("Severity of the harm that remains"))
    abuser_access = _rating(gettext_lazy("Whether the abuser can still reach the child"))
    obstacles = _rating(gettext_lazy("Obstacles to the child's safety in the care setting"))
    child_capacity = _rating(gettext_lazy("The child's ability to protect themself and recover"))
    child_stable = forms.BooleanField(
        label=gettext_lazy("The child is stable physically, psychologically, cognitively and emotionally"),
        required=False,
    )
    conclusion = _text(gettext_lazy("Conclusion"), rows=4)


RISK_ORDER = (Rating.HIGH, Rating.MEDIUM, Rating.LOW)
REVIEW_RISKS = ("harm", "abuser_access", "obstacles")  # Mẫu 06's three ratings of the remaining risk


def risk_after(transition: str, data: Mapping[str, Any]) -> str | None:
    """The case's risk once this step is taken, or None when the step does not rate it: the emergency
    step is high; the initial assessment is what the officer rated (or unrated); a review is the highest
    of its three ratings of the remaining risk (the child's own capacity is a strength, not a risk)."""
    if transition == "emergency":
        return Rating.HIGH
    if transition == "assess":
        return data.get("risk") or ""
    if transition == "review":
        rated = {data.get(name) for name in REVIEW_RISKS}
        return next((level for level in RISK_ORDER if level in rated), "")
    return None


def no_longer_at_risk(review: Mapping[str, Any]) -> bool:
    """Art. 30: a case closes only when the child is no longer at risk and is stable. The remaining harm,
    the abuser's access and the obstacles are all low, and the child's own capacity is not low."""
    return (
        review.get("harm") == Rating.LOW
        and review.get("abuser_access") == Rating.LOW
        and review.get("obstacles") == Rating.LOW
        and review.get("child_capacity") in (Rating.MEDIUM, Rating.HIGH)
        and bool(review.get("child_stable"))
    )


class NoForm(StepForm):
    """A step without a Decree 56 form (starting services, closing, returning a plan, reopening)."""


FORM_CLASSES: dict[str, type[StepForm]] = {
    Form.M01: Form01,
    Form.M02: Form02,
    Form.M03: Form03,
    Form.M04: Form04,
    Form.M05: Form05,
    Form.M06: Form06,
    Form.NONE: NoForm,
}


def form_class(form: str) -> type[StepForm]:
    return FORM_CLASSES.get(form, NoForm)


def bind(
    form: str, data: Mapping[str, Any], *, case: Case | None = None, transition: Transition | None = None
) -> StepForm:
    """The form of a step bound to a page's POST or to an API body."""
    cls = form_class(form)
    return cls(cls.prepare(data), case=case, transition=transition)


def validate(
    form: str, data: Mapping[str, Any], *, case: Case | None = None, transition: Transition | None = None
) -> StepForm:
    """The bound form once valid; otherwise a ValidationError naming every field at fault."""
    bound = bind(form, data, case=case, transition=transition)
    if not bound.is_valid():
        raise ValidationError(bound.error_dict())
    return bound


# --- showing stored data ----------------------------------------------------------------------------


def _show(field: forms.Field, value: Any) -> str:
    if value in (None, "", []):
        return ""
    if isinstance(field, forms.BooleanField):
        return str(_("Yes") if value else _("No"))
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value) if choices else _show_dates(value)
    if choices:
        return str(choices.get(value, value))
    if isinstance(field, forms.DateTimeField):
        moment = _parse_moment(value)
        return vi_datetime(moment) if moment else str(value)
    if isinstance(field, forms.DateField):
        day = parse_date(str(value))
        return vi_date(day) if day else str(value)
    return str(value)


def _parse_moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _show_dates(values: list[Any]) -> str:
    days = [parse_date(str(v)) for v in values]
    return ", ".join(vi_date(d) if d else str(v) for d, v in zip(days, values, strict=True))


def display_rows(form: str, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) for each filled field of stored form data, in the form's order; services of a plan
    as one row each."""
    cls = form_class(form)
    rows: list[tuple[str, str]] = []
    for name, field in cls.base_fields.items():
        text = _show(field, data.get(name))
        if text:
            rows.append((str(field.label), text))
    if cls is Form04:
        service_fields = ServiceForm.base_fields
        for row in data.get("services") or []:
            kind = _show(service_fields["service_type"], row.get("service_type"))
            parts = [row.get("provider_name") or "", row.get("description") or ""]
            period = " – ".join(_show(service_fields[k], row.get(k)) for k in ("start", "end") if row.get(k))
            details = "; ".join(p for p in (*parts, period) if p)
            rows.append(
                (str(service_fields["service_type"].label), f"{kind}: {details}" if details else kind)
            )
    return rows
