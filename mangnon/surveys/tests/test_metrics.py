"""The surveys' data elements and the catalogue's MN-KS-01 computed from them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.indicators import catalogue
from mangnon.indicators.engine import Evaluator
from mangnon.indicators.periods import parse_period
from mangnon.orgs.tests.factories import OrganisationFactory
from mangnon.surveys.tests.factories import (
    ResponseFactory,
    RoundSchoolFactory,
    SurveyRoundFactory,
    small_answers,
)

pytestmark = pytest.mark.django_db

FEED = {"surveys.violence_reported": {"question": "violence_12m", "values": ["yes"]}}
DAY = date(2025, 11, 10)
YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


def _round(**kw: Any) -> Any:
    return SurveyRoundFactory(opens_on=DAY - timedelta(days=3), closes_on=DAY + timedelta(days=20), **kw)


@pytest.fixture
def answers(units: Any) -> dict[str, Any]:
    feeding = _round(feeds=FEED)
    other = _round()
    a = RoundSchoolFactory(survey_round=feeding, school=OrganisationFactory(admin_unit=units.commune_a))
    b = RoundSchoolFactory(survey_round=feeding, school=OrganisationFactory(admin_unit=units.commune_b))
    for _i in range(3):
        ResponseFactory(school=a, submitted_on=DAY, answers=small_answers(violence_12m="yes"))
    for _i in range(7):
        ResponseFactory(school=a, submitted_on=DAY, answers=small_answers(violence_12m="no", kinds=None))
    for _i in range(2):
        ResponseFactory(school=b, submitted_on=DAY, answers=small_answers(violence_12m="yes"))
    # Skipped the question: a respondent, not asked.
    ResponseFactory(school=b, submitted_on=DAY, answers={"sex": "male", "grade": 7})
    # Another year: not in the period.
    ResponseFactory(school=b, submitted_on=date(2024, 11, 1))
    # A round that does not feed the figure: respondents only.
    other_school = RoundSchoolFactory(
        survey_round=other, school=OrganisationFactory(admin_unit=units.commune_a)
    )
    for _i in range(4):
        ResponseFactory(school=other_school, submitted_on=DAY, answers=small_answers(violence_12m="yes"))
    return {"a": a, "b": b}


def _figure(code: str, viewer: Any, unit: Any) -> int:
    return metrics.get(code).compute(unit=unit, period=YEAR, viewer=viewer).total


def test_elements_over_the_province(personas: Any, units: Any, answers: Any) -> None:
    assert _figure("surveys.respondents", personas.survey, units.province) == 17
    assert _figure("surveys.violence_asked", personas.survey, units.province) == 12
    assert _figure("surveys.violence_reported", personas.survey, units.province) == 5


def test_elements_of_a_commune_and_its_officer(personas: Any, units: Any, answers: Any) -> None:
    assert _figure("surveys.respondents", personas.officer_a, units.commune_a) == 14
    assert _figure("surveys.violence_asked", personas.officer_a, units.commune_a) == 10
    assert _figure("surveys.violence_reported", personas.officer_a, units.commune_a) == 3
    with pytest.raises(Http404):
        _figure("surveys.violence_reported", personas.officer_a, units.commune_b)
    with pytest.raises(PermissionDenied):
        _figure("surveys.respondents", personas.hotline, units.province)


def test_no_feeding_round_counts_nothing(personas: Any, units: Any) -> None:
    school = RoundSchoolFactory(survey_round=_round())
    ResponseFactory(school=school, submitted_on=DAY)
    assert _figure("surveys.violence_asked", personas.survey, units.province) == 0
    assert _figure("surveys.respondents", personas.survey, units.province) == 1


def test_indicator_mn_ks_01(personas: Any, units: Any, answers: Any) -> None:
    indicator = catalogue.get("MN-KS-01")
    assert indicator.source is catalogue.Source.SURVEY and indicator.direction is catalogue.Direction.LOWER
    value = Evaluator(personas.province_officer).value(indicator, units.province, parse_period("2025"))
    assert (value.numerator, value.denominator) == (Decimal(5), Decimal(12))
    assert value.value == Decimal("41.67")
