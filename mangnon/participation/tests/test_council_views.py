"""The council page: a council per unit in the viewer's scope (chooser limited to it), members, meetings
with the recommendations raised there, voice counts by status; adding and ending members, recording a
meeting and a recommendation. Allowed, forbidden (other commune → 404, a role without VOICE_VIEW → 403,
a reader without VOICE_RECORD → 403 on writes, anonymous → login), audited, validated."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.participation.models import ChildVoice, CouncilMeeting, CouncilMember, VoiceStatus
from mangnon.participation.tests.factories import (
    ChildVoiceFactory,
    CouncilMeetingFactory,
    CouncilMemberFactory,
)

pytestmark = pytest.mark.django_db

URL = "/participation/council/"


@pytest.fixture
def council_a(units):
    members = [
        CouncilMemberFactory(admin_unit=units.commune_a, name="Mai"),
        CouncilMemberFactory(admin_unit=units.commune_a, name="Trần Văn Hải", role="adviser", age_band=""),
        CouncilMemberFactory(admin_unit=units.commune_a, name="Khoa", to_date=date(2025, 12, 31)),
    ]
    meeting = CouncilMeetingFactory(
        admin_unit=units.commune_a, held_on=date(2026, 3, 12), members_present=2, minutes="Bàn về sân chơi."
    )
    voice = ChildVoiceFactory(
        admin_unit=units.commune_a,
        meeting=meeting,
        status=VoiceStatus.FORWARDED,
        forwarded_to="UBND xã",
        forwarded_on=date(2026, 3, 13),
        due_on=date(2026, 4, 13),
    )
    return members, meeting, voice


def test_commune_council_page(personas, client_for, units, council_a):
    members, meeting, voice = council_a
    ChildVoiceFactory(admin_unit=units.commune_a)  # received, not from a meeting
    ChildVoiceFactory(admin_unit=units.commune_b)  # another commune's
    r = client_for(personas.officer_a).get(URL)
    assert r.status_code == 200
    council = r.context["council"]
    assert council.unit == units.commune_a  # the officer's own council by default
    # Current members first (advisers, then children), past ones last.
    assert [row.member.pk for row in council.members] == [members[1].pk, members[0].pk, members[2].pk]
    assert council.active_count == 2 and not council.members[-1].active
    assert [m.pk for m in council.meetings] == [meeting.pk]
    assert [v.pk for v in council.meetings[0].shown_voices] == [voice.pk]
    assert council.voice_counts == {"received": 1, "forwarded": 1, "answered": 0, "resolved": 0, "overdue": 1}
    body = r.content.decode()
    assert "Bàn về sân chơi." in body and f'data-voice-id="{voice.pk}"' in body
    assert "data-overdue" in body and "data-member-form" in body
    # The chooser offers only the councils in scope.
    choices = [int(pk) for pk, _label in r.context["chooser"].fields["unit"].choices]
    assert choices == [units.commune_a.pk]


def test_audited(personas, client_for, council_a):
    members, _meeting, voice = council_a
    client_for(personas.officer_a).get(URL)
    event = AuditEvent.objects.get(object_type="participation.councilmember", object_id="list")
    assert event.action == AuditAction.VIEW and sorted(event.changes["shown"]) == sorted(
        m.pk for m in members
    )
    assert AuditEvent.objects.filter(object_type="participation.councilmeeting", object_id="list").exists()
    shown = AuditEvent.objects.get(object_type="participation.childvoice", object_id="list")
    assert shown.changes["shown"] == [voice.pk]


def test_province_officer_opens_any_council(personas, client_for, units, council_a):
    CouncilMemberFactory(admin_unit=units.province, name="Lan")
    client = client_for(personas.province_officer)
    r = client.get(URL)
    assert r.context["council"].unit == units.province
    choices = [int(pk) for pk, _label in r.context["chooser"].fields["unit"].choices]
    assert choices[0] == units.province.pk and units.commune_a.pk in choices and units.commune_b.pk in choices
    r = client.get(URL, {"unit": units.commune_a.pk})
    assert r.status_code == 200 and len(r.context["council"].members) == 3
    # The province's counts include its communes' voices.
    assert client.get(URL).context["council"].voice_counts["forwarded"] == 1


def test_forbidden(personas, client_for, units, council_a):
    assert client_for(personas.officer_b).get(URL, {"unit": units.commune_a.pk}).status_code == 404
    assert client_for(personas.officer_a).get(URL, {"unit": units.province.pk}).status_code == 404
    assert client_for(personas.officer_a).get(URL, {"unit": "x"}).status_code == 404
    assert client_for(personas.hotline).get(URL).status_code == 403
    r = Client().get(URL)
    assert r.status_code == 302 and "login" in r["Location"]
    # A reader without VOICE_RECORD sees the page but no write form.
    r = client_for(personas.chair_a).get(URL)
    assert r.status_code == 200 and b"data-member-form" not in r.content
    assert not AuditEvent.objects.filter(actor_id=personas.officer_b.pk, action=AuditAction.VIEW).exists()


def _member_post(**over):
    return {
        "submission": uuid.uuid4().hex,
        "role": "child",
        "name": "Ngọc Anh",
        "age_band": "11_15",
        "from_date": "01/09/2025",
        "to_date": "",
        **over,
    }


def test_add_member(personas, client_for, units):
    client = client_for(personas.officer_a)
    url = f"/participation/council/{units.commune_a.pk}/members/"
    data = _member_post()
    r = client.post(url, data)
    assert r.status_code == 303 and r["Location"].endswith(f"?unit={units.commune_a.pk}#members")
    assert client.post(url, data).status_code == 303  # a retried submit adds nothing
    member = CouncilMember.objects.get()
    assert member.name == "Ngọc Anh" and member.admin_unit == units.commune_a
    assert AuditEvent.objects.filter(object_id=str(member.pk), action=AuditAction.CREATE).count() == 1


def test_add_member_errors_kept(personas, client_for, units):
    url = f"/participation/council/{units.commune_a.pk}/members/"
    r = client_for(personas.officer_a).post(
        url, _member_post(name="Nguyễn Thị Ngọc Anh", from_date="1/9/2025")
    )
    assert r.status_code == 400 and r.context["member_form"].errors
    r = client_for(personas.officer_a).post(url, _member_post(name="Nguyễn Thị Ngọc Anh"))
    assert r.status_code == 400 and "name" in r.context["member_form"].errors
    r = client_for(personas.officer_a).post(url, _member_post(to_date="01/01/2025"))
    assert r.status_code == 400 and "to_date" in r.context["member_form"].errors
    assert not CouncilMember.objects.exists()


def test_write_forbidden(personas, client_for, units, council_a):
    members, meeting, _voice = council_a
    add = f"/participation/council/{units.commune_a.pk}/members/"
    assert client_for(personas.officer_b).post(add, _member_post()).status_code == 404
    assert client_for(personas.chair_a).post(add, _member_post()).status_code == 403
    assert client_for(personas.hotline).post(add, _member_post()).status_code == 403
    end = f"/participation/council/members/{members[0].pk}/end/"
    assert client_for(personas.officer_b).post(end, {"to_date": "01/04/2026"}).status_code == 404
    meet = f"/participation/council/{units.commune_a.pk}/meetings/"
    assert client_for(personas.chair_a).post(meet, {"held_on": "01/04/2026"}).status_code == 403
    rec = f"/participation/council/meetings/{meeting.pk}/recommendations/"
    assert client_for(personas.officer_b).post(rec, {"text": "x", "topic": "play"}).status_code == 404
    assert Client().post(add, _member_post()).status_code == 302
    assert CouncilMember.objects.count() == 3


def test_end_member(personas, client_for, council_a):
    members, _meeting, _voice = council_a
    client = client_for(personas.officer_a)
    url = f"/participation/council/members/{members[0].pk}/end/"
    assert client.post(url, {"to_date": "31/03/2026"}).status_code == 303
    members[0].refresh_from_db()
    assert members[0].to_date == date(2026, 3, 31)
    r = client.post(url, {"to_date": "01/04/2026"})  # already ended
    assert r.status_code == 400 and "to_date" in r.context["end_form"].errors


def test_record_meeting(personas, client_for, units, council_a):
    client = client_for(personas.officer_a)
    url = f"/participation/council/{units.commune_a.pk}/meetings/"
    data = {
        "submission": uuid.uuid4().hex,
        "held_on": "20/03/2026",
        "members_present": "2",
        "minutes": "Họp quý I",
    }
    assert client.post(url, data).status_code == 303
    assert client.post(url, data).status_code == 303  # idempotent
    assert CouncilMeeting.objects.filter(minutes="Họp quý I").count() == 1
    too_many = {**data, "submission": uuid.uuid4().hex, "members_present": "3"}  # 2 members that day
    r = client.post(url, too_many)
    assert r.status_code == 400 and "members_present" in r.context["meeting_form"].errors
    future = {**data, "submission": uuid.uuid4().hex, "held_on": "01/01/2099"}
    r = client.post(url, future)
    assert r.status_code == 400 and "held_on" in r.context["meeting_form"].errors


def test_record_recommendation(personas, client_for, council_a):
    _members, meeting, _voice = council_a
    client = client_for(personas.officer_a)
    url = f"/participation/council/meetings/{meeting.pk}/recommendations/"
    data = {"submission": uuid.uuid4().hex, "text": "Xin thêm sân chơi", "topic": "play", "age_band": "11_15"}
    r = client.post(url, data)
    assert r.status_code == 303 and r["Location"].endswith(f"#meeting-{meeting.pk}")
    voice = ChildVoice.objects.get(text="Xin thêm sân chơi")
    assert voice.meeting == meeting and voice.raised_on == meeting.held_on
    assert voice.admin_unit == meeting.admin_unit and voice.status == VoiceStatus.RECEIVED
    r = client.post(url, {**data, "submission": uuid.uuid4().hex, "text": " "})
    assert r.status_code == 400
    assert r.context["council"].meetings[0].recommendation_form.errors


def test_queries_do_not_grow(personas, client_for, units, django_assert_max_num_queries):
    client = client_for(personas.province_officer)
    CouncilMemberFactory.create_batch(2, admin_unit=units.province)
    m = CouncilMeetingFactory(admin_unit=units.province)
    ChildVoiceFactory(admin_unit=units.province, meeting=m)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    CouncilMemberFactory.create_batch(10, admin_unit=units.province)
    for _ in range(5):
        m = CouncilMeetingFactory(admin_unit=units.province)
        ChildVoiceFactory.create_batch(3, admin_unit=units.province, meeting=m)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200
