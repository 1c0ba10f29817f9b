"""Acceptance: no answer row holds anything that identifies the device or person (tested on the stored
rows). A pupil answers through the views from a known address and browser, with a staff login cookie
of the same browser present; the stored row holds only the allowed columns, nothing of the address or
browser, no audit event names it or the address, no session row is made, and no typist is named."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from mangnon.core.models import AuditEvent
from mangnon.surveys.models import Response

from .factories import RoundSchoolFactory

pytestmark = pytest.mark.django_db

IP = "203.0.113.77"
AGENT = "Mozilla/5.0 (Linux; Android 13; SM-A145F) PupilPhone/9.9"
ALLOWED_COLUMNS = {
    "id",
    "survey_round_id",
    "school_id",
    "form_version_id",
    "answers",
    "channel",
    "submitted_on",
    "entered_by_id",
}
STATE = re.compile(r'name="state" value="([^"]+)"')


def _state(response: Any) -> str:
    found = STATE.search(response.content.decode())
    assert found
    return found.group(1)


def test_a_pupils_answer_row_holds_nothing_of_the_device_or_person(
    personas: Any, client_for: Any, units: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    cache.clear()
    school = RoundSchoolFactory()
    # The same browser holds a staff login (a teacher's phone lent to a pupil).
    staff = client_for(personas.survey)
    sessions_before = set(Session.objects.values_list("session_key", flat=True))
    audit_before = AuditEvent.objects.count()
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    client.cookies = staff.cookies

    start = client.get(reverse("survey_public:start", args=[school.token]))
    url = reverse("survey_public:page", args=[school.token])
    first = client.post(url, {"state": _state(start), "action": "begin"})
    second = client.post(
        url, {"state": _state(first), "action": "next", "page": 0, "sex": "male", "grade": "7"}
    )
    last = client.post(
        url,
        {
            "state": _state(second),
            "action": "next",
            "page": 1,
            "violence_12m": "yes",
            "kinds": ["emotional"],
            "comment": "không có gì",
        },
    )
    sent = client.post(url, {"state": _state(last), "action": "send"})
    assert sent.status_code == 303

    response = Response.objects.get()
    # The table has exactly the allowed columns: no place to put an address, a browser or an account.
    with connection.cursor() as cursor:
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, Response._meta.db_table)
        }
    assert columns == ALLOWED_COLUMNS
    assert {f.column for f in Response._meta.concrete_fields} == ALLOWED_COLUMNS
    assert response.entered_by_id is None
    assert response.channel == "online"
    # Nothing of the address or the browser anywhere in the row, answers included.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Response._meta.db_table}")
        stored = json.dumps([list(map(str, row)) for row in cursor.fetchall()], ensure_ascii=False)
    for trace in (IP, AGENT, "PupilPhone", "SM-A145F", personas.survey.username):
        assert trace not in stored
    assert response.answers == {
        "sex": "male",
        "grade": 7,
        "violence_12m": "yes",
        "kinds": ["emotional"],
        "comment": "không có gì",
    }
    # No audit event about the response, and none written while the pupil answered (each carries an IP).
    assert not AuditEvent.objects.filter(object_id=str(response.pk)).exists()
    assert not AuditEvent.objects.filter(client_ip=IP).exists()
    assert AuditEvent.objects.count() == audit_before
    # No session row was made for the pupil.
    assert set(Session.objects.values_list("session_key", flat=True)) == sessions_before
    # Nothing logged the address or the browser either.
    logged = "\n".join(f"{record.getMessage()} {record.args}" for record in caplog.records)
    assert IP not in logged and "PupilPhone" not in logged


def test_an_anonymous_pupil_gets_no_session_and_no_cookie_but_csrf_and_language(units: Any) -> None:
    cache.clear()
    school = RoundSchoolFactory()
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    cookies: set[str] = set()
    start = client.get(reverse("survey_public:start", args=[school.token]))
    cookies |= set(start.cookies)
    url = reverse("survey_public:page", args=[school.token])
    step = client.post(url, {"state": _state(start), "action": "begin"})
    cookies |= set(step.cookies)
    answers = {"state": _state(step), "action": "next", "page": 0, "sex": "female", "grade": "9"}
    step = client.post(url, answers)
    cookies |= set(step.cookies)
    step = client.post(url, {"state": _state(step), "action": "next", "page": 1, "violence_12m": "no"})
    sent = client.post(url, {"state": _state(step), "action": "send"})
    cookies |= set(sent.cookies) | set(client.get(sent["Location"]).cookies)
    assert cookies <= {"csrftoken", "mangnon_language"}
    assert not Session.objects.exists()
    assert not AuditEvent.objects.filter(client_ip=IP).exists()
    assert Response.objects.get().entered_by_id is None
