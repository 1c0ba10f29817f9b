"""The XLSForm expressions Măng Non evaluates on the server: a small subset of XPath as ODK writes it.

`relevant`, `constraint`, `required` (when an expression), `choice_filter` and a repeat's count are
kept as written in the XLSForm and evaluated here, by the collection pages and by the validation that
has the last word before an answer is stored (`answers`). The subset:

- `${name}` (the answer to a question; inside a repeat the caller passes the instance's answers merged
  over the top-level ones), `.` (the value being checked, `current=`), '…' and "…" strings, numbers,
  parentheses;
- `or and = != < <= > >= + - * div mod` and unary minus, with XPath's precedence;
- the functions in `FUNCTIONS`;
- bare names in a choice_filter: the choice's columns (`name`, or another column of the choices sheet).

Values follow ODK: an unanswered question is "", a select_multiple answer is its choices separated by
spaces, `<` `>` `<=` `>=` compare numbers (not a number → false) except two dates (ISO strings, which
order as they read), `=` and `!=` compare numbers when both sides read as numbers, else strings.

The import (`xlsform`) uses `used_unsupported` and `references` to refuse a form whose expressions go
beyond this, naming what it uses; an expression that cannot be read raises `ExpressionError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils import timezone

from .form import Choice


class ExpressionError(ValueError):
    """An expression that cannot be read or evaluated."""


# -- tokens --------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[A-Za-z_][\w.\-]*)\s*\})
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<dotdot>\.\.)
  | (?P<dot>\.)
  | (?P<name>[A-Za-z_][\w]*(?:[-:][A-Za-z_][\w]*)*)
  | (?P<other>.)
    """,
    re.VERBOSE,
)

# Operators written as words.
_WORD_OPERATORS = frozenset({"and", "or", "div", "mod"})


@dataclass(frozen=True)
class Token:
    kind: str  # ref, number, string, op, dot, name, other, end
    text: str
    position: int


def _tokens(expr: str) -> list[Token]:
    out: list[Token] = []
    for match in _TOKEN.finditer(expr):
        kind = match.lastgroup or "other"
        if kind == "refname":  # pragma: no cover - the group inside ref
            kind = "ref"
        if match.group("ref"):
            out.append(Token("ref", match.group("refname"), match.start()))
        elif match.group("space"):
            continue
        elif match.group("dotdot"):
            out.append(Token("other", "..", match.start()))
        else:
            out.append(Token(kind, match.group(0), match.start()))
    out.append(Token("end", "", len(expr)))
    return out


# -- parsing -------------------------------------------------------------------------------------------

# AST nodes are tuples: ("num", float), ("str", s), ("ref", name), ("cur",), ("name", n),
# ("call", fname, (args…)), ("bin", op, left, right), ("neg", x).
Node = tuple[Any, ...]

_BINARY_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"or"}),
    frozenset({"and"}),
    frozenset({"=", "!="}),
    frozenset({"<", "<=", ">", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "div", "mod"}),
)


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.tokens = _tokens(expr)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, token: Token, what: str) -> ExpressionError:
        shown = token.text or "end"
        return ExpressionError(f"{what} at {token.position + 1} ('{shown}') in: {self.expr}")

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise ExpressionError("empty expression")
        node = self.binary(0)
        if self.peek().kind != "end":
            raise self.fail(self.peek(), "unexpected")
        return node

    def is_operator(self, token: Token, ops: frozenset[str]) -> bool:
        if token.kind == "op":
            return token.text in ops
        return token.kind == "name" and token.text in _WORD_OPERATORS and token.text in ops

    def binary(self, level: int) -> Node:
        if level == len(_BINARY_LEVELS):
            return self.unary()
        ops = _BINARY_LEVELS[level]
        node = self.binary(level + 1)
        while self.is_operator(self.peek(), ops):
            op = self.take().text
            node = ("bin", op, node, self.binary(level + 1))
        return node

    def unary(self) -> Node:
        if self.peek().kind == "op" and self.peek().text == "-":
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return ("num", float(token.text))
        if token.kind == "string":
            return ("str", token.text[1:-1])
        if token.kind == "ref":
            return ("ref", token.text)
        if token.kind == "dot":
            return ("cur",)
        if token.kind == "op" and token.text == "(":
            node = self.binary(0)
            closing = self.take()
            if closing.kind != "op" or closing.text != ")":
                raise self.fail(closing, "missing ')'")
            return node
        if token.kind == "name":
            if self.peek().kind == "op" and self.peek().text == "(":
                self.take()
                args: list[Node] = []
                if not (self.peek().kind == "op" and self.peek().text == ")"):
                    while True:
                        args.append(self.binary(0))
                        sep = self.take()
                        if sep.kind == "op" and sep.text == ")":
                            break
                        if sep.kind != "op" or sep.text != ",":
                            raise self.fail(sep, "expected ',' or ')'")
                else:
                    self.take()
                name = token.text
                if name not in FUNCTIONS:
                    raise self.fail(token, f"function {name}() is not supported")
                low, high = FUNCTIONS[name].arity
                if not low <= len(args) <= high:
                    raise self.fail(token, f"{name}() takes {low}–{high} arguments, not {len(args)}")
                if name == "regex" and args[1][0] == "str":
                    _compiled(args[1][1])  # a pattern that does not compile is refused here
                return ("call", name, tuple(args))
            return ("name", token.text)
        raise self.fail(token, "unexpected")


