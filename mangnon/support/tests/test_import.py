"""Import of disbursement lists with real XLSX files built here: dry run through the payment service's
rules (eligibility on the day paid, scope), all or nothing, re-import, audit, uploads, the template."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.core.tests.import_helpers import (  # noqa: F401  (autouse fixtures)
    english,
    page_fixtures,
    problems,
    upload_dir,
)
from mangnon.core.tests.import_helpers import xlsx as build_xlsx
from mangnon.registry.codes import SpecialGroup
from mangnon.registry.models import ImportJob
from mangnon.registry.tests.factories import ChildFactory, SpecialCircumstanceFactory
from mangnon.support import rollups
from mangnon.support.importing import COLUMNS, SHEET
from mangnon.support.models import Disbursement
from mangnon.support.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

HOME = "/support/import/"
HEADINGS = [c.heading for c in COLUMNS]


def heading(key: str) -> str:
    return next(c.heading for c in COLUMNS if c.key == key)


def row(reference: str, child: object, programme: str = "NQ222", **kw: Any) -> list[object]:
    values: dict[str, object] = {
        "reference": reference,
        "child": child,
        "programme": programme,
        "kind": "",
        "amount": 500_000,
        "paid_on": "05/03/2026",
        "approver": "QĐ 12/QĐ-UBND, Chủ tịch UBND phường",
    } | kw
    return [values.get(c.key) for c in COLUMNS]


def xlsx(rows: list[list[object]], headings: list[str] | None = None) -> bytes:
    return build_xlsx(SHEET, headings or HEADINGS, rows)


client_for, officer, send, confirm = page_fixtures(HOME, "support:import_confirm")


@pytest.fixture
def programme(units: Any) -> Any:
    return ProgrammeFactory(code="NQ222", province=units.province, eligible_groups=[SpecialGroup.A])


@pytest.fixture
def eligible(units: Any) -> Any:
    """Two children of commune A in group a since 2020; the second with a personal ID number."""
    children = [
        ChildFactory(admin_unit=units.commune_a),
        ChildFactory(admin_unit=units.commune_a, person__id_number="022216001234"),
    ]
    for child in children:
        SpecialCircumstanceFactory(child=child, group=SpecialGroup.A, start_date=date(2020, 1, 1))
    return children


def test_good_list_writes_the_payments_and_the_rollup_counts_them(
    send, confirm, programme, eligible, personas, units
):
    first, second = eligible
    period = {"start": date(2026, 1, 1), "end": date(2026, 12, 31)}
    before = rollups.rollup(viewer=personas.officer_a, unit=units.commune_a, **period)
    job = send(
        xlsx([row("PC-1", first.pk, kind="hỗ trợ học tập"), row("PC-2", "022216001234", amount="750.000")])
    )
    assert job.kind == ImportJob.Kind.DISBURSEMENTS
    assert (job.status, job.valid_rows, job.error_count) == (ImportJob.Status.VALIDATED, 2, 0), problems(job)
    assert Disbursement.objects.count() == 0  # the dry run writes nothing

    job = confirm(job)
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)
    paid = {d.import_reference: d for d in Disbursement.objects.all()}
    assert (paid["PC-1"].child_id, paid["PC-1"].amount, paid["PC-1"].paid_on) == (
        first.pk,
        500_000,
        date(2026, 3, 5),
    )
    assert (paid["PC-2"].child_id, paid["PC-2"].amount) == (second.pk, 750_000)
    assert paid["PC-1"].programme == programme and paid["PC-1"].recorded_by == personas.officer_a
    after = rollups.rollup(viewer=personas.officer_a, unit=units.commune_a, **period)
    assert after.disbursements == before.disbursements + 2
    assert after.disbursed_amount == before.disbursed_amount + 1_250_000
    assert after.children_supported == before.children_supported + 2
    assert (
        AuditEvent.objects.filter(object_type="support.disbursement", action=AuditAction.CREATE).count() == 2
    )
    assert (
        AuditEvent.objects.filter(
            object_type="registry.importjob", object_id=str(job.pk), action=AuditAction.IMPORT
        ).count()
        == 2
    )  # the confirmation and the import


def test_reimport_adds_nothing(send, confirm, programme, eligible):
    data = xlsx([row("PC-1", eligible[0].pk), row("PC-2", eligible[1].pk)])
    confirm(send(data))
    job = confirm(send(data))
    assert (job.status, job.created_count, job.existing_count) == (ImportJob.Status.DONE, 0, 2)
    assert Disbursement.objects.count() == 2


def test_bad_rows_are_reported_and_nothing_is_written(send, confirm, programme, eligible, units):
    child_b = ChildFactory(admin_unit=units.commune_b)
    not_eligible = ChildFactory(admin_unit=units.commune_a)
    job = send(
        xlsx(
            [
                row("PC-1", eligible[0].pk),
                row("PC-2", not_eligible.pk),  # the service's rule: not in the programme's groups that day
                row("PC-3", child_b.pk),  # another commune: not among the children officer A may see
                row("PC-4", eligible[1].pk, programme="NQ999"),
                row("PC-5", eligible[1].pk, amount="năm trăm"),
                row("PC-6", eligible[1].pk, kind="trợ cấp hằng tháng"),
                row("PC-1", eligible[0].pk),
                row("PC-8", eligible[1].pk, paid_on="2026-13-01", approver=""),
            ]
        )
    )
    found = problems(job)
    assert (job.valid_rows, job.error_count) == (1, 7), found
    assert (
        3,
        heading("child"),
        "On the date of payment the child was in none of the groups the programme supports.",
    ) in found
    assert (
        4,
        heading("child"),
        f"No child with record number or personal ID number “{child_b.pk}” among the children you may see.",
    ) in found
    assert (5, heading("programme"), "No programme of the province has the code “NQ999”.") in found
    assert (6, heading("amount"), "“năm trăm” is not a whole number, 0 or more.") in found
    assert (7, heading("kind"), "The programme NQ222 is not of the kind “trợ cấp hằng tháng”.") in found
    assert (8, "", "The same reference as row 2 of this file.") in found
    assert (9, heading("approver"), "This column must be filled in.") in found
    job = confirm(job)
    assert job.status == ImportJob.Status.VALIDATED and Disbursement.objects.count() == 0
    # The service's words are kept in both languages: the report reads in the reader's.
    from django.utils import translation

    with translation.override("vi"):
        assert "Vào ngày chi trả" in job.problems.get(row=3).message


def test_pages_need_the_right_role_and_jobs_stay_in_their_commune(
    personas, client_for, client, send, programme
):
    job = send(xlsx([row("PC-1", 1)]))
    pages = [
        HOME,
        reverse("support:import_template"),
        reverse("support:import_job", args=[job.pk]),
        reverse("support:import_progress", args=[job.pk]),
    ]
    confirm_url = reverse("support:import_confirm", args=[job.pk])
    for url in pages:
        assert client.get(url).status_code == 302  # anonymous: to the login page
        assert client_for(personas.collaborator_a).get(url).status_code == 403
        assert client_for(personas.viewer).get(url).status_code == 403
    assert client.post(confirm_url).status_code == 302
    assert client_for(personas.viewer).post(confirm_url).status_code == 403
    other = client_for(personas.officer_b)
    for url in pages[2:]:
        assert other.get(url).status_code == 404  # another commune's job is not revealed
    assert other.post(confirm_url).status_code == 404
    officer = client_for(personas.officer_a)
    assert officer.get(reverse("support:import_job", args=[job.pk])).status_code == 200
    assert AuditEvent.objects.filter(
        object_type="registry.importjob", object_id=str(job.pk), action=AuditAction.VIEW
    ).exists()


def test_uploads_are_checked(officer, settings):
    settings.UPLOAD_MAX_BYTES = 10
    assert officer.post(HOME, {"file": SimpleUploadedFile("a.xlsx", xlsx([]))}).status_code == 400
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    assert officer.post(HOME, {"file": SimpleUploadedFile("a.xlsx", b"=1+1,2")}).status_code == 400
    assert ImportJob.objects.count() == 0


def test_formula_cells_are_refused(send, programme, eligible):
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEET
    ws.append(HEADINGS)
    ws.append(row("PC-1", eligible[0].pk, amount="=2*250000"))
    out = io.BytesIO()
    book.save(out)
    job = send(out.getvalue())
    assert problems(job)[0][:2] == (2, heading("amount")) and "formula" in problems(job)[0][2]


def test_the_template_downloads_with_its_headings(officer):
    r = officer.get(reverse("support:import_template"))
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert [c.value for c in book[SHEET][1]] == HEADINGS
    assert book.sheetnames[1] == "Hướng dẫn"
