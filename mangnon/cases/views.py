"""The case pages: caseload, list, supervisor dashboard, opening a case, the case page (printable), each
step's form, and assignment.

Views only translate: a case comes through `access.get_case_for_user` (404 outside the scope, 403 when
the action is not allowed), lists through the selectors, every write through a service. Every page
that shows a case (its child's personal data) writes a "view" event in the audit trail.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.formatting import vi_date
from mangnon.core.models import AuditAction
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import AdminUnit, Level
from mangnon.intake.access import get_contact_for_user
from mangnon.intake.models import Contact
from mangnon.registry.access import get_child_for_user
from mangnon.registry.models import Child

from . import case_timeline, selectors, services, step_forms
from .access import get_case_for_user, steps_for
from .forms import UNRATED, AssignForm, CaseFilterForm, OpenForm, StepMetaForm, risk_filter
from .labels import step_label
from .models import Case
from .sections import sections_for
from .selectors import DUE_SOON
from .workflow import TRANSITIONS, Rating, Status, Transition, transition

OPEN_FIELDS = {"commune", "contact_child", "contact", "child", "__all__"}
PAGE_SIZE = 25
CASELOAD_SIZE = 100
DASHBOARD_LIST = 20


def _require(request: HttpRequest, action: Action) -> None:
    if not can(request.user, action):
        raise PermissionDenied


def _communes(user: Any, action: Action) -> list[AdminUnit]:
    """The communes of today where the user may take `action`, in Vietnamese order."""
    units = AdminUnit.objects.valid_on(timezone.localdate()).filter(
        scope_for(user, action).q(""), level__in=(Level.COMMUNE, Level.SPECIAL_ZONE)
    )
    return sorted(units, key=lambda u: vi_sort_key(u.name))


def _errors_to_form(form: Any, error: ValidationError, names: set[str] | None = None) -> None:
    """A service's ValidationError beside the fields it names (the rest above the form). The form has
    been validated already: a field that shows its own problem is not told twice. `names` limits the
    fields taken from the error."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.error_dict.items():
        if names is not None and name not in names:
            continue
        field = name if name in form.fields else None
        if field is not None and form.errors.get(field):
            continue
        if field is None and name.startswith(step_forms.Form04.PREFIX):
            continue  # the plan's service rows show their own problems
        for problem in problems:
            form.add_error(field, problem)


def due_state(case: Case, now: datetime | None = None) -> str:
    """ "overdue", "due_soon" (within 24 hours) or "" for the badge of a case's next deadline."""
    if case.next_due_at is None or case.status == Status.CLOSED:
        return ""
    moment = now or timezone.now()
    if case.next_due_at < moment:
        return "overdue"
    return "due_soon" if case.next_due_at < moment + DUE_SOON else ""


