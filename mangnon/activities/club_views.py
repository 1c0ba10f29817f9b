"""Pages of clubs, teams and care models (mounted under /activities/): the clubs list with the clubs
roll-up at its top and its export, a club's page (members, meetings), the club form; the care models'
list, page and form.

Views only translate: a club comes through `get_club_for_user` (404 outside the scope), lists through
the club selectors, every write through a club service. A club's page shows its members and is
audited; lists and figures name no one and are not.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.core.export import download
from mangnon.core.forms import errors_to_form
from mangnon.geo.models import AdminUnit
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.models import Organisation

from . import club_rollups, club_selectors, club_services
from .club_forms import CareModelFilterForm, CareModelForm, ClubFilterForm, ClubForm, EndForm, MemberForm
from .codes import ActivityKind, CareModelKind, ClubKind, MemberRole
from .models import CareModel, Club
from .views import _require, _units

PAGE_SIZE = 50
FILTER_KEYS = ("unit", "kind", "start", "end")
FORMATS = ("xlsx", "csv")
EXPORT_WIDTHS = (40, 28, 28, 10, 36, 12, 12, 14, 14)


def _provinces(units: list[AdminUnit]) -> list[int]:
    return sorted({int(u.path.strip("/").split("/")[0]) for u in units})


def _orgs(units: list[AdminUnit], *, schools: bool) -> list[Organisation]:
    orgs = Organisation.objects.filter(province_id__in=_provinces(units), active=True)
    if schools:
        orgs = orgs.filter(kind=OrgKind.SCHOOL)
    return list(orgs.order_by("name", "pk"))


def _top_unit(units: list[AdminUnit]) -> AdminUnit | None:
    return min(units, key=lambda u: (u.valid_to is not None, len(u.path)), default=None)


def _period(data: dict[str, Any] | None) -> tuple[date, date]:
    """The period asked for: until today and from 1 January of its end's year when not given."""
    end = (data or {}).get("end") or timezone.localdate()
    start = (data or {}).get("start") or end.replace(month=1, day=1)
    return start, end


@dataclass(frozen=True)
class Asked:
    filters: club_selectors.ClubFilter
    start: date
    end: date
    valid: bool


def _filters(form: ClubFilterForm | CareModelFilterForm) -> Asked:
    data = None
    valid = True
    if form.is_bound:
        valid = form.is_valid()
        data = form.cleaned_data if valid else None
    start, end = _period(data)
    unit = form.chosen_unit() if data else None
    kind = data["kind"] if data else ""
    return Asked(club_selectors.ClubFilter(start=start, end=end, unit=unit, kind=kind), start, end, valid)


def _initial_period() -> dict[str, Any]:
    start, end = _period(None)
    return {"start": start, "end": end}


def _figures(viewer: Any, unit: AdminUnit | None, start: date, end: date) -> dict[str, Any] | None:
    if unit is None:
        return None
    result = club_rollups.rollup(viewer=viewer, unit=unit, start=start, end=end)
    kinds = dict(ClubKind.choices)
    return {
        "result": result,
        "unit": unit,
        "by_kind": [
            {
                "code": code,
                "label": kinds[code],
                "clubs": n,
                "sub_units": result.sub_units_by_kind[code],
                "members": result.members_by_kind[code],
            }
            for code, n in result.clubs_by_kind.items()
            if n
        ],
        "children": result.members_by_role[MemberRole.CHILD],
        "adults": result.members_by_role[MemberRole.ADULT],
    }


# --- clubs -------------------------------------------------------------------------------------------


