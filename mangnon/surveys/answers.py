"""The server's validation of a pupil's answers: what the phone form posts, page by page
(`clean_page`), and the whole response before it is stored (`clean_response`, the last word).

A crafted POST cannot skip a required question or store an out-of-range value: every answer is parsed
by its question's kind, checked against its choices (after the choice_filter), its constraint and
whether it is required, and answers to questions that are not asked (not relevant, or inside a group
that is not) are dropped.

Answer values: text and date str (date ISO), integer int, decimal the str of a Decimal ("1.5"),
select_one str, select_multiple list[str], a repeat a list of dicts (one per instance); notes take no
answer. Input names: `q` at top level, `repeat.<i>.q` inside instance i of a repeat (`field_name`);
the number of instances of a repeat the respondent adds is posted as `repeat.count` (else read from
the instances posted), at most `MAX_INSTANCES`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .expressions import ExpressionError, evaluate, to_number, truthy
from .form import Choice, FormDefinition, Group, Item, Page, Question, QuestionKind, pick_label

MAX_INSTANCES = 50
MAX_TEXT = 2000

_INTEGER = re.compile(r"^[+-]?\d{1,12}$")
_DECIMAL = re.compile(r"^[+-]?\d{1,15}(?:[.,]\d{1,10})?$")
_DECIMAL_STORED = re.compile(r"^-?\d{1,15}(?:\.\d{1,10})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def field_name(question_name: str, repeat: str = "", index: int = 0) -> str:
    """The HTML input name of a question (inside instance `index` of `repeat` when given)."""
    return f"{repeat}.{index}.{question_name}" if repeat else question_name


# -- expressions, failing safe -------------------------------------------------------------------------


def _relevant(expr: str, context: Mapping[str, Any]) -> bool:
    if not expr:
        return True
    try:
        return truthy(evaluate(expr, context))
    except ExpressionError:
        return True  # asked rather than silently skipped


def _required(question: Question, context: Mapping[str, Any]) -> bool:
    if not question.required:
        return False
    if question.required == "yes":
        return True
    try:
        return truthy(evaluate(question.required, context))
    except ExpressionError:
        return True


def _constraint_holds(question: Question, value: Any, context: Mapping[str, Any]) -> bool:
    if not question.constraint:
        return True
    try:
        return truthy(evaluate(question.constraint, context, current=value))
    except ExpressionError:
        return False  # what cannot be checked is not stored


def allowed_choices(
    definition: FormDefinition, question: Question, context: Mapping[str, Any]
) -> tuple[Choice, ...]:
    """The choices of a select question left by its choice_filter for these answers."""
    choices = definition.choices_of(question)
    if not question.choice_filter:
        return choices
    allowed = []
    for choice in choices:
        try:
            if truthy(evaluate(question.choice_filter, context, choice=choice)):
                allowed.append(choice)
        except ExpressionError:
            continue
    return tuple(allowed)


def _repeat_count(group: Group, context: Mapping[str, Any]) -> int | None:
    """A repeat's fixed number of instances (None: the respondent decides)."""
    if not group.repeat_count:
        return None
    try:
        number = to_number(evaluate(group.repeat_count, context))
    except ExpressionError:
        return 0
    if number != number or number < 0:  # NaN or negative
        return 0
    return min(int(number), MAX_INSTANCES)


# -- messages ------------------------------------------------------------------------------------------


def _required_message(definition: FormDefinition, question: Question) -> str:
    return pick_label(question.required_messages, None, definition.default_language) or _(
        "This question needs an answer."
    )


def _constraint_message(definition: FormDefinition, question: Question) -> str:
    return pick_label(question.constraint_messages, None, definition.default_language) or _(
        "This answer is not allowed."
    )


# -- the walk shared by pages and whole responses ------------------------------------------------------

# A source gives, for a question at a field name, (value or None when empty, error message or "").
Source = Callable[[Question, str], tuple[Any, str]]
# A repeat's instance count as posted (None: not posted), or an error.
CountSource = Callable[[Group], tuple[int | None, str]]