def _rows(cases: list[Case]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [{"case": c, "due_state": due_state(c, now)} for c in cases]


# --- caseload, list, dashboard -----------------------------------------------------------------------


@require_GET
@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    _require(request, Action.CASE_VIEW)
    load = selectors.caseload(request.user)
    mine = list(load.mine[:CASELOAD_SIZE])
    unassigned = list(load.unassigned[:CASELOAD_SIZE])
    to_approve = list(load.to_approve[:CASELOAD_SIZE])
    selectors.record_list_view(request.user, [*mine, *unassigned, *to_approve], page="caseload")
    return render(
        request,
        "cases/caseload.html",
        {
            "mine": _rows(mine),
            "unassigned": _rows(unassigned),
            "to_approve": _rows(to_approve),
            "can_work": can(request.user, Action.CASE_WORK),
            "can_approve": can(request.user, Action.CASE_APPROVE_PLAN),
        },
    )


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.CASE_VIEW)
    form = CaseFilterForm(request.GET or None, communes=_communes(request.user, Action.CASE_VIEW))
    status = 200
    filters: dict[str, Any] = {}
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = {
                "status": data["status"],
                "commune": data["commune"],
                "overdue": data["overdue"],
                "due_soon": data["due_soon"],
                "mine": data["mine"],
                "risk": data["risk"],
            }
        else:
            status = 400
    unit = form.communes.get(filters.get("commune") or "")
    cases = selectors.cases_for(
        request.user,
        status=filters.get("status", ""),
        overdue=True if filters.get("overdue") else None,
        due_soon=bool(filters.get("due_soon")),
        caseworker=request.user if filters.get("mine") else None,
        unit=unit,
        risk=risk_filter(filters.get("risk", "")),
    )
    page_obj = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    selectors.record_list_view(request.user, shown, page="list", filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page_obj": page_obj, "rows": _rows(shown), "query": query.urlencode()},
        status=status,
    )


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, Action.CASE_COUNT)
    choices = selectors.summary_units(request.user)
    code = request.GET.get("unit", "")
    unit = next((u for u in choices if u.code == code), None) if code else (choices[0] if choices else None)
    if unit is None:
        raise Http404
    summary = selectors.supervisor_summary(request.user, unit)
    # Figures need CASE_COUNT; the lists name children, so only cases the viewer may open are listed.
    named = can(request.user, Action.CASE_VIEW)
    overdue = (
        list(selectors.cases_for(request.user, overdue=True, unit=unit)[:DASHBOARD_LIST]) if named else []
    )
    soon = list(selectors.cases_for(request.user, due_soon=True, unit=unit)[:DASHBOARD_LIST]) if named else []
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type=selectors.CASE_TYPE,
        object_id="dashboard",
        unit=unit,
        changes={"shown": [c.pk for c in (*overdue, *soon)]},
    )
    statuses = [{"code": s.value, "label": s.label, "count": summary.by_status[s.value]} for s in Status]
    risks = [
        {"code": code or UNRATED, "label": label, "count": summary.by_risk[code]}
        for code, label in (*Rating.choices, ("", _("Not yet rated")))
    ]
    return render(
        request,
        "cases/dashboard.html",
        {
            "summary": summary,
            "statuses": statuses,
            "risks": risks,
            "units": choices,
            "overdue": _rows(overdue),
            "due_soon": _rows(soon),
            "named": named,
        },
    )


# --- opening -----------------------------------------------------------------------------------------


def _opening_subject(request: HttpRequest) -> tuple[Contact | None, Child | None]:
    source = request.POST if request.method == "POST" else request.GET
    contact_id, child_id = source.get("contact", ""), source.get("child", "")
    contact = get_contact_for_user(request.user, contact_id) if contact_id else None
    child = get_child_for_user(request.user, int(child_id)) if child_id.isdigit() else None
    if child_id and not child_id.isdigit():
        raise Http404
    return contact, child


def _contact_children(contact: Contact | None) -> list[tuple[int, str]]:
    if contact is None:
        return []
    rows = contact.children.select_related("child__person").order_by("pk")
    return [
        (r.pk, r.child.person.full_name if r.child else (r.name or _("Child without a name"))) for r in rows
    ]


def _after_opening(request: HttpRequest, case: Case) -> HttpResponseRedirect:
    if scope_for(request.user, Action.CASE_VIEW).contains(case.admin_unit):
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
    # A hotline counsellor opens cases for the commune but does not read them: back to the contact.
    messages.info(request, _("The commune's officers now see the case in their caseload."))
    if case.contact_id:
        try:
            return HttpResponseRedirect(reverse("intake:detail", args=[case.contact_id]))
        except NoReverseMatch:
            pass
    return HttpResponseRedirect(reverse("accounts:home"))


