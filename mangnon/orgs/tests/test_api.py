"""The directory API: allowed, forbidden (another province → 404, may read but not keep → 403, anonymous →
401), audited writes, Idempotency-Key on create and 409 on a stale PATCH."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from mangnon.core.models import AuditAction, AuditEvent, IdempotencyKey
from mangnon.orgs.codes import OrgKind, ServiceType
from mangnon.orgs.models import Organisation
from mangnon.orgs.tests.factories import OrganisationFactory, other_province_commune

pytestmark = pytest.mark.django_db

URL = "/api/v1/orgs"


def body(**over):
    data = {"name": "Trường THCS Hà Khánh", "kind": "school", "unit": "06688", "services": ["education"]}
    return {**data, **over}


def post(client: Client, data, **headers):
    return client.post(URL, json.dumps(data), content_type="application/json", headers=headers)


def patch(client: Client, org_id: int, data):
    return client.patch(f"{URL}/{org_id}", json.dumps(data), content_type="application/json")


def org_events():
    return AuditEvent.objects.filter(object_type="orgs.organisation")


@pytest.fixture
def school_a(units):
    return OrganisationFactory(name="Trường THCS Hồng Hải", admin_unit=units.commune_a)


@pytest.fixture
def elsewhere(db):
    return OrganisationFactory(name="Trường THCS Nơi Khác", admin_unit=other_province_commune())


# --- list and one -----------------------------------------------------------------------------------


def test_list_with_filters(personas, api_for, units, school_a, elsewhere):
    OrganisationFactory(name="Bệnh viện Tiên Yên", kind=OrgKind.HOSPITAL, admin_unit=units.commune_b,
                        services=[ServiceType.MEDICAL])  # fmt: skip
    api = api_for(personas.hotline)
    r = api.get(URL)
    assert r.status_code == 200
    assert {i["name"] for i in r.json()["items"]} == {"Trường THCS Hồng Hải", "Bệnh viện Tiên Yên"}
    assert r.json()["count"] == 2
    assert [i["name"] for i in api.get(URL, {"kind": "hospital"}).json()["items"]] == ["Bệnh viện Tiên Yên"]
    assert [i["name"] for i in api.get(URL, {"unit": "06688"}).json()["items"]] == ["Trường THCS Hồng Hải"]
    assert [i["name"] for i in api.get(URL, {"q": "tien yen"}).json()["items"]] == ["Bệnh viện Tiên Yên"]
    assert api.get(URL, {"service": "medical"}).json()["count"] == 1
    assert api.get(URL, {"limit": 1}).json()["count"] == 2
    r = api.get(URL, {"unit": "00000"})
    assert r.status_code == 422 and r.json()["error"] == "invalid"
    assert not org_events().exists()  # reads of the directory are not audited: no personal data


def test_one(personas, api_for, school_a):
    r = api_for(personas.viewer).get(f"{URL}/{school_a.pk}")
    assert r.status_code == 200
    item = r.json()
    assert item["name"] == "Trường THCS Hồng Hải" and item["unit"] == "06688" and item["province"] == "22"
    assert item["kind_label"] and item["version"] == 1 and item["services"] == ["education"]


def test_reads_forbidden(personas, api_for, elsewhere):
    assert api_for(personas.province_officer).get(f"{URL}/{elsewhere.pk}").status_code == 404
    assert api_for(personas.officer_a).get(f"{URL}/999999").status_code == 404
    assert Client().get(URL).status_code == 401
    assert Client().get(f"{URL}/{elsewhere.pk}").status_code == 401


# --- create -----------------------------------------------------------------------------------------


def test_create_then_the_same_key_gives_the_same_organisation(personas, api_for):
    api = api_for(personas.officer_a)
    r1 = post(api, body(), **{"Idempotency-Key": "org-1"})
    assert r1.status_code == 201, r1.content
    r2 = post(api, body(), **{"Idempotency-Key": "org-1"})
    assert r2.status_code == 200 and r2.json()["id"] == r1.json()["id"]
    assert Organisation.objects.count() == 1 and IdempotencyKey.objects.filter(key="org-1").count() == 1
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="orgs.organisation")
    assert event.actor_id == personas.officer_a.pk and event.object_id == str(r1.json()["id"])


def test_same_key_with_another_body_is_refused(personas, api_for):
    api = api_for(personas.officer_a)
    assert post(api, body(), **{"Idempotency-Key": "org-2"}).status_code == 201
    r = post(api, body(name="Trường THCS Khác"), **{"Idempotency-Key": "org-2"})
    assert r.status_code == 422 and r.json()["error"] == "idempotency_key_reused"
    assert Organisation.objects.count() == 1


def test_create_bad_input_is_422_and_writes_nothing(personas, api_for):
    api = api_for(personas.province_officer)
    r = post(api, body(name=" ", kind="castle", services=["magic"]))
    assert r.status_code == 422
    assert {"name", "kind", "services"} <= set(r.json()["detail"])
    assert post(api, body(unit="99999")).status_code == 422
    assert not Organisation.objects.exists() and not org_events().exists()


def test_create_forbidden(personas, api_for):
    assert post(api_for(personas.officer_b), body()).status_code == 403  # commune A is not theirs
    assert post(api_for(personas.officer_a), body(unit="22")).status_code == 403  # nor the province
    assert post(api_for(personas.viewer), body()).status_code == 403
    assert post(api_for(personas.hotline), body()).status_code == 403
    assert post(Client(), body()).status_code == 401
    assert not Organisation.objects.exists()


# --- patch ------------------------------------------------------------------------------------------


def test_patch_with_the_current_version(personas, api_for, school_a):
    change = {"version": 1, "phone": "0203 3 111 222", "notes": None}
    r = patch(api_for(personas.officer_a), school_a.pk, change)
    assert r.status_code == 200, r.content
    assert r.json()["phone"] == "0203 3 111 222" and r.json()["version"] == 2
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes == {"phone": ["", "0203 3 111 222"]}


def test_patch_deactivates_and_the_list_no_longer_shows_it(personas, api_for, school_a):
    api = api_for(personas.officer_a)
    assert patch(api, school_a.pk, {"version": 1, "active": False}).json()["active"] is False
    assert api.get(URL).json()["count"] == 0
    assert api.get(URL, {"active": "false"}).json()["count"] == 1
    assert api.get(f"{URL}/{school_a.pk}").status_code == 200  # records that point at it still resolve


def test_patch_moves_within_the_scope_only(personas, api_for, school_a):
    assert patch(api_for(personas.officer_a), school_a.pk, {"version": 1, "unit": "06862"}).status_code == 403
    r = patch(api_for(personas.province_officer), school_a.pk, {"version": 1, "unit": "06862"})
    assert r.status_code == 200 and r.json()["unit"] == "06862"


def test_stale_patch_is_409_and_loses_nothing(personas, api_for, school_a):
    api = api_for(personas.officer_a)
    assert patch(api, school_a.pk, {"version": 1, "name": "Trường THCS Một"}).status_code == 200
    r = patch(api, school_a.pk, {"version": 1, "name": "Trường THCS Hai"})
    assert r.status_code == 409 and r.json()["error"] == "conflict" and r.json()["detail"]["version"] == 2
    assert Organisation.objects.get().name == "Trường THCS Một"


def test_patch_bad_input_is_422(personas, api_for, school_a):
    r = patch(api_for(personas.officer_a), school_a.pk, {"version": 1, "email": "a@"})
    assert r.status_code == 422 and "email" in r.json()["detail"]


def test_patch_forbidden(personas, api_for, school_a, elsewhere):
    assert patch(api_for(personas.officer_b), school_a.pk, {"version": 1, "name": "X"}).status_code == 403
    assert patch(api_for(personas.viewer), school_a.pk, {"version": 1, "name": "X"}).status_code == 403
    province = api_for(personas.province_officer)
    assert patch(province, elsewhere.pk, {"version": 1, "name": "X"}).status_code == 404
    assert patch(Client(), school_a.pk, {"version": 1, "name": "X"}).status_code == 401
    assert Organisation.objects.get(pk=school_a.pk).name == "Trường THCS Hồng Hải"
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_openapi_documents_the_directory_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/orgs"])
    assert {"get", "patch"} <= set(paths["/api/v1/orgs/{org_id}"])
