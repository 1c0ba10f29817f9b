"""Every write of the case record: notes (a note, a home visit, a follow-up, a case conference) and
attachments.

Who writes: whoever works cases at the case's commune (CASE_WORK there), and the case's caseworker. A
note is edited by its author only; the audit event of each edit carries the changed fields before and
after, so the trail keeps the note's history. An attachment is deleted by the person who uploaded it or
by a supervisor (CASE_SUPERVISE) of the commune: files are evidence, so an officer does not remove a
colleague's. Readers (CASE_VIEW) go through `access.get_case_for_user` and `record_selectors`.

Each service checks the actor again (no caller can skip it), runs in one transaction with its audit
event and raises before writing anything: `ValidationError` (by field), `PermissionDenied`, or `Stale`
(the note changed since the actor read it).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction

from . import uploads
from .codes import NoteKind
from .models import Attachment, Case, CaseNote

__all__ = [
    "Stale",
    "attachment_add",
    "attachment_delete",
    "may_delete_attachment",
    "may_edit_note",
    "may_write",
    "note_add",
    "note_edit",
    "note_version",
]

NOTE_IDEMPOTENCY_SCOPE = "cases.note.add"
# A conference's decisions are kept in the note's text after this line (the model has one text field);
# `split_text` takes them apart again. Typed into a note, the line is refused.
DECISIONS_MARK = "[[decisions]]"
NOTE_FIELDS = ("kind", "on", "text", "participants")
PARTICIPANTS_MAX = 500
DESCRIPTION_MAX = 300


class Stale(Exception):
    """The note changed since the actor read it; nothing was written."""

    def __init__(self, current: str) -> None:
        super().__init__("stale")
        self.current = current


# --- who ---------------------------------------------------------------------------------------------


def may_write(user: Any, case: Case) -> bool:
    """Whether `user` may add to the case record: CASE_WORK at the case's commune, or its caseworker."""
    unit = case.admin_unit
    if scope_for(user, Action.CASE_WORK).contains(unit):
        return True
    return (
        case.caseworker_id is not None
        and case.caseworker_id == getattr(user, "pk", None)
        and scope_for(user, Action.CASE_VIEW).contains(unit)
    )


def may_edit_note(user: Any, note: CaseNote, case: Case) -> bool:
    return note.author_id == getattr(user, "pk", None) and may_write(user, case)


def may_delete_attachment(user: Any, attachment: Attachment, case: Case) -> bool:
    if scope_for(user, Action.CASE_SUPERVISE).contains(case.admin_unit):
        return True
    return attachment.uploaded_by_id == getattr(user, "pk", None) and may_write(user, case)


# --- notes -------------------------------------------------------------------------------------------


def compose_text(text: str, decisions: str) -> str:
    text, decisions = text.strip(), decisions.strip()
    return f"{text}\n\n{DECISIONS_MARK}\n{decisions}" if decisions else text


def split_text(stored: str) -> tuple[str, str]:
    """(text, decisions) of a stored note."""
    text, mark, decisions = stored.partition(f"\n{DECISIONS_MARK}\n")
    return (text.rstrip(), decisions.strip()) if mark else (stored, "")


@dataclass(frozen=True)
class NoteInput:
    kind: str
    on: date | None
    text: str
    participants: str = ""
    decisions: str = ""


def note_errors(case: Case, data: NoteInput) -> dict[str, list[str]]:
    """The rules of a note, by field (shared by the services and the page's form)."""
    errors: dict[str, list[str]] = {}
    if data.kind not in NoteKind.values:
        errors["kind"] = [_("Choose what kind of record this is.")]
    if data.on is None:
        errors["on"] = [_("Give the date.")]
    elif data.on > timezone.localdate():
        errors["on"] = [_("The date cannot be in the future.")]
    elif data.on < timezone.localtime(case.received_at).date():
        errors["on"] = [_("The date cannot be before the information was received.")]
    if not data.text.strip():
        errors["text"] = [_("Write what happened.")]
    if len(data.participants) > PARTICIPANTS_MAX:
        errors["participants"] = [_("At most %(n)s characters.") % {"n": PARTICIPANTS_MAX}]
    if data.kind == NoteKind.CONFERENCE:
        if not data.participants.strip():
            errors.setdefault("participants", []).append(_("Name who took part in the conference."))
        if not data.decisions.strip():
            errors["decisions"] = [_("Record what the conference decided.")]
    for name in ("text", "decisions"):
        if DECISIONS_MARK in getattr(data, name):
            errors.setdefault(name, []).append(_("Remove the text %(mark)s.") % {"mark": DECISIONS_MARK})
    return errors


def _fields(data: NoteInput) -> dict[str, Any]:
    decisions = data.decisions if data.kind == NoteKind.CONFERENCE else ""
    return {
        "kind": data.kind,
        "on": data.on,
        "text": compose_text(data.text, decisions),
        "participants": data.participants.strip(),
    }


def _require_write(actor: Any, case: Case) -> None:
    if not may_write(actor, case):
        raise PermissionDenied


