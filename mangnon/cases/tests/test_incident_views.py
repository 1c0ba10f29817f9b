"""The incident pages: allowed, forbidden (other commune → 404, roles that do not read cases → 403,
anonymous → login) and audited, for every view; the counts at the top; the export opened back; the
legal track's order errors on the page; optimistic concurrency when editing."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from mangnon.cases import incident_exporting
from mangnon.cases.codes import LegalStepKind as K
from mangnon.cases.models import Incident, LegalStep, Perpetrator
from mangnon.cases.tests.factories_incidents import (
    IncidentChildFactory,
    IncidentFactory,
    LegalStepFactory,
    PerpetratorFactory,
)
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.core.navigation import items_for
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

LIST = "/cases/incidents/"
NEW = "/cases/incidents/new/"
INJECTED = '=HYPERLINK("http://evil.example","bấm")'


@pytest.fixture
def incident_a(units):
    """Commune A: two children, two perpetrators, the father prosecuted and the uncle sanctioned."""
    incident = IncidentFactory(
        admin_unit=units.commune_a,
        occurred_on=date(2026, 3, 10),
        forms=["physical", "sexual"],
        place_text=INJECTED,
    )
    IncidentChildFactory(incident=incident, child__person__full_name="Nguyễn Thị Lan", child__person__sex="F")
    IncidentChildFactory(incident=incident, child__person__full_name="Nguyễn Văn Nam", child__person__sex="M")
    father = PerpetratorFactory(incident=incident, relationship="parent")
    uncle = PerpetratorFactory(incident=incident, relationship="relative")
    LegalStepFactory(incident=incident, kind=K.CRIMINAL_CASE, on=date(2026, 3, 20))
    LegalStepFactory(incident=incident, perpetrator=father, kind=K.ACCUSED, on=date(2026, 4, 1))
    LegalStepFactory(incident=incident, perpetrator=uncle, kind=K.ADMINISTRATIVE, on=date(2026, 4, 2))
    return incident


@pytest.fixture
def incident_b(units):
    incident = IncidentFactory(admin_unit=units.commune_b, occurred_on=date(2026, 2, 1), setting="school")
    IncidentChildFactory(incident=incident)
    return incident


def _detail(incident):
    return f"/cases/incidents/{incident.pk}/"


def test_url_names():
    assert reverse("incidents:list") == LIST
    assert reverse("incidents:record") == NEW
    assert reverse("incidents:detail", args=[7]) == "/cases/incidents/7/"
    assert reverse("incidents:edit", args=[7]) == "/cases/incidents/7/edit/"
    assert reverse("incidents:export", args=["xlsx"]) == "/cases/incidents/export.xlsx"
    assert reverse("incidents:legal_step_add", args=[7]) == "/cases/incidents/7/legal-steps/"


def test_menu_entry_only_for_roles_that_read_cases(personas, client_for):
    client_for(personas.officer_a).get(LIST)  # the URLconf (and so the entry) is loaded

    def keys(user):
        return [i["key"] for i in items_for(user)]

    for user in (personas.officer_a, personas.chair_a, personas.province_officer, personas.case_manager):
        assert "incidents" in keys(user)
    for user in (personas.hotline, personas.collaborator_a, personas.viewer, personas.system_admin):
        assert "incidents" not in keys(user)


# --- register ----------------------------------------------------------------------------------------


def test_register_shows_own_incidents_with_counts_and_is_audited(
    personas, client_for, incident_a, incident_b
):
    response = client_for(personas.officer_a).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-incident-id="{incident_a.pk}"' in html
    assert f'data-incident-id="{incident_b.pk}"' not in html  # commune B
    for name, value in (
        ("incidents", 1), ("children", 2), ("perpetrators", 2), ("prosecuted_incidents", 1),
        ("accused_persons", 1), ("administrative_incidents", 1), ("administrative_persons", 1),
    ):  # fmt: skip
        assert f'data-count="{name}">{value}<' in html
    assert "Hạ Long" in html and "10/03/2026" in html
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="cases.incident").last()
    assert event.changes["shown"] == [incident_a.pk]


def test_register_filters(personas, client_for, incident_a, units):
    other = IncidentFactory(admin_unit=units.legacy_a, occurred_on=date(2024, 6, 1), setting="school")
    client = client_for(personas.officer_a)
    html = client.get(LIST, {"setting": "school"}).content.decode()
    assert f'data-incident-id="{other.pk}"' in html and f'data-incident-id="{incident_a.pk}"' not in html
    html = client.get(LIST, {"start": "01/01/2026", "end": "31/12/2026", "form": "sexual"}).content.decode()
    assert f'data-incident-id="{incident_a.pk}"' in html and f'data-incident-id="{other.pk}"' not in html
    html = client.get(LIST, {"commune": str(units.legacy_a.pk)}).content.decode()
    assert f'data-incident-id="{other.pk}"' in html and f'data-incident-id="{incident_a.pk}"' not in html
    assert 'data-count="incidents">1<' in html
    response = client.get(LIST, {"start": "31/12/2026", "end": "01/01/2026"})
    assert response.status_code == 400 and "data-form-errors" in response.content.decode()
    assert client.get(LIST, {"commune": str(units.commune_b.pk)}).status_code == 400  # not a choice


def test_register_forbidden_for_roles_that_do_not_read_cases_and_anonymous(personas, client_for, client):
    for who in ("hotline", "collaborator_a", "viewer", "system_admin"):
        assert client_for(getattr(personas, who)).get(LIST).status_code == 403
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# --- export ------------------------------------------------------------------------------------------


def test_export_xlsx_opened_back_in_scope_and_safe(personas, client_for, incident_a, incident_b):
    response = client_for(personas.officer_a).get(reverse("incidents:export", args=["xlsx"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    with translation.override("vi"):
        assert rows[0] == incident_exporting.headings()
    assert len(rows) == 2  # not commune B's
    row = rows[1]
    assert row[0] == incident_a.pk and row[1].date() == date(2026, 3, 10) and row[3] == "06688"
    assert row[4] == INJECTED and sheet.cell(row=2, column=5).data_type == "s"  # text, never a formula
    assert row[7] == 2 and row[8] == 2 and row[11] == 1 and row[13] == 1
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="cases.incident")
    assert event.changes == {"format": "xlsx", "filters": {}, "rows": 1}


def test_export_csv_with_the_register_filters(personas, client_for, incident_a, units):
    IncidentFactory(admin_unit=units.commune_a, occurred_on=date(2025, 1, 5))
    response = client_for(personas.officer_a).get(
        reverse("incidents:export", args=["csv"]), {"start": "01/01/2026", "form": "sexual"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == str(incident_a.pk) and rows[1][1] == "10/03/2026"
    assert rows[1][4] == "'" + INJECTED
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="cases.incident")
    assert (
        event.changes["filters"] == {"start": "2026-01-01", "form": "sexual"} and event.changes["rows"] == 1
    )


def test_export_forbidden(personas, client_for, client, incident_a):
    url = reverse("incidents:export", args=["xlsx"])
    assert client_for(personas.collaborator_a).get(url).status_code == 403
    assert client_for(personas.hotline).get(url).status_code == 403
    assert client_for(personas.officer_a).get(reverse("incidents:export", args=["pdf"])).status_code == 404
    assert client.get(url).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


# --- incident page -----------------------------------------------------------------------------------


def test_incident_page_shows_victims_perpetrators_and_legal_track_and_is_audited(
    personas, client_for, incident_a
):
    response = client_for(personas.officer_a).get(_detail(incident_a))
    assert response.status_code == 200
    html = response.content.decode()
    for link in incident_a.victims.all():
        assert f"/children/{link.child_id}/" in html  # linked to the child's record
    assert "Nguyễn Thị Lan" in html and html.count("data-perpetrator=") == 2
    assert 'data-step="accused"' in html and 'data-step="administrative"' in html
    assert "data-add-step" in html and "data-edit" in html
    event = AuditEvent.objects.get(
        action=AuditAction.VIEW, object_type="cases.incident", object_id=str(incident_a.pk)
    )
    assert sorted(event.changes["victims"]) == sorted(incident_a.victims.values_list("child_id", flat=True))


def test_incident_page_for_the_chair_reads_but_offers_no_forms(personas, client_for, incident_a):
    html = client_for(personas.chair_a).get(_detail(incident_a)).content.decode()
    assert "Nguyễn Thị Lan" in html and "data-add-step" not in html and "data-edit" not in html


def test_incident_page_forbidden(personas, client_for, client, incident_a):
    assert client_for(personas.officer_b).get(_detail(incident_a)).status_code == 404
    assert client_for(personas.hotline).get(_detail(incident_a)).status_code == 403
    assert client_for(personas.collaborator_a).get(_detail(incident_a)).status_code == 403
    assert client_for(personas.officer_a).get("/cases/incidents/999999/").status_code == 404
    assert client.get(_detail(incident_a)).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="cases.incident").exists()


# --- record ------------------------------------------------------------------------------------------


def _post_record(client, victims, **extra):
    data = {
        "occurred_on": "10/03/2026",
        "admin_unit": "",
        "forms": ["physical", "emotional"],
        "setting": "family",
        "place_text": "Tổ 3, khu 5",
        "description": "Bị đánh",
        "victims": victims,
        "submission": "s-1",
        "perp-TOTAL_FORMS": "3",
        "perp-INITIAL_FORMS": "0",
        "perp-MIN_NUM_FORMS": "0",
        "perp-MAX_NUM_FORMS": "20",
        "perp-0-relationship": "parent",
        "perp-0-sex": "M",
        "perp-0-age": "41",
    }
    data.update(extra)
    return client.post(NEW, data)


def test_record_form_records_and_redirects(personas, client_for, units):
    child = ChildFactory(admin_unit=units.commune_a)
    client = client_for(personas.officer_a)
    form = client.get(NEW, {"child": str(child.pk)})
    assert form.status_code == 200 and f'value="{child.pk}"' in form.content.decode()
    response = _post_record(client, str(child.pk), admin_unit=str(units.commune_a.pk))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(incident)
    assert incident.forms == ["physical", "emotional"]
    assert list(Perpetrator.objects.values_list("relationship", "age")) == [("parent", 41)]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="cases.incident").count() == 1
    # The same opened form sent twice records one incident.
    again = _post_record(client, str(child.pk), admin_unit=str(units.commune_a.pk))
    assert again.status_code == 302 and Incident.objects.count() == 1


def test_record_form_errors_beside_the_fields(personas, client_for, units):
    child_b = ChildFactory(admin_unit=units.commune_b)
    client = client_for(personas.officer_a)
    response = _post_record(client, "abc", admin_unit=str(units.commune_a.pk))
    assert response.status_code == 400 and "data-incident-errors" in response.content.decode()
    response = _post_record(client, str(child_b.pk), admin_unit=str(units.commune_a.pk))
    assert response.status_code == 400 and str(child_b.pk) in response.content.decode()
    response = _post_record(client, "1", admin_unit=str(units.commune_b.pk))  # not a commune of theirs
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_record_form_forbidden(personas, client_for, client):
    for who in ("chair_a", "hotline", "collaborator_a", "viewer"):
        assert client_for(getattr(personas, who)).get(NEW).status_code == 403
    assert client.get(NEW).status_code == 302


# --- edit --------------------------------------------------------------------------------------------


def _edit_data(incident, **extra):
    data = {
        "occurred_on": "10/03/2026",
        "admin_unit": str(incident.admin_unit_id),
        "forms": ["physical"],
        "setting": "community",
        "place_text": "Chợ",
        "description": "",
        "version": str(incident.version),
    }
    data.update(extra)
    return data


def test_edit_saves_and_a_stale_version_gets_409_keeping_the_input(personas, client_for, incident_a):
    client = client_for(personas.officer_a)
    url = f"/cases/incidents/{incident_a.pk}/edit/"
    assert client.get(url).status_code == 200
    assert client.post(url, _edit_data(incident_a)).status_code == 302
    assert Incident.objects.get(pk=incident_a.pk).setting == "community"
    response = client.post(url, _edit_data(incident_a, setting="school"))  # version 1 again: stale
    assert response.status_code == 409 and "data-stale" in response.content.decode()
    assert Incident.objects.get(pk=incident_a.pk).setting == "community"
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(incident_a.pk)).count() == 1


def test_edit_forbidden(personas, client_for, incident_a):
    url = f"/cases/incidents/{incident_a.pk}/edit/"
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.chair_a).get(url).status_code == 403
    assert client_for(personas.chair_a).post(url, _edit_data(incident_a)).status_code == 403
    assert Incident.objects.get(pk=incident_a.pk).version == 1


# --- victims, perpetrators, legal track --------------------------------------------------------------


def test_add_victim_and_perpetrator_from_the_page(personas, client_for, incident_a, units):
    client = client_for(personas.officer_a)
    child = ChildFactory(admin_unit=units.commune_a)
    response = client.post(f"/cases/incidents/{incident_a.pk}/victims/", {"child": str(child.pk)})
    assert response.status_code == 302 and incident_a.victims.filter(child=child).exists()
    response = client.post(
        f"/cases/incidents/{incident_a.pk}/perpetrators/",
        {"perpetrator-relationship": "teacher", "perpetrator-sex": "F", "perpetrator-age": "30"},
    )
    assert response.status_code == 302 and incident_a.perpetrators.filter(relationship="teacher").exists()
    assert client_for(personas.officer_b).post(
        f"/cases/incidents/{incident_a.pk}/victims/", {"child": str(child.pk)}
    ).status_code == 404  # fmt: skip
    assert client_for(personas.chair_a).post(
        f"/cases/incidents/{incident_a.pk}/perpetrators/", {"perpetrator-relationship": "parent"}
    ).status_code == 403  # fmt: skip
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(incident_a.pk)).count() == 2


def test_legal_step_from_the_page_and_its_order_error(personas, client_for, incident_a):
    client = client_for(personas.officer_a)
    url = f"/cases/incidents/{incident_a.pk}/legal-steps/"
    father = incident_a.perpetrators.get(relationship="parent")
    uncle = incident_a.perpetrators.get(relationship="relative")
    response = client.post(url, {"kind": "tried", "on": "01/08/2026", "perpetrator": str(father.pk)})
    assert response.status_code == 302
    response = client.post(url, {"kind": "sentenced", "on": "02/08/2026", "perpetrator": str(uncle.pk)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-step-errors" in html and "data-legal-track" in html
    assert not LegalStep.objects.filter(kind=K.SENTENCED).exists()
    assert client_for(personas.chair_a).post(url, {"kind": "reported", "on": "11/03/2026"}).status_code == 403
    assert (
        client_for(personas.officer_b).post(url, {"kind": "reported", "on": "11/03/2026"}).status_code == 404
    )
    events = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="cases.legalstep")
    assert [e.changes["kind"] for e in events] == ["tried"]
