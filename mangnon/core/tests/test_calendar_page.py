from datetime import date

import holidays
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from mangnon.core.calendar import add_working_days, is_working_day
from mangnon.core.models import AuditAction, AuditEvent, CalendarDayKind, CalendarException
from mangnon.core.navigation import items_for

pytestmark = pytest.mark.django_db

URL = reverse("core:calendar")
REMOVE_URL = reverse("core:calendar_remove")
TET_2026 = ["16/02/2026", "17/02/2026", "18/02/2026", "19/02/2026", "20/02/2026"]
WEDNESDAY = date(2026, 2, 25)
SATURDAY = date(2026, 2, 28)


def _events():
    return AuditEvent.objects.filter(object_type="core.calendarexception").order_by("id")


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def admin_client(personas, client_for):
    return client_for(personas.system_admin)


def test_admin_sees_the_tet_days_the_package_lists_with_vietnamese_names(admin_client):
    listed = holidays.country_holidays("VN", years=2026)
    assert sorted(f"{d:%d/%m/%Y}" for d in listed if d.month == 2) == TET_2026

    response = admin_client.get(URL, {"year": 2026})

    assert response.status_code == 200
    html = response.content.decode()
    for day in TET_2026:
        assert f'data-day-off="{day[6:]}-{day[3:5]}-{day[:2]}"' in html
        assert day in html
    assert "Tết Nguyên Đán" in html
    assert "Thứ 3" in html  # 17/02/2026 is a Tuesday, named in Vietnamese
    assert 'data-workday="2026-08-22"' in html  # the Saturday worked for Monday 31/08/2026
    assert 'data-year-link="2025"' in html and 'data-year-link="2027"' in html


def test_english_interface_gets_english_names_and_dd_mm_yyyy_dates(admin_client):
    html = _english(admin_client).get(URL, {"year": 2026}).content.decode()
    assert "Lunar New Year" in html
    assert "Tuesday" in html
    assert "Day off (substituted from 22/08/2026)" in html  # the package writes 08/22/2026


def test_default_year_is_the_current_one(admin_client):
    from django.utils import timezone

    year = timezone.localdate().year
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert response.context["year"] == year


@pytest.mark.parametrize("year", ["abc", "1066", "99999", "-1"])
def test_invalid_year_gets_a_clear_message(admin_client, year):
    response = admin_client.get(URL, {"year": year})
    assert response.status_code == 400
    assert "Năm phải là một số từ 2000 đến 2100." in response.content.decode()


def test_menu_entry_is_for_the_system_administrator_only(personas):
    assert "calendar" in [i["key"] for i in items_for(personas.system_admin)]
    assert "calendar" not in [i["key"] for i in items_for(personas.province_manager)]


@pytest.mark.parametrize("persona", ["officer_a", "province_manager"])
def test_other_roles_are_refused(personas, client_for, persona):
    client = client_for(getattr(personas, persona))
    assert client.get(URL).status_code == 403
    post = {"date": "25/02/2026", "kind": CalendarDayKind.DAY_OFF, "reason": "x"}
    assert client.post(URL, post).status_code == 403
    CalendarException.objects.create(date=WEDNESDAY, kind=CalendarDayKind.DAY_OFF, name="x")
    assert client.post(REMOVE_URL, {"date": "2026-02-25"}).status_code == 403
    assert CalendarException.objects.count() == 1
    assert not _events().exists()


