"""Case-page sections for the case record: notes, home visits, follow-ups and conferences; attachments.

Everyone who reads the case reads its record; the add and upload forms are offered to those who may
write it (`record_services.may_write`). The views of the record render the same contexts.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import record_selectors, record_services
from .models import Case
from .record_forms import AttachmentForm, NoteForm, new_note_form
from .sections import Section, register


def notes_context(viewer: Any, case: Case, form: NoteForm | None = None) -> dict[str, Any]:
    writer = record_services.may_write(viewer, case)
    rows = []
    for note in record_selectors.case_notes(case):
        text, decisions = record_services.split_text(note.text)
        rows.append(
            {
                "note": note,
                "text": text,
                "decisions": decisions,
                "can_edit": writer and note.author_id == viewer.pk,
            }
        )
    if writer and form is None:
        form = new_note_form(case, uuid.uuid4().hex)
    return {"notes": rows, "note_form": form if writer else None}


def attachments_context(viewer: Any, case: Case, form: AttachmentForm | None = None) -> dict[str, Any]:
    writer = record_services.may_write(viewer, case)
    rows = [
        {"file": a, "can_delete": record_services.may_delete_attachment(viewer, a, case)}
        for a in record_selectors.case_attachments(case)
    ]
    return {
        "attachments": rows,
        "upload_form": (form or AttachmentForm()) if writer else None,
        "max_mb": record_services.max_upload_mb(),
    }


def _notes(viewer: Any, case: Case) -> dict[str, Any]:
    return notes_context(viewer, case)


def _attachments(viewer: Any, case: Case) -> dict[str, Any]:
    return attachments_context(viewer, case)


register(Section("notes", _("Notes and visits"), "cases/record/_notes.html", 30, _notes))
register(Section("attachments", _("Attachments"), "cases/record/_attachments.html", 40, _attachments))