@require_http_methods(["GET", "POST"])
@login_required
def case_open(request: HttpRequest) -> HttpResponse:
    _require(request, Action.CASE_OPEN)
    contact, child = _opening_subject(request)
    if contact is None and child is None:
        return render(request, "cases/case_open.html", {"no_subject": True}, status=400)
    communes = AdminUnit.objects.filter(pk__in=[u.pk for u in _communes(request.user, Action.CASE_OPEN)])
    children = _contact_children(contact)
    candidates: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        open_form = OpenForm(request.POST, communes=communes, children=children)
        form01 = step_forms.bind("01", request.POST)
        if contact is not None:
            form01.fields["received_at"].disabled = True
            form01.initial["received_at"] = timezone.localtime(contact.received_at)
        if open_form.is_valid():
            choice = open_form.cleaned_data.get("decision") or ""
            chosen_child = child
            if choice.isdigit():
                chosen_child = get_child_for_user(request.user, int(choice))
            fields = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "submission")}
            try:
                opening = services.case_open(
                    actor=request.user,
                    child=chosen_child,
                    contact=contact,
                    contact_child=open_form.cleaned_data.get("contact_child"),
                    commune=open_form.cleaned_data["commune"],
                    form01=request.POST,
                    register_new=choice == "new",
                    idempotency_key=open_form.cleaned_data.get("submission") or "",
                    request_hash=idempotency.body_hash(fields),
                )
            except services.PossibleDuplicate as duplicate:
                candidates = _candidates(request, duplicate)
                open_form.add_error(
                    None,
                    _(
                        "The child may already be registered. Choose the same child below, or confirm that "
                        "this is a new child."
                    ),
                )
            except services.CaseExists as exists:
                open_form.add_error(
                    None,
                    _("This child already has an open case: %(number)s.") % {"number": exists.case.number},
                )
            except ValidationError as error:
                form01.is_valid()
                _errors_to_form(open_form, error, names=OPEN_FIELDS)
                _errors_to_form(form01, error, names=set(form01.fields))
            except idempotency.KeyReused:
                open_form.add_error(
                    None, _("This form was sent already with other details. Open a new form.")
                )
            else:
                messages.success(request, _("Case %(number)s is opened.") % {"number": opening.case.number})
                return _after_opening(request, opening.case)
        status = 400
    else:
        subject_child = child
        if subject_child is None and contact is not None:
            linked = contact.children.select_related("child__person").filter(child__isnull=False).first()
            subject_child = linked.child if linked is not None else None
        initial = services.form01_prefill(
            child=subject_child, contact=contact, received_at=contact.received_at if contact else None
        )
        form01 = step_forms.form_class("01")(initial=initial)
        if contact is not None:
            form01.fields["received_at"].disabled = True
        default = contact.admin_unit if contact is not None and contact.admin_unit_id else None
        default = default or (child.admin_unit if child is not None else None)
        open_form = OpenForm(
            initial={
                "submission": uuid.uuid4().hex,
                "commune": default.pk if default and communes.filter(pk=default.pk).exists() else None,
            },
            communes=communes,
            children=children,
        )
    _audit_opening_view(request, contact, child)
    return render(
        request,
        "cases/case_open.html",
        {
            "contact": contact,
            "child": child,
            "open_form": open_form,
            "form": form01,
            "candidates": candidates,
        },
        status=status,
    )


def _candidates(request: HttpRequest, duplicate: services.PossibleDuplicate) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for candidate in duplicate.candidates:
        try:
            rows.append(
                {"child": get_child_for_user(request.user, candidate.child_id), "level": candidate.level}
            )
        except (Http404, PermissionDenied):
            continue
    if rows:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="registry.child",
            object_id="match",
            changes={"page": "case_open_candidates", "shown": [r["child"].pk for r in rows]},
        )
    return rows


def _audit_opening_view(request: HttpRequest, contact: Contact | None, child: Child | None) -> None:
    """The page shows the contact's or the child's details (the prefilled Mẫu 01)."""
    if contact is not None:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=contact,
            unit=contact.admin_unit,
            changes={"page": "case_open"},
        )
    if child is not None:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=child,
            unit=child.admin_unit,
            changes={"page": "case_open"},
        )


# --- the case page -----------------------------------------------------------------------------------


def _timeline(case: Case) -> list[case_timeline.Entry]:
    return case_timeline.case_timeline(case)


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    now = timezone.now()
    deadlines = selectors.case_deadlines(case)
    return {
        "case": case,
        "child": case.child,
        "person": case.child.person,
        "due_state": due_state(case, now),
        "deadlines": [
            {
                "deadline": d,
                "overdue": d.met_at is None and not d.cancelled and d.due_at < now,
                "late": d.met_at is not None and d.met_at > d.due_at,
            }
            for d in deadlines
        ],
        "timeline": _timeline(case),
        "can_see_child": scope_for(request.user, Action.CHILD_VIEW).contains(case.child.admin_unit),
    }


