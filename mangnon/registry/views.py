"""The registry's pages: the child list, profile (and its printable version), registration with the
duplicate check as you type, editing, classifications and risks, and the household page.

Views only translate: children come through `access.get_child_for_user` (404 outside the scope, 403
when the action is not allowed), lists through the selectors, every write through a service. Every page
that shows a child's personal data writes a "view" event in the audit trail, naming the sensitive
facts it showed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import can, get_scoped_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.formatting import vi_date
from mangnon.core.forms import errors_to_form
from mangnon.core.models import AuditAction
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import AdminUnit, Level

from . import listing, matching, selectors, services, timeline
from .access import can_see_sensitive, get_child_for_user, is_sensitive_group, is_sensitive_risk
from .codes import SpecialGroup
from .forms import (
    ChildEditForm,
    ChildFilterForm,
    CircumstanceForm,
    EndForm,
    RegistrationForm,
    RiskFlagForm,
)
from .models import Child, Household, RegistrationDecision

PAGE_SIZE = 25
CHILD_TYPE = "registry.child"

REASON_LABELS = {
    "name_exact": gettext_lazy("same name"),
    "name_parts_swapped": gettext_lazy("same name, words in another order"),
    "name_similar": gettext_lazy("similar name"),
    "dob_exact": gettext_lazy("same date of birth"),
    "dob_day_month_swapped": gettext_lazy("date of birth with day and month swapped"),
    "birth_year_same": gettext_lazy("same year of birth"),
    "birth_year_close": gettext_lazy("year of birth close"),
    "sex_match": gettext_lazy("same sex"),
    "same_commune": gettext_lazy("same commune"),
    "parent_name": gettext_lazy("a parent's name matches"),
    "address": gettext_lazy("similar address"),
}
LEVEL_LABELS = {matching.LIKELY: gettext_lazy("likely"), matching.POSSIBLE: gettext_lazy("possible")}


# --- helpers ---------------------------------------------------------------------------------------


def _require(request: HttpRequest, action: Action) -> None:
    if not can(request.user, action):
        raise PermissionDenied


def _communes(user: Any, action: Action) -> list[AdminUnit]:
    """The communes of today the user may take `action` in, in Vietnamese order (reference data)."""
    scope = scope_for(user, action)
    units = AdminUnit.objects.valid_on(timezone.localdate()).filter(
        scope.q(""), level__in=(Level.COMMUNE, Level.SPECIAL_ZONE)
    )
    return sorted(units, key=lambda u: vi_sort_key(u.name))


def _commune_qs(user: Any, action: Action) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(pk__in=[u.pk for u in _communes(user, action)])


def _profile_context(request: HttpRequest, child: Child) -> dict[str, Any]:
    """What the profile shows. Loading the facts audits the view, naming the sensitive facts shown."""
    facts = selectors.child_facts(viewer=request.user, child=child)
    return {
        "child": child,
        "person": child.person,
        "circumstances": facts.circumstances,
        "risks": facts.risk_flags,
        "hidden_sensitive": facts.hidden,
        "caregivers": list(child.caregivers.select_related("person").order_by("-is_primary", "pk")),
        "consents": list(child.consents.select_related("given_by").order_by("-given_on", "pk")),
        "timeline": timeline.child_timeline(viewer=request.user, child=child, facts=facts),
        "can_edit": scope_for(request.user, Action.CHILD_EDIT).contains(child.admin_unit),
    }


def _allowed_groups(user: Any, child: Child) -> list[tuple[str, Any]]:
    sensitive_ok = can_see_sensitive(user, child)
    return [(k, v) for k, v in SpecialGroup.choices if sensitive_ok or not is_sensitive_group(k)]


def _allowed_risks(user: Any, child: Child) -> list[tuple[str, Any]]:
    from .codes import RiskType

    sensitive_ok = can_see_sensitive(user, child)
    return [(k, v) for k, v in RiskType.choices if sensitive_ok or not is_sensitive_risk(k)]


# --- list --------------------------------------------------------------------------------------------


def _export_links(query: dict[str, str]) -> list[dict[str, str]]:
    # The export takes the list's filters except risk and age (it has no such filters).
    kept = {k: v for k, v in query.items() if k in ("q", "commune", "group", "status")}
    links = []
    for fmt, label in (("xlsx", "Excel (XLSX)"), ("csv", "CSV")):
        try:
            url = reverse("registry_export:children", kwargs={"fmt": fmt})
        except NoReverseMatch:  # the export pages are not installed
            return []
        links.append({"format": fmt, "label": label, "url": f"{url}?{urlencode(kept)}" if kept else url})
    return links


COUNTED_LABELS = {
    selectors.COUNTED_CHILDREN: gettext_lazy("children under 16"),
    selectors.COUNTED_SPECIAL: gettext_lazy("children under 16 in special circumstances"),
    selectors.COUNTED_AT_RISK: gettext_lazy("children under 16 at risk"),
}


def _drill_down(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The filters of a figure's link (metrics.py): the unit by id (404 when there is none; outside the
    viewer's scope `counted_children` answers 404) and the day counted on (default today)."""
    if data["unit"] is None:
        return {}
    unit = AdminUnit.objects.filter(pk=data["unit"]).first()
    if unit is None:
        raise Http404
    day = data["counted_on"] or timezone.localdate()
    return {"counted_unit": unit, "on": day, "counted": data["counted"]}


