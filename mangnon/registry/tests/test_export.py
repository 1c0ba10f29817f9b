"""Exports of children lists, opened back: only in-scope rows, Vietnamese intact, formulas neutralised."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from mangnon.core.export import csv_safe, csv_stream, is_formula_like, xlsx_file
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.importing import HEADINGS

from .factories import CaregiverFactory, ChildFactory, SpecialCircumstanceFactory

pytestmark = pytest.mark.django_db

A = "06688"
B = "06862"
INJECTED = '=HYPERLINK("http://evil.example","bấm")'


@pytest.fixture
def children(units: Any) -> dict[str, Any]:
    anh = ChildFactory(person__full_name="Nguyễn Thị Ánh", person__sex="F", notes="+84 912 345 678")
    evil = ChildFactory(
        person__full_name="Đặng Văn Bình", notes=INJECTED, person__address="@cmd|' /C calc'!A0"
    )
    CaregiverFactory(child=anh, person__full_name="Nguyễn Văn Đức")
    SpecialCircumstanceFactory(child=anh, group="a")
    SpecialCircumstanceFactory(child=anh, group="l")  # sensitive: sexual abuse
    other = ChildFactory(admin_unit=units.commune_b, person__full_name="Lê Thị Cúc")
    return {"anh": anh, "evil": evil, "other": other}


def fetch(client: Any, fmt: str, **params: str) -> Any:
    return client.get(reverse("registry_export:children", kwargs={"fmt": fmt}), params)


def read_csv(response: Any) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(response: Any) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Danh sách trẻ em"]
    for sheet_row in sheet.iter_rows(min_row=2):
        for cell in sheet_row:
            assert cell.data_type != "f"  # no cell of an export is a formula
    return [[c.value for c in r] for r in sheet.iter_rows()]


def test_csv_export_in_scope_safe_and_vietnamese(children: Any, personas: Any, client_for: Any) -> None:
    response = fetch(client_for(personas.officer_a), "csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == HEADINGS
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Nguyễn Thị Ánh", "Đặng Văn Bình"}  # not commune B's child
    anh = by_name["Nguyễn Thị Ánh"]
    assert anh[1] == "Nữ" and anh[2] == "04/05/2016" and anh[6] == A and anh[7] == "Phường Hạ Long"
    assert anh[9] == "Nguyễn Văn Đức" and anh[11] == "a, l"
    assert anh[12] == "'+84 912 345 678"
    evil = by_name["Đặng Văn Bình"]
    assert evil[12] == "'" + INJECTED and evil[8] == "'@cmd|' /C calc'!A0"


def test_xlsx_export_in_scope_safe_and_vietnamese(children: Any, personas: Any, client_for: Any) -> None:
    response = fetch(client_for(personas.officer_a), "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = read_xlsx(response)
    assert rows[0] == HEADINGS
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Nguyễn Thị Ánh", "Đặng Văn Bình"}
    assert by_name["Đặng Văn Bình"][12] == INJECTED  # kept as text, exactly, never run
    assert by_name["Nguyễn Thị Ánh"][2].date().isoformat() == "2016-05-04"


def test_filters_of_the_list_apply(children: Any, personas: Any, client_for: Any) -> None:
    client = client_for(personas.province_officer)
    names = [r[0] for r in read_csv(fetch(client, "csv"))[1:]]
    assert sorted(names) == sorted(["Nguyễn Thị Ánh", "Đặng Văn Bình", "Lê Thị Cúc"])
    assert [r[0] for r in read_csv(fetch(client, "csv", commune=B))[1:]] == ["Lê Thị Cúc"]
    assert [r[0] for r in read_csv(fetch(client, "csv", q="nguyen thi anh"))[1:]] == ["Nguyễn Thị Ánh"]
    assert [r[0] for r in read_csv(fetch(client, "csv", group="a"))[1:]] == ["Nguyễn Thị Ánh"]


def test_sensitive_groups_only_for_roles_that_work_cases(
    children: Any, personas: Any, client_for: Any
) -> None:
    rows = read_csv(fetch(client_for(personas.chair_a), "csv"))
    anh = next(r for r in rows if r[0] == "Nguyễn Thị Ánh")
    assert anh[11] == "a"


def test_export_is_audited_with_filters_and_count(children: Any, personas: Any, client_for: Any) -> None:
    read_csv(fetch(client_for(personas.officer_a), "csv", q="binh"))
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor_id == personas.officer_a.pk and event.object_type == "registry.child"
    assert event.changes == {"format": "csv", "filters": {"q": "binh"}, "rows": 1}


def test_export_forbidden(children: Any, personas: Any, client_for: Any, client: Any) -> None:
    for fmt in ("csv", "xlsx"):
        assert fetch(client_for(personas.officer_b), fmt, commune=A).status_code == 404
        for user in (personas.viewer, personas.collaborator_a, personas.hotline, personas.survey):
            assert fetch(client_for(user), fmt).status_code == 403
        assert fetch(client, fmt).status_code == 302
    assert client_for(personas.officer_a).get("/registry/export/children.pdf").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_officer_b_export_never_contains_commune_a(children: Any, personas: Any, client_for: Any) -> None:
    rows = read_csv(fetch(client_for(personas.officer_b), "csv"))
    assert [r[0] for r in rows[1:]] == ["Lê Thị Cúc"]


def test_an_export_reimports_as_existing(
    children: Any,
    personas: Any,
    client_for: Any,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mangnon.registry.models import ImportJob

    settings.UPLOAD_DIR = tmp_path
    client = client_for(personas.officer_a)
    data = b"".join(fetch(client, "xlsx").streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry_import:home"), {"file": SimpleUploadedFile("export.xlsx", data)})
    job = ImportJob.objects.get()
    # Text cells stay text (the "=" note is not a formula in the file): both children are found as existing.
    assert (job.total_rows, job.existing_count, job.error_count) == (2, 2, 0)


# The writers on their own ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_prefixes_are_neutralised(text: str) -> None:
    assert is_formula_like(text) and csv_safe(text) == "'" + text


def test_plain_values_are_untouched() -> None:
    import datetime as dt

    assert csv_safe("Nguyễn Thị Ánh") == "Nguyễn Thị Ánh"
    assert csv_safe(None) == "" and csv_safe(5) == "5" and csv_safe(dt.date(2016, 9, 5)) == "05/09/2016"


def test_writers_stream_many_rows() -> None:
    rows = ([f"Tên {n}", f"={n}"] for n in range(20_000))
    chunks = list(csv_stream(["a", "b"], rows))
    assert len(chunks) > 5  # sent in pieces, not one buffer
    spool = xlsx_file(["a", "b"], ([f"Tên {n}", f"={n}"] for n in range(2_000)), sheet_title="x")
    sheet = load_workbook(spool, read_only=True)["x"]
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert last == ("Tên 1999", "=1999")