@require_GET
@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    context = _case_context(request, case)
    context["next_steps"] = [
        {"transition": t, "label": step_label(t.name)} for t in steps_for(request.user, case)
    ]
    context["sections"] = sections_for(request, case)
    unit = case.admin_unit
    may_assign = case.status != Status.CLOSED and (
        scope_for(request.user, Action.CASE_WORK).contains(unit)
        or scope_for(request.user, Action.CASE_SUPERVISE).contains(unit)
    )
    if may_assign:
        context["assign_form"] = AssignForm(
            initial={"version": case.version, "caseworker": case.caseworker_id},
            workers=selectors.caseworkers_for(case),
        )
    selectors.record_case_view(request.user, case, page="case")
    return render(request, "cases/case_detail.html", context)


@require_GET
@login_required
def case_print(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    context = _case_context(request, case)
    context["services"] = selectors.case_services(case)
    context["printed_on"] = vi_date(timezone.localdate())
    selectors.record_case_view(request.user, case, page="print")
    return render(request, "cases/case_print.html", context)


# --- steps -------------------------------------------------------------------------------------------


def _step_initial(request: HttpRequest, case: Case, found: Transition) -> dict[str, Any]:
    if found.name == "approve_plan":
        return {"signer": str(request.user), "decision_date": timezone.localdate()}
    if found.name == "replan":
        plan = services.latest_form_data(case, "04")
        return {k: plan.get(k) for k in ("goals", "responsible", "notes")}
    return {}


@require_http_methods(["GET", "POST"])
@login_required
def case_step(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    found = transition(case.status, to)
    if found is None and request.method == "POST" and request.POST.get("version") != str(case.version):
        # The case moved on while this form was being filled in: the service answers "stale" and the
        # page keeps what was typed.
        found = next((t for t in TRANSITIONS if t.target == to), None)
    if found is None:
        messages.error(request, _("This step is not possible at the case's current stage."))
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
    case = get_case_for_user(request.user, pk, found.action)
    stale = False
    status = 200
    if request.method == "POST":
        meta = StepMetaForm(request.POST)
        form = step_forms.bind(found.form, request.POST, case=case, transition=found)
        if meta.is_valid():
            try:
                services.case_transition(
                    actor=request.user,
                    case=case,
                    to=to,
                    version=meta.cleaned_data["version"],
                    data=request.POST,
                    reason=meta.cleaned_data["reason"],
                )
            except services.Conflict as conflict:
                # Keep what was typed, now against the current version: after checking the case the
                # officer may send it again on purpose.
                stale, status = True, 409
                kept = request.POST.copy()
                kept["version"] = str(conflict.current_version)
                meta = StepMetaForm(kept)
                meta.is_valid()
                form = step_forms.bind(found.form, kept, case=case, transition=found)
                form.is_valid()
            except services.TransitionNotAllowed:
                messages.error(request, _("This step is not possible at the case's current stage."))
                return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
            except services.StillAtRisk:
                meta.add_error(None, _still_at_risk_message())
                status = 409
            except ValidationError as error:
                form.is_valid()
                _errors_to_form(meta, error, names={"reason"})
                _errors_to_form(form, error, names=set(error.error_dict) - {"reason"})
                status = 400
            else:
                messages.success(request, _("Recorded: %(step)s.") % {"step": step_label(found.name)})
                return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
        else:
            status = 400
    else:
        meta = StepMetaForm(initial={"version": case.version})
        form = step_forms.form_class(found.form)(
            initial=_step_initial(request, case, found), case=case, transition=found
        )
    selectors.record_case_view(request.user, case, page=f"step:{found.name}")
    return render(
        request,
        "cases/case_step.html",
        {
            "case": case,
            "transition": found,
            "label": step_label(found.name),
            "form": form,
            "meta": meta,
            "services_formset": getattr(form, "services", None),
            "stale": stale,
            "needs_reason": found.needs_reason,
        },
        status=status,
    )


def _still_at_risk_message() -> str:
    return _(
        "The case cannot be closed: the last review does not show that the child is no longer at risk "
        "(remaining harm, the abuser's access and the obstacles all low, the child's capacity not low, and "
        "the child stable). Make a new plan instead."
    )


@require_POST
@login_required
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = AssignForm(request.POST, workers=selectors.caseworkers_for(case))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
    try:
        services.case_assign(
            actor=request.user,
            case=case,
            caseworker=form.cleaned_data["caseworker"],
            version=form.cleaned_data["version"],
        )
    except services.Conflict:
        messages.error(request, _("Someone else changed the case meanwhile. Check it, then assign again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The caseworker is assigned."))
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
