"""A contact's pages: the contact page (with the earlier contacts from the same caller or about the same
children, and the offer to open a case), editing it, naming its children after the fact, and the list.

Contacts come through `access.get_contact_for_user` (404 when the user may not read it, 403 when they
may read it but not change it). Every page that shows a contact writes a "view" event.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.registry import matching
from mangnon.registry.access import get_child_for_user
from mangnon.registry.services import ChildData, PossibleDuplicate
from mangnon.registry.views import LEVEL_LABELS, REASON_LABELS

from . import forms as intake_forms
from . import selectors, services, taxonomy
from .access import can_change_contact, can_see_caller, get_contact_for_user, place_of
from .codes import ContactKind, Outcome, Urgency
from .models import Contact, ContactChild
from .views import (
    case_open_url,
    communes_for,
    contact_data,
    contact_errors_to_form,
    lines_for,
    reason_rows,
    referral_communes,
    require_any,
)

PAGE_SIZE = 25


def _back(contact: Contact) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("intake:detail", args=[contact.pk]))


# --- the contact page --------------------------------------------------------------------------------


@require_GET
@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_any(request, Action.CONTACT_TAKE, Action.CONTACT_VIEW)
    contact = get_contact_for_user(request.user, pk)
    caller_shown = can_see_caller(request.user, contact)
    rows = list(contact.children.select_related("child__person", "child__admin_unit").order_by("pk"))
    by_phone = selectors.previous_contacts(request.user, phone=contact.caller_phone, exclude=contact.pk)
    by_child = [
        (row.child, selectors.previous_contacts(request.user, child=row.child_id, exclude=contact.pk))
        for row in rows
        if row.child_id is not None
    ]
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=contact,
        unit=place_of(contact),
        changes={
            "caller_shown": caller_shown,
            "previous_shown": sorted({c.pk for p in [by_phone, *(p for _c, p in by_child)] for c in p.shown}),
        },
    )
    can_change = can_change_contact(request.user, contact)
    return render(
        request,
        "intake/contact_detail.html",
        {
            "contact": contact,
            "caller_shown": caller_shown,
            "reasons": [taxonomy.label(r.code) for r in contact.reasons.order_by("pk")],
            "rows": rows,
            "unidentified": [row for row in rows if row.child_id is None],
            "by_phone": by_phone,
            "by_child": [(child, p) for child, p in by_child if p.count],
            "can_change": can_change,
            "can_add_children": can_change and contact.kind == ContactKind.DATA,
            "open_url": case_open_url(request.user, contact),
            "just_saved": request.GET.get("saved") == "1",
            "entry_form": intake_forms.ChildEntryForm(prefix="entry"),
        },
    )


# --- edit --------------------------------------------------------------------------------------------


def _edit_form(
    user: Any, contact: Contact, data: Any = None, initial: dict[str, Any] | None = None
) -> intake_forms.ContactEditForm:
    lines = lines_for(user)
    if contact.line is not None and contact.line not in lines:
        lines.append(contact.line)  # a line since retired stays the contact's
    return intake_forms.ContactEditForm(
        data,
        initial=initial,
        communes=communes_for(user, Action.CONTACT_TAKE),
        referral_communes=referral_communes(user),
        lines=lines,
    )


def _edit_initial(contact: Contact) -> dict[str, Any]:
    return {
        "channel": contact.channel,
        "line": contact.line.number if contact.line else "",
        "contact_type": contact.non_data_type or intake_forms.DATA,
        "caller_phone": contact.caller_phone,
        "caller_anonymous": contact.caller_anonymous,
        "caller_name": contact.caller_name,
        "caller_relationship": contact.caller_relationship,
        "caller_consents_to_identity": contact.caller_consents_to_identity,
        "commune": contact.admin_unit_id,
        "place_text": contact.place_text,
        "reasons": list(contact.reasons.values_list("code", flat=True)),
        "emergency": contact.urgency == Urgency.EMERGENCY,
        "urgency": Urgency.NORMAL if contact.urgency == Urgency.EMERGENCY else contact.urgency,
        "narrative": contact.narrative,
        "outcome": "" if contact.outcome == Outcome.CASE_OPENED else contact.outcome,
        "referred_to": contact.referred_to_id,
        "received_at": timezone.localtime(contact.received_at),
        "version": contact.version,
    }


@require_http_methods(["GET", "POST"])
@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_any(request, Action.CONTACT_TAKE)
    contact = get_contact_for_user(request.user, pk, Action.CONTACT_TAKE)
    if not can_see_caller(request.user, contact):
        # The form holds the caller's details: only the one who took the call, or with consent.
        raise PermissionDenied
    status, stale = 200, False
    if request.method == "POST":
        form = _edit_form(request.user, contact, request.POST)
        if form.is_valid():
            data = contact_data(form, [])
            changes = {k: v for k, v in vars(data).items() if k != "children"}
            if contact.outcome == Outcome.CASE_OPENED:
                changes.pop("outcome")
            try:
                services.contact_update(
                    actor=request.user, contact=contact, version=form.cleaned_data["version"], changes=changes
                )
            except services.Conflict as conflict:
                # Keep what was typed, now against the current version: after checking, save again.
                stale, status = True, 409
                kept = request.POST.copy()
                kept["version"] = str(conflict.current_version)
                form = _edit_form(request.user, contact, kept)
                form.is_valid()
            except ValidationError as error:
                contact_errors_to_form(form, error)
                status = 400
            else:
                messages.success(request, _("Saved."))
                return _back(contact)
        else:
            status = 400
    else:
        form = _edit_form(request.user, contact, initial=_edit_initial(contact))
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=contact,
        unit=place_of(contact),
        changes={"page": "edit"},
    )
    checked = request.POST.getlist("reasons") if form.is_bound else form.initial["reasons"]
    return render(
        request,
        "intake/contact_edit.html",
        {"form": form, "contact": contact, "stale": stale, "reasons": reason_rows(checked)},
        status=status,
    )


# --- children after the fact -------------------------------------------------------------------------


def _unidentified(contact: Contact, value: Any) -> ContactChild:
    """One of the contact's children not yet found in the registry (404 otherwise)."""
    entry = contact.children.filter(pk=value, child__isnull=True).first() if str(value).isdigit() else None
    if entry is None:
        raise Http404
    return entry


