"""A questionnaire's results: its answers tabulated, with disclosure control (docs/surveys.md, Results).

What is counted: the answers the reader may count (`results_selectors.responses_for`) of one round or of
every round of the questionnaire. Every question with a choice list is tabulated as counts per choice
(a select_multiple counts each choice once per pupil who ticked it, so its shares need not add up to
100%), with the number who answered and the number asked (whose form held the question and to whom it
was relevant). Numbers give how many answered and, when that is not small, the median and quartiles.
Free text gives the number of answers only: what a pupil typed is never shown. Notes are skipped, and so
are questions inside repeats.

Breakdowns: by school, unit (the school's unit at the time of the round), sex and grade (the round's
`sex_question` and `grade_question`), and round (to set one year's survey beside another's), one or two
at a time: the first gives the rows, the second splits the columns.

Several versions of the form: questions and choices are matched by name and labelled as the newest
version that holds them labels them.

Disclosure control, always (survey results are published-grade whoever reads them; staff get no
bypass): a school with fewer answers than the threshold is never shown by name; the small schools of a
unit are merged into "Other schools of <unit>", and when that is still small their answers count in the
totals only ("n schools with too few answers are not shown"); the same for units. Every table then goes
through `core.disclosure.suppressed_cells` with its row and column totals (the merged-away rows take
part, so they cannot be worked out by subtraction): a suppressed cell carries no count, never 0; a
small total is suppressed too. Percentages are computed from shown counts only, never over a small
denominator.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mangnon.core.disclosure import is_small, suppressed_cells, threshold

from . import expressions
from .form import CATEGORICAL, FREE_TEXT, FormDefinition, Group, Question, QuestionKind
from .models import FormVersion, Questionnaire, Response, RoundSchool, SurveyRound

SCHOOL, UNIT, SEX, GRADE, ROUND = "school", "unit", "sex", "grade", "round"
DIMENSIONS = (SCHOOL, UNIT, SEX, GRADE, ROUND)
NUMERIC = frozenset({QuestionKind.INTEGER, QuestionKind.DECIMAL})
HIDDEN = ("hidden",)  # the category of answers counted in the totals only
ALL = ("all",)
NOT_STATED = ("not_stated",)


class UnknownBreakdown(ValueError):
    """`by` named something other than school, unit, sex, grade, round, or more than two of them."""


def parse_by(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """`"school,sex"` → ("school", "sex"); UnknownBreakdown for anything else or more than two."""
    parts = value.split(",") if isinstance(value, str) else list(value or ())
    by = tuple(p.strip() for p in parts if p and p.strip() and p.strip() != "none")
    if len(by) > 2 or len(set(by)) != len(by) or any(d not in DIMENSIONS for d in by):
        raise UnknownBreakdown(", ".join(by))
    return by


@dataclass(frozen=True)
class Cell:
    """A count as shown: `count` None and `suppressed` True when it is hidden (never shown as 0)."""

    count: int | None
    suppressed: bool = False
    percent: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "suppressed": self.suppressed, "percent": self.percent}


@dataclass(frozen=True)
class Summary:
    """Median and quartiles of the numbers of a row (shown only when its count is not small)."""

    q1: float
    median: float
    q3: float

    def as_json(self) -> dict[str, float]:
        return {"q1": self.q1, "median": self.median, "q3": self.q3}


@dataclass
class Table:
    rows: list[str]
    columns: list[str]
    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    total: Cell
    summaries: list[Summary | None] = field(default_factory=list)  # numbers: one per row
    summary: Summary | None = None  # numbers: all rows

    @property
    def as_rows(self) -> list[dict[str, Any]]:
        """The rows for a page: label, cells (each with its column's label), total and summary."""
        summaries = self.summaries or [None] * len(self.rows)
        return [
            {
                "label": label,
                "cells": [
                    {"column": column, **cell.as_json()}
                    for column, cell in zip(self.columns, cells, strict=True)
                ],
                "total": total,
                "summary": summary,
            }
            for label, cells, total, summary in zip(
                self.rows, self.cells, self.row_totals, summaries, strict=True
            )
        ]

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rows": self.rows,
            "columns": self.columns,
            "cells": [[cell.as_json() for cell in row] for row in self.cells],
            "totals": {
                "rows": [cell.as_json() for cell in self.row_totals],
                "columns": [cell.as_json() for cell in self.column_totals],
                "all": self.total.as_json(),
            },
        }
        if self.summaries:
            data["summaries"] = [s.as_json() if s else None for s in self.summaries]
            data["summary"] = self.summary.as_json() if self.summary else None
        return data


