"""Reports for the tests of the files and the API: made by the services (so they are real drafts), then
given sections and details the tests can look for, and annex tables built here (the renderers take any
`AnnexTable`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from mangnon.reports import services
from mangnon.reports.annex import AnnexTable
from mangnon.reports.models import Report, ReportKind, ReportSection, SectionKey

YEAR = (date(2020, 1, 1), date(2020, 12, 31))

TEXTS = {
    SectionKey.COMMUNICATION: (
        "Năm 2020, toàn tỉnh đã tổ chức 232 buổi truyền thông trực tiếp cho 49.980 lượt người.\n\n"
        "Các câu lạc bộ duy trì sinh hoạt thường xuyên."
    ),
    SectionKey.TRAINING: "Tổ chức 109 lớp tập huấn nâng cao năng lực cho 8.641 lượt người.",
    SectionKey.SUPPORT: "Hỗ trợ 13.303 lượt trẻ em với tổng kinh phí 17.316,469 triệu đồng.",
    SectionKey.PROTECTION: "Xảy ra 26 vụ xâm hại trẻ em với 30 trẻ em bị xâm hại.",
    SectionKey.DIFFICULTIES: "Nguồn lực còn hạn chế.\n- Đội ngũ cán bộ kiêm nhiệm.\n- Kinh phí thấp.",
    SectionKey.TASKS: "Tiếp tục triển khai Chương trình hành động vì trẻ em.",
}

INDICATORS = [
    {
        "code": "MN-HT-01",
        "name": "Tỷ lệ trẻ em có hoàn cảnh đặc biệt được trợ giúp",
        "measure": "percent",
        "direction": "higher",
        "value": "100",
        "numerator": 4000,
        "denominator": 4000,
        "target": 90,
        "target_kind": "minimum",
        "target_source": "",
        "status": "met",
        "previous": "98.5",
        "trend": "better",
        "suppressed": False,
    },
    {
        "code": "MN-BV-08",
        "name": "Trẻ em tử vong do tai nạn thương tích",
        "measure": "count",
        "direction": "lower",
        "value": 28,
        "numerator": 28,
        "denominator": None,
        "target": None,
        "target_kind": None,
        "target_source": "",
        "status": "no_target",
        "previous": 29,
        "trend": "better",
        "suppressed": False,
    },
    {
        "code": "MN-XX-99",
        "name": "Không có số liệu",
        "measure": "count",
        "direction": "neutral",
        "value": None,
        "numerator": None,
        "denominator": None,
        "target": None,
        "target_kind": None,
        "target_source": "",
        "status": "no_data",
        "previous": None,
        "trend": "unknown",
        "suppressed": False,
    },
]

TABLES = [
    AnnexTable(
        key="communication",
        title="Biểu 1. Hoạt động truyền thông năm 2020",
        columns=["Hoạt động", "Số buổi", "Số lượt người", "Cùng kỳ 2019"],
        rows=[
            ["Truyền thông trực tiếp", 232, 49980, 41230],
            ["Tập huấn", 109, 8641, None],
            ['=HYPERLINK("http://x")', 1, 2, 3],
        ],
        notes=["Đơn vị tính: lượt người.", "(-) Không có số liệu."],
    ),
    AnnexTable(
        key="support",
        title="Biểu 2. Hỗ trợ trẻ em theo chương trình, chính sách năm 2020 (kinh phí)",
        columns=["Chương trình", "Số lượt trẻ em", "Kinh phí (triệu đồng)", "Kinh phí (đồng)"],
        rows=[["NQ91-TCHT", 7980, "8.618,4", 8618400000], ["Tổng", 13303, "17.316,469", 17316469000]],
    ),
    AnnexTable(
        key="support_again",
        title="Biểu 2. Hỗ trợ trẻ em theo chương trình, chính sách năm 2020 (số lượt)",
        columns=["Chương trình", "Mã"],
        rows=[["Đơn vị", "06688"]],
    ),
]


def make_report(actor: Any, unit: Any, **details: Any) -> Report:
    """A draft report of `unit` for 2020 with the sections of TEXTS, the indicators of INDICATORS and
    `details` (number, place, issued_on, signer_title, signer_name, recipients, status…) set."""
    report = services.report_create(
        actor=actor,
        unit=unit,
        kind=ReportKind.ANNUAL,
        period_start=YEAR[0],
        period_end=YEAR[1],
        title="Báo cáo kết quả thực hiện công tác trẻ em năm 2020",
    )
    figures = dict(report.figures)
    figures["indicators"] = INDICATORS
    for key, text in TEXTS.items():
        ReportSection.objects.filter(report=report, key=key).update(text=text)
    Report.objects.filter(pk=report.pk).update(figures=figures, **details)
    report.refresh_from_db()
    return report
