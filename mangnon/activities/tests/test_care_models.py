"""Care models: services (validation, scope, 409, idempotency, end), pages (list, form, page: allowed,
forbidden, not audited as they name no one) and the API (/api/v1/care-models)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from mangnon.activities import club_services
from mangnon.activities.models import CareModel
from mangnon.activities.tests.factories import CareModelFactory
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.tests.factories import OrganisationFactory, other_province_commune

pytestmark = pytest.mark.django_db

LIST = "/activities/care-models/"
NEW = "/activities/care-models/new/"
API = "/api/v1/care-models"


def _fields(unit, **over):
    data = {
        "kind": "deaf_class",
        "name": "Lớp học đặc biệt cho trẻ khiếm thính",
        "admin_unit": unit,
        "organisation": None,
        "start_date": date(2020, 9, 1),
        "end_date": None,
        "children_served": 24,
        "description": "",
    }
    return {**data, **over}


# --- services ----------------------------------------------------------------------------------------


def test_create_audited_and_idempotent(personas, units):
    centre = OrganisationFactory(admin_unit=units.province, kind=OrgKind.SOCIAL_WORK_CENTRE)
    made = club_services.care_model_create(
        actor=personas.officer_a,
        fields=_fields(units.commune_a, organisation=centre.pk),
        idempotency_key="k",
        request_hash="h",
    )
    assert made.created and made.obj.organisation == centre and made.obj.province == units.province
    again = club_services.care_model_create(
        actor=personas.officer_a, fields=_fields(units.commune_a), idempotency_key="k", request_hash="h"
    )
    assert not again.created and again.obj.pk == made.obj.pk and CareModel.objects.count() == 1
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="activities.caremodel")
    assert event.changes["organisation"] == centre.pk


def test_validation_and_scope(personas, units):
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        club_services.care_model_create(
            actor=personas.officer_a,
            fields=_fields(
                units.commune_a,
                kind="x",
                name="",
                start_date=future,
                children_served=-1,
                organisation=999_999,
            ),
        )
    assert set(exc.value.message_dict) == {"kind", "name", "start_date", "children_served", "organisation"}
    with pytest.raises(ValidationError) as exc:
        club_services.care_model_create(
            actor=personas.officer_a, fields=_fields(units.commune_a, end_date=date(2020, 8, 1))
        )
    assert "end_date" in exc.value.message_dict
    far = OrganisationFactory(admin_unit=other_province_commune())
    with pytest.raises(ValidationError) as exc:
        club_services.care_model_create(
            actor=personas.officer_a, fields=_fields(units.commune_a, organisation=far)
        )
    assert "organisation" in exc.value.message_dict
    for actor in (personas.officer_b, personas.chair_a, personas.viewer):
        with pytest.raises(PermissionDenied):
            club_services.care_model_create(actor=actor, fields=_fields(units.commune_a))
    assert not CareModel.objects.exists()


def test_update_version_and_end(personas, units):
    model = CareModelFactory(admin_unit=units.commune_a)
    updated = club_services.care_model_update(
        actor=personas.officer_a, model=model, version=1, changes={"children_served": 30}
    )
    assert updated.version == 2 and updated.children_served == 30
    with pytest.raises(club_services.Conflict):
        club_services.care_model_update(
            actor=personas.officer_a, model=model, version=1, changes={"name": "X"}
        )
    with pytest.raises(PermissionDenied):
        club_services.care_model_update(
            actor=personas.officer_b, model=model, version=2, changes={"name": "X"}
        )
    ended = club_services.care_model_end(
        actor=personas.officer_a, model=updated, version=2, end_date=date(2025, 12, 31)
    )
    assert ended.end_date == date(2025, 12, 31) and ended.version == 3
    with pytest.raises(ValidationError):
        club_services.care_model_end(
            actor=personas.officer_a, model=ended, version=3, end_date=date(2026, 1, 1)
        )
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(model.pk)).count() == 2


# --- pages -------------------------------------------------------------------------------------------


def test_list_scoped_and_filtered(personas, client_for, units):
    a = CareModelFactory(admin_unit=units.commune_a, kind="foster_care")
    b = CareModelFactory(admin_unit=units.commune_b, kind="vocational")
    CareModelFactory(admin_unit=units.commune_b, end_date=date(2021, 1, 1))  # not this year
    r = client_for(personas.officer_a).get(LIST)
    assert r.status_code == 200 and r.context["care_models"] == [a]
    r = client_for(personas.viewer).get(LIST)
    assert {m.pk for m in r.context["care_models"]} == {a.pk, b.pk}
    assert client_for(personas.viewer).get(LIST, {"kind": "vocational"}).context["care_models"] == [b]
    r = client_for(personas.viewer).get(LIST, {"start": "01/01/2020", "end": "31/12/2020"})
    assert len(r.context["care_models"]) == 3
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()
    assert client_for(personas.hotline).get(LIST).status_code == 403
    assert Client().get(LIST).status_code == 302


def test_page_and_form(personas, client_for, units):
    model = CareModelFactory(admin_unit=units.commune_a)
    url = f"/activities/care-models/{model.pk}/"
    r = client_for(personas.chair_a).get(url)
    assert r.status_code == 200 and model.name in r.content.decode() and b"data-edit" not in r.content
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.hotline).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    client = client_for(personas.officer_a)
    assert client.get(NEW).status_code == 200
    data = {
        "submission": uuid.uuid4().hex,
        "kind": "injury_prevention",
        "name": "Mô hình phòng chống tai nạn thương tích",
        "admin_unit": units.commune_a.pk,
        "start_date": "01/03/2021",
        "children_served": "120",
    }
    r = client.post(NEW, data)
    made = CareModel.objects.get(kind="injury_prevention")
    assert r.status_code == 302 and r["Location"] == f"/activities/care-models/{made.pk}/"
    assert client.post(NEW, data).status_code == 302 and CareModel.objects.count() == 2  # double submit
    assert client.post(NEW, {**data, "submission": "x", "end_date": "01/01/2021"}).status_code == 400
    assert client_for(personas.chair_a).get(NEW).status_code == 403
    assert client_for(personas.officer_b).post(NEW, {**data, "submission": "y"}).status_code == 400
    edit = f"/activities/care-models/{made.pk}/edit/"
    assert client.get(edit).status_code == 200
    r = client.post(edit, {**data, "version": "1", "end_date": "31/12/2025"})
    assert r.status_code == 302
    made.refresh_from_db()
    assert made.end_date == date(2025, 12, 31) and made.version == 2
    assert client.post(edit, {**data, "version": "1"}).status_code == 409
    assert client_for(personas.officer_b).get(edit).status_code == 404
    assert client_for(personas.chair_a).get(edit).status_code == 403


# --- API ---------------------------------------------------------------------------------------------


def test_api(personas, api_for, units):
    a = CareModelFactory(admin_unit=units.commune_a)
    CareModelFactory(admin_unit=units.commune_b)
    r = api_for(personas.officer_a).get(API, {"from": "2020-01-01", "to": "2020-12-31"})
    assert r.status_code == 200 and r.json()["count"] == 1 and r.json()["items"][0]["id"] == a.pk
    assert api_for(personas.viewer).get(API).json()["count"] == 2
    assert api_for(personas.officer_a).get(f"{API}/{a.pk}").status_code == 200
    assert api_for(personas.officer_b).get(f"{API}/{a.pk}").status_code == 404
    assert api_for(personas.hotline).get(API).status_code == 403
    assert Client().get(API).status_code == 401
    body = {
        "kind": "foster_care",
        "name": "Nhận chăm sóc thay thế tạm thời",
        "unit": units.commune_a.code,
        "start_date": "2021-01-01",
    }
    client = api_for(personas.officer_a)
    r = client.post(API, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="cm1")
    assert r.status_code == 201, r.content
    again = client.post(API, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="cm1")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert client.post(API, {**body, "kind": "x"}, content_type="application/json").status_code == 422
    assert api_for(personas.officer_b).post(API, body, content_type="application/json").status_code == 403
    assert api_for(personas.viewer).post(API, body, content_type="application/json").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()
