"""Every page and export of activities says which count it shows: person-times (lượt người: a person who
came twice counts twice) or persons (người: each person once); and the roll-up's export (XLSX, CSV):
allowed, forbidden, not audited, both counts labelled."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from mangnon.activities.tests.factories import (
    ActivityFactory,
    AttendeeFactory,
    CampaignFactory,
    MaterialFactory,
    TallyFactory,
)
from mangnon.core.models import AuditEvent
from mangnon.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ROLLUP = "/activities/rollup/"
PERIOD = {"start": "01/01/2026", "end": "31/12/2026"}


def vi(msgid: str) -> str:
    """The label as a Vietnamese page shows it (the default language)."""
    with translation.override("vi"):
        return gettext(msgid)


@pytest.fixture
def twice(units):
    """One child at two training courses of commune A (5 + 7 person-times in the grids), a light entry
    at the second, and a campaign for the first."""
    child = PersonFactory(admin_unit=units.commune_a)
    campaign = CampaignFactory(province=units.province)
    first = ActivityFactory(
        admin_unit=units.commune_a, start_date=date(2026, 3, 1), kind="training", campaign=campaign
    )
    second = ActivityFactory(admin_unit=units.commune_a, start_date=date(2026, 4, 1), kind="training")
    TallyFactory(activity=first, group="children", sex="F", count=5)
    TallyFactory(activity=second, group="children", sex="F", count=7)
    AttendeeFactory(activity=first, person=child, name="")
    AttendeeFactory(activity=second, person=child, name="")
    AttendeeFactory(activity=second, name="Trần Văn Nam", sex="M")
    MaterialFactory(activity=first, quantity=40)
    return campaign, first, second


# --- the pages ----------------------------------------------------------------------------------------


def test_rollup_page_shows_person_times_above_persons_both_labelled(personas, client_for, units, twice):
    r = client_for(personas.officer_a).get(ROLLUP, {"unit": units.commune_a.pk, **PERIOD})
    assert r.status_code == 200
    result = r.context["result"]
    # The child came twice: three roster rows, two persons; the grids say 12 person-times.
    assert (result.person_times, result.unique_persons) == (12, 2)
    assert result.person_times > result.unique_persons
    html = r.content.decode()
    assert 'data-count="person_times">12<' in html and 'data-count="unique_persons">2<' in html
    assert vi("person-times (a person who came twice counts twice)") in html
    assert vi("persons on the rosters (each person once)") in html
    assert vi("Person-times") in html and vi("Persons on the rosters") in html
    assert "lượt người" in html  # the translation is there, not the English msgid
    assert "/activities/rollup/export/xlsx/?" in html and "/activities/rollup/export/csv/?" in html


def test_activity_list_labels_both_counts(personas, client_for, twice):
    html = client_for(personas.officer_a).get("/activities/").content.decode()
    assert vi("Person-times") in html and vi("Persons on the roster") in html


def test_activity_page_labels_person_times_and_the_roster(personas, client_for, twice):
    _campaign, _first, second = twice
    html = client_for(personas.officer_a).get(f"/activities/{second.pk}/").content.decode()
    assert vi("Participation (person-times)") in html and vi("Roster (unique persons)") in html
    assert "data-person-times>7<" in html


def test_campaign_page_labels_both_counts(personas, client_for, twice):
    campaign, _first, _second = twice
    html = client_for(personas.officer_a).get(f"/activities/campaigns/{campaign.pk}/").content.decode()
    assert 'data-count="person_times">5<' in html
    assert vi("person-times") in html and vi("persons on the rosters") in html


def test_entry_form_labels_the_grid_as_person_times(personas, client_for):
    html = client_for(personas.officer_a).get("/activities/new/").content.decode()
    assert vi("Participants (person-times)") in html and vi("Roster (unique persons)") in html


# --- the roll-up's export -----------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _line(rows: list[list[str]], figure: str, what: str, sex: str = "") -> list[str]:
    found = [r for r in rows if r[3] == figure and r[4] == what and r[5] == sex]
    assert len(found) == 1, (figure, what, sex)
    return found[0]


def test_rollup_export_csv_labels_person_times_and_persons(personas, client_for, units, twice):
    r = client_for(personas.officer_a).get(
        "/activities/rollup/export/csv/", {"unit": units.commune_a.pk, **PERIOD}
    )
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    rows = _csv(r)
    assert rows[0] == [
        vi(h) for h in ("Unit", "From", "To", "Figure", "Group or kind", "Sex", "Number", "Counted in")
    ]
    everything = vi("All activities")
    times = _line(rows, vi("Participation"), everything)
    persons = _line(rows, vi("Persons on the rosters"), everything)
    assert (times[6], times[7]) == ("12", vi("person-times"))
    assert (persons[6], persons[7]) == ("2", vi("persons, each once"))
    assert int(times[6]) > int(persons[6])
    training = vi("training course")
    assert _line(rows, vi("Activities"), training)[6:] == ["2", vi("activities")]
    assert _line(rows, vi("Participation"), vi("children"), vi("female"))[6:] == ["12", vi("person-times")]
    assert _line(rows, vi("Materials"), vi("leaflet"))[6:] == ["40", vi("copies")]
    assert {r[0] for r in rows[1:]} == {units.commune_a.name}
    assert not AuditEvent.objects.filter(object_type="activities.activity").exists()  # aggregate


def test_rollup_export_xlsx_has_the_same_lines(personas, client_for, units, twice):
    r = client_for(personas.province_officer).get(
        "/activities/rollup/export/xlsx/", {"unit": units.commune_a.pk, **PERIOD}
    )
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    everything = vi("All activities")
    lines = {(row[3], row[4]): (row[6], row[7]) for row in rows[1:] if row[5] in ("", None)}
    assert lines[(vi("Participation"), everything)] == (12, vi("person-times"))
    assert lines[(vi("Persons on the rosters"), everything)] == (2, vi("persons, each once"))


def test_rollup_export_default_is_this_year_at_the_officers_unit(personas, client_for, units):
    r = client_for(personas.officer_a).get("/activities/rollup/export/csv/")
    assert r.status_code == 200
    rows = _csv(r)
    assert rows[1][0] == units.commune_a.name


def test_rollup_export_forbidden(personas, client_for, units, twice):
    query = {"unit": units.commune_a.pk, **PERIOD}
    assert client_for(personas.hotline).get("/activities/rollup/export/csv/", query).status_code == 403
    # Commune A is not among commune B's units: nothing.
    assert client_for(personas.officer_b).get("/activities/rollup/export/csv/", query).status_code == 404
    assert client_for(personas.officer_a).get("/activities/rollup/export/pdf/", query).status_code == 404
    bad = {"unit": units.commune_a.pk, "start": "31/12/2026", "end": "01/01/2026"}
    assert client_for(personas.officer_a).get("/activities/rollup/export/csv/", bad).status_code == 404
    anonymous = Client().get("/activities/rollup/export/csv/", query)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
