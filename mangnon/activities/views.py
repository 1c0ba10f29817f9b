"""Activity pages: the list (scoped, filtered, paginated), the activity page, and the fast entry form
with its tally grid.

Views only translate: an activity comes through `get_activity_for_user` (404 outside the scope), the
list through the selectors, every write through a service; the list page and the activity page write
a "view" event in the audit trail (rosters name people).
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
from django.views.decorators.http import require_GET, require_http_methods

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.core.forms import errors_to_form
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import AdminUnit

from . import rollups, selectors, services
from .codes import ActivityKind, Group, MaterialKind, TallySex
from .forms import GRID_SEXES, ActivityFilterForm, ActivityForm, RollupForm, grid_initial

PAGE_SIZE = 25
FILTER_KEYS = ("start", "end", "unit", "kind")


def grid_sexes() -> list[str]:
    """The grid's column headings, in the order of its cells (forms.GRID_SEXES)."""
    labels = dict(TallySex.choices)
    return [str(labels[sex]) for sex in GRID_SEXES]


def _require(request: HttpRequest, action: Action) -> None:
    if not can(request.user, action):
        raise PermissionDenied


def _units(user: Any, action: Action) -> list[AdminUnit]:
    """The units the user may take `action` at: current ones first, then pre-reform ones, by name."""
    units = AdminUnit.objects.filter(scope_for(user, action).q(""))
    return sorted(units, key=lambda u: (u.valid_to is not None, u.level, vi_sort_key(u.name), u.pk))


@require_GET
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ACTIVITY_VIEW)
    form = ActivityFilterForm(request.GET or None, units=_units(request.user, Action.ACTIVITY_VIEW))
    filters = selectors.ActivityFilter()
    valid = True
    if form.is_bound:
        valid = form.is_valid()
        if valid:
            data = form.cleaned_data
            filters = selectors.ActivityFilter(
                start=data["start"], end=data["end"], unit=form.chosen_unit(), kind=data["kind"]
            )
    page_obj = Paginator(selectors.activities_for(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = list(page_obj.object_list)
    selectors.record_list_view(request.user, shown, filters=filters)
    query = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    return render(
        request,
        "activities/activity_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "activities": shown,
            "query": urlencode(query),
            "can_record": can(request.user, Action.ACTIVITY_RECORD),
        },
        status=200 if valid else 400,
    )


@require_GET
@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.ACTIVITY_VIEW)
    activity = selectors.get_activity_for_user(request.user, pk)
    details = selectors.activity_details(viewer=request.user, activity=activity)
    groups = dict(Group.choices)
    sexes = dict(TallySex.choices)
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "details": details,
            "person_times": sum(t.count for t in details.tallies),
            "tallies": [
                {"row": t, "group": groups.get(t.group, t.group), "sex": sexes.get(t.sex, t.sex)}
                for t in details.tallies
            ],
            "target_groups": [groups.get(g, g) for g in activity.target_groups],
            "can_edit": scope_for(request.user, Action.ACTIVITY_RECORD).contains(activity.admin_unit),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def activity_record(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ACTIVITY_RECORD)
    units = _units(request.user, Action.ACTIVITY_RECORD)
    status = 200
    if request.method == "POST":
        form = ActivityForm(request.POST, units=units)
        if form.is_valid():
            fields = form.fields_for_service()
            tallies, materials, attendees = form.tallies() or [], form.materials(), form.attendees()
            body = {
                **fields,
                "admin_unit": fields["admin_unit"].pk,
                "tallies": tallies,
                "attendees": attendees,
                "materials": materials,
            }
            try:
                recorded = services.activity_record(
                    actor=request.user,
                    fields=fields,
                    tallies=tallies,
                    attendees=attendees,
                    materials=materials,
                    idempotency_key=form.cleaned_data["submission"],
                    request_hash=idempotency.body_hash(body),
                )
            except ValidationError as error:
                errors_to_form(form, error)
            except idempotency.KeyReused:
                form.add_error(None, _("This form was sent already with other details. Open a new form."))
            else:
                messages.success(request, _("The activity is recorded."))
                return HttpResponseRedirect(reverse("activities:detail", args=[recorded.activity.pk]))
        status = 400
    else:
        initial: dict[str, Any] = {"submission": uuid.uuid4().hex}
        current = [u for u in units if u.valid_to is None]
        if len(current) == 1:
            initial["admin_unit"] = current[0].pk
        for name in ("kind", "club"):  # a link may prefill them (a club's "record a meeting")
            if request.GET.get(name):
                initial[name] = request.GET[name]
        form = ActivityForm(initial=initial, units=units)
    sexes = grid_sexes()
    return render(request, "activities/activity_form.html", {"form": form, "sexes": sexes}, status=status)


@require_GET
@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.ACTIVITY_VIEW)
    return render(
        request, "activities/campaign_list.html", {"campaigns": list(selectors.campaigns_for(request.user))}
    )