@require_GET
@login_required
def club_list(request: HttpRequest) -> HttpResponse:
    """The clubs active in the period (this year so far unless chosen), with the clubs roll-up of the
    chosen unit (or the viewer's own) at the top: clubs and persons, aggregate, not audited."""
    _require(request, Action.ACTIVITY_VIEW)
    units = _units(request.user, Action.ACTIVITY_VIEW)
    form = ClubFilterForm(request.GET or None, units=units, initial=_initial_period())
    asked = _filters(form)
    filters, valid = asked.filters, asked.valid
    page_obj = Paginator(club_selectors.clubs_for(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    figures = _figures(request.user, filters.unit or _top_unit(units), asked.start, asked.end)
    query = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    return render(
        request,
        "activities/club_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "clubs": list(page_obj.object_list),
            "filters": filters,
            "figures": figures,
            "query": urlencode(query),
            "export_links": [
                {"format": fmt, "url": f"{reverse('activities:clubs_export', args=[fmt])}?{urlencode(query)}"}
                for fmt in FORMATS
            ],
            "can_record": can(request.user, Action.ACTIVITY_RECORD),
        },
        status=200 if valid else 400,
    )


def _export_rows(clubs: Any) -> Any:
    for c in clubs.iterator(chunk_size=500):
        yield [
            c.name,
            c.get_kind_display(),
            c.admin_unit.name,
            c.admin_unit.code,
            c.school.name if c.school else "",
            c.founded_on,
            c.closed_on,
            c.member_count,
            c.meeting_count,
        ]


@require_GET
@login_required
def club_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse | FileResponse:
    """The clubs list (same scope and filters) as XLSX or CSV: names and counts, no one named."""
    if fmt not in FORMATS:
        raise Http404
    _require(request, Action.ACTIVITY_VIEW)
    form = ClubFilterForm(request.GET or None, units=_units(request.user, Action.ACTIVITY_VIEW))
    asked = _filters(form)
    if not asked.valid:
        raise Http404
    filters = asked.filters
    period = f"{asked.start:%d/%m/%Y}–{asked.end:%d/%m/%Y}"
    headings = [
        _("Name"),
        _("Kind"),
        _("Unit"),
        _("Unit code"),
        _("School"),
        _("Founded on"),
        _("Closed on"),
        _("Members (persons), %(period)s") % {"period": period},
        _("Meetings, %(period)s") % {"period": period},
    ]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return download(
        fmt=fmt,
        headings=headings,
        rows=_export_rows(club_selectors.clubs_for(request.user, filters)),
        filename=f"cau-lac-bo-{stamp}.{fmt}",
        sheet_title=_("Clubs and teams"),
        widths=EXPORT_WIDTHS,
    )


def _new_initial(units: list[AdminUnit]) -> dict[str, Any]:
    """A new record's form: a fresh submission key, and the unit when the user has one current unit."""
    initial: dict[str, Any] = {"submission": uuid.uuid4().hex}
    current = [u for u in units if u.valid_to is None]
    if len(current) == 1:
        initial["admin_unit"] = current[0].pk
    return initial


def _save_form(
    request: HttpRequest,
    form: ClubForm | CareModelForm,
    *,
    refs: tuple[str, ...],
    create: Callable[..., Any],
    update: Callable[..., Any] | None,
    recorded: str,
    saved: str,
    page: str,
) -> HttpResponse | int:
    """A club's or care model's form sent: created once when there is nothing to `update` (its
    submission key, the body hashed with the records it names as ids: `refs`), else updated at its
    version. Returns the redirect to the record's page, or the status to show the form again with its
    errors (409 stale version, 400 otherwise)."""
    if not form.is_valid():
        return 400
    fields = form.fields_for_service()
    try:
        if update is None:
            body = {**fields, **{name: fields[name].pk if fields[name] else None for name in refs}}
            record = create(
                actor=request.user,
                fields=fields,
                idempotency_key=form.cleaned_data["submission"],
                request_hash=idempotency.body_hash(body),
            ).obj
            messages.success(request, recorded)
        else:
            record = update(version=form.cleaned_data["version"] or 0, changes=fields)
            messages.success(request, saved)
    except club_services.Conflict:
        form.add_error(
            None, _("The record was changed by someone else: reload it and make your change again.")
        )
        return 409
    except ValidationError as error:
        errors_to_form(form, error)
    except idempotency.KeyReused:
        form.add_error(None, _("This form was sent already with other details. Open a new form."))
    else:
        return HttpResponseRedirect(reverse(page, args=[record.pk]))
    return 400


def _club_form(request: HttpRequest, club: Club | None) -> HttpResponse:
    units = _units(request.user, Action.ACTIVITY_RECORD)
    schools = _orgs(units, schools=True)
    status = 200
    if request.method == "POST":
        form = ClubForm(request.POST, units=units, schools=schools)
        sent = _save_form(
            request,
            form,
            refs=("admin_unit", "school"),
            create=club_services.club_create,
            update=None
            if club is None
            else partial(club_services.club_update, actor=request.user, club=club),
            recorded=_("The club is recorded."),
            saved=_("The club is saved."),
            page="activities:club",
        )
        if isinstance(sent, HttpResponse):
            return sent
        status = sent
    elif club is None:
        form = ClubForm(initial=_new_initial(units), units=units, schools=schools)
    else:
        initial = {name: getattr(club, name) for name in ("kind", "name", "founded_on", "closed_on", "note")}
        initial.update(version=club.version, admin_unit=club.admin_unit_id, school=club.school_id)
        form = ClubForm(initial=initial, units=units, schools=schools)
    return render(request, "activities/club_form.html", {"form": form, "club": club}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def club_new(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ACTIVITY_RECORD)
    return _club_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def club_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.ACTIVITY_VIEW)
    club = club_selectors.get_club_for_user(request.user, pk, Action.ACTIVITY_RECORD)
    return _club_form(request, club)


def _club_page(
    request: HttpRequest,
    club: Club,
    *,
    member_form: MemberForm | None = None,
    end_form: EndForm | None = None,
    status: int = 200,
) -> HttpResponse:
    details = club_selectors.club_details(viewer=request.user, club=club)
    can_record = scope_for(request.user, Action.ACTIVITY_RECORD).contains(club.admin_unit)
    today = timezone.localdate()
    return render(
        request,
        "activities/club_detail.html",
        {
            "club": club,
            "details": details,
            "current": [m for m in details.members if m.left_on is None],
            "former": [m for m in details.members if m.left_on is not None],
            "can_record": can_record,
            "member_form": member_form
            or MemberForm(initial={"submission": uuid.uuid4().hex, "joined_on": today}),
            "end_form": end_form or EndForm(initial={"on": today, "version": club.version}),
            "record_meeting": reverse("activities:record")
            + "?"
            + urlencode({"kind": ActivityKind.CLUB_MEETING, "club": club.pk}),
        },
        status=status,
    )


@require_GET
@login_required
def club_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.ACTIVITY_VIEW)
    return _club_page(request, club_selectors.get_club_for_user(request.user, pk))