class _Walk:
    def __init__(self, definition: FormDefinition, source: Source, count: CountSource) -> None:
        self.definition = definition
        self.source = source
        self.count = count
        self.errors: dict[str, str] = {}

    def items(
        self,
        items: tuple[Item, ...],
        out: dict[str, Any],
        *,
        top: dict[str, Any],
        asked: bool,
        repeat: str = "",
        index: int = 0,
    ) -> None:
        for item in items:
            context = {**top, **out} if repeat else out
            if isinstance(item, Group):
                relevant = asked and _relevant(item.relevant, context)
                if item.repeat:
                    self.repeat_group(item, out, relevant=relevant)
                else:
                    self.items(item.children, out, top=top, asked=relevant, repeat=repeat, index=index)
            else:
                self.question(item, out, context, asked=asked, repeat=repeat, index=index)

    def repeat_group(self, group: Group, out: dict[str, Any], *, relevant: bool) -> None:
        if not relevant:
            out.pop(group.name, None)
            return
        fixed = _repeat_count(group, out)
        posted, error = self.count(group)
        if error:
            self.errors[group.name] = error
            return
        number = fixed if fixed is not None else posted
        if number is None:
            existing = out.get(group.name)
            number = len(existing) if isinstance(existing, list) else 0
        number = min(number, MAX_INSTANCES)
        previous = out.get(group.name)
        instances: list[dict[str, Any]] = []
        for i in range(number):
            instance: dict[str, Any] = {}
            if isinstance(previous, list) and i < len(previous) and isinstance(previous[i], dict):
                instance = dict(previous[i])
            self.items(group.children, instance, top=out, asked=True, repeat=group.name, index=i)
            instances.append(instance)
        if instances:
            out[group.name] = instances
        else:
            out.pop(group.name, None)

    def question(
        self,
        question: Question,
        out: dict[str, Any],
        context: Mapping[str, Any],
        *,
        asked: bool,
        repeat: str,
        index: int,
    ) -> None:
        name = field_name(question.name, repeat, index)
        if question.kind == QuestionKind.NOTE or not (asked and _relevant(question.relevant, context)):
            out.pop(question.name, None)
            return
        value, error = self.source(question, name)
        if error:
            out.pop(question.name, None)
            self.errors[name] = error
            return
        if value is None:
            out.pop(question.name, None)
        else:
            out[question.name] = value
        context = {**context, question.name: value if value is not None else ""}
        if value is None:
            if _required(question, context):
                self.errors[name] = _required_message(self.definition, question)
            return
        if question.kind in (QuestionKind.SELECT_ONE, QuestionKind.SELECT_MULTIPLE):
            allowed = {c.name for c in allowed_choices(self.definition, question, context)}
            chosen = [value] if isinstance(value, str) else value
            if any(v not in allowed for v in chosen):
                out.pop(question.name, None)
                self.errors[name] = _("This choice is not one of the question's choices.")
                return
        if not _constraint_holds(question, value, context):
            out.pop(question.name, None)
            self.errors[name] = _constraint_message(self.definition, question)


# -- parsing what a page posts -------------------------------------------------------------------------


def _parse_raw(question: Question, raw: list[str]) -> tuple[Any, str]:
    values = [v.strip() for v in raw if v is not None and v.strip() != ""]
    if question.kind == QuestionKind.SELECT_MULTIPLE:
        chosen: list[str] = []
        for v in values:
            for part in v.split():
                if part not in chosen:
                    chosen.append(part)
        return (chosen or None), ""
    if not values:
        return None, ""
    if len(values) > 1:
        return None, _("Give one answer only.")
    return _parse_one(question, values[0])


def _parse_one(question: Question, text: str) -> tuple[Any, str]:
    kind = question.kind
    if kind == QuestionKind.INTEGER:
        if not _INTEGER.match(text):
            return None, _("Enter a whole number.")
        return int(text), ""
    if kind == QuestionKind.DECIMAL:
        if not _DECIMAL.match(text):
            return None, _("Enter a number.")
        return _decimal_str(text.replace(",", ".")), ""
    if kind == QuestionKind.DATE:
        return _parse_date(text)
    if kind == QuestionKind.TEXT:
        if len(text) > MAX_TEXT:
            return None, _("The answer is too long.")
        return text, ""
    return text, ""  # select_one: checked against the choices by the walk


def _decimal_str(text: str) -> str:
    value = Decimal(text)
    if value == 0:
        value = Decimal(0)
    return str(value)


def _parse_date(text: str) -> tuple[Any, str]:
    if not _DATE.match(text):
        return None, _("Enter a date.")
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return None, _("Enter a date.")
    return text, ""


def _posted_count(data: Mapping[str, list[str]], group: Group) -> tuple[int | None, str]:
    posted = data.get(f"{group.name}.count")
    if posted:
        text = posted[-1].strip()
        if not text.isdigit() or int(text) > MAX_INSTANCES:
            return None, _("At most %(n)s entries.") % {"n": MAX_INSTANCES}
        return int(text), ""
    prefix = f"{group.name}."
    indexes = set()
    for key in data:
        if key.startswith(prefix):
            head = key[len(prefix) :].split(".", 1)[0]
            if head.isdigit():
                indexes.add(int(head))
    if not indexes:
        return None, ""
    if max(indexes) >= MAX_INSTANCES:
        return None, _("At most %(n)s entries.") % {"n": MAX_INSTANCES}
    return max(indexes) + 1, ""


# -- the interface -------------------------------------------------------------------------------------


