"""Results: tabulation of every kind of question, breakdowns, versions and disclosure control."""

from __future__ import annotations

from typing import Any

import pytest

from mangnon.orgs.tests.factories import OrganisationFactory
from mangnon.surveys import results as res
from mangnon.surveys import results_selectors as sel
from mangnon.surveys.form import Choice, FormDefinition, Question, QuestionKind
from mangnon.surveys.models import SurveyRound
from mangnon.surveys.tests.factories import (
    FormVersionFactory,
    ResponseFactory,
    RoundSchoolFactory,
    SurveyRoundFactory,
    small_answers,
    small_definition,
)

pytestmark = pytest.mark.django_db


def _answers(school: Any, n: int, **answers: Any) -> None:
    for _i in range(n):
        ResponseFactory(school=school, answers=small_answers(**answers))


def _results(viewer: Any, survey_round: SurveyRound, by: tuple[str, ...] = (), **kw: Any) -> res.Results:
    rounds = sel.rounds_of(viewer, survey_round.questionnaire, survey_round.pk)
    return res.tabulate(survey_round.questionnaire, rounds, sel.responses_for(viewer, rounds), by, **kw)


def _question(results: res.Results, name: str) -> res.QuestionResult:
    return next(q for q in results.questions if q.name == name)


def test_counts_per_choice_answered_and_asked(personas: Any) -> None:
    school = RoundSchoolFactory()
    _answers(school, 6, violence_12m="yes", kinds=["physical", "emotional"])
    _answers(school, 4, violence_12m="no", kinds=None)
    results = _results(personas.survey, school.survey_round)
    assert results.respondents.count == 10 and results.threshold == 5
    violence = _question(results, "violence_12m")
    assert violence.table.columns == ["Có", "Không"] or violence.table.columns == ["Yes", "No"]
    # 4 "no" is small: suppressed, and its complement in the row too (the row shows its total).
    row = violence.table.cells[0]
    assert row[0].suppressed and row[1].suppressed and row[0].count is None
    assert violence.table.total.count == 10
    kinds = _question(results, "kinds")
    # Asked only where relevant (violence yes): 6; each choice once per pupil who ticked it.
    assert kinds.asked.count == 6 and kinds.answered.count == 6 and kinds.multiple
    assert [c.count for c in kinds.table.cells[0]] == [6, 6, 0]
    assert kinds.table.cells[0][0].percent == 100.0
    assert any("100%" in note for note in results.notes)


def test_free_text_is_only_counted_and_notes_are_skipped(personas: Any) -> None:
    school = RoundSchoolFactory()
    _answers(school, 6, comment='=HYPERLINK("x") Nguyễn Văn A')
    results = _results(personas.survey, school.survey_round)
    names = [q.name for q in results.questions]
    assert "note_thanks" not in names
    comment = _question(results, "comment")
    assert comment.table.total.count == 6
    assert "Nguyễn" not in str(results.as_json())


def test_numbers_give_quartiles_only_when_not_small(personas: Any) -> None:
    school = RoundSchoolFactory()
    for grade in (6, 7, 8, 9, 10, 11):
        ResponseFactory(school=school, answers=small_answers(grade=grade))
    grade = _question(_results(personas.survey, school.survey_round), "grade")
    assert grade.table.summary is not None and grade.table.summary.median == 8.5
    other = RoundSchoolFactory()
    _answers(other, 3)
    small = _question(_results(personas.survey, other.survey_round), "grade")
    assert small.table.summary is None and small.table.total.suppressed and small.answered.count is None


def test_school_with_three_answers_never_appears_by_name(personas: Any, units: Any) -> None:
    """Acceptance: suppression tested on a school with 3 answers."""
    survey_round = SurveyRoundFactory()
    big = RoundSchoolFactory(survey_round=survey_round, school=OrganisationFactory(name="Trường Lớn"))
    tiny = RoundSchoolFactory(survey_round=survey_round, school=OrganisationFactory(name="Trường Nhỏ"))
    _answers(big, 7, violence_12m="no", kinds=None)
    _answers(tiny, 3, violence_12m="yes", kinds=["sexual"])
    for by in [("school",), ("school", "sex"), ("sex", "school")]:
        results = _results(personas.survey, survey_round, by)
        text = str(results.as_json())
        assert "Trường Nhỏ" not in text
        violence = _question(results, "violence_12m")
        assert "Trường Lớn" in text
        for row in violence.table.cells:
            assert all(cell.count != 3 for cell in row)
    results = _results(personas.survey, survey_round, ("school",))
    assert results.notes[0].startswith("1 ")
    violence = _question(results, "violence_12m")
    assert violence.table.rows == ["Trường Lớn"]
    # The 3 "yes" count in the total only; the column of "yes" is suppressed so they cannot be recovered.
    assert violence.table.total.count == 10
    assert violence.table.column_totals[0].suppressed and violence.table.column_totals[1].suppressed
    # Staff get no bypass: the province's coordinator and manager see the same.
    manager = _results(personas.province_manager, survey_round, ("school",))
    assert "Trường Nhỏ" not in str(manager.as_json())


