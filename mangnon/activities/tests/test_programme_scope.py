"""Issue 5's scope acceptance in one place: the programme work of commune A (an activity, a club with a
member, a care model, a payment, a placement, a child's voice, a council member, an import) is invisible
to commune B's officer on every route of activities, support and participation that names a record, and
in B's lists and API answers; the province officer sees all of it.

Each feature's own tests check its routes in detail; this sweep takes the routes from the URL
configuration, so a route added later without its access check shows up here. Records that belong to
the whole province (campaigns, gift campaigns) are left out: every commune of the province reads them."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from mangnon.activities.tests.factories import (
    ActivityFactory,
    CareModelFactory,
    ClubFactory,
    ClubMemberFactory,
    TallyFactory,
)
from mangnon.participation.tests.factories import (
    ChildVoiceFactory,
    CouncilMeetingFactory,
    CouncilMemberFactory,
)
from mangnon.registry.models import ImportJob
from mangnon.support.tests.factories import AlternativeCareFactory, DisbursementFactory

pytestmark = pytest.mark.django_db

APPS = ("activities/", "support/", "participation/")
PROVINCE_WIDE = ("activities/campaigns/<int:pk>/", "support/gifts/<int:pk>/")
TITLE = "Sinh hoạt CLB xã A (dấu hiệu)"


@pytest.fixture
def commune_a(units, personas) -> dict[str, Any]:
    """One of each record of programme work at commune A, with the ids the routes take."""
    activity = ActivityFactory(admin_unit=units.commune_a, title=TITLE, start_date=date(2026, 3, 10))
    TallyFactory(activity=activity, count=25)
    club = ClubFactory(admin_unit=units.commune_a)
    member = ClubMemberFactory(club=club)
    care_model = CareModelFactory(admin_unit=units.commune_a)
    payment = DisbursementFactory(admin_unit=units.commune_a)
    placement = AlternativeCareFactory(admin_unit=units.commune_a)
    voice = ChildVoiceFactory(admin_unit=units.commune_a)
    council_member = CouncilMemberFactory(admin_unit=units.commune_a)
    meeting = CouncilMeetingFactory(admin_unit=units.commune_a)
    jobs = {
        kind: ImportJob.objects.create(
            kind=kind,
            admin_unit=units.commune_a,
            province=units.province,
            created_by=personas.officer_a,
            original_name="bao-cao.xlsx",
            stored_path="none.xlsx",
            sha256=kind.ljust(64, "0")[:64],
        )
        for kind in (ImportJob.Kind.ACTIVITIES, ImportJob.Kind.DISBURSEMENTS)
    }
    return {
        "activities/<int:pk>/": activity.pk,
        "activities/clubs/<int:pk>/": club.pk,
        "activities/care-models/<int:pk>/": care_model.pk,
        "activities/import/<int:pk>": jobs[ImportJob.Kind.ACTIVITIES].pk,
        "support/care/<int:pk>/": placement.pk,
        "support/import/<int:pk>": jobs[ImportJob.Kind.DISBURSEMENTS].pk,
        "participation/voices/<int:pk>/": voice.pk,
        "participation/council/members/<int:pk>/": council_member.pk,
        "participation/council/meetings/<int:pk>/": meeting.pk,
        "participation/council/<int:unit_id>/": units.commune_a.pk,
        "member_pk": member.pk,
        "payment": payment.pk,
        "activity": activity.pk,
        "club": club.pk,
        "voice": voice.pk,
    }


def _routes() -> list[str]:
    """Every page route of the three apps that takes a record's id (or a unit's, for a council)."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith(APPS) and "<int:" in route and not route.startswith(PROVINCE_WIDE):
                    found.append(route)

    walk(get_resolver().url_patterns, "")
    return found


def _fill(route: str, ids: dict[str, Any]) -> str:
    """The route with commune A's ids put in: the longest known prefix says whose id `<int:pk>` is."""
    known = sorted((k for k in ids if k.endswith(("/", ">"))), key=len, reverse=True)
    for prefix in known:
        if route.startswith(prefix):
            placeholder = "<int:unit_id>" if "<int:unit_id>" in prefix else "<int:pk>"
            url = route.replace(placeholder, str(ids[prefix]), 1)
            return "/" + url.replace("<int:member_pk>", str(ids["member_pk"]))
    raise AssertionError(f"No record of commune A for the route {route}: add one to the fixture.")


def test_commune_b_gets_404_on_every_route_that_names_a_record_of_commune_a(personas, client_for, commune_a):
    routes = _routes()
    assert len(routes) >= 15, routes  # activity, edit, clubs, care models, imports, care, voices, council…
    urls = [_fill(route, commune_a) for route in routes]
    a, b = client_for(personas.officer_a), client_for(personas.officer_b)
    for url in (f"/activities/{commune_a['activity']}/", f"/participation/voices/{commune_a['voice']}/"):
        assert url in urls and a.get(url).status_code == 200  # the sweep's URLs are real ones
    for url in urls:
        # A route answers 404 to the method it serves; 405 to the other one reveals nothing.
        got = b.get(url).status_code, b.post(url, {"version": 1, "name": "x"}).status_code
        assert set(got) <= {404, 405} and 404 in got, (url, got)


def test_commune_b_finds_nothing_of_commune_a_in_lists_and_the_api(personas, client_for, api_for, commune_a):
    b = client_for(personas.officer_b)
    b.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (
        "/activities/",
        "/activities/calendar/?month=2026-03",
        "/activities/clubs/?start=2020-01-01",
        "/activities/care-models/",
        "/support/",
        "/support/care/",
        "/participation/",
    ):
        r = b.get(url)
        assert r.status_code == 200, url
        page = r.content.decode()
        assert TITLE not in page and f"/clubs/{commune_a['club']}/" not in page, url
        assert f"/voices/{commune_a['voice']}/" not in page, url
    api = api_for(personas.officer_b)
    for path, key in (
        ("/api/v1/activities", "items"),
        ("/api/v1/disbursements", "items"),
        ("/api/v1/voices", "items"),
        ("/api/v1/clubs", "items"),
    ):
        r = api.get(path)
        assert r.status_code == 200, (path, r.content)
        data = json.loads(r.content)
        ids = {row["id"] for row in (data[key] if isinstance(data, dict) else data)}
        assert not ids & {commune_a["activity"], commune_a["payment"], commune_a["voice"], commune_a["club"]}


def test_the_province_officer_sees_all_of_it(personas, client_for, commune_a):
    province = client_for(personas.province_officer)
    for url in (
        f"/activities/{commune_a['activity']}/",
        f"/activities/clubs/{commune_a['club']}/",
        f"/participation/voices/{commune_a['voice']}/",
        f"/support/care/{commune_a['support/care/<int:pk>/']}/",
    ):
        assert province.get(url).status_code == 200, url
