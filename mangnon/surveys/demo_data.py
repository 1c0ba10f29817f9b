"""Demo surveys: Quảng Ninh's 2020 pupils' survey on violence and sexual abuse, with 1,300 answers.

Seed 004: in the first half of 2020 the province's department surveyed 1,300 pupils of 26 boarding and
semi-boarding schools in 8 district-level units about violence and sexual abuse. The demo imports its
questionnaire (`demo/violence_2020.md`, turned into a real .xlsx by `demo_form`) as the demo survey
coordinator, opens the round in the 26 boarding (PTDTNT) and semi-boarding (PTDTBT) schools of the
directory, each counted in the district-level unit it belonged to in 2020 (the pre-reform district of
its address, as orgs.demo_data placed it), and stores 1,300 answers.

The answers are SYNTHETIC: made up with a fixed seed, not the province's data. They are plausible for a
lower-secondary school survey in Viet Nam (about one pupil in five reporting violence in the last 12
months, about one in twenty-five unwanted sexual contact, some choosing not to say, some skipping) and
consistent with the form (skip logic and constraints respected): each one passes
`answers.clean_response`, the check a pupil's answers pass before they are stored. 120 of them were
typed in from paper by the coordinator (three schools with few computers); the others came online.

Everything goes through the services a coordinator's pages use (`services.questionnaire_import`,
`round_create`, `round_feeds_set`, `round_school_add`), each writing its own audit event; the answers,
written in bulk, are summarised by ONE audit event (1,300 "create" events would describe no one's work).
Idempotent: when the round exists nothing is added; the load is one transaction.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from mangnon.accounts.models import User
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit, Level
from mangnon.geo.selectors import unit_on
from mangnon.orgs.codes import Boarding, OrgKind
from mangnon.orgs.models import Organisation

from . import services
from .answers import clean_response
from .demo_form import DEMO_FORM_FILENAME, demo_form_workbook
from .form import FormDefinition
from .models import Channel, FormVersion, Response, RoundSchool, SurveyRound

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

COORDINATOR = "demo-survey"
QUESTIONNAIRE_TITLE = "Khảo sát học sinh về bạo lực, xâm hại tình dục trẻ em"
ROUND_NAME = "Khảo sát học sinh về bạo lực, xâm hại tình dục năm 2020"
# Seed 004 reports the survey among the work of the first half of 2020; schools reopened in May after
# the spring closure, so the pupils answered in the last weeks of the school year.
OPENS_ON = date(2020, 5, 25)
CLOSES_ON = date(2020, 6, 19)
FEEDS = {"surveys.violence_reported": {"question": "violence_12m", "values": ["yes"]}}

RESPONSES = 1300
SCHOOLS = 26
UNITS = 8
MIN_PER_SCHOOL = 30
EXPECTED_PER_SCHOOL = 50
GRADES = (6, 9)
PAPER_SCHOOLS = 3
PAPER_PER_SCHOOL = 40  # 3 × 40 = 120 answers typed in from paper
SEED_OFFSET = 4  # seed 004
# The choices of two select_multiple questions in the form's order (answers list them in that order).
PLACES = ("home", "school", "dormitory", "online", "elsewhere")
SAFER = ("skills", "trusted_adult", "counselling", "dorm_care", "clubs", "hotline_info", "parents")


@dataclass(frozen=True)
class SchoolPlan:
    school: Organisation
    unit: AdminUnit
    count: int
    paper: int
    days: tuple[date, ...]  # the school days its pupils answered


# -- the answers -----------------------------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _several(rng: random.Random, chances: dict[str, float]) -> list[str]:
    """Each choice with its own chance, in the form's order; at least one."""
    chosen = [name for name, chance in chances.items() if rng.random() < chance]
    return chosen or [max(chances, key=lambda name: chances[name])]


