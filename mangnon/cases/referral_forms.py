"""Forms of the referral pages and of the case page's services section. They check the shape of the
input; the rules (who, where, consent, dates) are the services' (referral_services, plan_services)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import VietnameseDateField
from mangnon.geo.models import AdminUnit
from mangnon.orgs.codes import ServiceType
from mangnon.orgs.models import Organisation

from .codes import ReferralStatus, ServiceStatus

MAX_TEXT = 5000


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        return obj.name


class OrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        where = obj.admin_unit.name if obj.admin_unit_id else ""
        return f"{obj.name} ({where})" if where else obj.name


def _text(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": rows})
    )


class ReferralSendForm(forms.Form):
    """Send a referral: to a unit or (a case only) to an organisation, why, and on what consent."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    to_unit = UnitField(
        label=_("To a unit"), queryset=AdminUnit.objects.none(), required=False, empty_label="—"
    )
    to_org = OrgField(
        label=_("Or to an organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="—",
    )
    reason = _text(_("Reason for the referral and what is asked for"), rows=4)
    caller_consent = forms.BooleanField(
        label=_("The caller (the child or a parent) agreed to the referral"), required=False
    )
    emergency_override = forms.BooleanField(label=_("Emergency: refer without consent"), required=False)
    override_reason = _text(_("Why consent could not be obtained"), required=False, rows=2)

    def __init__(
        self,
        *args: Any,
        units: Iterable[AdminUnit],
        orgs: QuerySet[Organisation] | None = None,
        for_contact: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        ids = [u.pk for u in units]
        field = self.fields["to_unit"]
        field.queryset = AdminUnit.objects.filter(pk__in=ids)  # type: ignore[attr-defined]
        # The service's order (the province first, then communes in Vietnamese order), kept in the list.
        position = {pk: i for i, pk in enumerate(ids)}
        field.choices = [("", "—"), *[(u.pk, u.name) for u in sorted(units, key=lambda u: position[u.pk])]]  # type: ignore[attr-defined]
        if orgs is None:
            del self.fields["to_org"]
        else:
            self.fields["to_org"].queryset = orgs  # type: ignore[attr-defined]
        if for_contact:
            self.fields["to_unit"].label = _("To the commune")
        else:
            del self.fields["caller_consent"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("to_unit") is not None and data.get("to_org") is not None:
            self.add_error("to_org", _("Choose a unit or an organisation, not both."))
        return data


class ReferralAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = _text(_("Note (optional)"), required=False, rows=2)


class ReferralRejectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = _text(_("Why it is rejected"), rows=2)


DIRECTIONS = (("received", _("Referrals received")), ("sent", _("Referrals sent")))


class ReferralFilterForm(forms.Form):
    direction = forms.ChoiceField(choices=DIRECTIONS, required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *ReferralStatus.choices], required=False
    )


class ServiceAddForm(forms.Form):
    """A service added to the plan (the same fields as a service row of Form 04)."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    service_type = forms.ChoiceField(label=_("Service"), choices=[("", "—"), *ServiceType.choices])
    provider = OrgField(
        label=_("Provider"), queryset=Organisation.objects.none(), required=False, empty_label="—"
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=500)
    planned_start = VietnameseDateField(label=_("From"), required=False)
    planned_end = VietnameseDateField(label=_("Until"), required=False)

    def __init__(self, *args: Any, providers: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]


SERVICE_TARGETS = [
    (ServiceStatus.IN_PROGRESS.value, ServiceStatus.IN_PROGRESS.label),
    (ServiceStatus.DELIVERED.value, ServiceStatus.DELIVERED.label),
    (ServiceStatus.CANCELLED.value, ServiceStatus.CANCELLED.label),
]


class ServiceChangeForm(forms.Form):
    """A service moved along: started, delivered (with the date) or cancelled (with the reason)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("New status"), choices=SERVICE_TARGETS)
    on = VietnameseDateField(label=_("On (date)"), required=False)
    reason = forms.CharField(label=_("Reason (when cancelled)"), required=False, max_length=2000)
