"""The council's services: adding members (children by first name and age band only; dates checked;
idempotent), ending a membership (once), and a meeting's members present checked against the members
the council had that day; each write audited; outside VOICE_RECORD scope refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mangnon.core import idempotency
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.participation import council_services, services
from mangnon.participation.models import CouncilMeeting, CouncilMember
from mangnon.participation.tests.factories import CouncilMemberFactory

pytestmark = pytest.mark.django_db

D = date(2026, 3, 1)


def _add(actor, unit, **over):
    kwargs = {"name": "Mai", "role": "child", "age_band": "11_15", "from_date": D, **over}
    return council_services.member_add(actor=actor, admin_unit=unit, **kwargs)


def test_add_child_and_adviser(personas, units):
    child = _add(personas.officer_a, units.commune_a).member
    assert child.province_id == units.province.pk and child.age_band == "11_15"
    adviser = _add(
        personas.officer_a, units.commune_a, name="Nguyễn Văn An", role="adviser", age_band="16_17"
    )
    assert adviser.member.age_band == ""  # an adult has no age band
    events = AuditEvent.objects.filter(object_type="participation.councilmember", action=AuditAction.CREATE)
    assert events.count() == 2
    assert "Mai" not in str(events.first().changes)  # the audit names no one


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "Nguyễn Thị Ngọc Mai"}, "name"),  # a child's full name is refused
        ({"age_band": ""}, "age_band"),
        ({"role": "chair"}, "role"),
        ({"to_date": D - timedelta(days=1)}, "to_date"),
        ({"from_date": date(2020, 3, 1)}, "admin_unit"),  # the current commune did not exist then
    ],
)
def test_add_validation(personas, units, over, field):
    with pytest.raises(ValidationError) as exc:
        _add(personas.officer_a, units.commune_a, **over)
    assert field in exc.value.message_dict
    assert not CouncilMember.objects.exists()


def test_add_idempotent(personas, units):
    first = _add(personas.officer_a, units.commune_a, idempotency_key="k1", request_hash="h")
    again = _add(personas.officer_a, units.commune_a, idempotency_key="k1", request_hash="h")
    assert first.created and not again.created and first.member.pk == again.member.pk
    assert CouncilMember.objects.count() == 1
    with pytest.raises(idempotency.KeyReused):
        _add(personas.officer_a, units.commune_a, name="Lan", idempotency_key="k1", request_hash="other")


def test_add_outside_scope(personas, units):
    for actor in (personas.officer_b, personas.viewer, personas.chair_a):
        with pytest.raises(PermissionDenied):
            _add(actor, units.commune_a)


def test_end_membership_once(personas, units):
    member = CouncilMemberFactory(admin_unit=units.commune_a, from_date=D)
    with pytest.raises(ValidationError):
        council_services.member_end(actor=personas.officer_a, member=member, to_date=D - timedelta(days=1))
    ended = council_services.member_end(actor=personas.officer_a, member=member, to_date=date(2026, 6, 30))
    assert ended.to_date == date(2026, 6, 30)
    assert AuditEvent.objects.filter(object_id=str(member.pk), action=AuditAction.UPDATE).exists()
    with pytest.raises(ValidationError) as exc:  # a second officer ending it at once changes nothing
        council_services.member_end(actor=personas.officer_a, member=member, to_date=date(2026, 7, 1))
    assert "to_date" in exc.value.message_dict
    member.refresh_from_db()
    assert member.to_date == date(2026, 6, 30)
    with pytest.raises(PermissionDenied):
        council_services.member_end(actor=personas.officer_b, member=member, to_date=date(2026, 7, 1))


def test_meeting_members_present_at_most_active_members(personas, units):
    CouncilMemberFactory.create_batch(3, admin_unit=units.commune_a, from_date=D)
    CouncilMemberFactory(admin_unit=units.commune_a, from_date=D, to_date=date(2026, 3, 5))  # left before
    CouncilMemberFactory(admin_unit=units.province, from_date=D)  # another council
    held = date(2026, 3, 10)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=personas.officer_a, admin_unit=units.commune_a, held_on=held, members_present=4
        )
    assert "members_present" in exc.value.message_dict
    meeting = services.meeting_create(
        actor=personas.officer_a, admin_unit=units.commune_a, held_on=held, members_present=3
    )
    assert meeting.members_present == 3


def test_meeting_not_in_the_future_and_idempotent(personas, units):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(actor=personas.officer_a, admin_unit=units.commune_a, held_on=tomorrow)
    assert "held_on" in exc.value.message_dict
    kwargs = {"actor": personas.officer_a, "admin_unit": units.commune_a, "held_on": D}
    first = services.meeting_create(**kwargs, idempotency_key="m1", request_hash="h")
    again = services.meeting_create(**kwargs, idempotency_key="m1", request_hash="h")
    assert first.pk == again.pk and CouncilMeeting.objects.count() == 1