def pupil_answers(rng: random.Random, *, boarding_school: bool) -> dict[str, Any]:
    """One pupil's synthetic answers, consistent with the form: questions not asked are absent, a
    sensitive question is sometimes skipped (never required), an exclusive choice stands alone."""
    a: dict[str, Any] = {}
    sex = _pick(rng, {"male": 0.49, "female": 0.49, "undisclosed": 0.02})
    grade = int(_pick(rng, {"6": 0.27, "7": 0.26, "8": 0.24, "9": 0.23}))
    # Most pupils are 11 in grade 6; pupils of ethnic minorities in mountain communes often started late.
    age = grade + int(_pick(rng, {"4": 0.02, "5": 0.72, "6": 0.21, "7": 0.05}))
    boarding = rng.random() < (0.96 if boarding_school else 0.58)
    a.update(sex=sex, grade=str(grade), age=age, boarding="yes" if boarding else "no")

    def maybe(name: str, value: Any, skip: float = 0.02) -> None:
        if rng.random() >= skip:
            a[name] = value

    maybe(
        "safe_school",
        _pick(rng, {"always": 0.46, "often": 0.31, "sometimes": 0.17, "rarely": 0.04, "never": 0.02}),
    )
    maybe(
        "safe_home",
        _pick(rng, {"always": 0.55, "often": 0.26, "sometimes": 0.13, "rarely": 0.04, "never": 0.02}),
    )
    knows_111 = rng.random() < 0.62
    maybe("knows_111", "yes" if knows_111 else "no")
    if rng.random() < 0.06:
        maybe("tell_whom", ["no_one"])
    else:
        maybe(
            "tell_whom",
            _several(
                rng,
                {
                    "teacher": 0.52,
                    "parent": 0.63,
                    "friend": 0.33,
                    "police": 0.09,
                    "hotline": 0.22 if knows_111 else 0.03,
                },
            ),
        )  # fmt: skip

    # About one pupil in five hurt in the last 12 months, boys a little more often; some would rather not
    # say, a few skip the question.
    violence = _pick(rng, {"yes": 0.245 if sex == "male" else 0.20, "no": 0.71, "undisclosed": 0.04})
    maybe("violence_12m", violence, skip=0.015)
    if a.get("violence_12m") == "yes":
        places = {"home": 0.38, "school": 0.46, "online": 0.09, "elsewhere": 0.14}
        if boarding:
            places["dormitory"] = 0.24
        where = _several(rng, places)
        maybe("violence_where", sorted(where, key=PLACES.index), skip=0.04)
        if rng.random() < 0.06:
            maybe("violence_by", ["undisclosed"])
        else:
            by = {"parent": 0.34, "relative": 0.14, "teacher": 0.08, "pupil": 0.52, "known_adult": 0.07}
            by["stranger"] = 0.05
            maybe("violence_by", _several(rng, by), skip=0.04)
        maybe("violence_told", "yes" if rng.random() < 0.44 else "no", skip=0.03)

    # Unwanted sexual contact: about one pupil in twenty-five, girls more often; more would rather not say.
    abuse = _pick(rng, {"yes": 0.05 if sex == "female" else 0.028, "no": 0.90, "undisclosed": 0.05})
    maybe("abuse_12m", abuse, skip=0.025)
    if a.get("abuse_12m") == "yes":
        told = rng.random() < 0.33
        maybe("abuse_told", "yes" if told else "no", skip=0.05)
        maybe("abuse_help", "yes" if rng.random() < (0.62 if told else 0.12) else "no", skip=0.05)

    safer = {"skills": 0.45, "trusted_adult": 0.42, "counselling": 0.27, "clubs": 0.2}
    safer |= {"hotline_info": 0.24, "parents": 0.3}
    if boarding:
        safer["dorm_care"] = 0.3
    maybe("safer", sorted(_several(rng, safer), key=SAFER.index), skip=0.08)
    return a


# -- the schools -----------------------------------------------------------------------------------------