@require_GET
@login_required
def child_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.CHILD_VIEW)
    form = ChildFilterForm(request.GET or None, communes=_communes(request.user, Action.CHILD_VIEW))
    status = 200
    filters = selectors.ChildFilter()
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = selectors.ChildFilter(
                q=data["q"].strip(),
                commune=data["commune"],
                group=data["group"],
                risk=data["risk"],
                age_min=data["age_min"],
                age_max=data["age_max"],
                status=data["status"],
                sex=data["sex"],
                **_drill_down(request.user, data),
            )
        else:
            status = 400
    children = selectors.children_for(request.user, filters)
    counts = listing.list_counts(viewer=request.user, children=children, on=filters.on)
    page_obj = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    selectors.record_list_view(request.user, shown, filters=filters)
    drill = {"counted_unit", "on"}
    used = {k: str(v) for k, v in filters.__dict__.items() if v not in ("", None) and k not in drill}
    if filters.counted_unit is not None and filters.on is not None:
        used.update(unit=str(filters.counted_unit.pk), counted_on=filters.on.isoformat())
    return render(
        request,
        "registry/child_list.html",
        {
            "form": form,
            "counts": counts,
            "page_obj": page_obj,
            "rows": listing.list_rows(viewer=request.user, children=shown, on=filters.on),
            "counted_unit": filters.counted_unit,
            "counted_on": filters.on,
            "counted_label": COUNTED_LABELS.get(filters.counted or selectors.COUNTED_CHILDREN),
            "query": urlencode(used),
            "export_links": _export_links(used) if can(request.user, Action.CHILD_EXPORT) else [],
            "can_register": can(request.user, Action.CHILD_REGISTER),
            "can_import": can(request.user, Action.CHILD_IMPORT),
        },
        status=status,
    )


# --- profile -----------------------------------------------------------------------------------------


@require_GET
@login_required
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHILD_VIEW)
    child = get_child_for_user(request.user, pk)
    if child.pk != pk:
        # A merged record's id leads to the record it was merged into.
        return HttpResponseRedirect(reverse("registry:detail", args=[child.pk]))
    context = _profile_context(request, child)
    if context["can_edit"]:
        context["circumstance_form"] = CircumstanceForm(groups=_allowed_groups(request.user, child))
        context["risk_form"] = RiskFlagForm(risks=_allowed_risks(request.user, child))
    return render(request, "registry/child_detail.html", context)


@require_GET
@login_required
def child_print(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHILD_VIEW)
    child = get_child_for_user(request.user, pk)
    if child.pk != pk:
        return HttpResponseRedirect(reverse("registry:print", args=[child.pk]))
    context = _profile_context(request, child)
    context["printed_on"] = vi_date(timezone.localdate())
    return render(request, "registry/child_print.html", context)


