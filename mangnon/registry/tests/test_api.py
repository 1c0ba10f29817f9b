"""The children API: allowed, forbidden (other commune → 404, wrong role → 403, anonymous → 401), audit."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from mangnon.core.models import AuditEvent, IdempotencyKey
from mangnon.registry.codes import ChildStatus
from mangnon.registry.models import Child, RegistrationDecision
from mangnon.registry.tests.factories import ChildFactory, SpecialCircumstanceFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/children"


def body(**over):
    data = {"full_name": "Lò Thị Huyền Trang", "sex": "F", "date_of_birth": "2013-04-09", "commune": "06688"}
    return {**data, **over}


def post(client: Client, url: str, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def patch(client: Client, url: str, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_create_then_same_idempotency_key_gives_the_same_child(personas, api_for):
    api = api_for(personas.officer_a)
    r1 = post(api, URL, body(), **{"Idempotency-Key": "k-1"})
    assert r1.status_code == 201, r1.content
    r2 = post(api, URL, body(), **{"Idempotency-Key": "k-1"})
    assert r2.status_code == 200
    assert r1.json()["id"] == r2.json()["id"]
    assert Child.objects.count() == 1
    assert IdempotencyKey.objects.filter(key="k-1").count() == 1
    decision = RegistrationDecision.objects.get()
    assert decision.decision == "new" and decision.decided_by == personas.officer_a
    assert AuditEvent.objects.filter(action="create", object_type="registry.child").count() == 1


def test_same_key_with_another_body_is_refused(personas, api_for):
    api = api_for(personas.officer_a)
    assert post(api, URL, body(), **{"Idempotency-Key": "k-2"}).status_code == 201
    r = post(api, URL, body(full_name="Lò Văn Nam", sex="M"), **{"Idempotency-Key": "k-2"})
    assert r.status_code == 422 and r.json()["error"] == "idempotency_key_reused"
    assert Child.objects.count() == 1


def test_create_bad_input_is_422_in_plain_words_and_writes_nothing(personas, api_for):
    api = api_for(personas.officer_a)
    r = post(api, URL, body(date_of_birth=None, id_number="0011"))
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "date_of_birth" in detail and "id_number" in detail
    assert post(api, URL, body(commune="99999")).status_code == 422
    assert Child.objects.count() == 0


def test_create_in_another_commune_is_forbidden(personas, api_for):
    r = post(api_for(personas.officer_b), URL, body())
    assert r.status_code == 403
    assert Child.objects.count() == 0


def test_create_forbidden_for_roles_without_registration_and_anonymous(personas, api_for):
    assert post(api_for(personas.viewer), URL, body()).status_code == 403
    assert post(api_for(personas.chair_a), URL, body()).status_code == 403
    assert post(Client(), URL, body()).status_code == 401


def test_collaborator_registers(personas, api_for):
    assert post(api_for(personas.collaborator_a), URL, body()).status_code == 201


def test_likely_duplicate_asks_for_a_decision_then_links_or_confirms(personas, api_for):
    existing = ChildFactory(person__full_name="Lò Thị Huyền Trang", person__sex="F",
                            person__date_of_birth=date(2013, 4, 9))  # fmt: skip
    api = api_for(personas.officer_a)
    r = post(api, URL, body(full_name="Lo Thi Huyen Trang", date_of_birth="2013-09-04"))
    assert r.status_code == 409 and r.json()["error"] == "possible_duplicate"
    assert r.json()["detail"]["candidates"][0]["id"] == existing.pk
    assert Child.objects.count() == 1
    linked = post(api, URL, body(decision="linked", link_to=existing.pk))
    assert linked.status_code == 200 and linked.json()["id"] == existing.pk
    assert Child.objects.count() == 1
    assert RegistrationDecision.objects.get(child=existing).decision == "linked"
    confirmed = post(api, URL, body(decision="new"))
    assert confirmed.status_code == 201
    new = RegistrationDecision.objects.get(child_id=confirmed.json()["id"])
    assert new.decision == "new" and new.candidates[0]["id"] == existing.pk


def test_link_to_a_child_out_of_scope_is_404(personas, api_for, units):
    other = ChildFactory(admin_unit=units.commune_b)
    r = post(api_for(personas.officer_a), URL, body(decision="linked", link_to=other.pk))
    assert r.status_code == 404


def test_get_child_allowed_audited_and_404_elsewhere(personas, api_for):
    child = ChildFactory(person__full_name="Nguyễn Văn An")
    r = api_for(personas.officer_a).get(f"{URL}/{child.pk}")
    assert r.status_code == 200 and r.json()["full_name"] == "Nguyễn Văn An"
    assert AuditEvent.objects.filter(
        action="view", object_type="registry.child", object_id=str(child.pk)
    ).exists()
    assert api_for(personas.officer_b).get(f"{URL}/{child.pk}").status_code == 404
    assert api_for(personas.viewer).get(f"{URL}/{child.pk}").status_code == 404
    assert api_for(personas.system_admin).get(f"{URL}/{child.pk}").status_code == 404
    assert Client().get(f"{URL}/{child.pk}").status_code == 401
    assert api_for(personas.officer_a).get(f"{URL}/999999").status_code == 404


def test_sensitive_group_hidden_from_collaborator_shown_and_audited_for_officer(personas, api_for):
    child = ChildFactory()
    SpecialCircumstanceFactory(child=child, group="l")
    SpecialCircumstanceFactory(child=child, group="a")
    r = api_for(personas.collaborator_a).get(f"{URL}/{child.pk}")
    assert [c["group"] for c in r.json()["circumstances"]] == ["a"] and r.json()["hidden_facts"] == 1
    r = api_for(personas.officer_a).get(f"{URL}/{child.pk}")
    assert sorted(c["group"] for c in r.json()["circumstances"]) == ["a", "l"]
    event = AuditEvent.objects.filter(
        action="view", object_id=str(child.pk), actor_id=personas.officer_a.pk
    ).get()
    assert event.changes["sensitive_shown"] == ["group:l"]


def test_merged_id_leads_to_the_survivor(personas, api_for):
    survivor = ChildFactory()
    other = ChildFactory(status=ChildStatus.MERGED, merged_into=survivor)
    r = api_for(personas.officer_a).get(f"{URL}/{other.pk}")
    assert r.status_code == 200 and r.json()["id"] == survivor.pk


def test_patch_needs_current_version(personas, api_for):
    child = ChildFactory(person__full_name="Lò Thị Huyền Trang", person__sex="F")
    api = api_for(personas.officer_a)
    r = patch(api, f"{URL}/{child.pk}", {"version": child.version, "full_name": "Lò Thị Trang"})
    assert r.status_code == 200, r.content
    assert r.json()["full_name"] == "Lò Thị Trang" and r.json()["version"] == child.version + 1
    stale = patch(api, f"{URL}/{child.pk}", {"version": child.version, "full_name": "Lò Thị X"})
    assert stale.status_code == 409 and stale.json()["error"] == "conflict"
    assert stale.json()["detail"]["version"] == child.version + 1
    child.person.refresh_from_db()
    assert child.person.full_name == "Lò Thị Trang"
    event = AuditEvent.objects.filter(action="update", object_id=str(child.pk)).get()
    assert event.changes["full_name"] == ["Lò Thị Huyền Trang", "Lò Thị Trang"]


def test_patch_forbidden(personas, api_for):
    child = ChildFactory()
    data = {"version": child.version, "full_name": "Lê Văn Tám"}
    assert patch(api_for(personas.officer_b), f"{URL}/{child.pk}", data).status_code == 404
    assert patch(api_for(personas.collaborator_a), f"{URL}/{child.pk}", data).status_code == 403
    assert patch(api_for(personas.chair_a), f"{URL}/{child.pk}", data).status_code == 403
    assert patch(Client(), f"{URL}/{child.pk}", data).status_code == 401


def test_patch_masks_the_id_number_in_the_trail(personas, api_for):
    child = ChildFactory(person__sex="M", person__date_of_birth=date(2016, 5, 4))
    r = patch(api_for(personas.officer_a), f"{URL}/{child.pk}", {"version": 1, "id_number": "022216001234"})
    assert r.status_code == 200, r.content
    event = AuditEvent.objects.filter(action="update", object_id=str(child.pk)).get()
    assert event.changes["id_number"] == ["***", "***"]


def test_list_search_without_diacritics_scoped_and_audited(personas, api_for, units):
    a = ChildFactory(person__full_name="Lò Thị Huyền Trang")
    ChildFactory(admin_unit=units.commune_b, person__full_name="Lò Thị Huyền Trang")
    r = api_for(personas.officer_a).get(URL, {"q": "lo thi huyen trang"})
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["items"]] == [a.pk] and r.json()["count"] == 1
    assert AuditEvent.objects.filter(action="view", object_id="list", actor_id=personas.officer_a.pk).exists()
    r = api_for(personas.officer_b).get(URL, {"q": "lo thi huyen trang"})
    assert a.pk not in [c["id"] for c in r.json()["items"]]
    assert api_for(personas.viewer).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401


def test_list_filters_by_commune_and_group(personas, api_for, units):
    a = ChildFactory()
    ChildFactory()
    SpecialCircumstanceFactory(child=a, group="d")
    api = api_for(personas.province_officer)
    ChildFactory(admin_unit=units.commune_b)
    assert api.get(URL, {"commune": "06862"}).json()["count"] == 1
    assert [c["id"] for c in api.get(URL, {"group": "d"}).json()["items"]] == [a.pk]
    paged = api.get(URL, {"limit": 1, "offset": 1}).json()
    assert len(paged["items"]) == 1 and paged["count"] == 3


def test_match_returns_likely_candidates_in_scope_only(personas, api_for, units):
    a = ChildFactory(
        person__full_name="Lò Thị Huyền Trang", person__sex="F", person__date_of_birth=date(2013, 4, 9)
    )
    variant = body(full_name="Lo Thi Huyen Trang", date_of_birth="2013-09-04")
    r = post(api_for(personas.officer_a), f"{URL}/match", variant)
    assert r.status_code == 200
    found = {c["id"]: c for c in r.json()["candidates"]}
    assert found[a.pk]["level"] == "likely" and found[a.pk]["reasons"]
    assert AuditEvent.objects.filter(action="view", object_id="match").exists()
    r = post(api_for(personas.officer_b), f"{URL}/match", variant)
    assert a.pk not in [c["id"] for c in r.json()["candidates"]]
    assert post(api_for(personas.viewer), f"{URL}/match", variant).status_code == 403
    assert post(Client(), f"{URL}/match", variant).status_code == 401


def test_add_circumstance(personas, api_for):
    child = ChildFactory()
    url = f"{URL}/{child.pk}/circumstances"
    r = post(api_for(personas.officer_a), url, {"group": "l", "start": "2025-01-02"})
    assert r.status_code == 201 and r.json()["group"] == "l"
    event = AuditEvent.objects.filter(action="create", object_type="registry.specialcircumstance").get()
    assert event.changes["group"] == "***" and event.changes["sensitive"] is True
    assert post(api_for(personas.officer_a), url, {"group": "z", "start": "2025-01-02"}).status_code == 422
    assert post(api_for(personas.officer_b), url, {"group": "a", "start": "2025-01-02"}).status_code == 404
    assert (
        post(api_for(personas.collaborator_a), url, {"group": "a", "start": "2025-01-02"}).status_code == 403
    )
    assert post(Client(), url, {"group": "a", "start": "2025-01-02"}).status_code == 401


def test_counts_route(personas, api_for, units):
    child = ChildFactory()
    SpecialCircumstanceFactory(child=child, group="a")
    r = api_for(personas.viewer).get(f"{URL}/counts", {"unit": "06688"})
    assert r.status_code == 200, r.content
    assert r.json()["children"] == 1 and r.json()["by_group"]["a"] == 1
    assert api_for(personas.officer_b).get(f"{URL}/counts", {"unit": "06688"}).status_code == 404
    assert api_for(personas.hotline).get(f"{URL}/counts", {"unit": "06688"}).status_code == 403


def test_routes_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("", "/match", "/counts", "/{child_id}", "/{child_id}/circumstances"):
        assert f"{URL}{path}" in paths


def test_end_circumstance(personas, api_for):
    child = ChildFactory()
    row = SpecialCircumstanceFactory(child=child, group="a", start_date=date(2024, 1, 1))
    hidden = SpecialCircumstanceFactory(child=child, group="l", start_date=date(2024, 1, 1))
    url = f"{URL}/{child.pk}/circumstances/{row.pk}/end"
    assert post(api_for(personas.officer_b), url, {"end": "2024-05-01"}).status_code == 404
    assert post(api_for(personas.collaborator_a), url, {"end": "2024-05-01"}).status_code == 403
    assert post(Client(), url, {"end": "2024-05-01"}).status_code == 401
    assert post(api_for(personas.officer_a), url, {"end": "2023-05-01"}).status_code == 422
    r = post(api_for(personas.officer_a), url, {"end": "2024-05-01"})
    assert r.status_code == 200 and r.json()["end"] == "2024-05-01"
    assert AuditEvent.objects.filter(
        object_type="registry.specialcircumstance", object_id=str(row.pk)
    ).exists()
    other = ChildFactory()
    wrong_child = f"{URL}/{other.pk}/circumstances/{hidden.pk}/end"
    assert post(api_for(personas.officer_a), wrong_child, {"end": "2024-05-01"}).status_code == 404


def test_add_risk(personas, api_for):
    child = ChildFactory()
    url = f"{URL}/{child.pk}/risks"
    r = post(api_for(personas.case_manager), url, {"risk_type": "neglect", "start": "2024-01-01"})
    assert r.status_code == 201 and r.json()["risk_type"] == "neglect"
    assert AuditEvent.objects.filter(
        object_type="registry.riskflag", actor_id=personas.case_manager.pk
    ).exists()
    assert (
        post(api_for(personas.officer_a), url, {"risk_type": "x", "start": "2024-01-01"}).status_code == 422
    )
    assert (
        post(api_for(personas.officer_b), url, {"risk_type": "neglect", "start": "2024-01-01"}).status_code
        == 404
    )
    assert (
        post(api_for(personas.hotline), url, {"risk_type": "neglect", "start": "2024-01-01"}).status_code
        == 403
    )
    assert post(Client(), url, {"risk_type": "neglect", "start": "2024-01-01"}).status_code == 401


def test_move_hands_the_child_to_the_new_commune(personas, api_for):
    child = ChildFactory()
    url = f"{URL}/{child.pk}/move"
    assert post(api_for(personas.officer_b), url, {"version": 1, "commune": "06862"}).status_code == 404
    assert post(api_for(personas.chair_a), url, {"version": 1, "commune": "06862"}).status_code == 403
    assert post(Client(), url, {"version": 1, "commune": "06862"}).status_code == 401
    assert post(api_for(personas.officer_a), url, {"version": 7, "commune": "06862"}).status_code == 409
    r = post(api_for(personas.officer_a), url, {"version": 1, "commune": "06862"})
    assert r.status_code == 200 and r.json()["commune"] == "06862" and r.json()["version"] == 2
    assert api_for(personas.officer_a).get(f"{URL}/{child.pk}").status_code == 404
    assert api_for(personas.officer_b).get(f"{URL}/{child.pk}").status_code == 200
    assert AuditEvent.objects.filter(object_id=str(child.pk), changes__admin_unit=["06688", "06862"]).exists()


def test_merge(personas, api_for, units):
    survivor, other = ChildFactory(), ChildFactory()
    SpecialCircumstanceFactory(child=other, group="d")
    url = f"{URL}/{survivor.pk}/merge"
    elsewhere = ChildFactory(admin_unit=units.commune_b)
    assert post(api_for(personas.officer_a), url, {"other": elsewhere.pk}).status_code == 404
    assert post(api_for(personas.officer_b), url, {"other": other.pk}).status_code == 404
    assert post(api_for(personas.case_manager), url, {"other": other.pk}).status_code == 403
    assert post(Client(), url, {"other": other.pk}).status_code == 401
    r = post(api_for(personas.officer_a), url, {"other": other.pk})
    assert r.status_code == 200 and [c["group"] for c in r.json()["circumstances"]] == ["d"]
    assert api_for(personas.officer_a).get(f"{URL}/{other.pk}").json()["id"] == survivor.pk
    assert post(api_for(personas.officer_a), url, {"other": other.pk}).status_code == 422
    assert AuditEvent.objects.filter(object_id=str(other.pk), changes__merged_into=survivor.pk).exists()
