"""The referral pages (the received and sent lists, sending, one referral with its answer) and the
writes of the case page's services section (add a service to the plan, move one along).

Views only translate: a referral comes through `get_referral_for_user` (404 when not the viewer's to
see, 403 when they may see it but not answer it), a case through `get_case_for_user`, a contact through
`get_contact_for_user`; lists through the selectors; every write through a service. Every page that
shows a child's name or what was passed on writes a "view" event in the audit trail.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.forms import errors_to_form
from mangnon.core.models import AuditAction
from mangnon.intake.access import can_see_contact, get_contact_for_user, place_of
from mangnon.intake.codes import ContactKind, Outcome
from mangnon.intake.models import Contact

from . import plan_services
from . import referral_selectors as selectors
from . import referral_services as services
from .access import get_case_for_user
from .codes import ReferralStatus, ServiceStatus
from .models import Case, Referral
from .referral_access import get_referral_for_user, may_answer, may_use_referrals
from .referral_forms import (
    ReferralAcceptForm,
    ReferralFilterForm,
    ReferralRejectForm,
    ReferralSendForm,
    ServiceAddForm,
    ServiceChangeForm,
)
from .selectors import record_case_view
from .services import Conflict
from .step_forms import providers_for

PAGE_SIZE = 25


def _require(request: HttpRequest) -> None:
    if not may_use_referrals(request.user):
        raise PermissionDenied


def _stale_message() -> str:
    return _("Someone else answered or changed this meanwhile. Check it, then try again.")


# --- lists -------------------------------------------------------------------------------------------


@require_GET
@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    user = request.user
    reads_cases = can(user, Action.CASE_VIEW)
    form = ReferralFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    data = form.cleaned_data if form.is_bound and valid else {}
    default = selectors.Direction.RECEIVED if reads_cases else selectors.Direction.SENT
    direction = data.get("direction") or default
    status = data.get("status") or ""
    referrals = selectors.referrals_for(user, direction=direction, status=status)
    page_obj = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    selectors.record_list_view(user, shown, page=f"list:{direction}", filters={"status": status})
    waiting = {
        d: selectors.referrals_for(user, direction=d, status=ReferralStatus.SENT).count()
        for d in selectors.Direction.CHOICES
    }
    return render(
        request,
        "cases/referrals/referral_list.html",
        {
            "form": form,
            "direction": direction,
            "tabs": [
                {"code": "received", "label": _("Referrals received"), "waiting": waiting["received"]},
                {"code": "sent", "label": _("Referrals sent"), "waiting": waiting["sent"]},
            ],
            "page_obj": page_obj,
            "rows": [
                {
                    "referral": r,
                    "children": selectors.child_names(r),
                    "to_answer": r.status == ReferralStatus.SENT and may_answer(user, r),
                }
                for r in shown
            ],
            "query": urlencode({"direction": direction, **({"status": status} if status else {})}),
        },
        status=200 if valid else 400,
    )


# --- sending -----------------------------------------------------------------------------------------


def _subject(request: HttpRequest) -> tuple[Case | None, Contact | None]:
    source = request.POST if request.method == "POST" else request.GET
    case_id, contact_id = source.get("case", ""), source.get("contact", "")
    if case_id:
        return get_case_for_user(request.user, case_id, Action.CASE_WORK), None
    if contact_id:
        return None, get_contact_for_user(request.user, contact_id, Action.CONTACT_TAKE)
    return None, None


def _audit_subject_view(request: HttpRequest, case: Case | None, contact: Contact | None) -> None:
    """The send page shows the child's name and consent: a view of the case or the contact."""
    if case is not None:
        record_case_view(request.user, case, page="referral_send")
    elif contact is not None:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=contact,
            unit=place_of(contact),
            changes={"page": "referral_send"},
        )


def _submitted(form: ReferralSendForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "to_unit": data["to_unit"].pk if data.get("to_unit") else None,
        "to_org": data["to_org"].pk if data.get("to_org") else None,
        "reason": data["reason"],
        "caller_consent": bool(data.get("caller_consent")),
        "emergency_override": data["emergency_override"],
        "override_reason": data["override_reason"],
    }