def test_anonymous_is_sent_to_login():
    client = Client()
    for response in (client.get(URL), client.post(REMOVE_URL, {"date": "2026-02-25"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_post_without_csrf_token_is_refused(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.system_admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(URL, {"date": "25/02/2026", "kind": CalendarDayKind.DAY_OFF, "reason": "x"})
    assert response.status_code == 403
    CalendarException.objects.create(date=WEDNESDAY, kind=CalendarDayKind.DAY_OFF, name="x")
    assert client.post(REMOVE_URL, {"date": "2026-02-25"}).status_code == 403
    assert CalendarException.objects.count() == 1
    assert not _events().exists()


def test_add_a_day_off_writes_it_with_an_audit_event_and_moves_deadlines(admin_client, personas):
    assert add_working_days(date(2026, 2, 24), 1) == WEDNESDAY

    response = admin_client.post(
        f"{URL}?year=2026",
        {"date": "25/02/2026", "kind": CalendarDayKind.DAY_OFF, "reason": "Thông báo 12/TB-VPCP"},
        follow=True,
    )

    assert response.redirect_chain == [(f"{URL}?year=2026", 302)]
    row = CalendarException.objects.get()
    assert (row.date, row.kind, row.name) == (WEDNESDAY, CalendarDayKind.DAY_OFF, "Thông báo 12/TB-VPCP")
    event = _events().get()
    assert event.action == AuditAction.CREATE
    assert event.actor_id == personas.system_admin.pk
    assert event.changes["kind"] == [None, CalendarDayKind.DAY_OFF]
    assert event.changes["date"] == [None, "2026-02-25"]
    html = response.content.decode()
    assert "Đã thêm ngày nghỉ bổ sung vào ngày 25/02/2026." in html  # the success message
    assert 'data-exception="2026-02-25"' in html
    assert "Thông báo 12/TB-VPCP" in html and personas.system_admin.username in html
    assert add_working_days(date(2026, 2, 24), 1) == date(2026, 2, 26)


def test_add_a_make_up_saturday_in_iso_date_form(admin_client):
    assert add_working_days(date(2026, 2, 27), 1) == date(2026, 3, 2)
    response = admin_client.post(
        URL, {"date": "2026-02-28", "kind": CalendarDayKind.WORKING_DAY, "reason": "Làm bù"}
    )
    assert response.status_code == 302
    assert is_working_day(SATURDAY)
    assert add_working_days(date(2026, 2, 27), 1) == SATURDAY


@pytest.mark.parametrize(
    ("post", "message"),
    [
        (
            {"date": "31/02/2026", "kind": CalendarDayKind.DAY_OFF, "reason": "x"},
            "Nhập ngày theo dạng dd/mm/yyyy.",
        ),
        (
            {"date": "02/25/2026", "kind": CalendarDayKind.DAY_OFF, "reason": "x"},
            "Nhập ngày theo dạng dd/mm/yyyy.",
        ),
        ({"date": "25/02/2026", "kind": "holiday", "reason": "x"}, "holiday"),
        ({"date": "25/02/2026", "kind": CalendarDayKind.DAY_OFF, "reason": ""}, "Lý do"),
        # Wednesday is a working day already; the first day of Tết is off already.
        (
            {"date": "25/02/2026", "kind": CalendarDayKind.WORKING_DAY, "reason": "x"},
            "Ngày này vốn đã là ngày làm việc.",
        ),
        (
            {"date": "17/02/2026", "kind": CalendarDayKind.DAY_OFF, "reason": "x"},
            "Ngày này vốn đã là ngày nghỉ.",
        ),
    ],
)
def test_bad_input_gets_a_message_and_writes_nothing(admin_client, post, message):
    response = admin_client.post(f"{URL}?year=2026", post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "data-form-errors" in response.content.decode()
    assert not CalendarException.objects.exists()
    assert not _events().exists()


def test_service_errors_follow_the_interface_language(admin_client):
    post = {"date": "25/02/2026", "kind": CalendarDayKind.WORKING_DAY, "reason": "x"}
    response = _english(admin_client).post(URL, post)
    assert "This day is already a working day." in response.content.decode()


def test_a_day_with_an_exception_already_is_refused_not_overwritten(admin_client):
    post = {"date": "25/02/2026", "kind": CalendarDayKind.DAY_OFF, "reason": "first"}
    assert admin_client.post(URL, post).status_code == 302

    response = admin_client.post(URL, {**post, "reason": "second"})

    assert response.status_code == 400
    assert "25/02/2026 đã có một ngoại lệ (ngày nghỉ bổ sung)." in response.content.decode()
    assert CalendarException.objects.get().name == "first"
    assert _events().count() == 1


def test_delete_removes_it_with_an_audit_event(admin_client, personas):
    assert (
        admin_client.post(
            URL, {"date": "25/02/2026", "kind": CalendarDayKind.DAY_OFF, "reason": "x"}
        ).status_code
        == 302
    )

    response = admin_client.post(REMOVE_URL, {"date": "2026-02-25"}, follow=True)

    assert response.redirect_chain == [(f"{URL}?year=2026", 302)]
    assert not CalendarException.objects.exists()
    event = _events().last()
    assert event.action == AuditAction.DELETE
    assert event.actor_id == personas.system_admin.pk
    assert event.changes["kind"] == [CalendarDayKind.DAY_OFF, None]
    assert "Đã xoá ngoại lệ ngày 25/02/2026" in response.content.decode()
    assert add_working_days(date(2026, 2, 24), 1) == WEDNESDAY


@pytest.mark.parametrize("posted", ["2026-02-26", "nonsense"])
def test_delete_of_nothing_gets_a_message_and_writes_nothing(admin_client, posted):
    response = admin_client.post(REMOVE_URL, {"date": posted}, follow=True)
    assert response.status_code == 200
    assert response.context["messages"]
    assert not _events().exists()


def test_page_needs_a_bounded_number_of_queries(admin_client, personas, django_assert_max_num_queries):
    for day in range(2, 28):
        d = date(2026, 3, day)
        if d.weekday() < 5:
            CalendarException.objects.create(date=d, kind=CalendarDayKind.DAY_OFF, name=f"r{day}")
    with django_assert_max_num_queries(9):  # 8 + the top bar's unread-notification count
        response = admin_client.get(URL, {"year": 2026})
    assert response.content.decode().count("data-exception=") == 20
