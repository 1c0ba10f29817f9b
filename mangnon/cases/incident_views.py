"""The incident pages: the register (filters, counts in the shape of the sources, export), the incident
page (victims linked to their records, perpetrators, the legal track with its add-step form), recording
an incident and editing one.

These are abuse records: only the roles that read cases (CASE_VIEW) reach them. Views only translate:
an incident comes through `get_incident_for_user` (404 outside the scope, 403 when the action is not
allowed), lists through the selectors, every write through a service; every page that shows an
incident writes a "view" event in the audit trail.
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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.core.export import download
from mangnon.core.forms import errors_to_form
from mangnon.core.names import vi_sort_key
from mangnon.geo.models import AdminUnit, Level
from mangnon.registry.codes import Sex
from mangnon.registry.selectors import SEX_UNKNOWN
from mangnon.registry.services import Conflict

from . import incident_exporting as exporting
from . import incident_selectors as selectors
from . import incident_services as services
from .codes import AbuseForm, LegalStepKind, Setting
from .incident_forms import (
    SHOW_CHILDREN,
    IncidentEditForm,
    IncidentFilterForm,
    IncidentRecordForm,
    LegalStepForm,
    PerpetratorForm,
    PerpetratorFormSet,
    VictimForm,
    perpetrator_label,
)
from .models import Incident

PAGE_SIZE = 25
FILTER_KEYS = ("start", "end", "commune", "form", "setting", "unit", "show", "sex", "age_group")
ADD_PERPETRATOR = "perpetrator"  # the prefix of the incident page's add-a-perpetrator form


# --- helpers ---------------------------------------------------------------------------------------


def _require(request: HttpRequest, action: Action) -> None:
    if not can(request.user, action):
        raise PermissionDenied


def _communes(user: Any, action: Action) -> list[AdminUnit]:
    """The communes (current ones first, then pre-reform ones) the user may take `action` in."""
    units = AdminUnit.objects.filter(
        scope_for(user, action).q(""), level__in=(Level.COMMUNE, Level.SPECIAL_ZONE)
    )
    return sorted(units, key=lambda u: (u.valid_to is not None, vi_sort_key(u.name), u.pk))


def _problems(form: Any) -> str:
    out: list[str] = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out.extend(f"{label}: {e}" if label else str(e) for e in errors)
    return " ".join(out)


def _back(incident: Incident) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("incidents:detail", args=[incident.pk]))


# --- register ----------------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[IncidentFilterForm, selectors.IncidentFilter, bool]:
    """The register's filter form and the filters it gives (valid: False when the form has errors)."""
    form = IncidentFilterForm(request.GET or None, communes=_communes(request.user, Action.CASE_VIEW))
    if not form.is_bound:
        return form, selectors.IncidentFilter(), True
    if not form.is_valid():
        return form, selectors.IncidentFilter(), False
    data = form.cleaned_data
    if data["commune"] is not None and form.commune_unit() is None:
        raise Http404
    chosen = selectors.IncidentFilter(
        start=data["start"],
        end=data["end"],
        unit=form.commune_unit() or _drill_unit(request.user, data["unit"]),
        form=data["form"],
        setting=data["setting"],
    )
    return form, chosen, True


def _drill_unit(user: Any, pk: int | None) -> AdminUnit | None:
    """The unit of a drill-down link (any level, either geography): 404 outside the viewer's scope, as
    every unit the register is asked for."""
    if pk is None:
        return None
    unit = AdminUnit.objects.filter(pk=pk).first()
    if unit is None or not scope_for(user, Action.CASE_VIEW).contains(unit):
        raise Http404
    return unit


def form_labels(codes: list[str]) -> list[str]:
    names = dict(AbuseForm.choices)
    return [str(names.get(code, code)) for code in codes]


def _rows(incidents: list[Incident]) -> list[dict[str, Any]]:
    kinds = dict(LegalStepKind.choices)
    return [
        {
            "incident": i,
            "forms": form_labels(i.forms),
            "latest_step": kinds.get(i.latest_step, ""),  # type: ignore[attr-defined]
        }
        for i in incidents
    ]


