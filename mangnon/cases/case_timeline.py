"""The case page's timeline: everything that happened on a case, in time order.

Gathered from the steps of the cycle (with their forms), the deadlines met, met late or missed, the
services of the plan (planned, started, delivered, cancelled), the referrals (sent, accepted, rejected),
the caseworker's assignments (kept in the audit trail), the notes, home visits, follow-ups and case
conferences, and the files attached or removed. One query per kind, whatever the case's length.

The case has been loaded through `access.get_case_for_user`: whoever reads the case reads its timeline.
Entries the record dates without a time (a visit "on 12/03", a service delivered on a day) are shown as
that date and ordered at the moment they were recorded when that was the same day, otherwise at the
start of that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.models import User
from mangnon.core.formatting import vi_date, vi_datetime
from mangnon.core.models import AuditAction, AuditEvent

from . import selectors, step_forms
from .codes import ReferralStatus, ServiceStatus
from .labels import step_label
from .models import Attachment, Case, CaseNote, CaseService, Referral
from .record_services import split_text

CASE_TYPE = "cases.case"
ATTACHMENT_TYPE = "cases.attachment"


@dataclass(frozen=True)
class Entry:
    at: datetime  # the moment it is ordered by
    kind: str  # a stable code: "step", "deadline_met", "note", "attachment", … (the data-timeline-kind)
    code: str  # within the kind: the step's name, the deadline's or the note's kind, …
    label: str
    actor: str = ""
    day: date | None = None  # set when the record gives a date only: shown as that date
    reason: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""


def _on_day(day: date, recorded_at: datetime) -> datetime:
    if timezone.localtime(recorded_at).date() == day:
        return recorded_at
    return timezone.make_aware(datetime.combine(day, time.min))


def _name(user: Any) -> str:
    return str(user) if user is not None else ""


def _steps(case: Case) -> Iterable[Entry]:
    for step in selectors.case_steps(case):
        yield Entry(
            at=step.at,
            kind="step",
            code=step.name,
            label=step_label(step.name),
            actor=_name(step.actor),
            reason=step.reason,
            rows=step_forms.display_rows(step.form, step.data),
        )


def _deadlines(case: Case, now: datetime) -> Iterable[Entry]:
    for deadline in selectors.case_deadlines(case):
        what = deadline.get_kind_display()
        due = [(_("Due"), vi_datetime(deadline.due_at))]
        if deadline.met_at is not None:
            late = deadline.met_at > deadline.due_at
            yield Entry(
                at=deadline.met_at,
                kind="deadline_late" if late else "deadline_met",
                code=deadline.kind,
                label=(_("Deadline met late: %(deadline)s") if late else _("Deadline met: %(deadline)s"))
                % {"deadline": what},
                rows=due,
            )
        elif not deadline.cancelled and deadline.due_at < now:
            yield Entry(
                at=deadline.due_at,
                kind="deadline_missed",
                code=deadline.kind,
                label=_("Deadline missed: %(deadline)s") % {"deadline": what},
            )


def _service_rows(service: CaseService) -> list[tuple[str, str]]:
    rows = []
    if service.provider is not None:
        rows.append((_("Provider"), service.provider.name))
    if service.description:
        rows.append((_("Description"), service.description))
    if service.planned_start:
        period = vi_date(service.planned_start)
        if service.planned_end:
            period = f"{period} – {vi_date(service.planned_end)}"
        rows.append((_("Planned dates"), period))
    return rows


def _services(case: Case) -> Iterable[Entry]:
    for service in selectors.case_services(case):
        what = {"service": service.get_service_type_display()}
        yield Entry(
            at=service.created_at,
            kind="service_planned",
            code=service.service_type,
            label=_("Service planned: %(service)s") % what,
            rows=_service_rows(service),
        )
        if service.started_on is not None:
            yield Entry(
                at=_on_day(service.started_on, service.updated_at),
                kind="service_started",
                code=service.service_type,
                label=_("Service started: %(service)s") % what,
                day=service.started_on,
            )
        if service.delivered_on is not None:
            yield Entry(
                at=_on_day(service.delivered_on, service.updated_at),
                kind="service_delivered",
                code=service.service_type,
                label=_("Service delivered: %(service)s") % what,
                day=service.delivered_on,
            )
        if service.status == ServiceStatus.CANCELLED:
            yield Entry(
                at=service.updated_at,
                kind="service_cancelled",
                code=service.service_type,
                label=_("Service cancelled: %(service)s") % what,
                reason=service.cancel_reason,
            )


def _receiver(referral: Referral) -> str:
    if referral.to_org is not None:
        return referral.to_org.name
    return referral.to_unit.name if referral.to_unit is not None else ""


def _referrals(case: Case) -> Iterable[Entry]:
    referrals = (
        Referral.objects.filter(case=case)
        .select_related("to_unit", "to_org", "sent_by", "responded_by")
        .order_by("sent_at", "pk")
    )
    for referral in referrals:
        to = {"receiver": _receiver(referral)}
        rows = []
        if referral.emergency_override:
            rows.append((_("Referred without consent (emergency)"), referral.override_reason))
        yield Entry(
            at=referral.sent_at,
            kind="referral_sent",
            code=referral.status,
            label=_("Referral sent to %(receiver)s") % to,
            actor=_name(referral.sent_by),
            reason=referral.reason,
            rows=rows,
        )
        if referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.REJECTED) and referral.responded_at:
            accepted = referral.status == ReferralStatus.ACCEPTED
            yield Entry(
                at=referral.responded_at,
                kind="referral_accepted" if accepted else "referral_rejected",
                code=referral.status,
                label=(
                    _("Referral accepted by %(receiver)s")
                    if accepted
                    else _("Referral rejected by %(receiver)s")
                )
                % to,
                actor=_name(referral.responded_by),
                reason=referral.response_note,
            )


def _new_worker(event: AuditEvent) -> int | None:
    change = event.changes.get("caseworker")
    if isinstance(change, list) and len(change) == 2 and isinstance(change[1], int):
        return change[1]
    return None


def _from_the_trail(case: Case) -> Iterable[Entry]:
    """What only the audit trail keeps: each change of caseworker (`services.case_assign`) and each file
    removed (`record_services.attachment_delete`). The people named come in one query."""
    assigned = list(
        AuditEvent.objects.filter(
            object_type=CASE_TYPE,
            object_id=str(case.pk),
            action=AuditAction.UPDATE,
            changes__has_key="caseworker",
        ).order_by("at", "pk")
    )
    removed = list(
        AuditEvent.objects.filter(
            object_type=ATTACHMENT_TYPE, action=AuditAction.DELETE, changes__case=case.pk
        ).order_by("at", "pk")
    )
    ids = {e.actor_id for e in (*assigned, *removed)} | {_new_worker(e) for e in assigned}
    users = {u.pk: u for u in User.objects.filter(pk__in=[i for i in ids if i is not None])}

    def actor(event: AuditEvent) -> str:
        return _name(users.get(event.actor_id or 0)) or event.actor_username

    for event in assigned:
        worker = users.get(_new_worker(event) or 0)
        yield Entry(
            at=event.at,
            kind="assigned",
            code="caseworker",
            label=_("Caseworker assigned: %(name)s") % {"name": _name(worker) or "—"},
            actor=actor(event),
        )
    for event in removed:
        yield Entry(
            at=event.at,
            kind="attachment_removed",
            code="",
            label=_("File removed: %(name)s") % {"name": event.changes.get("name", "")},
            actor=actor(event),
        )


def _notes(case: Case) -> Iterable[Entry]:
    for note in (
        CaseNote.objects.filter(case=case).select_related("author").order_by("on", "created_at", "pk")
    ):
        text, decisions = split_text(note.text)
        rows = []
        if note.participants:
            rows.append((_("Participants"), note.participants))
        rows.append((_("Content of the note"), text))
        if decisions:
            rows.append((_("Decisions of the conference"), decisions))
        yield Entry(
            at=_on_day(note.on, note.created_at),
            kind="note",
            code=note.kind,
            label=note.get_kind_display(),
            actor=_name(note.author),
            day=note.on,
            rows=rows,
        )


def _attachments(case: Case) -> Iterable[Entry]:
    files = Attachment.objects.filter(case=case).select_related("uploaded_by").order_by("created_at", "pk")
    for attachment in files:
        yield Entry(
            at=attachment.created_at,
            kind="attachment",
            code=attachment.content_type,
            label=_("File attached: %(name)s") % {"name": attachment.original_name},
            actor=_name(attachment.uploaded_by),
            rows=[(_("Description"), attachment.description)] if attachment.description else [],
            url=reverse("case_record:attachment", args=[case.pk, attachment.pk]),
        )


def case_timeline(case: Case, *, now: datetime | None = None) -> list[Entry]:
    """Everything recorded on the case, oldest first; on the same moment, in the order of the kinds
    above (a step before the deadline it met)."""
    moment = now or timezone.now()
    entries = [
        *_steps(case),
        *_deadlines(case, moment),
        *_services(case),
        *_referrals(case),
        *_from_the_trail(case),
        *_notes(case),
        *_attachments(case),
    ]
    return sorted(entries, key=lambda e: e.at)
