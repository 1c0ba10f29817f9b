"""The support pages: the list of disbursements (scoped, filtered, paginated, with the count and total
in đồng of everything that matches), recording a disbursement, and the programmes page.

Disbursements name children and amounts: only the roles that read support (SUPPORT_VIEW) reach the
list, and every page that shows amounts writes a "view" event naming the disbursements shown. Views
only translate: lists through the selectors, every write through a service.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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
from django.views.decorators.http import require_GET, require_http_methods

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.core.export import download
from mangnon.core.forms import errors_to_form
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import AdminUnit, Level
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.selectors import organisations_for
from mangnon.registry.codes import SpecialGroup
from mangnon.registry.services import Conflict

from . import exporting, rollups, selectors, services
from .codes import CareKind, GiftOccasion, ProgrammeKind
from .forms import (
    DisbursementFilterForm,
    DisbursementForm,
    FiguresForm,
    GiftCampaignForm,
    GiftRecipientForm,
    GiftTallyForm,
    PlacementEndForm,
    PlacementForm,
    ProgrammeForm,
    ReviewForm,
)
from .models import GiftCampaign

PAGE_SIZE = 25
FILTER_KEYS = ("start", "end", "commune", "programme", "unit")


def _require(request: HttpRequest, action: Action) -> None:
    if not can(request.user, action):
        raise PermissionDenied


def _communes(user: Any, action: Action) -> list[AdminUnit]:
    """The communes (current ones first, then pre-reform ones) the user may take `action` in."""
    units = AdminUnit.objects.filter(
        scope_for(user, action).q(""), level__in=(Level.COMMUNE, Level.SPECIAL_ZONE)
    )
    return sorted(units, key=lambda u: (u.valid_to is not None, vi_sort_key(u.name), u.pk))


def _province_of_user(user: Any, action: Action) -> AdminUnit | None:
    """The province where the user may take `action` at province level (the first, if several)."""
    units = scope_for(user, action).units().filter(level=Level.PROVINCE, valid_to__isnull=True)
    return units.order_by("pk").first()


def _filters(request: HttpRequest) -> tuple[DisbursementFilterForm, selectors.DisbursementFilter, bool]:
    """The list's filter form and the filters it gives (valid: False when the form has errors)."""
    form = DisbursementFilterForm(
        request.GET or None,
        communes=_communes(request.user, Action.SUPPORT_VIEW),
        programmes=selectors.programmes_for(request.user),
    )
    if not form.is_bound:
        return form, selectors.DisbursementFilter(), True
    if not form.is_valid():
        return form, selectors.DisbursementFilter(), False
    data = form.cleaned_data
    chosen = selectors.DisbursementFilter(
        start=data["start"],
        end=data["end"],
        unit=form.chosen_unit() or _drill_unit(request.user, data["unit"]),
        programme=data["programme"],
    )
    return form, chosen, True


def _drill_unit(user: Any, pk: int | None) -> AdminUnit | None:
    """The unit of a figure's link (any level, either geography): 404 outside the viewer's scope."""
    if pk is None:
        return None
    unit = AdminUnit.objects.filter(pk=pk).first()
    if unit is None or not scope_for(user, Action.SUPPORT_VIEW).contains(unit):
        raise Http404
    return unit


@require_GET
@login_required
def disbursement_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.SUPPORT_VIEW)
    form, filters, valid = _filters(request)
    rows = selectors.disbursements_for(request.user, filters)
    count, amount = selectors.totals(rows)
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.__dict__["count"] = count  # counted with the total just above: not counted twice
    page_obj = paginator.get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    selectors.record_view(request.user, shown, filters=filters)
    query = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    return render(
        request,
        "support/disbursement_list.html",
        {
            "form": form,
            "count": count,
            "amount": amount,
            "page_obj": page_obj,
            "rows": shown,
            "query": urlencode(query),
            "can_record": can(request.user, Action.SUPPORT_RECORD),
            "export_links": [
                {"format": fmt, "url": f"{reverse('support:export', args=[fmt])}?{urlencode(query)}"}
                for fmt in exporting.FORMATS
            ],
        },
        status=200 if valid else 400,
    )


