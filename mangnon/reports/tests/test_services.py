"""Periodic reports' writes: who may make them, what they refuse, the versions they check, the edits a
refresh keeps, the freeze of a finalised report and the audit of each step."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from mangnon.core.models import AuditEvent
from mangnon.reports import services
from mangnon.reports.access import get_report_for_user, reports_for
from mangnon.reports.models import Report, ReportKind, ReportStatus, SectionKey

pytestmark = pytest.mark.django_db

YEAR = (date(2020, 1, 1), date(2020, 12, 31))


def _create(actor: Any, unit: Any, **over: Any) -> Report:
    values = {"kind": ReportKind.ANNUAL, "period_start": YEAR[0], "period_end": YEAR[1], **over}
    return services.report_create(actor=actor, unit=unit, **values)


def _events(report: Report) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_id=str(report.pk), object_type="reports.report").order_by("pk")
    )


def test_create_gathers_the_figures_writes_every_section_and_is_audited(units: Any, personas: Any) -> None:
    report = _create(personas.officer_a, units.commune_a)
    assert report.status == ReportStatus.DRAFT and report.created_by == personas.officer_a
    assert report.figures["period"] == {
        "start": "2020-01-01",
        "end": "2020-12-31",
        "key": "2020",
        "label": "Năm 2020",
    }
    assert report.figures["previous"]["key"] == "2019"
    assert report.figures["unit"]["code"] == units.commune_a.code
    assert "cases.incidents" in report.figures["current"]["metrics"]
    assert {i["code"] for i in report.figures["indicators"]} >= {"0101"}
    assert [s.key for s in report.sections.all()] == list(SectionKey.values)
    assert report.title and "2020" in report.title
    [event] = _events(report)
    assert event.action == "create" and event.changes["kind"] == "annual"


@pytest.mark.parametrize(
    ("kind", "start", "end"),
    [
        (ReportKind.ANNUAL, date(2020, 1, 1), date(2020, 6, 30)),
        (ReportKind.HALF_YEAR, date(2020, 1, 1), date(2020, 12, 31)),
        (ReportKind.HALF_YEAR, date(2020, 3, 1), date(2020, 8, 31)),
        (ReportKind.PHASE, date(2020, 1, 1), date(2020, 12, 31)),
        (ReportKind.ANNUAL, date(2020, 12, 31), date(2020, 1, 1)),
        ("weekly", date(2020, 1, 1), date(2020, 12, 31)),
    ],
)
def test_a_period_that_is_not_a_half_year_a_year_or_whole_years_is_refused(
    units: Any, personas: Any, kind: str, start: date, end: date
) -> None:
    with pytest.raises(ValidationError):
        _create(personas.officer_a, units.commune_a, kind=kind, period_start=start, period_end=end)
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("kind", "start", "end", "key", "before"),
    [
        (ReportKind.HALF_YEAR, date(2020, 1, 1), date(2020, 6, 30), "2020H1", "2019H1"),
        (ReportKind.HALF_YEAR, date(2020, 7, 1), date(2020, 12, 31), "2020H2", "2019H2"),
        (ReportKind.PHASE, date(2016, 1, 1), date(2020, 12, 31), "2016-2020", "2011-2015"),
    ],
)
def test_each_kind_is_compared_with_the_same_period_before(
    units: Any, personas: Any, kind: str, start: date, end: date, key: str, before: str
) -> None:
    report = _create(personas.province_officer, units.province, kind=kind, period_start=start, period_end=end)
    assert (report.figures["period"]["key"], report.figures["previous"]["key"]) == (key, before)


def test_only_the_units_writers_create_and_read_drafts(units: Any, personas: Any) -> None:
    with pytest.raises(Http404):
        _create(personas.officer_a, units.commune_b)  # another commune: not revealed
    with pytest.raises(Http404):
        _create(personas.officer_a, units.province)
    with pytest.raises(PermissionDenied):
        _create(personas.viewer, units.province)  # leadership reads, never writes
    with pytest.raises(Http404):
        _create(personas.hotline, units.commune_a)
    assert not Report.objects.exists()
    draft = _create(personas.officer_a, units.commune_a)
    assert get_report_for_user(personas.province_officer, draft.pk) == draft
    for outsider in (personas.officer_b, personas.viewer, personas.chair_a):
        with pytest.raises(Http404):
            get_report_for_user(outsider, draft.pk)  # a draft is its writers' alone
    final = services.report_finalise(actor=personas.officer_a, report=draft, version=draft.version)
    assert get_report_for_user(personas.chair_a, final.pk) == final
    assert get_report_for_user(personas.viewer, final.pk) == final
    with pytest.raises(Http404):
        get_report_for_user(personas.officer_b, final.pk)
    assert list(reports_for(personas.officer_b)) == []


def test_an_edit_is_kept_through_a_refresh_and_an_empty_text_restores_the_generated_one(
    units: Any, personas: Any
) -> None:
    report = _create(personas.officer_a, units.commune_a)
    section = report.sections.get(key=SectionKey.DIFFICULTIES)
    edited = services.section_edit(
        actor=personas.officer_a,
        section=section,
        version=section.version,
        text="Thiếu cán bộ chuyên trách.\r\n",
    )
    assert (edited.text, edited.edited) == ("Thiếu cán bộ chuyên trách.", True)
    report.refresh_from_db()
    report = services.report_refresh(actor=personas.officer_a, report=report, version=report.version)
    section = report.sections.get(key=SectionKey.DIFFICULTIES)
    assert section.text == "Thiếu cán bộ chuyên trách." and section.edited
    restored = services.section_edit(
        actor=personas.officer_a, section=section, version=section.version, text="  "
    )
    assert restored.text == restored.generated and not restored.edited
    assert [e.action for e in _events(report)] == ["create", "update", "update", "update"]


def test_stale_versions_conflict_and_write_nothing(units: Any, personas: Any) -> None:
    report = _create(personas.officer_a, units.commune_a)
    section = report.sections.get(key=SectionKey.TASKS)
    services.section_edit(actor=personas.officer_a, section=section, version=1, text="Một")
    with pytest.raises(services.Conflict):
        services.section_edit(actor=personas.officer_a, section=section, version=1, text="Hai")  # read before
    section.refresh_from_db()
    assert section.text == "Một"
    with pytest.raises(services.Conflict):
        services.report_finalise(
            actor=personas.officer_a, report=report, version=report.version
        )  # read before
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_details_are_checked_and_audited(units: Any, personas: Any) -> None:
    report = _create(personas.officer_a, units.commune_a)
    with pytest.raises(ValidationError) as refused:
        services.report_details_edit(
            actor=personas.officer_a,
            report=report,
            version=report.version,
            changes={"title": " ", "number": "x" * 61, "status": "final"},
        )
    assert set(refused.value.message_dict) == {"status"}
    with pytest.raises(ValidationError) as refused:
        services.report_details_edit(
            actor=personas.officer_a,
            report=report,
            version=report.version,
            changes={"title": " ", "number": "x" * 61},
        )
    assert set(refused.value.message_dict) == {"title", "number"}
    changed = services.report_details_edit(
        actor=personas.officer_a,
        report=report,
        version=report.version,
        changes={"number": "125/BC-UBND", "issued_on": date(2021, 1, 5), "signer_name": "Nguyễn Văn A"},
    )
    assert (changed.number, changed.issued_on, changed.version) == ("125/BC-UBND", date(2021, 1, 5), 2)
    assert _events(report)[-1].changes["number"] == ["", "125/BC-UBND"]
    with pytest.raises(PermissionDenied):
        services.report_details_edit(
            actor=personas.chair_a, report=changed, version=2, changes={"number": "1"}
        )


def test_a_finalised_report_refuses_every_change_and_a_new_version_copies_it(
    units: Any, personas: Any
) -> None:
    report = _create(personas.officer_a, units.commune_a)
    section = report.sections.get(key=SectionKey.TASKS)
    services.section_edit(actor=personas.officer_a, section=section, version=1, text="Tiếp tục rà soát.")
    report.refresh_from_db()
    final = services.report_finalise(actor=personas.officer_a, report=report, version=report.version)
    assert final.is_final and final.finalised_by == personas.officer_a and final.finalised_at
    section.refresh_from_db()
    for attempt in (
        lambda: services.section_edit(
            actor=personas.officer_a, section=section, version=section.version, text="x"
        ),
        lambda: services.report_refresh(actor=personas.officer_a, report=final),
        lambda: services.report_finalise(actor=personas.officer_a, report=final, version=final.version),
        lambda: services.report_details_edit(
            actor=personas.officer_a, report=final, version=final.version, changes={"number": "1"}
        ),
    ):
        with pytest.raises(ValidationError):
            attempt()
    copy = services.report_new_version(actor=personas.officer_a, report=final)
    assert (copy.status, copy.revision, copy.based_on, copy.figures) == (
        ReportStatus.DRAFT,
        2,
        final,
        final.figures,
    )
    assert copy.sections.get(key=SectionKey.TASKS).text == "Tiếp tục rà soát."
    assert _events(copy)[0].changes == {"based_on": final.pk, "revision": 2}
    with pytest.raises(ValidationError):
        services.report_new_version(actor=personas.officer_a, report=copy)  # a draft is edited, not copied
