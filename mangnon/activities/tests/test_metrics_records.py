"""Drill-down from the activity figures: each link opens the activity list filtered to exactly the
activities the figure counts (unit in either geography, period, kind), within the reader's scope, and
the page read is audited like the list always is."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from mangnon.activities.codes import ActivityKind, MaterialKind
from mangnon.activities.metrics import CATEGORY_LABELS
from mangnon.activities.selectors import ACTIVITY_TYPE
from mangnon.activities.tests.factories import ActivityFactory, TallyFactory
from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


def _ids(response):
    return {int(pk) for pk in re.findall(r'data-activity-id="(\d+)"', response.content.decode())}


@pytest.fixture
def sample(units):
    """2025: two sessions and a course in commune A, a session in commune B; a session of A in 2024."""
    a1 = ActivityFactory(admin_unit=units.commune_a, start_date=date(2025, 3, 1))
    a2 = ActivityFactory(admin_unit=units.commune_a, start_date=date(2025, 11, 30))
    course = ActivityFactory(
        admin_unit=units.commune_a, start_date=date(2025, 6, 1), kind=ActivityKind.TRAINING
    )
    b1 = ActivityFactory(admin_unit=units.commune_b, start_date=date(2025, 4, 1))
    earlier = ActivityFactory(admin_unit=units.commune_a, start_date=date(2024, 12, 31))
    for activity in (a1, a2, b1, earlier):
        TallyFactory(activity=activity, count=7)
    return {
        "sessions": {a1.pk, a2.pk, b1.pk},
        "courses": {course.pk},
        "all": {a1.pk, a2.pk, b1.pk, course.pk},
        "b_sessions": {b1.pk},
    }


def _url(code, unit, category=None):
    return metrics.get(code).records_url(unit=unit, period=YEAR, category=category)


def _figure(code, viewer, unit, by=()):
    return metrics.get(code).compute(unit=unit, period=YEAR, viewer=viewer, by=by)


def test_links_name_the_unit_period_and_kind(units):
    parts = urlsplit(_url("activities.sessions", units.province))
    assert parts.path == "/activities/"
    assert parse_qs(parts.query) == {
        "unit": [str(units.province.pk)],
        "start": ["2025-01-01"],
        "end": ["2025-12-31"],
        "kind": ["session"],
    }
    assert "kind=training" in _url("activities.activities", units.province, {"kind": "training"})
    # A category of a tally has no list; materials are not listed one by one.
    assert _url("activities.session_person_times", units.province, {"sex": "F"}) == ""
    assert _url("activities.materials", units.province) == ""


@pytest.mark.parametrize(
    ("code", "category", "expected"),
    [
        ("activities.sessions", None, "sessions"),
        ("activities.courses", None, "courses"),
        ("activities.activities", None, "all"),
        ("activities.activities", {"kind": "session"}, "sessions"),
        ("activities.session_person_times", None, "sessions"),
    ],
)
def test_each_link_lists_exactly_the_activities_counted(
    sample, units, personas, client_for, code, category, expected
):
    officer = personas.province_officer
    response = client_for(officer).get(_url(code, units.province, category))
    assert response.status_code == 200
    assert _ids(response) == sample[expected]
    if code != "activities.session_person_times":
        figure = _figure(code, officer, units.province, by=tuple(category or ()))
        assert (figure.by["kind"]["session"] if category else figure.total) == len(sample[expected])
    else:  # the person-times are the tallies of exactly the sessions listed
        assert _figure(code, officer, units.province).total == 7 * len(sample[expected])


def test_other_commune_never_sees_more_than_its_own(sample, units, personas, client_for):
    client = client_for(personas.officer_b)
    # The province is not among B's units: the list answers 400 as for any unit it may not choose,
    # showing only B's own activities.
    response = client.get(_url("activities.sessions", units.province))
    assert response.status_code == 400
    assert _ids(response) == sample["b_sessions"]
    assert _ids(client.get(_url("activities.sessions", units.commune_b))) == sample["b_sessions"]


def test_roles_that_do_not_read_activities_and_anonymous(units, personas, client_for, client):
    url = _url("activities.sessions", units.province)
    assert client_for(personas.hotline).get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_reached_is_audited(sample, units, personas, client_for):
    client_for(personas.province_officer).get(_url("activities.courses", units.province))
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type=ACTIVITY_TYPE).get()
    assert set(event.changes["shown"]) == sample["courses"]
    assert event.changes["filters"]["unit"] == units.province.code
    assert event.changes["filters"]["kind"] == "training"


def test_category_labels_cover_every_code():
    assert set(ActivityKind.values) | set(MaterialKind.values) == set(CATEGORY_LABELS["kind"])
    assert {"group", "sex", "age_band"} <= set(CATEGORY_LABELS)