@require_POST
@login_required
def contact_children(request: HttpRequest, pk: int) -> HttpResponse:
    """Link registered children (chosen in the search) to the contact, one of them possibly identifying
    an unidentified entry; or add a child as the caller described them."""
    require_any(request, Action.CONTACT_TAKE)
    contact = get_contact_for_user(request.user, pk, Action.CONTACT_TAKE)
    search = intake_forms.ChildSearchForm(request.POST)
    search.is_valid()
    ids = search.cleaned_data.get("linked_children") or []
    try:
        if ids:
            chosen = request.POST.get("entry", "")
            entry = _unidentified(contact, chosen) if chosen else None
            for n, child_id in enumerate(ids):
                child = get_child_for_user(request.user, child_id)
                services.contact_link_child(
                    actor=request.user, contact=contact, child=child, entry=entry if n == 0 else None
                )
            messages.success(request, _("The child is linked to the contact."))
        else:
            form = intake_forms.ChildEntryForm(request.POST, prefix="entry")
            entry_data = form.entry() if form.is_valid() else None
            if entry_data is None:
                messages.error(request, _("Give at least the child's name, sex or age."))
                return _back(contact)
            services.contact_link_child(actor=request.user, contact=contact, minimal=entry_data)
            messages.success(request, _("The child is added to the contact."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(contact)


def _year_from_age(contact: Contact, entry: ContactChild) -> int | None:
    return None if entry.age is None else timezone.localtime(contact.received_at).year - entry.age


def _register_initial(contact: Contact, entry: ContactChild, communes: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"full_name": entry.name, "sex": entry.sex}
    if entry.age is not None:
        initial["birth_year"] = _year_from_age(contact, entry)
    if contact.admin_unit_id and communes.filter(pk=contact.admin_unit_id).exists():
        initial["commune"] = contact.admin_unit_id
    return initial


def _candidate_rows(user: Any, candidates: list[matching.Candidate]) -> list[dict[str, Any]]:
    rows = []
    for candidate in candidates:
        try:
            child = get_child_for_user(user, candidate.child_id)
        except (Http404, PermissionDenied):
            continue
        rows.append(
            {
                "child": child,
                "level": candidate.level,
                "level_label": LEVEL_LABELS.get(candidate.level, candidate.level),
                "reason_labels": [str(REASON_LABELS.get(r, r)) for r in candidate.reasons],
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@login_required
def contact_register_child(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    """Register an unidentified child of the contact in the registry (the duplicate check first), and
    link the contact to them."""
    require_any(request, Action.CONTACT_TAKE)
    contact = get_contact_for_user(request.user, pk, Action.CONTACT_TAKE)
    if not can(request.user, Action.CHILD_REGISTER):
        raise PermissionDenied
    row = _unidentified(contact, entry)
    communes = communes_for(request.user, Action.CHILD_REGISTER)
    candidates: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        form = intake_forms.RegisterChildForm(request.POST, communes=communes)
        choice = request.POST.get("decision", "").strip()
        if form.is_valid():
            data = form.cleaned_data
            child_data = ChildData(
                full_name=data["full_name"],
                sex=data["sex"],
                commune=data["commune"],
                date_of_birth=data["date_of_birth"],
                birth_year=data["birth_year"],
                # the year worked out from the age the caller gave is an estimate; one typed in is not
                birth_year_estimated=data["date_of_birth"] is None
                and data["birth_year"] == _year_from_age(contact, row),
            )
            decision = "new" if choice == "new" else ("linked" if choice.isdigit() else None)
            try:
                services.contact_link_child(
                    actor=request.user, contact=contact, register=child_data, entry=row, decision=decision,
                    link_to=int(choice) if choice.isdigit() else None,
                )  # fmt: skip
            except PossibleDuplicate as duplicate:
                candidates = _candidate_rows(request.user, duplicate.candidates)
                form.add_error(
                    None,
                    _(
                        "This child may already be registered. Link to the same child below, or confirm "
                        "that this is a new child."
                    ),
                )
            except ValidationError as error:
                contact_errors_to_form(form, error)
            else:
                messages.success(request, _("The child is registered and linked to the contact."))
                return _back(contact)
        status = 400
    else:
        form = intake_forms.RegisterChildForm(
            initial=_register_initial(contact, row, communes), communes=communes
        )
    if candidates:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="registry.child",
            changes={"page": "contact_register_candidates", "ids": [c["child"].pk for c in candidates]},
        )
    return render(
        request,
        "intake/contact_register_child.html",
        {"form": form, "contact": contact, "entry": row, "candidates": candidates, "checked": False},
        status=status,
    )


# --- list --------------------------------------------------------------------------------------------


@require_GET
@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    require_any(request, Action.CONTACT_TAKE, Action.CONTACT_VIEW)
    form = intake_forms.ContactFilterForm(request.GET or None)
    filters = selectors.ContactFilter()
    status = 200
    used: dict[str, str] = {}
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            until = data["until"]
            filters = selectors.ContactFilter(
                since=selectors.day_start(data["since"]) if data["since"] else None,
                until=selectors.day_start(until + timedelta(days=1)) if until else None,
                kind=data["kind"],
                channel=data["channel"],
                urgency=data["urgency"],
                reason=data["reason"],
                counsellor=request.user.pk if data["mine"] else None,
            )
            used = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
        else:
            status = 400
    contacts = selectors.contacts_for(request.user, filters)
    page_obj = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    selectors.record_list_view(request.user, shown, page="list")
    return render(
        request,
        "intake/contact_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": [
                {"contact": c, "reasons": [taxonomy.label(r.code) for r in c.reasons.all()]} for c in shown
            ],
            "query": urlencode(used),
            "can_take": can(request.user, Action.CONTACT_TAKE),
        },
        status=status,
    )
