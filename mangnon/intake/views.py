"""The intake screen: taking a contact fast, from the keyboard, with repeat callers and children
recognised as they are typed and the open emergencies always in view.

Views only translate: every write goes through `services`, every read through `selectors` and `access`.
On a refused save the form comes back with everything typed. Each partial that shows contacts or
children writes a "view" event naming what it showed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.forms import BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import active_memberships, can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.forms import errors_to_form
from mangnon.core.models import AuditAction
from mangnon.core.names import vi_sort_key
from mangnon.core.text import normalize_name
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import path_prefix_q
from mangnon.registry import selectors as registry_selectors
from mangnon.registry.access import get_child_for_user
from mangnon.registry.services import province_of

from . import forms as intake_forms
from . import selectors, services, taxonomy
from .access import place_of
from .codes import ContactKind, Outcome
from .models import Contact, Line

CONTACT_TYPE = "intake.contact"
CHILD_RESULTS = 8
# A service's field names that the form calls otherwise; None: shown above the form.
FORM_FIELD = {"kind": "contact_type", "non_data_type": "contact_type", "children": None}


# --- helpers shared with contact_views ---------------------------------------------------------------


def require_any(request: HttpRequest, *actions: Action) -> None:
    if not any(can(request.user, a) for a in actions):
        raise PermissionDenied


def _current_communes(q: Any) -> QuerySet[AdminUnit]:
    """Today's commune-level units matching `q`, in Vietnamese order."""
    units = AdminUnit.objects.valid_on(timezone.localdate()).filter(q, level__in=services.COMMUNE_LEVELS)
    ordered = [u.pk for u in sorted(units, key=lambda u: vi_sort_key(u.name))]
    if not ordered:
        return AdminUnit.objects.none()
    # A queryset (the form's choice field wants one) that keeps the Vietnamese order.
    position = Case(
        *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ordered)], output_field=IntegerField()
    )
    return AdminUnit.objects.filter(pk__in=ordered).order_by(position)


def communes_for(user: Any, action: Action) -> QuerySet[AdminUnit]:
    """The communes of today where `user` may take `action`."""
    return _current_communes(scope_for(user, action).q(""))


def referral_communes(user: Any) -> QuerySet[AdminUnit]:
    """Any commune of the provinces the user works in: a contact is referred wherever the child is."""
    paths = {province_of(m.admin_unit).path for m in active_memberships(user)}
    if not paths:
        return AdminUnit.objects.none()
    q = path_prefix_q("path", paths.pop())
    for path in paths:
        q |= path_prefix_q("path", path)
    return _current_communes(q)


def lines_for(user: Any) -> list[Line]:
    """The active national lines and the lines of the user's provinces."""
    provinces = {province_of(m.admin_unit).pk for m in active_memberships(user)}
    lines = Line.objects.filter(active=True).select_related("province").order_by("number")
    return [line for line in lines if line.province_id is None or line.province_id in provinces]


def contact_errors_to_form(form: Any, error: ValidationError) -> None:
    """A contact service's ValidationError beside the fields it names (FORM_FIELD: service → form)."""
    errors_to_form(form, error, FORM_FIELD)


def case_open_url(user: Any, contact: Contact) -> str:
    """The link to open a case from the contact, or "" when the user may not or a case exists. The
    cases app sits above intake: without it installed there is no link."""
    if contact.outcome == Outcome.CASE_OPENED or contact.kind != ContactKind.DATA:
        return ""
    if not scope_for(user, Action.CASE_OPEN).contains(place_of(contact)):
        return ""
    try:
        return f"{reverse('cases:open')}?contact={contact.pk}"
    except NoReverseMatch:
        return ""


def reason_rows(checked: list[str]) -> list[dict[str, Any]]:
    """The selectable reasons in tree order, for the filterable list of checkboxes."""
    chosen = set(checked)
    return [
        {
            "code": r.code,
            "label": r.label,
            "depth": r.depth,
            "search": normalize_name(f"{r.label} {taxonomy.label(r.parent) if r.parent else ''}"),
            "checked": r.code in chosen,
        }
        for r in taxonomy.selectable()
    ]


