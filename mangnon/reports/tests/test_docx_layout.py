"""The administrative-document building blocks (Nghị định 30/2020): dates as the decree writes them, A4
with its margins, Times New Roman everywhere, the two-column header, the title, tables, the signature
and recipients, and XML in the order the schema fixes (Word refuses a file that breaks it)."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.oxml.ns import qn

from mangnon.reports import docx_layout as layout


def _reopen(doc) -> object:
    return Document(io.BytesIO(layout.to_bytes(doc)))


def _sample():
    doc = layout.new_document(title="Báo cáo thử")
    layout.add_form_code(doc, "Mẫu số 99")
    layout.add_heading(
        doc,
        layout.Heading(
            issuer=("Ủy ban nhân dân", "Phường Hạ Long"),
            parent=("Ủy ban nhân dân", "Tỉnh Quảng Ninh"),
            number="Số: 12/BC-UBND",
            place_date=layout.place_date("Hạ Long", date(2026, 3, 6)),
        ),
    )
    layout.add_title(doc, "Báo cáo", "Kết quả công tác bảo vệ trẻ em")
    layout.add_item(doc, "1", "Tình hình chung", "ổn định")
    layout.add_field(doc, "- Số trẻ em", "")
    layout.add_table(doc, ("TT", "Nội dung"), [["1", "Một dòng"]], widths_mm=(15, 150))
    layout.add_closing(
        doc,
        layout.Closing(
            right=layout.Signer(("TM. Ủy ban nhân dân", "Chủ tịch"), name="Trần Văn A", seal=True),
            recipients=("Sở Y tế;", "Lưu: VT."),
        ),
    )
    return _reopen(doc)


def test_dates_as_the_decree_writes_them():
    assert layout.day_month_year(date(2026, 3, 6)) == "ngày 06 tháng 3 năm 2026"
    assert layout.day_month_year(date(2026, 1, 15)) == "ngày 15 tháng 01 năm 2026"
    assert layout.day_month_year(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert layout.day_month_year(date(2026, 12, 31)) == "ngày 31 tháng 12 năm 2026"
    assert layout.place_date("Hạ Long", date(2026, 3, 6)) == "Hạ Long, ngày 06 tháng 3 năm 2026"
    assert layout.place_date("Hạ Long", None) == "Hạ Long, ngày …… tháng …… năm ……"


def test_page_margins_and_font():
    doc = _sample()
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin)] == [20, 20]
    assert [round(m.mm) for m in (section.left_margin, section.right_margin)] == [30, 15]
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size.pt == 13
    fonts = doc.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}"
    )
    assert {fonts.get(qn(s)) for s in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {"Times New Roman"}
    assert fonts.get(qn("w:asciiTheme")) is None  # the template's theme font would win otherwise
    assert doc.core_properties.title == "Báo cáo thử" and doc.core_properties.language == "vi-VN"


def test_the_header_table():
    doc = _sample()
    header = doc.tables[0]
    assert len(header.columns) == 2
    left, right = header.rows[0].cells
    lines = [p.text for p in left.paragraphs if p.text]
    assert lines == [
        "ỦY BAN NHÂN DÂN",
        "TỈNH QUẢNG NINH",
        "ỦY BAN NHÂN DÂN",
        "PHƯỜNG HẠ LONG",
        "Số: 12/BC-UBND",
    ]
    bold = {p.text: bool(p.runs[0].bold) for p in left.paragraphs if p.text}
    assert bold["PHƯỜNG HẠ LONG"] and not bold["TỈNH QUẢNG NINH"]  # the issuer in bold, its parent not
    motto = [p for p in right.paragraphs if p.text]
    assert [p.text for p in motto] == [
        layout.MOTTO,
        layout.MOTTO_LINE,
        "Hạ Long, ngày 06 tháng 3 năm 2026",
    ]
    assert motto[0].runs[0].bold and motto[1].runs[0].bold and motto[2].runs[0].italic
    # a short rule under the issuer and under the motto
    rules = [
        p
        for cell in (left, right)
        for p in cell.paragraphs
        if p._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}") is not None
    ]
    assert len(rules) == 2


def test_title_items_and_blanks():
    texts = [p.text for p in _sample().paragraphs]
    assert texts[0] == "Mẫu số 99"
    assert "BÁO CÁO" in texts and "Kết quả công tác bảo vệ trẻ em" in texts
    assert "1. Tình hình chung: ổn định" in texts
    assert f"- Số trẻ em: {layout.BLANK}" in texts  # not recorded: dots to fill in by hand


def test_table_and_closing():
    doc = _sample()
    table = doc.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["TT", "Nội dung"]
    assert [c.text for c in table.rows[1].cells] == ["1", "Một dòng"]
    assert table.style.name == "Table Grid"
    left, right = doc.tables[2].rows[0].cells
    assert [p.text for p in left.paragraphs] == ["Nơi nhận:", "- Sở Y tế;", "- Lưu: VT."]
    assert left.paragraphs[0].runs[0].bold and left.paragraphs[0].runs[0].italic
    signed = [p.text for p in right.paragraphs if p.text]
    assert signed == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Ký tên, đóng dấu)", "Trần Văn A"]


def test_paragraph_properties_keep_the_schema_order():
    order = [qn(t) for t in ("w:pStyle", "w:keepNext", "w:pBdr", *layout._AFTER_PBDR)]
    doc = _sample()
    cells = [c for t in doc.tables for row in t.rows for c in row.cells]
    paragraphs = list(doc.paragraphs) + [p for c in cells for p in c.paragraphs]
    for paragraph in paragraphs:
        ppr = paragraph._p.pPr
        if ppr is None:
            continue
        tags = [child.tag for child in ppr]
        positions = [order.index(t) for t in tags if t in order]
        assert positions == sorted(positions), tags
