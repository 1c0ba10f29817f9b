"""The registry's action pages: move a child, merge two records of one child, consent, caregivers and
households.

Like views.py, they only translate. Records come through `access` (404 outside the scope, 403 when the
role may not take the action), every write through the services; when one page does two writes (a
consent given by a carer not recorded yet, a household made for a child) they share one transaction, so
a refusal writes nothing. A refusal is shown beside the form; a success redirects to the profile or the
household page with a message. Every page that shows a child's or a household's details audits the view.
Helpers come from views.py, so a profile sent back with a form's errors is the profile views.py shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction

from . import matching, selectors, services
from .access import get_child_for_user, get_household_for_user
from .action_forms import (
    CaregiverForm,
    ConsentForm,
    HouseholdCreateForm,
    HouseholdMemberForm,
    HouseholdStatusForm,
    MergeForm,
    MergeLookupForm,
    MoveForm,
    WithdrawForm,
)
from .codes import Relationship
from .forms import CircumstanceForm, RiskFlagForm
from .models import Caregiver, Child, Household, Person
from .views import (
    CHILD_TYPE,
    LEVEL_LABELS,
    REASON_LABELS,
    _allowed_groups,
    _allowed_risks,
    _apply,
    _communes,
    _form_error_message,
    _profile_context,
    _require,
)

PARENTS = (Relationship.FATHER, Relationship.MOTHER)  # their names help the duplicate matcher
# A carer typed into the consent form is recorded as a caregiver first: its errors belong to these fields.
CONSENT_CARER_FIELDS = {
    "full_name": "other_name",
    "relationship": "other_relationship",
    "person": "other_name",
}


# --- helpers ---------------------------------------------------------------------------------------


def _refused(
    form: forms.Form, error: ValidationError | PermissionDenied, rename: Mapping[str, str] | None = None
) -> int:
    """A service's refusal beside the fields it names (the rest above the form); the status to answer."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, _("You may not make this change to this record."))
        return 403
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            field = (rename or {}).get(name, name)
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        form.add_error(None, error)
    return 400


def _attempt(form: forms.Form, write: Callable[[], object], rename: Mapping[str, str] | None = None) -> int:
    """Run the writes in one transaction: 0 when done, else the status, with the refusal on the form."""
    try:
        with transaction.atomic():
            write()
    except (ValidationError, PermissionDenied) as error:
        return _refused(form, error, rename)
    return 0


def _audit_page(request: HttpRequest, obj: Child | Household, page: str) -> None:
    audit.record(
        actor=request.user, action=AuditAction.VIEW, obj=obj, unit=obj.admin_unit, changes={"page": page}
    )


def _profile(child: Child, section: str = "") -> HttpResponseRedirect:
    url = reverse("registry:detail", args=[child.pk])
    return HttpResponseRedirect(f"{url}#{section}" if section else url)


def _household_page(household: Household) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("registry:household", args=[household.pk]))


def _edit_child(request: HttpRequest, pk: int, action: Action = Action.CHILD_EDIT) -> Child:
    _require(request, action)
    return get_child_for_user(request.user, pk, action)


def _profile_page(request: HttpRequest, child: Child, status: int, **forms_sent: forms.Form) -> HttpResponse:
    """The profile as views.child_detail shows it, with a form sent back beside its errors."""
    context = _profile_context(request, child)
    context["circumstance_form"] = CircumstanceForm(groups=_allowed_groups(request.user, child))
    context["risk_form"] = RiskFlagForm(risks=_allowed_risks(request.user, child))
    context.update(forms_sent)
    return render(request, "registry/child_detail.html", context, status=status)


def _caregivers(child: Child) -> list[Caregiver]:
    return list(child.caregivers.select_related("person").order_by("-is_primary", "pk"))


