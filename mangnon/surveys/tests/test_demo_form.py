"""The demo questionnaire (demo/violence_2020.md): a genuine XLSForm workbook that imports through
`xlsform.import_form` with no refusal, asks what the brief lists with the care a survey of children
needs, and whose skip logic and constraints the server enforces; the demo's synthetic answers keep to
it. No database: the form and the answers are checked as they are."""

from __future__ import annotations

import io
import random
from collections import Counter

import pytest
from openpyxl import load_workbook

from mangnon.surveys import demo_data
from mangnon.surveys.answers import clean_response
from mangnon.surveys.demo_form import (
    DEMO_FORM_FILENAME,
    demo_form_text,
    demo_form_workbook,
    read_sheets,
    xlsform_workbook,
)
from mangnon.surveys.form import FormDefinition, QuestionKind
from mangnon.surveys.xlsform import import_form

SO, SM, INT, NOTE = (
    QuestionKind.SELECT_ONE,
    QuestionKind.SELECT_MULTIPLE,
    QuestionKind.INTEGER,
    QuestionKind.NOTE,
)

# (group, question, kind) in the form's order.
QUESTIONS = [
    ("", "intro", NOTE),
    ("about", "sex", SO),
    ("about", "grade", SO),
    ("about", "age", INT),
    ("about", "boarding", SO),
    ("safety", "safe_school", SO),
    ("safety", "safe_home", SO),
    ("safety", "knows_111", SO),
    ("safety", "tell_whom", SM),
    ("violence", "violence_note", NOTE),
    ("violence", "violence_12m", SO),
    ("violence", "violence_where", SM),
    ("violence", "violence_by", SM),
    ("violence", "violence_told", SO),
    ("abuse", "abuse_note", NOTE),
    ("abuse", "abuse_12m", SO),
    ("abuse", "abuse_told", SO),
    ("abuse", "abuse_help", SO),
    ("end", "safer", SM),
    ("end", "end_note", NOTE),
]

BASE = {"sex": "female", "grade": "7", "age": 12, "boarding": "yes"}


@pytest.fixture(scope="module")
def definition() -> FormDefinition:
    return import_form(demo_form_workbook(), DEMO_FORM_FILENAME).definition


def test_the_file_is_an_xlsform_workbook() -> None:
    data = demo_form_workbook()
    assert data.startswith(b"PK\x03\x04")
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = next(book["survey"].iter_rows(max_row=1, values_only=True))
    assert header[:4] == ("type", "name", "label::Vietnamese (vi)", "label::English (en)")
    settings_header = next(book["settings"].iter_rows(max_row=1, values_only=True))
    assert settings_header == ("form_title", "form_id", "version", "default_language")


def test_it_imports_with_no_refusal_nor_warning_and_as_its_markdown_text_does() -> None:
    imported = import_form(demo_form_workbook(), DEMO_FORM_FILENAME)
    assert imported.warnings == []
    from_text = import_form(demo_form_text().encode(), "violence_2020.md")
    assert imported.definition.to_json() == from_text.definition.to_json()
    d = imported.definition
    assert (d.form_id, d.version, d.default_language, d.languages) == (
        "violence_2020",
        "2020-1",
        "vi",
        ("vi", "en"),
    )
    assert d.title == "Khảo sát học sinh về bạo lực, xâm hại tình dục trẻ em"


def test_the_questions(definition: FormDefinition) -> None:
    found = [(parents[0].name if parents else "", q.name, q.kind) for q, parents in definition.questions()]
    assert found == QUESTIONS
    # One page to welcome, then one per group.
    assert [p.group.name if p.group else "" for p in definition.pages()] == [
        "", "about", "safety", "violence", "abuse", "end",
    ]  # fmt: skip
    sexes = [c.name for c in definition.choices["sex"]]
    assert sexes == ["male", "female", "undisclosed"]
    assert [c.name for c in definition.choices["grade"]] == ["6", "7", "8", "9"]
    assert [c.name for c in definition.choices["whom"]] == [
        "teacher", "parent", "friend", "police", "hotline", "no_one",
    ]  # fmt: skip
    assert [c.name for c in definition.choices["place"]] == [
        "home",
        "school",
        "dormitory",
        "online",
        "elsewhere",
    ]
    assert [c.name for c in definition.choices["yes_no_skip"]] == ["yes", "no", "undisclosed"]


