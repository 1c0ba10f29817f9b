import pytest

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action

pytestmark = pytest.mark.django_db


def test_commune_officer_scope_covers_own_commune_and_its_legacy_communes(personas, units):
    scope = scope_for(personas.officer_a, Action.GEO_VIEW)
    assert scope.contains(units.commune_a)
    assert scope.contains(units.legacy_a)
    assert not scope.contains(units.commune_b)
    assert not scope.contains(units.legacy_b)


def test_me_requires_authentication(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_me_lists_memberships(personas, api_for):
    response = api_for(personas.officer_a).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["memberships"][0]["unit"] == "06688"
