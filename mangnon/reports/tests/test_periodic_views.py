"""The periodic reports' pages: for each, who may (the unit's officers; leadership and the chair for a
finalised report), who may not (another commune, a role that does not read reports, a reader on a
draft → 404; a reader writing → 403; anonymous → login), the audit of a view and a download, the htmx
edit of a section (a stale version keeps every word typed), and the page reading the report's snapshot
without gathering any figure."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from mangnon.core.models import AuditEvent
from mangnon.core.navigation import items_for
from mangnon.reports import figures, outputs, services
from mangnon.reports.models import (
    FileStatus,
    Report,
    ReportFile,
    ReportKind,
    ReportSection,
    ReportStatus,
    SectionKey,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _create(actor: Any, unit: Any, **over: Any) -> Report:
    values = {
        "kind": ReportKind.ANNUAL,
        "period_start": date(2020, 1, 1),
        "period_end": date(2020, 12, 31),
        **over,
    }
    return services.report_create(actor=actor, unit=unit, **values)


def _final(actor: Any, unit: Any, **over: Any) -> Report:
    report = _create(actor, unit, **over)
    return services.report_finalise(actor=actor, report=report, version=report.version)


def _events(report: Report, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="reports.report", object_id=str(report.pk), action=action
        ).order_by("pk")
    )


def _url(name: str, *args: Any) -> str:
    return reverse(f"reports:{name}", args=args)


@pytest.fixture
def draft_a(personas: Any, units: Any) -> Report:
    return _create(personas.officer_a, units.commune_a)


@pytest.fixture
def final_a(personas: Any, units: Any) -> Report:
    return _final(personas.officer_a, units.commune_a, title="Báo cáo đã hoàn thành của phường")


@pytest.fixture
def no_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files stay queued: the background task does nothing."""
    monkeypatch.setattr(outputs, "render_file", lambda file_id: None)


def test_urls() -> None:
    assert _url("periodic_list") == "/reports/periodic/"
    assert _url("periodic_new") == "/reports/periodic/new/"
    assert _url("periodic_detail", 5) == "/reports/periodic/5/"
    assert _url("periodic_file", 5, 9) == "/reports/periodic/5/files/9/"


# --- the list ----------------------------------------------------------------------------------------


