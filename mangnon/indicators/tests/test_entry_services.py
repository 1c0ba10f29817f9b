"""The services of entered data: saving a report's figures (validation, history, versions, audit) and
its approval steps (submit, approve, return, unlock), with who may take each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from mangnon.core.models import AuditEvent
from mangnon.geo.models import AdminUnit
from mangnon.indicators import entry_services as services
from mangnon.indicators.entered import get_data_set
from mangnon.indicators.entry_selectors import enters
from mangnon.indicators.models import (
    DataSetReport,
    DataSetReportEvent,
    EnteredValue,
    EnteredValueChange,
    ReportStatus,
)
from mangnon.indicators.periods import ReportingPeriod
from mangnon.indicators.tests.factories import default_district, districts_2020
from mangnon.orgs.tests.factories import other_province_commune

HEALTH = get_data_set("health")
COMMUNE = get_data_set("commune")
SURVEY = get_data_set("survey")
Y2020 = ReportingPeriod.year(2020)
Y2025 = ReportingPeriod.year(2025)

FULL_HEALTH = {
    "health.live_births": 1200,
    "health.deaths_u1": 4,
    "health.deaths_u5": 6,
    "health.weighed_u5": 5000,
    "health.underweight_u5": 300,
    "health.stunted_u5": 500,
    "health.injury_deaths": 3,
    "health.drowning_deaths": 1,
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted by their English msgids (the pages test the Vietnamese default)."""
    with translation.override("en"):
        yield


def save(actor: Any, values: dict[str, Any], *, unit: AdminUnit | None = None, version: int | None = None,
         data_set: Any = HEALTH, period: ReportingPeriod = Y2020) -> services.Saved:  # fmt: skip
    return services.report_values_save(
        actor=actor,
        data_set=data_set,
        unit=unit or default_district(),
        period=period,
        values=values,
        version=version,
    )


def submitted(personas: Any) -> DataSetReport:
    saved = save(personas.province_officer, FULL_HEALTH)
    assert saved.report is not None
    return services.report_submit(actor=personas.province_officer, report=saved.report)


# --- who enters what ------------------------------------------------------------------------------------


def test_entry_levels_follow_the_geography_of_the_period(units: Any) -> None:
    district = default_district()
    assert len(districts_2020()) == 13
    assert enters(HEALTH, district, Y2020)
    assert not enters(HEALTH, district, Y2025)  # gone on 31/12/2025
    assert enters(HEALTH, units.commune_a, Y2025)  # communes lie just below the province after the reform
    assert not enters(HEALTH, units.commune_a, Y2020)
    assert enters(COMMUNE, units.legacy_a, Y2020) and enters(COMMUNE, units.commune_a, Y2025)
    assert not enters(COMMUNE, district, Y2020)
    assert enters(SURVEY, units.province, Y2020) and not enters(SURVEY, district, Y2020)


# --- saving -----------------------------------------------------------------------------------------------


def test_first_save_creates_the_report_with_history_and_one_audit_event(personas: Any) -> None:
    before = AuditEvent.objects.count()
    saved = save(personas.province_officer, {"health.live_births": 1200, "health.deaths_u5": 6})
    report = saved.report
    assert report is not None and report.status == ReportStatus.OPEN and report.version == 1
    assert report.province.code == "22"
    assert set(saved.changed) == {"health.live_births", "health.deaths_u5"}
    values = dict(EnteredValue.objects.filter(report=report).values_list("element", "value"))
    assert values == {"health.live_births": 1200, "health.deaths_u5": 6}
    changes = EnteredValueChange.objects.filter(value__report=report)
    assert sorted((c.old, c.new) for c in changes) == [(None, 6), (None, 1200)]
    assert all(c.by == personas.province_officer for c in changes)
    events = AuditEvent.objects.filter(pk__gt=0).order_by("-id")[: AuditEvent.objects.count() - before]
    assert len(events) == 1
    event = events[0]
    assert event.action == "create" and event.object_type == "indicators.datasetreport"
    assert event.changes["values"] == {"health.live_births": [None, 1200], "health.deaths_u5": [None, 6]}


def test_a_second_save_writes_only_what_changed_and_raises_the_version_once(personas: Any) -> None:
    first = save(personas.province_officer, {"health.live_births": 1200, "health.deaths_u5": 6}).report
    assert first is not None
    audits = AuditEvent.objects.count()
    again = save(personas.province_officer, {"health.live_births": 1200, "health.deaths_u5": 6}, version=1)
    assert again.changed == () and AuditEvent.objects.count() == audits
    assert EnteredValueChange.objects.count() == 2
    saved = save(
        personas.province_officer,
        {"health.live_births": 1250, "health.deaths_u5": 6, "health.deaths_u1": None},
        version=1,
    )
    assert saved.changed == ("health.live_births",)
    report = DataSetReport.objects.get(pk=first.pk)
    assert report.version == 2
    change = EnteredValueChange.objects.filter(value__element="health.live_births").order_by("-pk").first()
    assert change is not None and (change.old, change.new) == (1200, 1250)
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.action == "update"
    assert event.changes["values"] == {"health.live_births": [1200, 1250]}