def test_small_schools_of_a_unit_merge_into_other_schools(personas: Any) -> None:
    survey_round = SurveyRoundFactory()
    for name in ("Trường Một", "Trường Hai"):
        _answers(RoundSchoolFactory(survey_round=survey_round, school=OrganisationFactory(name=name)), 3)
    results = _results(personas.survey, survey_round, ("school",))
    sex = _question(results, "sex")
    assert len(sex.table.rows) == 1 and sex.table.rows[0].startswith(("Other schools of", "Các trường khác"))
    assert "Trường Một" not in str(results.as_json())
    assert sex.table.row_totals[0].count == 6


def test_units_cross_tab_and_commune_scope(personas: Any, units: Any) -> None:
    survey_round = SurveyRoundFactory()
    a = RoundSchoolFactory(survey_round=survey_round, school=OrganisationFactory(admin_unit=units.commune_a))
    b = RoundSchoolFactory(survey_round=survey_round, school=OrganisationFactory(admin_unit=units.commune_b))
    _answers(a, 6, sex="male")
    _answers(a, 5, sex="female")
    _answers(b, 8)
    results = _results(personas.survey, survey_round, ("unit", "sex"))
    violence = _question(results, "violence_12m")
    assert violence.table.rows == sorted([units.commune_a.name, units.commune_b.name])
    assert len(violence.table.columns) == 4  # sex (2) × choices (2)
    # A commune officer counts only their commune's schools.
    own = _results(personas.officer_a, survey_round, ("unit",))
    assert own.respondents.count == 11 and _question(own, "sex").table.rows == [units.commune_a.name]


def test_versions_are_matched_by_name_and_labelled_by_the_newest(personas: Any) -> None:
    school = RoundSchoolFactory()
    _answers(school, 5)
    newer = small_definition()
    renamed = FormDefinition(
        title=newer.title,
        items=(*newer.items, Question("extra", QuestionKind.SELECT_ONE, {"vi": "Thêm"}, list_name="yes_no")),
        choices={
            **newer.choices,
            "yes_no": (Choice("yes", {"vi": "Đúng vậy"}), Choice("no", {"vi": "Không"})),
        },
        languages=newer.languages,
        default_language="vi",
    )
    version = FormVersionFactory(
        questionnaire=school.survey_round.questionnaire, definition=renamed.to_json()
    )
    for _i in range(5):
        ResponseFactory(
            school=school,
            form_version=version,
            answers=small_answers(violence_12m="no", kinds=None, extra="yes"),
        )
    results = _results(personas.survey, school.survey_round)
    violence = _question(results, "violence_12m")
    assert violence.table.total.count == 10
    assert "Đúng vậy" in str(violence.table.columns) or "Yes" in str(violence.table.columns)
    assert _question(results, "extra").asked.count == 5


def test_unknown_breakdown() -> None:
    assert res.parse_by("school,sex") == ("school", "sex")
    assert res.parse_by("") == ()
    for bad in ("pupil", "school,sex,grade", "sex,sex"):
        with pytest.raises(res.UnknownBreakdown):
            res.parse_by(bad)


def test_small_unit_is_hidden_and_percentages_need_a_big_base(personas: Any, units: Any) -> None:
    survey_round = SurveyRoundFactory()
    a = RoundSchoolFactory(survey_round=survey_round, school=OrganisationFactory(admin_unit=units.commune_a))
    b = RoundSchoolFactory(survey_round=survey_round, school=OrganisationFactory(admin_unit=units.commune_b))
    _answers(a, 9, violence_12m="no", kinds=None)
    _answers(b, 2)
    results = _results(personas.survey, survey_round, ("unit",))
    violence = _question(results, "violence_12m")
    assert violence.table.rows == [units.commune_a.name]
    assert units.commune_b.name not in str(results.as_json())
    assert any(note.startswith("1 ") for note in results.notes)
    # Commune A's total would give the hidden commune's away (the grand total is shown): it is suppressed,
    # and so no share is computed over it.
    assert violence.table.cells[0][1].count == 9 and violence.table.row_totals[0].suppressed
    assert violence.table.cells[0][1].percent is None and violence.table.total.count == 11
    assert res._percent(3, 4, 5) is None and res._percent(5, 10, 5) == 50.0
