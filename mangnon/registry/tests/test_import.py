"""Import of children lists with real XLSX and CSV files, built here and read back by the import."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from mangnon.core import xlsx_import
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry import importing
from mangnon.registry.importing import HEADINGS, write_csv_rows, write_xlsx_rows
from mangnon.registry.models import Caregiver, Child, ImportJob, Person, SpecialCircumstance

pytestmark = pytest.mark.django_db

A = "06688"  # Phường Hạ Long
B = "06862"  # Xã Tiên Yên


def row(name: str = "Nguyễn Thị Ánh", sex: str = "Nữ", born: str = "05/09/2016", **kw: Any) -> list[object]:
    values = {
        "year": "",
        "ethnicity": "Kinh",
        "id_number": "",
        "code": A,
        "commune": "",
        "address": "Tổ 3, khu 5",
        "father": "Nguyễn Văn Bình",
        "mother": "Trần Thị Hoa",
        "groups": "",
        "notes": "",
    } | kw
    return [name, sex, born, *values.values()]


GOOD = [
    row(),
    row("Trần Văn Đức", "Nam", "", year="2015", ethnicity="Tày", groups="a, d"),
    row("Lê Thị Mai", "Nữ", "29/02/2012", code="", commune="Phường Hạ Long", id_number="022312012345"),
]


def xlsx(
    rows: list[list[object]], headings: list[str] | None = None, sheet: str = importing.TEMPLATE_SHEET
) -> bytes:
    out = io.BytesIO()
    write_xlsx_rows(out, rows, headings, sheet)
    return out.getvalue()


def csv_bytes(rows: list[list[object]], bom: bool = True, delimiter: str = ",") -> bytes:
    out = io.BytesIO()
    write_csv_rows(out, rows)
    data = out.getvalue()
    if not bom:
        data = data.removeprefix(b"\xef\xbb\xbf")
    if delimiter != ",":
        data = data.replace(b",", delimiter.encode())
    return data


@pytest.fixture(autouse=True)
def upload_dir(settings: Any, tmp_path: Path) -> Path:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


@pytest.fixture(autouse=True)
def english(client: Any) -> Any:
    """Messages compared in English (the msgids); the import's tasks run in the test's thread."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for: Any, settings: Any) -> Any:
    def make(user: Any) -> Any:
        c = client_for(user)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


@pytest.fixture
def officer(personas: Any, client_for: Any) -> Any:
    return client_for(personas.officer_a)