# --- registration ------------------------------------------------------------------------------------


def _child_data(form: RegistrationForm | ChildEditForm, *, with_parents: bool) -> services.ChildData:
    data = form.cleaned_data
    return services.ChildData(
        full_name=data["full_name"],
        sex=data["sex"],
        commune=data.get("commune"),
        date_of_birth=data.get("date_of_birth"),
        birth_year=data.get("birth_year"),
        birth_year_estimated=bool(data.get("birth_year_estimated")),
        ethnicity=data.get("ethnicity", ""),
        id_number=data.get("id_number", ""),
        phone=data.get("phone", ""),
        address=data.get("address", ""),
        notes=data.get("notes", ""),
        father_name=data.get("father_name", "") if with_parents else "",
        mother_name=data.get("mother_name", "") if with_parents else "",
    )


def _candidate_rows(user: Any, candidates: list[matching.Candidate]) -> list[dict[str, Any]]:
    """The candidates with their records, each loaded through the scope check (never out of scope)."""
    rows = []
    for candidate in candidates:
        try:
            child = get_child_for_user(user, candidate.child_id)
        except (Http404, PermissionDenied):
            continue  # matching reads only the scope; this is the second lock on the same door
        rows.append(
            {
                "child": child,
                "level": candidate.level,
                "level_label": LEVEL_LABELS.get(candidate.level, candidate.level),
                "reason_labels": [str(REASON_LABELS.get(r, r)) for r in candidate.reasons],
            }
        )
    return rows


@require_POST
@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    """The htmx partial: registered children who may be the one being typed, as the officer types."""
    _require(request, Action.CHILD_REGISTER)
    form = RegistrationForm(request.POST, communes=_commune_qs(request.user, Action.CHILD_REGISTER))
    form.is_valid()
    data = form.cleaned_data
    found: list[matching.Candidate] = []
    # Checked once there is a name and a date or year to match on; before that the box stays quiet.
    checked = bool(data.get("full_name") and (data.get("date_of_birth") or data.get("birth_year")))
    if checked:
        found = services.duplicate_candidates(
            actor=request.user,
            data=services.ChildData(
                full_name=data["full_name"],
                sex=data.get("sex", ""),
                commune=data.get("commune"),
                date_of_birth=data.get("date_of_birth"),
                birth_year=data.get("birth_year"),
                address=data.get("address", ""),
                father_name=data.get("father_name") or "",
                mother_name=data.get("mother_name") or "",
            ),
        )
    rows = _candidate_rows(request.user, found)
    if rows:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type=CHILD_TYPE,
            changes={"page": "registration_candidates", "ids": [r["child"].pk for r in rows]},
        )
    return render(request, "registry/_candidates.html", {"candidates": rows, "checked": checked})


def _submission_hash(form: RegistrationForm, choice: str) -> str:
    fields = {k: v.pk if isinstance(v, AdminUnit) else v for k, v in form.cleaned_data.items()}
    return idempotency.body_hash({**fields, "decision": choice})