def test_list_shows_the_officers_reports_newest_first_with_their_facts(
    personas: Any, units: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    older = _create(
        personas.officer_a, units.commune_a, period_start=date(2019, 1, 1), period_end=date(2019, 12, 31)
    )
    newer = _final(personas.officer_a, units.commune_a)
    other = _create(personas.officer_b, units.commune_b)
    client = client_for(personas.officer_a)
    with django_assert_max_num_queries(16):
        response = client.get(_url("periodic_list"))
    assert response.status_code == 200
    shown = [r.pk for r in response.context["reports"]]
    assert shown == [newer.pk, older.pk] and other.pk not in shown
    body = response.content.decode()
    assert "Phường Hạ Long" in body or units.commune_a.name in body
    assert "data-report-create" in body  # the officer may write a report
    assert f'data-report="{newer.pk}" data-status="final"' in body


def test_list_has_no_query_per_report(
    personas: Any, units: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for year in (2017, 2018, 2019, 2020):
        _create(
            personas.officer_a, units.commune_a, period_start=date(year, 1, 1), period_end=date(year, 12, 31)
        )
    client = client_for(personas.officer_a)
    with django_assert_max_num_queries(16):
        response = client.get(_url("periodic_list"))
    assert len(response.context["reports"]) == 4


def test_list_filters_by_unit_year_and_status(personas: Any, units: Any, client_for: Any) -> None:
    r2019 = _create(
        personas.province_officer,
        units.commune_a,
        period_start=date(2019, 1, 1),
        period_end=date(2019, 12, 31),
    )
    r2020 = _final(personas.province_officer, units.commune_a)
    province = _create(personas.province_officer, units.province)
    client = client_for(personas.province_officer)

    def shown(**query: Any) -> set[int]:
        return {r.pk for r in client.get(_url("periodic_list"), query).context["reports"]}

    assert shown() == {r2019.pk, r2020.pk, province.pk}
    assert shown(unit=units.commune_a.pk) == {r2019.pk, r2020.pk}
    assert shown(year=2019) == {r2019.pk}
    assert shown(status="final") == {r2020.pk}
    assert shown(status="draft", year=2020) == {province.pk}


def test_list_shows_a_reader_only_finalised_reports_and_no_create_button(
    personas: Any, units: Any, client_for: Any, draft_a: Report, final_a: Report
) -> None:
    for reader in (personas.viewer, personas.chair_a):
        response = client_for(reader).get(_url("periodic_list"))
        assert response.status_code == 200
        assert [r.pk for r in response.context["reports"]] == [final_a.pk]
        assert "data-report-create" not in response.content.decode()


def test_list_is_refused_to_roles_that_do_not_read_reports_and_to_anonymous(
    personas: Any, client: Any, client_for: Any
) -> None:
    assert client_for(personas.hotline).get(_url("periodic_list")).status_code == 403
    assert client_for(personas.collaborator_a).get(_url("periodic_list")).status_code == 403
    response = client.get(_url("periodic_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_menu_shows_reports_to_readers_only(personas: Any, client_for: Any) -> None:
    for name in ("province_manager", "province_officer", "officer_a", "chair_a", "viewer"):
        assert "reports" in [i["key"] for i in items_for(getattr(personas, name))], name
    for name in ("hotline", "collaborator_a", "survey", "case_manager"):
        assert "reports" not in [i["key"] for i in items_for(getattr(personas, name))], name
    body = client_for(personas.viewer).get(_url("periodic_list")).content.decode()
    assert 'data-nav="reports"' in body


# --- a new report ------------------------------------------------------------------------------------


def test_new_form_offers_the_units_the_user_writes_reports_of(
    personas: Any, units: Any, client_for: Any
) -> None:
    response = client_for(personas.officer_a).get(_url("periodic_new"))
    assert response.status_code == 200
    assert list(response.context["form"].units) == [units.commune_a.pk]
    province = client_for(personas.province_officer).get(_url("periodic_new")).context["form"].units
    assert next(iter(province)) == units.province.pk
    assert units.commune_a.pk in province and units.commune_b.pk in province
    assert units.district_a.pk in province  # a district-level unit before the reform, for its old reports
    assert units.legacy_a.pk not in province
    assert "data-busy" in response.content.decode()  # the busy state while the figures are gathered


def test_new_report_is_created_audited_and_opened(personas: Any, units: Any, client_for: Any) -> None:
    client = client_for(personas.officer_a)
    response = client.post(
        _url("periodic_new"),
        {"unit": units.commune_a.pk, "kind": "half_year", "year": 2020, "half": "2", "title": ""},
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("periodic_detail", report.pk)
    assert (report.kind, report.period_start, report.period_end) == (
        ReportKind.HALF_YEAR,
        date(2020, 7, 1),
        date(2020, 12, 31),
    )
    assert report.admin_unit == units.commune_a and report.created_by == personas.officer_a
    assert not report.publish
    assert len(_events(report, "create")) == 1


def test_new_phase_report_for_publication(personas: Any, units: Any, client_for: Any) -> None:
    client = client_for(personas.province_officer)
    client.post(
        _url("periodic_new"),
        {
            "unit": units.province.pk,
            "kind": "phase",
            "first_year": 2016,
            "last_year": 2020,
            "publish": "on",
            "title": "Báo cáo tổng kết giai đoạn 2016-2020",
        },
    )
    report = Report.objects.get()
    assert (report.period_start, report.period_end, report.publish) == (
        date(2016, 1, 1),
        date(2020, 12, 31),
        True,
    )
    assert report.title == "Báo cáo tổng kết giai đoạn 2016-2020"


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "annual", "year": ""},
        {"kind": "half_year", "year": 2020, "half": ""},
        {"kind": "phase", "first_year": 2020, "last_year": 2016},
        {"kind": "phase", "first_year": 2016, "last_year": ""},
        {"kind": "weekly", "year": 2020},
        {"kind": "annual", "year": 1800},
    ],
)
def test_new_report_with_problems_writes_nothing(
    personas: Any, units: Any, client_for: Any, data: dict[str, Any]
) -> None:
    response = client_for(personas.officer_a).post(_url("periodic_new"), {"unit": units.commune_a.pk, **data})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert "data-report-errors" in response.content.decode()
    assert (
        not Report.objects.exists() and not AuditEvent.objects.filter(object_type="reports.report").exists()
    )


def test_new_report_errors_in_vietnamese_then_in_english(personas: Any, units: Any, client_for: Any) -> None:
    client = client_for(personas.officer_a)
    data = {"unit": units.commune_a.pk, "kind": "annual", "year": ""}
    assert "Trường này là bắt buộc." in client.post(_url("periodic_new"), data).content.decode()
    client.cookies["mangnon_language"] = "en"
    assert "This field is required." in client.post(_url("periodic_new"), data).content.decode()


def test_new_report_of_another_commune_is_refused(personas: Any, units: Any, client_for: Any) -> None:
    response = client_for(personas.officer_a).post(
        _url("periodic_new"), {"unit": units.commune_b.pk, "kind": "annual", "year": 2020}
    )
    assert response.status_code == 400 and "unit" in response.context["form"].errors
    assert not Report.objects.exists()


def test_new_report_is_refused_to_readers_and_anonymous(
    personas: Any, units: Any, client: Any, client_for: Any
) -> None:
    for user in (personas.viewer, personas.chair_a, personas.hotline):
        c = client_for(user)
        assert c.get(_url("periodic_new")).status_code == 403
        assert (
            c.post(
                _url("periodic_new"), {"unit": units.commune_a.pk, "kind": "annual", "year": 2020}
            ).status_code
            == 403
        )
    response = client.get(_url("periodic_new"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Report.objects.exists()


# --- the report page ---------------------------------------------------------------------------------


def test_report_page_shows_every_section_in_order_and_is_audited(
    personas: Any, client_for: Any, draft_a: Report
) -> None:
    ReportSection.objects.filter(report=draft_a, key=SectionKey.TRAINING).update(
        text="Tổ chức 109 lớp tập huấn.\n\nCho 8.641 lượt người."
    )
    response = client_for(personas.officer_a).get(_url("periodic_detail", draft_a.pk))
    assert response.status_code == 200
    body = response.content.decode()
    positions = [body.index(f'data-section="{key}"') for key in SectionKey.values]
    assert positions == sorted(positions)
    assert "<p>Tổ chức 109 lớp tập huấn.</p>" in body and "<p>Cho 8.641 lượt người.</p>" in body
    assert "data-section-edit" in body and "data-report-finalise" in body and "data-report-refresh" in body
    assert 'data-file-request="docx"' in body and 'data-file-request="xlsx"' in body
    [event] = _events(draft_a, "view")
    assert event.actor_id == personas.officer_a.pk and event.unit_code == draft_a.admin_unit.code


def test_report_page_reads_the_snapshot_and_gathers_nothing(
    personas: Any, client_for: Any, draft_a: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> None:
        raise AssertionError("a view must not gather the figures")

    monkeypatch.setattr(figures, "collect", refuse)
    assert client_for(personas.officer_a).get(_url("periodic_detail", draft_a.pk)).status_code == 200


def test_report_page_of_a_finalised_report_for_leadership(
    personas: Any, client_for: Any, final_a: Report
) -> None:
    for reader in (personas.viewer, personas.chair_a):
        response = client_for(reader).get(_url("periodic_detail", final_a.pk))
        assert response.status_code == 200
        body = response.content.decode()
        assert "data-report-finalised" in body
        assert "data-section-edit" not in body and "data-report-new-version" not in body
    writer = client_for(personas.officer_a).get(_url("periodic_detail", final_a.pk)).content.decode()
    assert "data-report-new-version" in writer and "data-section-edit" not in writer
    assert len(_events(final_a, "view")) == 3


def test_report_page_is_not_found_outside_scope_or_for_a_draft_to_a_reader(
    personas: Any, client: Any, client_for: Any, draft_a: Report
) -> None:
    for user in (personas.officer_b, personas.viewer, personas.chair_a, personas.hotline):
        assert client_for(user).get(_url("periodic_detail", draft_a.pk)).status_code == 404
    response = client.get(_url("periodic_detail", draft_a.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not _events(draft_a, "view")


# --- a section edited in place -----------------------------------------------------------------------


def _section(report: Report, key: str = SectionKey.DIFFICULTIES) -> ReportSection:
    return report.sections.get(key=key)


def test_edit_form_comes_with_the_text_and_the_version(
    personas: Any, client_for: Any, draft_a: Report
) -> None:
    section = _section(draft_a, SectionKey.COMMUNICATION)
    response = client_for(personas.officer_a).get(
        _url("periodic_section_edit", draft_a.pk, section.key), **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-section-form" in body and f'value="{section.version}"' in body
    assert "<textarea" in body and "data-section-restore" in body


def test_edit_saves_swaps_the_section_back_and_moves_the_actions_version(
    personas: Any, client_for: Any, draft_a: Report
) -> None:
    section = _section(draft_a)
    text = "Kinh phí còn hạn chế.\n\nMột số xã chưa bố trí cán bộ chuyên trách."
    response = client_for(personas.officer_a).post(
        _url("periodic_section_edit", draft_a.pk, section.key),
        {"text": text, "version": section.version},
        **HTMX,
    )
    assert response.status_code == 200
    section.refresh_from_db()
    draft_a.refresh_from_db()
    assert section.text == text and section.edited and section.version == 2
    body = response.content.decode()
    assert "data-section-edited" in body and "<p>Kinh phí còn hạn chế.</p>" in body
    assert 'hx-swap-oob="true"' in body and f'data-report-version="{draft_a.version}"' in body
    assert _events(draft_a, "update")


def test_a_stale_edit_keeps_every_word_typed(personas: Any, client_for: Any, draft_a: Report) -> None:
    section = _section(draft_a)
    services.section_edit(
        actor=personas.province_officer, section=section, version=1, text="Văn bản của người khác."
    )
    mine = "Văn bản tôi vừa gõ, dài và quý giá:\nkhông được mất một chữ nào."
    response = client_for(personas.officer_a).post(
        _url("periodic_section_edit", draft_a.pk, section.key), {"text": mine, "version": 1}, **HTMX
    )
    assert response.status_code == 200  # htmx swaps it in place of the form
    body = response.content.decode()
    assert "data-section-conflict" in body and "data-section-form" in body
    assert mine in body  # the textarea keeps the text as typed
    assert "Văn bản của người khác." in body  # beside the text saved meanwhile
    assert 'name="version" value="2"' in body  # saving again is on purpose now
    section.refresh_from_db()
    assert section.text == "Văn bản của người khác."


def test_a_stale_edit_without_htmx_is_409_and_keeps_the_text(
    personas: Any, client_for: Any, draft_a: Report
) -> None:
    section = _section(draft_a)
    services.section_edit(actor=personas.officer_a, section=section, version=1, text="Lần một.")
    response = client_for(personas.officer_a).post(
        _url("periodic_section_edit", draft_a.pk, section.key), {"text": "Lần hai của tôi.", "version": 1}
    )
    assert response.status_code == 409 and "Lần hai của tôi." in response.content.decode()


def test_restore_gives_back_the_generated_text(personas: Any, client_for: Any, draft_a: Report) -> None:
    section = _section(draft_a, SectionKey.COMMUNICATION)
    services.section_edit(actor=personas.officer_a, section=section, version=1, text="Sửa tay.")
    client_for(personas.officer_a).post(
        _url("periodic_section_edit", draft_a.pk, section.key),
        {"text": "Sửa tay.", "version": 2, "restore": "1"},
        **HTMX,
    )
    section.refresh_from_db()
    assert section.text == section.generated and not section.edited


def test_edit_without_htmx_redirects_to_the_section(personas: Any, client_for: Any, draft_a: Report) -> None:
    section = _section(draft_a)
    response = client_for(personas.officer_a).post(
        _url("periodic_section_edit", draft_a.pk, section.key), {"text": "Khó khăn.", "version": 1}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("periodic_detail", draft_a.pk) + f"#section-{section.key}"


def test_cancel_brings_the_section_back(personas: Any, client_for: Any, draft_a: Report) -> None:
    response = client_for(personas.officer_a).get(_url("periodic_section", draft_a.pk, "training"), **HTMX)
    assert response.status_code == 200 and "data-section-edit" in response.content.decode()
    assert (
        client_for(personas.officer_a).get(_url("periodic_section", draft_a.pk, "nope"), **HTMX).status_code
        == 404
    )


def test_edit_is_refused_outside_scope_to_readers_and_anonymous(
    personas: Any, client: Any, client_for: Any, draft_a: Report, final_a: Report
) -> None:
    url = _url("periodic_section_edit", draft_a.pk, "training")
    data = {"text": "x", "version": 1}
    assert client_for(personas.officer_b).post(url, data).status_code == 404
    assert client_for(personas.viewer).post(url, data).status_code == 404  # a draft: not revealed
    final_url = _url("periodic_section_edit", final_a.pk, "training")
    assert client_for(personas.viewer).post(final_url, data).status_code == 403
    assert client_for(personas.chair_a).get(final_url).status_code == 403
    assert client.post(url, data).status_code == 302
    assert not ReportSection.objects.filter(text="x").exists()


def test_a_finalised_section_is_not_edited(personas: Any, client_for: Any, final_a: Report) -> None:
    section = _section(final_a)
    response = client_for(personas.officer_a).post(
        _url("periodic_section_edit", final_a.pk, section.key), {"text": "đổi", "version": section.version}
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.text != "đổi"


# --- the details -------------------------------------------------------------------------------------


def _details(report: Report, **over: Any) -> dict[str, Any]:
    return {
        "title": report.title,
        "number": "125/BC-UBND",
        "place": "Hạ Long",
        "issued_on": "15/12/2020",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Nguyễn Văn A",
        "recipients": "UBND tỉnh;\nLưu: VT.",
        "version": report.version,
        **over,
    }


def test_details_are_saved_through_the_service(personas: Any, client_for: Any, draft_a: Report) -> None:
    client = client_for(personas.officer_a)
    assert client.get(_url("periodic_details", draft_a.pk)).status_code == 200
    response = client.post(_url("periodic_details", draft_a.pk), _details(draft_a))
    assert response.status_code == 302
    draft_a.refresh_from_db()
    assert (draft_a.number, draft_a.issued_on, draft_a.signer_name) == (
        "125/BC-UBND",
        date(2020, 12, 15),
        "Nguyễn Văn A",
    )
    assert _events(draft_a, "update")


def test_stale_details_keep_what_was_typed(personas: Any, client_for: Any, draft_a: Report) -> None:
    stale = _details(draft_a, number="99/BC-UBND")
    services.report_details_edit(
        actor=personas.officer_a, report=draft_a, version=draft_a.version, changes={"place": "Quảng Ninh"}
    )
    response = client_for(personas.officer_a).post(_url("periodic_details", draft_a.pk), stale)
    assert response.status_code == 409 and 'value="99/BC-UBND"' in response.content.decode()
    draft_a.refresh_from_db()
    assert draft_a.number == ""


def test_details_are_refused_to_others(
    personas: Any, client_for: Any, draft_a: Report, final_a: Report
) -> None:
    assert (
        client_for(personas.officer_b)
        .post(_url("periodic_details", draft_a.pk), _details(draft_a))
        .status_code
        == 404
    )
    assert (
        client_for(personas.viewer).post(_url("periodic_details", final_a.pk), _details(final_a)).status_code
        == 403
    )
    response = client_for(personas.officer_a).post(_url("periodic_details", final_a.pk), _details(final_a))
    assert response.status_code == 302
    final_a.refresh_from_db()
    assert final_a.number == ""


# --- refresh, finalise, new version ------------------------------------------------------------------


def test_refresh_gathers_the_figures_again(personas: Any, client_for: Any, draft_a: Report) -> None:
    before = draft_a.figures_at
    response = client_for(personas.officer_a).post(
        _url("periodic_refresh", draft_a.pk), {"version": draft_a.version}
    )
    assert response.status_code == 302
    draft_a.refresh_from_db()
    assert draft_a.figures_at > before and draft_a.version == 2


def test_finalise_freezes_and_a_stale_page_is_told(personas: Any, client_for: Any, draft_a: Report) -> None:
    client = client_for(personas.officer_a)
    stale = client.post(_url("periodic_finalise", draft_a.pk), {"version": draft_a.version + 5}, follow=True)
    assert stale.status_code == 200
    draft_a.refresh_from_db()
    assert draft_a.status == ReportStatus.DRAFT
    client.post(_url("periodic_finalise", draft_a.pk), {"version": draft_a.version})
    draft_a.refresh_from_db()
    assert draft_a.status == ReportStatus.FINAL and draft_a.finalised_by == personas.officer_a


def test_new_version_opens_the_copy(personas: Any, client_for: Any, final_a: Report) -> None:
    response = client_for(personas.officer_a).post(_url("periodic_new_version", final_a.pk))
    copy = Report.objects.get(based_on=final_a)
    assert response.status_code == 302 and response["Location"] == _url("periodic_detail", copy.pk)
    assert copy.revision == 2 and copy.status == ReportStatus.DRAFT
    body = client_for(personas.officer_a).get(_url("periodic_detail", final_a.pk)).content.decode()
    assert "data-report-newer" in body


def test_actions_are_refused_to_readers_others_and_anonymous(
    personas: Any, client: Any, client_for: Any, draft_a: Report, final_a: Report
) -> None:
    for name in ("periodic_refresh", "periodic_finalise"):
        assert client_for(personas.officer_b).post(_url(name, draft_a.pk), {"version": 1}).status_code == 404
        assert client_for(personas.viewer).post(_url(name, draft_a.pk), {"version": 1}).status_code == 404
        assert client_for(personas.viewer).post(_url(name, final_a.pk), {"version": 1}).status_code == 403
        assert client.post(_url(name, draft_a.pk), {"version": 1}).status_code == 302
    assert client_for(personas.chair_a).post(_url("periodic_new_version", final_a.pk)).status_code == 403
    assert client_for(personas.officer_b).post(_url("periodic_new_version", final_a.pk)).status_code == 404
    assert client_for(personas.officer_a).get(_url("periodic_finalise", draft_a.pk)).status_code == 405
    draft_a.refresh_from_db()
    assert draft_a.status == ReportStatus.DRAFT and Report.objects.count() == 2


# --- files -------------------------------------------------------------------------------------------


def test_asking_for_a_file_shows_its_progress_polled(
    personas: Any, client_for: Any, draft_a: Report, no_rendering: None
) -> None:
    client = client_for(personas.officer_a)
    response = client.post(_url("periodic_file_request", draft_a.pk), {"fmt": "docx"}, **HTMX)
    assert response.status_code == 200
    row = ReportFile.objects.get()
    body = response.content.decode()
    assert f'hx-get="{_url("periodic_file_progress", draft_a.pk, row.pk)}"' in body
    assert 'hx-trigger="every 1s"' in body and "<progress" in body
    [event] = _events(draft_a, "export")  # the service audits the request
    assert event.changes["format"] == "docx"
    ReportFile.objects.filter(pk=row.pk).update(status=FileStatus.RUNNING, progress=40)
    polled = client.get(_url("periodic_file_progress", draft_a.pk, row.pk)).content.decode()
    assert 'value="40"' in polled and "every 1s" in polled
    ReportFile.objects.filter(pk=row.pk).update(status=FileStatus.DONE, progress=100, content=b"PK docx")
    done = client.get(_url("periodic_file_progress", draft_a.pk, row.pk)).content.decode()
    assert "every 1s" not in done and _url("periodic_file", draft_a.pk, row.pk) in done


def test_a_failed_file_says_why_and_can_be_asked_again(
    personas: Any, client_for: Any, draft_a: Report, no_rendering: None
) -> None:
    row = services.file_request(actor=personas.officer_a, report=draft_a, fmt="xlsx")
    ReportFile.objects.filter(pk=row.pk).update(
        status=FileStatus.FAILED, error="The file could not be written."
    )
    body = (
        client_for(personas.officer_a)
        .get(_url("periodic_file_progress", draft_a.pk, row.pk))
        .content.decode()
    )
    assert "data-file-error" in body and 'data-file-request="xlsx"' in body


def test_file_request_without_htmx_comes_back_to_the_page(
    personas: Any, client_for: Any, draft_a: Report, no_rendering: None
) -> None:
    response = client_for(personas.officer_a).post(_url("periodic_file_request", draft_a.pk), {"fmt": "xlsx"})
    assert response.status_code == 302 and response["Location"].endswith("#report-files")
    body = client_for(personas.officer_a).get(_url("periodic_detail", draft_a.pk)).content.decode()
    assert 'data-file="xlsx"' in body and 'data-file-status="queued"' in body


def test_file_request_refuses_an_unknown_format_and_other_users(
    personas: Any, client: Any, client_for: Any, draft_a: Report, no_rendering: None
) -> None:
    assert (
        client_for(personas.officer_a)
        .post(_url("periodic_file_request", draft_a.pk), {"fmt": "exe"})
        .status_code
        == 404
    )
    assert (
        client_for(personas.officer_b)
        .post(_url("periodic_file_request", draft_a.pk), {"fmt": "docx"})
        .status_code
        == 404
    )
    assert (
        client_for(personas.viewer)
        .post(_url("periodic_file_request", draft_a.pk), {"fmt": "docx"})
        .status_code
        == 404
    )
    assert client.post(_url("periodic_file_request", draft_a.pk), {"fmt": "docx"}).status_code == 302
    assert not ReportFile.objects.exists()


def _done_file(report: Report, user: Any) -> ReportFile:
    return ReportFile.objects.create(
        report=report,
        fmt="docx",
        report_version=report.version,
        status=FileStatus.DONE,
        progress=100,
        content=b"PK fake docx",
        requested_by=user,
        finished_at=timezone.now(),
    )


def test_download_serves_the_bytes_uncached_and_is_audited(
    personas: Any, client_for: Any, final_a: Report
) -> None:
    row = _done_file(final_a, personas.officer_a)
    response = client_for(personas.viewer).get(_url("periodic_file", final_a.pk, row.pk))
    assert response.status_code == 200 and response.content == b"PK fake docx"
    assert response["Content-Type"] == DOCX and response["Cache-Control"] == "no-store"
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and ".docx" in response["Content-Disposition"]
    )
    [event] = _events(final_a, "export")
    assert event.actor_id == personas.viewer.pk and event.changes["downloaded"] is True


def test_download_is_refused_outside_scope_unfinished_and_anonymous(
    personas: Any, units: Any, client: Any, client_for: Any, draft_a: Report
) -> None:
    row = _done_file(draft_a, personas.officer_a)
    url = _url("periodic_file", draft_a.pk, row.pk)
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.viewer).get(url).status_code == 404  # a draft
    assert client.get(url).status_code == 302
    ReportFile.objects.filter(pk=row.pk).update(status=FileStatus.RUNNING)
    assert client_for(personas.officer_a).get(url).status_code == 404
    other = _create(personas.officer_b, units.commune_b)  # the file is not that report's
    assert client_for(personas.officer_b).get(_url("periodic_file", other.pk, row.pk)).status_code == 404
    assert not _events(draft_a, "export")
