"""The contacts API: allowed, forbidden (not theirs or another commune → 404, wrong role → 403, anonymous
→ 401) and audited; Idempotency-Key (201 then 200, one contact); the caller's identity withheld."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from mangnon.core.models import AuditAction, AuditEvent, IdempotencyKey
from mangnon.intake.codes import ContactKind, NonDataType
from mangnon.intake.models import Contact, ContactReason
from mangnon.intake.tests.factories import ContactFactory
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts"


def body(**over):
    data = {
        "channel": "phone",
        "kind": "data",
        "line": "111",
        "reasons": ["violence.physical", "family.conflict"],
        "caller_name": "Trần Văn Khải",
        "caller_phone": "0912 345 678",
        "commune": "06688",
        "narrative": "Hàng xóm nghe tiếng trẻ khóc.",
    }
    return {**data, **over}


def post(client: Client, data, **headers):
    return client.post(URL, json.dumps(data), content_type="application/json", headers=headers)


def patch(client: Client, url: str, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_create_then_retry_with_the_same_key_gives_the_same_contact(personas, api_for):
    api = api_for(personas.hotline)
    first = post(api, body(), **{"Idempotency-Key": "call-7"})
    assert first.status_code == 201, first.content
    again = post(api, body(), **{"Idempotency-Key": "call-7"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Contact.objects.count() == 1 and IdempotencyKey.objects.filter(key="call-7").count() == 1
    out = first.json()
    assert out["line"] == "111" and out["commune"] == "06688" and out["province"] == "22"
    assert [r["code"] for r in out["reasons"]] == ["violence.physical", "family.conflict"]
    assert out["caller"]["name"] == "Trần Văn Khải" and out["caller"]["phone"] == "0912345678"
    assert out["counsellor"] == personas.hotline.username and out["version"] == 1
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="intake.contact")
    assert created.count() == 1 and created.get().changes["caller_phone"] == "***"


def test_same_key_with_another_body_is_refused(personas, api_for):
    api = api_for(personas.hotline)
    assert post(api, body(), **{"Idempotency-Key": "k"}).status_code == 201
    r = post(api, body(narrative="khác"), **{"Idempotency-Key": "k"})
    assert r.status_code == 422 and r.json()["error"] == "idempotency_key_reused"
    assert Contact.objects.count() == 1


def test_non_data_contact_stores_no_reasons(personas, api_for):
    r = post(
        api_for(personas.hotline), {"channel": "phone", "kind": "non_data", "non_data_type": "wrong_number"}
    )
    assert r.status_code == 201 and r.json()["reasons"] == [] and r.json()["non_data_type"] == "wrong_number"
    assert not ContactReason.objects.exists()
    r = post(api_for(personas.hotline), {"channel": "phone", "kind": "non_data", "non_data_type": "silent",
                                         "reasons": ["violence.physical"]})  # fmt: skip
    assert r.status_code == 422 and "reasons" in r.json()["detail"]
    assert Contact.objects.count() == 1


def test_anonymous_caller_identity_refused(personas, api_for):
    r = post(api_for(personas.hotline), body(caller_anonymous=True))
    assert r.status_code == 422 and "caller_anonymous" in r.json()["detail"]
    r = post(api_for(personas.hotline), body(caller_anonymous=True, caller_name="", caller_phone=""))
    assert r.status_code == 201 and r.json()["caller"]["anonymous"] is True


def test_bad_input_is_422_and_writes_nothing(personas, api_for):
    api = api_for(personas.hotline)
    for bad in (body(reasons=[]), body(commune="99999"), body(line="12345"), body(channel="fax"),
                body(children=[{"name": "", "age": 40}])):  # fmt: skip
        assert post(api, bad).status_code == 422
    assert Contact.objects.count() == 0


def test_children_linked_and_described(personas, api_for, units):
    child = ChildFactory(admin_unit=units.commune_a)
    r = post(api_for(personas.officer_a), body(children=[{"child": child.pk}, {"name": "Bé Na", "age": 9}]))
    assert r.status_code == 201
    children = r.json()["children"]
    assert children[0]["child"] == child.pk and children[1]["name"] == "Bé Na"
    other = ChildFactory(admin_unit=units.commune_b)
    assert post(api_for(personas.officer_a), body(children=[{"child": other.pk}])).status_code == 422


def test_kind_defaults_to_data_and_a_child_may_be_given_as_the_registry_names_it(personas, api_for):
    data = body(received_at="2026-02-13T21:30:00+07:00")
    del data["kind"]
    data["children"] = [{"full_name": "Đặng Minh Khôi", "sex": "M", "birth_year": 2016}]
    r = post(api_for(personas.hotline), data)
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "data"
    assert [(c["name"], c["sex"], c["age"]) for c in r.json()["children"]] == [("Đặng Minh Khôi", "M", 10)]


def test_create_forbidden(personas, api_for):
    for user in (personas.viewer, personas.chair_a, personas.province_manager, personas.collaborator_a):
        assert post(api_for(user), body()).status_code == 403
    assert post(api_for(personas.officer_b), body()).status_code == 403  # commune A is not theirs
    assert post(Client(), body()).status_code == 401
    assert Contact.objects.count() == 0


def test_get_allowed_audited_and_404_elsewhere(personas, api_for, units):
    contact = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a, caller_name="Trần Khải")
    r = api_for(personas.hotline).get(f"{URL}/{contact.pk}")
    assert r.status_code == 200 and r.json()["caller"]["name"] == "Trần Khải"
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(contact.pk)).count() == 1
    seen = api_for(personas.officer_a).get(f"{URL}/{contact.pk}").json()
    assert seen["caller"]["name"] == "" and seen["caller"]["withheld"] is True
    for user in (personas.officer_b, personas.viewer, personas.chair_a, personas.system_admin):
        assert api_for(user).get(f"{URL}/{contact.pk}").status_code == 404
    assert Client().get(f"{URL}/{contact.pk}").status_code == 401
    assert api_for(personas.hotline).get(f"{URL}/999999").status_code == 404


def test_a_counsellor_reads_only_the_contacts_they_took(personas, api_for, units):
    theirs = ContactFactory(counsellor=personas.officer_a, admin_unit=units.commune_a)
    mine = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a)
    api = api_for(personas.hotline)
    assert api.get(f"{URL}/{theirs.pk}").status_code == 404
    listed = api.get(URL).json()
    assert [c["id"] for c in listed["items"]] == [mine.pk] and listed["count"] == 1


def test_list_filters_scoped_and_audited(personas, api_for, units):
    data = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a)
    silent = ContactFactory(
        counsellor=personas.hotline, admin_unit=units.commune_a, kind=ContactKind.NON_DATA,
        non_data_type=NonDataType.SILENT,
    )  # fmt: skip
    ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_b)
    api = api_for(personas.officer_a)
    assert {c["id"] for c in api.get(URL).json()["items"]} == {data.pk, silent.pk}
    assert [c["id"] for c in api.get(URL, {"kind": "non_data"}).json()["items"]] == [silent.pk]
    assert api.get(URL, {"since": "2099-01-01"}).json()["count"] == 0
    assert api.get(URL, {"since": "2000-01-01T00:00:00+07:00", "reason": "violence"}).json()["count"] == 1
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="intake.contact").last()
    assert event.changes["page"] == "api"
    assert api_for(personas.viewer).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401


def test_patch_needs_the_current_version(personas, api_for):
    created = post(api_for(personas.hotline), body()).json()
    url = f"{URL}/{created['id']}"
    api = api_for(personas.hotline)
    referred = {"referred_to": "06688", "emergency_override": True, "override_reason": "Trẻ bị đánh"}
    r = patch(api, url, {"version": 1, "urgency": "emergency", **referred})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["outcome"] == "referred"
    stale = patch(api, url, {"version": 1, "narrative": "mất"})
    assert stale.status_code == 409 and stale.json()["detail"]["version"] == 2
    assert Contact.objects.get().narrative != "mất"
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="intake.contact").count() == 1
    assert patch(api, url, {"version": 2, "reasons": ["nope"]}).status_code == 422


def test_patch_forbidden(personas, api_for, units):
    contact = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a)
    url = f"{URL}/{contact.pk}"
    assert patch(api_for(personas.officer_b), url, {"version": 1, "urgency": "high"}).status_code == 404
    assert (
        patch(api_for(personas.province_manager), url, {"version": 1, "urgency": "high"}).status_code == 403
    )
    # commune A's officer may change it, but not the caller's details they may not read
    assert patch(api_for(personas.officer_a), url, {"version": 1, "caller_name": "X"}).status_code == 403
    assert patch(api_for(personas.officer_a), url, {"version": 1, "urgency": "high"}).status_code == 200
    assert patch(Client(), url, {"version": 2}).status_code == 401


def test_routes_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/contacts", "/api/v1/contacts/{contact_id}"} <= set(paths)