# --- move --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def child_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a child to another commune today; the choices are the communes the officer may register in."""
    child = _edit_child(request, pk)
    if child.pk != pk:
        return HttpResponseRedirect(reverse("registry:move", args=[child.pk]))
    communes = [u for u in _communes(request.user, Action.CHILD_REGISTER) if u.pk != child.admin_unit_id]
    stale, status = False, 200
    if request.method == "POST":
        form = MoveForm(request.POST, communes=communes)
        if form.is_valid():
            to_unit = form.chosen_commune()
            try:
                services.child_move(
                    actor=request.user, child=child, to_unit=to_unit, version=form.cleaned_data["version"]
                )
            except services.Conflict as conflict:
                # Keep the choice, now against the current version: after a look they may send it again.
                stale, status = True, 409
                kept = request.POST.copy()
                kept["version"] = str(conflict.current_version)
                form = MoveForm(kept, communes=communes)
                form.is_valid()
            except (ValidationError, PermissionDenied) as error:
                status = _refused(form, error)
            else:
                messages.success(request, _("The child is moved to %(commune)s.") % {"commune": to_unit.name})
                return _profile(child)
        else:
            status = 400
    else:
        form = MoveForm(initial={"version": child.version}, communes=communes)
    _audit_page(request, child, "move")
    return render(
        request,
        "registry/child_move.html",
        {"child": child, "person": child.person, "form": form, "stale": stale},
        status=status,
    )


# --- merge -------------------------------------------------------------------------------------------


def _other_record(request: HttpRequest, child: Child, form: MergeLookupForm) -> Child | None:
    """The record named in the form if the officer may merge it with `child`; else None, said on the form."""
    number = form.cleaned_data["other"]
    try:
        other = get_child_for_user(request.user, number, Action.CHILD_MERGE)
    except (Http404, PermissionDenied):
        # The same words whether the record does not exist or lies outside the scope.
        form.add_error("other", _("There is no record with this number that you may merge."))
        return None
    if other.pk != number:
        form.add_error("other", _("This record has been merged already."))
        return None
    if other.pk == child.pk:
        form.add_error("other", _("A record cannot be merged into itself."))
        return None
    return other


def _merge_candidates(request: HttpRequest, child: Child) -> list[dict[str, Any]]:
    """Records in the officer's merge scope that may be the same child, each loaded through the scope."""
    person = child.person
    parents = [c.person.full_name for c in _caregivers(child) if c.relationship in PARENTS]
    found = matching.find_candidates(
        full_name=person.full_name,
        sex=person.sex,
        date_of_birth=person.date_of_birth,
        birth_year=person.birth_year,
        commune=child.admin_unit,
        within=scope_for(request.user, Action.CHILD_MERGE).q("admin_unit"),
        exclude_ids=[child.pk],
        parents=parents,
        address=person.address,
    )
    rows: list[dict[str, Any]] = []
    for candidate in found:
        try:
            record = get_child_for_user(request.user, candidate.child_id, Action.CHILD_MERGE)
        except (Http404, PermissionDenied):
            continue
        rows.append(
            {
                "child": record,
                "level": candidate.level,
                "level_label": LEVEL_LABELS.get(candidate.level, candidate.level),
                "reason_labels": [str(REASON_LABELS.get(r, r)) for r in candidate.reasons],
            }
        )
    if rows:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type=CHILD_TYPE,
            unit=child.admin_unit,
            changes={"page": "merge_candidates", "ids": [r["child"].pk for r in rows]},
        )
    return rows


def _side(request: HttpRequest, child: Child) -> dict[str, Any]:
    """One column of the comparison (loading the facts audits the view of the record)."""
    facts = selectors.child_facts(viewer=request.user, child=child)
    return {
        "child": child,
        "person": child.person,
        "circumstances": facts.circumstances,
        "risks": facts.risk_flags,
        "hidden": facts.hidden,
        "caregivers": _caregivers(child),
    }