@require_http_methods(["GET", "POST"])
@login_required
def referral_send(request: HttpRequest) -> HttpResponse:
    _require(request)
    case, contact = _subject(request)
    if case is None and contact is None:
        return render(request, "cases/referrals/referral_send.html", {"no_subject": True}, status=400)
    units = services.receiving_units(case=case, contact=contact)
    orgs = services.receiving_orgs(case) if case is not None else None
    options: dict[str, Any] = {"units": units, "orgs": orgs, "for_contact": contact is not None}
    status = 200
    if request.method == "POST":
        form = ReferralSendForm(request.POST, **options)
        if form.is_valid():
            data = form.cleaned_data
            try:
                sent = services.referral_send(
                    actor=request.user,
                    case=case,
                    contact=contact,
                    to_unit=data["to_unit"],
                    to_org=data.get("to_org"),
                    reason=data["reason"],
                    caller_consent=bool(data.get("caller_consent")),
                    emergency_override=data["emergency_override"],
                    override_reason=data["override_reason"],
                    idempotency_key=data["submission"],
                    request_hash=idempotency.body_hash(
                        {"case": case and case.pk, "contact": contact and contact.pk, **_submitted(form)}
                    ),
                )
            except ValidationError as error:
                errors_to_form(form, error)
            except idempotency.KeyReused:
                form.add_error(None, _("This form was sent already with other details. Open a new form."))
            else:
                messages.success(request, _("The referral is sent."))
                return HttpResponseRedirect(reverse("referrals:detail", args=[sent.referral.pk]))
        status = 400
    else:
        initial: dict[str, Any] = {"submission": uuid.uuid4().hex}
        if contact is not None and contact.admin_unit_id in {u.pk for u in units}:
            initial["to_unit"] = contact.admin_unit_id  # Decree 56: the commune where it happened
        form = ReferralSendForm(initial=initial, **options)
    _audit_subject_view(request, case, contact)
    children = (
        [case.child.person.full_name]
        if case is not None
        else [
            r.child.person.full_name if r.child is not None else (r.name or "—")
            for r in contact.children.select_related("child__person").order_by("pk")  # type: ignore[union-attr]
        ]
    )
    return render(
        request,
        "cases/referrals/referral_send.html",
        {
            "case": case,
            "contact": contact,
            "children": children,
            "consent": services.subject_consent(case=case, contact=contact),
            "caller_may_consent": contact is not None
            and contact.caller_relationship in services.CALLERS_WHO_CONSENT,
            "form": form,
        },
        status=status,
    )


# --- one referral ------------------------------------------------------------------------------------


def _open_case_url(user: Any, referral: Referral) -> str:
    """After a commune accepts a contact, the link to open a case from it (case_open does the work)."""
    contact = referral.contact
    if (
        contact is None
        or referral.status != ReferralStatus.ACCEPTED
        or referral.to_unit is None
        or contact.kind != ContactKind.DATA
        or contact.outcome == Outcome.CASE_OPENED
        or not scope_for(user, Action.CASE_OPEN).contains(referral.to_unit)
    ):
        return ""
    return f"{reverse('cases:open')}?{urlencode({'contact': contact.pk})}"


def _detail_context(
    request: HttpRequest,
    referral: Referral,
    *,
    accept_form: ReferralAcceptForm | None = None,
    reject_form: ReferralRejectForm | None = None,
    stale: bool = False,
) -> dict[str, Any]:
    user = request.user
    case_scope = scope_for(user, Action.CASE_VIEW)
    answering = referral.status == ReferralStatus.SENT and may_answer(user, referral)
    opened: list[Case] = []
    if referral.contact_id is not None:
        opened = list(Case.objects.filter(case_scope.q("admin_unit"), contact_id=referral.contact_id))
    context: dict[str, Any] = {
        "referral": referral,
        "basis": services.consent_basis(referral),
        "children": selectors.child_names(referral),
        "summary": selectors.contact_summary(user, referral),
        "case_visible": referral.case is not None and case_scope.contains(referral.case.admin_unit),
        "contact_visible": referral.contact is not None and can_see_contact(user, referral.contact),
        "cases_opened": opened,
        "open_case_url": _open_case_url(user, referral),
        "answering": answering,
        "stale": stale,
    }
    if answering:
        context["accept_form"] = accept_form or ReferralAcceptForm(
            initial={"version": referral.version}, prefix="accept"
        )
        context["reject_form"] = reject_form or ReferralRejectForm(
            initial={"version": referral.version}, prefix="reject"
        )
    selectors.record_referral_view(user, referral, page="detail")
    return context