def test_clearing_a_value_keeps_its_history(personas: Any) -> None:
    save(personas.province_officer, {"health.live_births": 1200})
    save(personas.province_officer, {"health.live_births": None}, version=1)
    value = EnteredValue.objects.get(element="health.live_births")
    assert value.value is None
    assert [(c.old, c.new) for c in value.changes.all()] == [(None, 1200), (1200, None)]


def test_a_stale_version_is_a_conflict_and_writes_nothing(personas: Any) -> None:
    save(personas.province_officer, {"health.live_births": 1200})
    save(personas.province_officer, {"health.live_births": 1210}, version=1)
    with pytest.raises(services.Conflict) as caught:
        save(personas.province_officer, {"health.live_births": 999}, version=1)
    assert caught.value.current_version == 2
    assert EnteredValue.objects.get().value == 1210
    with pytest.raises(services.Conflict):  # a form read before the first save
        save(personas.province_officer, {"health.live_births": 999}, version=None)


@pytest.mark.parametrize("bad", [-1, 1.5, "12", True])
def test_a_figure_must_be_a_whole_number_zero_or_more(personas: Any, bad: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        save(personas.province_officer, {"health.live_births": bad, "health.deaths_u5": 3})
    assert caught.value.message_dict == {"health.live_births": ["Enter a whole number, 0 or more."]}
    assert not DataSetReport.objects.exists() and not EnteredValue.objects.exists()


def test_yes_no_takes_only_one_or_zero(personas: Any, units: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        save(personas.officer_a, {"commune.board": 2}, unit=units.commune_a, data_set=COMMUNE, period=Y2025)
    assert caught.value.message_dict == {"commune.board": ["Answer 1 (yes) or 0 (no)."]}


def test_a_part_cannot_exceed_its_whole_in_the_same_form(personas: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        save(
            personas.province_officer,
            {"health.deaths_u1": 7, "health.deaths_u5": 6, "health.weighed_u5": 10, "health.stunted_u5": 11},
        )
    errors = caught.value.message_dict
    assert errors["health.deaths_u1"] == [
        "Deaths of children under 1 (7) cannot be more than Deaths of children under 5 (6)."
    ]
    assert errors["health.stunted_u5"] == [
        "Stunted children under 5 (11) cannot be more than Children under 5 weighed and measured (10)."
    ]
    assert not EnteredValue.objects.exists()


def test_a_part_cannot_exceed_its_stored_whole(personas: Any) -> None:
    save(personas.province_officer, {"health.weighed_u5": 5000})
    with pytest.raises(ValidationError) as caught:
        save(personas.province_officer, {"health.underweight_u5": 5001}, version=1)
    assert "health.underweight_u5" in caught.value.message_dict
    # …nor may the whole be lowered below a stored part
    save(personas.province_officer, {"health.underweight_u5": 300}, version=1)
    with pytest.raises(ValidationError) as caught:
        save(personas.province_officer, {"health.weighed_u5": 200}, version=2)
    assert "health.underweight_u5" in caught.value.message_dict
    assert EnteredValue.objects.get(element="health.weighed_u5").value == 5000


def test_an_unknown_element_is_refused(personas: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        save(personas.province_officer, {"education.pupils": 3})
    assert "__all__" in caught.value.message_dict


# --- who may save -----------------------------------------------------------------------------------------


def test_commune_b_cannot_see_commune_a_report(personas: Any, units: Any) -> None:
    with pytest.raises(Http404):
        save(personas.officer_b, {"commune.board": 1}, unit=units.commune_a, data_set=COMMUNE, period=Y2025)


def test_the_viewer_reads_but_may_not_enter(personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        save(personas.viewer, {"health.live_births": 1})


def test_a_unit_of_another_province_is_not_found(personas: Any) -> None:
    other = other_province_commune()
    with pytest.raises(Http404):
        save(personas.province_officer, {"commune.board": 1}, unit=other, data_set=COMMUNE, period=Y2025)


def test_a_unit_that_does_not_enter_the_data_set_is_not_found(personas: Any, units: Any) -> None:
    with pytest.raises(Http404):
        save(personas.province_officer, {"health.live_births": 1}, unit=units.commune_a, period=Y2020)
    with pytest.raises(Http404):
        save(personas.province_officer, {"survey.on_waterways": 1}, data_set=SURVEY)


def test_commune_a_enters_its_own_commune_data(personas: Any, units: Any) -> None:
    saved = save(
        personas.officer_a, {"commune.board": 1, "commune.board_with_rules": 1},
        unit=units.commune_a, data_set=COMMUNE, period=Y2025,
    )  # fmt: skip
    assert saved.report is not None and saved.report.admin_unit == units.commune_a


# --- the approval steps -----------------------------------------------------------------------------------


def test_submit_needs_every_figure(personas: Any) -> None:
    report = save(personas.province_officer, {"health.live_births": 1200}).report
    assert report is not None
    with pytest.raises(ValidationError) as caught:
        services.report_submit(actor=personas.province_officer, report=report)
    (message,) = caught.value.messages
    assert message.startswith("Fill in every figure before submitting (enter 0 where there was none): ")
    assert "Deaths of children under 5" in message and "Live births" not in message
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN and not DataSetReportEvent.objects.exists()


def test_submit_then_approve_locks_and_records_every_step(personas: Any) -> None:
    report = submitted(personas)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == personas.province_officer
    assert report.submitted_at is not None
    with pytest.raises(ValidationError) as caught:
        save(personas.province_officer, {"health.live_births": 1}, version=report.version)
    assert "submitted" in caught.value.messages[0]
    approved = services.report_approve(actor=personas.province_manager, report=report)
    assert approved.status == ReportStatus.APPROVED and approved.approved_by == personas.province_manager
    with pytest.raises(ValidationError) as caught:
        save(personas.province_officer, {"health.live_births": 1}, version=approved.version)
    assert caught.value.messages == [
        "This report is approved and locked; ask the province manager to unlock it with a reason."
    ]
    assert [e.kind for e in DataSetReportEvent.objects.all()] == ["submitted", "approved"]
    steps = AuditEvent.objects.filter(object_type="indicators.datasetreport", changes__has_key="step")
    assert [e.changes["step"] for e in steps.order_by("id")] == ["submitted", "approved"]


def test_the_person_who_submitted_may_not_approve(personas: Any) -> None:
    report = submitted(personas)
    with pytest.raises(ValidationError) as caught:
        services.report_approve(actor=personas.province_officer, report=report)
    assert caught.value.messages == ["You submitted this report: another person must approve it."]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_only_approvers_approve(personas: Any) -> None:
    report = submitted(personas)
    with pytest.raises(PermissionDenied):
        services.report_approve(actor=personas.viewer, report=report)


def test_return_needs_a_reason_and_reopens(personas: Any) -> None:
    report = submitted(personas)
    with pytest.raises(ValidationError) as caught:
        services.report_return(actor=personas.province_manager, report=report, reason="  ")
    assert caught.value.message_dict == {"reason": ["Give the reason."]}
    returned = services.report_return(
        actor=personas.province_manager, report=report, reason="Số trẻ đuối nước chưa khớp."
    )
    assert returned.status == ReportStatus.OPEN and returned.submitted_at is None
    event = DataSetReportEvent.objects.get(kind="returned")
    assert event.reason == "Số trẻ đuối nước chưa khớp." and event.by == personas.province_manager
    saved = save(personas.province_officer, {"health.drowning_deaths": 2}, version=returned.version)
    assert saved.changed == ("health.drowning_deaths",)


def test_a_locked_report_opens_only_by_the_manager_with_a_reason(personas: Any) -> None:
    report = services.report_approve(actor=personas.province_manager, report=submitted(personas))
    with pytest.raises(PermissionDenied):
        services.report_unlock(actor=personas.province_officer, report=report, reason="Sửa số liệu")
    with pytest.raises(ValidationError) as caught:
        services.report_unlock(actor=personas.province_manager, report=report, reason="")
    assert caught.value.message_dict == {"reason": ["Give the reason."]}
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    opened = services.report_unlock(
        actor=personas.province_manager, report=report, reason="Sở Y tế gửi số liệu điều chỉnh."
    )
    assert opened.status == ReportStatus.OPEN and opened.approved_by is None
    assert DataSetReportEvent.objects.get(kind="unlocked").reason == "Sở Y tế gửi số liệu điều chỉnh."
    saved = save(personas.province_officer, {"health.live_births": 1201}, version=opened.version)
    assert saved.changed == ("health.live_births",)


def test_steps_from_the_wrong_state_are_refused(personas: Any) -> None:
    report = save(personas.province_officer, FULL_HEALTH).report
    assert report is not None
    with pytest.raises(ValidationError):
        services.report_approve(actor=personas.province_manager, report=report)
    with pytest.raises(ValidationError):
        services.report_unlock(actor=personas.province_manager, report=report, reason="x")
    report = services.report_submit(actor=personas.province_officer, report=report)
    with pytest.raises(ValidationError):
        services.report_submit(actor=personas.province_officer, report=report)


def test_commune_b_cannot_submit_commune_a_report(personas: Any, units: Any) -> None:
    report = save(
        personas.officer_a,
        {"commune.board": 1, "commune.board_with_rules": 1, "commune.universal_education": 1,
         "commune.play_area": 0},
        unit=units.commune_a, data_set=COMMUNE, period=Y2025,
    ).report  # fmt: skip
    assert report is not None
    with pytest.raises(Http404):
        services.report_submit(actor=personas.officer_b, report=report)
    services.report_submit(actor=personas.officer_a, report=report)
