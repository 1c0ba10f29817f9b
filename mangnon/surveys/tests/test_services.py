"""The staff write services of surveys: import and replace a questionnaire, rounds, the schools of a round and
their links, what a round feeds. Each is refused outside SURVEY_MANAGE, audited, and writes nothing on bad
input; versioned writes with a stale version raise Conflict."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mangnon.core import metrics
from mangnon.core.models import AuditEvent
from mangnon.geo.models import AdminUnit
from mangnon.orgs.codes import Boarding, OrgKind
from mangnon.orgs.tests.factories import OrganisationFactory, other_province_commune
from mangnon.surveys import services
from mangnon.surveys.models import FormVersion, Questionnaire, RoundSchool, SurveyRound

from .factories import QuestionnaireFactory, ResponseFactory, RoundSchoolFactory, SurveyRoundFactory

pytestmark = pytest.mark.django_db

FORM = """| survey |
| | type | name | label |
| | select_one sex | gioi_tinh | Giới tính |
| | integer | lop | Lớp |
| | select_one yn | violence | Bạo lực? |
| choices |
| | list_name | name | label |
| | sex | male | Nam |
| | sex | female | Nữ |
| | yn | yes | Có |
| | yn | no | Không |
| settings |
| | form_title | form_id |
| | Khảo sát thử | thu |
""".encode()

# A second version without the sex question.
FORM_V2 = """| survey |
| | type | name | label |
| | integer | lop | Lớp |
| | select_one yn | violence | Bạo lực? |
| choices |
| | list_name | name | label |
| | yn | yes | Có |
| | yn | no | Không |
""".encode()

UNSUPPORTED = b"| survey |\n| | type | name | label |\n| | geopoint | gps | Where |\n"


def _import(personas: Any, units: Any, **kwargs: Any) -> Questionnaire:
    return services.questionnaire_import(
        actor=personas.survey, province=units.province, data=FORM, filename="thu.md", **kwargs
    )


def test_import_makes_a_questionnaire_with_version_1_titled_by_the_form(personas: Any, units: Any) -> None:
    questionnaire = _import(personas, units)
    assert questionnaire.title == "Khảo sát thử"
    assert questionnaire.province == units.province
    version = questionnaire.current
    assert version is not None and version.number == 1 and version.form_id == "thu"
    assert bytes(version.source) == FORM and version.source_name == "thu.md"
    assert version.uploaded_by == personas.survey
    event = AuditEvent.objects.get(object_type="surveys.questionnaire", object_id=str(questionnaire.pk))
    assert event.action == "import" and event.changes["questions"] == 3


def test_import_with_a_title_and_idempotency_key(personas: Any, units: Any) -> None:
    first = _import(personas, units, title="Đợt 2020", idempotency_key="k1", request_hash="h")
    again = _import(personas, units, title="Đợt 2020", idempotency_key="k1", request_hash="h")
    assert first.pk == again.pk and first.title == "Đợt 2020"
    assert Questionnaire.objects.count() == 1


def test_import_refusal_writes_nothing(personas: Any, units: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_import(
            actor=personas.survey, province=units.province, data=UNSUPPORTED, filename="x.md"
        )
    assert "geopoint" in str(refused.value.message_dict["file"])
    assert not Questionnaire.objects.exists() and not AuditEvent.objects.filter(action="import").exists()


@pytest.mark.parametrize("who", ["officer_a", "viewer", "province_manager", "hotline"])
def test_import_needs_survey_manage_at_the_province(personas: Any, units: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.questionnaire_import(
            actor=getattr(personas, who), province=units.province, data=FORM, filename="thu.md"
        )
    assert not Questionnaire.objects.exists()


def test_replace_adds_a_version_and_warns_of_a_round_question_it_lacks(personas: Any, units: Any) -> None:
    questionnaire = _import(personas, units)
    survey_round = services.round_create(
        actor=personas.survey,
        questionnaire=questionnaire,
        name="Đợt 1",
        opens_on=date(2026, 3, 1),
        closes_on=date(2026, 3, 31),
    )
    assert survey_round.sex_question == "gioi_tinh" and survey_round.grade_question == "lop"
    version = services.questionnaire_replace(
        actor=personas.survey, questionnaire=questionnaire, version=1, data=FORM_V2, filename="v2.md"
    )
    assert version.number == 2
    assert len(version.warnings) == 1 and "gioi_tinh" in version.warnings[0]
    assert list(questionnaire.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    questionnaire.refresh_from_db()
    assert questionnaire.version == 2
    with pytest.raises(services.Conflict):
        services.questionnaire_replace(
            actor=personas.survey, questionnaire=questionnaire, version=1, data=FORM_V2, filename="v3.md"
        )
    assert FormVersion.objects.count() == 2


def test_round_create_validates_dates_and_questions(personas: Any, units: Any) -> None:
    questionnaire = QuestionnaireFactory()
    with pytest.raises(ValidationError) as refused:
        services.round_create(
            actor=personas.survey,
            questionnaire=questionnaire,
            name="",
            opens_on=date(2026, 3, 31),
            closes_on=date(2026, 3, 1),
            sex_question="nope",
        )
    assert set(refused.value.message_dict) == {"name", "closes_on", "sex_question"}
    assert not SurveyRound.objects.exists()
    survey_round = services.round_create(
        actor=personas.survey,
        questionnaire=questionnaire,
        name=" Đợt  1 ",
        opens_on=date(2026, 3, 1),
        closes_on=date(2026, 3, 31),
    )
    assert survey_round.name == "Đợt 1" and survey_round.province == questionnaire.province
    assert (survey_round.sex_question, survey_round.grade_question) == ("sex", "grade")
    assert AuditEvent.objects.filter(object_type="surveys.surveyround", action="create").count() == 1


def test_round_create_is_refused_outside_survey_manage(personas: Any, units: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.round_create(
            actor=personas.officer_a,
            questionnaire=QuestionnaireFactory(),
            name="x",
            opens_on=date(2026, 3, 1),
            closes_on=date(2026, 3, 31),
        )


def test_round_edit_checks_the_version(personas: Any, units: Any) -> None:
    survey_round = SurveyRoundFactory()
    services.round_edit(actor=personas.survey, survey_round=survey_round, version=1, name="Đợt mới")
    assert survey_round.name == "Đợt mới" and survey_round.version == 2
    with pytest.raises(services.Conflict):
        services.round_edit(actor=personas.survey, survey_round=survey_round, version=1, name="Cũ")
    with pytest.raises(ValidationError):
        services.round_edit(actor=personas.survey, survey_round=survey_round, version=2, token="x")
    event = AuditEvent.objects.get(object_type="surveys.surveyround", action="update")
    assert event.changes["name"][1] == "Đợt mới"


def test_round_school_add_defaults_and_checks(personas: Any, units: Any) -> None:
    survey_round = SurveyRoundFactory()
    school = OrganisationFactory(admin_unit=units.commune_a, boarding=Boarding.SEMI_BOARDING)
    round_school = services.round_school_add(
        actor=personas.survey, survey_round=survey_round, school=school, grade_from=6, grade_to=9, expected=50
    )
    assert round_school.unit == units.commune_a and round_school.boarding == Boarding.SEMI_BOARDING
    assert round_school.active and len(round_school.token) >= 20
    event = AuditEvent.objects.get(object_type="surveys.roundschool", action="create")
    assert round_school.token not in str(event.changes)
    with pytest.raises(ValidationError):  # twice
        services.round_school_add(actor=personas.survey, survey_round=survey_round, school=school)
    police = OrganisationFactory(kind=OrgKind.POLICE, services=[])
    with pytest.raises(ValidationError):
        services.round_school_add(actor=personas.survey, survey_round=survey_round, school=police)
    elsewhere = OrganisationFactory(admin_unit=other_province_commune())
    with pytest.raises(ValidationError):
        services.round_school_add(actor=personas.survey, survey_round=survey_round, school=elsewhere)
    with pytest.raises(ValidationError) as grades:
        services.round_school_add(
            actor=personas.survey,
            survey_round=survey_round,
            school=OrganisationFactory(),
            grade_from=9,
            grade_to=6,
            expected=-1,
        )
    assert set(grades.value.message_dict) == {"grade_to", "expected"}
    with pytest.raises(PermissionDenied):
        services.round_school_add(
            actor=personas.officer_a, survey_round=survey_round, school=OrganisationFactory()
        )
    assert RoundSchool.objects.count() == 1


def test_a_round_before_the_reform_counts_a_school_under_its_old_district(personas: Any, units: Any) -> None:
    survey_round = SurveyRoundFactory(opens_on=date(2020, 10, 1), closes_on=date(2020, 11, 30))
    school = OrganisationFactory(admin_unit=units.commune_a)
    round_school = services.round_school_add(actor=personas.survey, survey_round=survey_round, school=school)
    assert round_school.unit == services.unit_at(school, date(2020, 10, 1))
    assert round_school.unit.level == "district" and round_school.unit.is_valid_on(date(2020, 10, 1))
    # The districts of the old communes that went into commune A include legacy_a's.
    olds = {link.old_unit.parent_id for link in units.commune_a.predecessor_links.select_related("old_unit")}
    assert round_school.unit.pk in olds
    assert services.unit_at(school, date(2025, 7, 1)) == units.commune_a


def test_a_commune_formed_across_districts_takes_the_district_its_address_names(units: Any) -> None:
    # Xã Ba Chẽ (06970) was formed from communes of Ba Chẽ and of Tiên Yên: only the address tells.
    commune = AdminUnit.objects.get(code="06970", valid_to__isnull=True)
    districts = {
        link.old_unit.parent.short_name: link.old_unit.parent
        for link in commune.predecessor_links.select_related("old_unit__parent")
    }
    assert {"Ba Chẽ", "Tiên Yên"} <= set(districts)
    on = date(2020, 5, 25)
    in_tien_yen = OrganisationFactory(admin_unit=commune, address="xã Đồn Đạc, huyện Tiên Yên")
    in_ba_che = OrganisationFactory(admin_unit=commune, address="thị trấn Ba Chẽ, huyện Ba Chẽ")
    unknown = OrganisationFactory(admin_unit=commune, address="")
    assert services.unit_at(in_tien_yen, on) == districts["Tiên Yên"]
    assert services.unit_at(in_ba_che, on) == districts["Ba Chẽ"]
    # No guess: the school stays at its commune and the coordinator names the district.
    assert services.unit_at(unknown, on) == commune


def test_round_school_edit_and_remove(personas: Any, units: Any) -> None:
    round_school = RoundSchoolFactory()
    services.round_school_edit(actor=personas.survey, round_school=round_school, expected=40, grade_to=12)
    assert (round_school.expected, round_school.grade_to) == (40, 12)
    # A pre-reform commune is not a unit of a round opening today; another commune of the province is.
    with pytest.raises(ValidationError) as stale:
        services.round_school_edit(actor=personas.survey, round_school=round_school, unit=units.legacy_b)
    assert set(stale.value.message_dict) == {"unit"}
    services.round_school_edit(actor=personas.survey, round_school=round_school, unit=units.commune_b)
    assert round_school.unit == units.commune_b
    with pytest.raises(ValidationError):
        services.round_school_edit(actor=personas.survey, round_school=round_school, token="x")
    answered = RoundSchoolFactory(survey_round=round_school.survey_round)
    ResponseFactory(school=answered)
    with pytest.raises(ValidationError):
        services.round_school_remove(actor=personas.survey, round_school=answered)
    services.round_school_remove(actor=personas.survey, round_school=round_school)
    assert list(RoundSchool.objects.all()) == [answered]
    assert AuditEvent.objects.filter(object_type="surveys.roundschool", action="delete").count() == 1


def test_links_close_and_renew(personas: Any, units: Any) -> None:
    round_school = RoundSchoolFactory()
    old = round_school.token
    services.link_set_active(actor=personas.survey, round_school=round_school, active=False)
    round_school.refresh_from_db()
    assert not round_school.active
    services.link_renew(actor=personas.survey, round_school=round_school)
    round_school.refresh_from_db()
    assert round_school.token != old
    assert not RoundSchool.objects.filter(token=old).exists()
    events = AuditEvent.objects.filter(object_type="surveys.roundschool", action="update")
    assert events.count() == 2 and all(old not in str(e.changes) for e in events)
    with pytest.raises(PermissionDenied):
        services.link_renew(actor=personas.officer_a, round_school=round_school)


@pytest.fixture
def surveys_element() -> Any:
    """A data element owned by surveys (registered for the test if the app declares none)."""
    code = "surveys.test_feed"
    existing = services.feedable_elements()
    if existing:
        yield next(iter(existing))
        return
    element = metrics.DataElement(code, "Test", "surveys", lambda **kwargs: None)  # type: ignore[arg-type]
    metrics._registry._elements[code] = element
    yield code
    del metrics._registry._elements[code]


def test_round_feeds_are_checked_against_the_catalogue_and_the_form(
    personas: Any, units: Any, surveys_element: str
) -> None:
    survey_round = SurveyRoundFactory()
    feeds = {surveys_element: {"question": "violence_12m", "values": ["yes"]}}
    services.round_feeds_set(actor=personas.survey, survey_round=survey_round, version=1, feeds=feeds)
    assert survey_round.feeds == feeds and survey_round.version == 2
    for bad in (
        {"activities.sessions": {"question": "violence_12m", "values": ["yes"]}},
        {surveys_element: {"question": "nope", "values": ["yes"]}},
        {surveys_element: {"question": "violence_12m", "values": ["maybe"]}},
        {surveys_element: {"question": "violence_12m", "values": []}},
    ):
        with pytest.raises(ValidationError):
            services.round_feeds_set(actor=personas.survey, survey_round=survey_round, version=2, feeds=bad)
    with pytest.raises(services.Conflict):
        services.round_feeds_set(actor=personas.survey, survey_round=survey_round, version=1, feeds={})
    survey_round.refresh_from_db()
    assert survey_round.feeds == feeds