def contact_data(form: intake_forms.ContactForm, children: list[services.ChildEntry]) -> services.ContactData:
    data = form.cleaned_data
    return services.ContactData(
        channel=data["channel"],
        kind=form.kind(),
        non_data_type=form.non_data_type(),
        line=form.line_value(),
        received_at=data.get("received_at"),
        reasons=data["reasons"],
        caller_anonymous=data["caller_anonymous"],
        caller_name=data["caller_name"],
        caller_phone=data["caller_phone"],
        caller_relationship=data["caller_relationship"],
        caller_consents_to_identity=data["caller_consents_to_identity"],
        commune=data.get("commune"),
        place_text=data["place_text"],
        urgency=form.urgency_value(),
        narrative=data["narrative"],
        outcome=data["outcome"],
        referred_to=data.get("referred_to"),
        children=children,
        caller_agreed=data["caller_agreed"],
        emergency_override=data["emergency_override"],
        override_reason=data["override_reason"],
    )


def form_context(form: intake_forms.ContactForm) -> dict[str, Any]:
    """The radios of the contact form with their keyboard shortcuts, and the other shortcuts shown."""
    return {
        "type_radios": [
            {
                "radio": w,
                "key": intake_forms.TYPE_KEYS[w.data["value"]],
                "non_data": w.data["value"] != intake_forms.DATA,
            }
            for w in form["contact_type"]
        ],
        "channel_radios": [
            {"radio": w, "key": intake_forms.CHANNEL_KEYS[w.data["value"]]} for w in form["channel"]
        ],
        "key_emergency": intake_forms.KEY_EMERGENCY,
        "key_reasons": intake_forms.KEY_REASONS,
        "key_children": intake_forms.KEY_CHILDREN,
        "key_phone": intake_forms.KEY_PHONE,
    }


# --- the intake screen -------------------------------------------------------------------------------


def _intake_form(
    user: Any, data: Any = None, initial: dict[str, Any] | None = None
) -> intake_forms.IntakeForm:
    return intake_forms.IntakeForm(
        data,
        initial=initial,
        communes=communes_for(user, Action.CONTACT_TAKE),
        referral_communes=referral_communes(user),
        lines=lines_for(user),
    )


def _initial(user: Any, lines: dict[str, Line]) -> dict[str, Any]:
    """A fresh form: the line this user used last (else their province's, else 111), their commune when
    they work in one only, and a new submission key."""
    initial: dict[str, Any] = {"submission": uuid.uuid4().hex}
    last = Contact.objects.filter(counsellor=user, line__active=True).order_by("-received_at").first()
    provincial = [n for n, line in lines.items() if line.province_id is not None]
    if last is not None and last.line is not None and last.line.number in lines:
        initial["line"] = last.line.number
    elif provincial:
        initial["line"] = provincial[0]
    elif lines:
        initial["line"] = next(iter(lines))
    own = list(communes_for(user, Action.CONTACT_TAKE)[:2])
    if len(own) == 1:
        initial["commune"] = own[0].pk
    return initial


def _submission_hash(form: intake_forms.IntakeForm, children: list[services.ChildEntry]) -> str:
    fields = {k: v.pk if isinstance(v, AdminUnit) else v for k, v in form.cleaned_data.items()}
    return idempotency.body_hash({**fields, "children": [vars(c) for c in children]})


@require_http_methods(["GET", "POST"])
@login_required
def contact_new(request: HttpRequest) -> HttpResponse:
    require_any(request, Action.CONTACT_TAKE)
    status = 200
    if request.method == "POST":
        form = _intake_form(request.user, request.POST)
        rows = intake_forms.ChildEntryFormSet(request.POST, prefix="child")
        if form.is_valid() and rows.is_valid():
            children = [services.ChildEntry(child_id=pk) for pk in form.cleaned_data["linked_children"]]
            children += [entry for row in rows if (entry := row.entry()) is not None]
            try:
                recorded = services.contact_create(
                    actor=request.user,
                    data=contact_data(form, children),
                    idempotency_key=form.cleaned_data["submission"],
                    request_hash=_submission_hash(form, children),
                )
            except ValidationError as error:
                contact_errors_to_form(form, error)
            except idempotency.KeyReused:
                form.add_error(
                    None, _("This form was sent already with other details. Open a new intake form.")
                )
            else:
                return _saved(request, recorded.contact)
        status = 400
    else:
        form = _intake_form(request.user)
        form.initial = _initial(request.user, form.lines)
        rows = intake_forms.ChildEntryFormSet(prefix="child")
    return render(request, "intake/contact_new.html", _screen_context(request, form, rows), status=status)


def _saved(request: HttpRequest, contact: Contact) -> HttpResponse:
    """After a save: an emergency goes to its page, which offers to open a case at once; anything else
    back to a fresh screen for the next call."""
    if contact.urgency == "emergency":
        return HttpResponseRedirect(f"{reverse('intake:detail', args=[contact.pk])}?saved=1")
    messages.success(request, _("Contact no. %(number)s is saved.") % {"number": contact.pk})
    return HttpResponseRedirect(reverse("intake:new"))


