"""Every write of children's voices and the council: recording a voice (idempotent), one service per
status transition (received → forwarded → answered → resolved), recording a council meeting.

Each service checks VOICE_RECORD at the record's unit itself and writes its audit event in the same
transaction. A transition names the version it read: a stale one raises `Conflict` and writes nothing.
Bad input raises a `ValidationError` whose messages say what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.activities.models import Activity
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.orgs.models import Organisation
from mangnon.registry.services import Conflict, province_of

from .council_services import _require, active_members
from .models import AgeBand, ChildVoice, CouncilMeeting, Sex, Topic, VoiceStatus

__all__ = ["TRANSITIONS", "Conflict"]

IDEMPOTENCY_SCOPE = "participation.voice.create"
MEETING_IDEMPOTENCY_SCOPE = "participation.councilmeeting.create"
MAX_TEXT = 5000

# The one transition table: from each status, the status it may move to.
TRANSITIONS: dict[str, str] = {
    VoiceStatus.RECEIVED: VoiceStatus.FORWARDED,
    VoiceStatus.FORWARDED: VoiceStatus.ANSWERED,
    VoiceStatus.ANSWERED: VoiceStatus.RESOLVED,
}


@dataclass(frozen=True)
class Recorded:
    voice: ChildVoice
    created: bool  # False: a retried request with the same idempotency key


def voice_create(
    *,
    actor: Any,
    text: str,
    topic: str,
    admin_unit: AdminUnit,
    raised_on: date,
    age_band: str = AgeBand.UNKNOWN,
    sex: str = "",
    source_activity: Activity | None = None,
    meeting: CouncilMeeting | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
) -> Recorded:
    """Record a child's voice at `admin_unit` (no name: text, topic, age band, optional sex)."""
    _require(actor, admin_unit)
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Enter what the child said or asked for.")]
    elif len(text) > MAX_TEXT:
        errors["text"] = [_("The text is too long (5000 characters at most).")]
    if topic not in Topic.values:
        errors["topic"] = [_("Choose the topic.")]
    if age_band not in AgeBand.values:
        errors["age_band"] = [_("Choose the age band.")]
    if sex and sex not in Sex.values:
        errors["sex"] = [_("Sex is M, F or left empty.")]
    if raised_on > timezone.localdate():
        errors["raised_on"] = [_("The date cannot be in the future.")]
    elif not admin_unit.is_valid_on(raised_on):
        errors["admin_unit"] = [_("The unit must be one that existed on that date.")]
    province = province_of(admin_unit)
    if source_activity is not None and source_activity.province_id != province.pk:
        errors["source_activity"] = [_("The activity belongs to another province.")]
    if meeting is not None and meeting.province_id != province.pk:
        errors["meeting"] = [_("The meeting belongs to another province.")]
    if errors:
        raise ValidationError(errors)

    def create() -> ChildVoice:
        voice = ChildVoice.objects.create(
            text=text,
            topic=topic,
            age_band=age_band,
            sex=sex,
            admin_unit=admin_unit,
            province=province,
            raised_on=raised_on,
            source_activity=source_activity,
            meeting=meeting,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=voice,
            unit=admin_unit,
            changes={"topic": topic, "raised_on": raised_on.isoformat(), "age_band": age_band},
        )
        return voice

    voice, created = idempotency.create_once(
        actor=actor,
        scope=IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: ChildVoice.objects.select_related("admin_unit", "province").get(pk=pk),
    )
    return Recorded(voice, created)