def relevant_pages(definition: FormDefinition, answers: Mapping[str, Any]) -> list[Page]:
    """The pages to show for the answers so far: a group's page when the group is relevant, a page of
    loose questions when any of them is."""
    pages = []
    for page in definition.pages():
        if page.group is not None:
            if _relevant(page.group.relevant, answers):
                pages.append(page)
        elif any(_relevant(item.relevant, answers) for item in page.items):
            pages.append(page)
    return pages


def clean_page(
    definition: FormDefinition, page: Page, data: Mapping[str, list[str]], answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """`answers` with this page's posted values parsed and checked, and the errors by field name."""
    out = dict(answers)

    def source(question: Question, name: str) -> tuple[Any, str]:
        return _parse_raw(question, list(data.get(name, [])))

    walk = _Walk(definition, source, lambda group: _posted_count(data, group))
    walk.items(page.items, out, top=out, asked=True)
    return out, walk.errors


def _typed(question: Question, value: Any) -> tuple[Any, str]:
    """A stored answer checked for its kind's type (None: empty)."""
    wrong = _("This answer is not of the question's type.")
    if value is None or value == "" or value == []:
        return None, ""
    kind = question.kind
    if kind == QuestionKind.NOTE:
        return None, wrong
    if kind == QuestionKind.SELECT_MULTIPLE:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return None, wrong
        if len(set(value)) != len(value):
            return None, wrong
        return list(value), ""
    if kind == QuestionKind.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 10**12:
            return None, wrong
        return value, ""
    if not isinstance(value, str):
        return None, wrong
    if kind == QuestionKind.DECIMAL:
        if not _DECIMAL_STORED.match(value):
            return None, wrong
        try:
            return _decimal_str(value), ""
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return None, wrong
    if kind == QuestionKind.DATE:
        return _parse_date(value)
    if kind == QuestionKind.TEXT and len(value) > MAX_TEXT:
        return None, _("The answer is too long.")
    return value, ""


def _check_keys(
    definition: FormDefinition, answers: Any, errors: dict[str, str]
) -> dict[str, Question | Group]:
    """Refuse keys that are not the form's and values of the wrong shape; the items by name."""
    top: dict[str, Question | Group] = {}
    in_repeat: dict[str, dict[str, Question]] = {}

    def collect(items: tuple[Item, ...], repeat: Group | None) -> None:
        for item in items:
            if isinstance(item, Group):
                if item.repeat:
                    top[item.name] = item
                    in_repeat[item.name] = {}
                    collect(item.children, item)
                else:
                    collect(item.children, repeat)
            elif repeat is not None:
                in_repeat[repeat.name][item.name] = item
            else:
                top[item.name] = item

    collect(definition.items, None)
    if not isinstance(answers, Mapping):
        errors[""] = _("The answers are not of the form's shape.")
        return top
    for key, value in answers.items():
        item = top.get(key)
        if item is None:
            errors[str(key)] = _("This is not a question of the form.")
        elif isinstance(item, Group):
            if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
                errors[key] = _("This answer is not of the question's type.")
            elif len(value) > MAX_INSTANCES:
                errors[key] = _("At most %(n)s entries.") % {"n": MAX_INSTANCES}
            else:
                for i, instance in enumerate(value):
                    for inner_key, inner_value in instance.items():
                        question = in_repeat[key].get(inner_key)
                        name = field_name(str(inner_key), key, i)
                        if question is None:
                            errors[name] = _("This is not a question of the form.")
                        else:
                            _value, error = _typed(question, inner_value)
                            if error:
                                errors[name] = error
        else:
            _value, error = _typed(item, value)
            if error:
                errors[key] = error
    return top


def clean_response(
    definition: FormDefinition, answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The whole response checked as the server's last word before storing: answers to questions not
    asked dropped; a missing required answer, a value of the wrong type or out of range (constraint),
    an unknown question or choice refused (errors by field name; store nothing when there are any)."""
    errors: dict[str, str] = {}
    _check_keys(definition, answers, errors)
    if errors:
        return dict(answers) if isinstance(answers, Mapping) else {}, errors
    source_answers = answers

    def source(question: Question, name: str) -> tuple[Any, str]:
        parts = name.split(".")
        if len(parts) == 3:
            instances = source_answers.get(parts[0]) or []
            index = int(parts[1])
            value = instances[index].get(question.name) if index < len(instances) else None
        else:
            value = source_answers.get(question.name)
        return _typed(question, value)

    def count(group: Group) -> tuple[int | None, str]:
        instances = source_answers.get(group.name)
        return (len(instances) if isinstance(instances, list) else 0), ""

    out: dict[str, Any] = {}
    walk = _Walk(definition, source, count)
    walk.items(definition.items, out, top=out, asked=True)
    return out, walk.errors
