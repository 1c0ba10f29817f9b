"""The server's validation of answers (surveys.answers): a crafted POST cannot skip a required question
or store an out-of-range value."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from mangnon.surveys.answers import clean_page, clean_response, field_name, relevant_pages
from mangnon.surveys.form import FormDefinition
from mangnon.surveys.xlsform import import_form

FORMS = Path(__file__).parent / "forms"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    # Questions: intro (note), age (integer 6–18, required), sex (select_one m/f, required);
    # group school (relevant age >= 10): distance (decimal > 0), acts (select_multiple), joined (date,
    # required when sex = f, not after today); siblings (integer 0–10); repeat sibling (count
    # ${siblings}, relevant siblings > 0): sib_age (integer < 40, required), sib_school (yes/no, relevant
    # sib_age >= 6); area (north/south); commune (choice_filter area = ${area}); comment (text).
    with translation.override("en"):
        return import_form((FORMS / "supported.md").read_bytes(), "supported.md").definition


def page_of(form: FormDefinition, name: str):
    return next(p for p in form.pages() if any(i.name == name for i in p.items))


VALID = {
    "age": 12,
    "sex": "f",
    "distance": "1.5",
    "acts": ["sport", "club"],
    "joined": "2024-09-05",
    "siblings": 2,
    "sibling": [{"sib_age": 4}, {"sib_age": 8, "sib_school": "yes"}],
    "area": "north",
    "commune": "c2",
    "comment": "Vui",
}


def test_field_name():
    assert field_name("age") == "age"
    assert field_name("sib_age", "sibling", 2) == "sibling.2.sib_age"


# -- whole responses -----------------------------------------------------------------------------------


def test_a_valid_response_is_kept_as_is(form):
    cleaned, errors = clean_response(form, dict(VALID))
    assert errors == {}
    assert cleaned == VALID


def test_crafted_response_skipping_a_required_question_is_refused(form):
    answers = dict(VALID)
    del answers["age"]
    _cleaned, errors = clean_response(form, answers)
    assert errors["age"] == "Please give your age"  # the form's own required message
    answers = dict(VALID)
    del answers["sex"]
    _cleaned, errors = clean_response(form, answers)
    assert errors["sex"] == "This question needs an answer."


def test_required_by_expression(form):
    answers = dict(VALID)
    del answers["joined"]
    assert "joined" in clean_response(form, answers)[1]  # sex = f: required
    answers["sex"] = "m"
    assert clean_response(form, answers)[1] == {}


def test_out_of_range_values_are_refused(form):
    for name, value, message in [
        ("age", 40, "Age from 6 to 18"),
        ("age", 5, "Age from 6 to 18"),
        ("distance", "-1", "This answer is not allowed."),
        ("siblings", 11, "This answer is not allowed."),
        ("joined", "2999-01-01", "This answer is not allowed."),
    ]:
        answers = {**VALID, name: value}
        _cleaned, errors = clean_response(form, answers)
        assert errors == {name: message}, (name, value)


def test_out_of_range_inside_a_repeat(form):
    answers = {**VALID, "sibling": [{"sib_age": 4}, {"sib_age": 45}]}
    _cleaned, errors = clean_response(form, answers)
    assert errors == {"sibling.1.sib_age": "This answer is not allowed."}


def test_unknown_question_and_choice_are_refused(form):
    _cleaned, errors = clean_response(form, {**VALID, "name": "Nguyễn Văn A"})
    assert errors == {"name": "This is not a question of the form."}
    _cleaned, errors = clean_response(form, {**VALID, "sex": "x"})
    assert errors == {"sex": "This choice is not one of the question's choices."}
    _cleaned, errors = clean_response(form, {**VALID, "acts": ["sport", "chess"]})
    assert errors == {"acts": "This choice is not one of the question's choices."}
    _cleaned, errors = clean_response(form, {**VALID, "sibling": [{"sib_age": 4}, {"sib_age": 8, "x": 1}]})
    assert "sibling.1.x" in errors


def test_choice_filter_limits_the_choices(form):
    _cleaned, errors = clean_response(form, {**VALID, "commune": "c3"})  # c3 is in the south
    assert errors == {"commune": "This choice is not one of the question's choices."}
    assert clean_response(form, {**VALID, "area": "south", "commune": "c3"})[1] == {}


def test_values_of_the_wrong_type_are_refused_even_when_they_would_be_dropped(form):
    for name, value in [
        ("age", "12"),
        ("age", True),
        ("age", 12.5),
        ("distance", 1.5),
        ("distance", "1,5"),
        ("distance", "abc"),
        ("acts", "sport"),
        ("acts", ["sport", "sport"]),
        ("sex", ["f"]),
        ("joined", "05/09/2024"),
        ("joined", "2024-02-30"),
        ("sibling", {"sib_age": 4}),
        ("intro", "a note takes no answer"),
    ]:
        _cleaned, errors = clean_response(form, {**VALID, name: value})
        assert name in errors, (name, value)
    # age 8: the school group is not asked, yet a wrongly typed answer in it is still refused.
    _cleaned, errors = clean_response(form, {**VALID, "age": 8, "distance": 3})
    assert "distance" in errors
    assert clean_response(form, ["not", "a", "dict"])[1]


def test_relevance_drops_answers(form):
    cleaned, errors = clean_response(form, {**VALID, "age": 8})  # the school group is not asked
    assert errors == {}
    assert "distance" not in cleaned and "acts" not in cleaned and "joined" not in cleaned
    cleaned, errors = clean_response(form, {**VALID, "siblings": 0, "sibling": []})
    assert errors == {} and "sibling" not in cleaned
    # A sibling under 6 is not asked about school: the answer is dropped.
    answers = {**VALID, "sibling": [{"sib_age": 4, "sib_school": "no"}, {"sib_age": 8}]}
    cleaned, errors = clean_response(form, answers)
    assert errors == {}
    assert cleaned["sibling"] == [{"sib_age": 4}, {"sib_age": 8}]


def test_a_fixed_repeat_count_makes_that_many_instances(form):
    _cleaned, errors = clean_response(form, {**VALID, "siblings": 3})
    assert errors == {"sibling.2.sib_age": "This question needs an answer."}
    cleaned, errors = clean_response(form, {**VALID, "siblings": 1})
    assert errors == {} and cleaned["sibling"] == [{"sib_age": 4}]


def test_too_many_instances_are_refused(form):
    _cleaned, errors = clean_response(form, {**VALID, "sibling": [{"sib_age": 1}] * 51})
    assert "sibling" in errors


def test_empty_optional_answers(form):
    answers = {**VALID, "comment": "", "acts": []}
    cleaned, errors = clean_response(form, answers)
    assert errors == {} and "comment" not in cleaned and "acts" not in cleaned


# -- pages ---------------------------------------------------------------------------------------------


def test_relevant_pages(form):
    names = [[i.name for i in p.items] for p in relevant_pages(form, {"age": 12})]
    assert ["school"] in names
    names = [[i.name for i in p.items] for p in relevant_pages(form, {"age": 8})]
    assert ["school"] not in names
    assert len(relevant_pages(form, {})) == len(form.pages()) - 1  # school: age "" is not >= 10


def test_clean_page_parses_each_kind(form):
    first = page_of(form, "age")
    answers, errors = clean_page(form, first, {"age": ["12"], "sex": ["f"], "intro": ["x"]}, {})
    assert errors == {}
    assert answers == {"age": 12, "sex": "f"}  # the note takes no answer
    school = page_of(form, "school")
    data = {"distance": ["1,5"], "acts": ["sport", "music"], "joined": ["2024-09-05"]}
    answers, errors = clean_page(form, school, data, answers)
    assert errors == {}
    assert answers["distance"] == "1.5" and answers["acts"] == ["sport", "music"]
    assert answers["joined"] == "2024-09-05"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"age": ["twelve"], "sex": ["f"]}, "age", "Enter a whole number."),
        ({"age": ["1.5"], "sex": ["f"]}, "age", "Enter a whole number."),
        ({"age": ["30"], "sex": ["f"]}, "age", "Age from 6 to 18"),
        ({"age": [""], "sex": ["f"]}, "age", "Please give your age"),
        ({"age": ["12"]}, "sex", "This question needs an answer."),
        ({"age": ["12"], "sex": ["z"]}, "sex", "This choice is not one of the question's choices."),
        ({"age": ["12", "13"], "sex": ["f"]}, "age", "Give one answer only."),
    ],
)
def test_clean_page_errors(form, data, field, message):
    _answers, errors = clean_page(form, page_of(form, "age"), data, {})
    assert errors == {field: message}


def test_clean_page_wrong_values_in_a_group(form):
    school = page_of(form, "school")
    _answers, errors = clean_page(form, school, {"distance": ["x"], "joined": ["2024-13-01"]}, {"age": 12})
    assert errors == {"distance": "Enter a number.", "joined": "Enter a date."}


def test_clean_page_drops_what_is_not_asked(form):
    school = page_of(form, "school")
    answers, errors = clean_page(form, school, {"distance": ["2"]}, {"age": 8, "distance": "1"})
    assert errors == {} and "distance" not in answers


def test_clean_page_repeat(form):
    page = page_of(form, "sibling")
    data = {
        "siblings": ["2"],
        "sibling.0.sib_age": ["4"],
        "sibling.0.sib_school": ["yes"],  # not asked: under 6
        "sibling.1.sib_age": ["9"],
        "sibling.1.sib_school": ["no"],
        "area": ["north"],
        "commune": ["c1"],
    }
    answers, errors = clean_page(form, page, data, {"age": 12, "sex": "m"})
    assert errors == {}
    assert answers["sibling"] == [{"sib_age": 4}, {"sib_age": 9, "sib_school": "no"}]
    data["sibling.1.sib_age"] = [""]
    _answers, errors = clean_page(form, page, data, {"age": 12, "sex": "m"})
    assert errors == {"sibling.1.sib_age": "This question needs an answer."}


def test_repeat_without_a_fixed_count_takes_the_instances_posted():
    definition = import_form(
        b"| survey |\n| | type | name | label | required |\n| | begin_repeat | kid | Kid | |\n"
        b"| | integer | kid_age | Age | yes |\n| | end_repeat | | | |\n",
        "f.md",
    ).definition
    page = definition.pages()[0]
    answers, errors = clean_page(definition, page, {"kid.0.kid_age": ["3"], "kid.1.kid_age": ["5"]}, {})
    assert errors == {} and answers["kid"] == [{"kid_age": 3}, {"kid_age": 5}]
    answers, errors = clean_page(definition, page, {"kid.count": ["1"], "kid.0.kid_age": ["3"]}, {})
    assert answers["kid"] == [{"kid_age": 3}]
    _answers, errors = clean_page(definition, page, {"kid.count": ["51"]}, {})
    assert "kid" in errors
    _answers, errors = clean_page(definition, page, {"kid.60.kid_age": ["3"]}, {})
    assert "kid" in errors
    cleaned, errors = clean_response(definition, {"kid": [{"kid_age": 3}]})
    assert errors == {} and cleaned == {"kid": [{"kid_age": 3}]}
