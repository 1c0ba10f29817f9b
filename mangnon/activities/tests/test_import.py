"""Import of activities with real XLSX files built here: dry run, all or nothing, re-import, scope, audit,
formulas, uploads refused, the template."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from mangnon.activities import rollups
from mangnon.activities.importing import COLUMNS, SHEET
from mangnon.activities.models import Activity, Material, Tally
from mangnon.activities.tests.factories import CampaignFactory
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.core.tests.import_helpers import (  # noqa: F401  (autouse fixtures)
    english,
    page_fixtures,
    problems,
    upload_dir,
)
from mangnon.core.tests.import_helpers import xlsx as build_xlsx
from mangnon.registry.models import ImportJob

pytestmark = pytest.mark.django_db

HOME = "/activities/import/"
HEADINGS = [c.heading for c in COLUMNS]
A = "06688"  # Phường Hạ Long
B = "06862"  # Xã Tiên Yên


def row(reference: str = "HD-01", **kw: Any) -> list[object]:
    """A row in the template's column order; keyword arguments by column key."""
    values: dict[str, object] = {
        "reference": reference,
        "kind": "tập huấn",
        "title": "Tập huấn kỹ năng phòng chống xâm hại cho cha mẹ",
        "unit": A,
        "start": "10/03/2026",
        "end": "",
        "organiser": "Hội Liên hiệp Phụ nữ phường",
        "theme": "Phòng chống xâm hại trẻ em",
        "campaign": "",
        "groups": "cha mẹ và người chăm sóc, children",
        "funding": "ngân sách nhà nước",
        "cost": 1_500_000,
        "t_parents_caregivers_M": 5,
        "t_parents_caregivers_F": "12",
        "t_children_unknown": 3,
        "m_leaflet": 100,
    } | kw
    return [values.get(c.key) for c in COLUMNS]


def xlsx(rows: list[list[object]], headings: list[str] | None = None, sheet: str = SHEET) -> bytes:
    return build_xlsx(sheet, headings or HEADINGS, rows)


client_for, officer, send, confirm = page_fixtures(HOME, "activities:import_confirm")


def heading(key: str) -> str:
    return next(c.heading for c in COLUMNS if c.key == key)


# A good file ----------------------------------------------------------------------------------------