@dataclass
class QuestionResult:
    name: str
    label: str
    kind: str
    asked: Cell
    answered: Cell
    table: Table
    multiple: bool = False  # a select_multiple: shares need not add up to 100%

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "asked": self.asked.count,
            "answered": self.answered.count,
            "multiple": self.multiple,
            "table": self.table.as_json(),
        }


@dataclass
class Results:
    questionnaire: Questionnaire
    rounds: list[SurveyRound]
    by: tuple[str, ...]
    threshold: int
    respondents: Cell
    questions: list[QuestionResult]
    notes: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "questionnaire": {"id": self.questionnaire.pk, "title": self.questionnaire.title},
            "rounds": [
                {"id": r.pk, "name": r.name, "opens_on": r.opens_on, "closes_on": r.closes_on}
                for r in self.rounds
            ],
            "by": list(self.by),
            "threshold": self.threshold,
            "respondents": self.respondents.count,
            "notes": self.notes,
            "questions": [q.as_json() for q in self.questions],
        }


# -- the questions of several versions -----------------------------------------------------------------


@dataclass
class _Merged:
    question: Question
    parents: tuple[Group, ...]
    definition: FormDefinition  # the newest version holding it: its labels
    choices: dict[str, str] = field(default_factory=dict)  # name -> label, newest order first


def _definitions(version_ids: Iterable[int], questionnaire: Questionnaire) -> dict[int, FormDefinition]:
    ids = set(version_ids)
    versions = FormVersion.objects.filter(questionnaire=questionnaire).order_by("-number")
    return {v.pk: FormDefinition.from_json(v.definition) for v in versions if v.pk in ids or not ids}


def _merged_questions(definitions: Sequence[FormDefinition]) -> dict[str, _Merged]:
    """Every question by name across `definitions` (newest first), labelled by the newest holding it."""
    merged: dict[str, _Merged] = {}
    for definition in definitions:
        for question, parents in definition.questions():
            if any(group.repeat for group in parents) or question.kind == QuestionKind.NOTE:
                continue
            entry = merged.setdefault(question.name, _Merged(question, parents, definition))
            for choice in definition.choices_of(question):
                entry.choices.setdefault(choice.name, definition.label(choice))
    return merged


def _relevance(question: Question, parents: tuple[Group, ...]) -> list[str]:
    """The expressions that decide whether `question` was asked: its groups' and its own, in order."""
    return [expr for expr in (*(group.relevant for group in parents), question.relevant) if expr]


_UNDECIDED = None  # an expression that could not be evaluated: the question counts as asked
_NOT_YET = object()


# Functions whose value depends on more than their arguments: the repeats' answers, the date.
_NOT_PURE = frozenset({"count", "sum", "today"})


def _depends_on(node: expressions.Node) -> list[str] | None:
    """The questions whose answers alone decide the value of an expression's tree, or None when more
    decides it (a repeat's count or sum, today's date)."""
    kind = node[0]
    if kind == "ref":
        return [node[1]]
    if kind in ("num", "str", "cur", "name"):  # no current value, no choice: constants here
        return []
    if kind == "neg":
        return _depends_on(node[1])
    if kind == "bin":
        parts = [_depends_on(node[2]), _depends_on(node[3])]
    elif kind == "call" and node[1] not in _NOT_PURE:
        parts = [_depends_on(arg) for arg in node[2]]
    else:
        return None
    if any(part is None for part in parts):
        return None
    return sorted({name for part in parts for name in part or ()})


def _answers_key(answers: dict[str, Any], names: list[str]) -> tuple[Any, ...] | None:
    """The answers to `names`, as a key (with their types: 1, 1.0 and True differ here); None when one
    cannot be a key."""
    key: list[Any] = []
    for name in names:
        value = answers.get(name)
        if value is None or isinstance(value, str | int | float):
            key.append((type(value), value))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            key.append((list, tuple(value)))
        else:
            return None
    return tuple(key)


