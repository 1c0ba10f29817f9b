"""Voice pages: the board by status with the overdue list, and a voice's page with its next step.

Views only translate: a voice comes through `get_voice_for_user` (404 outside the scope), the board
through the selectors, every write through a service; both pages write a "view" event in the audit trail.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.geo.models import AdminUnit

from . import council_selectors, rollups, selectors, services
from .forms import CountedVoicesForm, StepForm, VoiceForm
from .models import ChildVoice, Topic, VoiceStatus
from .services import TRANSITIONS

BOARD_SIZE = 20
OVERDUE_SIZE = 50
COUNTED_SIZE = 50  # a figure's list, by page
STATUS_SIZE = 50  # one status chosen: more of its voices


STEP_LABELS = {
    "received": gettext_lazy("Children's voices received"),
    "forwarded": gettext_lazy("Children's voices forwarded"),
    "answered": gettext_lazy("Children's voices answered"),
    "resolved": gettext_lazy("Children's voices resolved"),
}


def _counted_voices(request: HttpRequest) -> HttpResponse:
    """A voices figure's list (metrics.py): the voices `rollups.voices_at_step` counts for the unit and
    period (404 for a unit outside the viewer's scope, as the figure), latest first, the page audited."""
    form = CountedVoicesForm(request.GET)
    if not form.is_valid():
        return render(request, "participation/counted_voices.html", {"form": form}, status=400)
    data = form.cleaned_data
    unit = AdminUnit.objects.filter(pk=data["unit"]).first()
    if unit is None:
        raise Http404
    voices = rollups.voices_at_step(
        rollups.counted_voices(viewer=request.user, unit=unit), data["step"], data["start"], data["end"]
    )
    if data["topic"]:
        voices = voices.filter(topic=data["topic"])
    page_obj = Paginator(voices.select_related("admin_unit").order_by("-raised_on", "-pk"), COUNTED_SIZE)
    page = page_obj.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    counted = {k: (v.code if k == "unit" else v) for k, v in {**data, "unit": unit}.items() if v}
    selectors.record_list_view(request.user, shown, counted=counted)
    query = {k: request.GET[k] for k in ("unit", "step", "start", "end", "topic") if request.GET.get(k)}
    return render(
        request,
        "participation/counted_voices.html",
        {
            "form": form,
            "unit": unit,
            "title": STEP_LABELS[data["step"]],
            "topic": dict(Topic.choices).get(data["topic"], ""),
            "start": data["start"],
            "end": data["end"],
            "page_obj": page,
            "voices": shown,
            "query": urlencode(query),
        },
    )


@require_GET
@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The board: the overdue answers, then each status's latest voices; `?status=` shows one status
    (more of its voices). Each status says how many voices it holds. `?unit=&step=&start=&end=` is a
    figure's list instead (`_counted_voices`)."""
    if not can(request.user, Action.VOICE_VIEW):
        raise PermissionDenied
    if "unit" in request.GET:
        return _counted_voices(request)
    status = request.GET.get("status", "")
    valid = status in ("", *VoiceStatus.values)
    if not valid:
        status = ""
    counts = council_selectors.status_counts(viewer=request.user)
    if status:
        columns = {
            status: list(
                selectors.voices_for(request.user, selectors.VoiceFilter(status=status))[:STATUS_SIZE]
            )
        }
    else:
        columns = selectors.voices_board(request.user, per_status=BOARD_SIZE)
    overdue = list(selectors.overdue_voices(request.user)[:OVERDUE_SIZE])
    shown = {v.pk: v for column in columns.values() for v in column}
    shown.update({v.pk: v for v in overdue})
    selectors.record_list_view(
        request.user, list(shown.values()), filters=selectors.VoiceFilter(status=status)
    )
    return render(
        request,
        "participation/board.html",
        {
            "columns": [
                (code, label, columns[code], counts[code])
                for code, label in VoiceStatus.choices
                if code in columns
            ],
            "statuses": [(code, label, counts[code]) for code, label in VoiceStatus.choices],
            "status": status,
            "total": sum(counts[code] for code in VoiceStatus.values),
            "overdue": overdue,
            "overdue_count": counts["overdue"],
            "can_record": can(request.user, Action.VOICE_RECORD),
        },
        status=200 if valid else 400,
    )


def _step_form(voice: ChildVoice, data: Any = None) -> StepForm | None:
    step = TRANSITIONS.get(voice.status)
    if step is None:
        return None
    return StepForm(data, step=step, initial={"to": step, "version": voice.version})


@require_http_methods(["GET", "POST"])
@login_required
def voice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    voice = selectors.get_voice_for_user(request.user, pk)
    may_record = scope_for(request.user, Action.VOICE_RECORD).contains(voice.admin_unit)
    form = _step_form(voice) if may_record else None
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        form = _step_form(voice, request.POST)
        if form is not None and form.is_valid():
            data = form.cleaned_data
            kwargs = {"actor": request.user, "voice": voice, "version": data["version"]}
            try:
                if data["to"] == VoiceStatus.FORWARDED:
                    services.voice_forward(
                        **kwargs,
                        forwarded_to=data["forwarded_to"],
                        forwarded_on=data["forwarded_on"],
                        due_on=data["due_on"],
                    )
                elif data["to"] == VoiceStatus.ANSWERED:
                    services.voice_answer(**kwargs, answer=data["answer"], answered_on=data["answered_on"])
                else:
                    services.voice_resolve(**kwargs, resolved_on=data["resolved_on"])
            except services.Conflict:
                messages.error(
                    request,
                    _("The record was changed by someone else: reload it and make your change again."),
                )
                return HttpResponseRedirect(reverse("participation:voice", args=[voice.pk]), status=303)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("participation:voice", args=[voice.pk]), status=303)
    selectors.record_voice_view(request.user, voice)
    return render(
        request,
        "participation/voice_detail.html",
        {"voice": voice, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def voice_record(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VOICE_RECORD):
        raise PermissionDenied
    units = sorted(
        AdminUnit.objects.filter(scope_for(request.user, Action.VOICE_RECORD).q("")),
        key=lambda u: (u.valid_to is not None, u.level, u.name, u.pk),
    )
    status = 200
    if request.method == "POST":
        form = VoiceForm(request.POST, units=units)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "submission"}
            body = {**data, "admin_unit": data["admin_unit"].pk}
            try:
                recorded = services.voice_create(
                    actor=request.user,
                    **data,
                    idempotency_key=form.cleaned_data["submission"],
                    request_hash=idempotency.body_hash(body),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except idempotency.KeyReused:
                form.add_error(None, _("This form was sent already with other details. Open a new form."))
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(
                    reverse("participation:voice", args=[recorded.voice.pk]), status=303
                )
        status = 400
    else:
        initial: dict[str, Any] = {"submission": uuid.uuid4().hex}
        current = [u for u in units if u.valid_to is None]
        if len(current) == 1:
            initial["admin_unit"] = current[0].pk
        form = VoiceForm(initial=initial, units=units)
    return render(request, "participation/voice_form.html", {"form": form}, status=status)