@require_GET
@login_required
def disbursement_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse | FileResponse:
    if fmt not in exporting.FORMATS:
        raise Http404
    _require(request, Action.SUPPORT_VIEW)
    _form, filters, valid = _filters(request)
    if not valid:
        raise Http404  # the list's links carry valid filters; a hand-made bad one gets nothing
    export = exporting.disbursements_export(viewer=request.user, filters=filters, fmt=fmt)
    return download(
        fmt=fmt,
        headings=export.headings,
        rows=export.rows,
        filename=export.filename,
        sheet_title=export.sheet_title,
        widths=exporting.WIDTHS,
    )


@require_http_methods(["GET", "POST"])
@login_required
def disbursement_record(request: HttpRequest) -> HttpResponse:
    _require(request, Action.SUPPORT_RECORD)
    communes = _communes(request.user, Action.SUPPORT_RECORD)
    programmes = list(selectors.programmes_for(request.user))
    status = 200
    if request.method == "POST":
        form = DisbursementForm(request.POST, communes=communes, programmes=programmes)
        if form.is_valid():
            data = form.cleaned_data
            programme = form.programmes.get(data["programme"])
            unit = form.chosen_unit()
            try:
                if programme is None:
                    raise ValidationError({"programme": [_("Choose the programme.")]})
                recorded = services.disbursement_record(
                    actor=request.user,
                    programme=programme,
                    child_id=data["child"],
                    amount=data["amount"],
                    paid_on=data["paid_on"],
                    approver=data["approver"],
                    admin_unit=unit,
                    idempotency_key=data["submission"],
                    request_hash=idempotency.body_hash(
                        {k: v for k, v in data.items() if k != "submission"}
                        | {"commune": unit.pk if unit else None}
                    ),
                )
            except ValidationError as error:
                errors_to_form(form, error)
            except PermissionDenied:
                form.add_error(None, _("You may not record support there."))
            except idempotency.KeyReused:
                form.add_error(None, _("This form was sent already with other details. Open a new form."))
            else:
                messages.success(request, _("The payment is recorded."))
                query = urlencode({"programme": recorded.disbursement.programme.code})
                return HttpResponseRedirect(f"{reverse('support:list')}?{query}")
        status = 400
    else:
        initial: dict[str, Any] = {"submission": uuid.uuid4().hex, "paid_on": timezone.localdate()}
        child = request.GET.get("child", "")
        if child.isdigit():
            initial["child"] = int(child)
        form = DisbursementForm(initial=initial, communes=communes, programmes=programmes)
    return render(request, "support/disbursement_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    """The programmes of the user's provinces; a province officer adds one below the list."""
    province = _province_of_user(request.user, Action.PROGRAMME_MANAGE)
    if not can(request.user, Action.SUPPORT_VIEW) and province is None:
        raise PermissionDenied
    form: ProgrammeForm | None = None
    status = 200
    if province is not None:
        if request.method == "POST":
            form = ProgrammeForm(request.POST)
            if form.is_valid():
                try:
                    services.programme_create(actor=request.user, province=province, **form.cleaned_data)
                except ValidationError as error:
                    errors_to_form(form, error)
                else:
                    messages.success(request, _("The programme is added."))
                    return HttpResponseRedirect(reverse("support:programmes"))
            status = 400
        else:
            form = ProgrammeForm()
    elif request.method == "POST":
        raise PermissionDenied
    groups = dict(SpecialGroup.choices)
    rows: list[dict[str, Any]] = [
        {"programme": p, "groups": [str(groups.get(g, g)) for g in p.eligible_groups]}
        for p in selectors.programmes_for(request.user)
    ]
    return render(
        request,
        "support/programme_list.html",
        {"rows": rows, "form": form, "today": timezone.localdate()},
        status=status,
    )


_LEVEL_ORDER: dict[str, int] = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2, Level.SPECIAL_ZONE: 2}


def _counted_units(user: Any) -> list[AdminUnit]:
    """The units the user counts in: the province, then districts, then communes; current ones first."""
    units = scope_for(user, rollups.COUNT_ACTION).units()
    return sorted(
        units, key=lambda u: (_LEVEL_ORDER.get(u.level, 3), u.valid_to is not None, vi_sort_key(u.name), u.pk)
    )