@require_POST
@login_required
def club_close(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.ACTIVITY_RECORD)
    club = club_selectors.get_club_for_user(request.user, pk, Action.ACTIVITY_RECORD)
    form = EndForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            club_services.club_close(
                actor=request.user,
                club=club,
                version=form.cleaned_data["version"] or 0,
                closed_on=form.cleaned_data["on"],
            )
        except club_services.Conflict:
            form.add_error(
                None, _("The record was changed by someone else: reload it and make your change again.")
            )
            status = 409
        except ValidationError as error:
            for problems in error.message_dict.values():
                for problem in problems:
                    form.add_error(None, problem)
        else:
            messages.success(request, _("The club is closed."))
            return HttpResponseRedirect(reverse("activities:club", args=[club.pk]))
    return _club_page(request, club, end_form=form, status=status)


@require_POST
@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.ACTIVITY_RECORD)
    club = club_selectors.get_club_for_user(request.user, pk, Action.ACTIVITY_RECORD)
    form = MemberForm(request.POST)
    if form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("person", "name", "sex", "birth_year", "role", "joined_on")}
        try:
            club_services.member_add(
                actor=request.user,
                club=club,
                **data,
                idempotency_key=form.cleaned_data["submission"],
                request_hash=idempotency.body_hash({**data, "club": club.pk}),
            )
        except ValidationError as error:
            errors_to_form(form, error)
        except idempotency.KeyReused:
            form.add_error(None, _("This form was sent already with other details. Open a new form."))
        else:
            messages.success(request, _("The member is added."))
            return HttpResponseRedirect(reverse("activities:club", args=[club.pk]))
    return _club_page(request, club, member_form=form, status=400)


