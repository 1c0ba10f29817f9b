"""Factories of surveys: a questionnaire with one form version made from a small definition, a round in
Quảng Ninh, a school of the round (its link) and a response. They write rows directly, for tests that
need a given state; tests of the rules go through the services.

The small definition (`small_definition()`), two pages:
  page 0, group "about": sex (select_one male/female, required), grade (integer 6..12, required);
  page 1, group "experience": violence_12m (select_one yes/no, required), kinds (select_multiple
  physical/emotional/sexual, relevant when violence_12m is yes, required), note_thanks (note),
  comment (text, optional).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from mangnon.accounts.tests.factories import UserFactory
from mangnon.geo.models import AdminUnit
from mangnon.orgs.codes import Boarding
from mangnon.orgs.tests.factories import OrganisationFactory, default_commune, province_of
from mangnon.surveys.form import Choice, FormDefinition, Group, Question, QuestionKind
from mangnon.surveys.models import (
    Channel,
    FormVersion,
    Questionnaire,
    Response,
    RoundSchool,
    SurveyRound,
)


def small_definition() -> FormDefinition:
    return FormDefinition(
        title="Khảo sát nhỏ",
        languages=("vi", "en"),
        default_language="vi",
        form_id="small",
        version="1",
        items=(
            Group(
                name="about",
                labels={"vi": "Về em", "en": "About you"},
                children=(
                    Question(
                        name="sex",
                        kind=QuestionKind.SELECT_ONE,
                        labels={"vi": "Giới tính của em", "en": "Your sex"},
                        required="yes",
                        list_name="sex",
                    ),
                    Question(
                        name="grade",
                        kind=QuestionKind.INTEGER,
                        labels={"vi": "Em học lớp mấy?", "en": "Which grade are you in?"},
                        required="yes",
                        constraint=". >= 6 and . <= 12",
                        constraint_messages={"vi": "Lớp từ 6 đến 12", "en": "Grade 6 to 12"},
                    ),
                ),
            ),
            Group(
                name="experience",
                labels={"vi": "Trải nghiệm của em", "en": "What happened to you"},
                children=(
                    Question(
                        name="violence_12m",
                        kind=QuestionKind.SELECT_ONE,
                        labels={
                            "vi": "Trong 12 tháng qua, em có bị bạo lực không?",
                            "en": "In the last 12 months, were you hurt by violence?",
                        },
                        required="yes",
                        list_name="yes_no",
                    ),
                    Question(
                        name="kinds",
                        kind=QuestionKind.SELECT_MULTIPLE,
                        labels={"vi": "Loại bạo lực", "en": "Kinds of violence"},
                        required="yes",
                        relevant="${violence_12m} = 'yes'",
                        list_name="kinds",
                    ),
                    Question(
                        name="note_thanks",
                        kind=QuestionKind.NOTE,
                        labels={"vi": "Cảm ơn em đã trả lời.", "en": "Thank you for answering."},
                    ),
                    Question(
                        name="comment",
                        kind=QuestionKind.TEXT,
                        labels={"vi": "Em muốn nói thêm gì không?", "en": "Anything else to say?"},
                    ),
                ),
            ),
        ),
        choices={
            "sex": (
                Choice("male", {"vi": "Nam", "en": "Male"}),
                Choice("female", {"vi": "Nữ", "en": "Female"}),
            ),
            "yes_no": (
                Choice("yes", {"vi": "Có", "en": "Yes"}),
                Choice("no", {"vi": "Không", "en": "No"}),
            ),
            "kinds": (
                Choice("physical", {"vi": "Thể chất", "en": "Physical"}),
                Choice("emotional", {"vi": "Tinh thần", "en": "Emotional"}),
                Choice("sexual", {"vi": "Tình dục", "en": "Sexual"}),
            ),
        },
    )


def small_answers(**overrides: Any) -> dict[str, Any]:
    """A complete, valid set of answers to the small definition."""
    answers: dict[str, Any] = {"sex": "female", "grade": 8, "violence_12m": "yes", "kinds": ["physical"]}
    answers.update(overrides)
    return answers


def survey_today() -> date:
    """Today where the surveys run (Asia/Ho_Chi_Minh), as response_services.survey_today."""
    return timezone.localtime(timezone.now(), ZoneInfo("Asia/Ho_Chi_Minh")).date()


def _province() -> AdminUnit:
    return province_of(default_commune())


class QuestionnaireFactory(factory.django.DjangoModelFactory[Questionnaire]):
    class Meta:
        model = Questionnaire
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Khảo sát bạo lực học đường {n + 1}")
    province = factory.LazyFunction(_province)

    @factory.post_generation
    def form(self, create: bool, extracted: FormDefinition | None, **kwargs: Any) -> None:
        """One version from `form=` (a FormDefinition), else the small definition; `form=False`: none."""
        if not create or extracted is False:
            return
        FormVersionFactory(questionnaire=self, definition=(extracted or small_definition()).to_json())


class FormVersionFactory(factory.django.DjangoModelFactory[FormVersion]):
    class Meta:
        model = FormVersion

    questionnaire = factory.SubFactory(QuestionnaireFactory, form=False)
    number = factory.LazyAttribute(lambda o: o.questionnaire.versions.count() + 1)
    source_name = "khao-sat.xlsx"
    source = b"xlsx"
    form_id = "small"
    definition = factory.LazyFunction(lambda: small_definition().to_json())


class SurveyRoundFactory(factory.django.DjangoModelFactory[SurveyRound]):
    class Meta:
        model = SurveyRound

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    name = factory.Sequence(lambda n: f"Đợt khảo sát {n + 1}")
    province = factory.LazyAttribute(lambda o: o.questionnaire.province)
    # Open today where the surveys run (tests do not depend on the calendar); pass dates to close it.
    opens_on = factory.LazyFunction(lambda: survey_today() - timedelta(days=7))
    closes_on = factory.LazyAttribute(lambda o: o.opens_on + timedelta(days=37))
    sex_question = "sex"
    grade_question = "grade"


class RoundSchoolFactory(factory.django.DjangoModelFactory[RoundSchool]):
    class Meta:
        model = RoundSchool

    survey_round = factory.SubFactory(SurveyRoundFactory)
    school = factory.SubFactory(OrganisationFactory)
    unit = factory.LazyAttribute(lambda o: o.school.admin_unit)
    boarding = Boarding.BOARDING
    grade_from = 6
    grade_to = 9


class ResponseFactory(factory.django.DjangoModelFactory[Response]):
    class Meta:
        model = Response

    school = factory.SubFactory(RoundSchoolFactory)
    survey_round = factory.LazyAttribute(lambda o: o.school.survey_round)
    form_version = factory.LazyAttribute(lambda o: o.school.survey_round.questionnaire.current)
    answers = factory.LazyFunction(small_answers)
    channel = Channel.ONLINE
    submitted_on = factory.LazyAttribute(lambda o: o.survey_round.opens_on)
    entered_by: Any = None


class PaperResponseFactory(ResponseFactory):
    channel = Channel.PAPER
    entered_by = factory.SubFactory(UserFactory)


def round_with_a_tiny_school(
    *, unit: AdminUnit | None = None, questionnaire: Questionnaire | None = None, comment: str = ""
) -> Any:
    """A round whose "Trường Lớn" has 8 answers and "Trường Nhỏ" 3 (under the disclosure threshold): what
    the results' pages, API and export must never show by name."""
    survey_round = SurveyRoundFactory(**({"questionnaire": questionnaire} if questionnaire else {}))
    place = {"admin_unit": unit} if unit is not None else {}
    big, tiny = (
        RoundSchoolFactory(survey_round=survey_round, school=OrganisationFactory(name=name, **place))
        for name in ("Trường Lớn", "Trường Nhỏ")
    )
    extra = {"comment": comment} if comment else {}
    for _i in range(8):
        ResponseFactory(school=big, answers=small_answers(violence_12m="no", kinds=None, **extra))
    for _i in range(3):
        ResponseFactory(school=tiny)
    return survey_round