class _Relevance:
    """Each relevance expression evaluated at most once per response, however many questions it decides
    (a group's condition is shared by all its questions), and once per combination of the answers it
    reads (most pupils give one of a few answers to the question a skip depends on)."""

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers = answers
        self.verdicts: dict[str, list[Any]] = {}
        self.inputs: dict[str, list[str] | None] = {}
        self.by_answers: dict[tuple[str, tuple[Any, ...]], bool | None] = {}

    def _evaluate(self, expr: str, answers: dict[str, Any]) -> bool | None:
        try:
            return expressions.truthy(expressions.evaluate(expr, answers))
        except expressions.ExpressionError:
            return _UNDECIDED

    def _verdict(self, expr: str, i: int) -> bool | None:
        verdicts = self.verdicts.get(expr)
        if verdicts is None:
            verdicts = self.verdicts[expr] = [_NOT_YET] * len(self.answers)
            try:
                self.inputs[expr] = _depends_on(expressions.parse(expr))
            except expressions.ExpressionError:
                self.inputs[expr] = None
        verdict = verdicts[i]
        if verdict is _NOT_YET:
            names = self.inputs[expr]
            key = None if names is None else _answers_key(self.answers[i], names)
            if key is None:
                verdict = self._evaluate(expr, self.answers[i])
            elif (expr, key) in self.by_answers:
                verdict = self.by_answers[(expr, key)]
            else:
                verdict = self.by_answers[(expr, key)] = self._evaluate(expr, self.answers[i])
            verdicts[i] = verdict
        return verdict

    def asked(self, exprs: list[str], i: int) -> bool:
        for expr in exprs:
            verdict = self._verdict(expr, i)
            if verdict is _UNDECIDED:
                return True  # counted as asked when it cannot be decided
            if not verdict:
                return False
        return True


def _answered(value: Any) -> bool:
    return value not in (None, "", [])


# -- the categories of a breakdown ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Answers:
    """The responses as counted, position by position: form version, answers, round and school (ids),
    with the rounds and schools they name, each read once."""

    versions: list[int]
    answers: list[dict[str, Any]]
    rounds: list[int]
    schools: list[int]
    round_of: dict[int, SurveyRound]
    school_of: dict[int, RoundSchool]  # with its school and unit

    @classmethod
    def read(cls, responses: Iterable[Response], rounds: Sequence[SurveyRound]) -> _Answers:
        """A queryset is read as plain values (no model instance per answer), its schools in one more
        query; anything else (a list of responses) from its instances."""
        if isinstance(responses, QuerySet):
            rows = list(responses.values_list("form_version_id", "answers", "survey_round_id", "school_id"))
            links = {row[3] for row in rows}
            school_of = (
                {
                    link.pk: link
                    for link in RoundSchool.objects.filter(pk__in=links).select_related("school", "unit")
                }
                if links
                else {}
            )
            round_of = {r.pk: r for r in rounds}
            missing = {row[2] for row in rows} - set(round_of)
            if missing:
                round_of.update((r.pk, r) for r in SurveyRound.objects.filter(pk__in=missing))
        else:
            items = list(responses)
            rows = [(r.form_version_id, r.answers, r.survey_round_id, r.school_id) for r in items]
            school_of = {r.school_id: r.school for r in items}
            round_of = {r.survey_round_id: r.survey_round for r in items}
        return cls(
            versions=[row[0] for row in rows],
            answers=[row[1] for row in rows],
            rounds=[row[2] for row in rows],
            schools=[row[3] for row in rows],
            round_of=round_of,
            school_of=school_of,
        )


@dataclass
class _Dimension:
    key_of: list[tuple[Any, ...]]  # the category key of each response, by position
    labels: dict[tuple[Any, ...], str]  # key -> label, in display order (HIDDEN last when present)
    hidden_schools: int = 0
    hidden_units: int = 0
    hidden_rounds: int = 0


