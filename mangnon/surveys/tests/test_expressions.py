"""The expression subset evaluated on the server (surveys.expressions)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mangnon.surveys.expressions import (
    ExpressionError,
    bare_names,
    evaluate,
    parse,
    references,
    truthy,
    used_unsupported,
)
from mangnon.surveys.form import Choice


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("7 div 2", 3.5),
        ("7 mod 3", 1),
        ("-2 + 5", 3),
        ("- (2 + 1)", -3),
        ("1 + 1 = 2", True),
        ("1 < 2 = 1", True),  # relational binds tighter than equality: (1 < 2) = 1
        ("1 = 1 or 1 = 2 and 2 = 3", True),  # and binds tighter than or
        ("(1 = 1 or 1 = 2) and 2 = 3", False),
        ("2 > 1 and 3 >= 3 and 2 <= 2 and 1 != 2", True),
    ],
)
def test_precedence_and_arithmetic(expr, expected):
    assert evaluate(expr, {}) == expected


def test_references_and_current():
    answers = {"age": 12, "name": "An", "rate": "1.5"}
    assert evaluate("${age} >= 10", answers) is True
    assert evaluate("${age} + 1", answers) == 13
    assert evaluate("${rate} * 2", answers) == 3
    assert evaluate(". > 5 and . < 20", answers, current=12) is True
    assert evaluate(". > 5", answers, current="") is False
    assert evaluate("${missing} = ''", answers) is True


def test_empty_values():
    assert evaluate("${x} = ''", {"x": ""}) is True
    assert evaluate("${x} = ''", {"x": None}) is True
    assert evaluate("${x} < 3", {"x": ""}) is False  # NaN compares false
    assert evaluate("${x} > 3", {"x": ""}) is False
    assert evaluate("string-length(${x})", {}) == 0
    assert evaluate("${x} + 1", {"x": ""}) != evaluate("${x} + 1", {"x": ""})  # NaN


def test_numeric_versus_string_comparison():
    assert evaluate("${a} = 1", {"a": "1.0"}) is True  # both read as numbers
    assert evaluate("${a} = '01'", {"a": "1"}) is True
    assert evaluate("${a} = 'yes'", {"a": "yes"}) is True
    assert evaluate("${a} = 'Yes'", {"a": "yes"}) is False
    assert evaluate("${a} != 'no'", {"a": "yes"}) is True
    assert evaluate("${a} < 10", {"a": "9"}) is True  # numeric, not "9" < "10" as strings
    assert evaluate("${a} < 'abc'", {"a": "9"}) is False  # NaN


def test_dates_compare_as_iso_strings():
    answers = {"d": "2025-03-01"}
    assert evaluate("${d} = '2025-03-01'", answers) is True
    assert evaluate("${d} < '2025-10-01'", answers) is True
    assert evaluate("${d} > '2024-12-31'", answers) is True
    assert evaluate("${d} <= today()", answers) is True


def test_select_multiple_values():
    answers = {"sports": ["football", "chess"], "one": "football"}
    assert evaluate("selected(${sports}, 'chess')", answers) is True
    assert evaluate("selected(${sports}, 'swim')", answers) is False
    assert evaluate("selected(${one}, 'football')", answers) is True
    assert evaluate("count-selected(${sports})", answers) == 2
    assert evaluate("count-selected(${none})", answers) == 0
    assert evaluate("${sports} = 'football chess'", answers) is True
    assert evaluate("not(selected(., 'yes') and selected(., 'no'))", {}, current=["yes", "no"]) is False


def test_functions():
    answers = {"t": "Hà Nội", "n": "3.456", "e": ""}
    assert evaluate("not(true())", answers) is False
    assert evaluate("false()", answers) is False
    assert evaluate("string-length(${t})", answers) == 6
    assert evaluate("regex(${t}, '^H')", answers) is True
    assert evaluate("regex('abc', '^[0-9]+$')", answers) is False
    assert evaluate("contains(${t}, 'Nội')", answers) is True
    assert evaluate("starts-with(${t}, 'Hà')", answers) is True
    assert evaluate("ends-with(${t}, 'x')", answers) is False
    assert evaluate("concat('a', 1, ${t})", answers) == "a1Hà Nội"
    assert evaluate("coalesce(${e}, 'x')", answers) == "x"
    assert evaluate("coalesce(${t}, 'x')", answers) == "Hà Nội"
    assert evaluate("if(${n} > 3, 'big', 'small')", answers) == "big"
    assert evaluate("number('12') + 1", answers) == 13
    assert evaluate("int(-3.7)", answers) == -3
    assert evaluate("string(12)", answers) == "12"
    assert evaluate("round(${n}, 2)", answers) == pytest.approx(3.46)
    assert evaluate("round(2.5)", answers) == 3
    assert evaluate("today()", answers) == timezone.localdate().isoformat()
    assert len(evaluate("today()", answers)) == 10


def test_regex_that_does_not_compile_is_refused():
    with pytest.raises(ExpressionError):
        evaluate("regex(., '([a-z')", {}, current="a")


def test_count_and_sum_over_a_repeat():
    answers = {"children": [{"age": 4}, {"age": 7}, {"age": ""}], "top": 1}
    assert evaluate("count(${children})", answers) == 3
    assert evaluate("sum(${age})", answers) == 11
    assert evaluate("count(${children}) > 2", answers) is True
    assert evaluate("count(${none})", answers) == 0


def test_choice_filter_reads_the_choice_columns():
    texas = Choice("king", {"": "King"}, {"cf": "texas"})
    washington = Choice("pierce", {"": "Pierce"}, {"cf": "washington"})
    answers = {"state": "texas"}
    assert evaluate("${state}=cf", answers, choice=texas) is True
    assert evaluate("${state}=cf", answers, choice=washington) is False
    assert evaluate("name != 'king'", answers, choice=texas) is False
    assert bare_names("${state}=cf and name != 'x'") == {"cf", "name"}


@pytest.mark.parametrize(
    "expr",
    ["", "1 +", "(1 + 2", "${a} = = 1", "concat('a' 'b')", "'open", "foo(1)", "if(1, 2)", "1 2", "${a} ="],
)
def test_malformed_expressions(expr):
    with pytest.raises(ExpressionError):
        parse(expr)


def test_truthy():
    assert truthy("x") and truthy(1) and truthy(["a"]) and truthy(True)
    assert not truthy("") and not truthy(0) and not truthy(float("nan")) and not truthy(None)
    assert not truthy([])


def test_used_unsupported_and_references():
    assert used_unsupported("selected(${a}, 'x') and ${b} > 2") == []
    assert used_unsupported("pulldata('f', 'a', 'b', ${x}) + sqrt(4)") == ["pulldata()", "sqrt()"]
    assert used_unsupported("/data/a = 1") == ["/", "data", "a"]
    assert used_unsupported("instance('x')/root/item[name = 1]")[:2] == ["instance()", "/"]
    assert used_unsupported("cf = ${state}", choice_filter=True) == []
    assert used_unsupported("cf = ${state}") == ["cf"]
    assert references("${a} + ${ b } = ${a}") == {"a", "b"}
