"""Voices: recording (idempotent, scoped, audited, no name), the transition table, stale versions (409)
and refused transitions; council meetings."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.participation import services
from mangnon.participation.models import ChildVoice, VoiceStatus
from mangnon.participation.tests.factories import ChildVoiceFactory, CouncilMemberFactory

pytestmark = pytest.mark.django_db

D = date(2026, 3, 10)


def _create(actor, unit, **over):
    data = {"text": "Em muốn có thư viện ở thôn.", "topic": "education", "admin_unit": unit, "raised_on": D}
    return services.voice_create(actor=actor, **{**data, **over})


def test_create_is_audited_and_carries_province(personas, units):
    recorded = _create(personas.collaborator_a, units.commune_a, age_band="11_15", sex="F")
    voice = recorded.voice
    assert recorded.created and voice.status == VoiceStatus.RECEIVED and voice.version == 1
    assert voice.province_id == units.province.pk
    event = AuditEvent.objects.get(object_type="participation.childvoice", object_id=str(voice.pk))
    assert event.action == AuditAction.CREATE and "text" not in event.changes


def test_create_idempotent(personas, units):
    first = _create(personas.officer_a, units.commune_a, idempotency_key="k1", request_hash="h")
    again = _create(personas.officer_a, units.commune_a, idempotency_key="k1", request_hash="h")
    assert first.created and not again.created and again.voice.pk == first.voice.pk
    assert ChildVoice.objects.count() == 1


def test_create_scope_and_role(personas, units):
    with pytest.raises(PermissionDenied):
        _create(personas.officer_b, units.commune_a)
    with pytest.raises(PermissionDenied):
        _create(personas.viewer, units.commune_a)  # reads voices, does not record them
    assert not ChildVoice.objects.exists()


def test_create_invalid(personas, units):
    with pytest.raises(ValidationError) as exc:
        _create(personas.officer_a, units.commune_a, text=" ", topic="weather", age_band="old", sex="X")
    assert set(exc.value.message_dict) == {"text", "topic", "age_band", "sex"}
    with pytest.raises(ValidationError) as exc:
        _create(personas.officer_a, units.commune_a, raised_on=date(2020, 5, 1))  # unit did not exist yet
    assert "admin_unit" in exc.value.message_dict


def test_full_path_each_step_audited_and_versioned(personas, units):
    voice = ChildVoiceFactory(admin_unit=units.commune_a, raised_on=D)
    actor = personas.officer_a
    voice = services.voice_forward(
        actor=actor,
        voice=voice,
        version=1,
        forwarded_to="Thường trực HĐND xã",
        forwarded_on=date(2026, 3, 11),
        due_on=date(2026, 4, 11),
    )
    assert (voice.status, voice.version, voice.due_on) == (VoiceStatus.FORWARDED, 2, date(2026, 4, 11))
    voice = services.voice_answer(
        actor=actor, voice=voice, version=2, answer="Xã bố trí phòng đọc.", answered_on=date(2026, 4, 1)
    )
    assert (voice.status, voice.version) == (VoiceStatus.ANSWERED, 3)
    voice = services.voice_resolve(actor=actor, voice=voice, version=3, resolved_on=date(2026, 5, 1))
    assert (voice.status, voice.version, voice.resolved_on) == (VoiceStatus.RESOLVED, 4, date(2026, 5, 1))
    events = AuditEvent.objects.filter(
        object_type="participation.childvoice", object_id=str(voice.pk), action=AuditAction.UPDATE
    ).order_by("pk")
    assert [e.changes["status"] for e in events] == [
        ["received", "forwarded"],
        ["forwarded", "answered"],
        ["answered", "resolved"],
    ]


def test_forward_needs_recipient_and_due_date(personas, units):
    voice = ChildVoiceFactory(admin_unit=units.commune_a, raised_on=D)
    with pytest.raises(ValidationError) as exc:
        services.voice_forward(actor=personas.officer_a, voice=voice, version=1)
    assert set(exc.value.message_dict) == {"forwarded_to", "due_on"}
    with pytest.raises(ValidationError):
        services.voice_answer(actor=personas.officer_a, voice=voice, version=1, answer="")
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.RECEIVED and voice.version == 1


def test_stale_version_conflicts(personas, units):
    voice = ChildVoiceFactory(admin_unit=units.commune_a, raised_on=D, version=3)
    with pytest.raises(services.Conflict) as exc:
        services.voice_forward(
            actor=personas.officer_a,
            voice=voice,
            version=2,
            forwarded_to="UBND xã",
            forwarded_on=D,
            due_on=date(2026, 4, 1),
        )
    assert exc.value.current_version == 3
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.RECEIVED


def test_refused_transitions(personas, units):
    voice = ChildVoiceFactory(admin_unit=units.commune_a, raised_on=D)
    with pytest.raises(ValidationError) as exc:
        services.voice_answer(actor=personas.officer_a, voice=voice, version=1, answer="Đã trả lời")
    assert "to" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.voice_resolve(actor=personas.officer_a, voice=voice, version=1)
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_transition_scope(personas, units):
    voice = ChildVoiceFactory(admin_unit=units.commune_a, raised_on=D)
    with pytest.raises(PermissionDenied):
        services.voice_forward(
            actor=personas.officer_b,
            voice=voice,
            version=1,
            forwarded_to="UBND xã",
            forwarded_on=D,
            due_on=date(2026, 4, 1),
        )


def test_meeting_and_voice_raised_there(personas, units):
    CouncilMemberFactory.create_batch(15, admin_unit=units.province)
    meeting = services.meeting_create(
        actor=personas.province_officer,
        admin_unit=units.province,
        held_on=date(2026, 3, 12),
        members_present=15,
    )
    assert meeting.province_id == units.province.pk
    assert AuditEvent.objects.filter(
        object_type="participation.councilmeeting", action=AuditAction.CREATE
    ).exists()
    voice = _create(personas.province_officer, units.province, meeting=meeting).voice
    assert list(meeting.voices.all()) == [voice]
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=personas.officer_a, admin_unit=units.province, held_on=date(2026, 3, 12)
        )