def _breakdowns(counts: selectors.IncidentCounts) -> dict[str, list[dict[str, Any]]]:
    """The counts by form (incidents and children) and by setting, as table rows with their labels."""
    return {
        "by_form": [
            {
                "code": code,
                "label": label,
                "incidents": counts.incidents_by_form[code],
                "children": counts.children_by_form[code],
            }
            for code, label in AbuseForm.choices
        ],
        "by_setting": [
            {"code": code, "label": label, "incidents": counts.incidents_by_setting[code]}
            for code, label in Setting.choices
        ],
    }


def _query(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}


def _abused_children(
    request: HttpRequest, form: IncidentFilterForm, filters: selectors.IncidentFilter
) -> dict[str, Any]:
    """The list of abused children a figure counts (metrics.py): the victims of the incidents of the
    unit and period the viewer may read, narrowed to one category of each breakdown by the same
    `filter_victims` the figures use; the page shown is audited."""
    data = form.cleaned_data
    period = selectors.IncidentFilter(start=filters.start, end=filters.end, unit=filters.unit)
    base = selectors.victims_of(selectors.visible_incidents(request.user, period))
    chosen = selectors.filter_victims(
        base, sex=data["sex"], age_group=data["age_group"], form=data["form"], setting=data["setting"]
    )
    page_obj = Paginator(selectors.abused_child_ids(chosen), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page_obj.object_list)
    used = {k: data[k] for k in ("sex", "age_group") if data[k]}
    selectors.record_victims_view(request.user, ids, filters={**filters.as_dict(), **used})
    child_scope = scope_for(request.user, Action.CHILD_VIEW)
    sexes = {**dict(Sex.choices), SEX_UNKNOWN: ""}
    return {
        "page_obj": page_obj,
        "children_rows": [
            {
                "row": row,
                "visible": child_scope.contains(row.child.admin_unit),
                "sex": sexes.get(row.child.person.sex, ""),
                "age_group": selectors.AGE_GROUPS[row.age_group],
            }
            for row in selectors.abused_children_page(chosen, ids, ages_of=base)
        ],
        "category_labels": _category_labels(data),
    }


def _category_labels(data: dict[str, Any]) -> list[str]:
    """What the list of abused children is narrowed to, in words."""
    labels = []
    if data["sex"]:
        labels.append(str({**dict(Sex.choices), SEX_UNKNOWN: _("sex not recorded")}[data["sex"]]))
    if data["age_group"]:
        labels.append(str(selectors.AGE_GROUPS[data["age_group"]]))
    if data["form"]:
        labels.append(str(dict(AbuseForm.choices)[data["form"]]))
    if data["setting"]:
        labels.append(str(dict(Setting.choices)[data["setting"]]))
    return labels


@require_GET
@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    _require(request, Action.CASE_VIEW)
    form, filters, valid = _filters(request)
    as_of = filters.end or timezone.localdate()
    counts = selectors.count_incidents(selectors.visible_incidents(request.user, filters), as_of)
    drill: dict[str, Any] = {}
    if valid and form.is_bound and form.cleaned_data["show"] == SHOW_CHILDREN:
        drill = _abused_children(request, form, filters)
        page_obj, shown = drill["page_obj"], []
    else:
        incidents = selectors.incidents_for(request.user, filters)
        page_obj = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = list(page_obj.object_list)
        selectors.record_list_view(request.user, shown, filters=filters)
    query = _query(request)
    return render(
        request,
        "cases/incident_list.html",
        {
            "form": form,
            "counts": counts,
            "as_of": as_of,
            "page_obj": page_obj,
            "rows": _rows(shown),
            "show_children": bool(drill),
            "drill_unit": filters.unit if form.is_bound and valid and form.cleaned_data["unit"] else None,
            **drill,
            **_breakdowns(counts),
            "query": urlencode(query),
            "export_links": [
                {"format": fmt, "url": f"{reverse('incidents:export', args=[fmt])}?{urlencode(query)}"}
                for fmt in exporting.FORMATS
            ],
            "can_record": can(request.user, Action.INCIDENT_RECORD),
        },
        status=200 if valid else 400,
    )