def _screen_context(
    request: HttpRequest, form: intake_forms.IntakeForm, rows: BaseFormSet[intake_forms.ChildEntryForm]
) -> dict[str, Any]:
    checked = request.POST.getlist("reasons") if form.is_bound else []
    linked = (
        form.cleaned_data.get("linked_children", [])
        if form.is_bound and hasattr(form, "cleaned_data")
        else []
    )
    return {
        "form": form,
        "rows": rows,
        "reasons": reason_rows(checked),
        "linked": _child_rows(request.user, _linked_children(request.user, linked), chosen=True),
        "panel": _panel(request.user),
        **form_context(form),
    }


def _linked_children(user: Any, ids: list[int]) -> list[Any]:
    """The registered children already chosen on a form that came back, as the user may see them."""
    out = []
    for pk in ids:
        try:
            out.append(get_child_for_user(user, pk))
        except (Http404, PermissionDenied):  # out of scope or gone: the service says so on save
            continue
    return out


# --- htmx partials -----------------------------------------------------------------------------------


@require_POST
@login_required
def previous_caller(request: HttpRequest) -> HttpResponse:
    """The partial under the phone field: "called N times before, last on …"."""
    require_any(request, Action.CONTACT_TAKE)
    previous = selectors.previous_contacts(request.user, phone=request.POST.get("caller_phone", ""))
    if previous.shown:
        selectors.record_list_view(request.user, previous.shown, page="previous_caller")
    return render(request, "intake/_previous.html", {"previous": previous, "subject": "caller"})


@require_POST
@login_required
def child_search(request: HttpRequest) -> HttpResponse:
    """The partial of registered children: those chosen (kept checked) and those matching the name typed,
    each with how many contacts were about them before."""
    require_any(request, Action.CONTACT_TAKE)
    if not can(request.user, Action.CHILD_VIEW):
        raise PermissionDenied
    form = intake_forms.ChildSearchForm(request.POST)
    form.is_valid()
    chosen = _linked_children(request.user, form.cleaned_data.get("linked_children") or [])
    text = (form.cleaned_data.get("child_q") or "").strip()
    found: list[Any] = []
    if len(normalize_name(text)) >= 2:
        filters = registry_selectors.ChildFilter(q=text)
        taken = {c.pk for c in chosen}
        matches = registry_selectors.children_for(request.user, filters)[: CHILD_RESULTS + len(taken)]
        found = [c for c in matches if c.pk not in taken][:CHILD_RESULTS]
        registry_selectors.record_list_view(request.user, found, filters=filters)
    results = _child_rows(request.user, chosen, chosen=True) + _child_rows(request.user, found, chosen=False)
    return render(request, "intake/_children.html", {"results": results, "searched": len(text) >= 2})


def _child_rows(user: Any, children: list[Any], *, chosen: bool) -> list[dict[str, Any]]:
    previous = selectors.previous_by_child(user, [c.pk for c in children])
    return [{"child": c, "chosen": chosen, "previous": previous.get(c.pk)} for c in children]


def _panel_context(user: Any) -> dict[str, Any]:
    panel = selectors.open_emergencies(user)
    return {
        "contacts": [
            {
                "contact": c,
                "reasons": [taxonomy.label(r.code) for r in c.reasons.all()],
                "open_url": case_open_url(user, c),
            }
            for c in panel.contacts
        ],
        "others": panel.others,
        "token": f"{','.join(str(c.pk) for c in panel.contacts)}:{panel.others}",
    }


def _record_panel(user: Any, context: dict[str, Any]) -> None:
    if context["contacts"]:
        audit.record(
            actor=user,
            action=AuditAction.VIEW,
            object_type=CONTACT_TYPE,
            object_id="list",
            changes={"page": "emergencies", "shown": [row["contact"].pk for row in context["contacts"]]},
        )


def _panel(user: Any) -> dict[str, Any]:
    """The emergency panel as a page shows it (the view audited)."""
    context = _panel_context(user)
    _record_panel(user, context)
    return context


@require_GET
@login_required
def emergencies(request: HttpRequest) -> HttpResponse:
    """The emergency panel, polled by the intake screen. It answers 204 (htmx keeps the panel) while the
    open emergencies are the ones the page already shows, so polling writes nothing to the trail."""
    require_any(request, Action.CONTACT_TAKE, Action.CONTACT_VIEW)
    context = _panel_context(request.user)
    if request.GET.get("shown") == context["token"]:
        return HttpResponse(status=204)
    _record_panel(request.user, context)
    return render(request, "intake/_emergencies.html", {"panel": context})