@lru_cache(maxsize=2048)
def parse(expr: str) -> Node:
    """The expression's syntax tree (cached by expression); `ExpressionError` if it cannot be read."""
    return _Parser(expr.strip()).parse()


# -- values --------------------------------------------------------------------------------------------

_NUMERIC = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, Mapping) for v in value):
            return ""
        return " ".join(to_string(v) for v in value)
    return str(value)


def to_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    text = to_string(value)
    if _NUMERIC.match(text):
        return float(text)
    return math.nan


def truthy(value: Any) -> bool:
    """XPath's boolean(): a number other than 0 / NaN, a non-empty string or list."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or math.isnan(value))
    if value is None:
        return False
    if isinstance(value, list | tuple):
        return bool(value)
    return str(value) != ""


def _looks_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return bool(_NUMERIC.match(to_string(value)))


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return truthy(left) == truthy(right)
    if _looks_numeric(left) and _looks_numeric(right):
        return to_number(left) == to_number(right)
    return to_string(left) == to_string(right)


def _compare(op: str, left: Any, right: Any) -> bool:
    a_text, b_text = to_string(left), to_string(right)
    if _ISO_DATE.match(a_text) and _ISO_DATE.match(b_text):
        a: Any = a_text
        b: Any = b_text
    else:
        a, b = to_number(left), to_number(right)
        if math.isnan(a) or math.isnan(b):
            return False
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _arithmetic(op: str, left: Any, right: Any) -> float:
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
        return a / b
    if b == 0 or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def _selected_values(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [to_string(v) for v in value]
    return to_string(value).split()


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ExpressionError(f"regex '{pattern}' cannot be read: {error}") from error


def _round(value: Any, digits: Any = 0) -> float:
    number = to_number(value)
    places = int(to_number(digits)) if digits is not None else 0
    if math.isnan(number) or math.isinf(number):
        return number
    factor = 10.0**places
    return math.floor(number * factor + 0.5) / factor


def _int(value: Any) -> float:
    number = to_number(value)
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


def _coalesce(a: Any, b: Any) -> Any:
    return a if to_string(a) != "" else b


@dataclass(frozen=True)
class Function:
    arity: tuple[int, int]
    call: Callable[..., Any]
    # A function given its arguments' nodes (not values): if(), count(), sum().
    special: bool = False


FUNCTIONS: dict[str, Function] = {
    "selected": Function((2, 2), lambda x, v: to_string(v) in _selected_values(x)),
    "count-selected": Function((1, 1), lambda x: len(_selected_values(x))),
    "not": Function((1, 1), lambda x: not truthy(x)),
    "true": Function((0, 0), lambda: True),
    "false": Function((0, 0), lambda: False),
    "string-length": Function((0, 1), lambda x="": len(to_string(x))),
    "regex": Function((2, 2), lambda x, p: _compiled(to_string(p)).search(to_string(x)) is not None),
    "contains": Function((2, 2), lambda a, b: to_string(b) in to_string(a)),
    "starts-with": Function((2, 2), lambda a, b: to_string(a).startswith(to_string(b))),
    "ends-with": Function((2, 2), lambda a, b: to_string(a).endswith(to_string(b))),
    "concat": Function((0, 50), lambda *xs: "".join(to_string(x) for x in xs)),
    "coalesce": Function((2, 2), _coalesce),
    "if": Function((3, 3), lambda c, a, b: a if truthy(c) else b),
    "number": Function((1, 1), to_number),
    "int": Function((1, 1), _int),
    "string": Function((1, 1), to_string),
    "round": Function((1, 2), _round),
    "today": Function((0, 0), lambda: timezone.localdate().isoformat()),
    "count": Function((1, 1), lambda x: x, special=True),
    "sum": Function((1, 1), lambda x: x, special=True),
}


# -- evaluation ----------------------------------------------------------------------------------------


@dataclass
class _Context:
    answers: Mapping[str, Any]
    current: Any
    choice: Choice | None


def _repeat_values(name: str, answers: Mapping[str, Any]) -> list[Any] | None:
    """The answers to question `name` across the instances of the repeat holding it (None: not in one)."""
    for value in answers.values():
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, Mapping) for v in value)
            and any(name in instance for instance in value)
        ):
            return [instance.get(name, "") for instance in value]
    return None


def _eval(node: Node, ctx: _Context) -> Any:
    kind = node[0]
    if kind == "num" or kind == "str":
        return node[1]
    if kind == "ref":
        value = ctx.answers.get(node[1], "")
        return "" if value is None else value
    if kind == "cur":
        return "" if ctx.current is None else ctx.current
    if kind == "name":
        choice = ctx.choice
        if choice is None:
            return ""
        if node[1] == "name":
            return choice.name
        return choice.extra.get(node[1], "")
    if kind == "neg":
        return -to_number(_eval(node[1], ctx))
    if kind == "bin":
        op, left_node, right_node = node[1], node[2], node[3]
        if op == "or":
            return truthy(_eval(left_node, ctx)) or truthy(_eval(right_node, ctx))
        if op == "and":
            return truthy(_eval(left_node, ctx)) and truthy(_eval(right_node, ctx))
        left, right = _eval(left_node, ctx), _eval(right_node, ctx)
        if op == "=":
            return _equal(left, right)
        if op == "!=":
            return not _equal(left, right)
        if op in ("<", "<=", ">", ">="):
            return _compare(op, left, right)
        return _arithmetic(op, left, right)
    if kind == "call":
        name, args = node[1], node[2]
        if name == "if":
            return _eval(args[1], ctx) if truthy(_eval(args[0], ctx)) else _eval(args[2], ctx)
        if name in ("count", "sum"):
            return _aggregate(name, args[0], ctx)
        return FUNCTIONS[name].call(*(_eval(arg, ctx) for arg in args))
    raise ExpressionError(f"cannot evaluate {kind}")  # pragma: no cover


def _aggregate(name: str, arg: Node, ctx: _Context) -> float:
    if arg[0] != "ref":
        raise ExpressionError(f"{name}() takes a ${{question}}")
    value = ctx.answers.get(arg[1])
    if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        values: list[Any] = value
    else:
        found = _repeat_values(arg[1], ctx.answers)
        values = found if found is not None else ([] if value in (None, "") else [value])
    if name == "count":
        return float(len(values))
    total = 0.0
    for item in values:
        number = to_number(item)
        if not math.isnan(number):
            total += number
    return total


def evaluate(
    expr: str, answers: Mapping[str, Any], *, current: Any = None, choice: Choice | None = None
) -> Any:
    """The value of `expr` for these answers (`current`: the value `.` stands for; `choice`: the choice
    a choice_filter is deciding on). `ExpressionError` if it cannot be read."""
    return _eval(parse(expr), _Context(answers, current, choice))


# -- what the import checks ----------------------------------------------------------------------------


def used_unsupported(expr: str, *, choice_filter: bool = False) -> list[str]:
    """The functions and constructs in `expr` outside the subset, each once, in order of appearance
    (e.g. "pulldata()", "/", "instance()"). Bare names count only outside a choice_filter."""
    tokens = _tokens(expr)
    found: list[str] = []
    for i, token in enumerate(tokens[:-1]):
        following = tokens[i + 1]
        item = ""
        if token.kind == "name":
            is_call = following.kind == "op" and following.text == "("
            if is_call:
                if token.text not in FUNCTIONS:
                    item = f"{token.text}()"
            elif token.text in _WORD_OPERATORS:
                continue
            elif not choice_filter:
                item = token.text
        elif token.kind == "other":
            item = token.text
        if item and item not in found:
            found.append(item)
    return found


def references(expr: str) -> set[str]:
    """The names of the questions `expr` refers to with ${…}."""
    return {token.text for token in _tokens(expr) if token.kind == "ref"}


def bare_names(expr: str) -> set[str]:
    """The bare names (choice columns in a choice_filter) in `expr`, not functions or operators."""
    tokens = _tokens(expr)
    names: set[str] = set()
    for i, token in enumerate(tokens[:-1]):
        if token.kind != "name" or token.text in _WORD_OPERATORS:
            continue
        following = tokens[i + 1]
        if not (following.kind == "op" and following.text == "("):
            names.add(token.text)
    return names