def test_good_file_writes_activities_with_tallies_and_materials(send, confirm, personas, units, officer):
    campaign = CampaignFactory(province=units.province, plan_number="67/KH-UBND")
    period = (date(2026, 1, 1), date(2026, 12, 31))
    before = rollups.rollup(viewer=personas.officer_a, unit=units.commune_a, start=period[0], end=period[1])
    job = send(
        xlsx(
            [
                row(),
                row(
                    "HD-02",
                    kind="forum",
                    title="Diễn đàn trẻ em",
                    campaign="67/kh-ubnd",
                    start=date(2026, 6, 1),
                    t_children_F=40,
                    t_children_M=35,
                    t_parents_caregivers_M=None,
                    t_parents_caregivers_F=None,
                    t_children_unknown=None,
                    m_leaflet=None,
                    m_video=2,
                    groups="children",
                    funding="",
                    cost=None,
                ),
            ]
        )
    )
    assert job.kind == ImportJob.Kind.ACTIVITIES
    assert job.status == ImportJob.Status.VALIDATED, problems(job)
    assert (job.total_rows, job.valid_rows, job.error_count) == (2, 2, 0), problems(job)
    assert Activity.objects.count() == 0  # the dry run writes nothing
    page = officer.get(reverse("activities:import_job", args=[job.pk]))
    assert page.status_code == 200 and b"data-import-confirm" in page.content

    job = confirm(job)
    assert job.status == ImportJob.Status.DONE and job.created_count == 2
    training = Activity.objects.get(import_reference="HD-01")
    assert (training.kind, training.admin_unit, training.start_date, training.end_date) == (
        "training",
        units.commune_a,
        date(2026, 3, 10),
        date(2026, 3, 10),
    )
    assert training.target_groups == ["children", "parents_caregivers"]
    assert (training.funding_source, training.cost, training.recorded_by) == (
        "state_budget",
        1_500_000,
        personas.officer_a,
    )
    assert training.organiser is None and training.organiser_text == "Hội Liên hiệp Phụ nữ phường"
    assert sorted(training.tallies.values_list("group", "sex", "count")) == [
        ("children", "unknown", 3),
        ("parents_caregivers", "F", 12),
        ("parents_caregivers", "M", 5),
    ]
    assert list(training.materials.values_list("kind", "quantity")) == [("leaflet", 100)]
    forum = Activity.objects.get(import_reference="HD-02")
    assert forum.campaign == campaign and forum.kind == "forum"
    assert Tally.objects.count() == 5 and Material.objects.count() == 2

    after = rollups.rollup(viewer=personas.officer_a, unit=units.commune_a, start=period[0], end=period[1])
    assert after.activities == before.activities + 2
    assert after.person_times == before.person_times + 20 + 75
    # Audited: the upload, the confirmation, each activity by the entry service, and the import itself.
    events = AuditEvent.objects.filter(object_type="registry.importjob", object_id=str(job.pk))
    assert set(events.values_list("action", flat=True)) >= {
        AuditAction.CREATE,
        AuditAction.IMPORT,
        AuditAction.VIEW,
    }
    created = AuditEvent.objects.filter(object_type="activities.activity", action=AuditAction.CREATE)
    assert created.count() == 2
    done = events.filter(action=AuditAction.IMPORT, changes__created__isnull=False).get()
    assert sorted(done.changes["created"]) == sorted([training.pk, forum.pk])


def test_reimporting_the_same_file_adds_nothing(send, confirm):
    data = xlsx([row(), row("HD-02", title="Nói chuyện chuyên đề", kind="talk")])
    confirm(send(data))
    assert Activity.objects.count() == 2
    job = send(data)
    assert (job.status, job.existing_count, job.valid_rows) == (ImportJob.Status.VALIDATED, 2, 2)
    job = confirm(job)
    assert (job.status, job.created_count, job.existing_count) == (ImportJob.Status.DONE, 0, 2)
    assert Activity.objects.count() == 2 and Tally.objects.count() == 6


# Bad rows ------------------------------------------------------------------------------------------


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(send, confirm, officer):
    job = send(
        xlsx(
            [
                row(),
                row("HD-02", kind="picnic"),
                row("HD-03", start="31/02/2026"),
                row("HD-04", t_children_F="mười"),
                row("HD-05", start="10/03/2099"),  # the service's rule: not in the future
                row("HD-01"),  # the same reference as row 2
                row("HD-07", campaign="Không có"),
                row("", title=""),
            ]
        )
    )
    assert job.status == ImportJob.Status.VALIDATED
    assert (job.total_rows, job.valid_rows, job.error_count) == (8, 1, 7)
    found = problems(job)
    assert (
        3,
        heading("kind"),
        "Unknown value “picnic”: use one of the codes listed in the template.",
    ) in found
    assert (4, heading("start"), "“31/02/2026” is not a date: write it as dd/mm/yyyy.") in found
    assert (5, heading("t_children_F"), "“mười” is not a whole number, 0 or more.") in found
    assert (6, heading("start"), "The activity's dates cannot be in the future.") in found
    assert (7, "", "The same reference as row 2 of this file.") in found
    assert (
        8,
        heading("campaign"),
        "No campaign of the province has the name or plan number “Không có”.",
    ) in found
    assert (9, heading("reference"), "This column must be filled in.") in found
    assert (9, heading("title"), "This column must be filled in.") in found
    page = officer.get(reverse("activities:import_job", args=[job.pk]))
    assert b"data-import-confirm" not in page.content and b'data-problem-row="4"' in page.content
    # Confirming is refused: all or nothing.
    job = confirm(job)
    assert job.status == ImportJob.Status.VALIDATED and Activity.objects.count() == 0


