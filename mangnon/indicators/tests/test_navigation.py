"""The indicators entry of the main menu shows for every role that reads indicators, and only for them."""

from __future__ import annotations

import pytest

from mangnon.core.navigation import items_for

pytestmark = pytest.mark.django_db


def _has_entry(user) -> bool:
    return any(item["key"] == "indicators" for item in items_for(user))


def test_the_menu_offers_indicators_to_the_roles_that_read_them(personas):
    for user in (personas.viewer, personas.province_officer, personas.province_manager, personas.officer_a):
        assert _has_entry(user), user.username
    for user in (personas.hotline, personas.collaborator_a, personas.system_admin, personas.survey):
        assert not _has_entry(user), user.username


def test_the_entry_leads_to_the_dashboard(personas, client_for):
    entry = next(item for item in items_for(personas.viewer) if item["key"] == "indicators")
    assert entry["url"] == "/indicators/"
    assert client_for(personas.viewer).get(entry["url"]).status_code == 200
