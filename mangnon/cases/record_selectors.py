"""Reads of the case record. The case always comes through `access.get_case_for_user` first, so a note
or an attachment is reached only by those who may read its case (404 otherwise, as for the case)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from mangnon.core import audit
from mangnon.core.models import AuditAction

from .access import get_case_for_user
from .models import Attachment, Case, CaseNote


def case_notes(case: Case) -> list[CaseNote]:
    """The case's notes, visits, follow-ups and conferences, the latest first."""
    return list(case.notes.select_related("author").order_by("-on", "-created_at", "-pk"))


def case_attachments(case: Case) -> list[Attachment]:
    return list(case.attachments.select_related("uploaded_by").order_by("-created_at", "-pk"))


def get_note_for_user(user: Any, case_id: Any, note_id: Any) -> tuple[Case, CaseNote]:
    case = get_case_for_user(user, case_id)
    note = CaseNote.objects.select_related("author").filter(case=case, pk=note_id).first()
    if note is None:
        raise Http404
    note.case = case
    return case, note


def get_attachment_for_user(user: Any, case_id: Any, attachment_id: Any) -> tuple[Case, Attachment]:
    case = get_case_for_user(user, case_id)
    attachment = Attachment.objects.filter(case=case, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    attachment.case = case
    return case, attachment


def record_download(viewer: Any, attachment: Attachment) -> None:
    """Audit that `viewer` downloaded a file of a case record (a read of personal data)."""
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        obj=attachment,
        unit=attachment.case.admin_unit,
        changes={"case": attachment.case_id, "page": "download", "sha256": attachment.sha256},
    )