def test_a_row_turned_bad_after_the_dry_run_rolls_everything_back(send, confirm, units):
    campaign = CampaignFactory(province=units.province, name="Tháng hành động")
    job = send(xlsx([row(), row("HD-02", campaign="Tháng hành động")]))
    assert job.status == ImportJob.Status.VALIDATED and job.error_count == 0
    campaign.delete()  # the file is read again at import: row 3 is now bad
    job = confirm(job)
    assert job.status == ImportJob.Status.FAILED and job.error_count == 1
    assert Activity.objects.count() == 0 and Tally.objects.count() == 0
    assert [p[0] for p in problems(job)] == [3]


def test_a_commune_officer_cannot_import_rows_of_another_commune(send):
    job = send(xlsx([row(), row("HD-02", unit=B)]))
    assert job.error_count == 1
    assert problems(job) == [
        (3, heading("unit"), "Xã Tiên Yên is outside your area: you cannot import its rows.")
    ]
    assert Activity.objects.count() == 0


def test_the_province_officer_imports_rows_of_several_communes(send, confirm, personas, client_for, units):
    province = client_for(personas.province_officer)
    job = send(xlsx([row(), row("HD-02", unit=B), row("HD-03", unit="")]), client=province)
    assert job.admin_unit == units.province and job.error_count == 0, problems(job)
    job = confirm(job, client=province)
    assert job.created_count == 3
    assert Activity.objects.get(import_reference="HD-03").admin_unit == units.province


def test_formula_cells_are_problems_and_formula_looking_text_is_stored_as_text(send, confirm):
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEET
    ws.append(HEADINGS)
    ws.append(row(title='=HYPERLINK("http://x")'))  # openpyxl writes a formula
    out = io.BytesIO()
    book.save(out)
    job = send(out.getvalue())
    assert problems(job)[0][:2] == (2, heading("title")) and "formula" in problems(job)[0][2]

    text_book = Workbook()
    ws = text_book.active
    assert ws is not None
    ws.title = SHEET
    ws.append(HEADINGS)
    ws.append(row(title="placeholder"))
    ws["C2"].value = "=1+1"
    ws["C2"].data_type = "s"  # typed as text, as Excel stores '=1+1
    out = io.BytesIO()
    text_book.save(out)
    job = confirm(send(out.getvalue()))
    assert job.status == ImportJob.Status.DONE, problems(job)
    assert Activity.objects.get().title == "=1+1"


# The file and the upload ---------------------------------------------------------------------------


def test_wrong_sheet_or_missing_columns_fail_the_whole_file(send):
    job = send(xlsx([row()], sheet="Sheet1", headings=["Họ và tên", "x"]))
    assert job.status == ImportJob.Status.FAILED
    assert "No sheet has the column headings" in problems(job)[0][2]
    job = send(xlsx([["HD-1"]], headings=[HEADINGS[0]]))
    assert job.status == ImportJob.Status.FAILED and "Missing columns" in problems(job)[0][2]
    job = send(xlsx([]))
    assert job.status == ImportJob.Status.FAILED and problems(job)[0][2] == "The file has no rows to import."


def test_upload_too_large_or_not_xlsx_is_refused(officer, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    r = officer.post(HOME, {"file": SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * 2048)})
    assert r.status_code == 400 and "too large" in r.content.decode()
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    r = officer.post(HOME, {"file": SimpleUploadedFile("fake.xlsx", b"not a workbook")})
    assert r.status_code == 400 and "not an Excel workbook" in r.content.decode()
    r = officer.post(HOME, {"file": SimpleUploadedFile("list.csv", b"a,b\n1,2\n")})
    assert r.status_code == 400 and "Only .xlsx files" in r.content.decode()
    assert ImportJob.objects.count() == 0


# Access -----------------------------------------------------------------------------------------------


