"""The audit trail page (/audit/): filter the events in the viewer's scope; every viewing is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from mangnon.core import audit, navigation
from mangnon.core.forms import VietnameseDateField
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.geo.models import AdminUnit

from .access import can
from .audit_selectors import AuditFilters, audit_events_for
from .roles import Action

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

PAGE_SIZE = 50
MAX_PAGE = 100_000  # far beyond any real trail; keeps the offset inside what databases accept

navigation.register(
    navigation.NavItem(
        key="audit",
        label=_("Audit trail"),
        url_name="audit:list",
        order=90,
        visible=lambda user: can(user, Action.AUDIT_VIEW),
    )
)


def _date_field(label: StrOrPromise) -> forms.DateField:
    return VietnameseDateField(label=label, required=False)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AuditAction.choices]
    )
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "registry.child"}),
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    unit = forms.CharField(
        label=_("Unit code"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    page = forms.IntegerField(
        label=_("Page"), required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput
    )

    def clean_object_type(self) -> str:
        return self.cleaned_data["object_type"].lower()

    def clean_unit(self) -> str:
        code = self.cleaned_data["unit"]
        if not code:
            return code
        if not re.fullmatch(r"\d{2,10}", code):
            raise forms.ValidationError(_("A unit code is made of digits, such as 22 or 06688."))
        if not AdminUnit.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("No administrative unit has the code %(code)s."), params={"code": code}
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> AuditFilters:
        d = self.cleaned_data
        return AuditFilters(
            actor=d["actor"],
            action=d["action"],
            object_type=d["object_type"],
            object_id=d["object_id"],
            date_from=d["date_from"],
            date_to=d["date_to"],
            unit_code=d["unit"],
        )

    def used(self) -> dict[str, str]:
        """The filters in force, as text, for the audit event of this viewing."""
        return {
            name: value.isoformat() if hasattr(value, "isoformat") else str(value)
            for name, value in self.cleaned_data.items()
            if name != "page" and value not in ("", None)
        }


@dataclass(frozen=True)
class ChangeLine:
    field: str
    old: Any = None
    new: Any = None
    value: Any = None
    is_change: bool = False


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def change_lines(changes: Any) -> list[ChangeLine]:
    """`changes` as display lines: [old, new] pairs as field: old → new, anything else as field: value."""
    if not isinstance(changes, dict):
        return [ChangeLine(field="", value=_text(changes))] if changes else []
    lines = []
    for field, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            lines.append(ChangeLine(field=field, old=_text(value[0]), new=_text(value[1]), is_change=True))
        else:
            lines.append(ChangeLine(field=field, value=_text(value)))
    return lines


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.AUDIT_VIEW):
        raise PermissionDenied
    form = AuditFilterForm(request.GET)
    events: list[AuditEvent] = []
    page = 1
    has_next = False
    if form.is_valid():
        page = form.cleaned_data["page"] or 1
        offset = (page - 1) * PAGE_SIZE
        # One row beyond the page tells whether a next page exists, without counting the whole trail.
        events = list(
            audit_events_for(viewer=request.user, filters=form.filters())[offset : offset + PAGE_SIZE + 1]
        )
        has_next = len(events) > PAGE_SIZE
        events = events[:PAGE_SIZE]
        for event in events:
            event.change_lines = change_lines(event.changes)  # type: ignore[attr-defined]
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="core.auditevent",
            changes={"filters": form.used(), "page": page},
        )
    return render(
        request,
        "accounts/audit_list.html",
        {
            "form": form,
            "events": events,
            "page": page,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if has_next else None,
        },
    )
