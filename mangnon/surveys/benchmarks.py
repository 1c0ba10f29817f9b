"""Survey results benchmark: a round's results page at ten times the demo's answers.

surveys.round_results: what the round's results page costs the survey coordinator when every question
is broken down by school × sex (the largest table): the scoped read of the answers
(`results_selectors.responses_for`, a fresh scope on every call, as on every request) and
`results.tabulate` of all questions. The set, built once per database and reused:

- Quảng Ninh's geography (both generations: the schools are counted under their 2020 districts) and
  the directory's organisations (`orgs.demo_data`: the 26 boarding and semi-boarding schools);
- the demo's questionnaire (imported from the demo's .xlsx as a coordinator uploads it) and a round
  like the demo's 2020 round, in the same 26 schools, each counted under its 2020 district;
- ten times the demo's answers: 13,000 responses, made by the demo's own generator
  (`demo_data.responses_for`: every one passes `answers.clean_response`) with a fixed seed, in the
  demo's proportions per school, bulk-created.

The baseline computes the same tables the straightforward way, in the same run: for each question, its
relevance judged for every answer by parsing the expressions anew (no cache), then for each row a pass
over the answers asked, and for each cell a pass over that row's answers, counting; the categories
(small schools merged) and the disclosure step (`core.disclosure.suppressed_cells`, through
`results._suppressed_table`) are the same. Both return, for each question, its counts asked and
answered and its table (row and column labels, every cell's count or None and its percent, the totals,
the summaries of numbers), which must be equal.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction

from mangnon.accounts import bench
from mangnon.accounts.models import User
from mangnon.accounts.roles import Role
from mangnon.activities import benchmarks as activity_bench
from mangnon.core.bench import Target, benchmark, count_queries
from mangnon.core.disclosure import threshold
from mangnon.geo.models import AdminUnit
from mangnon.orgs import demo_data as orgs_demo

from . import demo_data, demo_form, expressions, results, results_selectors, services
from .form import CATEGORICAL, Group, Question, QuestionKind
from .models import FormVersion, Response, SurveyRound

COORDINATOR = "bench-surveys-coordinator"
TITLE = "Khảo sát học sinh về bạo lực, xâm hại tình dục trẻ em (benchmark)"
ROUND_NAME = "Khảo sát học sinh năm 2020, gấp mười lần (benchmark)"
SCALE = 10
SEED = 20200601 + demo_data.SEED_OFFSET
BY = (results.SCHOOL, results.SEX)


@dataclass
class RoundSet(bench.Viewer):
    survey_round: SurveyRound


class _Context:
    seed = 20200601

    def say(self, message: str) -> None:
        print(f"    {message.strip()}", flush=True)


def _coordinator(province: AdminUnit) -> User:
    return bench.standing_user(COORDINATOR, Role.SURVEY_COORDINATOR, province, date(2019, 1, 1))


def build_set() -> RoundSet:
    """The province, its schools, the demo questionnaire, a round and 13,000 answers (once per database)."""
    province = activity_bench.place().province
    user = _coordinator(province)
    existing = SurveyRound.objects.filter(province=province, name=ROUND_NAME).first()
    if existing is not None:  # built in one transaction: when the round is there, so are its answers
        return RoundSet(user, existing)
    started = clock.perf_counter()
    orgs_demo.load(_Context())
    rng = random.Random(SEED)  # noqa: S311 - synthetic data
    plans = demo_data.plan_schools(province, rng)
    with transaction.atomic():
        questionnaire = services.questionnaire_import(
            actor=user,
            province=province,
            data=demo_form.demo_form_workbook(),
            filename=demo_form.DEMO_FORM_FILENAME,
            title=TITLE,
        )
        version = FormVersion.objects.get(questionnaire=questionnaire, number=1)
        survey_round = services.round_create(
            actor=user,
            questionnaire=questionnaire,
            name=ROUND_NAME,
            opens_on=demo_data.OPENS_ON,
            closes_on=demo_data.CLOSES_ON,
            sex_question="sex",
            grade_question="grade",
        )
        links = [(demo_data._add_school(survey_round, plan, user), plan) for plan in plans]
        for _n in range(SCALE):
            rows = demo_data.responses_for(survey_round, version, links, user, rng)
            Response.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Response._meta.db_table}")
    print(
        f"    (built {SCALE * demo_data.RESPONSES:,} answers in {clock.perf_counter() - started:.0f} s)",
        flush=True,
    )
    return RoundSet(user, survey_round)


# What both sides return ----------------------------------------------------------------------------

Shown = tuple[int | None, float | None]


def _cells(cells: list[results.Cell]) -> tuple[Shown, ...]:
    return tuple((c.count, c.percent) for c in cells)


def _value(found: results.Results) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [(found.respondents.count, tuple(found.notes))]
    for q in found.questions:
        t = q.table
        out.append(
            (
                q.name,
                q.label,
                q.asked.count,
                q.answered.count,
                tuple(t.rows),
                tuple(t.columns),
                tuple(_cells(row) for row in t.cells),
                _cells(t.row_totals),
                _cells(t.column_totals),
                (t.total.count, t.total.percent),
                tuple(t.summaries),
                t.summary,
            )
        )
    return out


def round_results(s: RoundSet) -> list[tuple[Any, ...]]:
    user = s.fresh()
    rounds = [s.survey_round]
    responses = results_selectors.responses_for(user, rounds)
    return _value(results.tabulate(s.survey_round.questionnaire, rounds, responses, BY))


# The baseline ---------------------------------------------------------------------------------------


def _relevant_anew(question: Question, parents: tuple[Group, ...], answers: dict[str, Any]) -> bool:
    """Relevance as tabulate judges it, each expression parsed anew."""
    for expr in (*(group.relevant for group in parents), question.relevant):
        if not expr:
            continue
        try:
            tree = expressions.parse.__wrapped__(expr)
            if not expressions.truthy(expressions._eval(tree, expressions._Context(answers, None, None))):
                return False
        except expressions.ExpressionError:
            return True
    return True


def naive_round_results(s: RoundSet) -> list[tuple[Any, ...]]:
    user = s.fresh()
    rounds = [s.survey_round]
    questionnaire = s.survey_round.questionnaire
    limit = threshold()
    answers = list(results_selectors.responses_for(user, rounds))  # model instances
    definitions = results._definitions({r.form_version_id for r in answers}, questionnaire)
    merged = results._merged_questions(list(definitions.values()))
    data = results._Answers.read(answers, rounds)
    row_dim, col_dim = (results._dimension(name, data, merged, limit) for name in BY)
    row_of = {r.pk: key for r, key in zip(answers, row_dim.key_of, strict=True)}
    col_of = {r.pk: key for r, key in zip(answers, col_dim.key_of, strict=True)}
    row_keys, col_keys = list(row_dim.labels), list(col_dim.labels)
    shown_rows = [i for i, key in enumerate(row_keys) if key != results.HIDDEN]
    notes = [results._("%(n)d schools with too few answers are not shown.") % {"n": row_dim.hidden_schools}]
    notes = notes if row_dim.hidden_schools else []
    questions: list[results.QuestionResult] = []
    for name, entry in merged.items():
        q = entry.question
        holders = {pk for pk, d in definitions.items() if d.question(name) is not None}
        asked = [
            r for r in answers if r.form_version_id in holders and _relevant_anew(q, entry.parents, r.answers)
        ]
        answering = [r for r in asked if results._answered(r.answers.get(name))]
        by_row = [[r for r in answering if row_of[r.pk] == key] for key in row_keys]
        row_totals = [len(rows) for rows in by_row]
        if q.kind in CATEGORICAL:
            columns = [(c, choice) for c in range(len(col_keys)) for choice in entry.choices]
            matrix = [
                [
                    sum(
                        1
                        for r in rows
                        if col_of[r.pk] == col_keys[c] and choice in results._ticked(r.answers.get(name))
                    )
                    for c, choice in columns
                ]
                for rows in by_row
            ]
            table = results._suppressed_table(
                [row_dim.labels[k] for k in row_keys],
                [f"{col_dim.labels[col_keys[c]]} · {entry.choices[choice]}" for c, choice in columns],
                matrix,
                row_totals,
                [sum(row[i] for row in matrix) for i in range(len(columns))],
                len(answering),
                shown_rows=shown_rows,
                shown_columns=[i for i, (c, _x) in enumerate(columns) if col_keys[c] != results.HIDDEN],
                limit=limit,
                percents=True,
            )
        else:
            combos = [(r, c) for r in range(len(row_keys)) for c in range(len(col_keys))]
            groups = [[x for x in by_row[r] if col_of[x.pk] == col_keys[c]] for r, c in combos]
            counts = [len(group) for group in groups]
            shown = [
                i
                for i, (r, c) in enumerate(combos)
                if row_keys[r] != results.HIDDEN and col_keys[c] != results.HIDDEN
            ]
            table = results._suppressed_table(
                [f"{row_dim.labels[row_keys[r]]} · {col_dim.labels[col_keys[c]]}" for r, c in combos],
                [results._("Answers")],
                [[n] for n in counts],
                counts,
                [len(answering)],
                len(answering),
                shown_rows=shown,
                shown_columns=[0],
                limit=limit,
                percents=False,
            )
            if q.kind in results.NUMERIC:
                numbers = [
                    [n for n in (results._number(x.answers.get(name)) for x in group) if n is not None]
                    for group in groups
                ]
                table.summaries = [
                    None if cell.suppressed else results._summary(numbers[i], limit)
                    for i, cell in zip(shown, table.row_totals, strict=True)
                ]
                everything = [n for values in numbers for n in values]
                table.summary = None if table.total.suppressed else results._summary(everything, limit)
        questions.append(
            results.QuestionResult(
                name=name,
                label=entry.definition.label(q),
                kind=str(q.kind),
                asked=results._total(len(asked), limit),
                answered=results._total(len(answering), limit),
                table=table,
                multiple=q.kind == QuestionKind.SELECT_MULTIPLE,
            )
        )
    if any(r.kind in results.FREE_TEXT for r in questions):
        notes.append(results._("Free-text answers are counted, never shown."))
    if any(r.multiple for r in questions):
        notes.append(
            results._(
                "A pupil may tick several choices of a multiple choice: its shares need not add up to 100%."
            )
        )
    found = results.Results(
        questionnaire, rounds, BY, limit, results._total(len(answers), limit), questions, notes
    )
    return _value(found)


def report(s: RoundSet) -> Iterator[str]:
    value = round_results(s)
    questions = value[1:]
    cells = sum(len(q[6]) * len(q[5]) for q in questions)
    hidden = sum(1 for q in questions for row in q[6] for count, _p in row if count is None)
    queries = count_queries(round_results, s)
    yield (
        f"{value[0][0]:,} answers, {len(questions)} questions by school × sex: {cells:,} cells shown, "
        f"{hidden:,} of them suppressed; {queries} queries a call"
    )


benchmark(
    name="surveys.round_results",
    target=Target(max_median_ms=1500, min_ratio=3),
    baseline=naive_round_results,
    setup=build_set,
    report=report,
)(round_results)
