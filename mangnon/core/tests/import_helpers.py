"""What the tests of the row imports (activities, support) share: building a workbook, clients reading
English, uploading and confirming through the pages, and two autouse fixtures (an upload directory of
the test's own, messages in English) that a test module imports by name.
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
    tasks run in the request's thread and language): a test module's `client_for` fixture over the
    project's returns this."""

    def make(user: Any) -> Any:
        c = client_for(user)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


def uploader(default: Any, url: str, capture: Any) -> Callable[..., ImportJob]:
    """Upload a file through `url` (as `default` unless another client is given), run its dry run at
    commit, and return the job."""

    def go(data: bytes, client: Any = None, name: str = "import.xlsx") -> ImportJob:
        with capture(execute=True):
            response = (client or default).post(url, {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 302, response.content.decode()[:2000]
        return ImportJob.objects.latest("pk")

    return go


def confirmer(default: Any, url_name: str, capture: Any) -> Callable[..., ImportJob]:
    """Confirm a job through its page (as `default` unless another client is given) and run the import."""
    from django.urls import reverse

    def go(job: ImportJob, client: Any = None) -> ImportJob:
        with capture(execute=True):
            response = (client or default).post(reverse(url_name, args=[job.pk]))
        assert response.status_code == 302
        job.refresh_from_db()
        return job

    return go


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages compared in English (the msgids)."""
    from django.utils import translation

    with translation.override("en"):
        yield