@require_GET
@login_required
def incident_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse | FileResponse:
    if fmt not in exporting.FORMATS:
        raise Http404
    _require(request, Action.CASE_VIEW)
    _form, filters, valid = _filters(request)
    if not valid:
        raise Http404  # the register's links carry valid filters; a hand-made bad one gets nothing
    export = exporting.incidents_export(viewer=request.user, filters=filters, fmt=fmt)
    return download(
        fmt=fmt,
        headings=export.headings,
        rows=export.rows,
        filename=export.filename,
        sheet_title=export.sheet_title,
        widths=exporting.WIDTHS,
    )


# --- one incident ------------------------------------------------------------------------------------


def _detail_context(
    request: HttpRequest, incident: Incident, step_form: LegalStepForm | None = None
) -> dict[str, Any]:
    """What the incident page shows; loading it audits the view."""
    details = selectors.incident_details(viewer=request.user, incident=incident)
    case_scope = scope_for(request.user, Action.CASE_VIEW)
    child_scope = scope_for(request.user, Action.CHILD_VIEW)
    victims = [
        {
            "link": v,
            "child_visible": child_scope.contains(v.child.admin_unit),
            "case_visible": v.case is not None and case_scope.contains(v.case.admin_unit),
        }
        for v in details.victims
    ]
    labels = {p.pk: perpetrator_label(p, n) for n, p in enumerate(details.perpetrators, 1)}
    can_edit = scope_for(request.user, Action.INCIDENT_RECORD).contains(incident.admin_unit)
    context: dict[str, Any] = {
        "incident": incident,
        "incident_forms": list(zip(incident.forms, form_labels(incident.forms), strict=True)),
        "victims": victims,
        "perpetrators": [{"row": p, "label": labels[p.pk]} for p in details.perpetrators],
        "steps": [
            {"row": s, "perpetrator": labels.get(s.perpetrator_id or 0, "")} for s in details.legal_steps
        ],
        "can_edit": can_edit,
    }
    if can_edit:
        context["step_form"] = step_form or LegalStepForm(perpetrators=details.perpetrators)
        context["victim_form"] = VictimForm()
        context["perpetrator_form"] = PerpetratorForm(prefix=ADD_PERPETRATOR)
    return context


@require_GET
@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.CASE_VIEW)
    incident = selectors.get_incident_for_user(request.user, pk)
    return render(request, "cases/incident_detail.html", _detail_context(request, incident))


def _submission_hash(data: dict[str, Any], perpetrators: list[dict[str, Any]]) -> str:
    fields = {k: v.pk if isinstance(v, AdminUnit) else v for k, v in data.items()}
    return idempotency.body_hash({**fields, "perpetrators": perpetrators})


def _perpetrators_typed(formset: Any) -> list[dict[str, Any]]:
    return [
        {
            "relationship": f.cleaned_data["relationship"],
            "sex": f.cleaned_data["sex"],
            "age": f.cleaned_data["age"],
        }
        for f in formset.forms
        if f.cleaned_data.get("relationship")
    ]