def upload(client: Any, data: bytes, name: str = "ds.xlsx", capture: Any = None) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("registry_import:home"), {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def send(officer: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Upload a file as officer A and run its dry run (the task runs at commit); returns the job."""

    def go(data: bytes, name: str = "ds.xlsx") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(officer, data, name)
        assert response.status_code == 302, response.content.decode()[:2000]
        return ImportJob.objects.latest("pk")

    return go


@pytest.fixture
def confirm(officer: Any, django_capture_on_commit_callbacks: Any) -> Any:
    def go(job: ImportJob, mode: str = ImportJob.Mode.ALL_OR_NOTHING) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            response = officer.post(reverse("registry_import:confirm", args=[job.pk]), {"mode": mode})
        assert response.status_code == 302
        job.refresh_from_db()
        return job

    return go


def problems(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in job.problems.all()]


# Good files -----------------------------------------------------------------------------------------


def test_good_xlsx_rows_preview_then_import(send: Any, confirm: Any, personas: Any, units: Any) -> None:
    job = send(xlsx(GOOD))
    assert job.status == ImportJob.Status.VALIDATED
    assert (job.total_rows, job.valid_rows, job.error_count, job.existing_count) == (3, 3, 0, 0)
    assert Child.objects.count() == 0  # the dry run writes nothing
    assert Path(job.stored_path).is_file() and str(job.stored_path).startswith(str(settings.UPLOAD_DIR))

    job = confirm(job)
    assert job.status == ImportJob.Status.DONE and job.created_count == 3
    anh = Child.objects.get(person__full_name="Nguyễn Thị Ánh")
    assert anh.admin_unit == units.commune_a and anh.province == units.province
    assert anh.person.name_key == "nguyen thi anh" and anh.person.sex == "F"
    assert str(anh.person.date_of_birth) == "2016-09-05" and anh.person.ethnicity == "01"
    assert {c.person.full_name for c in Caregiver.objects.filter(child=anh)} == {
        "Nguyễn Văn Bình",
        "Trần Thị Hoa",
    }
    duc = Child.objects.get(person__full_name="Trần Văn Đức")
    assert duc.person.date_of_birth is None and duc.person.birth_year == 2015 and duc.person.ethnicity == "02"
    assert (duc.born_on, duc.born_in, anh.born_on) == (None, 2015, date(2016, 9, 5))  # bulk-created copies
    assert set(SpecialCircumstance.objects.filter(child=duc).values_list("group", flat=True)) == {"a", "d"}
    mai = Child.objects.get(person__full_name="Lê Thị Mai")
    assert mai.person.id_number == "022312012345" and mai.registration_decisions.get().decision == "new"
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT, object_id=str(job.pk)).last()
    assert event is not None and sorted(event.changes["created_children"]) == sorted(
        Child.objects.values_list("pk", flat=True)
    )


@pytest.mark.parametrize(("bom", "delimiter"), [(True, ","), (False, ","), (True, ";")])
def test_csv_with_or_without_bom(send: Any, confirm: Any, bom: bool, delimiter: str) -> None:
    job = confirm(send(csv_bytes(GOOD, bom=bom, delimiter=delimiter), "ds.csv"))
    assert job.status == ImportJob.Status.DONE and job.created_count == 3
    assert Person.objects.filter(full_name="Trần Văn Đức").exists()


def test_reimport_of_the_same_file_adds_nothing(send: Any, confirm: Any) -> None:
    data = xlsx(GOOD)
    confirm(send(data))
    again = send(data)
    assert (again.existing_count, again.error_count) == (3, 0)
    again = confirm(again)
    assert (again.status, again.created_count, again.existing_count) == (ImportJob.Status.DONE, 0, 3)
    assert Child.objects.count() == 3


# Bad files: a per-row report, and nothing written in all-or-nothing mode -----------------------------


def assert_all_or_nothing_writes_nothing(job: ImportJob, confirm: Any) -> None:
    job = confirm(job, ImportJob.Mode.ALL_OR_NOTHING)
    assert job.status == ImportJob.Status.FAILED and job.created_count == 0
    assert Child.objects.count() == 0 and Person.objects.count() == 0


def test_bad_dates(send: Any, confirm: Any) -> None:
    job = send(xlsx([row(), row("Vũ Minh An", "Nam", "31/02/2015"), row("Hồ Gia Bảo", "Nam", "2015/13/01"),
                     row("Đỗ Khánh Linh", "Nữ", "", year="hai nghìn"), row("Ngô Lan", "Nữ", "01/01/2099"),
                     row("Bùi Hải", "Nam", "01/01/2001")]))  # fmt: skip
    found = problems(job)
    assert (3, "Ngày sinh (dd/mm/yyyy)", "“31/02/2015” is not a date: write it as dd/mm/yyyy.") in found
    assert (4, "Ngày sinh (dd/mm/yyyy)", "“2015/13/01” is not a date: write it as dd/mm/yyyy.") in found
    assert (5, "Năm sinh", "“hai nghìn” is not a year of birth.") in found
    assert (6, "Ngày sinh (dd/mm/yyyy)", "The date of birth cannot be in the future.") in found
    assert (7, "Ngày sinh (dd/mm/yyyy)", "16 or older today: the register is for children under 16.") in found
    assert (job.total_rows, job.valid_rows, job.error_count) == (6, 1, 5)
    assert_all_or_nothing_writes_nothing(job, confirm)


def test_unknown_and_out_of_scope_communes(send: Any, confirm: Any) -> None:
    job = send(xlsx([row(), row("Vũ Minh An", code="99999"), row("Hồ Gia Bảo", code=B),
                     row("Đỗ Linh", code="", commune="Xã Không Có")]))  # fmt: skip
    found = problems(job)
    assert (
        3,
        "Mã xã",
        "Unknown commune code “99999”: use the 5-digit code of a commune in force today.",
    ) in found
    assert (
        4,
        "Mã xã",
        "Xã Tiên Yên is outside your area: you can import only the children of Phường Hạ Long.",
    ) in found
    assert (5, "Xã (phường)", "Unknown commune “Xã Không Có”.") in found
    assert_all_or_nothing_writes_nothing(job, confirm)


def test_duplicate_rows_in_the_file(send: Any, confirm: Any) -> None:
    job = send(xlsx([row(), row("Trần Văn Đức", "Nam"), row("NGUYEN THI ANH")]))
    assert problems(job) == [(4, "", "The same child as row 2 of this file.")]
    assert_all_or_nothing_writes_nothing(job, confirm)


def test_formula_cells_are_refused(send: Any, confirm: Any) -> None:
    job = send(xlsx([row(), row('=HYPERLINK("http://x","An")'), row("Vũ An", notes="=1+1")]))
    found = problems(job)
    assert found[0][:2] == (3, "Họ và tên") and "formula" in found[0][2]
    assert found[1][:2] == (4, "Ghi chú") and "=1+1" in found[1][2]
    assert_all_or_nothing_writes_nothing(job, confirm)


def test_formula_cells_in_csv(send: Any) -> None:
    job = send(csv_bytes([row(), row("@SUM(A1)"), row("Vũ An", notes="- ghi chú thường")]), "ds.csv")
    assert [p[0] for p in problems(job)] == [3]


def test_other_problems_said_plainly(send: Any) -> None:
    job = send(xlsx([row("", "Nam"), row("Vũ An", "Trai"), row("Lê Bình", "Nam", ethnicity="Klingon"),
                     row("Lê Cúc", "Nữ", id_number="12345"), row("Lê Dung", "Nữ", id_number="022210012345"),
                     row("Lê Em", "Nữ", groups="a, z")]))  # fmt: skip
    messages = [p[2] for p in problems(job)]
    assert messages == [
        "Enter the child's full name.",
        "Write Nam or Nữ, not “Trai”.",
        "Unknown ethnic group “Klingon”: use a name from the list of 54 groups.",
        "A personal ID number has exactly 12 digits.",
        "The personal ID number is that of a boy but the sex is female.",
        "The personal ID number says born in 2010, but the year of birth is 2016.",
        "Unknown group “z”: use the letters a to o of the Law on Children, art. 10, separated by commas.",
    ]


def test_a_likely_duplicate_of_a_registered_child_is_a_problem(send: Any, confirm: Any) -> None:
    confirm(send(xlsx([row()])))
    # No diacritics and the day and month swapped: not the same record exactly, but likely the same child.
    job = send(xlsx([row("Nguyen Thi Anh", born="09/05/2016"), row("Trần Văn Đức", "Nam")]))
    [(number, column, message)] = problems(job)
    assert number == 2 and column == "" and message.startswith("Probably a child already registered")
    assert (job.valid_rows, job.existing_count) == (1, 0)


def test_wrong_sheet_names_the_sheets(send: Any) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(["STT", "Tên", "Lớp"])
    book.create_sheet("Tổng hợp")
    out = io.BytesIO()
    book.save(out)
    job = send(out.getvalue())
    assert job.status == ImportJob.Status.FAILED
    [(number, _column, message)] = problems(job)
    assert number == 1 and "“Sheet1”, “Tổng hợp”" in message and importing.TEMPLATE_SHEET in message


def test_the_right_sheet_is_found_after_others(send: Any) -> None:
    book = Workbook()
    book.active.title = "Bìa"
    data = book.create_sheet(importing.TEMPLATE_SHEET)
    data.append(HEADINGS)
    data.append(row())
    out = io.BytesIO()
    book.save(out)
    assert send(out.getvalue()).valid_rows == 1


def test_missing_columns_are_named(send: Any) -> None:
    job = send(xlsx([["Nguyễn An", "Kinh"]], headings=["Họ và tên", "Dân tộc"]))
    assert job.status == ImportJob.Status.FAILED
    assert problems(job)[0][2] == "Missing columns: Giới tính (Nam/Nữ), Ngày sinh or Năm sinh."


def test_valid_only_mode_imports_the_good_rows(send: Any, confirm: Any) -> None:
    job = confirm(send(xlsx([row(), row("Vũ Minh An", "Nam", "31/02/2015"), row("Trần Văn Đức", "Nam")])),
                  ImportJob.Mode.VALID_ONLY)  # fmt: skip
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)
    assert set(Person.objects.filter(child__isnull=False).values_list("full_name", flat=True)) == {
        "Nguyễn Thị Ánh",
        "Trần Văn Đức",
    }


# A killed import ------------------------------------------------------------------------------------


def _failing_after(monkeypatch: Any, batches: int) -> None:
    real = importing.children_import_rows
    calls = {"n": 0}

    def flaky(**kwargs: Any) -> list[int]:
        calls["n"] += 1
        if calls["n"] > batches:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(importing, "children_import_rows", flaky)
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)


FIVE = [row(f"Nguyễn Văn {n}", "Nam", f"0{n}/01/2016") for n in range(1, 6)]


def test_killed_all_or_nothing_import_leaves_no_partial_rows(send: Any, monkeypatch: Any) -> None:
    job = send(xlsx(FIVE))
    _failing_after(monkeypatch, 1)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING)
    with pytest.raises(RuntimeError):
        importing.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert Child.objects.count() == 0 and Person.objects.count() == 0


def test_killed_valid_only_import_resumes_without_duplicates(
    send: Any, monkeypatch: Any, personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = send(xlsx(FIVE))
    _failing_after(monkeypatch, 1)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING, mode=ImportJob.Mode.VALID_ONLY, processed_rows=0
    )
    with pytest.raises(RuntimeError):
        importing.job_run(job.pk)
    job.refresh_from_db()
    assert job.processed_rows == 2 and Child.objects.count() == 2  # the first batch committed, nothing else

    assert job.status == ImportJob.Status.FAILED and importing.is_resumable(job)

    monkeypatch.undo()
    _failing_after(monkeypatch, 99)
    url = reverse("registry_import:resume", args=[job.pk])
    assert client_for(personas.officer_b).post(url).status_code == 404
    assert client_for(personas.viewer).post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(personas.officer_a).post(url).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count) == (ImportJob.Status.DONE, 5, 5)
    assert Child.objects.count() == 5
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT, object_id=str(job.pk), changes__resume=True)
    assert event.count() == 1
    assert not importing.is_resumable(job)


def test_a_job_whose_worker_died_can_be_resumed(send: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    job = send(xlsx(FIVE))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING)
    job.refresh_from_db()
    assert not importing.is_resumable(job)  # maybe still running
    later = timezone.now() + importing.STALE_AFTER + dt.timedelta(minutes=1)
    assert importing.is_resumable(job, now=later)


# Upload checks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("ds.txt", b"a,b", "Only .xlsx and .csv files can be imported."),
        (
            "ds.xlsx",
            "Họ và tên\n".encode(),
            "This file is not an Excel workbook (.xlsx), whatever its name says.",
        ),
        ("ds.csv", b"PK\x03\x04rest", "This file is not a CSV text file, whatever its name says."),
        (
            "ds.csv",
            "Họ và tên\n".encode("utf-16"),
            "This file is not a CSV text file, whatever its name says.",
        ),
        ("ds.csv", b"T\xean tr\xe9;Gi\xf3i\n", "The file is not UTF-8 text"),
    ],
)
def test_upload_is_checked_by_content(officer: Any, name: str, data: bytes, message: str) -> None:
    response = upload(officer, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_size_is_limited(officer: Any, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    response = upload(officer, xlsx(GOOD) + b"\0" * (1024 * 1024), "ds.xlsx")
    assert response.status_code == 400 and "The file is too large: at most 1 MB." in response.content.decode()


# Pages: allowed, forbidden, audited -------------------------------------------------------------------


def test_import_page_allowed_and_forbidden(personas: Any, client_for: Any, client: Any) -> None:
    url = reverse("registry_import:home")
    assert client_for(personas.officer_a).get(url).status_code == 200
    for user in (personas.viewer, personas.collaborator_a, personas.hotline, personas.chair_a):
        assert client_for(user).get(url).status_code == 403
    assert client.get(url).status_code == 302  # anonymous: to the login page


def test_upload_is_audited(send: Any, personas: Any) -> None:
    job = send(xlsx(GOOD))
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="registry.importjob")
    assert event.object_id == str(job.pk) and event.actor_id == personas.officer_a.pk
    assert event.changes["file"] == "ds.xlsx" and event.unit_code == A


def test_job_page_allowed_forbidden_and_audited(
    send: Any, personas: Any, client_for: Any, client: Any
) -> None:
    job = send(xlsx([row(), row("Vũ An", "Nam", "31/02/2015")]))
    url = reverse("registry_import:job", args=[job.pk])
    response = client_for(personas.officer_a).get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "31/02/2015" in body and "data-import-confirm" in body
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(job.pk)).count() == 1
    for path in (url, reverse("registry_import:progress", args=[job.pk])):
        assert client_for(personas.officer_b).get(path).status_code == 404
        assert client_for(personas.viewer).get(path).status_code == 403
        assert client.get(path).status_code == 302
    assert (
        client_for(personas.officer_b).post(reverse("registry_import:confirm", args=[job.pk])).status_code
        == 404
    )
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(job.pk)).count() == 1


def test_confirm_is_audited_and_runs_once(send: Any, confirm: Any, personas: Any) -> None:
    job = confirm(send(xlsx(GOOD)), ImportJob.Mode.VALID_ONLY)
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT, object_id=str(job.pk)).first()
    assert event is not None and event.changes == {"mode": "valid_only", "rows": 3, "errors": 0}
    again = confirm(job)  # a second confirmation of a finished job changes nothing
    assert again.status == ImportJob.Status.DONE and Child.objects.count() == 3


def test_progress_partial_polls_while_running_and_reloads_when_done(send: Any, officer: Any) -> None:
    job = send(xlsx(GOOD))
    url = reverse("registry_import:progress", args=[job.pk])
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING, mode=ImportJob.Mode.VALID_ONLY, processed_rows=1
    )
    running = officer.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in running.content.decode() and "HX-Refresh" not in running
    assert 'value="33"' in running.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    done = officer.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true" and "every 1s" not in done.content.decode()


def test_template_download(personas: Any, client_for: Any, client: Any) -> None:
    url = reverse("registry_import:template")
    response = client_for(personas.officer_a).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [importing.TEMPLATE_SHEET, "Hướng dẫn"]
    assert [c.value for c in book[importing.TEMPLATE_SHEET][1]] == HEADINGS
    assert client_for(personas.viewer).get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_the_template_imports_cleanly_once_filled(send: Any, officer: Any) -> None:
    response = officer.get(reverse("registry_import:template"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    book[importing.TEMPLATE_SHEET].append(row())
    out = io.BytesIO()
    book.save(out)
    job = send(out.getvalue())
    assert (job.status, job.valid_rows) == (ImportJob.Status.VALIDATED, 1)


def test_generated_rows_for_the_benchmark(personas: Any, units: Any) -> None:
    job = importing.import_generated_rows(actor=personas.officer_a, unit=units.commune_a, count=30)
    assert (job.status, job.created_count, job.error_count) == (ImportJob.Status.DONE, 30, 0)


# Reading an XLSX sheet ------------------------------------------------------------------------------


def test_xlsx_rows_are_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    """The import's own loop over a sheet (it lets go of each row) gives what openpyxl's iter_rows gives."""
    import datetime as dt

    born = dt.datetime(2016, 9, 5)  # noqa: DTZ001 - an Excel date cell has no time zone
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADINGS)
    sheet.append(["Nguyễn An", "Nam", born, 2016, None, 22312012345, "06688"])
    sheet.append([])  # an empty row, and a gap of missing rows below
    sheet["A6"] = "Lê Bình"
    sheet["C6"] = "=DATE(2015,1,2)"  # a formula, with a missing cell before it
    sheet["M6"] = "ghi chú"
    sheet.row_dimensions[6].height = 30  # a row with its own height
    path = tmp_path / "ds.xlsx"
    book.save(path)

    def trimmed(values: list[tuple[object, bool]]) -> list[tuple[object, bool]]:
        while values and values[-1][0] is None:
            values.pop()
        return values

    read = load_workbook(path, read_only=True)
    try:
        ours = [
            (n, trimmed([(c.value, c.is_formula) for c in cells]))
            for n, cells in xlsx_import.sheet_rows(read.worksheets[0], first_row=2)
        ]
        theirs = [
            (n, trimmed([(c.value, getattr(c, "data_type", "") == "f") for c in cells]))
            for n, cells in enumerate(read.worksheets[0].iter_rows(min_row=2), start=2)
        ]
    finally:
        read.close()
    assert [r for r in theirs if r[1]] == ours
    assert ours[0] == (2, [("Nguyễn An", False), ("Nam", False), (born, False),
                           (2016, False), (None, False), (22312012345, False), ("06688", False)])  # fmt: skip
    assert ours[1] == (6, [("Lê Bình", False), (None, False), ("=DATE(2015,1,2)", True)] + [(None, False)] * 9
                       + [("ghi chú", False)])  # fmt: skip


def test_a_csv_sample_that_ends_inside_a_character_is_accepted(officer: Any) -> None:
    """The upload's content check reads the first 16 KB: a character cut there is not an error, BOM or not."""
    for bom in (True, False):
        data = csv_bytes([row()], bom=bom)
        padding = "a" * (importing.CSV_SNIFF_BYTES - 2 - len(data) - 1)  # "ễ" (3 bytes) starts at 16 KB - 2
        data += f'"{padding}ễn",Nữ,05/09/2016\n'.encode()
        cut = data[: importing.CSV_SNIFF_BYTES]
        with pytest.raises(UnicodeDecodeError):
            cut.decode("utf-8")  # the sample does end inside a character
        assert importing.sniff_kind("ds.csv", cut, io.BytesIO(data)) == "csv"
    with pytest.raises(importing.UploadRefused):
        importing.sniff_kind("ds.csv", b"\xef\xbb\xbfH\xe9 v\xe0 t\xean\n", io.BytesIO())
