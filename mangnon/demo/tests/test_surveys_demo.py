"""The demo's school survey (issue 8, seed 004): Quảng Ninh's 2020 survey of 1,300 pupils in 26 boarding
and semi-boarding schools of 8 district-level units, with synthetic answers that each pass the check a
pupil's answers pass before they are stored; online answers name no one, paper ones only the typist; a
second load adds nothing.

The demo is loaded once (the slow part) for one test that checks each of these in turn.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import override_settings

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.geo.models import Level
from mangnon.orgs.codes import Boarding
from mangnon.surveys import demo_data
from mangnon.surveys.answers import clean_response
from mangnon.surveys.form import FormDefinition
from mangnon.surveys.models import Channel, Response, RoundSchool, SurveyRound

pytestmark = pytest.mark.django_db


def test_the_2020_survey_of_quang_ninh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGNON_DEMO_PASSWORD", "demo-pass-phrase-1")
    with override_settings(DEBUG=True):
        call_command("demo", "load", stdout=io.StringIO())

    survey_round = SurveyRound.objects.select_related("questionnaire", "province").get(
        name=demo_data.ROUND_NAME
    )
    assert survey_round.province.code == "22"
    assert survey_round.opens_on.year == survey_round.closes_on.year == 2020
    assert (survey_round.sex_question, survey_round.grade_question) == ("sex", "grade")
    assert survey_round.feeds == {
        "surveys.violence_reported": {"question": "violence_12m", "values": ["yes"]}
    }
    version = survey_round.questionnaire.versions.get()
    assert version.uploaded_by is not None and version.uploaded_by.username == "demo-survey"
    assert bytes(version.source).startswith(b"PK\x03\x04") and version.source_name.endswith(".xlsx")

    # 26 schools, each in the pre-reform district-level unit it belonged to in 2020: 8 of them.
    links = list(RoundSchool.objects.filter(survey_round=survey_round).select_related("school", "unit"))
    assert len(links) == 26
    assert {link.boarding for link in links} == {Boarding.BOARDING, Boarding.SEMI_BOARDING}
    assert all(link.boarding == link.school.boarding for link in links)
    units = {link.unit for link in links}
    assert len(units) == 8
    assert all(u.level == Level.DISTRICT and u.valid_to is not None for u in units)
    assert all(link.unit.short_name in link.school.address for link in links)
    assert all((link.grade_from, link.grade_to) == (6, 9) for link in links)

    # 1,300 answers, unevenly spread, none under 30 a school, within the round's dates.
    rows = list(Response.objects.filter(survey_round=survey_round))
    assert len(rows) == 1300
    per_school = Counter(row.school_id for row in rows)
    assert len(per_school) == 26 and min(per_school.values()) >= 30
    assert max(per_school.values()) - min(per_school.values()) >= 15
    assert all(survey_round.opens_on <= row.submitted_on <= survey_round.closes_on for row in rows)
    assert all(row.form_version_id == version.pk for row in rows)

    # Each passes the server's last word unchanged; online ones name no one, paper ones their typist.
    definition = FormDefinition.from_json(version.definition)
    for row in rows:
        assert clean_response(definition, row.answers) == (row.answers, {})
    paper = [row for row in rows if row.channel == Channel.PAPER]
    assert 0 < len(paper) <= 150
    assert all(row.entered_by is not None and row.entered_by.username == "demo-survey" for row in paper)
    assert not any(row.entered_by_id for row in rows if row.channel != Channel.PAPER)

    # Realistic (synthetic) prevalence.
    violence = sum(row.answers.get("violence_12m") == "yes" for row in rows) / len(rows)
    abuse = sum(row.answers.get("abuse_12m") == "yes" for row in rows) / len(rows)
    assert 0.18 <= violence <= 0.27 and 0.025 <= abuse <= 0.06

    # The coordinator's import, round and schools audited by the services; one event for the answers; a
    # second load adds nothing.
    imports = AuditEvent.objects.filter(object_type="surveys.questionnaire", action=AuditAction.IMPORT)
    assert imports.count() == 1 and imports.get().actor_username == "demo-survey"
    assert (
        AuditEvent.objects.filter(object_type="surveys.roundschool", action=AuditAction.CREATE).count() == 26
    )
    events = AuditEvent.objects.filter(object_type="surveys.response")
    assert events.count() == 1 and events.get().changes["responses"] == 1300
    demo_data.load(_Quiet())
    assert Response.objects.count() == 1300 and SurveyRound.objects.count() == 1
    assert events.count() == 1


class _Quiet:
    seed = 20200601

    def say(self, message: str) -> None:
        pass
