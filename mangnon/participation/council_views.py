"""The children's council pages: a council per unit (the province's, a commune's) with its members,
its meetings and minutes, the recommendations raised at each meeting and the counts of the unit's voices
by status; adding and ending memberships, recording a meeting and a recommendation raised there.

Views only translate: the unit comes through `get_council_unit_for_user` (404 outside the scope), the
page through the council selectors, every write through a service. Showing the page is audited (the
member list, the meetings' minutes and the voices raised at them).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import idempotency
from mangnon.core.forms import errors_to_form
from mangnon.geo.models import AdminUnit

from . import council_selectors, council_services, selectors, services
from .council_forms import CouncilChooser, EndMemberForm, MeetingForm, MemberForm, RecommendationForm
from .models import CouncilMeeting, CouncilMember, VoiceStatus


def _unit_label(unit: AdminUnit) -> str:
    if unit.valid_to is None:
        return unit.name
    return str(_("%(name)s (until %(day)s)") % {"name": unit.name, "day": unit.valid_to.strftime("%d/%m/%Y")})


def _fresh(form_class: type[forms.Form], **initial: Any) -> forms.Form:
    return form_class(initial={"submission": uuid.uuid4().hex, **initial})


def _create_once(
    request: HttpRequest,
    form: forms.Form,
    create: Callable[..., Any],
    *,
    keyed: dict[str, Any],
    **given: Any,
) -> bool:
    """The form's record created once through `create` (the service, given the form's data and
    `given`), its submission key the form's and the body hashed with the record it belongs to (`keyed`).
    True when created (with its message); else the problems are on the form."""
    if not form.is_valid():
        return False
    data = {k: v for k, v in form.cleaned_data.items() if k != "submission"}
    try:
        create(
            actor=request.user,
            **given,
            **data,
            idempotency_key=form.cleaned_data["submission"],
            request_hash=idempotency.body_hash({**data, **keyed}),
        )
    except ValidationError as exc:
        errors_to_form(form, exc)
    except idempotency.KeyReused:
        form.add_error(None, _("This form was sent already with other details. Open a new form."))
    else:
        messages.success(request, _("Saved."))
        return True
    return False


def _back(unit: AdminUnit, anchor: str) -> HttpResponseRedirect:
    url = reverse("participation:council") + f"?unit={unit.pk}#{anchor}"
    return HttpResponseRedirect(url, status=303)


def _page(
    request: HttpRequest,
    unit: AdminUnit,
    *,
    member_form: forms.Form | None = None,
    meeting_form: forms.Form | None = None,
    recommendation: tuple[CouncilMeeting, forms.Form] | None = None,
    ending: tuple[CouncilMember, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    data = council_selectors.council(viewer=user, unit=unit)
    council_selectors.record_members_view(user, unit, data.members)
    selectors.record_meetings_view(user, data.meetings)
    selectors.record_list_view(user, [v for m in data.meetings for v in m.shown_voices])  # type: ignore[attr-defined]
    for meeting in data.meetings:
        if recommendation is not None and recommendation[0].pk == meeting.pk:
            meeting.recommendation_form = recommendation[1]  # type: ignore[attr-defined]
        else:
            meeting.recommendation_form = RecommendationForm(  # type: ignore[attr-defined]
                auto_id=f"m{meeting.pk}_%s", initial={"submission": uuid.uuid4().hex}
            )
    units = council_selectors.council_units(user)
    if unit not in units:
        units.insert(0, unit)
    today = timezone.localdate()
    return render(
        request,
        "participation/council.html",
        {
            "council": data,
            "unit": unit,
            "chooser": CouncilChooser(
                initial={"unit": unit.pk}, choices=[(u.pk, _unit_label(u)) for u in units]
            ),
            "can_record": scope_for(user, Action.VOICE_RECORD).contains(unit),
            "member_form": member_form or _fresh(MemberForm, from_date=today),
            "meeting_form": meeting_form or _fresh(MeetingForm, held_on=today),
            "ending_member": ending[0] if ending else None,
            "end_form": ending[1] if ending else EndMemberForm(initial={"to_date": today}),
            "statuses": [(code, label, data.voice_counts[code]) for code, label in VoiceStatus.choices],
            "today": today,
        },
        status=status,
    )


@require_GET
@login_required
def council(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VOICE_VIEW):
        raise PermissionDenied
    chosen = request.GET.get("unit")
    if chosen:
        unit = council_selectors.get_council_unit_for_user(request.user, chosen)
    else:
        units = council_selectors.council_units(request.user)
        if not units:
            raise Http404
        unit = units[0]
    return _page(request, unit)


@require_POST
@login_required
def member_add(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = council_selectors.get_council_unit_for_user(request.user, unit_id, Action.VOICE_RECORD)
    form = MemberForm(request.POST)
    if _create_once(request, form, council_services.member_add, keyed={"unit": unit.pk}, admin_unit=unit):
        return _back(unit, "members")
    return _page(request, unit, member_form=form, status=400)


@require_POST
@login_required
def member_end(request: HttpRequest, pk: int) -> HttpResponse:
    member = council_selectors.get_member_for_user(request.user, pk, Action.VOICE_RECORD)
    form = EndMemberForm(request.POST)
    if form.is_valid():
        try:
            council_services.member_end(
                actor=request.user, member=member, to_date=form.cleaned_data["to_date"]
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return _back(member.admin_unit, "members")
    return _page(request, member.admin_unit, ending=(member, form), status=400)


@require_POST
@login_required
def meeting_record(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = council_selectors.get_council_unit_for_user(request.user, unit_id, Action.VOICE_RECORD)
    form = MeetingForm(request.POST)
    if _create_once(request, form, services.meeting_create, keyed={"unit": unit.pk}, admin_unit=unit):
        return _back(unit, "meetings")
    return _page(request, unit, meeting_form=form, status=400)


@require_POST
@login_required
def recommendation_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A recommendation raised at a meeting: a child's voice at the council's unit, raised on the day
    of the meeting and linked to it, so it follows the voices' steps (forwarded, answered, resolved)."""
    meeting = council_selectors.get_meeting_for_user(request.user, pk, Action.VOICE_RECORD)
    form = RecommendationForm(request.POST, auto_id=f"m{meeting.pk}_%s")
    if _create_once(
        request,
        form,
        services.voice_create,
        keyed={"meeting": meeting.pk},
        admin_unit=meeting.admin_unit,
        raised_on=meeting.held_on,
        meeting=meeting,
    ):
        return _back(meeting.admin_unit, f"meeting-{meeting.pk}")
    return _page(request, meeting.admin_unit, recommendation=(meeting, form), status=400)