@require_http_methods(["GET", "POST"])
@login_required
def incident_record(request: HttpRequest) -> HttpResponse:
    _require(request, Action.INCIDENT_RECORD)
    communes = _communes(request.user, Action.INCIDENT_RECORD)
    status = 200
    if request.method == "POST":
        form = IncidentRecordForm(request.POST, communes=communes)
        formset = PerpetratorFormSet(request.POST, prefix="perp")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            typed = _perpetrators_typed(formset)
            try:
                recorded = services.incident_record(
                    actor=request.user,
                    occurred_on=data["occurred_on"],
                    admin_unit=data["admin_unit"],
                    forms=data["forms"],
                    setting=data["setting"],
                    place_text=data["place_text"],
                    description=data["description"],
                    victims=data["victims"],
                    perpetrators=typed,
                    idempotency_key=data["submission"],
                    request_hash=_submission_hash(data, typed),
                )
            except ValidationError as error:
                errors_to_form(form, error)
            except idempotency.KeyReused:
                form.add_error(None, _("This form was sent already with other details. Open a new form."))
            else:
                messages.success(request, _("The incident is recorded."))
                return HttpResponseRedirect(reverse("incidents:detail", args=[recorded.incident.pk]))
        status = 400
    else:
        initial: dict[str, Any] = {"submission": uuid.uuid4().hex}
        children = [c for c in request.GET.getlist("child") if c.isdigit()]
        if children:
            initial["victims"] = ", ".join(children)
        current = [u for u in communes if u.valid_to is None]
        if len(current) == 1:
            initial["admin_unit"] = current[0].pk
        form = IncidentRecordForm(initial=initial, communes=communes)
        formset = PerpetratorFormSet(prefix="perp")
    return render(request, "cases/incident_form.html", {"form": form, "formset": formset}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.INCIDENT_RECORD)
    incident = selectors.get_incident_for_user(request.user, pk, Action.INCIDENT_RECORD)
    communes = _communes(request.user, Action.INCIDENT_RECORD)
    stale, status = False, 200
    if request.method == "POST":
        form = IncidentEditForm(request.POST, communes=communes)
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.incident_update(
                    actor=request.user,
                    incident=incident,
                    version=form.cleaned_data["version"],
                    changes=changes,
                )
            except Conflict as conflict:
                # Keep what was typed, now against the current version: after checking the record the
                # officer may save again on purpose.
                stale, status = True, 409
                kept = request.POST.copy()
                kept["version"] = str(conflict.current_version)
                form = IncidentEditForm(kept, communes=communes)
                form.is_valid()
            except ValidationError as error:
                errors_to_form(form, error)
                status = 400
            else:
                messages.success(request, _("Saved."))
                return _back(incident)
        else:
            status = 400
    else:
        initial = {name: getattr(incident, name) for name in services.EDITABLE}
        initial.update(admin_unit=incident.admin_unit_id, version=incident.version)
        form = IncidentEditForm(initial=initial, communes=communes)
    # The form shows the incident's facts: the view is audited like the incident page's.
    selectors.incident_details(viewer=request.user, incident=incident)
    return render(
        request,
        "cases/incident_edit.html",
        {"form": form, "incident": incident, "stale": stale},
        status=status,
    )


def _apply(request: HttpRequest, incident: Incident, write: Any, done: str) -> HttpResponse:
    """Run one write service of the incident page's forms: its refusal or its success becomes a message."""
    try:
        write()
    except ValidationError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        messages.success(request, done)
    return _back(incident)


@require_POST
@login_required
def victim_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.INCIDENT_RECORD)
    incident = selectors.get_incident_for_user(request.user, pk, Action.INCIDENT_RECORD)
    form = VictimForm(request.POST)
    if not form.is_valid():
        messages.error(request, _problems(form))
        return _back(incident)
    child_id = form.cleaned_data["child"]
    return _apply(
        request,
        incident,
        lambda: services.incident_add_victim(actor=request.user, incident=incident, child_id=child_id),
        _("The child is added to the incident."),
    )


@require_POST
@login_required
def perpetrator_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.INCIDENT_RECORD)
    incident = selectors.get_incident_for_user(request.user, pk, Action.INCIDENT_RECORD)
    form = PerpetratorForm(request.POST, prefix=ADD_PERPETRATOR)
    if not form.is_valid():
        messages.error(request, _problems(form))
        return _back(incident)
    data = form.cleaned_data
    return _apply(
        request,
        incident,
        lambda: services.incident_add_perpetrator(
            actor=request.user,
            incident=incident,
            relationship=data["relationship"],
            sex=data["sex"],
            age=data["age"],
        ),
        _("The perpetrator is added."),
    )


@require_POST
@login_required
def legal_step_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Action.INCIDENT_RECORD)
    incident = selectors.get_incident_for_user(request.user, pk, Action.INCIDENT_RECORD)
    perpetrators = list(incident.perpetrators.order_by("pk"))
    form = LegalStepForm(request.POST, perpetrators=perpetrators)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.legal_step_add(
                actor=request.user, incident=incident, kind=data["kind"], on=data["on"],
                perpetrator=form.perpetrator_row(), detail=data["detail"],
            )  # fmt: skip
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The step of the legal track is recorded."))
            return _back(incident)
    # The form comes back on the page with its errors beside the fields (the order rules explained).
    context = _detail_context(request, incident, step_form=form)
    return render(request, "cases/incident_detail.html", context, status=status)