@require_http_methods(["GET", "POST"])
@login_required
def child_register(request: HttpRequest) -> HttpResponse:
    _require(request, Action.CHILD_REGISTER)
    communes = _commune_qs(request.user, Action.CHILD_REGISTER)
    rows: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        form = RegistrationForm(request.POST, communes=communes)
        choice = request.POST.get("decision", "").strip()
        if form.is_valid():
            decision: str | None = None
            link_to: int | None = None
            if choice == "new":
                decision = RegistrationDecision.Decision.NEW
            elif choice.isdigit():
                decision, link_to = RegistrationDecision.Decision.LINKED, int(choice)
            try:
                result = services.child_register(
                    actor=request.user,
                    data=_child_data(form, with_parents=True),
                    decision=decision,
                    link_to=link_to,
                    idempotency_key=form.cleaned_data.get("submission", ""),
                    request_hash=_submission_hash(form, choice),
                )
            except services.PossibleDuplicate as duplicate:
                rows = _candidate_rows(request.user, duplicate.candidates)
                form.add_error(
                    None,
                    _(
                        "This child may already be registered. Link to the same child below, or confirm "
                        "that this is a new child."
                    ),
                )
            except ValidationError as error:
                errors_to_form(form, error)
            except idempotency.KeyReused:
                form.add_error(
                    None, _("This form was sent already with other details. Open a new registration form.")
                )
            else:
                if result.created:
                    messages.success(request, _("The child is registered."))
                else:
                    messages.success(
                        request,
                        _("Nothing new was created: the entry is linked to the child already registered."),
                    )
                return HttpResponseRedirect(reverse("registry:detail", args=[result.child.pk]))
        status = 400
    else:
        initial: dict[str, Any] = {"submission": uuid.uuid4().hex}
        own = _communes(request.user, Action.CHILD_REGISTER)
        if len(own) == 1:
            initial["commune"] = own[0].pk
        form = RegistrationForm(initial=initial, communes=communes)
    if rows:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type=CHILD_TYPE,
            changes={"page": "registration_candidates", "ids": [r["child"].pk for r in rows]},
        )
    return render(
        request,
        "registry/child_register.html",
        {"form": form, "candidates": rows, "checked": False},
        status=status,
    )


# --- edit --------------------------------------------------------------------------------------------


def _edit_initial(child: Child) -> dict[str, Any]:
    person = child.person
    return {
        "full_name": person.full_name,
        "sex": person.sex,
        "date_of_birth": person.date_of_birth,
        "birth_year": None if person.date_of_birth else person.birth_year,
        "birth_year_estimated": person.birth_year_estimated,
        "ethnicity": person.ethnicity,
        "id_number": person.id_number,
        "phone": person.phone,
        "commune": child.admin_unit_id,
        "address": person.address,
        "notes": child.notes,
        "version": child.version,
    }


@require_http_methods(["GET", "POST"])
@login_required
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHILD_EDIT)
    child = get_child_for_user(request.user, pk, Action.CHILD_EDIT)
    if child.pk != pk:
        return HttpResponseRedirect(reverse("registry:edit", args=[child.pk]))
    # The commune is shown but changed only by a move: the field offers the child's own commune.
    communes = AdminUnit.objects.filter(pk=child.admin_unit_id)
    stale = False
    status = 200
    if request.method == "POST":
        form = ChildEditForm(request.POST, communes=communes)
        if form.is_valid():
            data = _child_data(form, with_parents=False)
            changes = {
                "full_name": data.full_name,
                "sex": data.sex,
                "date_of_birth": data.date_of_birth,
                "birth_year": None if data.date_of_birth else data.birth_year,
                "birth_year_estimated": data.birth_year_estimated,
                "ethnicity": data.ethnicity,
                "id_number": data.id_number,
                "phone": data.phone,
                "address": data.address,
                "notes": data.notes,
            }
            if data.date_of_birth is not None:
                changes["birth_year"] = data.date_of_birth.year
            try:
                services.child_update(
                    actor=request.user, child=child, version=form.cleaned_data["version"], changes=changes
                )
            except services.Conflict as conflict:
                # Keep what the user typed, now against the current version: after checking the record
                # they may save again on purpose.
                stale, status = True, 409
                kept = request.POST.copy()
                kept["version"] = str(conflict.current_version)
                form = ChildEditForm(kept, communes=communes)
                form.is_valid()
            except ValidationError as error:
                errors_to_form(form, error)
                status = 400
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("registry:detail", args=[child.pk]))
        else:
            status = 400
    else:
        form = ChildEditForm(initial=_edit_initial(child), communes=communes)
    # The form shows the child's details: the view is audited like the profile's.
    selectors.child_facts(viewer=request.user, child=child)
    return render(
        request, "registry/child_edit.html", {"form": form, "child": child, "stale": stale}, status=status
    )


# --- classifications and risks -----------------------------------------------------------------------


def _back(child: Child) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("registry:detail", args=[child.pk]))