@require_GET
@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign, its figures (person-times and unique persons apart) and its activities the viewer
    may see, paginated; the page of activities shown is audited like the list."""
    _require(request, Action.ACTIVITY_VIEW)
    campaign = selectors.get_campaign_for_user(request.user, pk)
    figures = rollups.campaign_figures(viewer=request.user, campaign_id=campaign.pk)
    filters = selectors.ActivityFilter(campaign=campaign.pk)
    page_obj = Paginator(selectors.activities_for(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = list(page_obj.object_list)
    selectors.record_list_view(request.user, shown, filters=filters)
    labels = dict(ActivityKind.choices)
    by_kind = [
        {"code": code, "label": labels[code], "n": n} for code, n in figures.activities_by_kind.items() if n
    ]
    return render(
        request,
        "activities/campaign_detail.html",
        {
            "campaign": campaign,
            "figures": figures,
            "by_kind": by_kind,
            "activities": shown,
            "page_obj": page_obj,
            "query": "",
        },
    )


@require_GET
@login_required
def rollup_page(request: HttpRequest) -> HttpResponse:
    """The roll-up for a unit and period (aggregate: not audited), person-times and unique persons apart."""
    _require(request, Action.ACTIVITY_VIEW)
    units = _units(request.user, Action.ACTIVITY_VIEW)
    today = timezone.localdate()
    default_unit = min(units, key=lambda u: (u.valid_to is not None, len(u.path)), default=None)
    data = request.GET if request.GET.get("unit") else None
    first_day = today.replace(month=1, day=1)
    initial = {"unit": default_unit.pk if default_unit else None, "start": first_day, "end": today}
    form = RollupForm(data, initial=initial, units=units)
    context: dict[str, Any] = {"form": form}
    status = 200
    if data is None:
        unit, start, end = default_unit, first_day, today
    elif form.is_valid():
        unit, start, end = form.chosen_unit(), form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        unit, status = None, 400
    if unit is not None:
        result = rollups.rollup(viewer=request.user, unit=unit, start=start, end=end)
        kinds, groups, sexes = dict(ActivityKind.choices), dict(Group.choices), TallySex.choices
        context.update(
            {
                "result": result,
                "unit": unit,
                "sexes": [label for _code, label in sexes],
                "by_kind": [
                    {
                        "code": code,
                        "label": kinds[code],
                        "n": n,
                        "person_times": result.person_times_by_kind[code],
                    }
                    for code, n in result.activities_by_kind.items()
                ],
                "by_group": [
                    {
                        "code": code,
                        "label": groups[code],
                        "person_times": [result.person_times_by_group_sex[code][s] for s, _l in sexes],
                        "unique": result.unique_persons_by_group[code],
                    }
                    for code in Group.values
                ],
                "materials": [
                    {
                        "code": code,
                        "label": label,
                        "items": result.material_items_by_kind[code],
                        "quantity": result.material_quantity_by_kind[code],
                    }
                    for code, label in MaterialKind.choices
                    if result.material_items_by_kind[code]
                ],
            }
        )
    return render(request, "activities/rollup.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an activity's facts and its tally grid (the version read travels with the form: a change
    made meanwhile by someone else is refused and nothing is lost)."""
    _require(request, Action.ACTIVITY_VIEW)
    activity = selectors.get_activity_for_user(request.user, pk, Action.ACTIVITY_RECORD)
    units = _units(request.user, Action.ACTIVITY_RECORD)
    grid = grid_initial(activity.tallies.all())
    status = 200
    if request.method == "POST":
        form = ActivityForm(request.POST, units=units, with_grid=grid is not None, with_materials=False)
        if form.is_valid():
            fields = form.fields_for_service()
            fields["organiser"] = activity.organiser
            fields["campaign"] = activity.campaign
            try:
                services.activity_update(
                    actor=request.user,
                    activity=activity,
                    version=form.cleaned_data["version"] or 0,
                    changes=fields,
                    tallies=form.tallies(),
                )
            except services.Conflict:
                form.add_error(
                    None, _("The record was changed by someone else: reload it and make your change again.")
                )
                status = 409
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The activity is saved."))
                return HttpResponseRedirect(reverse("activities:detail", args=[activity.pk]))
        status = status if status == 409 else 400
    else:
        initial: dict[str, Any] = {
            "version": activity.version,
            "kind": activity.kind,
            "title": activity.title,
            "admin_unit": activity.admin_unit_id,
            "club": activity.club_id,
            "start_date": activity.start_date,
            "end_date": activity.end_date,
            "organiser_text": activity.organiser_text,
            "theme": activity.theme,
            "target_groups": activity.target_groups,
            "funding_source": activity.funding_source,
            "cost": activity.cost,
            **(grid or {}),
        }
        form = ActivityForm(initial=initial, units=units, with_grid=grid is not None, with_materials=False)
    sexes = grid_sexes()
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "sexes": sexes, "activity": activity},
        status=status,
    )
