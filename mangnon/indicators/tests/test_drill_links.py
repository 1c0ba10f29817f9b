"""Drill-down links on the indicator page: officers follow a figure to its records; a table under
disclosure control (leadership, or prepared for publication) links to no records at all."""

from __future__ import annotations

from datetime import date

import pytest

from mangnon.cases.tests.factories_incidents import IncidentChildFactory, IncidentFactory

pytestmark = pytest.mark.django_db

LINK = "/cases/incidents/?"


@pytest.fixture
def abuse_2020(units):
    for _ in range(6):
        incident = IncidentFactory(admin_unit=units.legacy_a, occurred_on=date(2020, 5, 4))
        IncidentChildFactory(incident=incident)


def _page(client, units, **extra) -> str:
    response = client.get("/indicators/0101/", {"unit": units.province.pk, "year": 2020, **extra})
    assert response.status_code == 200
    return response.content.decode()


def test_an_officer_follows_the_figure_to_the_records_behind_it(personas, units, client_for, abuse_2020):
    client = client_for(personas.province_officer)
    page = _page(client, units)
    assert LINK in page
    link = page[page.index(LINK) :].split('"', 1)[0].replace("&amp;", "&")
    assert client.get(link).status_code == 200


def test_leadership_and_publication_see_figures_without_links_to_records(
    personas, units, client_for, abuse_2020
):
    assert LINK not in _page(client_for(personas.viewer), units)
    assert LINK not in _page(client_for(personas.province_officer), units, publish=1)