@require_POST
@login_required
def member_leave(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    _require(request, Action.ACTIVITY_RECORD)
    club = club_selectors.get_club_for_user(request.user, pk, Action.ACTIVITY_RECORD)
    member = club_selectors.member_of(club, member_pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            club_services.member_leave(actor=request.user, member=member, left_on=form.cleaned_data["on"])
        except ValidationError as error:
            for problems in error.message_dict.values():
                for problem in problems:
                    form.add_error(None, problem)
        else:
            messages.success(request, _("The member has left the club."))
            return HttpResponseRedirect(reverse("activities:club", args=[club.pk]))
    return _club_page(request, club, end_form=form, status=400)


# --- care models -------------------------------------------------------------------------------------


@require_GET
@login_required
def care_model_list(request: HttpRequest) -> HttpResponse:
    """Care models kept up in the period (this year so far unless chosen); not personal, not audited."""
    _require(request, Action.ACTIVITY_VIEW)
    units = _units(request.user, Action.ACTIVITY_VIEW)
    form = CareModelFilterForm(request.GET or None, units=units, initial=_initial_period())
    asked = _filters(form)
    filters, valid = asked.filters, asked.valid
    page_obj = Paginator(club_selectors.care_models_for(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    return render(
        request,
        "activities/care_model_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "care_models": list(page_obj.object_list),
            "query": urlencode(query),
            "can_record": can(request.user, Action.ACTIVITY_RECORD),
        },
        status=200 if valid else 400,
    )


def _care_model_form(request: HttpRequest, model: CareModel | None) -> HttpResponse:
    units = _units(request.user, Action.ACTIVITY_RECORD)
    orgs = _orgs(units, schools=False)
    status = 200
    if request.method == "POST":
        form = CareModelForm(request.POST, units=units, organisations=orgs)
        sent = _save_form(
            request,
            form,
            refs=("admin_unit", "organisation"),
            create=club_services.care_model_create,
            update=None
            if model is None
            else partial(club_services.care_model_update, actor=request.user, model=model),
            recorded=_("The care model is recorded."),
            saved=_("The care model is saved."),
            page="activities:care_model",
        )
        if isinstance(sent, HttpResponse):
            return sent
        status = sent
    elif model is None:
        form = CareModelForm(initial=_new_initial(units), units=units, organisations=orgs)
    else:
        names = ("kind", "name", "start_date", "end_date", "children_served", "description")
        initial = {name: getattr(model, name) for name in names}
        initial.update(
            version=model.version, admin_unit=model.admin_unit_id, organisation=model.organisation_id
        )
        form = CareModelForm(initial=initial, units=units, organisations=orgs)
    return render(request, "activities/care_model_form.html", {"form": form, "model": model}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def care_model_new(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ACTIVITY_RECORD)
    return _care_model_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def care_model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.ACTIVITY_VIEW)
    model = club_selectors.get_care_model_for_user(request.user, pk, Action.ACTIVITY_RECORD)
    return _care_model_form(request, model)


@require_GET
@login_required
def care_model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.ACTIVITY_VIEW)
    model = club_selectors.get_care_model_for_user(request.user, pk)
    return render(
        request,
        "activities/care_model_detail.html",
        {
            "model": model,
            "kinds": dict(CareModelKind.choices),
            "can_record": scope_for(request.user, Action.ACTIVITY_RECORD).contains(model.admin_unit),
        },
    )
