"""Downloading a case's forms: allowed (each role that reads cases), forbidden (another commune, the
hotline counsellor, leadership and collaborators → 404; anonymous → login), a form not reached → 404,
audited (a view of the case and an export, before the file leaves); the case page's section lists the
forms, with PDF only where LibreOffice is installed."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.reports import pdf
from mangnon.reports.tests.conftest import CHILD, text_of

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _url(case, form: str = "01", fmt: str = "docx") -> str:
    return reverse("reports:case_form", args=[case.pk, form, fmt])


def _events(case, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action=action, object_type="cases.case", object_id=str(case.pk)).order_by(
            "pk"
        )
    )


@pytest.fixture
def no_soffice(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)


@pytest.fixture
def fake_soffice(monkeypatch):
    """LibreOffice present, converting every document to a fixed PDF."""
    monkeypatch.setattr(pdf, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(pdf, "docx_to_pdf", lambda content, **kw: b"%PDF-1.7 test")


def test_url():
    assert reverse("reports:case_form", args=[7, "02", "docx"]) == "/reports/cases/7/forms/02.docx"
    assert reverse("reports:case_form", args=[7, "06", "pdf"]) == "/reports/cases/7/forms/06.pdf"


def test_every_form_downloads_as_an_attachment_and_opens(personas, client_for, reviewed):
    client = client_for(personas.officer_a)
    for form in ("01", "02", "03", "04", "05", "06"):
        response = client.get(_url(reviewed, form))
        assert response.status_code == 200, form
        assert response["Content-Type"] == DOCX
        assert response["Content-Disposition"] == f'attachment; filename="Mau{form}_{reviewed.number}.docx"'
        assert response["Cache-Control"] == "no-store"
        assert CHILD in text_of(response.content) and reviewed.number in text_of(response.content)


def test_the_document_is_a4_with_the_decree_margins_in_times_new_roman(personas, client_for, reviewed):
    doc = Document(io.BytesIO(client_for(personas.officer_a).get(_url(reviewed, "02")).content))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25 and 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and all(r.font.name in (None, "Times New Roman") for r in runs)


def test_each_role_that_reads_cases_may_download(personas, client_for, reviewed):
    for user in (personas.officer_a, personas.chair_a, personas.province_officer, personas.case_manager):
        assert client_for(user).get(_url(reviewed, "05")).status_code == 200, user.username


def test_another_commune_and_roles_that_do_not_read_cases_get_404(personas, client_for, reviewed):
    for user in (
        personas.officer_b,
        personas.hotline,  # opens cases, never reads them
        personas.viewer,
        personas.collaborator_a,
        personas.system_admin,
        personas.survey,
    ):
        client = client_for(user)
        for form in ("01", "06"):
            assert client.get(_url(reviewed, form)).status_code == 404, user.username
    assert not _events(reviewed, AuditAction.EXPORT)


def test_anonymous_is_sent_to_login(client, reviewed):
    response = client.get(_url(reviewed))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_form_not_reached_or_unknown_is_404(personas, client_for, opened):
    client = client_for(personas.officer_a)
    assert client.get(_url(opened, "01")).status_code == 200
    for form in ("02", "03", "04", "05", "06"):
        assert client.get(_url(opened, form)).status_code == 404, form
    assert client.get(f"/reports/cases/{opened.pk}/forms/07.docx").status_code == 404
    assert client.get(f"/reports/cases/{opened.pk}/forms/01.odt").status_code == 404
    assert client.get(_url(opened).replace(str(opened.pk), "999999")).status_code == 404


def test_only_get(personas, client_for, opened):
    assert client_for(personas.officer_a).post(_url(opened)).status_code == 405


def test_a_download_is_audited_as_a_view_and_an_export(personas, client_for, reviewed):
    client_for(personas.chair_a).get(_url(reviewed, "05"))
    export = _events(reviewed, AuditAction.EXPORT)
    assert len(export) == 1
    assert export[0].actor_id == personas.chair_a.pk
    assert export[0].unit_id == reviewed.admin_unit_id
    assert export[0].changes["form"] == "05" and export[0].changes["format"] == "docx"
    assert export[0].changes["step_id"] == reviewed.steps.get(form="05").pk
    views = [e for e in _events(reviewed, AuditAction.VIEW) if e.changes.get("page") == "form05"]
    assert len(views) == 1 and views[0].actor_id == personas.chair_a.pk
    # the trail never holds the form's content
    assert CHILD not in str(export[0].changes) and "15/QĐ-UBND" not in str(export[0].changes)


def test_no_audit_for_a_form_not_reached(personas, client_for, opened):
    client_for(personas.officer_a).get(_url(opened, "04"))
    assert not _events(opened, AuditAction.EXPORT)


# --- PDF ---------------------------------------------------------------------------------------------


def test_pdf_is_404_without_libreoffice(personas, client_for, reviewed, no_soffice):
    assert client_for(personas.officer_a).get(_url(reviewed, "01", "pdf")).status_code == 404
    assert not _events(reviewed, AuditAction.EXPORT)


def test_pdf_with_libreoffice(personas, client_for, reviewed, fake_soffice):
    response = client_for(personas.officer_a).get(_url(reviewed, "06", "pdf"))
    assert response.status_code == 200 and response.content == b"%PDF-1.7 test"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="Mau06_{reviewed.number}.pdf"'
    assert _events(reviewed, AuditAction.EXPORT)[-1].changes["format"] == "pdf"


def test_pdf_scope_is_the_same(personas, client_for, reviewed, fake_soffice):
    assert client_for(personas.officer_b).get(_url(reviewed, "06", "pdf")).status_code == 404


def test_a_failed_conversion_offers_the_docx(personas, client_for, reviewed, monkeypatch):
    def fail(content, **kw):
        raise pdf.ConversionFailed("LibreOffice took longer than 60 s")

    monkeypatch.setattr(pdf, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(pdf, "docx_to_pdf", fail)
    response = client_for(personas.officer_a).get(_url(reviewed, "02", "pdf"))
    assert response.status_code == 503
    html = response.content.decode()
    assert "data-pdf-failed" in html and _url(reviewed, "02") in html
    assert not _events(reviewed, AuditAction.EXPORT)  # nothing left the system


# --- the case page's section -------------------------------------------------------------------------


def test_case_page_lists_the_forms_reached(personas, client_for, opened, no_soffice):
    html = client_for(personas.officer_a).get(f"/cases/{opened.pk}/").content.decode()
    assert 'data-section="forms"' in html
    assert 'data-form="01"' in html and _url(opened, "01") in html
    assert 'data-form="02"' not in html
    assert 'data-download="pdf"' not in html


def test_case_page_lists_every_form_and_pdf_where_available(personas, client_for, reviewed, fake_soffice):
    html = client_for(personas.chair_a).get(f"/cases/{reviewed.pk}/").content.decode()
    for form in ("01", "02", "03", "04", "05", "06"):
        assert f'data-form="{form}"' in html and _url(reviewed, form) in html
        assert _url(reviewed, form, "pdf") in html
    assert html.count('data-download="pdf"') == 6


def test_case_page_section_is_not_shown_outside_the_scope(personas, client_for, reviewed):
    assert client_for(personas.officer_b).get(f"/cases/{reviewed.pk}/").status_code == 404