def _transition(
    *, actor: Any, voice: ChildVoice, version: int, to: str, fields: dict[str, Any]
) -> ChildVoice:
    _require(actor, voice.admin_unit)
    with transaction.atomic():
        locked = ChildVoice.objects.select_for_update().get(pk=voice.pk)
        if locked.version != version:
            raise Conflict(locked.version)
        if TRANSITIONS.get(locked.status) != to:
            raise ValidationError(
                {
                    "to": [
                        _("This voice cannot move from %(status)s to %(to)s.")
                        % {"status": locked.status, "to": to}
                    ]
                }
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        previous = locked.status
        locked.status = to
        locked.version += 1
        locked.save(update_fields=[*fields, "status", "version", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            unit=locked.admin_unit,
            changes={
                "status": [previous, to],
                **{
                    k: (v.pk if hasattr(v, "pk") else v.isoformat() if isinstance(v, date) else v)
                    for k, v in fields.items()
                    if k != "answer"
                },
            },
        )
    return locked


def _not_before(value: date, earlier: date | None, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: [_("The date cannot be in the future.")]})
    if earlier is not None and value < earlier:
        raise ValidationError({field: [_("The date is before the voice's previous step.")]})


def voice_forward(
    *,
    actor: Any,
    voice: ChildVoice,
    version: int,
    forwarded_to: str = "",
    forwarded_to_org: Organisation | None = None,
    due_on: date | None = None,
    forwarded_on: date | None = None,
) -> ChildVoice:
    """received → forwarded: to whom (the council's standing body, an agency, or a directory
    organisation) and by when the answer is due."""
    _require(actor, voice.admin_unit)
    errors: dict[str, list[str]] = {}
    forwarded_to = " ".join((forwarded_to or "").split())[:300]
    if not forwarded_to and forwarded_to_org is None:
        errors["forwarded_to"] = [_("Say to whom the voice was forwarded.")]
    on = forwarded_on or timezone.localdate()
    if due_on is None:
        errors["due_on"] = [_("Enter the date the answer is due.")]
    elif due_on < on:
        errors["due_on"] = [_("The answer's due date is before the day it was forwarded.")]
    if errors:
        raise ValidationError(errors)
    _not_before(on, voice.raised_on, "forwarded_on")
    fields = {
        "forwarded_to": forwarded_to,
        "forwarded_to_org": forwarded_to_org,
        "forwarded_on": on,
        "due_on": due_on,
    }
    return _transition(actor=actor, voice=voice, version=version, to=VoiceStatus.FORWARDED, fields=fields)


def voice_answer(
    *, actor: Any, voice: ChildVoice, version: int, answer: str, answered_on: date | None = None
) -> ChildVoice:
    """forwarded → answered: the answer the body gave."""
    _require(actor, voice.admin_unit)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("Enter the answer that was given.")]})
    if len(answer) > MAX_TEXT:
        raise ValidationError({"answer": [_("The text is too long (5000 characters at most).")]})
    on = answered_on or timezone.localdate()
    _not_before(on, voice.forwarded_on, "answered_on")
    fields = {"answer": answer, "answered_on": on}
    return _transition(actor=actor, voice=voice, version=version, to=VoiceStatus.ANSWERED, fields=fields)


def voice_resolve(
    *, actor: Any, voice: ChildVoice, version: int, resolved_on: date | None = None
) -> ChildVoice:
    """answered → resolved: what the children asked for was done (or the answer closed it)."""
    _require(actor, voice.admin_unit)
    on = resolved_on or timezone.localdate()
    _not_before(on, voice.answered_on, "resolved_on")
    return _transition(
        actor=actor, voice=voice, version=version, to=VoiceStatus.RESOLVED, fields={"resolved_on": on}
    )


def meeting_create(
    *,
    actor: Any,
    admin_unit: AdminUnit,
    held_on: date,
    minutes: str = "",
    members_present: int = 0,
    idempotency_key: str = "",
    request_hash: str = "",
) -> CouncilMeeting:
    """Record a meeting of the children's council of `admin_unit`: no more members present than the
    council had on that day (council_services keeps the members)."""
    _require(actor, admin_unit)
    errors: dict[str, list[str]] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = [_("The date cannot be in the future.")]
    elif not admin_unit.is_valid_on(held_on):
        errors["admin_unit"] = [_("The unit must be one that existed on that date.")]
    if (
        not isinstance(members_present, int)
        or isinstance(members_present, bool)
        or not 0 <= members_present <= 1000
    ):
        errors["members_present"] = [_("Enter the number of members present.")]
    elif members_present and "held_on" not in errors:
        active = active_members(admin_unit, held_on).count()
        if members_present > active:
            errors["members_present"] = [
                _(
                    "More members present (%(present)s) than the council had on that day (%(active)s): "
                    "add its members first."
                )
                % {"present": members_present, "active": active}
            ]
    if errors:
        raise ValidationError(errors)

    def create() -> CouncilMeeting:
        meeting = CouncilMeeting.objects.create(
            admin_unit=admin_unit,
            province=province_of(admin_unit),
            held_on=held_on,
            minutes=(minutes or "").strip()[:MAX_TEXT],
            members_present=members_present,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=meeting,
            unit=admin_unit,
            changes={"held_on": held_on.isoformat(), "members_present": members_present},
        )
        return meeting

    meeting, _created = idempotency.create_once(
        actor=actor,
        scope=MEETING_IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: CouncilMeeting.objects.select_related("admin_unit").get(pk=pk),
    )
    return meeting
