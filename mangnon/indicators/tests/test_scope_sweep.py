"""Issue 6's scope acceptance in one place: every route of the indicators app, taken from the URL
configuration (so a route added later without its access check shows up here), asked about commune A.

Commune B's officer gets 404 (or 405 for the method a route does not serve) on every one of them, pages,
exports and state changes alike; anonymous visitors are sent to log in; a role that never reads
indicators gets nothing; commune A's own officer reads them. The drill-down links of the province's
figures lead commune B's officer to lists that show nothing outside their commune.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from mangnon.cases.tests.factories_incidents import IncidentChildFactory, IncidentFactory
from mangnon.core import metrics
from mangnon.indicators.periods import ReportingPeriod
from mangnon.indicators.tests.factories import DataSetReportFactory, EnteredValueFactory
from mangnon.indicators.tests.target_factories import TargetFactory

pytestmark = pytest.mark.django_db

PUBLIC = ("indicators/catalogue/",)  # the catalogue names no unit: every reader of indicators sees it


def _routes() -> list[str]:
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith("indicators/") and route not in PUBLIC:
                    found.append(route)

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def commune_a(units, personas) -> dict[str, Any]:
    """Commune A's own figures: its commune report for 2026 and a target."""
    report = DataSetReportFactory(data_set="commune", admin_unit=units.commune_a, period="2026")
    EnteredValueFactory(report=report, element="commune.board", value=1, updated_by=personas.officer_a)
    TargetFactory(indicator="MN-BV-11", admin_unit=units.commune_a, province=units.province, year=2026)
    return {"unit": units.commune_a.pk}


def _is_step(route: str) -> bool:
    """A state change of a report, served to POST only."""
    return route.endswith(("/submit/", "/approve/", "/return/", "/unlock/"))


def _url(route: str, unit_id: int) -> str:
    path = (
        route.replace("<str:data_set>", "commune")
        .replace("<int:unit_id>", str(unit_id))
        .replace("<str:period>", "2026")
        .replace("<str:code>", "MN-BV-11")
        .replace("<int:year>", "2026")
    )
    return f"/{path}?unit={unit_id}&year=2026&period=2026&data_set=commune"


def test_commune_b_gets_404_on_every_indicator_route_about_commune_a(personas, client_for, commune_a):
    routes = _routes()
    assert len(routes) >= 13, routes  # dashboard, exports, data pages and steps, targets, detail
    b = client_for(personas.officer_b)
    for route in routes:
        url = _url(route, commune_a["unit"])
        got = b.get(url).status_code, b.post(url, {"version": 1, "reason": "x", "value": "1"}).status_code
        assert set(got) <= {404, 405} and 404 in got, (url, got)


def test_anonymous_visitors_are_sent_to_log_in_and_other_roles_get_nothing(
    personas, client, client_for, commune_a
):
    hotline = client_for(personas.hotline)
    for route in [*_routes(), *PUBLIC]:
        url = _url(route, commune_a["unit"])
        response = client.post(url) if _is_step(route) else client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
        assert (hotline.post(url) if _is_step(route) else hotline.get(url)).status_code in (403, 404), url


def test_commune_a_reads_its_own_figures_on_every_page(personas, client_for, commune_a):
    a = client_for(personas.officer_a)
    for route in [*_routes(), *PUBLIC]:
        url = _url(route, commune_a["unit"])
        if _is_step(route):
            continue  # state changes are POST; their own tests cover who may take them
        assert a.get(url).status_code == 200, url


def test_the_provinces_drill_down_links_show_commune_b_nothing_of_commune_a(personas, client_for, units):
    incident = IncidentFactory(admin_unit=units.commune_a, occurred_on=date(2026, 3, 1))
    IncidentChildFactory(incident=incident)
    period = ReportingPeriod.year(2026).days
    b = client_for(personas.officer_b)
    province = client_for(personas.province_officer)
    for code in ("cases.incidents", "cases.abused_children", "registry.children", "activities.sessions"):
        url = metrics.get(code).records_url(unit=units.province, period=period)
        assert url, code
        assert province.get(url).status_code == 200, url
        assert b.get(url).status_code in (400, 404), url  # the list's own rule for a unit outside scope
    own = metrics.get("cases.incidents").records_url(unit=units.commune_b, period=period)
    response = b.get(own)
    assert response.status_code == 200 and f"/incidents/{incident.pk}/" not in response.content.decode()