@require_GET
@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """The support roll-up for a unit and period (no names: every role that counts children reads it)."""
    _require(request, rollups.COUNT_ACTION)
    units = _counted_units(request.user)
    if not units:
        raise PermissionDenied
    today = timezone.localdate()
    initial: dict[str, Any] = {"unit": units[0].pk, "start": today.replace(month=1, day=1), "end": today}
    form = FiguresForm(request.GET or None, initial=initial, units=units)
    result, status = None, 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else initial
        unit = form.chosen_unit("unit") if form.is_bound else units[0]
        if unit is None:
            raise Http404
        result = rollups.rollup(viewer=request.user, unit=unit, start=data["start"], end=data["end"])
    return render(
        request,
        "support/figures.html",
        {"form": form, "result": result, **(_figure_rows(result) if result else {})},
        status=status,
    )


def _figure_rows(r: rollups.SupportRollup) -> dict[str, list[dict[str, Any]]]:
    """The roll-up's breakdowns as table rows with their labels, every code listed."""
    return {
        "programme_rows": [
            {"code": code, "count": paid.count, "amount": paid.amount}
            for code, paid in sorted(r.by_programme.items())
        ],
        "kind_rows": [
            {"code": code, "label": label, "count": r.by_kind[code].count, "amount": r.by_kind[code].amount}
            for code, label in ProgrammeKind.choices
        ],
        "gift_rows": [
            {"code": code, "label": label, "gifts": r.gifts_by_occasion[code]}
            for code, label in GiftOccasion.choices
        ],
        "care_rows": [
            {"code": code, "label": label, "count": r.alternative_care_by_kind[code]}
            for code, label in CareKind.choices
        ],
    }


# --- gifts -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def gift_campaigns(request: HttpRequest) -> HttpResponse:
    """The gift campaigns of the user's provinces; a province officer adds one below the list."""
    _require(request, Action.SUPPORT_VIEW)
    province = _province_of_user(request.user, Action.PROGRAMME_MANAGE)
    form: GiftCampaignForm | None = GiftCampaignForm() if province is not None else None
    status = 200
    if request.method == "POST":
        if province is None:
            raise PermissionDenied
        form = GiftCampaignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.gift_campaign_create(
                    actor=request.user, province=province, name=data["name"], occasion=data["occasion"],
                    year=data["held_on"].year, held_on=data["held_on"],
                )  # fmt: skip
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The campaign is added."))
                return HttpResponseRedirect(reverse("support:gift_campaign", args=[campaign.pk]))
        status = 400
    return render(
        request,
        "support/gift_campaigns.html",
        {"campaigns": list(selectors.campaigns_for(request.user)), "form": form},
        status=status,
    )


def _tally_units(user: Any, campaign: GiftCampaign) -> list[AdminUnit]:
    units = AdminUnit.objects.valid_on(campaign.held_on).filter(scope_for(user, Action.SUPPORT_RECORD).q(""))
    return sorted(units, key=lambda u: (_LEVEL_ORDER.get(u.level, 3), vi_sort_key(u.name), u.pk))


@require_http_methods(["GET", "POST"])
@login_required
def gift_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign: the tallies and named recipients in the user's scope (the recipients' view audited),
    and the forms to add a unit's tally or a named child."""
    _require(request, Action.SUPPORT_VIEW)
    campaign = selectors.get_campaign_for_user(request.user, pk)
    may_record = can(request.user, Action.SUPPORT_RECORD)
    units = _tally_units(request.user, campaign) if may_record else []
    tally_form = GiftTallyForm(units=units) if units else None
    recipient_form = GiftRecipientForm() if may_record else None
    status = 200
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        try:
            if request.POST.get("form") == "tally":
                tally_form = GiftTallyForm(request.POST, units=units)
                if tally_form.is_valid():
                    data = tally_form.cleaned_data
                    unit = tally_form.chosen_unit("unit")
                    if unit is None:
                        raise PermissionDenied
                    services.gift_tally_record(
                        actor=request.user, campaign=campaign, admin_unit=unit,
                        children_reached=data["children_reached"],
                        children_visited_given_gifts=data["children_visited_given_gifts"],
                        total_value=data["total_value"],
                    )  # fmt: skip
                    messages.success(request, _("The figures are recorded."))
                    return HttpResponseRedirect(reverse("support:gift_campaign", args=[campaign.pk]))
            else:
                recipient_form = GiftRecipientForm(request.POST)
                if recipient_form.is_valid():
                    data = recipient_form.cleaned_data
                    services.gift_recipient_add(
                        actor=request.user, campaign=campaign, child_id=data["child"], value=data["value"],
                        visited=data["visited"],
                    )  # fmt: skip
                    messages.success(request, _("The child is recorded."))
                    return HttpResponseRedirect(reverse("support:gift_campaign", args=[campaign.pk]))
        except ValidationError as error:
            if request.POST.get("form") == "tally":
                errors_to_form(tally_form, error, {"admin_unit": "unit"})
            else:
                errors_to_form(recipient_form, error)
        status = 400
    tallies = list(selectors.tallies_for(request.user, campaign))
    recipients = list(selectors.recipients_for(request.user, campaign))
    selectors.record_recipients_view(request.user, campaign, recipients)
    return render(
        request,
        "support/gift_campaign.html",
        {
            "campaign": campaign,
            "tallies": tallies,
            "recipients": recipients,
            "tally_form": tally_form,
            "recipient_form": recipient_form,
        },
        status=status,
    )


