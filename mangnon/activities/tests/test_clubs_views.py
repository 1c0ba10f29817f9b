"""The club pages: list (scoped, filtered, figures from the clubs roll-up, not audited, no N+1), export,
club page (members audited, 404 outside scope), club form (allowed, forbidden, idempotent, 409), members
joining and leaving, closing; the activity form prefilled for a club meeting."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import pytest
from django.test import Client

from mangnon.activities.models import Activity, Club, ClubMember
from mangnon.activities.tests.factories import ActivityFactory, ClubFactory, ClubMemberFactory
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.orgs.tests.factories import OrganisationFactory
from mangnon.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

LIST = "/activities/clubs/"
NEW = "/activities/clubs/new/"


@pytest.fixture
def club_a(units):
    club = ClubFactory(
        admin_unit=units.commune_a, name="Câu lạc bộ Quyền trẻ em Hạ Long", founded_on=date(2020, 9, 1)
    )
    person = PersonFactory(admin_unit=units.commune_a, full_name="Trần Văn Bình")
    ClubMemberFactory(club=club, person=person, name="")
    ClubMemberFactory(club=club, name="Lê Thị Mai")
    ClubMemberFactory(club=club, name="Phạm Thu", left_on=date(2021, 5, 31))  # not this year
    ActivityFactory(admin_unit=units.commune_a, kind="club_meeting", club=club, start_date=date(2026, 3, 10))
    return club


def _club_post(units, **over):
    data = {
        "submission": uuid.uuid4().hex,
        "kind": "participation",
        "name": "Câu lạc bộ Quyền tham gia",
        "admin_unit": units.commune_a.pk,
        "school": "",
        "founded_on": "05/09/2021",
        "closed_on": "",
        "note": "",
    }
    return {**data, **over}


def test_list_scoped_with_counts_and_figures(personas, client_for, units, club_a):
    ClubFactory(admin_unit=units.commune_b, kind="mang_non_team")
    r = client_for(personas.officer_a).get(LIST)
    assert r.status_code == 200
    assert r.context["clubs"] == [club_a]
    row = r.context["clubs"][0]
    assert (row.member_count, row.meeting_count) == (2, 1)  # persons this year; meetings this year
    assert b"data-members>2<" in r.content
    figures = r.context["figures"]
    assert figures["unit"] == units.commune_a and figures["result"].clubs == 1
    assert figures["result"].members == 2 and figures["result"].club_meetings == 1
    r = client_for(personas.viewer).get(LIST)
    assert len(r.context["clubs"]) == 2 and r.context["figures"]["unit"] == units.province
    assert r.context["figures"]["result"].clubs == 2
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()  # names no one


def test_list_filters(personas, client_for, units, club_a):
    team = ClubFactory(admin_unit=units.commune_b, kind="mang_non_team")
    ClubFactory(admin_unit=units.commune_b, closed_on=date(2023, 12, 31))
    client = client_for(personas.province_officer)
    assert client.get(LIST, {"kind": "mang_non_team"}).context["clubs"] == [team]
    r = client.get(LIST, {"unit": units.commune_b.pk})
    assert r.context["clubs"] == [team] and r.context["figures"]["unit"] == units.commune_b
    r = client.get(LIST, {"start": "01/01/2023", "end": "31/12/2023"})
    assert len(r.context["clubs"]) == 3
    row = next(c for c in r.context["clubs"] if c.pk == club_a.pk)
    assert (row.member_count, row.meeting_count) == (2, 0)
    assert client.get(LIST, {"start": "31/12/2023", "end": "01/01/2023"}).status_code == 400


def test_list_forbidden(personas, client_for):
    assert client_for(personas.hotline).get(LIST).status_code == 403
    r = Client().get(LIST)
    assert r.status_code == 302 and "/login" in r["Location"]


def test_list_has_no_n_plus_one(personas, client_for, units, django_assert_max_num_queries):
    school = OrganisationFactory(admin_unit=units.commune_a)
    for _ in range(3):
        ClubMemberFactory(club=ClubFactory(admin_unit=units.commune_a, school=school))
    client = client_for(personas.province_officer)
    client.get(LIST)
    with django_assert_max_num_queries(30) as few:
        client.get(LIST)
    for _ in range(20):
        ClubMemberFactory(club=ClubFactory(admin_unit=units.commune_b, school=school))
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(LIST)
    assert len(r.context["clubs"]) == 23


def test_export_csv_and_xlsx(personas, client_for, units, club_a):
    ClubFactory(admin_unit=units.commune_b, name="Đội Măng non Tiên Yên")
    r = client_for(personas.officer_a).get("/activities/clubs/export.csv")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == club_a.name and rows[1][7] == "2" and rows[1][8] == "1"
    assert "(persons)" in rows[0][7] or "(người)" in rows[0][7]
    r = client_for(personas.viewer).get("/activities/clubs/export.xlsx", {"unit": units.commune_b.pk})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for(personas.viewer).get("/activities/clubs/export.pdf").status_code == 404
    assert client_for(personas.hotline).get("/activities/clubs/export.csv").status_code == 403
    assert Client().get("/activities/clubs/export.csv").status_code == 302


def test_club_page_shows_members_and_is_audited(personas, client_for, units, club_a):
    r = client_for(personas.officer_a).get(f"/activities/clubs/{club_a.pk}/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "Trần Văn Bình" in text and "Lê Thị Mai" in text and "Phạm Thu" in text
    assert "kind=club_meeting" in text and f"club={club_a.pk}" in text
    event = AuditEvent.objects.get(
        action=AuditAction.VIEW, object_type="activities.club", object_id=str(club_a.pk)
    )
    person = ClubMember.objects.get(club=club_a, person__isnull=False).person_id
    assert event.changes["persons"] == [person] and event.changes["light_entries"] == 2
    assert len(event.changes["meetings"]) == 1
    r = client_for(personas.chair_a).get(f"/activities/clubs/{club_a.pk}/")
    assert (
        r.status_code == 200
        and b"data-member-form" not in r.content
        and b"data-record-meeting" not in r.content
    )


def test_club_page_forbidden(personas, client_for, club_a):
    assert client_for(personas.officer_b).get(f"/activities/clubs/{club_a.pk}/").status_code == 404
    assert client_for(personas.hotline).get(f"/activities/clubs/{club_a.pk}/").status_code == 403
    assert client_for(personas.viewer).get("/activities/clubs/999999/").status_code == 404
    assert Client().get(f"/activities/clubs/{club_a.pk}/").status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_new_club(personas, client_for, units):
    client = client_for(personas.collaborator_a)
    r = client.get(NEW)
    assert r.status_code == 200 and r.context["form"].initial["admin_unit"] == units.commune_a.pk
    data = _club_post(units)
    r = client.post(NEW, data)
    club = Club.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/activities/clubs/{club.pk}/"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(club.pk)).exists()
    assert client.post(NEW, data).status_code == 302 and Club.objects.count() == 1  # double submit


def test_new_club_errors_and_forbidden(personas, client_for, units):
    r = client_for(personas.officer_a).post(NEW, _club_post(units, closed_on="01/01/2021"))
    assert r.status_code == 400 and "closed_on" in r.context["form"].errors
    assert r.context["form"]["name"].value() == "Câu lạc bộ Quyền tham gia"
    assert client_for(personas.officer_b).post(NEW, _club_post(units)).status_code == 400  # A not offered
    assert client_for(personas.chair_a).get(NEW).status_code == 403
    assert client_for(personas.viewer).post(NEW, _club_post(units)).status_code == 403
    assert Client().post(NEW, _club_post(units)).status_code == 302
    assert not Club.objects.exists()


def test_edit_club_with_version(personas, client_for, units, club_a):
    url = f"/activities/clubs/{club_a.pk}/edit/"
    client = client_for(personas.officer_a)
    r = client.get(url)
    assert r.status_code == 200 and r.context["form"].initial["version"] == 1
    data = _club_post(
        units, name="Câu lạc bộ mới", founded_on="01/09/2020", version="1", kind="core_children"
    )
    r = client.post(url, data)
    assert r.status_code == 302
    club_a.refresh_from_db()
    assert club_a.name == "Câu lạc bộ mới" and club_a.version == 2
    r = client.post(url, {**data, "name": "Cũ"})  # still version 1: someone saved meanwhile
    assert r.status_code == 409
    club_a.refresh_from_db()
    assert club_a.name == "Câu lạc bộ mới"
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.chair_a).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_members_join_and_leave(personas, client_for, units, club_a):
    url = f"/activities/clubs/{club_a.pk}/members/"
    client = client_for(personas.officer_a)
    data = {
        "submission": "s1",
        "name": "Đỗ Minh",
        "sex": "M",
        "birth_year": "2013",
        "role": "child",
        "joined_on": "01/10/2026",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # double submit
    member = ClubMember.objects.get(name="Đỗ Minh")
    assert member.joined_on == date(2026, 10, 1)
    r = client.post(url, {**data, "submission": "s2", "joined_on": "01/01/2019"})
    assert r.status_code == 400 and "joined_on" in r.context["member_form"].errors
    r = client.post(url, {**data, "submission": "s3", "name": ""})
    assert r.status_code == 400
    leave = f"/activities/clubs/{club_a.pk}/members/{member.pk}/leave/"
    assert client.post(leave, {"on": "01/09/2026"}).status_code == 400  # before joining
    assert client.post(leave, {"on": "15/11/2026"}).status_code == 302
    member.refresh_from_db()
    assert member.left_on == date(2026, 11, 15)
    assert (
        client.post(f"/activities/clubs/{club_a.pk}/members/999999/leave/", {"on": "15/11/2026"}).status_code
        == 404
    )


def test_members_forbidden(personas, client_for, club_a):
    url = f"/activities/clubs/{club_a.pk}/members/"
    data = {"submission": "s1", "name": "Đỗ Minh", "role": "child", "joined_on": "01/10/2026"}
    assert client_for(personas.officer_b).post(url, data).status_code == 404
    assert client_for(personas.chair_a).post(url, data).status_code == 403
    assert Client().post(url, data).status_code == 302
    assert client_for(personas.officer_a).get(url).status_code == 405
    member = ClubMember.objects.filter(club=club_a).first()
    leave = f"/activities/clubs/{club_a.pk}/members/{member.pk}/leave/"
    assert client_for(personas.officer_b).post(leave, {"on": "15/11/2026"}).status_code == 404
    assert client_for(personas.viewer).post(leave, {"on": "15/11/2026"}).status_code == 403
    assert not ClubMember.objects.filter(name="Đỗ Minh").exists()


def test_close_club(personas, client_for, club_a):
    url = f"/activities/clubs/{club_a.pk}/close/"
    assert client_for(personas.chair_a).post(url, {"on": "01/11/2026", "version": 1}).status_code == 403
    assert client_for(personas.officer_b).post(url, {"on": "01/11/2026", "version": 1}).status_code == 404
    assert client_for(personas.officer_a).post(url, {"on": "01/01/2019", "version": 1}).status_code == 400
    assert client_for(personas.officer_a).post(url, {"on": "01/11/2026", "version": 1}).status_code == 302
    club_a.refresh_from_db()
    assert club_a.closed_on == date(2026, 11, 1)


def test_record_a_meeting_from_the_club_page(personas, client_for, units, club_a):
    client = client_for(personas.province_officer)
    r = client.get("/activities/new/", {"kind": "club_meeting", "club": club_a.pk})
    assert r.status_code == 200
    form = r.context["form"]
    assert form["kind"].value() == "club_meeting" and str(form["club"].value()) == str(club_a.pk)
    assert form.initial["admin_unit"] == units.commune_a.pk
    post = {
        "submission": uuid.uuid4().hex,
        "kind": "club_meeting",
        "title": "Sinh hoạt câu lạc bộ tháng 4",
        "admin_unit": units.commune_a.pk,
        "start_date": "10/04/2026",
        "t_children_F": "12",
    }
    r = client.post("/activities/new/", post)
    assert r.status_code == 400 and "club" in r.context["form"].errors  # a club meeting names its club
    r = client.post("/activities/new/", {**post, "club": club_a.pk})
    assert r.status_code == 302
    meeting = Activity.objects.get(title="Sinh hoạt câu lạc bộ tháng 4")
    assert meeting.club == club_a
    r = client.post("/activities/new/", {**post, "submission": "x", "kind": "session", "club": club_a.pk})
    assert r.status_code == 400 and "club" in r.context["form"].errors
    r = client_for(personas.officer_b).get("/activities/new/", {"kind": "club_meeting", "club": club_a.pk})
    assert str(club_a.pk) not in [str(v) for v, _label in r.context["form"].fields["club"].choices]
