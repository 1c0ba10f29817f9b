"""The directory's pages: the list with its filters, one organisation, adding, editing, deactivating.

Views only translate: an organisation comes through `access.get_organisation_for_user` (404 outside the
viewer's provinces, 403 where they may read but not keep it), lists through the selectors, every write
through a service. The directory holds no personal data, so reading it writes no audit event; every
change does (in the services).
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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.core.forms import errors_to_form
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import AdminUnit, Level
from mangnon.geo.selectors import path_prefix_q

from . import selectors, services
from .access import can_manage, directory_provinces, get_organisation_for_user
from .codes import ServiceType
from .forms import CreateForm, DirectoryFilterForm, EditForm, OrganisationForm, VersionForm
from .models import Organisation

PAGE_SIZE = 25
_COMMUNE_LEVELS = (Level.COMMUNE, Level.SPECIAL_ZONE)


# --- helpers ---------------------------------------------------------------------------------------


def _require(request: HttpRequest, action: Action) -> None:
    if not can(request.user, action):
        raise PermissionDenied


def _by_name(units: Any) -> list[AdminUnit]:
    return sorted(units, key=lambda u: vi_sort_key(u.name))


def _directory_communes(user: Any) -> list[AdminUnit]:
    """Today's communes of the provinces whose directory the user reads (reference data)."""
    provinces = AdminUnit.objects.filter(pk__in=sorted(directory_provinces(user)))
    units: list[AdminUnit] = []
    for province in provinces:
        units += AdminUnit.objects.valid_on(timezone.localdate()).filter(
            path_prefix_q("path", province.path), level__in=_COMMUNE_LEVELS
        )
    return _by_name(units)


def _manage_units(user: Any) -> list[AdminUnit]:
    """The units of today where the user may keep the directory: provinces first, then communes."""
    today_units = AdminUnit.objects.valid_on(timezone.localdate()).filter(
        scope_for(user, Action.ORG_MANAGE).q(""), level__in=services.PLACEABLE_LEVELS
    )
    provinces = [u for u in today_units if u.level == Level.PROVINCE]
    return _by_name(provinces) + _by_name(u for u in today_units if u.level != Level.PROVINCE)


def _data(form: OrganisationForm) -> services.OrganisationData:
    data = form.cleaned_data
    return services.OrganisationData(
        name=data["name"],
        kind=data["kind"],
        admin_unit=data["admin_unit"],
        short_name=data["short_name"],
        code=data["code"],
        address=data["address"],
        phone=data["phone"],
        email=data["email"],
        services=tuple(data["services"]),
        school_level=data["school_level"],
        boarding=data["boarding"],
        notes=data["notes"],
    )


def _initial(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "short_name": organisation.short_name,
        "kind": organisation.kind,
        "admin_unit": organisation.admin_unit_id,
        "code": organisation.code,
        "address": organisation.address,
        "phone": organisation.phone,
        "email": organisation.email,
        "services": list(organisation.services or ()),
        "school_level": organisation.school_level,
        "boarding": organisation.boarding,
        "notes": organisation.notes,
        "version": organisation.version,
    }


def _service_labels(codes: list[str]) -> list[str]:
    labels = dict(ServiceType.choices)
    return [str(labels.get(code, code)) for code in codes]


# --- list and detail ---------------------------------------------------------------------------------


@require_GET
@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ORG_VIEW)
    form = DirectoryFilterForm(request.GET or None, communes=_directory_communes(request.user))
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = {
                "kind": data["kind"],
                "unit": form.commune_unit(),
                "service_type": data["service"],
                "q": data["q"].strip(),
                "active": form.active(),
            }
        else:
            status = 400
    organisations = selectors.organisations_for(request.user, **filters)
    page_obj = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    used = {k: v for k, v in request.GET.items() if k != "page" and v}
    rows = [{"org": o, "services": _service_labels(o.services)} for o in page_obj.object_list]
    return render(
        request,
        "orgs/organisation_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": rows,
            "total": page_obj.paginator.count,
            "query": urlencode(used),
            "can_create": can(request.user, Action.ORG_MANAGE),
        },
        status=status,
    )


@require_GET
@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.ORG_VIEW)
    organisation = get_organisation_for_user(request.user, pk)
    return render(
        request,
        "orgs/organisation_detail.html",
        {
            "org": organisation,
            "services": _service_labels(organisation.services),
            "can_manage": can_manage(request.user, organisation),
        },
    )


# --- create and edit ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ORG_MANAGE)
    units = _manage_units(request.user)
    status = 200
    if request.method == "POST":
        form = CreateForm(request.POST, units=units)
        if form.is_valid():
            fields = {k: v.pk if isinstance(v, AdminUnit) else v for k, v in form.cleaned_data.items()}
            try:
                result = services.organisation_create(
                    actor=request.user,
                    data=_data(form),
                    idempotency_key=form.cleaned_data.get("submission", ""),
                    request_hash=idempotency.body_hash(fields),
                )
            except ValidationError as error:
                errors_to_form(form, error)
            except idempotency.KeyReused:
                form.add_error(None, _("This form was sent already with other details. Open a new form."))
            else:
                messages.success(request, _("The organisation is added to the directory."))
                return HttpResponseRedirect(reverse("orgs:detail", args=[result.organisation.pk]))
        status = 400
    else:
        initial: dict[str, Any] = {"submission": uuid.uuid4().hex}
        if len(units) == 1:
            initial["admin_unit"] = units[0].pk
        form = CreateForm(initial=initial, units=units)
    return render(request, "orgs/organisation_form.html", {"form": form, "org": None}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.ORG_VIEW)
    organisation = get_organisation_for_user(request.user, pk, Action.ORG_MANAGE)
    units = _manage_units(request.user)
    stale = False
    status = 200
    if request.method == "POST":
        form = EditForm(request.POST, units=units)
        if form.is_valid():
            changes = dict(vars(_data(form)))
            try:
                services.organisation_update(
                    actor=request.user,
                    organisation=organisation,
                    version=form.cleaned_data["version"],
                    changes=changes,
                )
            except services.Conflict as conflict:
                # Keep what the user typed, now against the current version: after checking the record
                # they may save again on purpose.
                stale, status = True, 409
                kept = request.POST.copy()
                kept["version"] = str(conflict.current_version)
                form = EditForm(kept, units=units)
                form.is_valid()
            except ValidationError as error:
                errors_to_form(form, error)
                status = 400
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("orgs:detail", args=[organisation.pk]))
        else:
            status = 400
    else:
        form = EditForm(initial=_initial(organisation), units=units)
    return render(
        request,
        "orgs/organisation_form.html",
        {"form": form, "org": organisation, "stale": stale},
        status=status,
    )


# --- deactivate and reactivate -----------------------------------------------------------------------


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    _require(request, Action.ORG_VIEW)
    organisation = get_organisation_for_user(request.user, pk, Action.ORG_MANAGE)
    back = HttpResponseRedirect(reverse("orgs:detail", args=[organisation.pk]))
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date: check the organisation and try again."))
        return back
    version = form.cleaned_data["version"]
    try:
        if active:
            services.organisation_update(
                actor=request.user, organisation=organisation, version=version, changes={"active": True}
            )
        else:
            services.organisation_deactivate(actor=request.user, organisation=organisation, version=version)
    except services.Conflict:
        messages.error(request, _("Someone else changed this organisation: check it and try again."))
    except ValidationError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        if active:
            messages.success(request, _("The organisation is active again."))
        else:
            messages.success(request, _("The organisation is deactivated: the lists no longer show it."))
    return back


@require_POST
@login_required
def organisation_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@require_POST
@login_required
def organisation_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)