def _province() -> AdminUnit:
    code = settings.MANGNON_DEMO_PROVINCE
    province = unit_on(code)
    if province is None or province.level != Level.PROVINCE:
        raise ImproperlyConfigured(f"Load the geography first: mangnon geo load --province {code}")
    return province


def _school_days(rng: random.Random) -> tuple[date, ...]:
    """Two or three consecutive school days (Monday to Friday) in the round."""
    weekdays = [
        OPENS_ON + timedelta(days=n)
        for n in range((CLOSES_ON - OPENS_ON).days - 6)  # the last week is for typing in paper answers
        if (OPENS_ON + timedelta(days=n)).weekday() < 5
    ]
    start = rng.randrange(len(weekdays) - 2)
    return tuple(weekdays[start : start + rng.choice((2, 3))])


def plan_schools(province: AdminUnit, rng: random.Random) -> list[SchoolPlan]:
    schools = list(
        Organisation.objects.filter(
            province=province,
            kind=OrgKind.SCHOOL,
            boarding__in=(Boarding.BOARDING, Boarding.SEMI_BOARDING),
        ).order_by("name", "pk")
    )
    # The unit each school is counted under in 2020: the rule the coordinator's pages use (unit_at).
    placed = [(school, services.unit_at(school, OPENS_ON)) for school in schools]
    missing = [school.name for school, unit in placed if unit.level != Level.DISTRICT]
    if missing or len(schools) != SCHOOLS:
        raise ImproperlyConfigured(
            f"The demo survey needs the directory's {SCHOOLS} boarding and semi-boarding schools, each "
            f"with its pre-reform address: {len(schools)} found, without a district: {missing}"
        )
    units = {unit.pk for _school, unit in placed if unit is not None}
    if len(units) != UNITS:
        raise ImproperlyConfigured(f"The demo survey's schools are in {len(units)} district-level units")
    # Uneven sizes: at least MIN_PER_SCHOOL each, the rest shared by weight (boarding schools larger).
    weights = [
        rng.uniform(0.3, 1.7) * (1.4 if school.boarding == Boarding.BOARDING else 1.0) for school in schools
    ]
    extra = RESPONSES - MIN_PER_SCHOOL * len(schools)
    shares = [extra * w / sum(weights) for w in weights]
    counts = [MIN_PER_SCHOOL + int(share) for share in shares]
    by_remainder = sorted(range(len(schools)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_remainder[: RESPONSES - sum(counts)]:
        counts[i] += 1
    # Paper: semi-boarding schools in mountain communes with few computers.
    able = [i for i, school in enumerate(schools) if school.boarding == Boarding.SEMI_BOARDING]
    paper = set(rng.sample([i for i in able if counts[i] >= PAPER_PER_SCHOOL], PAPER_SCHOOLS))
    return [
        SchoolPlan(
            school=school,
            unit=unit,
            count=counts[i],
            paper=PAPER_PER_SCHOOL if i in paper else 0,
            days=_school_days(rng),
        )
        for i, (school, unit) in enumerate(placed)
        if unit is not None
    ]


# -- the load --------------------------------------------------------------------------------------------


def _coordinator() -> User:
    user = User.objects.filter(username=COORDINATOR).first()
    if user is None:
        raise ImproperlyConfigured(f"The demo user {COORDINATOR} is missing: load the accounts' demo first")
    return user


def _import(province: AdminUnit, coordinator: User) -> FormVersion:
    """The questionnaire as the coordinator uploads it: the .xlsx made from the markdown form."""
    questionnaire = services.questionnaire_import(
        actor=coordinator,
        province=province,
        data=demo_form_workbook(),
        filename=DEMO_FORM_FILENAME,
        title=QUESTIONNAIRE_TITLE,
    )
    version = questionnaire.current
    if version is None or version.warnings:  # the demo's own form imports cleanly, or the demo stops
        raise AssertionError(f"the demo questionnaire imported with warnings: {version and version.warnings}")
    return version


def _round(version: FormVersion, coordinator: User) -> SurveyRound:
    survey_round = services.round_create(
        actor=coordinator,
        questionnaire=version.questionnaire,
        name=ROUND_NAME,
        opens_on=OPENS_ON,
        closes_on=CLOSES_ON,
        sex_question="sex",
        grade_question="grade",
    )
    if set(FEEDS) <= set(services.feedable_elements()):
        return services.round_feeds_set(
            actor=coordinator, survey_round=survey_round, version=survey_round.version, feeds=FEEDS
        )
    # The indicator catalogue does not define the survey's data elements (yet): the round still says what
    # it would feed, as a coordinator's setting would once they exist.
    SurveyRound.objects.filter(pk=survey_round.pk).update(feeds=FEEDS)
    survey_round.refresh_from_db()
    return survey_round


def _add_school(survey_round: SurveyRound, plan: SchoolPlan, coordinator: User) -> RoundSchool:
    return services.round_school_add(
        actor=coordinator,
        survey_round=survey_round,
        school=plan.school,
        unit=plan.unit,
        grade_from=GRADES[0],
        grade_to=GRADES[1],
        expected=EXPECTED_PER_SCHOOL,
    )


def responses_for(
    survey_round: SurveyRound,
    version: FormVersion,
    links: list[tuple[RoundSchool, SchoolPlan]],
    coordinator: User,
    rng: random.Random,
) -> list[Response]:
    definition = FormDefinition.from_json(version.definition)
    rows: list[Response] = []
    for link, plan in links:
        boarding_school = plan.school.boarding == Boarding.BOARDING
        for n in range(plan.count):
            answers, errors = clean_response(definition, pupil_answers(rng, boarding_school=boarding_school))
            if errors:  # the generator's mistake, never the data's: stop before storing anything
                raise AssertionError(f"demo answers refused: {errors}")
            on_paper = n < plan.paper
            day = rng.choice(plan.days)
            if on_paper:  # typed in some days after the class filled in the paper forms
                day = min(day + timedelta(days=rng.randint(3, 10)), CLOSES_ON)
            rows.append(
                Response(
                    survey_round=survey_round,
                    school=link,
                    form_version=version,
                    answers=answers,
                    channel=Channel.PAPER if on_paper else Channel.ONLINE,
                    submitted_on=day,
                    entered_by=coordinator if on_paper else None,
                )
            )
    # Stored in no particular order: the order of rows says nothing of the order of answers in a class.
    rng.shuffle(rows)
    return rows


def load(ctx: DemoContext | Any) -> dict[str, int]:
    province = _province()
    if SurveyRound.objects.filter(province=province, name=ROUND_NAME).exists():
        ctx.say("  demo survey round already there")
        return {"responses": 0}
    coordinator = _coordinator()
    rng = random.Random(getattr(ctx, "seed", 20200601) + SEED_OFFSET)  # noqa: S311 - synthetic data
    plans = plan_schools(province, rng)
    with transaction.atomic():
        version = _import(province, coordinator)
        survey_round = _round(version, coordinator)
        links = [(_add_school(survey_round, plan, coordinator), plan) for plan in plans]
        rows = responses_for(survey_round, version, links, coordinator, rng)
        Response.objects.bulk_create(rows, batch_size=500)
        channels = Counter(row.channel for row in rows)
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="surveys.response",
            unit=province,
            changes={
                "demo": True,
                "questionnaire": version.questionnaire_id,
                "round": survey_round.pk,
                "schools": len(links),
                "units": len({plan.unit.pk for plan in plans}),
                "responses": len(rows),
                "by_channel": dict(sorted(channels.items())),
            },
        )
    ctx.say(
        f"  demo survey round: {len(links)} schools, {len(rows)} synthetic answers "
        f"({channels[Channel.PAPER]} typed in from paper)"
    )
    return {"responses": len(rows)}