def note_add(
    *, actor: Any, case: Case, data: NoteInput, idempotency_key: str = "", request_hash: str = ""
) -> CaseNote:
    """Add a note, a home visit, a follow-up or a case conference (participants and decisions) to the
    case record. With `idempotency_key` a resent form returns the note the first one made."""
    _require_write(actor, case)
    errors = note_errors(case, data)
    if errors:
        raise ValidationError(errors)

    def create() -> CaseNote:
        note = CaseNote.objects.create(case=case, author=actor, **_fields(data))
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=note,
            unit=case.admin_unit,
            changes={"case": case.pk, "kind": note.kind, "on": note.on},
        )
        return note

    note, _created = idempotency.create_once(
        actor=actor,
        scope=NOTE_IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: CaseNote.objects.get(pk=pk, case=case),
    )
    return note


def note_version(note: CaseNote) -> str:
    """The token an edit names to prove it read the current note (the note has no version column: its
    last change time serves)."""
    return note.updated_at.isoformat()


def _parse_version(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if timezone.is_aware(moment) else None


def note_edit(*, actor: Any, note: CaseNote, version: str, data: NoteInput) -> CaseNote:
    """Correct a note: its author only. A stale `version` is `Stale`; the audit event carries each
    changed field before and after."""
    case = note.case
    if note.author_id != getattr(actor, "pk", None):
        raise PermissionDenied
    _require_write(actor, case)
    read_at = _parse_version(version)
    current = CaseNote.objects.filter(pk=note.pk).values_list("updated_at", flat=True).first()
    if current is None:
        raise PermissionDenied
    if read_at is None or read_at != current:
        raise Stale(current.isoformat())
    errors = note_errors(case, data)
    if errors:
        raise ValidationError(errors)
    fields = _fields(data)
    before = {name: getattr(note, name) for name in NOTE_FIELDS}
    changes = audit.diff(before, fields)
    if not changes:
        return note
    now = timezone.now()
    with transaction.atomic():
        if not CaseNote.objects.filter(pk=note.pk, updated_at=read_at).update(**fields, updated_at=now):
            raise Stale(note_version(CaseNote.objects.get(pk=note.pk)))
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=note,
            unit=case.admin_unit,
            changes={"case": case.pk, **changes},
        )
    note.refresh_from_db()
    return note


# --- attachments -------------------------------------------------------------------------------------


def max_upload_mb() -> int | float:
    """MANGNON_ATTACHMENT_MAX_BYTES in MB, as people write it (10, or 0.5)."""
    limit = int(settings.MANGNON_ATTACHMENT_MAX_BYTES)
    mb = 1024 * 1024
    return limit // mb if limit % mb == 0 else round(limit / mb, 2)


def _check_upload(upload: UploadedFile) -> uploads.FileKind:
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    if upload.size > int(settings.MANGNON_ATTACHMENT_MAX_BYTES):
        raise ValidationError(
            {"file": [_("The file is too large: at most %(mb)s MB.") % {"mb": max_upload_mb()}]}
        )
    try:
        return uploads.sniff(upload)
    except uploads.UnsupportedFile as refused:
        raise ValidationError({"file": [str(refused)]}) from None


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def attachment_add(*, actor: Any, case: Case, upload: UploadedFile, description: str = "") -> Attachment:
    """Attach a file to the case record after checking its size and, by its content, its kind. It is
    stored under a random name outside the web root; the name the user gave is kept, cleaned, to show."""
    _require_write(actor, case)
    description = " ".join((description or "").split())
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError({"description": [_("At most %(n)s characters.") % {"n": DESCRIPTION_MAX}]})
    kind = _check_upload(upload)
    attachment = Attachment(
        case=case,
        original_name=uploads.display_name(upload.name or "", kind),
        content_type=kind.content_type,
        size=int(upload.size or 0),
        sha256=_sha256(upload),
        description=description,
        uploaded_by=actor,
    )
    attachment.file.save(f"{uuid.uuid4().hex}{kind.extensions[0]}", upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=attachment,
                unit=case.admin_unit,
                changes={
                    "case": case.pk,
                    "name": attachment.original_name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "sha256": attachment.sha256,
                },
            )
    except Exception:
        attachment.file.delete(save=False)  # nothing refers to the stored file
        raise
    return attachment


def attachment_delete(*, actor: Any, attachment: Attachment) -> None:
    """Remove an attachment: its row now and its file once the removal commits. The audit event keeps
    its name, size and sha256, so the file can be recognised if a copy turns up."""
    case = attachment.case
    if not may_delete_attachment(actor, attachment, case):
        raise PermissionDenied
    file = attachment.file
    storage, name = file.storage, file.name
    with transaction.atomic():
        deleted, _rows = Attachment.objects.filter(pk=attachment.pk).delete()
        if not deleted:
            return  # removed meanwhile by someone else, who was audited
        audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=attachment,
            unit=case.admin_unit,
            changes={
                "case": case.pk,
                "name": attachment.original_name,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "uploaded_by": attachment.uploaded_by_id,
            },
        )
        if name:
            transaction.on_commit(lambda: storage.delete(name))