def _merge_small(
    counts: Counter[Any], group_of: dict[Any, Any], limit: int
) -> tuple[dict[Any, tuple[Any, ...]], int]:
    """Each entity's key: itself when not small, else its group's remainder, else HIDDEN; and the number
    of entities hidden."""
    small = {e for e, n in counts.items() if n < limit}
    remainder: Counter[Any] = Counter()
    for entity in small:
        remainder[group_of.get(entity)] += counts[entity]
    keys: dict[Any, tuple[Any, ...]] = {}
    hidden = 0
    for entity in counts:
        if entity not in small:
            keys[entity] = ("one", entity)
        elif remainder[group_of.get(entity)] >= limit:
            keys[entity] = ("other", group_of.get(entity))
        else:
            keys[entity] = HIDDEN
            hidden += 1
    return keys, hidden


def _dimension(name: str, data: _Answers, merged: dict[str, _Merged], limit: int) -> _Dimension:
    if name == SCHOOL:
        school_of = {pk: link.school_id for pk, link in data.school_of.items()}
        counts = Counter(school_of[link] for link in data.schools)
        unit_of = {school_of[link]: data.school_of[link].unit for link in data.schools}
        names = {link.school_id: link.school.name for link in data.school_of.values()}
        keys, hidden = _merge_small(counts, {s: u.pk for s, u in unit_of.items()}, limit)
        units = {u.pk: u for u in unit_of.values()}
        labels: dict[tuple[Any, ...], str] = {}
        for school in sorted(counts, key=lambda s: names[s]):
            if keys[school][0] == "one":
                labels[keys[school]] = names[school]
        for key in sorted({k for k in keys.values() if k[0] == "other"}, key=lambda k: units[k[1]].name):
            labels[key] = _("Other schools of %(unit)s") % {"unit": units[key[1]].name}
        if hidden:
            labels[HIDDEN] = _("Schools with too few answers")
        return _Dimension([keys[school_of[link]] for link in data.schools], labels, hidden_schools=hidden)
    if name == UNIT:
        unit_id_of = {pk: link.unit_id for pk, link in data.school_of.items()}
        counts = Counter(unit_id_of[link] for link in data.schools)
        unit_names = {link.unit_id: link.unit.name for link in data.school_of.values()}
        keys, hidden = _merge_small(counts, {}, limit)
        labels = {
            keys[u]: unit_names[u] for u in sorted(counts, key=lambda u: unit_names[u]) if keys[u][0] == "one"
        }
        if any(k[0] == "other" for k in keys.values()):
            labels[("other", None)] = _("Other units")
        if hidden:
            labels[HIDDEN] = _("Units with too few answers")
        return _Dimension([keys[unit_id_of[link]] for link in data.schools], labels, hidden_units=hidden)
    if name == ROUND:
        counts = Counter(data.rounds)
        keys, hidden = _merge_small(counts, {}, limit)
        oldest_first = sorted(counts, key=lambda r: (data.round_of[r].opens_on, r))
        labels = {keys[r]: data.round_of[r].name for r in oldest_first if keys[r][0] == "one"}
        if any(k[0] == "other" for k in keys.values()):
            labels[("other", None)] = _("Other rounds")
        if hidden:
            labels[HIDDEN] = _("Rounds with too few answers")
        return _Dimension([keys[r] for r in data.rounds], labels, hidden_rounds=hidden)
    # sex or grade: a question's answer, named per round
    question_of = {pk: getattr(r, f"{name}_question") for pk, r in data.round_of.items()}
    key_of: list[tuple[Any, ...]] = []
    values: set[Any] = set()
    for answers, round_id in zip(data.answers, data.rounds, strict=True):
        question = question_of[round_id]
        value = answers.get(question) if question else None
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else None
        key = ("value", str(value)) if _answered(value) else NOT_STATED
        key_of.append(key)
        if key != NOT_STATED:
            values.add((question, str(value)))
    choice_labels: dict[str, str] = {}
    order: dict[str, int] = {}
    for question, _value in values:
        entry = merged.get(question)
        if entry:
            for index, (choice, label) in enumerate(entry.choices.items()):
                choice_labels.setdefault(choice, label)
                order.setdefault(choice, index)

    def sort_key(value: str) -> tuple[int, float, str]:
        if value in order:
            return (0, order[value], value)
        try:
            return (1, float(value), value)
        except ValueError:
            return (2, 0, value)

    labels = {("value", v): choice_labels.get(v, v) for v in sorted({v for _q, v in values}, key=sort_key)}
    if NOT_STATED in key_of:
        labels[NOT_STATED] = _("Not stated")
    return _Dimension(key_of, labels)