# --- alternative care --------------------------------------------------------------------------------

CARE_FACILITY_KINDS = (OrgKind.PROTECTION_FACILITY, OrgKind.SHELTER, OrgKind.SOCIAL_WORK_CENTRE)


def _facilities(user: Any) -> Any:
    return organisations_for(user).filter(kind__in=CARE_FACILITY_KINDS)


@require_http_methods(["GET", "POST"])
@login_required
def placements(request: HttpRequest) -> HttpResponse:
    """The alternative care placements the user may read (ongoing first; the view audited) and, for
    those who record support, the form to place a child."""
    _require(request, Action.SUPPORT_VIEW)
    may_record = can(request.user, Action.SUPPORT_RECORD)
    form = PlacementForm(facilities=_facilities(request.user)) if may_record else None
    status = 200
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        form = PlacementForm(request.POST, facilities=_facilities(request.user))
        if form.is_valid():
            data = form.cleaned_data
            try:
                placement = services.alternative_care_start(
                    actor=request.user, child_id=data["child"], kind=data["kind"], start=data["start"],
                    end=data["end"], facility=data["facility"],
                )  # fmt: skip
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The placement is recorded."))
                return HttpResponseRedirect(reverse("support:placement", args=[placement.pk]))
        status = 400
    page_obj = Paginator(selectors.placements_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    selectors.record_placements_view(request.user, shown)
    return render(
        request,
        "support/placements.html",
        {"rows": shown, "page_obj": page_obj, "query": "", "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def placement(request: HttpRequest, pk: int) -> HttpResponse:
    """One placement with its reviews (the view audited); forms to add a review and to end it."""
    item = selectors.get_placement_for_user(request.user, pk)
    may_record = scope_for(request.user, Action.SUPPORT_RECORD).contains(item.admin_unit)
    review_form = ReviewForm() if may_record else None
    end_form = (
        PlacementEndForm(initial={"version": item.version}) if may_record and item.end is None else None
    )
    status = 200
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        try:
            if request.POST.get("form") == "end":
                end_form = PlacementEndForm(request.POST)
                if end_form.is_valid():
                    services.alternative_care_end(
                        actor=request.user, placement=item, version=end_form.cleaned_data["version"],
                        end=end_form.cleaned_data["end"],
                    )  # fmt: skip
                    messages.success(request, _("The placement is ended."))
                    return HttpResponseRedirect(reverse("support:placement", args=[item.pk]))
            else:
                review_form = ReviewForm(request.POST)
                if review_form.is_valid():
                    services.care_review_add(actor=request.user, placement=item, **review_form.cleaned_data)
                    messages.success(request, _("The review is recorded."))
                    return HttpResponseRedirect(reverse("support:placement", args=[item.pk]))
        except ValidationError as error:
            errors_to_form(end_form if request.POST.get("form") == "end" else review_form, error)
            status = 400
        except Conflict as conflict:
            # Keep the date typed, now against the current version: after checking the placement the
            # officer may save again on purpose.
            item.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(conflict.current_version)
            end_form = PlacementEndForm(data)
            end_form.is_valid()
            end_form.add_error(None, _("The placement was changed by someone else: check it and save again."))
            status = 409
        else:
            status = 400
    selectors.record_placements_view(request.user, [item])
    reviews = list(item.reviews.order_by("-reviewed_on", "-pk"))
    return render(
        request,
        "support/placement.html",
        {"placement": item, "reviews": reviews, "review_form": review_form, "end_form": end_form},
        status=status,
    )
