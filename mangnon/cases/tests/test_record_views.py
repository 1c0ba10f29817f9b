"""The case record's pages: the "notes and visits" and "attachments" sections of the case page, adding
a note (htmx and plain), correcting one's own note (409 when stale, input kept), uploading, downloading
(only through the case's access check, saved never rendered) and removing a file. For every route:
allowed, forbidden (another commune → 404, wrong role → 403 or 404, anonymous → login) and audited."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mangnon.cases import record_services, services
from mangnon.cases.codes import NoteKind
from mangnon.cases.models import Attachment, Case, CaseNote
from mangnon.cases.record_services import NoteInput
from mangnon.cases.record_views import DOWNLOAD_CSP
from mangnon.cases.tests import record_files as files
from mangnon.cases.tests.factories import CaseFactory, ContactChildFactory
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(personas):
    row = ContactChildFactory(contact__counsellor=personas.hotline, child__person__full_name="Đặng Minh Khôi")
    return services.case_open(actor=personas.officer_a, contact=row.contact).case


def _note_post(**overrides) -> dict[str, str]:
    return {
        "kind": NoteKind.HOME_VISIT,
        "on": timezone.localdate().strftime("%d/%m/%Y"),
        "participants": "Bà ngoại",
        "text": "Trẻ an toàn, đi học đều.",
        "submission": "s-1",
        **overrides,
    }


def _note(case: Case, author, **overrides) -> CaseNote:
    fields = {"kind": NoteKind.NOTE, "on": timezone.localdate(), "text": "Gọi điện cho mẹ của trẻ."}
    return record_services.note_add(actor=author, case=case, data=NoteInput(**{**fields, **overrides}))


def _attach(case: Case, user, content: bytes = files.PDF, name: str = "Biên bản.pdf") -> Attachment:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return record_services.attachment_add(actor=user, case=case, upload=SimpleUploadedFile(name, content))


def _file(content: bytes, name: str, content_type: str = "application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def _views(case: Case, page: str) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="cases.case", object_id=str(case.pk), changes__page=page
    ).count()


def test_url_names():
    assert reverse("case_record:notes", args=[7]) == "/cases/7/notes/"
    assert reverse("case_record:note_edit", args=[7, 3]) == "/cases/7/notes/3/"
    assert reverse("case_record:attachments", args=[7]) == "/cases/7/attachments/"
    assert reverse("case_record:attachment", args=[7, 3]) == "/cases/7/attachments/3/"
    assert reverse("case_record:attachment_delete", args=[7, 3]) == "/cases/7/attachments/3/delete/"


def test_anonymous_is_sent_to_login_everywhere(client, personas, case):
    note = _note(case, personas.officer_a)
    attachment = _attach(case, personas.officer_a)
    login = reverse("accounts:login")
    requests = [
        ("post", f"/cases/{case.pk}/notes/"),
        ("get", f"/cases/{case.pk}/notes/{note.pk}/"),
        ("post", f"/cases/{case.pk}/notes/{note.pk}/"),
        ("post", f"/cases/{case.pk}/attachments/"),
        ("get", f"/cases/{case.pk}/attachments/{attachment.pk}/"),
        ("post", f"/cases/{case.pk}/attachments/{attachment.pk}/delete/"),
    ]
    for method, url in requests:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    assert CaseNote.objects.count() == 1 and Attachment.objects.count() == 1


# --- the sections on the case page -------------------------------------------------------------------


def test_the_case_page_shows_the_record_and_its_forms_to_those_who_write_it(personas, client_for, case):
    note = _note(case, personas.officer_a)
    attachment = _attach(case, personas.officer_a)
    html = client_for(personas.officer_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-section="notes"' in html and 'data-section="attachments"' in html
    assert f'data-note="{note.pk}"' in html and "data-note-form" in html and "data-note-edit" in html
    assert f'href="/cases/{case.pk}/attachments/{attachment.pk}/"' in html and "data-upload-form" in html
    assert "data-attachment-delete" in html and "/no-direct-media/" not in html and "cases/20" not in html
    # The timeline has them too.
    assert 'data-timeline-kind="note"' in html and 'data-timeline-kind="attachment"' in html
    # The chairperson reads the record, writes nothing in it.
    html = client_for(personas.chair_a).get(f"/cases/{case.pk}/").content.decode()
    assert f'data-note="{note.pk}"' in html and "data-attachment-download" in html
    assert "data-note-form" not in html and "data-upload-form" not in html
    assert "data-note-edit" not in html and "data-attachment-delete" not in html


def test_the_case_page_reads_the_record_in_constant_queries(personas, client_for, case):
    client = client_for(personas.officer_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/cases/{case.pk}/").status_code == 200
        return len(queries)

    _note(case, personas.officer_a)
    _attach(case, personas.officer_a)
    few = count()
    for n in range(10):
        _note(case, personas.province_officer, text=f"Ghi chú {n}")
        _attach(case, personas.province_officer, name=f"tep-{n}.pdf")
    assert count() == few


# --- adding a note -----------------------------------------------------------------------------------


def test_a_note_is_added_from_the_plain_form(personas, client_for, case):
    response = client_for(personas.officer_a).post(f"/cases/{case.pk}/notes/", _note_post())
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#case-notes"
    note = CaseNote.objects.get()
    assert note.kind == NoteKind.HOME_VISIT and note.participants == "Bà ngoại"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="cases.casenote", object_id=str(note.pk)
    ).exists()


def test_a_note_added_with_htmx_comes_back_in_the_section(personas, client_for, case):
    response = client_for(personas.officer_a).post(f"/cases/{case.pk}/notes/", _note_post(), **HTMX)
    html = response.content.decode()
    note = CaseNote.objects.get()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="case-notes"')
    assert f'data-note="{note.pk}"' in html and "data-note-errors" not in html
    assert 'name="submission"' in html and 'value="s-1"' not in html  # a fresh form for the next one
    assert _views(case, "notes") == 1


def test_a_conference_from_the_form(personas, client_for, case):
    post = _note_post(kind=NoteKind.CONFERENCE, participants="", decisions="")
    response = client_for(personas.officer_a).post(f"/cases/{case.pk}/notes/", post)
    html = response.content.decode()
    assert response.status_code == 400 and "data-note-errors" in html and not CaseNote.objects.exists()
    assert 'data-field="participants"' in html and 'data-field="decisions"' in html
    post = _note_post(kind=NoteKind.CONFERENCE, participants="Cán bộ xã, công an", decisions="Chuyển gửi.")
    assert client_for(personas.officer_a).post(f"/cases/{case.pk}/notes/", post).status_code == 302
    html = client_for(personas.officer_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-note-kind="conference"' in html and "Chuyển gửi." in html


def test_a_note_with_problems_keeps_what_was_typed(personas, client_for, case):
    future = (timezone.localdate() + timezone.timedelta(days=2)).strftime("%d/%m/%Y")
    client = client_for(personas.officer_a)
    response = client.post(f"/cases/{case.pk}/notes/", _note_post(on=future, text="Giữ lại"))
    html = response.content.decode()
    assert response.status_code == 400 and "data-note-errors" in html and "Giữ lại" in html
    assert '<details class="record-add" open' in html
    response = client.post(f"/cases/{case.pk}/notes/", _note_post(text=""), **HTMX)
    assert response.status_code == 200 and "data-note-errors" in response.content.decode()
    assert not CaseNote.objects.exists()


def test_a_resent_form_adds_one_note(personas, client_for, case):
    client = client_for(personas.officer_a)
    for _attempt in range(2):
        assert client.post(f"/cases/{case.pk}/notes/", _note_post()).status_code == 302
    assert CaseNote.objects.count() == 1
    response = client.post(f"/cases/{case.pk}/notes/", _note_post(text="Khác"))
    assert response.status_code == 400 and CaseNote.objects.count() == 1


def test_adding_a_note_is_forbidden_outside(personas, client_for, units, case):
    for user in (personas.officer_b, personas.hotline, personas.collaborator_a, personas.viewer):
        assert client_for(user).post(f"/cases/{case.pk}/notes/", _note_post()).status_code == 404
    assert client_for(personas.chair_a).post(f"/cases/{case.pk}/notes/", _note_post()).status_code == 403
    assert client_for(personas.officer_a).get(f"/cases/{case.pk}/notes/").status_code == 405
    other = CaseFactory(admin_unit=units.commune_b)
    assert client_for(personas.officer_a).post(f"/cases/{other.pk}/notes/", _note_post()).status_code == 404
    assert not CaseNote.objects.exists()


# --- correcting a note -------------------------------------------------------------------------------


def test_the_author_corrects_a_note(personas, client_for, case):
    note = _note(case, personas.officer_a)
    client = client_for(personas.officer_a)
    response = client.get(f"/cases/{case.pk}/notes/{note.pk}/")
    html = response.content.decode()
    assert (
        response.status_code == 200 and "Gọi điện cho mẹ của trẻ." in html and "data-note-edit-form" in html
    )
    assert _views(case, "note_edit") == 1
    post = _note_post(
        kind=NoteKind.NOTE, text="Đã gọi cho mẹ và bà.", version=record_services.note_version(note)
    )
    response = client.post(f"/cases/{case.pk}/notes/{note.pk}/", post)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#case-notes"
    note.refresh_from_db()
    assert note.text == "Đã gọi cho mẹ và bà."
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="cases.casenote")
    assert event.changes["text"] == ["Gọi điện cho mẹ của trẻ.", "Đã gọi cho mẹ và bà."]


def test_a_stale_correction_answers_409_and_keeps_the_input(personas, client_for, case):
    note = _note(case, personas.officer_a)
    read = record_services.note_version(note)
    client = client_for(personas.officer_a)
    first = _note_post(kind=NoteKind.NOTE, text="Bản một.", version=read)
    assert client.post(f"/cases/{case.pk}/notes/{note.pk}/", first).status_code == 302
    second = _note_post(kind=NoteKind.NOTE, text="Bản hai.", version=read)
    response = client.post(f"/cases/{case.pk}/notes/{note.pk}/", second)
    html = response.content.decode()
    assert response.status_code == 409 and "data-stale" in html and "Bản hai." in html and "Bản một." in html
    note.refresh_from_db()
    assert note.text == "Bản một."
    assert f'value="{record_services.note_version(note)}"' in html  # sending again is deliberate
    bad = _note_post(kind=NoteKind.NOTE, text="", version=record_services.note_version(note))
    assert client.post(f"/cases/{case.pk}/notes/{note.pk}/", bad).status_code == 400


def test_only_the_author_corrects_and_only_inside(personas, client_for, units, case):
    note = _note(case, personas.officer_a)
    for user in (personas.province_officer, personas.chair_a):
        assert client_for(user).get(f"/cases/{case.pk}/notes/{note.pk}/").status_code == 403
    for user in (personas.officer_b, personas.hotline, personas.collaborator_a):
        assert client_for(user).get(f"/cases/{case.pk}/notes/{note.pk}/").status_code == 404
    other = services.case_open(
        actor=personas.officer_a, contact=ContactChildFactory(contact__counsellor=personas.hotline).contact
    ).case
    # A note is reached only through its own case.
    assert client_for(personas.officer_a).get(f"/cases/{other.pk}/notes/{note.pk}/").status_code == 404
    assert client_for(personas.officer_a).get(f"/cases/{case.pk}/notes/999999/").status_code == 404


# --- attachments -------------------------------------------------------------------------------------


def test_a_file_is_uploaded(personas, client_for, case, media):
    response = client_for(personas.officer_a).post(
        f"/cases/{case.pk}/attachments/",
        {"file": _file(files.PDF, "Biên bản họp.pdf"), "description": "Biên bản"},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#case-attachments"
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Biên bản họp.pdf" and attachment.description == "Biên bản"
    assert attachment.uploaded_by == personas.officer_a
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="cases.attachment").count() == 1


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (files.HTML, "bien-ban.pdf", "application/pdf"),
        (files.SVG, "anh.png", "image/png"),
        (files.EXE, "setup.docx", "application/octet-stream"),
        (files.PDF + b"0" * 2048, "big.pdf", "application/pdf"),
    ],
    ids=["html", "svg", "exe", "too-big"],
)
def test_a_refused_file_is_explained_and_not_stored(
    personas, client_for, case, media, settings, content, name, content_type
):
    settings.MANGNON_ATTACHMENT_MAX_BYTES = 2048
    response = client_for(personas.officer_a).post(
        f"/cases/{case.pk}/attachments/", {"file": _file(content, name, content_type)}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "data-upload-errors" in html and 'data-field="file"' in html
    assert not Attachment.objects.exists()
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]
    assert _views(case, "attachments") == 1


def test_uploading_is_forbidden_outside(personas, client_for, case):
    for user in (personas.officer_b, personas.hotline, personas.collaborator_a):
        response = client_for(user).post(
            f"/cases/{case.pk}/attachments/", {"file": _file(files.PDF, "a.pdf")}
        )
        assert response.status_code == 404
    response = client_for(personas.chair_a).post(
        f"/cases/{case.pk}/attachments/", {"file": _file(files.PDF, "a.pdf")}
    )
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_a_download_is_saved_never_rendered_and_is_audited(personas, client_for, case):
    attachment = _attach(case, personas.officer_a, name="Biên bản họp.pdf")
    response = client_for(personas.chair_a).get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == files.PDF
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert (
        disposition.startswith("attachment;")
        and f"filename*=utf-8''{quote('Biên bản họp.pdf')}" in disposition
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == DOWNLOAD_CSP and "sandbox" in DOWNLOAD_CSP
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="cases.attachment")
    assert event.actor_id == personas.chair_a.pk and event.object_id == str(attachment.pk)
    assert event.changes == {
        "case": case.pk,
        "page": "download",
        "sha256": hashlib.sha256(files.PDF).hexdigest(),
    }


def test_a_text_file_is_sent_as_utf8_text(personas, client_for, case):
    attachment = _attach(case, personas.officer_a, content=files.TEXT, name="ghi-chu.txt")
    response = client_for(personas.officer_a).get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(response.streaming_content) == files.TEXT


def test_downloading_is_404_outside_the_case_s_scope(personas, client_for, units, case):
    attachment = _attach(case, personas.officer_a)
    url = f"/cases/{case.pk}/attachments/{attachment.pk}/"
    # Commune B's officer, a hotline counsellor (no CASE_VIEW), a collaborator, leadership: the case does
    # not exist for them, nor its files.
    for user in (personas.officer_b, personas.hotline, personas.collaborator_a, personas.viewer):
        assert client_for(user).get(url).status_code == 404
    # A file is reached only through its own case.
    other = CaseFactory(admin_unit=units.commune_a)
    assert (
        client_for(personas.officer_a).get(f"/cases/{other.pk}/attachments/{attachment.pk}/").status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="cases.attachment").exists()
    assert client_for(personas.officer_a).post(url).status_code == 405


def test_a_hotline_counsellor_downloads_only_where_their_role_reads_cases(personas, client_for, units, case):
    from mangnon.accounts.roles import Role
    from mangnon.accounts.tests.factories import MembershipFactory

    attachment = _attach(case, personas.officer_a)
    url = f"/cases/{case.pk}/attachments/{attachment.pk}/"
    assert client_for(personas.hotline).get(url).status_code == 404
    # The same person, also a commune officer of commune A (CASE_VIEW there), may.
    MembershipFactory(user=personas.hotline, role=Role.COMMUNE_OFFICER, admin_unit=units.commune_a)
    assert client_for(personas.hotline).get(url).status_code == 200


def test_a_file_missing_from_the_disk_is_404(personas, client_for, case, media):
    attachment = _attach(case, personas.officer_a)
    (media / attachment.file.name).unlink()
    assert (
        client_for(personas.officer_a).get(f"/cases/{case.pk}/attachments/{attachment.pk}/").status_code
        == 404
    )


def test_a_file_is_removed_by_its_uploader(
    personas, client_for, case, media, django_capture_on_commit_callbacks
):
    attachment = _attach(case, personas.officer_a)
    url = f"/cases/{case.pk}/attachments/{attachment.pk}/delete/"
    assert client_for(personas.chair_a).post(url).status_code == 403
    for user in (personas.officer_b, personas.hotline):
        assert client_for(user).post(url).status_code == 404
    assert client_for(personas.officer_a).get(url).status_code == 405
    assert Attachment.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.officer_a).post(url)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#case-attachments"
    assert not Attachment.objects.exists() and not (media / attachment.file.name).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_type="cases.attachment").count() == 1
    html = client_for(personas.officer_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-timeline-kind="attachment_removed"' in html