# -- tables --------------------------------------------------------------------------------------------


def _percent(count: int | None, base: int | None, limit: int) -> float | None:
    if count is None or base is None or base < limit or base == 0:
        return None
    return round(count * 100 / base, 1)


def _suppressed_table(
    rows: list[str],
    columns: list[str],
    matrix: list[list[int]],
    row_totals: list[int],
    column_totals: list[int],
    total: int,
    *,
    shown_rows: list[int],
    shown_columns: list[int],
    limit: int,
    percents: bool,
) -> Table:
    """The table as shown: `matrix` with its row totals as a last column go through suppressed_cells (the
    rows and columns not shown take part, then are dropped); small totals are suppressed."""
    full = [[*row, row_total] for row, row_total in zip(matrix, row_totals, strict=True)]
    hidden = suppressed_cells(full, limit=limit)
    last = len(column_totals)
    total_hidden = is_small(total, limit)
    column_hidden = [is_small(n, limit) for n in column_totals]
    # A column total shown beside a suppressed one would let the grand total give it away.
    if sum(column_hidden[c] for c in shown_columns) == 1 and not total_hidden:
        candidates = [c for c in shown_columns if not column_hidden[c] and column_totals[c] > 0]
        if candidates:
            column_hidden[min(candidates, key=lambda c: column_totals[c])] = True

    def shown(value: int, is_hidden: bool, base: int | None = None) -> Cell:
        if is_hidden:
            return Cell(None, True)
        return Cell(value, False, _percent(value, base, limit) if percents else None)

    cells: list[list[Cell]] = []
    totals: list[Cell] = []
    for r in shown_rows:
        row_hidden = (r, last) in hidden
        base = None if row_hidden else row_totals[r]
        cells.append([shown(matrix[r][c], (r, c) in hidden, base) for c in shown_columns])
        totals.append(shown(row_totals[r], row_hidden))
    base_total = None if total_hidden else total
    return Table(
        rows=[rows[r] for r in shown_rows],
        columns=[columns[c] for c in shown_columns],
        cells=cells,
        row_totals=totals,
        column_totals=[shown(column_totals[c], column_hidden[c], base_total) for c in shown_columns],
        total=shown(total, total_hidden),
    )


def _summary(values: list[float], limit: int) -> Summary | None:
    if len(values) < max(limit, 2):
        return None
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Summary(round(q1, 2), round(median, 2), round(q3, 2))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def _ticked(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in dict.fromkeys(value)]
    if isinstance(value, str):
        return value.split() if " " in value else [value]
    return [str(value)]


