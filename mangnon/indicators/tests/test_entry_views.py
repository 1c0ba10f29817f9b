"""The entered-data pages: allowed, forbidden and audited for every route; errors by the fields in
Vietnamese (the default) and English; typed values kept on errors and conflicts; the lock; history."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mangnon.core.models import AuditEvent
from mangnon.geo.models import AdminUnit
from mangnon.indicators import entry_services as services
from mangnon.indicators.entered import get_data_set
from mangnon.indicators.models import DataSetReport, DataSetReportEvent, EnteredValue, ReportStatus
from mangnon.indicators.periods import ReportingPeriod
from mangnon.indicators.tests.factories import DataSetReportFactory, districts_2020
from mangnon.orgs.tests.factories import other_province_commune

HEALTH = get_data_set("health")
COMMUNE = get_data_set("commune")
Y2020 = ReportingPeriod.year(2020)
FULL_HEALTH = {e.code: 1 for e in HEALTH.elements}
FULL_COMMUNE = {e.code: 1 for e in COMMUNE.elements}


def url(name: str, unit: AdminUnit, data_set: str = "health", period: str = "2020") -> str:
    return reverse(f"indicators:{name}", args=[data_set, unit.pk, period])


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def district() -> AdminUnit:
    return districts_2020()[0]


def report_in(status: str, personas: Any, unit: AdminUnit | None = None) -> DataSetReport:
    unit = unit or district()
    saved = services.report_values_save(
        actor=personas.province_officer,
        data_set=HEALTH,
        unit=unit,
        period=Y2020,
        values=FULL_HEALTH,
        version=None,
    )
    report = saved.report
    assert report is not None
    if status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        report = services.report_submit(actor=personas.province_officer, report=report)
    if status == ReportStatus.APPROVED:
        report = services.report_approve(actor=personas.province_manager, report=report)
    return report


def commune_a_report(personas: Any, units: Any) -> DataSetReport:
    saved = services.report_values_save(
        actor=personas.officer_a, data_set=COMMUNE, unit=units.commune_a, period=ReportingPeriod.year(2025),
        values=FULL_COMMUNE, version=None,
    )  # fmt: skip
    assert saved.report is not None
    return services.report_submit(actor=personas.officer_a, report=saved.report)


# --- the overview -----------------------------------------------------------------------------------------


def test_overview_lists_the_units_with_their_state(client_for: Any, personas: Any, units: Any) -> None:
    DataSetReportFactory(
        admin_unit=district(),
        status=ReportStatus.SUBMITTED,
        submitted_at=timezone.make_aware(datetime.combine(date(2021, 1, 5), time(9))),
    )
    client = english(client_for(personas.province_officer))
    before = AuditEvent.objects.count()
    response = client.get(
        reverse("indicators:data"), {"data_set": "health", "period": "2020", "unit": units.province.pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-unit-id=") == 13
    assert 'data-status="submitted"' in html and 'data-timeliness="on_time"' in html
    assert 'data-timeliness="overdue"' in html
    assert url("entry", district()) in html
    assert "7.7%" in html  # completeness and timeliness: 1 of 13
    assert AuditEvent.objects.count() == before  # aggregated figures are not audited


def test_overview_defaults_to_the_viewers_unit(client_for: Any, personas: Any, units: Any) -> None:
    response = client_for(personas.officer_a).get(
        reverse("indicators:data"), {"data_set": "commune", "period": "2025"}
    )
    assert response.status_code == 200
    assert f'data-unit-id="{units.commune_a.pk}"' in response.content.decode()


def test_overview_refuses_a_bad_period(client_for: Any, personas: Any) -> None:
    client = english(client_for(personas.province_officer))
    response = client.get(reverse("indicators:data"), {"data_set": "health", "period": "2020H1"})
    assert response.status_code == 400
    assert "This data set is entered for each year" in response.content.decode()


def test_overview_forbidden(client_for: Any, personas: Any, units: Any) -> None:
    page = reverse("indicators:data")
    assert client_for(personas.officer_b).get(page, {"unit": units.commune_a.pk}).status_code == 404
    assert client_for(personas.hotline).get(page).status_code == 403  # no INDICATOR_VIEW
    anonymous = Client().get(page)
    assert anonymous.status_code == 302 and reverse(settings.LOGIN_URL) in anonymous["Location"]
    other = other_province_commune()
    assert client_for(personas.province_officer).get(page, {"unit": other.pk}).status_code == 404


# --- the entry page -----------------------------------------------------------------------------------------


def test_entry_page_for_the_officer_has_inputs_and_save(client_for: Any, personas: Any) -> None:
    response = client_for(personas.province_officer).get(url("entry", district()))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-save" in html and 'name="health.live_births"' in html
    assert "data-part-of" in html


def test_entry_page_is_read_only_for_the_viewer(client_for: Any, personas: Any) -> None:
    report_in(ReportStatus.OPEN, personas)
    client = client_for(personas.viewer)
    before = AuditEvent.objects.count()
    response = client.get(url("entry", district()))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-read-only" in html and "data-save" not in html and "data-submit-form" not in html
    assert "disabled" in html
    assert AuditEvent.objects.count() == before


def test_save_through_the_page_redirects_with_a_message(client_for: Any, personas: Any) -> None:
    client = english(client_for(personas.province_officer))
    data = {"version": "", "health.live_births": "1.234", "health.deaths_u5": "6", "health.deaths_u1": "4"}
    before = AuditEvent.objects.count()
    response = client.post(url("entry", district()), data)
    assert response.status_code == 303 and response["Location"] == url("entry", district())
    assert EnteredValue.objects.get(element="health.live_births").value == 1234
    assert AuditEvent.objects.count() == before + 1
    page = client.get(response["Location"])
    assert "Saved. Figures changed: 3." in page.content.decode()


def test_errors_are_shown_by_the_fields_in_vietnamese_by_default(client_for: Any, personas: Any) -> None:
    client = client_for(personas.province_officer)
    data = {"version": "", "health.live_births": "-3", "health.deaths_u1": "9", "health.deaths_u5": "2"}
    response = client.post(url("entry", district()), data)
    assert response.status_code == 400
    html = response.content.decode()
    with translation.override("vi"):
        whole_number = translation.gettext("Enter a whole number, 0 or more.")
    assert whole_number == "Nhập số nguyên, từ 0 trở lên."
    assert whole_number in html
    assert 'value="-3"' in html and 'value="9"' in html  # what was typed is kept
    assert not EnteredValue.objects.exists()


def test_errors_in_english_through_the_language_cookie(client_for: Any, personas: Any) -> None:
    client = english(client_for(personas.province_officer))
    html = client.post(url("entry", district()), {"health.live_births": "abc"}).content.decode()
    assert "Enter a whole number, 0 or more." in html
    data = {"version": "", "health.live_births": "1", "health.deaths_u1": "9", "health.deaths_u5": "2"}
    html = client.post(url("entry", district()), data).content.decode()
    assert "Deaths of children under 1 (9) cannot be more than Deaths of children under 5 (2)." in html


def test_a_conflict_keeps_what_was_typed(client_for: Any, personas: Any) -> None:
    report_in(ReportStatus.OPEN, personas)
    client = english(client_for(personas.province_officer))
    response = client.post(url("entry", district()), {"version": "", "health.live_births": "777"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this report" in html and 'value="777"' in html
    assert 'name="version" value="1"' in html
    assert EnteredValue.objects.get(element="health.live_births").value == 1


def test_entry_forbidden(client_for: Any, personas: Any, units: Any) -> None:
    page = url("entry", units.commune_a, "commune", "2025")
    assert client_for(personas.officer_b).get(page).status_code == 404
    assert client_for(personas.officer_b).post(page, {"commune.board": "1"}).status_code == 404
    assert client_for(personas.viewer).post(page, {"commune.board": "1"}).status_code == 403
    assert not EnteredValue.objects.exists()
    anonymous = Client().get(page)
    assert anonymous.status_code == 302 and reverse(settings.LOGIN_URL) in anonymous["Location"]
    other = other_province_commune()
    assert (
        client_for(personas.province_officer).get(url("entry", other, "commune", "2025")).status_code == 404
    )
    # a unit that does not enter the data set, an unknown data set, a period of the wrong kind
    assert client_for(personas.province_officer).get(url("entry", units.commune_a)).status_code == 404
    assert client_for(personas.province_officer).get(url("entry", district(), "nope")).status_code == 404
    assert (
        client_for(personas.province_officer).get(url("entry", district(), period="2020H1")).status_code
        == 404
    )


def test_commune_a_enters_its_own_data(client_for: Any, personas: Any, units: Any) -> None:
    response = client_for(personas.officer_a).post(
        url("entry", units.commune_a, "commune", "2025"), {"version": "", "commune.board": "1"}
    )
    assert response.status_code == 303
    assert EnteredValue.objects.get().admin_unit == units.commune_a


# --- the steps --------------------------------------------------------------------------------------------


def test_submit_and_approve_through_the_pages(client_for: Any, personas: Any) -> None:
    report_in(ReportStatus.OPEN, personas)
    officer = english(client_for(personas.province_officer))
    manager = english(client_for(personas.province_manager))
    before = AuditEvent.objects.count()
    response = officer.post(url("submit", district()))
    assert response.status_code == 303
    assert "The report is submitted for approval." in officer.get(response["Location"]).content.decode()
    page = officer.get(url("entry", district())).content.decode()
    assert "data-own-submission" in page and "data-approve-form" not in page
    assert officer.post(url("approve", district())).status_code == 400  # one's own submission
    assert "data-approve-form" in manager.get(url("entry", district())).content.decode()
    assert manager.post(url("approve", district())).status_code == 303
    assert DataSetReport.objects.get().status == ReportStatus.APPROVED
    assert AuditEvent.objects.count() == before + 2
    locked = officer.post(url("entry", district()), {"version": "3", "health.live_births": "5"})
    assert locked.status_code == 400
    assert "approved and locked" in locked.content.decode()


def test_submit_of_an_incomplete_report_shows_what_is_missing(client_for: Any, personas: Any) -> None:
    services.report_values_save(
        actor=personas.province_officer, data_set=HEALTH, unit=district(), period=Y2020,
        values={"health.live_births": 3}, version=None,
    )  # fmt: skip
    response = english(client_for(personas.province_officer)).post(url("submit", district()))
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-step-errors" in html and "enter 0 where there was none" in html


def test_return_needs_a_reason(client_for: Any, personas: Any) -> None:
    report_in(ReportStatus.SUBMITTED, personas)
    manager = english(client_for(personas.province_manager))
    response = manager.post(url("return", district()), {"reason": ""})
    assert response.status_code == 400 and "Give the reason." in response.content.decode()
    assert DataSetReport.objects.get().status == ReportStatus.SUBMITTED
    response = manager.post(url("return", district()), {"reason": "Thiếu số trẻ suy dinh dưỡng"})
    assert response.status_code == 303
    assert DataSetReport.objects.get().status == ReportStatus.OPEN
    assert DataSetReportEvent.objects.get(kind="returned").reason == "Thiếu số trẻ suy dinh dưỡng"


def test_unlock_only_by_the_manager_with_a_reason(client_for: Any, personas: Any) -> None:
    report_in(ReportStatus.APPROVED, personas)
    assert (
        client_for(personas.province_officer).post(url("unlock", district()), {"reason": "x"}).status_code
        == 403
    )
    assert (
        "data-unlock-form"
        not in client_for(personas.province_officer).get(url("entry", district())).content.decode()
    )
    manager = english(client_for(personas.province_manager))
    assert "data-unlock-form" in manager.get(url("entry", district())).content.decode()
    response = manager.post(url("unlock", district()), {"reason": "  "})
    assert response.status_code == 400 and "Give the reason." in response.content.decode()
    before = AuditEvent.objects.count()
    assert manager.post(url("unlock", district()), {"reason": "Số liệu điều chỉnh"}).status_code == 303
    assert DataSetReport.objects.get().status == ReportStatus.OPEN
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.parametrize("step", ["submit", "approve", "return", "unlock"])
def test_steps_are_post_only_and_scoped(client_for: Any, personas: Any, units: Any, step: str) -> None:
    commune_a_report(personas, units)
    page = url(step, units.commune_a, "commune", "2025")
    assert client_for(personas.officer_a).get(page).status_code == 405
    assert client_for(personas.officer_b).post(page, {"reason": "x"}).status_code == 404
    assert client_for(personas.viewer).post(page, {"reason": "x"}).status_code == 403
    anonymous = Client().post(page, {"reason": "x"})
    assert anonymous.status_code == 302 and reverse(settings.LOGIN_URL) in anonymous["Location"]
    other = other_province_commune()
    assert client_for(personas.province_manager).post(url(step, other, "commune", "2025")).status_code == 404


def test_a_step_on_a_report_never_saved_is_not_found(client_for: Any, personas: Any) -> None:
    assert client_for(personas.province_officer).post(url("submit", district())).status_code == 404


def test_csrf_is_required(personas: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.province_officer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(url("entry", district()), {"health.live_births": "1"}).status_code == 403
    assert not EnteredValue.objects.exists()


# --- the history --------------------------------------------------------------------------------------------


def test_history_shows_changes_and_steps_with_reasons(client_for: Any, personas: Any) -> None:
    report = report_in(ReportStatus.SUBMITTED, personas)
    services.report_return(actor=personas.province_manager, report=report, reason="Xem lại số sinh")
    report.refresh_from_db()
    services.report_values_save(
        actor=personas.province_officer, data_set=HEALTH, unit=district(), period=Y2020,
        values={"health.live_births": 1500}, version=report.version,
    )  # fmt: skip
    client = english(client_for(personas.viewer))
    before = AuditEvent.objects.count()
    response = client.get(url("history", district()))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-change=") == 9 and html.count("data-event=") == 2
    assert "Xem lại số sinh" in html and "1,500" in html
    assert AuditEvent.objects.count() == before


def test_history_forbidden(client_for: Any, personas: Any, units: Any) -> None:
    commune_a_report(personas, units)
    page = url("history", units.commune_a, "commune", "2025")
    assert client_for(personas.officer_a).get(page).status_code == 200
    assert client_for(personas.officer_b).get(page).status_code == 404
    assert client_for(personas.hotline).get(page).status_code == 404
    anonymous = Client().get(page)
    assert anonymous.status_code == 302
    other = other_province_commune()
    assert (
        client_for(personas.province_officer).get(url("history", other, "commune", "2025")).status_code == 404
    )