def test_pages_need_the_right_role(personas, client_for, client, send):
    job = send(xlsx([row()]))
    pages = [
        HOME,
        reverse("activities:import_template"),
        reverse("activities:import_job", args=[job.pk]),
        reverse("activities:import_progress", args=[job.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 302  # anonymous: to the login page
        assert client_for(personas.viewer).get(url).status_code == 403
        assert client_for(personas.chair_a).get(url).status_code == 403
    assert (
        client_for(personas.viewer).post(reverse("activities:import_confirm", args=[job.pk])).status_code
        == 403
    )
    # Another commune's officer may import, but not see this job.
    other = client_for(personas.officer_b)
    assert other.get(HOME).status_code == 200
    assert other.get(reverse("activities:import_job", args=[job.pk])).status_code == 404
    assert other.post(reverse("activities:import_confirm", args=[job.pk])).status_code == 404
    # A children import's job is not an activities job.
    job.kind = ImportJob.Kind.CHILDREN
    job.save()
    assert (
        client_for(personas.officer_a).get(reverse("activities:import_job", args=[job.pk])).status_code == 404
    )


def test_job_page_and_progress_are_shown_and_the_report_audited(send, officer, personas):
    job = send(xlsx([row()]))
    r = officer.get(reverse("activities:import_job", args=[job.pk]))
    assert r.status_code == 200 and b'data-count="valid">1<' in r.content
    assert AuditEvent.objects.filter(
        object_type="registry.importjob",
        object_id=str(job.pk),
        action=AuditAction.VIEW,
        actor_id=personas.officer_a.pk,
    ).exists()
    r = officer.get(reverse("activities:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert (
        r.status_code == 200
        and r["HX-Refresh"] == "true"
        and b'data-import-progress="validated"' in r.content
    )
    home = officer.get(HOME)
    assert home.status_code == 200 and b"data-import-jobs" in home.content


def test_the_template_downloads_and_opens_with_the_right_headings(officer):
    r = officer.get(reverse("activities:import_template"))
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert book.sheetnames == [SHEET, "Hướng dẫn"]
    assert [c.value for c in book[SHEET][1]] == HEADINGS
    guide = [r[0] for r in book["Hướng dẫn"].iter_rows(values_only=True)]
    assert heading("kind") in guide and "Example" in guide
    # The template itself, filled in, imports.
    assert "Trẻ em - Nữ (lượt người)" in HEADINGS and "Tờ rơi (số lượng)" in HEADINGS


def test_units_are_resolved_on_the_start_date(send, confirm, units):
    """A 2020 report names the communes of its day; a code not in force that day is a problem."""
    old = units.legacy_a.code
    job = send(xlsx([row(unit=old, start="15/06/2020"), row("HD-02", unit=old), row("HD-03", cost=1.5)]))
    assert problems(job) == [
        (3, heading("unit"), f"No unit has the code “{old}” on 10/03/2026."),
        (4, heading("cost"), "“1.5” is not a whole number, 0 or more."),
    ]
    job = confirm(send(xlsx([row(unit=old, start="15/06/2020")])))
    assert job.status == ImportJob.Status.DONE, problems(job)
    assert Activity.objects.get().admin_unit == units.legacy_a


def test_the_list_of_recent_imports_does_not_grow_queries(officer, personas, units):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n: int) -> None:
        for i in range(n):
            ImportJob.objects.create(
                kind=ImportJob.Kind.ACTIVITIES, admin_unit=units.commune_a, province=units.province,
                created_by=personas.officer_a, original_name=f"{i}.xlsx", stored_path="/nowhere", sha256="0",
            )  # fmt: skip

    add(1)
    with CaptureQueriesContext(connection) as one:
        assert officer.get(HOME).status_code == 200
    add(9)
    with CaptureQueriesContext(connection) as ten:
        r = officer.get(HOME)
    assert r.content.count(b"/activities/import/") >= 10
    assert len(ten) == len(one)
