"""What the tests of the row imports (activities, support) share: building a workbook, the fixtures of
their pages (clients reading English, uploading and confirming), and two autouse fixtures (an upload
directory of the test's own, messages in English) that a test module imports by name.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from mangnon.registry.models import ImportJob


def xlsx(sheet: str, headings: list[str], rows: list[list[object]]) -> bytes:
    """A workbook of one sheet: the headings, then the rows (a text starting with = is a formula)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    ws.append(headings)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in job.problems.all()]


@pytest.fixture(autouse=True)
def upload_dir(settings: Any, tmp_path: Path) -> Path:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def english_clients(client_for: Any, settings: Any) -> Callable[[Any], Any]:
    """Clients that read the site in English, so messages compare with their msgids (the import's
    tasks run in the request's thread and language)."""

    def make(user: Any) -> Any:
        c = client_for(user)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


def page_fixtures(home: str, confirm_url_name: str) -> tuple[Any, ...]:
    """The fixtures of a test module of an import's pages: `client_for` (over the project's, reading
    English), `officer` (commune A's officer's client), `send(data, client=None)` (upload, run the dry
    run, return the job) and `confirm(job, client=None)` (confirm, run the import, return the job).
    Assign them at module level: `client_for, officer, send, confirm = page_fixtures(...)`."""

    @pytest.fixture(name="client_for")
    def english_client_for(client_for: Any, settings: Any) -> Any:
        return english_clients(client_for, settings)

    @pytest.fixture
    def officer(personas: Any, client_for: Any) -> Any:
        return client_for(personas.officer_a)

    @pytest.fixture
    def send(officer: Any, django_capture_on_commit_callbacks: Any) -> Any:
        def go(data: bytes, client: Any = None, name: str = "import.xlsx") -> ImportJob:
            with django_capture_on_commit_callbacks(execute=True):
                response = (client or officer).post(home, {"file": SimpleUploadedFile(name, data)})
            assert response.status_code == 302, response.content.decode()[:2000]
            return ImportJob.objects.latest("pk")

        return go

    @pytest.fixture
    def confirm(officer: Any, django_capture_on_commit_callbacks: Any) -> Any:
        from django.urls import reverse

        def go(job: ImportJob, client: Any = None) -> ImportJob:
            with django_capture_on_commit_callbacks(execute=True):
                response = (client or officer).post(reverse(confirm_url_name, args=[job.pk]))
            assert response.status_code == 302
            job.refresh_from_db()
            return job

        return go

    return english_client_for, officer, send, confirm


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages compared in English (the msgids)."""
    from django.utils import translation

    with translation.override("en"):
        yield