def test_written_with_care(definition: FormDefinition) -> None:
    questions = {q.name: (q, parents) for q, parents in definition.questions()}
    for question, _parents in questions.values():
        assert question.labels.get("vi") and question.labels.get("en"), question.name
        assert question.kind != QuestionKind.TEXT  # no free text: a pupil might write a name
        if question.constraint:
            assert set(question.constraint_messages) == {"vi", "en"}, question.name
    for item in definition.items:
        assert item.labels.get("vi") and item.labels.get("en")
    # Only "about" is required; a pupil may always skip the rest.
    required = {name for name, (q, _p) in questions.items() if q.required}
    assert required == {"sex", "grade", "age", "boarding"}
    # The hotline at the start and at the end; skipping said in words.
    intro, end = questions["intro"][0], questions["end_note"][0]
    for note in (intro, end):
        assert "111" in note.labels["vi"] and "111" in note.labels["en"]
    assert "bỏ qua" in intro.labels["vi"] and "skip" in intro.labels["en"]
    assert "tên" in intro.labels["vi"]  # no name asked, and said so
    assert questions["age"][0].constraint == ". >= 10 and . <= 18"
    for name in ("violence_where", "violence_by", "violence_told"):
        assert questions[name][0].relevant == "${violence_12m} = 'yes'"
    for name in ("abuse_told", "abuse_help"):
        assert questions[name][0].relevant == "${abuse_12m} = 'yes'"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({**BASE, "age": 9}, "age"),
        ({**BASE, "age": 19}, "age"),
        ({**BASE, "grade": "10"}, "grade"),
        ({k: v for k, v in BASE.items() if k != "sex"}, "sex"),
        ({**BASE, "tell_whom": ["no_one", "teacher"]}, "tell_whom"),
        (
            {**BASE, "boarding": "no", "violence_12m": "yes", "violence_where": ["dormitory"]},
            "violence_where",
        ),
        ({**BASE, "violence_12m": "yes", "violence_by": ["undisclosed", "pupil"]}, "violence_by"),
        ({**BASE, "comment": "Nguyễn Văn A"}, "comment"),
    ],
)
def test_the_server_refuses_what_the_form_does_not_allow(
    definition: FormDefinition, answers: dict[str, object], field: str
) -> None:
    _cleaned, errors = clean_response(definition, answers)
    assert field in errors


def test_skip_logic_on_the_server(definition: FormDefinition) -> None:
    # Only the "about" page is required: everything else may be skipped.
    cleaned, errors = clean_response(definition, dict(BASE))
    assert (cleaned, errors) == (BASE, {})
    # Follow-up answers to a question answered "no" are dropped.
    answers = {
        **BASE,
        "violence_12m": "no",
        "violence_told": "yes",
        "abuse_12m": "undisclosed",
        "abuse_help": "no",
    }
    cleaned, errors = clean_response(definition, answers)
    assert errors == {}
    assert cleaned == {**BASE, "violence_12m": "no", "abuse_12m": "undisclosed"}


def test_the_synthetic_answers_keep_to_the_form(definition: FormDefinition) -> None:
    rng = random.Random(2020)
    seen: Counter[tuple[str, object]] = Counter()
    for n in range(600):
        answers = demo_data.pupil_answers(rng, boarding_school=n % 4 == 0)
        cleaned, errors = clean_response(definition, answers)
        assert errors == {}
        assert cleaned == answers  # nothing to drop: the generator asks only what the form asks
        assert 10 <= answers["age"] <= 18 and answers["age"] - int(answers["grade"]) in (4, 5, 6, 7)
        for key in ("violence_12m", "abuse_12m"):
            seen[(key, answers.get(key))] += 1
    # Realistic prevalence for a school survey (synthetic): about a fifth and about one in twenty-five.
    assert 0.15 <= seen[("violence_12m", "yes")] / 600 <= 0.28
    assert 0.015 <= seen[("abuse_12m", "yes")] / 600 <= 0.07
    assert seen[("violence_12m", None)] + seen[("abuse_12m", None)] > 0  # some skip
    again = random.Random(2020)
    assert demo_data.pupil_answers(again, boarding_school=True) == demo_data.pupil_answers(
        random.Random(2020), boarding_school=True
    )


def test_the_workbook_maker() -> None:
    text = (
        "| survey |\n|  | type | name | label |\n|  | note | hi | Pipe \\| inside |\n"
        "| settings |\n|  | form_id |\n|  | x |\n"
    )
    assert read_sheets(text) == {
        "survey": [["type", "name", "label"], ["note", "hi", "Pipe | inside"]],
        "settings": [["form_id"], ["x"]],
    }
    book = load_workbook(io.BytesIO(xlsform_workbook(text)))
    assert [[c.value for c in row] for row in book["survey"].iter_rows()] == [
        ["type", "name", "label"],
        ["note", "hi", "Pipe | inside"],
    ]
    with pytest.raises(ValueError, match="no XLSForm sheet"):
        xlsform_workbook("no table here")
