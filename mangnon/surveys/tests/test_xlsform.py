"""Importing XLSForms (surveys.xlsform): what is kept, what is refused and named, the file checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from mangnon.surveys.form import FormDefinition, Group, QuestionKind
from mangnon.surveys.xlsform import import_form, language_code

from .public_forms import public_form

FORMS = Path(__file__).parent / "forms"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def fixture(name: str) -> bytes:
    return public_form(name)


def refusals(data: bytes, filename: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        import_form(data, filename)
    return caught.value.message_dict["file"]


def md(rows: str, choices: str = "") -> bytes:
    text = "| survey |\n" + rows
    if choices:
        text += "| choices |\n" + choices
    return text.encode()


# -- the public fixture forms --------------------------------------------------------------------------


def test_group_fixture_imports():
    imported = import_form(fixture("group.xlsx"), "group.xlsx")
    definition = imported.definition
    assert [item.name for item in definition.items] == ["family_name", "father"]  # meta dropped
    father = definition.items[1]
    assert isinstance(father, Group) and not father.repeat
    phone, age = father.children
    assert phone.kind == QuestionKind.TEXT and phone.appearance == "numbers"
    assert age.kind == QuestionKind.INTEGER
    assert definition.label(age, "en") == "How old is your father?"
    assert any("phone_number" in w for w in imported.warnings)
    assert any("family_name" in w and "free text" in w for w in imported.warnings)
    # The definition survives its JSON form.
    assert FormDefinition.from_json(definition.to_json()) == definition


def test_yes_or_no_fixture_imports():
    imported = import_form(fixture("yes_or_no_question.xlsx"), "yes_or_no_question.xlsx")
    question = imported.definition.question("good_day")
    assert question is not None and question.kind == QuestionKind.SELECT_ONE
    assert [c.name for c in imported.definition.choices_of(question)] == ["yes", "no"]
    assert question.labels == {"en": "have you had a good day today?"}  # "english" column → en


def test_choice_filter_fixture_imports():
    definition = import_form(fixture("choice_filter_test.xlsx"), "choice_filter_test.xlsx").definition
    assert definition.title == "cascading selects"
    county = definition.question("county")
    assert county is not None and county.choice_filter == "${state}=cf"
    assert {c.extra["cf"] for c in definition.choices_of(county)} == {"texas", "washington"}


def test_biomass_form_is_refused_naming_each_construct():
    messages = refusals(fixture("UCL_Biomass_Plot_Form.xlsx"), "UCL_Biomass_Plot_Form.xlsx")
    text = "\n".join(messages)
    assert all("not supported" in m or "not a question" in m for m in messages)
    assert "“center_point”: the type “geopoint” is not supported" in text
    assert "“center_image”: the type “photo” is not supported" in text
    assert "“slope_radius”: the type “calculate” is not supported" in text
    assert "UCL_regions.csv" in text
    assert "“stems”: a repeat inside a repeat" in text
    assert "“deviceid” (deviceid) is not supported: it would identify the device" in text
    # A reference to a question that is not kept (a calculation here) is named too.
    assert "“tree_distance”: constraint refers to ${slope_radius}" in text


def test_spec_test_form_is_refused_naming_each_construct():
    messages = refusals(fixture("xlsform_spec_test.xlsx"), "xlsform_spec_test.xlsx")
    text = "\n".join(messages)
    for name, type_ in [
        ("time_test", "time"),
        ("datetime_test", "datetime"),
        ("barcode_test", "barcode"),
        ("audio_test", "audio"),
        ("video_test", "video"),
        ("acknowledge_test", "acknowledge"),
    ]:
        assert f"“{name}”: the type “{type_}” is not supported" in text
    assert "“phonenumber” (phonenumber)" in text
    assert "“uri_deviceid” (uri:deviceid)" in text
    assert "launch" in text and "another app" in text


def test_refusals_are_in_the_request_language():
    with translation.override("vi"):
        messages = refusals(fixture("UCL_Biomass_Plot_Form.xlsx"), "UCL_Biomass_Plot_Form.xlsx")
    assert any("geopoint" in m for m in messages)


# -- our own forms -------------------------------------------------------------------------------------


def test_every_supported_kind_with_languages_expressions_and_a_repeat():
    imported = import_form((FORMS / "supported.md").read_bytes(), "supported.md")
    definition = imported.definition
    assert definition.title == "Khảo sát học sinh"
    assert (definition.form_id, definition.version) == ("pupil_test", "2026-1")
    assert definition.default_language == "vi"
    assert set(definition.languages) == {"vi", "en"}
    kinds = {q.name: q.kind for q, _ in definition.questions()}
    assert kinds == {
        "intro": QuestionKind.NOTE,
        "age": QuestionKind.INTEGER,
        "sex": QuestionKind.SELECT_ONE,
        "distance": QuestionKind.DECIMAL,
        "acts": QuestionKind.SELECT_MULTIPLE,
        "joined": QuestionKind.DATE,
        "siblings": QuestionKind.INTEGER,
        "sib_age": QuestionKind.INTEGER,
        "sib_school": QuestionKind.SELECT_ONE,
        "area": QuestionKind.SELECT_ONE,
        "commune": QuestionKind.SELECT_ONE,
        "comment": QuestionKind.TEXT,
    }
    age = definition.question("age")
    assert age is not None
    assert age.labels == {"vi": "Em bao nhiêu tuổi?", "en": "How old are you?"}
    assert age.hints == {"en": "Years"}
    assert age.required == "yes" and age.required_messages == {"en": "Please give your age"}
    assert age.constraint == ". >= 6 and . <= 18"
    assert age.constraint_messages["vi"] == "Tuổi từ 6 đến 18"
    assert definition.question("sex").required == "yes"  # true()
    assert definition.question("distance").required == ""  # no
    assert definition.question("joined").required == "${sex} = 'f'"
    school = next(i for i in definition.items if i.name == "school")
    assert isinstance(school, Group) and school.relevant == "${age} >= 10"
    sibling = next(i for i in definition.items if i.name == "sibling")
    assert isinstance(sibling, Group) and sibling.repeat and sibling.repeat_count == "${siblings}"
    assert definition.question("commune").choice_filter == "area = ${area}"
    assert any("comment" in w for w in imported.warnings)
    assert FormDefinition.from_json(definition.to_json()) == definition


@pytest.mark.parametrize(
    ("column", "code"),
    [
        ("Vietnamese (vi)", "vi"),
        ("English (en)", "en"),
        ("english", "en"),
        ("Vietnamese", "vi"),
        ("Tiếng Việt", "vi"),
        ("default", ""),
        ("Swahili (sw)", "sw"),
        ("French", "french"),
    ],
)
def test_language_codes(column, code):
    assert language_code(column) == code


def test_start_end_today_are_dropped_with_a_warning():
    imported = import_form(
        md(
            "| | type | name | label |\n| | start | start | |\n| | end | end | |\n| | today | today | |\n"
            "| | integer | n | N |\n"
        ),
        "f.md",
    )
    assert [q.name for q, _ in imported.definition.questions()] == ["n"]
    assert sum("only the date" in w for w in imported.warnings) == 3


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("| | geopoint | here | Where |\n", "“here”: the type “geopoint” is not supported"),
        ("| | image | pic | Photo |\n", "“pic”: the type “photo” is not supported"),
        ("| | range | r | R |\n", "“r”: the type “range” is not supported"),
        ("| | calculate | c | | 1 + 1 |\n", "“c”: the type “calculate” is not supported"),
        ("| | hidden | h | |\n", "“h”: the type “hidden” is not supported"),
        ("| | file | f | F |\n", "“f”: the type “file” is not supported"),
        ("| | deviceid | d | |\n", "“d” (deviceid) is not supported: it would identify the device"),
        ("| | username | u | |\n", "“u” (username) is not supported"),
        ("| | email | e | |\n", "“e” (email) is not supported"),
        ("| | subscriberid | s | |\n", "“s” (subscriberid) is not supported"),
        ("| | simserial | s | |\n", "“s” (simserial) is not supported"),
        ("| | audit | audit | |\n", "“audit” (audit) is not supported"),
        ("| | select_one_from_file a.csv | f | F |\n", "choices from a file (a.csv) are not supported"),
    ],
)
def test_unsupported_types_are_refused(row, expected):
    messages = refusals(
        md("| | type | name | label | calculation |\n| | integer | n | N | |\n" + row), "f.md"
    )
    assert any(expected in m for m in messages), messages


def test_expression_problems_are_refused():
    messages = refusals(
        md(
            "| | type | name | label | relevant | constraint | required |\n"
            "| | integer | a | A | | | |\n"
            "| | integer | b | B | count(${a}) > sqrt(1) | | |\n"
            "| | integer | c | C | | pulldata('x', 'y', 'z', .) > 1 | |\n"
            "| | integer | d | D | | | /data/a > 1 |\n"
            "| | text | e | E | | regex(., '([') | |\n"
        ),
        "f.md",
    )
    text = "\n".join(messages)
    assert "“b”: relevant uses sqrt(), which is not supported" in text
    assert "“c”: constraint uses pulldata(), which is not supported" in text
    assert "“d”: required uses /" in text
    assert "“e”: constraint cannot be read" in text


def test_choice_filter_on_an_unknown_column_is_refused():
    messages = refusals(
        md(
            "| | type | name | label | choice_filter |\n| | select_one l | a | A | |\n"
            "| | select_one l | b | B | colour = ${a} |\n",
            "| | list_name | name | label |\n| | l | x | X |\n| | l | y | Y |\n",
        ),
        "f.md",
    )
    assert any("“colour”" in m for m in messages)


def test_or_other_is_refused():
    messages = refusals(
        md(
            "| | type | name | label |\n| | select_one l or_other | a | A |\n",
            "| | list_name | name | label |\n| | l | x | X |\n",
        ),
        "f.md",
    )
    assert any("or_other" in m and "“a”" in m for m in messages)


def test_media_is_ignored_with_a_warning():
    imported = import_form(md("| | type | name | label | image |\n| | note | n | Look | a.jpg |\n"), "f.md")
    assert any("“n”" in w and "images" in w for w in imported.warnings)


def test_csv_form_imports():
    data = b"survey,,,\n,type,name,label\n,integer,n,How many?\n"
    definition = import_form(data, "form.csv").definition
    assert definition.question("n").kind == QuestionKind.INTEGER


# -- file checks ---------------------------------------------------------------------------------------


def test_file_checks(settings):
    assert any(".xlsx" in m for m in refusals(b"PK\x03\x04 data", "form.pdf"))
    assert any("not a xlsx file" in m for m in refusals(b"not a zip", "form.xlsx"))
    assert any("not a xls file" in m for m in refusals(b"PK\x03\x04", "form.xls"))
    assert any("not a md file" in m for m in refusals(b"\xff\xfe\x00bad", "form.md"))
    assert any("empty" in m for m in refusals(b"", "form.md"))
    with translation.override("vi"):
        assert refusals(b"", "form.md") == ["Tệp trống."]
    settings.MANGNON_SURVEY_FORM_MAX_BYTES = 10
    assert any("larger" in m for m in refusals(b"| survey |\n| | type |\n", "form.md"))


def test_a_broken_workbook_is_refused_with_pyxform_message():
    messages = refusals(b"PK\x03\x04 this is no workbook", "form.xlsx")
    assert messages[0].startswith("The file could not be read as an XLSForm")
    messages = refusals(b"| survey |\n| | type | name | label |\n| | integer | | N |\n", "form.md")
    assert "could not be read" in messages[0]
