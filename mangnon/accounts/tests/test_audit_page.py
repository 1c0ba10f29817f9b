"""The audit trail page: who may open it, what each viewer sees, filters, paging, and its own audit."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mangnon.accounts.audit_views import PAGE_SIZE
from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.core import audit
from mangnon.core.models import AuditEvent
from mangnon.geo.models import AdminUnit

pytestmark = pytest.mark.django_db

URL = "/audit/"


def _event(actor=None, unit=None, **kw) -> AuditEvent:
    kw.setdefault("action", "update")
    kw.setdefault("object_type", "registry.child")
    kw.setdefault("object_id", "1")
    return audit.record(actor=actor, unit=unit, **kw)


def _ids(response) -> set[int]:
    return {int(i) for i in re.findall(r'data-event-id="(\d+)"', response.content.decode())}


def _ordered_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-event-id="(\d+)"', response.content.decode())]


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def other_province(db) -> AdminUnit:
    unit = AdminUnit.objects.create(
        code="99", name="Tỉnh Thử Nghiệm", short_name="Thử Nghiệm", name_key="thu nghiem",
        level="province", unit_type="tinh", path="",
    )  # fmt: skip
    AdminUnit.objects.filter(pk=unit.pk).update(path=f"/{unit.pk}/")
    unit.refresh_from_db()
    return unit


# --- who may open the page ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/audit/")


@pytest.mark.parametrize(
    "who", ["officer_a", "province_officer", "chair_a", "viewer", "hotline", "case_manager"]
)
def test_roles_without_audit_view_are_forbidden_and_nothing_is_recorded(personas, client_for, who):
    client = client_for(getattr(personas, who))
    before = AuditEvent.objects.filter(action="view").count()
    response = client.get(URL)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="view").count() == before


@pytest.mark.parametrize("who", ["system_admin", "province_manager"])
def test_system_admins_and_province_managers_may_open_it(personas, client_for, who):
    response = client_for(getattr(personas, who)).get(URL)
    assert response.status_code == 200
    assert "data-audit-filters" in response.content.decode()


def test_the_menu_shows_the_page_only_to_those_who_may_open_it(personas, client_for):
    assert 'data-nav="audit"' in client_for(personas.province_manager).get("/").content.decode()
    assert 'data-nav="audit"' not in client_for(personas.officer_a).get("/").content.decode()


def test_post_is_not_allowed(personas, client_for):
    assert client_for(personas.system_admin).post(URL).status_code == 405


# --- scope --------------------------------------------------------------------------------------------


def test_a_system_admin_sees_every_province(personas, units, client_for, other_province):
    here = _event(personas.officer_a, units.commune_a)
    there = _event(None, other_province)
    ids = _ids(client_for(personas.system_admin).get(URL))
    assert {here.pk, there.pk} <= ids


def test_a_province_manager_sees_only_their_province(personas, units, client_for, other_province):
    outsider = UserFactory(username="p-outsider")
    MembershipFactory(user=outsider, role=Role.COMMUNE_OFFICER, admin_unit=other_province)
    in_commune = _event(personas.officer_a, units.commune_a)
    in_legacy = _event(personas.officer_b, units.legacy_b)  # a pre-reform commune of the province
    staff_login = _event(personas.officer_a, None, action="login", object_type="accounts.user")
    staff_failed = _event(
        None, None, action="login_failed", object_type="accounts.user", object_id=personas.officer_b.pk
    )
    elsewhere = _event(outsider, other_province)
    outsider_login = _event(
        outsider, None, action="login", object_type="accounts.user", object_id=outsider.pk
    )
    outsider_failed = _event(
        None, None, action="login_failed", object_type="accounts.user", object_id=outsider.pk
    )
    system = _event(None, None, action="import", object_type="geo.adminunit")

    ids = _ids(client_for(personas.province_manager).get(URL))

    assert {in_commune.pk, in_legacy.pk, staff_login.pk, staff_failed.pk} <= ids
    assert not ids & {elsewhere.pk, outsider_login.pk, outsider_failed.pk, system.pk}


def test_filtering_by_a_unit_outside_the_scope_reveals_nothing(personas, client_for, other_province):
    _event(None, other_province)
    response = client_for(personas.province_manager).get(URL, {"unit": "99"})
    assert response.status_code == 200
    assert _ids(response) == set()


# --- the audit of viewing -----------------------------------------------------------------------------


def test_viewing_the_trail_is_itself_recorded_with_its_filters(personas, client_for):
    client = client_for(personas.province_manager)
    response = client.get(
        URL,
        {"action": "update", "date_from": "02/01/2026", "actor": "", "page": "1"},
        HTTP_X_REQUEST_ID="req-audit-0001",
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.latest("id")
    assert event.action == "view"
    assert event.object_type == "core.auditevent"
    assert event.actor_id == personas.province_manager.pk
    assert event.changes == {"filters": {"action": "update", "date_from": "2026-01-02"}, "page": 1}
    assert event.request_id == "req-audit-0001" == response["X-Request-ID"]
    assert event.client_ip == "10.20.30.40"
    assert audit.verify().ok


# --- filters ------------------------------------------------------------------------------------------


def test_filter_by_actor_action_object_type_and_object_id(personas, units, client_for):
    mine = _event(
        personas.officer_a, units.commune_a, action="create", object_type="registry.child", object_id="7"
    )
    other_actor = _event(personas.officer_b, units.commune_b, action="create", object_id="7")
    other_action = _event(personas.officer_a, units.commune_a, action="delete", object_id="7")
    other_type = _event(
        personas.officer_a, units.commune_a, action="create", object_type="cases.case", object_id="7"
    )
    other_id = _event(personas.officer_a, units.commune_a, action="create", object_id="8")
    client = client_for(personas.system_admin)

    assert mine.pk in _ids(client.get(URL, {"actor": "P-Commune-A"}))
    assert other_actor.pk not in _ids(client.get(URL, {"actor": "p-commune-a"}))
    ids = _ids(
        client.get(
            URL,
            {"actor": "p-commune-a", "action": "create", "object_type": "Registry.Child", "object_id": "7"},
        )
    )
    assert ids == {mine.pk}
    assert {other_action.pk, other_type.pk, other_id.pk}.isdisjoint(ids)


@pytest.mark.parametrize(("start", "end"), [("01/03/2026", "01/03/2026"), ("2026-03-01", "2026-03-01")])
def test_filter_by_vietnamese_calendar_days(personas, client_for, start, end):
    # 1 March 2026 in Hà Nội runs from 28/02 17:00 UTC to 01/03 17:00 UTC.
    before = _event(at=datetime(2026, 2, 28, 16, 59, tzinfo=UTC))
    first = _event(at=datetime(2026, 2, 28, 17, 0, tzinfo=UTC))
    last = _event(at=datetime(2026, 3, 1, 16, 59, tzinfo=UTC))
    after = _event(at=datetime(2026, 3, 1, 17, 0, tzinfo=UTC))
    ids = _ids(client_for(personas.system_admin).get(URL, {"date_from": start, "date_to": end}))
    assert ids == {first.pk, last.pk}
    assert before.pk not in ids and after.pk not in ids


def test_filter_by_unit_code_covers_the_unit_and_everything_under_it(personas, units, client_for):
    in_district = _event(unit=units.legacy_a)  # a pre-reform commune of district_a
    in_other = _event(unit=units.commune_b)
    client = client_for(personas.system_admin)
    assert _ids(client.get(URL, {"unit": units.district_a.code})) == {in_district.pk}
    assert {in_district.pk, in_other.pk} <= _ids(client.get(URL, {"unit": "22"}))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "31/02/2026"}, "Enter a date as dd/mm/yyyy."),
        ({"date_to": "yesterday"}, "Enter a date as dd/mm/yyyy."),
        ({"date_from": "02/03/2026", "date_to": "01/03/2026"}, "The start date is after the end date."),
        ({"unit": "00000"}, "No administrative unit has the code 00000."),
        ({"unit": "22'; --"}, "A unit code is made of digits, such as 22 or 06688."),
        ({"action": "teleport"}, "teleport"),
        ({"page": "0"}, "data-filter-errors"),
        ({"page": "abc"}, "data-filter-errors"),
        ({"object_id": "9" * 65}, "data-filter-errors"),
    ],
)
def test_invalid_filters_give_a_message_and_no_rows(personas, units, client_for, params, message):
    _event(unit=units.commune_a)
    client = client_for(personas.system_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages are asserted by their English msgids
    response = client.get(URL, params)
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-filter-errors" in body
    assert message in body
    assert _ids(response) == set()
    assert not AuditEvent.objects.filter(action="view", actor_id=personas.system_admin.pk).exists()


# --- display, paging and queries ----------------------------------------------------------------------


def test_times_are_shown_in_vietnam_and_changes_as_old_to_new(personas, units, client_for):
    event = audit.record(
        actor=personas.officer_a,
        action="update",
        object_type="registry.child",
        object_id="5",
        unit=units.commune_a,
        changes={"name": ["Nguyễn Văn A", "Nguyễn Văn Á"], "password": ["x", "y"], "note": [None, "mới"]},
        at=datetime(2026, 3, 1, 16, 45, tzinfo=UTC),
    )
    text = _text(client_for(personas.system_admin).get(URL, {"object_id": "5"}))
    row = text[text.index(f'data-event-id="{event.pk}"') :]
    assert "01/03/2026 23:45" in row
    assert "<strong>name</strong>: Nguyễn Văn A → Nguyễn Văn Á" in row
    assert "<strong>password</strong>: *** → ***" in row
    assert "<strong>note</strong>: — → mới" in row
    assert units.commune_a.name in row


def test_pages_of_fifty_newest_first(personas, client_for):
    events = [_event(object_type="core.paging", object_id=str(n)) for n in range(PAGE_SIZE * 2 + 5)]
    newest_first = [e.pk for e in reversed(events)]
    client = client_for(personas.system_admin)

    first = client.get(URL, {"object_type": "core.paging"})
    assert _ordered_ids(first) == newest_first[:PAGE_SIZE]
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' not in first.content.decode()
    assert "object_type=core.paging" in re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(
        1
    )

    last = client.get(URL, {"object_type": "core.paging", "page": "3"})
    assert _ordered_ids(last) == newest_first[PAGE_SIZE * 2 :]
    assert 'rel="prev"' in last.content.decode() and 'rel="next"' not in last.content.decode()


def _page_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("who", ["system_admin", "province_manager"])
def test_one_query_loads_the_page_however_many_rows(personas, units, client_for, who):
    client = client_for(getattr(personas, who))
    _page_queries(client)  # warm the session and caches
    for n in range(3):
        _event(personas.officer_a, units.commune_a, object_id=str(n))
    few = _page_queries(client)
    for n in range(PAGE_SIZE + 10):
        _event(personas.officer_b, units.commune_b, object_id=str(n))
    many = _page_queries(client)
    assert len(many) == len(few)
    page_loads = [sql for sql in many if "unit_name" in sql]
    assert len(page_loads) == 1
    # Scope is a subquery, not a list of ids sent from Python.
    assert re.search(r"IN \(\s*SELECT", page_loads[0], re.IGNORECASE) or who == "system_admin"