def tabulate(
    questionnaire: Questionnaire,
    rounds: list[SurveyRound],
    responses: Iterable[Response],
    by: tuple[str, ...] = (),
    *,
    question: str = "",
) -> Results:
    """The results of `responses` (the reader's, already scoped) broken down `by`; one question or all."""
    limit = threshold()
    data = _Answers.read(responses, rounds)
    answers = data.answers
    definitions = _definitions(data.versions, questionnaire)
    merged = _merged_questions(list(definitions.values()))
    dims = [_dimension(name, data, merged, limit) for name in by]
    row_dim = dims[0] if dims else None
    col_dim = dims[1] if len(dims) > 1 else None
    row_keys = list(row_dim.labels) if row_dim else [ALL]
    col_keys = list(col_dim.labels) if col_dim else [ALL]
    row_index = {key: i for i, key in enumerate(row_keys)}
    col_index = {key: i for i, key in enumerate(col_keys)}
    shown_row_keys = [i for i, key in enumerate(row_keys) if key != HIDDEN]
    row_labels = [row_dim.labels[k] for k in row_keys] if row_dim else [_("All pupils")]
    # Each response's row and column, once (not per question).
    row_at = [row_index[key] for key in row_dim.key_of] if row_dim else [0] * len(answers)
    col_at = [col_index[key] for key in col_dim.key_of] if col_dim else [0] * len(answers)
    col_labels = [col_dim.labels[key] for key in col_keys] if col_dim else []
    relevance = _Relevance(answers)

    notes: list[str] = []
    for dim in dims:
        if dim.hidden_schools:
            notes.append(_("%(n)d schools with too few answers are not shown.") % {"n": dim.hidden_schools})
        if dim.hidden_units:
            notes.append(_("%(n)d units with too few answers are not shown.") % {"n": dim.hidden_units})
        if dim.hidden_rounds:
            notes.append(_("%(n)d rounds with too few answers are not shown.") % {"n": dim.hidden_rounds})

    everyone = range(len(answers))
    results: list[QuestionResult] = []
    for name, entry in merged.items():
        if question and name != question:
            continue
        q = entry.question
        holders = {pk for pk, d in definitions.items() if d.question(name) is not None}
        held = (
            everyone
            if holders >= set(data.versions)
            else [i for i in everyone if data.versions[i] in holders]
        )
        exprs = _relevance(q, entry.parents)
        asked = [i for i in held if relevance.asked(exprs, i)] if exprs else list(held)
        answering = [i for i in asked if answers[i].get(name) not in (None, "", [])]  # _answered
        row_totals = [0] * len(row_keys)
        for i in answering:
            row_totals[row_at[i]] += 1
        if q.kind in CATEGORICAL:
            choices = list(entry.choices)
            width = len(choices)
            choice_at = {choice: n for n, choice in enumerate(choices)}
            columns = [(c, choice) for c in range(len(col_keys)) for choice in choices]
            matrix = [[0] * len(columns) for _r in row_keys]
            for i in answering:
                row, offset = matrix[row_at[i]], col_at[i] * width
                for choice in _ticked(answers[i].get(name)):
                    n = choice_at.get(choice)
                    if n is not None:
                        row[offset + n] += 1
            column_labels = [
                f"{col_labels[c]} · {entry.choices[choice]}" if col_dim else entry.choices[choice]
                for c, choice in columns
            ]
            shown_columns = [i for i, (c, _choice) in enumerate(columns) if col_keys[c] != HIDDEN]
            table = _suppressed_table(
                row_labels,
                column_labels,
                matrix,
                row_totals,
                [sum(column) for column in zip(*matrix, strict=True)] if matrix else [0] * len(columns),
                len(answering),
                shown_rows=shown_row_keys,
                shown_columns=shown_columns,
                limit=limit,
                percents=True,
            )
        else:
            # Numbers and free text: how many answered per row (and per second category as rows too).
            combos = [(r, c) for r in range(len(row_keys)) for c in range(len(col_keys))]
            per_row = len(col_keys)
            counts = [0] * len(combos)
            numbers: dict[int, list[float]] = defaultdict(list)
            numeric = q.kind in NUMERIC
            for i in answering:
                at = row_at[i] * per_row + col_at[i]
                counts[at] += 1
                number = _number(answers[i].get(name)) if numeric else None
                if number is not None:
                    numbers[at].append(number)
            labels = [f"{row_labels[r]} · {col_labels[c]}" if col_dim else row_labels[r] for r, c in combos]
            shown = [i for i, (r, c) in enumerate(combos) if row_keys[r] != HIDDEN and col_keys[c] != HIDDEN]
            table = _suppressed_table(
                labels,
                [_("Answers")],
                [[n] for n in counts],
                counts,
                [len(answering)],
                len(answering),
                shown_rows=shown,
                shown_columns=[0],
                limit=limit,
                percents=False,
            )
            if numeric:
                table.summaries = [
                    None if cell.suppressed else _summary(numbers[i], limit)
                    for i, cell in zip(shown, table.row_totals, strict=True)
                ]
                everything = [n for values in numbers.values() for n in values]
                table.summary = None if table.total.suppressed else _summary(everything, limit)
        results.append(
            QuestionResult(
                name=name,
                label=entry.definition.label(q),
                kind=str(q.kind),
                asked=_total(len(asked), limit),
                answered=_total(len(answering), limit),
                table=table,
                multiple=q.kind == QuestionKind.SELECT_MULTIPLE,
            )
        )
    if any(r.kind in FREE_TEXT for r in results):
        notes.append(_("Free-text answers are counted, never shown."))
    if any(r.multiple for r in results):
        notes.append(
            _("A pupil may tick several choices of a multiple choice: its shares need not add up to 100%.")
        )
    return Results(questionnaire, rounds, by, limit, _total(len(answers), limit), results, notes)


def _total(count: int, limit: int) -> Cell:
    return Cell(None, True) if is_small(count, limit) else Cell(count)
