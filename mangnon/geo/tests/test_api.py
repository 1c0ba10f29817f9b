import pytest
from django.utils import timezone

from mangnon.accounts.tests.factories import UserFactory
from mangnon.geo.models import LAST_PRE_REFORM_DAY

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/geo/units"


@pytest.fixture
def api(personas, api_for):
    return api_for(personas.officer_b)


def test_list_contract_province_22_before_and_after_the_reform(api):
    before = api.get(UNITS, {"parent": "22", "on": "2020-06-01"})
    after = api.get(UNITS, {"parent": "22", "on": "2025-08-01"})
    assert before.status_code == 200 and after.status_code == 200
    assert before.json()["count"] == 13
    assert {u["level"] for u in before.json()["items"]} == {"district"}
    assert after.json()["count"] == 54
    assert {u["type"] for u in after.json()["items"]} == {"xã", "phường", "đặc khu"}


def test_list_item_fields(api):
    body = api.get(UNITS, {"parent": "22", "on": "2025-08-01", "level": "commune"}).json()
    hl = next(u for u in body["items"] if u["code"] == "06688")
    assert hl == {
        "code": "06688",
        "name": "Phường Hạ Long",
        "level": "commune",
        "type": "phường",
        "parent": "22",
        "valid_from": "2025-07-01",
        "valid_to": None,
    }
    assert body["count"] == 52  # the two special zones are a level of their own


def test_list_without_parent_filters_by_level(api):
    body = api.get(UNITS, {"level": "province"}).json()
    assert [u["code"] for u in body["items"]] == ["22"]
    assert body["count"] == 1


def test_list_paginates_with_total_count(api):
    first = api.get(UNITS, {"parent": "22", "on": "2025-08-01", "limit": 20}).json()
    last = api.get(UNITS, {"parent": "22", "on": "2025-08-01", "limit": 20, "offset": 40}).json()
    assert first["count"] == last["count"] == 54
    assert len(first["items"]) == 20 and len(last["items"]) == 14
    assert not {u["code"] for u in first["items"]} & {u["code"] for u in last["items"]}


def test_list_default_limit_is_500(api):
    body = api.get(UNITS, {"on": "2020-06-01"}).json()
    assert body["count"] == 1 + 13 + 171
    assert len(body["items"]) == 185


@pytest.mark.parametrize(
    "params",
    [
        {"on": "2020-13-45"},
        {"level": "hamlet"},
        {"limit": 0},
        {"limit": 2001},
        {"offset": -1},
        {"limit": "many"},
    ],
)
def test_list_malformed_parameters_are_422(api, params):
    response = api.get(UNITS, params)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"


def test_list_unknown_parent_is_404(api):
    response = api.get(UNITS, {"parent": "99999"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_detail_resolves_a_reused_code_by_date(api):
    now = api.get(f"{UNITS}/06688").json()
    before = api.get(f"{UNITS}/06688", {"on": "2025-06-30"}).json()
    assert now["name"] == "Phường Hạ Long" and now["valid_from"] == "2025-07-01"
    assert before["name"] == "Phường Hồng Hải" and before["valid_to"] == "2025-06-30"
    assert before["parent"] != "22"  # a pre-reform commune sits under its district


def test_detail_unknown_code_is_404_json(api):
    response = api.get(f"{UNITS}/00000")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert "00000" in response.json()["detail"]


def test_detail_code_not_valid_on_date_is_404(api, units):
    # A pre-reform district does not exist after the reform.
    response = api.get(f"{UNITS}/{units.district_a.code}", {"on": "2025-08-01"})
    assert response.status_code == 404


def test_detail_bad_date_is_422(api):
    response = api.get(f"{UNITS}/22", {"on": "2020-13-45"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"


def test_successors_of_a_pre_reform_commune(api, units):
    body = api.get(f"{UNITS}/{units.legacy_a.code}/successors").json()
    assert body["count"] >= 1
    assert "06688" in [u["code"] for u in body["items"]]
    assert sum(u["is_default"] for u in body["items"]) == 1
    assert body["items"][0]["is_default"]


def test_predecessors_of_a_current_commune(api, units):
    body = api.get(f"{UNITS}/06688/predecessors").json()
    codes = [u["code"] for u in body["items"]]
    assert units.legacy_a.code in codes
    assert body["count"] == len(codes)
    assert all(u["valid_to"] == LAST_PRE_REFORM_DAY.isoformat() for u in body["items"])


def test_successors_of_a_current_unit_are_empty(api):
    body = api.get(f"{UNITS}/06688/successors", {"on": timezone.localdate().isoformat()}).json()
    assert body == {"items": [], "count": 0}


def test_crosswalk_unknown_code_is_404(api):
    assert api.get(f"{UNITS}/00000/successors").status_code == 404
    assert api.get(f"{UNITS}/00000/predecessors").status_code == 404


@pytest.mark.parametrize(
    "path", [UNITS, f"{UNITS}/22", f"{UNITS}/06688/successors", f"{UNITS}/06688/predecessors"]
)
def test_anonymous_is_401(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


@pytest.mark.parametrize(
    "path", [UNITS, f"{UNITS}/22", f"{UNITS}/06688/successors", f"{UNITS}/06688/predecessors"]
)
def test_user_without_a_role_is_403(api_for, path):
    response = api_for(UserFactory(username="no-role")).get(path)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_geography_is_not_scoped(personas, api_for, units):
    # Commune B's officer reads commune A and its history: geography is reference data, not personal data.
    api = api_for(personas.officer_b)
    assert api.get(f"{UNITS}/06688").status_code == 200
    assert api.get(f"{UNITS}/{units.legacy_a.code}/successors").json()["count"] >= 1


def test_session_auth_works(personas, client_for):
    response = client_for(personas.viewer).get(UNITS, {"parent": "22"})
    assert response.status_code == 200
    assert response.json()["count"] == 54


def test_list_query_count_does_not_grow_with_items(api, django_assert_max_num_queries):
    api.get(UNITS, {"limit": 1})  # warm caches outside the measurement
    with django_assert_max_num_queries(8):
        body = api.get(UNITS, {"on": "2020-06-01"}).json()
    assert len(body["items"]) == 185


def test_openapi_documents_the_geography_routes(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in (
        UNITS,
        f"{UNITS}/{{code}}",
        f"{UNITS}/{{code}}/successors",
        f"{UNITS}/{{code}}/predecessors",
    ):
        assert "get" in paths[path]
    params = {p["name"] for p in paths[UNITS]["get"]["parameters"]}
    assert params == {"parent", "level", "on", "limit", "offset"}