@require_GET
@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    return render(request, "cases/referrals/referral_detail.html", _detail_context(request, referral))


def _answer(request: HttpRequest, pk: int, *, accept: bool) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk, answer=True)
    form_class: Any = ReferralAcceptForm if accept else ReferralRejectForm
    prefix = "accept" if accept else "reject"
    form = form_class(request.POST, prefix=prefix)
    status, stale = 400, False
    if form.is_valid():
        data = form.cleaned_data
        try:
            if accept:
                services.referral_accept(
                    actor=request.user, referral=referral, version=data["version"], note=data["note"]
                )
            else:
                services.referral_reject(
                    actor=request.user, referral=referral, version=data["version"], reason=data["reason"]
                )
        except Conflict as conflict:
            # Keep what was typed, against the current version: the officer reads the referral again.
            status, stale = 409, True
            kept = request.POST.copy()
            kept[f"{prefix}-version"] = str(conflict.current_version)
            form = form_class(kept, prefix=prefix)
            form.is_valid()
            referral = get_referral_for_user(request.user, pk)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request, _("The referral is accepted.") if accept else _("The referral is rejected.")
            )
            return HttpResponseRedirect(reverse("referrals:detail", args=[referral.pk]))
    forms = {"accept_form": form} if accept else {"reject_form": form}
    context = _detail_context(request, referral, stale=stale, **forms)
    return render(request, "cases/referrals/referral_detail.html", context, status=status)


@require_POST
@login_required
def referral_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, accept=True)


@require_POST
@login_required
def referral_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, accept=False)


# --- the services of a plan ---------------------------------------------------------------------------


def _services_anchor(case: Case) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('cases:detail', args=[case.pk])}#case-services")


@require_http_methods(["GET", "POST"])
@login_required
def service_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The add-a-service form: inline in the case page's services section, on its own page with its
    errors (and without JavaScript)."""
    case = get_case_for_user(request.user, pk, Action.CASE_WORK)
    providers = providers_for(case)
    status = 200
    if request.method == "POST":
        form = ServiceAddForm(request.POST, providers=providers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan_services.case_service_add(
                    actor=request.user,
                    case=case,
                    service_type=data["service_type"],
                    provider=data["provider"],
                    description=data["description"],
                    planned_start=data["planned_start"],
                    planned_end=data["planned_end"],
                    idempotency_key=data["submission"],
                    request_hash=idempotency.body_hash(
                        {
                            "case": case.pk,
                            **{k: v for k, v in data.items() if k not in ("submission", "provider")},
                            "provider": data["provider"].pk if data["provider"] else None,
                        }
                    ),
                )
            except ValidationError as error:
                errors_to_form(form, error)
            except idempotency.KeyReused:
                form.add_error(None, _("This form was sent already with other details. Open a new form."))
            else:
                messages.success(request, _("The service is added to the plan."))
                return _services_anchor(case)
        status = 400
    else:
        form = ServiceAddForm(initial={"submission": uuid.uuid4().hex}, providers=providers)
    record_case_view(request.user, case, page="service_add")
    return render(
        request,
        "cases/referrals/service_add.html",
        {"case": case, "form": form, "may_add": case.status in plan_services.ADD_STATUSES},
        status=status,
    )


@require_POST
@login_required
def service_change(request: HttpRequest, pk: int, service: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Action.CASE_WORK)
    row = plan_services.get_service(case, service)
    form = ServiceChangeForm(request.POST)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems))
        return _services_anchor(case)
    data = form.cleaned_data
    target, on = data["status"], data["on"]
    try:
        plan_services.case_service_update(
            actor=request.user,
            service=row,
            version=data["version"],
            status=target,
            started_on=on if target == ServiceStatus.IN_PROGRESS else None,
            delivered_on=on if target == ServiceStatus.DELIVERED else None,
            reason=data["reason"],
        )
    except Conflict:
        messages.error(request, _stale_message())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(service)s: %(status)s.")
            % {"service": row.get_service_type_display(), "status": ServiceStatus(target).label},
        )
    return _services_anchor(case)
