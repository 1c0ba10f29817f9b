"""The case page's timeline: every kind of thing recorded on a case, in time order, in a fixed number of
queries whatever the case's length; on the page, each entry carries its kind."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mangnon.cases import record_services, services
from mangnon.cases.case_timeline import case_timeline
from mangnon.cases.codes import NoteKind, ReferralStatus, ServiceStatus
from mangnon.cases.models import Case, CaseService, Referral
from mangnon.cases.record_services import NoteInput
from mangnon.cases.tests import record_files as files
from mangnon.cases.tests.factories import ContactChildFactory
from mangnon.cases.tests.steps import advance
from mangnon.cases.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def case(personas):
    row = ContactChildFactory(contact__counsellor=personas.hotline)
    return services.case_open(actor=personas.officer_a, contact=row.contact).case


def _note(case: Case, user, on: date, text: str = "Thăm nhà.", kind: str = NoteKind.HOME_VISIT):
    decisions = "Tiếp tục theo dõi." if kind == NoteKind.CONFERENCE else ""
    data = NoteInput(kind=kind, on=on, text=text, participants="Mẹ của trẻ", decisions=decisions)
    return record_services.note_add(actor=user, case=case, data=data)


def _attach(case: Case, user, name: str = "bien-ban.pdf"):
    return record_services.attachment_add(actor=user, case=case, upload=SimpleUploadedFile(name, files.PDF))


def _refer(case: Case, user, units, status: str = ReferralStatus.SENT, responder=None) -> Referral:
    now = timezone.now()
    return Referral.objects.create(
        case=case,
        from_unit=case.admin_unit,
        to_unit=units.province,
        reason="Cần hỗ trợ tâm lý chuyên sâu.",
        emergency_override=True,
        override_reason="Mẹ không liên lạc được.",
        status=status,
        sent_by=user,
        sent_at=now,
        responded_by=responder,
        responded_at=now + timedelta(minutes=5) if responder else None,
        response_note="Đã tiếp nhận." if responder else "",
    )


def _kinds(case: Case) -> list[str]:
    return [e.kind for e in case_timeline(case)]


def test_a_new_case_shows_its_opening_and_its_missed_deadlines(case):
    # Received on Friday 6/3/2026 and recorded only now: both clocks ran out before the record was made.
    entries = case_timeline(case)
    assert [(e.kind, e.code) for e in entries] == [
        ("deadline_missed", "safety"),
        ("deadline_missed", "plan"),
        ("step", "open"),
    ]
    assert entries[-1].actor and entries[-1].rows  # who opened it, and Mẫu 01's fields
    # Before the 12 hours were up, nothing was missed.
    early = case.received_at + timedelta(hours=1)
    assert [e.kind for e in case_timeline(case, now=early)] == ["step"]


def test_everything_recorded_on_a_case_in_time_order(
    personas, units, case, django_capture_on_commit_callbacks
):
    advance(case, Status.IN_SERVICE, officer=personas.officer_a, chair=personas.chair_a)
    services.case_assign(actor=personas.officer_a, case=case, caseworker=personas.province_officer)
    planned = list(CaseService.objects.filter(case=case).order_by("pk"))
    today = timezone.localdate()
    CaseService.objects.filter(pk=planned[0].pk).update(
        status=ServiceStatus.DELIVERED, started_on=today, delivered_on=today
    )
    CaseService.objects.filter(pk=planned[1].pk).update(
        status=ServiceStatus.CANCELLED, cancel_reason="Gia đình chuyển đi."
    )
    _refer(case, personas.officer_a, units, ReferralStatus.ACCEPTED, responder=personas.province_officer)
    _note(case, personas.officer_a, today)
    _note(case, personas.officer_a, today, text="Họp.", kind=NoteKind.CONFERENCE)
    kept = _attach(case, personas.officer_a)
    removed = _attach(case, personas.officer_a, name="nham.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        record_services.attachment_delete(actor=personas.officer_a, attachment=removed)

    entries = case_timeline(case)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    kinds = {e.kind for e in entries}
    assert kinds >= {
        "step",
        "deadline_late",  # received in March 2026: the safety and plan deadlines were met late
        "service_planned",
        "service_started",
        "service_delivered",
        "service_cancelled",
        "referral_sent",
        "referral_accepted",
        "assigned",
        "note",
        "attachment",
        "attachment_removed",
    }
    steps = [e.code for e in entries if e.kind == "step"]
    assert steps == ["open", "assess", "investigate", "draft_plan", "approve_plan", "start_services"]
    # A step comes before the deadline it met, at the same moment.
    assess = next(i for i, e in enumerate(entries) if e.code == "assess")
    assert entries[assess + 1].kind == "deadline_late" and entries[assess + 1].code == "safety"
    assigned = next(e for e in entries if e.kind == "assigned")
    assert assigned.actor == str(personas.officer_a) and str(personas.province_officer) in assigned.label
    cancelled = next(e for e in entries if e.kind == "service_cancelled")
    assert cancelled.reason == "Gia đình chuyển đi."
    accepted = next(e for e in entries if e.kind == "referral_accepted")
    assert accepted.actor == str(personas.province_officer) and accepted.reason == "Đã tiếp nhận."
    sent = next(e for e in entries if e.kind == "referral_sent")
    assert sent.reason == "Cần hỗ trợ tâm lý chuyên sâu." and sent.rows
    conference = next(e for e in entries if e.kind == "note" and e.code == NoteKind.CONFERENCE)
    assert conference.day == today and conference.actor == str(personas.officer_a)
    attached = next(e for e in entries if e.kind == "attachment")
    assert attached.url == f"/cases/{case.pk}/attachments/{kept.pk}/"
    gone = next(e for e in entries if e.kind == "attachment_removed")
    assert "nham.pdf" in gone.label and gone.actor == str(personas.officer_a)


def test_a_dated_record_sits_on_its_day(personas, case):
    earlier = date(2026, 3, 9)
    visit = _note(case, personas.officer_a, earlier)
    today = _note(case, personas.officer_a, timezone.localdate(), text="Hôm nay.")
    entries = {e.rows[-1][1]: e for e in case_timeline(case) if e.kind == "note"}
    # Recorded later: at the start of the day it happened; recorded the same day: when it was recorded.
    assert entries["Thăm nhà."].at == timezone.make_aware(datetime.combine(earlier, time.min))
    assert entries["Thăm nhà."].day == earlier and visit.on == earlier
    assert entries["Hôm nay."].at == today.created_at
    # 9/3 lies between the missed safety deadline (7/3) and the missed plan deadline (13/3).
    assert _kinds(case)[:3] == ["deadline_missed", "note", "deadline_missed"]


def test_a_rejected_referral(personas, units, case):
    _refer(case, personas.officer_a, units, ReferralStatus.REJECTED, responder=personas.province_officer)
    assert {"referral_sent", "referral_rejected"} <= set(_kinds(case))


def test_the_timeline_takes_the_same_queries_however_long_the_case(personas, units, case):
    advance(case, Status.IN_SERVICE, officer=personas.officer_a, chair=personas.chair_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            case_timeline(case)
        return len(queries)

    _note(case, personas.officer_a, timezone.localdate())
    _attach(case, personas.officer_a)
    _refer(case, personas.officer_a, units)
    services.case_assign(actor=personas.officer_a, case=case, caseworker=personas.province_officer)
    few = count()
    for n in range(8):
        _note(case, personas.case_manager, timezone.localdate(), text=f"Lần {n}")
        _attach(case, personas.case_manager, name=f"tep-{n}.pdf")
        _refer(case, personas.case_manager, units, ReferralStatus.ACCEPTED, responder=personas.officer_b)
        case.refresh_from_db()
        worker = personas.officer_a if n % 2 else personas.case_manager
        services.case_assign(actor=personas.officer_a, case=case, caseworker=worker)
    assert count() == few


def test_the_case_page_shows_the_timeline_of_everything(personas, client_for, case):
    _note(case, personas.officer_a, timezone.localdate())
    _attach(case, personas.officer_a)
    html = client_for(personas.officer_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-timeline-kind="step"' in html and 'data-step="open"' in html
    assert 'data-timeline-kind="deadline_missed"' in html and 'data-timeline-kind="note"' in html
    assert 'data-timeline-kind="attachment"' in html
    html = client_for(personas.chair_a).get(f"/cases/{case.pk}/print/").content.decode()
    assert 'data-timeline-kind="note"' in html
