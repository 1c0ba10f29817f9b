"""The case record's services: notes of every kind (a conference with participants and decisions),
corrections by the author only with their history in the audit trail, uploads checked by size and
content and stored under a random name, removal by the uploader or a supervisor. A refusal writes
nothing; every write is audited."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mangnon.cases import record_services, services
from mangnon.cases.codes import NoteKind
from mangnon.cases.models import Attachment, Case, CaseNote
from mangnon.cases.record_services import NoteInput
from mangnon.cases.tests import record_files as files
from mangnon.cases.tests.factories import ContactChildFactory
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(personas):
    row = ContactChildFactory(contact__counsellor=personas.hotline)
    return services.case_open(actor=personas.officer_a, contact=row.contact).case


def _visit(**overrides) -> NoteInput:
    fields = {
        "kind": NoteKind.HOME_VISIT,
        "on": timezone.localdate(),
        "text": "Trẻ ở nhà với bà ngoại, đi học đều.",
        "participants": "Bà ngoại, trẻ",
    }
    return NoteInput(**{**fields, **overrides})


def _conference(**overrides) -> NoteInput:
    fields = {
        "kind": NoteKind.CONFERENCE,
        "on": timezone.localdate(),
        "text": "Rà soát tình hình an toàn của trẻ.",
        "participants": "Cán bộ xã, công an xã, giáo viên chủ nhiệm",
        "decisions": "Tiếp tục tư vấn tâm lý; công an xã theo dõi người bố.",
    }
    return NoteInput(**{**fields, **overrides})


def _events(object_type: str, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=object_type, action=action))


def _upload(content: bytes, name: str = "bien-ban.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- notes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", NoteKind.values)
def test_each_kind_of_note_is_added_and_audited(personas, case, kind):
    data = _conference() if kind == NoteKind.CONFERENCE else _visit(kind=kind)
    note = record_services.note_add(actor=personas.officer_a, case=case, data=data)
    assert note.case == case and note.kind == kind and note.author == personas.officer_a
    (event,) = _events("cases.casenote", AuditAction.CREATE)
    assert event.object_id == str(note.pk) and event.unit_id == case.admin_unit_id
    assert event.changes == {"case": case.pk, "kind": kind, "on": data.on.isoformat()}


def test_a_conference_keeps_participants_and_decisions(personas, case):
    note = record_services.note_add(actor=personas.officer_a, case=case, data=_conference())
    assert note.participants == "Cán bộ xã, công an xã, giáo viên chủ nhiệm"
    text, decisions = record_services.split_text(note.text)
    assert text == "Rà soát tình hình an toàn của trẻ."
    assert decisions == "Tiếp tục tư vấn tâm lý; công an xã theo dõi người bố."


def test_a_conference_needs_participants_and_decisions(personas, case):
    with pytest.raises(ValidationError) as refused:
        record_services.note_add(
            actor=personas.officer_a, case=case, data=_conference(participants=" ", decisions="")
        )
    assert set(refused.value.message_dict) == {"participants", "decisions"}
    assert not CaseNote.objects.exists()


def test_decisions_are_kept_only_for_a_conference(personas, case):
    note = record_services.note_add(
        actor=personas.officer_a, case=case, data=_visit(kind=NoteKind.FOLLOW_UP, decisions="x")
    )
    assert record_services.split_text(note.text) == ("Trẻ ở nhà với bà ngoại, đi học đều.", "")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"on": None}, "on"),
        ({"on": timezone.localdate() + timedelta(days=1)}, "on"),
        ({"on": date(2026, 3, 5)}, "on"),  # the day before the information was received
        ({"text": "  "}, "text"),
        ({"kind": "gossip"}, "kind"),
        ({"participants": "x" * 501}, "participants"),
        ({"text": "a [[decisions]] b"}, "text"),
    ],
)
def test_a_note_with_a_problem_is_refused(personas, case, overrides, field):
    with pytest.raises(ValidationError) as refused:
        record_services.note_add(actor=personas.officer_a, case=case, data=_visit(**overrides))
    assert field in refused.value.message_dict
    assert not CaseNote.objects.exists() and not _events("cases.casenote", AuditAction.CREATE)


def test_the_day_of_receipt_is_allowed(personas, case):
    note = record_services.note_add(actor=personas.officer_a, case=case, data=_visit(on=date(2026, 3, 6)))
    assert note.on == date(2026, 3, 6)


def test_who_writes_the_record(personas, case):
    for user in (personas.officer_a, personas.province_officer, personas.case_manager):
        record_services.note_add(actor=user, case=case, data=_visit())
    for user in (
        personas.chair_a,
        personas.officer_b,
        personas.hotline,
        personas.viewer,
        personas.collaborator_a,
    ):
        with pytest.raises(PermissionDenied):
            record_services.note_add(actor=user, case=case, data=_visit())
    assert CaseNote.objects.count() == 3


def test_the_case_s_caseworker_writes_the_record(personas, case):
    # A caseworker without CASE_WORK there (here the chairperson, set directly): still their case.
    Case.objects.filter(pk=case.pk).update(caseworker=personas.chair_a)
    case.refresh_from_db()
    note = record_services.note_add(actor=personas.chair_a, case=case, data=_visit())
    assert note.author == personas.chair_a


def test_a_resent_note_is_added_once(personas, case):
    def add(data):
        return record_services.note_add(
            actor=personas.officer_a,
            case=case,
            data=data,
            idempotency_key="form-1",
            request_hash=idempotency.body_hash(data.__dict__),
        )

    first, again = add(_visit()), add(_visit())
    assert first.pk == again.pk and CaseNote.objects.count() == 1
    with pytest.raises(idempotency.KeyReused):
        add(_visit(text="Khác"))


# --- corrections -------------------------------------------------------------------------------------


def test_the_author_corrects_a_note_and_the_trail_keeps_before_and_after(personas, case):
    note = record_services.note_add(actor=personas.officer_a, case=case, data=_visit())
    version = record_services.note_version(note)
    record_services.note_edit(
        actor=personas.officer_a, note=note, version=version, data=_visit(text="Trẻ ở với bà nội.")
    )
    note.refresh_from_db()
    assert note.text == "Trẻ ở với bà nội." and record_services.note_version(note) != version
    (event,) = _events("cases.casenote", AuditAction.UPDATE)
    assert event.changes == {
        "case": case.pk,
        "text": ["Trẻ ở nhà với bà ngoại, đi học đều.", "Trẻ ở với bà nội."],
    }


def test_a_correction_that_changes_nothing_writes_nothing(personas, case):
    note = record_services.note_add(actor=personas.officer_a, case=case, data=_visit())
    record_services.note_edit(
        actor=personas.officer_a, note=note, version=record_services.note_version(note), data=_visit()
    )
    assert not _events("cases.casenote", AuditAction.UPDATE)


def test_only_the_author_corrects(personas, case):
    note = record_services.note_add(actor=personas.officer_a, case=case, data=_visit())
    for user in (personas.province_officer, personas.chair_a, personas.officer_b):
        with pytest.raises(PermissionDenied):
            record_services.note_edit(
                actor=user, note=note, version=record_services.note_version(note), data=_visit(text="x")
            )
    note.refresh_from_db()
    assert note.text == "Trẻ ở nhà với bà ngoại, đi học đều."


def test_a_stale_correction_is_refused_and_loses_nothing(personas, case):
    note = record_services.note_add(actor=personas.officer_a, case=case, data=_visit())
    read = record_services.note_version(note)
    record_services.note_edit(actor=personas.officer_a, note=note, version=read, data=_visit(text="Lần một."))
    with pytest.raises(record_services.Stale) as stale:
        record_services.note_edit(
            actor=personas.officer_a, note=note, version=read, data=_visit(text="Lần hai.")
        )
    note.refresh_from_db()
    assert note.text == "Lần một." and stale.value.current == record_services.note_version(note)
    with pytest.raises(record_services.Stale):
        record_services.note_edit(actor=personas.officer_a, note=note, version="nonsense", data=_visit())


def test_a_correction_keeps_the_rules(personas, case):
    note = record_services.note_add(actor=personas.officer_a, case=case, data=_conference())
    with pytest.raises(ValidationError) as refused:
        record_services.note_edit(
            actor=personas.officer_a,
            note=note,
            version=record_services.note_version(note),
            data=_conference(decisions=""),
        )
    assert "decisions" in refused.value.message_dict


# --- attachments -------------------------------------------------------------------------------------


def test_an_upload_is_stored_under_a_random_name_with_its_hash(personas, case, media):
    attachment = record_services.attachment_add(
        actor=personas.officer_a,
        case=case,
        upload=_upload(files.PDF, name="Biên bản thăm nhà.pdf"),
        description="Biên bản  thăm\nnhà",
    )
    assert attachment.original_name == "Biên bản thăm nhà.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(files.PDF)
    assert attachment.sha256 == hashlib.sha256(files.PDF).hexdigest()
    assert attachment.description == "Biên bản thăm nhà"
    (stored,) = _stored_files(media)
    assert stored.read_bytes() == files.PDF and stored.parent.parent.parent.name == "cases"
    assert "Bi" not in stored.name and len(stored.stem) == 32 and stored.suffix == ".pdf"
    (event,) = _events("cases.attachment", AuditAction.CREATE)
    assert event.changes["sha256"] == attachment.sha256 and event.changes["case"] == case.pk


def test_the_kind_comes_from_the_content_not_the_name_or_the_browser(personas, case, media):
    attachment = record_services.attachment_add(
        actor=personas.officer_a,
        case=case,
        upload=_upload(files.PNG, name="scan.txt", content_type="text/plain"),
    )
    assert attachment.content_type == "image/png" and attachment.original_name == "scan.txt.png"
    for content in (files.HTML, files.SVG, files.EXE, files.plain_zip()):
        with pytest.raises(ValidationError) as refused:
            record_services.attachment_add(
                actor=personas.officer_a, case=case, upload=_upload(content, name="bien-ban.pdf")
            )
        assert list(refused.value.message_dict) == ["file"]
    assert Attachment.objects.count() == 1 and len(_stored_files(media)) == 1


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (files.JPEG, "image/jpeg"),
        (files.TEXT, "text/plain"),
        (files.docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (files.xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (files.odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_every_accepted_kind_is_attached(personas, case, content, kind):
    attachment = record_services.attachment_add(
        actor=personas.officer_a, case=case, upload=_upload(content, content_type="application/octet-stream")
    )
    assert attachment.content_type == kind


def test_size_limit_and_empty_files(personas, case, settings, media):
    settings.MANGNON_ATTACHMENT_MAX_BYTES = 1024 * 1024
    too_big = files.PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as refused:
        record_services.attachment_add(actor=personas.officer_a, case=case, upload=_upload(too_big))
    assert list(refused.value.message_dict) == ["file"] and "1 MB" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        record_services.attachment_add(actor=personas.officer_a, case=case, upload=_upload(b""))
    assert not Attachment.objects.exists() and not _stored_files(media)


def test_who_uploads(personas, case, media):
    for user in (personas.chair_a, personas.officer_b, personas.hotline):
        with pytest.raises(PermissionDenied):
            record_services.attachment_add(actor=user, case=case, upload=_upload(files.PDF))
    assert not _stored_files(media)


def test_a_failed_write_leaves_no_file_behind(personas, case, media, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the trail is down")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        record_services.attachment_add(actor=personas.officer_a, case=case, upload=_upload(files.PDF))
    assert not Attachment.objects.exists() and not _stored_files(media)


def test_the_uploader_removes_a_file_and_the_trail_keeps_its_hash(
    personas, case, media, django_capture_on_commit_callbacks
):
    attachment = record_services.attachment_add(
        actor=personas.officer_a, case=case, upload=_upload(files.PDF)
    )
    with django_capture_on_commit_callbacks(execute=True):
        record_services.attachment_delete(actor=personas.officer_a, attachment=attachment)
    assert not Attachment.objects.exists() and not _stored_files(media)
    (event,) = _events("cases.attachment", AuditAction.DELETE)
    assert event.object_id == str(attachment.pk)
    assert event.changes["sha256"] == hashlib.sha256(files.PDF).hexdigest()
    assert event.changes["name"] == "bien-ban.pdf" and event.changes["case"] == case.pk


def test_who_removes_a_file(personas, units, case, media, django_capture_on_commit_callbacks):
    from mangnon.accounts.roles import Role
    from mangnon.accounts.tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory()
    MembershipFactory(user=colleague, role=Role.COMMUNE_OFFICER, admin_unit=units.commune_a)
    attachment = record_services.attachment_add(
        actor=personas.officer_a, case=case, upload=_upload(files.PDF)
    )
    for user in (colleague, personas.chair_a, personas.officer_b, personas.hotline):
        with pytest.raises(PermissionDenied):
            record_services.attachment_delete(actor=user, attachment=attachment)
    assert Attachment.objects.count() == 1 and len(_stored_files(media)) == 1
    # A supervisor of the commune (a province officer) may.
    with django_capture_on_commit_callbacks(execute=True):
        record_services.attachment_delete(actor=personas.province_officer, attachment=attachment)
    assert not Attachment.objects.exists() and not _stored_files(media)
