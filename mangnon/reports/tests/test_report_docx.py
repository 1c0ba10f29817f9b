"""The DOCX of a periodic report, read back with python-docx and checked in its XML: the decree's layout
items (issuing body, number line, national motto, place and date, title, Times New Roman, margins,
recipients, signature), the sections in their numbered order, the results table, the annex on a page
of its own, Vietnamese numbers, and "DỰ THẢO" on drafts only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from mangnon.reports import annex, report_docx
from mangnon.reports.models import Report, ReportKind, ReportStatus

from .conftest import open_docx, table_rows, text_of
from .outputs_fixtures import TABLES, make_report

pytestmark = pytest.mark.django_db

ISSUED = {
    "number": "125/BC-UBND",
    "place": "Quảng Ninh",
    "issued_on": date(2021, 1, 15),
    "signer_name": "Nguyễn Văn Thắng",
    "recipients": "Bộ Lao động - Thương binh và Xã hội;\n- Thường trực Tỉnh ủy;\nLưu: VT, VX.",
}


@pytest.fixture(autouse=True)
def no_annex(monkeypatch: pytest.MonkeyPatch) -> None:
    """No annex unless a test gives one (the tables of `annex` have tests of their own)."""
    monkeypatch.setattr(annex, "tables", lambda snapshot: [])


@pytest.fixture
def with_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(annex, "tables", lambda snapshot: TABLES)


def _province(personas: Any, units: Any, **details: Any) -> Report:
    return make_report(personas.province_officer, units.province, **details)


def _lines(content: bytes) -> list[str]:
    return [line.strip() for line in text_of(content).splitlines() if line.strip()]


def _body_order(content: bytes) -> list[str]:
    """The text of each paragraph and table of the body, in the order of the document."""
    body = open_docx(content).element.body
    return ["".join(t.text or "" for t in child.iter(qn("w:t"))) for child in body.iterchildren()]


def test_header_number_date_title_and_motto(units: Any, personas: Any) -> None:
    report = _province(personas, units, **ISSUED)
    content = report_docx.build(report)
    doc = open_docx(content)
    header = doc.tables[0]
    left, right = (cell.text for cell in header.rows[0].cells)
    assert "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NINH" in left
    assert "Số: 125/BC-UBND" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    assert "Quảng Ninh, ngày 15 tháng 01 năm 2021" in right
    title = next(p for p in doc.paragraphs if p.text == report.title.upper())
    assert title.runs[0].bold and title.alignment == report_docx.layout.CENTER


def test_not_yet_numbered_nor_dated(units: Any, personas: Any) -> None:
    report = _province(personas, units)
    left, right = (c.text for c in open_docx(report_docx.build(report)).tables[0].rows[0].cells)
    assert "Số:      /BC-UBND" in left
    assert "ngày …… tháng …… năm ……" in right
    assert report_docx.number_line("7") == "Số: 7/BC-UBND"


def test_a_commune_report_is_issued_by_the_commune(units: Any, personas: Any) -> None:
    report = make_report(personas.officer_a, units.commune_a, place="Hạ Long")
    left, right = (c.text for c in open_docx(report_docx.build(report)).tables[0].rows[0].cells)
    assert f"ỦY BAN NHÂN DÂN\n{units.commune_a.name.upper()}" in left
    assert right.splitlines()[-1].startswith("Hạ Long, ngày")


def test_draft_mark_on_drafts_only(units: Any, personas: Any) -> None:
    report = _province(personas, units)
    first = open_docx(report_docx.build(report)).paragraphs[0]
    assert first.text == "DỰ THẢO" and first.runs[0].bold
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FINAL)
    report.refresh_from_db()
    assert "DỰ THẢO" not in text_of(report_docx.build(report))


def test_sections_in_order_with_their_numbered_headings(units: Any, personas: Any) -> None:
    lines = _lines(report_docx.build(_province(personas, units)))
    headings = [
        "I. KẾT QUẢ THỰC HIỆN",
        "1. Công tác truyền thông, nâng cao nhận thức về quyền trẻ em, bảo vệ trẻ em",
        "2. Công tác tập huấn, nâng cao năng lực",
        "3. Thực hiện quyền tham gia của trẻ em",
        "4. Công tác chăm sóc, hỗ trợ trẻ em",
        "5. Công tác bảo vệ trẻ em, phòng ngừa và hỗ trợ can thiệp",
        "6. Kết quả thực hiện các chỉ tiêu",
        "II. KHÓ KHĂN, HẠN CHẾ",
        "III. NHIỆM VỤ TRỌNG TÂM NĂM 2021",
    ]
    positions = [lines.index(h) for h in headings]
    assert positions == sorted(positions)
    # Each section's text follows its heading, a paragraph per block (and per bullet line).
    at = lines.index("Năm 2020, toàn tỉnh đã tổ chức 232 buổi truyền thông trực tiếp cho 49.980 lượt người.")
    assert positions[1] < at < positions[2]
    assert lines[at + 1] == "Các câu lạc bộ duy trì sinh hoạt thường xuyên."
    difficulties = lines.index("Nguồn lực còn hạn chế.")
    assert lines[difficulties + 1 : difficulties + 3] == ["- Đội ngũ cán bộ kiêm nhiệm.", "- Kinh phí thấp."]
    # A section with no text yet (children's participation here) leaves room to write.
    assert lines[positions[3] + 1] == report_docx.layout.BLANK


@pytest.mark.parametrize(
    ("kind", "start", "end", "heading"),
    [
        (
            ReportKind.HALF_YEAR,
            date(2020, 1, 1),
            date(2020, 6, 30),
            "III. NHIỆM VỤ TRỌNG TÂM 6 THÁNG CUỐI NĂM 2020",
        ),
        (
            ReportKind.HALF_YEAR,
            date(2020, 7, 1),
            date(2020, 12, 31),
            "III. NHIỆM VỤ TRỌNG TÂM 6 THÁNG ĐẦU NĂM 2021",
        ),
        (
            ReportKind.PHASE,
            date(2016, 1, 1),
            date(2020, 12, 31),
            "III. NHIỆM VỤ TRỌNG TÂM GIAI ĐOẠN 2021-2025",
        ),
    ],
)
def test_tasks_ahead_name_the_next_period(kind: str, start: date, end: date, heading: str) -> None:
    report = Report(kind=kind, period_start=start, period_end=end)
    assert report_docx.tasks_heading(report) == heading


def test_results_against_targets_as_a_table(units: Any, personas: Any) -> None:
    rows = table_rows(report_docx.build(_province(personas, units)))
    assert ["TT", "Chỉ tiêu", "Kế hoạch", "Thực hiện", "Cùng kỳ", "Đánh giá"] in rows
    assert [
        "1",
        "Tỷ lệ trẻ em có hoàn cảnh đặc biệt được trợ giúp (MN-HT-01)",
        "90%",
        "100%",
        "98,5%",
        "Đạt",
    ] in rows
    assert ["2", "Trẻ em tử vong do tai nạn thương tích (MN-BV-08)", "-", "28", "29", ""] in rows
    assert not any("MN-XX-99" in cell for row in rows for cell in row)  # neither target nor value


def test_recipients_and_signature(units: Any, personas: Any) -> None:
    doc = open_docx(report_docx.build(_province(personas, units, **ISSUED)))
    closing = doc.tables[-1]  # no annex tables: the signature block is the last table
    left, right = (c.text.splitlines() for c in closing.rows[0].cells)
    assert left == [
        "Nơi nhận:",
        "- Bộ Lao động - Thương binh và Xã hội;",
        "- Thường trực Tỉnh ủy;",
        "- Lưu: VT, VX.",
    ]
    assert right[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"] and right[-1] == "Nguyễn Văn Thắng"


def test_signer_title_and_default_recipients(units: Any, personas: Any) -> None:
    report = _province(personas, units, signer_title="KT. Chủ tịch\nPhó Chủ tịch", signer_name="Lê Thị B")
    left, right = (c.text.splitlines() for c in open_docx(report_docx.build(report)).tables[-1].rows[0].cells)
    assert left == ["Nơi nhận:", "- Lưu: VT."]
    assert right[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]


def test_times_new_roman_and_the_decree_margins(units: Any, personas: Any) -> None:
    doc = open_docx(report_docx.build(_province(personas, units)))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [20, 20, 30, 15]
    normal = doc.styles["Normal"]
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(s)) for s in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {"Times New Roman"}
    assert normal.font.size.pt == 13
    sizes = {run.font.size.pt for p in doc.paragraphs for run in p.runs if run.font.size is not None}
    assert sizes <= {13, 14}  # the body's runs: 13-14 pt
    # No run names another font.
    body = doc.element.body
    assert {f.get(qn("w:ascii")) for f in body.iter(qn("w:rFonts"))} <= {"Times New Roman", None}


def test_annex_tables_on_a_new_page_with_vietnamese_numbers(
    units: Any, personas: Any, with_tables: None
) -> None:
    content = report_docx.build(_province(personas, units, **ISSUED))
    doc = open_docx(content)
    assert len(doc.sections) == 2
    annex_section = doc.sections[1]
    assert annex_section.start_type == 2  # WD_SECTION.NEW_PAGE
    assert annex_section.orientation == WD_ORIENT.PORTRAIT  # four columns fit the portrait page
    assert [round(m.mm) for m in (annex_section.left_margin, annex_section.right_margin)] == [30, 15]
    blocks = _body_order(content)
    signature = next(i for i, text in enumerate(blocks) if "Nguyễn Văn Thắng" in text)
    first_table = blocks.index("Biểu 1. Hoạt động truyền thông năm 2020")
    assert signature < blocks.index("PHỤ LỤC") < first_table
    lines = _lines(content)
    rows = table_rows(content)
    assert ["Truyền thông trực tiếp", "232", "49.980", "41.230"] in rows
    assert ["Tập huấn", "109", "8.641", "-"] in rows
    assert ["Tổng", "13.303", "17.316,469", "17.316.469.000"] in rows
    assert "Đơn vị tính: lượt người." in lines and "(-) Không có số liệu." in lines


def test_a_wide_annex_goes_on_landscape_pages(units: Any, personas: Any, monkeypatch: Any) -> None:
    wide = annex.AnnexTable("wide", "Biểu rộng", [f"Cột {i}" for i in range(8)], [list(range(8))])
    monkeypatch.setattr(annex, "tables", lambda snapshot: [wide])
    doc = open_docx(report_docx.build(_province(personas, units)))
    section = doc.sections[1]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)


def test_progress_is_told_as_the_document_grows(units: Any, personas: Any, with_tables: None) -> None:
    seen: list[int] = []
    report_docx.build(_province(personas, units), progress=seen.append)
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] < 100


def test_numbers_of_the_snapshot_in_vietnamese_formats() -> None:
    assert report_docx.number_text(49980) == "49.980"
    assert report_docx.number_text("17316.469") == "17.316,469"
    assert report_docx.number_text(None) == "-"
    assert report_docx.number_text("n/a") == "n/a"
    assert report_docx.paragraphs("a\nb\n\n\n- c\n- d\n\n") == ["a b", "- c", "- d"]


def test_the_fast_annex_rows_are_the_rows_layout_writes() -> None:
    header = ["Hoạt động", "Số", "Ghi chú"]
    rows = [["Truyền thông trực tiếp", "232", ""], ["Tập huấn", "8.641", " a "], ["-", "12", "Có"]]
    slow = report_docx.layout.new_document()
    report_docx.layout.add_table(slow, header, rows, widths_mm=(80, 40, 45))
    fast = report_docx.layout.new_document()
    report_docx.add_rows_fast(fast, header, rows, (80, 40, 45))
    xml = [doc.element.body.xml.replace(' xml:space="preserve"', "") for doc in (slow, fast)]
    assert xml[0] == xml[1]