@require_http_methods(["GET", "POST"])
@login_required
def child_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Find the other record (by number or among the likely duplicates), compare, confirm which stays."""
    child = _edit_child(request, pk, Action.CHILD_MERGE)
    if child.pk != pk:
        return HttpResponseRedirect(reverse("registry:merge", args=[child.pk]))
    other: Child | None = None
    status = 200
    form: MergeLookupForm
    if request.method == "POST":
        status = 400
        form = MergeForm(request.POST)
        if form.is_valid():
            other = _other_record(request, child, form)
        if other is not None:
            keep = form.cleaned_data["keep"]
            if keep in (child.pk, other.pk):
                survivor, merged = (child, other) if keep == child.pk else (other, child)
                refused = _attempt(
                    form, lambda: services.child_merge(actor=request.user, survivor=survivor, other=merged)
                )
                if refused:
                    status = refused
                else:
                    messages.success(
                        request,
                        _("The records are merged: record %(merged)s now leads to record %(survivor)s.")
                        % {"merged": merged.pk, "survivor": survivor.pk},
                    )
                    return _profile(survivor)
            else:
                form.add_error("keep", _("Choose one of the two records."))
    else:
        form = MergeLookupForm(request.GET if "other" in request.GET else None)
        if form.is_bound:
            other = _other_record(request, child, form) if form.is_valid() else None
            status = 200 if other is not None else 400
    context: dict[str, Any] = {"child": child, "person": child.person, "form": form}
    if other is not None:
        context["sides"] = [_side(request, child), _side(request, other)]
        context["other"] = other
    else:
        _audit_page(request, child, "merge")
        context["candidates"] = _merge_candidates(request, child)
    return render(request, "registry/child_merge.html", context, status=status)


# --- consent -----------------------------------------------------------------------------------------


@require_POST
@login_required
def consent_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a consent; a parent or guardian typed in (not listed) is recorded as a caregiver too."""
    child = _edit_child(request, pk)
    form = ConsentForm(request.POST, caregivers=_caregivers(child))
    if not form.is_valid():
        return _profile_page(request, child, 400, consent_form=form)
    data = form.cleaned_data

    def write() -> None:
        given_by: Person | None = form.chosen_carer()
        if data["other_name"]:
            given_by = services.caregiver_add(
                actor=request.user,
                child=child,
                relationship=data["other_relationship"],
                full_name=data["other_name"],
            ).person
        services.consent_record(
            actor=request.user,
            child=child,
            purpose=data["purpose"],
            given_on=data["given_on"],
            given_by=given_by,
            given_by_child=data["given_by_child"],
        )

    status = _attempt(form, write, CONSENT_CARER_FIELDS)
    if status:
        return _profile_page(request, child, status, consent_form=form)
    messages.success(request, _("The consent is recorded."))
    return _profile(child, "consents")


@require_POST
@login_required
def consent_withdraw(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    child = _edit_child(request, pk)
    consent = child.consents.filter(pk=item).first()
    if consent is None:
        raise Http404
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error_message(form))
        return _profile(child, "consents")
    data = form.cleaned_data
    return _apply(
        request,
        child,
        lambda: services.consent_withdraw(
            actor=request.user, consent=consent, on=data["withdrawn_on"], reason=data["reason"]
        ),
        _("The consent is withdrawn."),
    )


# --- caregivers --------------------------------------------------------------------------------------


@require_POST
@login_required
def caregiver_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = _edit_child(request, pk)
    form = CaregiverForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, child, 400, caregiver_form=form)
    data = form.cleaned_data
    status = _attempt(
        form,
        lambda: services.caregiver_add(
            actor=request.user,
            child=child,
            relationship=data["relationship"],
            full_name=data["full_name"],
            sex=data["sex"],
            birth_year=data["birth_year"],
            phone=data["phone"],
            is_primary=data["is_primary"],
            lives_with_child=data["lives_with_child"],
        ),
    )
    if status:
        return _profile_page(request, child, status, caregiver_form=form)
    messages.success(request, _("The caregiver is added."))
    return _profile(child, "family")


