"""The case record's pages: add a note (htmx answers with the section, a plain form post comes back to
the case page), correct one's own note, upload, download and remove an attachment.

A case comes through `access.get_case_for_user` (404 outside the viewer's scope), a note or a file
through `record_selectors` (404 when it is not the case's); writing needs `record_services.may_write`
(403 otherwise). Every page that shows the record, and every download, writes a "view" audit event.
Files are never served from MEDIA_ROOT: the download view streams them with headers that make the
browser save them, never render them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mangnon.core import idempotency
from mangnon.core.forms import errors_to_form

from . import record_selectors, record_services, uploads
from .access import get_case_for_user
from .models import Case
from .record_forms import AttachmentForm, NoteEditForm, NoteForm
from .record_sections import attachments_context, notes_context
from .selectors import record_case_view

# The browser saves the file and runs nothing of it, even if it were opened in a tab.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back_to(case: Case, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('cases:detail', args=[case.pk])}#{anchor}")


def _section_page(
    request: HttpRequest, case: Case, *, title: str, template: str, context: dict[str, Any], status: int
) -> HttpResponse:
    """A section on a page of its own: where a plain form post with a problem lands, so the officer
    sees what to correct without losing what was typed."""
    return render(
        request,
        "cases/record/section_page.html",
        {"case": case, "title": title, "section_template": template, **context},
        status=status,
    )


# --- notes -------------------------------------------------------------------------------------------


@require_POST
@login_required
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not record_services.may_write(request.user, case):
        raise PermissionDenied
    form = NoteForm(request.POST, case=case)
    shown: NoteForm | None = form
    if form.is_valid():
        fields = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "submission")}
        try:
            record_services.note_add(
                actor=request.user,
                case=case,
                data=form.note_input(),
                idempotency_key=form.cleaned_data.get("submission") or "",
                request_hash=idempotency.body_hash(fields),
            )
        except ValidationError as error:
            errors_to_form(form, error)
        except idempotency.KeyReused:
            form.add_error(None, _("This form was sent already with other details. Open a new form."))
        else:
            if not _is_htmx(request):
                messages.success(request, _("Added to the case record."))
                return _back_to(case, "case-notes")
            shown = None  # the section comes back with the new note and an empty form
    record_case_view(request.user, case, page="notes")
    context = notes_context(request.user, case, shown)
    if _is_htmx(request):
        # htmx swaps only successful answers: a form with problems comes back as 200 with them shown.
        return render(request, "cases/record/_notes.html", {"case": case, **context})
    return _section_page(
        request,
        case,
        title=_("Notes and visits"),
        template="cases/record/_notes.html",
        context=context,
        status=400,
    )


@require_http_methods(["GET", "POST"])
@login_required
def note_edit(request: HttpRequest, pk: int, note: int) -> HttpResponse:
    case, found = record_selectors.get_note_for_user(request.user, pk, note)
    if not record_services.may_edit_note(request.user, found, case):
        raise PermissionDenied
    status, stale = 200, False
    if request.method == "POST":
        form = NoteEditForm(request.POST, case=case)
        if form.is_valid():
            try:
                record_services.note_edit(
                    actor=request.user,
                    note=found,
                    version=form.cleaned_data["version"],
                    data=form.note_input(),
                )
            except record_services.Stale as changed:
                # Keep what was typed, against the current note: sending it again is then deliberate.
                stale, status = True, 409
                kept = request.POST.copy()
                kept["version"] = changed.current
                form = NoteEditForm(kept, case=case)
                form.is_valid()
                found.refresh_from_db()
            except ValidationError as error:
                errors_to_form(form, error)
                status = 400
            else:
                messages.success(request, _("The note is corrected."))
                return _back_to(case, "case-notes")
        else:
            status = 400
    else:
        form = NoteEditForm.for_note(found, case)
    record_case_view(request.user, case, page="note_edit")
    text, decisions = record_services.split_text(found.text)
    return render(
        request,
        "cases/record/note_edit.html",
        {
            "case": case,
            "note": found,
            "form": form,
            "stale": stale,
            "current_text": text,
            "current_decisions": decisions,
        },
        status=status,
    )


# --- attachments -------------------------------------------------------------------------------------


@require_POST
@login_required
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not record_services.may_write(request.user, case):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            record_services.attachment_add(
                actor=request.user,
                case=case,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data.get("description") or "",
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The file is attached."))
            return _back_to(case, "case-attachments")
    record_case_view(request.user, case, page="attachments")
    return _section_page(
        request,
        case,
        title=_("Attachments"),
        template="cases/record/_attachments.html",
        context=attachments_context(request.user, case, form),
        status=400,
    )


@require_GET
@login_required
def attachment_download(request: HttpRequest, pk: int, att: int) -> FileResponse:
    _case, attachment = record_selectors.get_attachment_for_user(request.user, pk, att)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    record_selectors.record_download(request.user, attachment)
    kind = uploads.KINDS.get(attachment.content_type)
    content_type = kind.content_type if kind else "application/octet-stream"
    if kind is uploads.TEXT:
        content_type += "; charset=utf-8"
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_POST
@login_required
def attachment_delete(request: HttpRequest, pk: int, att: int) -> HttpResponse:
    case, attachment = record_selectors.get_attachment_for_user(request.user, pk, att)
    record_services.attachment_delete(actor=request.user, attachment=attachment)
    messages.success(request, _("The file is removed from the case record."))
    return _back_to(case, "case-attachments")
