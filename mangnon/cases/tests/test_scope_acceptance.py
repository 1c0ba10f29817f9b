"""Issue 4's scope acceptance in one place: a case in commune A, with everything a case gathers (steps
through the review, a note, a file, a planned service, a referral, deadline notifications), is invisible
to commune B's officer on every path — pages, forms, files, the API, lists, searches, dashboards and
notifications — and a hotline counsellor reads the contact they took but not the case it became.

Each feature's own tests check its routes in detail; this one walks every route of one case so that a
route added later without its access check shows up here too (the route list is taken from the URL
configuration, not written out by hand)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from mangnon.cases import notify, record_services, referral_services, services
from mangnon.cases.models import Case
from mangnon.cases.record_services import NoteInput
from mangnon.cases.tests import record_files as files
from mangnon.cases.tests.factories import ContactChildFactory
from mangnon.cases.tests.steps import advance
from mangnon.cases.workflow import Status
from mangnon.core.models import Notification

pytestmark = pytest.mark.django_db

CHILD = "Đặng Minh Khôi"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def full_case(personas, units):
    """A commune A case that has reached its review, with a note, a file and a referral to the province."""
    row = ContactChildFactory(contact__counsellor=personas.hotline, child__person__full_name=CHILD)
    case = services.case_open(actor=personas.officer_a, contact=row.contact).case
    advance(case, Status.REVIEWED, officer=personas.officer_a, chair=personas.chair_a)
    note = record_services.note_add(
        actor=personas.officer_a,
        case=case,
        data=NoteInput(kind="home_visit", on=timezone.localdate(), text="Trẻ an toàn.", participants="Mẹ"),
    )
    attachment = record_services.attachment_add(
        actor=personas.officer_a, case=case, upload=SimpleUploadedFile("bien-ban.pdf", files.PDF)
    )
    referral = referral_services.referral_send(
        actor=personas.officer_a,
        case=case,
        to_unit=units.province,
        reason="Cần hỗ trợ tâm lý chuyên sâu",
        emergency_override=True,
        override_reason="Trẻ có ý định tự hại",
    ).referral
    late = ContactChildFactory(
        contact__counsellor=personas.hotline, contact__received_at=timezone.now() - timedelta(days=2)
    )
    late_case = services.case_open(actor=personas.officer_a, contact=late.contact).case  # safety overdue
    notify.notify_deadlines()
    case.refresh_from_db()
    return {
        "case": case,
        "late_case": late_case,
        "contact": row.contact,
        "note": note,
        "attachment": attachment,
        "referral": referral,
    }


def _case_routes() -> list[str]:
    """Every page route that takes a case id first (the `pk` of /cases/<pk>/… and /reports/cases/<pk>/…)."""
    found: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                of_a_case = route.startswith(("cases/<int:pk>/", "cases/referrals/case/<int:pk>/"))
                if of_a_case or (route.startswith("reports/") and "(?P<pk>" in route):
                    found.append(route)

    walk(get_resolver().url_patterns, "")
    return found


def _fill(route: str, ids: dict[str, int]) -> list[str]:
    """The concrete URLs of a route for this case: ids put in, each Mẫu and each step where they vary."""
    route = route.lstrip("^").rstrip("$")
    route = route.replace("^", "")
    if "(?P<form>" in route:
        route = re.sub(r"\(\?P<pk>\[0-9\]\+\)", str(ids["pk"]), route)
        return [
            "/" + re.sub(r"\(\?P<form>[^)]*\)\\\.\(\?P<fmt>[^)]*\)", f"{n:02d}.docx", route)
            for n in range(1, 7)
        ]
    url = route.replace("<int:pk>", str(ids["pk"]))
    url = url.replace("<int:note>", str(ids["note"])).replace("<int:att>", str(ids["att"]))
    url = url.replace("<int:service>", str(ids["service"])).replace("<str:to>", "closed")
    return ["/" + url]


def test_commune_b_gets_404_on_every_route_of_the_case(personas, client_for, full_case):
    case: Case = full_case["case"]
    ids = {
        "pk": case.pk,
        "note": full_case["note"].pk,
        "att": full_case["attachment"].pk,
        "service": case.services.first().pk,
    }
    routes = _case_routes()
    assert len(routes) >= 12, routes  # the case page, print, steps, assign, record, services, forms…
    urls = [url for route in routes for url in _fill(route, ids)]
    a, b = client_for(personas.officer_a), client_for(personas.officer_b)
    for url in (f"/cases/{case.pk}/", f"/reports/cases/{case.pk}/forms/06.docx"):
        assert url in urls and a.get(url).status_code == 200  # the sweep's URLs are real ones
    for url in urls:
        # A route answers 404 to the method it serves; 405 to the other reveals nothing of the case.
        got = b.get(url).status_code, b.post(url, {"version": case.version, "text": "x"}).status_code
        assert set(got) <= {404, 405} and 404 in got, (url, got)
    assert b.get(f"/cases/referrals/{full_case['referral'].pk}/").status_code == 404


def test_commune_b_finds_nothing_in_lists_searches_dashboards_and_notifications(
    personas, client_for, api_for, full_case
):
    case: Case = full_case["case"]
    b = client_for(personas.officer_b)
    for url in (
        "/cases/",
        "/cases/all/",
        "/cases/dashboard/",
        "/cases/referrals/",
        "/notifications/",
        f"/children/?q={CHILD}",
        "/cases/incidents/",
    ):
        response = b.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert case.number not in html and f"/cases/{case.pk}/" not in html, url
        assert f"/children/{case.child_id}/" not in html, url
        if "?q=" not in url:  # the search box shows back what was typed
            assert CHILD not in html, url
    api = api_for(personas.officer_b)
    assert api.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert api.get(f"/api/v1/cases/{case.pk}/services").status_code == 404
    assert api.get(f"/api/v1/referrals/{full_case['referral'].pk}").status_code == 404
    assert json.loads(api.get("/api/v1/cases").content)["count"] == 0
    assert json.loads(api.get("/api/v1/referrals").content)["count"] == 0
    stale = {"to": Status.CLOSED, "version": case.version}
    response = api.post(f"/api/v1/cases/{case.pk}/transitions", stale, content_type="application/json")
    assert response.status_code == 404
    # The caseworker in A was told about the overdue case; nobody in B was, and B cannot follow the link.
    late_case: Case = full_case["late_case"]
    told = Notification.objects.get(recipient=personas.officer_a, params__case=late_case.pk)
    assert not Notification.objects.filter(recipient=personas.officer_b).exists()
    assert b.get(told.link).status_code == 404


def test_the_counsellor_reads_their_contact_but_not_the_case_it_became(personas, client_for, full_case):
    case: Case = full_case["case"]
    hotline = client_for(personas.hotline)
    assert hotline.get(f"/intake/{full_case['contact'].pk}/").status_code == 200
    for url in (
        f"/cases/{case.pk}/",
        f"/reports/cases/{case.pk}/forms/01.docx",
        f"/cases/{case.pk}/attachments/{full_case['attachment'].pk}/",
    ):
        assert hotline.get(url).status_code == 404, url
    assert case.number not in hotline.get("/cases/all/").content.decode()