def _form_error_message(form: Any) -> str:
    problems: list[str] = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        problems.extend(f"{label}: {e}" if label else str(e) for e in errors)
    return " ".join(problems)


def _service_error_message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _apply(request: HttpRequest, child: Child, write: Callable[[], object], done: str) -> HttpResponse:
    """Run one write service for the profile's forms: its refusal or its success becomes a message."""
    try:
        write()
    except ValidationError as error:
        messages.error(request, _service_error_message(error))
    else:
        messages.success(request, done)
    return _back(child)


@require_POST
@login_required
def circumstance_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHILD_EDIT)
    child = get_child_for_user(request.user, pk, Action.CHILD_EDIT)
    form = CircumstanceForm(request.POST, groups=_allowed_groups(request.user, child))
    if not form.is_valid():
        messages.error(request, _form_error_message(form))
        return _back(child)
    data = form.cleaned_data
    return _apply(
        request,
        child,
        lambda: services.circumstance_add(
            actor=request.user,
            child=child,
            group=data["group"],
            start_date=data["start_date"],
            sub_group=data["sub_group"],
            source=data["source"],
            note=data["note"],
        ),
        _("The special circumstance is recorded."),
    )


@require_POST
@login_required
def circumstance_end(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    return _end_period(
        request, pk, lambda child: child.circumstances.filter(pk=item).first(),
        sensitive=lambda row: is_sensitive_group(row.group),
        end=lambda row, day: services.circumstance_end(actor=request.user, circumstance=row, end_date=day),
        done=_("The special circumstance is ended."),
    )  # fmt: skip


def _end_period(
    request: HttpRequest,
    pk: int,
    find: Callable[[Child], Any],
    *,
    sensitive: Callable[[Any], bool],
    end: Callable[[Any, date], object],
    done: str,
) -> HttpResponse:
    """End a circumstance or a risk from the profile: the row must be the child's, and a sensitive one
    is ended only by those who may see it."""
    _require(request, Action.CHILD_EDIT)
    child = get_child_for_user(request.user, pk, Action.CHILD_EDIT)
    row = find(child)
    if row is None:
        raise Http404
    if sensitive(row) and not can_see_sensitive(request.user, child):
        raise PermissionDenied
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error_message(form))
        return _back(child)
    end_date = form.cleaned_data["end_date"]
    return _apply(request, child, lambda: end(row, end_date), done)


@require_POST
@login_required
def risk_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHILD_EDIT)
    child = get_child_for_user(request.user, pk, Action.CHILD_EDIT)
    form = RiskFlagForm(request.POST, risks=_allowed_risks(request.user, child))
    if not form.is_valid():
        messages.error(request, _form_error_message(form))
        return _back(child)
    data = form.cleaned_data
    return _apply(
        request,
        child,
        lambda: services.risk_flag_add(
            actor=request.user,
            child=child,
            risk_type=data["risk_type"],
            start_date=data["start_date"],
            source=data["source"],
            note=data["note"],
        ),
        _("The risk is recorded."),
    )


@require_POST
@login_required
def risk_end(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    return _end_period(
        request, pk, lambda child: child.risk_flags.filter(pk=item).first(),
        sensitive=lambda row: is_sensitive_risk(row.risk_type),
        end=lambda row, day: services.risk_flag_end(actor=request.user, flag=row, end_date=day),
        done=_("The risk is ended."),
    )  # fmt: skip


# --- household ---------------------------------------------------------------------------------------


@require_GET
@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CHILD_VIEW)
    household = get_scoped_or_404(
        Household.objects.select_related("admin_unit", "head"), request.user, Action.CHILD_VIEW, pk=pk
    )
    children = list(selectors.children_for(request.user, selectors.ChildFilter(household=household.pk)))
    # One event for the page: the household (its members' names) and the children it listed.
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=household,
        unit=household.admin_unit,
        changes={"children": [c.pk for c in children]},
    )
    members = list(household.members.select_related("person").order_by("pk"))
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "children": children,
            "members": members,
            "statuses": list(household.statuses.order_by("-year")),
        },
    )
