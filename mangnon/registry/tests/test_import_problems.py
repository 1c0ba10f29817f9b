"""Import problems are stored as codes and parameters, worded in the reader's language (not the worker's)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry import importing
from mangnon.registry.import_problems import ID_NUMBER_RULES, RECORDED_TEXT, WORDS, Problem, render
from mangnon.registry.models import ImportJob, ImportProblem
from mangnon.registry.tests.test_import import csv_bytes, row, xlsx

pytestmark = pytest.mark.django_db

BAD_ROWS = [
    row(),
    row("Vũ Minh An", "Nam", "31/02/2015"),
    row("Lê Dung", "Nữ", id_number="022210012345"),  # a boy's number, born 2010
]
EN = {
    "date": "“31/02/2015” is not a date: write it as dd/mm/yyyy.",
    "sex": "The personal ID number is that of a boy but the sex is female.",
    "year": "The personal ID number says born in 2010, but the year of birth is 2016.",
}
VI = {
    "date": "“31/02/2015” không phải là ngày: hãy ghi theo dạng dd/mm/yyyy.",
    "sex": "Số định danh cá nhân là của bé trai nhưng giới tính ghi là nữ.",
}


@pytest.fixture(autouse=True)
def upload_dir(settings: Any, tmp_path: Any) -> Any:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def reader(client_for: Any, user: Any, language: str, settings: Any) -> Any:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def uploaded(client: Any, data: bytes, name: str = "ds.xlsx") -> ImportJob:
    """An uploaded job whose dry run has not run yet (its task waits for the commit that never comes)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("registry_import:home"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302
    return ImportJob.objects.latest("pk")


def checked_in(language: str, job: ImportJob) -> ImportJob:
    with translation.override(language):
        importing.job_validate(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(("worker", "reader_language"), [("vi", "en"), ("en", "vi")])
def test_a_problem_found_in_one_language_is_read_in_the_other(
    personas: Any, client_for: Any, settings: Any, worker: str, reader_language: str
) -> None:
    officer = reader(client_for, personas.officer_a, reader_language, settings)
    job = checked_in(worker, uploaded(officer, xlsx(BAD_ROWS)))
    assert job.error_count == 2
    stored = list(job.problems.values_list("row", "code"))
    assert stored == [(3, "birth.not_a_date"), (4, ID_NUMBER_RULES), (4, ID_NUMBER_RULES)]

    body = officer.get(reverse("registry_import:job", args=[job.pk])).content.decode()
    wanted, other = (EN, VI) if reader_language == "en" else (VI, EN)
    for key, text in wanted.items():
        assert text in body, key
    for key, text in other.items():
        assert text not in body, key
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(job.pk)).count() == 1


def test_a_file_problem_is_read_in_the_readers_language(
    personas: Any, client_for: Any, settings: Any
) -> None:
    officer = reader(client_for, personas.officer_a, "vi", settings)
    job = checked_in("en", uploaded(officer, xlsx([["Nguyễn An"]], headings=["Họ và tên"])))
    assert job.status == ImportJob.Status.FAILED
    [problem] = job.problems.all()
    assert (problem.code, problem.params) == (
        "file.missing_columns",
        {"columns": ["Giới tính (Nam/Nữ)"], "date_or_year": True},
    )
    body = officer.get(reverse("registry_import:job", args=[job.pk])).content.decode()
    assert "Thiếu cột: Giới tính (Nam/Nữ), Ngày sinh hoặc Năm sinh." in body
    with translation.override("en"):
        assert problem.message == "Missing columns: Giới tính (Nam/Nữ), Ngày sinh or Năm sinh."


def test_a_csv_that_is_not_utf8_is_reported_in_the_readers_language(
    personas: Any, client_for: Any, settings: Any
) -> None:
    officer = reader(client_for, personas.officer_a, "en", settings)
    # Valid UTF-8 at the start (the upload's sniffed sample), Latin-1 much further on.
    data = csv_bytes([row()] * 400) + "Nguyễn\n".encode("latin-1", "replace") + b"\xe9\xe9\n"
    job = checked_in("vi", uploaded(officer, data, "ds.csv"))
    [problem] = job.problems.all()
    assert problem.code == "file.not_utf8"
    with translation.override("en"):
        assert problem.message.startswith("The file is not UTF-8 text")


def test_the_job_page_of_another_commune_is_not_revealed(
    personas: Any, client_for: Any, settings: Any, client: Any
) -> None:
    job = checked_in("vi", uploaded(reader(client_for, personas.officer_a, "en", settings), xlsx(BAD_ROWS)))
    url = reverse("registry_import:job", args=[job.pk])
    assert reader(client_for, personas.officer_b, "en", settings).get(url).status_code == 404
    assert reader(client_for, personas.viewer, "en", settings).get(url).status_code == 403
    assert client.get(url).status_code == 302


# The table of words ---------------------------------------------------------------------------------

SAMPLE_PARAMS = {
    "value": "x",
    "max": 220,
    "h": "Họ và tên",
    "sheets": ["Sheet1", "Tổng hợp"],
    "template": importing.TEMPLATE_SHEET,
    "columns": ["Giới tính (Nam/Nữ)"],
    "date_or_year": False,
    "commune": "Xã Tiên Yên",
    "own": "Phường Hạ Long",
    "row": 2,
    "id": 7,
}


@pytest.mark.parametrize("code", sorted(WORDS))
def test_every_code_is_worded_in_both_languages(code: str) -> None:
    with translation.override("en"):
        english = render(code, SAMPLE_PARAMS)
    with translation.override("vi"):
        vietnamese = render(code, SAMPLE_PARAMS)
    assert "%(" not in english and "%(" not in vietnamese
    assert english != vietnamese  # the Vietnamese catalogue has these msgids


def test_the_sheets_of_a_file_are_named_in_quotes() -> None:
    with translation.override("en"):
        text = render("file.no_sheet", SAMPLE_PARAMS)
    assert "Sheets in this file: “Sheet1”, “Tổng hợp”." in text


def test_id_number_rules_are_asked_again_when_read() -> None:
    asked = {"id_number": "022210012345", "sex": "F", "birth_year": 2016}
    with translation.override("en"):
        assert render(ID_NUMBER_RULES, {**asked, "index": 0}) == EN["sex"]
        assert render(ID_NUMBER_RULES, {**asked, "index": 1}) == EN["year"]
    with translation.override("vi"):
        assert render(ID_NUMBER_RULES, {**asked, "index": 0}) == VI["sex"]


def test_problems_recorded_before_codes_keep_their_text() -> None:
    assert render(RECORDED_TEXT, {"text": "Ngày sinh sai."}) == "Ngày sinh sai."
    assert ImportProblem(row=2, code=RECORDED_TEXT, params={"text": "Ngày sinh sai."}).message == (
        "Ngày sinh sai."
    )


def test_params_that_no_longer_fit_the_words_do_not_break_the_page() -> None:
    with translation.override("en"):
        assert render("sex.unknown", {}) == "Write Nam or Nữ, not “%(value)s”."


def test_an_unknown_code_is_refused_when_recorded() -> None:
    with pytest.raises(ValueError, match="unknown import problem code"):
        Problem("birth.typo")
