"""The XLSX export of a round's results: cells, suppression marks, formula safety, audit, forbidden."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.surveys.form import Choice, FormDefinition
from mangnon.surveys.tests.factories import QuestionnaireFactory, round_with_a_tiny_school, small_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round(units: Any) -> Any:
    small = small_definition()
    # A choice label that would be a formula if written as such.
    definition = FormDefinition(
        title=small.title,
        items=small.items,
        choices={**small.choices, "yes_no": (Choice("yes", {"vi": "=1+1"}), Choice("no", {"vi": "Không"}))},
        languages=small.languages,
        default_language="vi",
    )
    return round_with_a_tiny_school(questionnaire=QuestionnaireFactory(form=definition), comment="=cmd|x")


def _url(survey_round: Any) -> str:
    return f"/surveys/rounds/{survey_round.pk}/results.xlsx"


def test_export_cells_and_marks(personas: Any, client_for: Any, survey_round: Any) -> None:
    r = client_for(personas.survey).get(_url(survey_round), {"by": "school"})
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert len(book.sheetnames) == 2 and book.sheetnames[1] in ("Notes", "Ghi chú")
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    text = str(rows)
    assert "Trường Nhỏ" not in text and "=cmd" not in text
    violence = [row for row in rows if row[0] == "violence_12m" and row[2] == "Trường Lớn"]
    # 8 "no", 0 "yes" in the big school: shown as they are; the "yes" column total (3) is the mark.
    assert {row[3]: row[4] for row in violence}["Không"] == 8
    yes_total = next(
        row for row in rows if row[0] == "violence_12m" and row[3] == "=1+1" and row[2] != "Trường Lớn"
    )
    assert yes_total[4] == "•"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    notes = [[c.value for c in row] for row in book.worksheets[1].iter_rows()]
    assert any(row[1] == 5 for row in notes)


def test_export_is_audited(personas: Any, client_for: Any, survey_round: Any) -> None:
    client_for(personas.survey).get(_url(survey_round))
    event = AuditEvent.objects.get(object_type="surveys.surveyround", object_id=str(survey_round.pk))
    assert event.action == AuditAction.EXPORT


def test_export_forbidden(personas: Any, client_for: Any, client: Any, survey_round: Any) -> None:
    assert client_for(personas.officer_b).get(_url(survey_round)).status_code == 404
    assert client_for(personas.hotline).get(_url(survey_round)).status_code == 403
    assert client.get(_url(survey_round)).status_code == 302
    assert not AuditEvent.objects.filter(object_type="surveys.surveyround").exists()