# --- households --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def household_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A household for a child who has none: the child (and the head, if chosen) become its members."""
    child = _edit_child(request, pk)
    if child.pk != pk and request.method == "GET":
        return HttpResponseRedirect(reverse("registry:household_create", args=[child.pk]))
    if child.household is not None:
        messages.info(request, _("The child already belongs to a household."))
        return _household_page(child.household)
    caregivers = _caregivers(child)
    status = 200
    if request.method == "POST":
        form = HouseholdCreateForm(request.POST, caregivers=caregivers)
        if form.is_valid():
            data = form.cleaned_data

            def write() -> None:
                household = services.household_create(
                    actor=request.user,
                    commune=child.admin_unit,
                    code=data["code"],
                    address=data["address"],
                    head=form.chosen_head(),
                )
                services.household_add_member(actor=request.user, household=household, person=child.person)

            status = _attempt(form, write)
            if not status:
                child.refresh_from_db()  # adding the child as a member made it the child's household
                messages.success(request, _("The household is created."))
                return _household_page(child.household)  # type: ignore[arg-type]
        else:
            status = 400
    else:
        form = HouseholdCreateForm(initial={"address": child.person.address}, caregivers=caregivers)
    _audit_page(request, child, "household_create")
    return render(
        request,
        "registry/household_create.html",
        {"child": child, "person": child.person, "form": form},
        status=status,
    )


def _edit_household(request: HttpRequest, pk: int) -> Household:
    _require(request, Action.CHILD_EDIT)
    return get_household_for_user(request.user, pk, Action.CHILD_EDIT)


def _possible_members(request: HttpRequest, household: Household) -> list[tuple[Person, str]]:
    """The caregivers of the household's children (those the officer sees) who are not members yet."""
    members = set(household.members.values_list("person_id", flat=True))
    children = selectors.children_for(request.user, selectors.ChildFilter(household=household.pk))
    people: dict[int, tuple[Person, str]] = {}
    for carer in Caregiver.objects.filter(child__in=children).select_related("person", "child__person"):
        if carer.person_id in members or carer.person_id in people:
            continue
        label = _("%(name)s — %(relationship)s of %(child)s") % {
            "name": carer.person.full_name,
            "relationship": Relationship(carer.relationship).label,
            "child": carer.child.person.full_name,
        }
        people[carer.person_id] = (carer.person, label)
    return list(people.values())


def _member_to_add(request: HttpRequest, household: Household, form: HouseholdMemberForm) -> Person | None:
    """The person chosen, or the registered child named by number if the officer may add that child."""
    chosen = form.chosen_person()
    if chosen is not None:
        return chosen
    number = form.cleaned_data["child"]
    try:
        child = get_child_for_user(request.user, number, Action.CHILD_EDIT)
    except (Http404, PermissionDenied):
        form.add_error("child", _("There is no child record with this number that you may edit."))
        return None
    if child.pk != number:
        form.add_error("child", _("This record has been merged already."))
    elif child.admin_unit_id != household.admin_unit_id:
        form.add_error("child", _("The child is registered in another commune: move the child first."))
    elif child.household_id not in (None, household.pk):
        form.add_error("child", _("The child already belongs to another household."))
    else:
        return child.person
    return None


@require_http_methods(["GET", "POST"])
@login_required
def household_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = _edit_household(request, pk)
    people = _possible_members(request, household)
    status = 200
    if request.method == "POST":
        status = 400
        form = HouseholdMemberForm(request.POST, people=people)
        person = _member_to_add(request, household, form) if form.is_valid() else None
        if person is not None:
            relationship = form.cleaned_data["relationship_to_head"]
            refused = _attempt(
                form,
                lambda: services.household_add_member(
                    actor=request.user, household=household, person=person, relationship_to_head=relationship
                ),
            )
            if not refused:
                added = _("%(name)s is added to the household.") % {"name": person.full_name}
                messages.success(request, added)
                return _household_page(household)
            status = refused
    else:
        form = HouseholdMemberForm(people=people)
    _audit_page(request, household, "add_member")
    return render(
        request, "registry/household_member_add.html", {"household": household, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def household_status(request: HttpRequest, pk: int) -> HttpResponse:
    household = _edit_household(request, pk)
    status = 200
    if request.method == "POST":
        form = HouseholdStatusForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            status = _attempt(
                form,
                lambda: services.household_set_status(
                    actor=request.user, household=household, year=data["year"], status=data["status"]
                ),
            )
            if not status:
                messages.success(request, _("The status for %(year)s is saved.") % {"year": data["year"]})
                return _household_page(household)
        else:
            status = 400
    else:
        form = HouseholdStatusForm()
    _audit_page(request, household, "status")
    return render(
        request, "registry/household_status.html", {"household": household, "form": form}, status=status
    )
