"""The incidents API: allowed, forbidden (other commune → 404, roles that do not read cases → 403,
anonymous → 401), audited; create with an Idempotency-Key; the legal track's order errors; counts."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from mangnon.cases.codes import LegalStepKind as K
from mangnon.cases.models import Incident, LegalStep
from mangnon.cases.tests.factories_incidents import (
    IncidentChildFactory,
    IncidentFactory,
    LegalStepFactory,
    PerpetratorFactory,
)
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents"


def post(client: Client, url: str, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def incident_a(units):
    incident = IncidentFactory(admin_unit=units.commune_a, occurred_on=date(2026, 3, 10), forms=["sexual"])
    IncidentChildFactory(incident=incident, child__person__sex="F")
    IncidentChildFactory(incident=incident, child__person__sex="M")
    father = PerpetratorFactory(incident=incident, relationship="parent")
    uncle = PerpetratorFactory(incident=incident, relationship="relative", sex="M")
    LegalStepFactory(incident=incident, kind=K.CRIMINAL_CASE, on=date(2026, 3, 20))
    LegalStepFactory(incident=incident, perpetrator=father, kind=K.ACCUSED, on=date(2026, 4, 1))
    LegalStepFactory(incident=incident, perpetrator=uncle, kind=K.ADMINISTRATIVE, on=date(2026, 4, 2))
    return incident


@pytest.fixture
def incident_b(units):
    incident = IncidentFactory(admin_unit=units.commune_b, occurred_on=date(2026, 2, 1))
    IncidentChildFactory(incident=incident)
    return incident


def _body(child_ids, **over):
    data = {
        "occurred_on": "2026-03-10",
        "commune": "06688",
        "forms": ["physical"],
        "setting": "family",
        "place_text": "Tổ 3",
        "victims": child_ids,
        "perpetrators": [{"relationship": "parent", "sex": "M", "age": 40}],
    }
    return {**data, **over}


# --- list and one incident ---------------------------------------------------------------------------


def test_list_in_scope_filtered_and_audited(personas, api_for, incident_a, incident_b, units):
    api = api_for(personas.officer_a)
    r = api.get(URL)
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 1 and [i["id"] for i in data["items"]] == [incident_a.pk]
    item = data["items"][0]
    assert (item["victims"], item["perpetrators"], item["prosecuted"], item["sanctioned"]) == (
        2,
        2,
        True,
        True,
    )
    assert item["commune"] == "06688" and item["latest_step"] == "administrative"
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="cases.incident", object_id="list")
    assert event.changes["shown"] == [incident_a.pk]
    assert api.get(URL, {"start": "2026-04-01"}).json()["count"] == 0
    assert api.get(URL, {"unit": "06688", "end": "2026-12-31"}).json()["count"] == 1
    province = api_for(personas.province_officer).get(URL, {"unit": "22"}).json()
    assert province["count"] == 2
    assert api.get(URL, {"unit": "99999"}).status_code == 422


def test_list_forbidden(personas, api_for, incident_a):
    for who in ("hotline", "collaborator_a", "viewer"):
        r = api_for(getattr(personas, who)).get(URL)
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert api_for(personas.officer_b).get(URL).json()["count"] == 0
    assert Client().get(URL).status_code == 401


def test_get_one_with_victims_perpetrators_and_legal_track_audited(personas, api_for, incident_a):
    r = api_for(personas.chair_a).get(f"{URL}/{incident_a.pk}")
    assert r.status_code == 200
    data = r.json()
    assert data["forms"] == ["sexual"] and data["province"] == "22" and data["version"] == 1
    assert len(data["victims"]) == 2 and len(data["perpetrators"]) == 2
    assert [s["kind"] for s in data["legal_steps"]] == ["criminal_case", "accused", "administrative"]
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(incident_a.pk))
    assert sorted(event.changes["victims"]) == sorted(v["child"] for v in data["victims"])


def test_get_one_forbidden(personas, api_for, incident_a):
    assert api_for(personas.officer_b).get(f"{URL}/{incident_a.pk}").status_code == 404
    assert api_for(personas.hotline).get(f"{URL}/{incident_a.pk}").status_code == 404
    assert api_for(personas.collaborator_a).get(f"{URL}/{incident_a.pk}").status_code == 404
    assert api_for(personas.officer_a).get(f"{URL}/999999").status_code == 404
    assert Client().get(f"{URL}/{incident_a.pk}").status_code == 401
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="cases.incident").exists()


# --- create ------------------------------------------------------------------------------------------


def test_create_with_idempotency_key_once(personas, api_for, units):
    child = ChildFactory(admin_unit=units.commune_a)
    api = api_for(personas.officer_a)
    r1 = post(api, URL, _body([child.pk]), **{"Idempotency-Key": "i-1"})
    assert r1.status_code == 201, r1.content
    data = r1.json()
    assert data["victims"] == [{"child": child.pk, "case": None}] and data["perpetrators"][0]["age"] == 40
    r2 = post(api, URL, _body([child.pk]), **{"Idempotency-Key": "i-1"})
    assert r2.status_code == 200 and r2.json()["id"] == data["id"]
    assert Incident.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="cases.incident").count() == 1
    r3 = post(api, URL, _body([child.pk], setting="school"), **{"Idempotency-Key": "i-1"})
    assert r3.status_code == 422 and r3.json()["error"] == "idempotency_key_reused"


def test_create_at_a_pre_reform_commune_by_its_code_on_the_day(personas, api_for, units):
    child = ChildFactory(admin_unit=units.commune_a)
    r = post(
        api_for(personas.officer_a),
        URL,
        _body([child.pk], occurred_on="2020-05-01", commune=units.legacy_a.code),
    )
    assert r.status_code == 201, r.content
    assert r.json()["commune"] == units.legacy_a.code
    assert Incident.objects.get().admin_unit == units.legacy_a


def test_create_bad_input_is_422_in_plain_words_and_writes_nothing(personas, api_for, units):
    child_b = ChildFactory(admin_unit=units.commune_b)
    api = api_for(personas.officer_a)
    r = post(api, URL, _body([child_b.pk], forms=[]))
    assert r.status_code == 422 and r.json()["error"] == "invalid"
    assert "forms" in r.json()["detail"]
    r = post(api, URL, _body([child_b.pk]))
    assert r.status_code == 422 and "victims" in r.json()["detail"]
    r = post(api, URL, _body([1], commune="00000"))
    assert r.status_code == 422 and "commune" in r.json()["detail"]
    assert not Incident.objects.exists()


def test_create_forbidden(personas, api_for, units):
    child = ChildFactory(admin_unit=units.commune_a)
    for who in ("chair_a", "hotline", "collaborator_a", "viewer"):
        assert post(api_for(getattr(personas, who)), URL, _body([child.pk])).status_code == 403
    assert post(api_for(personas.officer_b), URL, _body([child.pk])).status_code == 403
    assert post(Client(), URL, _body([child.pk])).status_code == 401
    assert not Incident.objects.exists()


# --- legal track -------------------------------------------------------------------------------------


def test_legal_step_added_and_order_error_explained(personas, api_for, incident_a):
    api = api_for(personas.officer_a)
    url = f"{URL}/{incident_a.pk}/legal-steps"
    uncle = incident_a.perpetrators.get(relationship="relative")
    r = post(api, url, {"kind": "sentenced", "on": "2026-05-01", "perpetrator": uncle.pk})
    assert r.status_code == 422 and "kind" in r.json()["detail"]
    r = post(api, url, {"kind": "accused", "on": "2026-05-01"})
    assert r.status_code == 422 and "perpetrator" in r.json()["detail"]
    r = post(api, url, {"kind": "accused", "on": "2026-05-01", "perpetrator": uncle.pk, "detail": "Điều 146"})
    assert r.status_code == 201 and r.json()["perpetrator"] == uncle.pk
    other = PerpetratorFactory()
    r = post(api, url, {"kind": "administrative", "on": "2026-05-01", "perpetrator": other.pk})
    assert r.status_code == 422
    assert LegalStep.objects.filter(incident=incident_a).count() == 4
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="cases.legalstep").count() == 1


def test_legal_step_forbidden(personas, api_for, incident_a):
    url = f"{URL}/{incident_a.pk}/legal-steps"
    step = {"kind": "reported", "on": "2026-03-11"}
    assert post(api_for(personas.officer_b), url, step).status_code == 404
    assert post(api_for(personas.chair_a), url, step).status_code == 403
    assert post(Client(), url, step).status_code == 401
    assert not LegalStep.objects.filter(kind=K.REPORTED).exists()


# --- counts ------------------------------------------------------------------------------------------


def test_counts_in_the_shape_of_the_sources(personas, api_for, incident_a, incident_b):
    r = api_for(personas.viewer).get(
        f"{URL}/counts", {"unit": "22", "start": "2026-01-01", "end": "2026-12-31"}
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["unit"] == "22" and data["start"] == "2026-01-01"
    assert (data["incidents"], data["children"], data["perpetrators"]) == (2, 3, 2)
    assert (data["prosecuted_incidents"], data["accused_persons"]) == (1, 1)
    assert (data["administrative_incidents"], data["administrative_persons"]) == (1, 1)
    assert data["incidents_by_form"]["sexual"] == 1 and data["children_by_sex"]["F"] == 1
    commune = api_for(personas.officer_a).get(f"{URL}/counts", {"unit": "06688", "end": "2026-12-31"}).json()
    assert commune["incidents"] == 1 and commune["start"] == "2026-01-01"  # the year of `end` by default
    assert not AuditEvent.objects.filter(object_type="cases.incident").exists()  # aggregate: not audited


def test_counts_forbidden(personas, api_for):
    assert api_for(personas.officer_b).get(f"{URL}/counts", {"unit": "06688"}).status_code == 404
    assert api_for(personas.hotline).get(f"{URL}/counts", {"unit": "22"}).status_code == 403
    assert api_for(personas.collaborator_a).get(f"{URL}/counts", {"unit": "06688"}).status_code == 403
    assert api_for(personas.viewer).get(f"{URL}/counts", {"unit": "99999"}).status_code == 404
    bad = api_for(personas.viewer).get(
        f"{URL}/counts", {"unit": "22", "start": "2026-05-01", "end": "2026-01-01"}
    )
    assert bad.status_code == 422
    assert Client().get(f"{URL}/counts", {"unit": "22"}).status_code == 401
