"""Building blocks of a Vietnamese administrative document in DOCX (Nghị định 30/2020/NĐ-CP, Phụ lục I).

Every document Măng Non writes (the Decree 56 forms of a case, the periodic reports) is laid out the
way the decree on official paperwork asks, so that it can be printed, signed and filed as it is:

- A4 portrait; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm (the decree allows 20-25,
  20-25, 30-35, 15-20); Times New Roman (a Unicode font, TCVN 6909:2001), body text 13 pt;
- the header: a two-column table without borders, the issuing body on the left (bold capitals, a
  short rule under it, then the document's number) and the national motto on the right (a short rule
  under "Độc lập - Tự do - Hạnh phúc", then the place and date in italics);
- the title in bold capitals, centred, with its summary line below it;
- the signature block on the right (the signing authority in bold capitals, a space to sign, the
  signer's name in bold) and the recipients ("Nơi nhận:") on the left.

The text of a document is Vietnamese whatever the interface language: it is an official paper, not a
page of the application. This module knows layout only; what a document says is its builder's.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from docx import Document as new_docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
BODY_PT = 13
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]
HEADER_LEFT_MM = 65  # the issuing body's column; the motto takes the rest of the line
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BLANK = "…………"  # a value not recorded: room to write it by hand

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY

# Elements that must follow <w:pBdr> inside <w:pPr> (the schema fixes their order; Word refuses a file
# that breaks it).
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
    "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


# --- dates -------------------------------------------------------------------------------------------


def day_month_year(day: date) -> str:
    """The date as the decree writes it, "ngày 06 tháng 3 năm 2026": a day below 10 and the months 1
    and 2 take a leading zero ("ngày 05 tháng 01 năm 2026"), so that nobody can add a digit in front."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, day: date | None) -> str:
    """The place-and-date line: "Hạ Long, ngày 06 tháng 3 năm 2026"; without a day, blanks to fill in."""
    when = day_month_year(day) if day is not None else "ngày …… tháng …… năm ……"
    return f"{place or '……'}, {when}"


# --- the document ------------------------------------------------------------------------------------


def _set_fonts(rpr: BaseOxmlElement, size_pt: int) -> None:
    """Times New Roman for every script (Vietnamese letters are Latin, but Word picks the East Asian
    or complex-script slot for some characters), instead of the template's theme fonts."""
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    rpr.insert(0, fonts)
    for tag in ("w:sz", "w:szCs"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
        size = OxmlElement(tag)
        size.set(qn("w:val"), str(size_pt * 2))
        rpr.append(size)
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)


def new_document(*, title: str = "", body_pt: int = BODY_PT) -> Document:
    """An empty A4 document with the decree's margins and Times New Roman throughout."""
    doc = new_docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _set_fonts(rpr, body_pt)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(body_pt)
    _set_fonts(normal.element.get_or_add_rPr(), body_pt)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(6), 1.0
    props = doc.core_properties
    props.title, props.author, props.last_modified_by, props.language = title, "Măng Non", "Măng Non", "vi-VN"
    props.comments = ""
    return doc


def to_bytes(doc: Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- paragraphs --------------------------------------------------------------------------------------


def _tight(paragraph: Paragraph, after: float = 0) -> Paragraph:
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after, fmt.first_line_indent = Pt(0), Pt(after), None
    return paragraph


def add_run(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    upper: bool = False,
) -> Paragraph:
    run = paragraph.add_run(text.upper() if upper else text)
    run.bold, run.italic = bold or None, italic or None
    if size is not None:
        run.font.size = Pt(size)
    return paragraph


def add_paragraph(
    container: Document | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: WD_ALIGN_PARAGRAPH = JUSTIFY,
    indent: bool = False,
    after: float = 6,
) -> Paragraph:
    """One paragraph of running text; `indent` gives the first line the decree's 1 cm indent."""
    paragraph = _tight(container.add_paragraph(), after)
    paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    if text:
        add_run(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


def add_field(container: Document | _Cell, label: str, value: str, *, indent: bool = True) -> Paragraph:
    """A line "Label: value": the label as the form prints it, the value as recorded (or blanks to fill
    in)."""
    paragraph = add_paragraph(container, indent=indent)
    add_run(paragraph, f"{label}: " if label else "")
    add_run(paragraph, value or BLANK)
    return paragraph


def add_item(container: Document | _Cell, number: str, heading: str, value: str = "") -> Paragraph:
    """A numbered item of a form: "3. Heading: value" with the heading in bold (the value may be empty
    when sub-fields follow)."""
    paragraph = add_paragraph(container, indent=True)
    add_run(paragraph, f"{number}. {heading}" if number else heading, bold=True)
    if value:
        add_run(paragraph, f": {value}")
    return paragraph


def _rule(cell: _Cell, width_mm: float, length_mm: float) -> None:
    """A short centred horizontal rule (a bottom border on an empty paragraph, indented to its length)."""
    paragraph = _tight(cell.add_paragraph(), 2)
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(name), value)
    border.append(bottom)
    ppr.insert_element_before(border, *_AFTER_PBDR)
    mark = OxmlElement("w:rPr")  # a tiny paragraph mark, so the rule sits just under the text above
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    mark.append(size)
    ppr.insert_element_before(mark, "w:sectPr", "w:pPrChange")
    side = max((width_mm - length_mm) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent, fmt.right_indent, fmt.line_spacing = Mm(side), Mm(side), Pt(3)


def _fixed_widths(table: Table, widths_mm: Sequence[float]) -> None:
    table.autofit = False  # a fixed layout: Word keeps the widths given
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _cell_lines(cell: _Cell) -> None:
    """Start a cell with no empty first paragraph (python-docx gives each new cell one)."""
    first = cell.paragraphs[0]
    first._p.getparent().remove(first._p)


# --- the header --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """The header of a document: who issues it, its number, and where and when."""

    issuer: Sequence[str]  # the issuing body, a line each: ("ỦY BAN NHÂN DÂN", "PHƯỜNG HẠ LONG")
    parent: Sequence[str] = ()  # the body it belongs to, when there is one (not in bold)
    number: str = ""  # "Số: 15/QĐ-UBND"
    place_date: str = ""


def add_heading(doc: Document, heading: Heading) -> Table:
    """The two-column header table: the issuing body and number left, the motto and place-date right."""
    right_mm = TEXT_WIDTH_MM - HEADER_LEFT_MM
    table = doc.add_table(rows=1, cols=2)
    _fixed_widths(table, (HEADER_LEFT_MM, right_mm))
    left, right = table.rows[0].cells
    for cell in (left, right):
        _cell_lines(cell)
    for line in heading.parent:
        add_paragraph(left, line.upper(), size=13, align=CENTER, after=0)
    for line in heading.issuer:
        add_paragraph(left, line.upper(), bold=True, size=13, align=CENTER, after=0)
    _rule(left, HEADER_LEFT_MM, 25)
    if heading.number:
        add_paragraph(left, heading.number, size=13, align=CENTER, after=0)
    add_paragraph(right, MOTTO, bold=True, size=12.5, align=CENTER, after=0)
    add_paragraph(right, MOTTO_LINE, bold=True, size=14, align=CENTER, after=0)
    _rule(right, right_mm, 58)
    if heading.place_date:
        add_paragraph(right, heading.place_date, italic=True, size=14, align=CENTER, after=0)
    add_paragraph(doc, after=6)
    return table


def add_form_code(doc: Document, text: str) -> Paragraph:
    """The appendix's form number ("Mẫu số 01"), top right, above the header."""
    return add_paragraph(doc, text, bold=True, align=RIGHT, after=0)


def add_title(doc: Document, title: str, *subtitles: str) -> None:
    """The document's name in bold capitals, centred, and its summary lines in bold below it."""
    add_paragraph(doc, title.upper(), bold=True, size=14, align=CENTER, after=0)
    for line in subtitles:
        add_paragraph(doc, line, bold=True, size=14, align=CENTER, after=0)
    add_paragraph(doc, after=6)


# --- tables ------------------------------------------------------------------------------------------


def add_table(
    doc: Document, header: Sequence[str], rows: Sequence[Sequence[str]], *, widths_mm: Sequence[float]
) -> Table:
    """A ruled table with a bold, centred header row (column widths in mm, adding up to the text width
    or less)."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    _fixed_widths(table, widths_mm)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_lines(cell)
        add_paragraph(cell, text, bold=True, size=12, align=CENTER, after=0)
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.width = Mm(widths_mm[i])
            _cell_lines(cell)
            add_paragraph(cell, text, size=12, align=LEFT if len(text) > 3 else CENTER, after=0)
    add_paragraph(doc, after=0)
    return table


# --- the signature block -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """Who signs: the authority lines in bold capitals ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), a note in
    italics ("(Ký, ghi rõ họ tên)"), then room for the signature and the signer's name."""

    authority: Sequence[str]
    name: str = ""
    note: str = "(Ký, ghi rõ họ tên)"
    seal: bool = False  # "(Ký tên, đóng dấu)" instead of the note: the decision of a body


@dataclass(frozen=True)
class Closing:
    """The foot of a document: a signer on the right; on the left another signer (minutes signed by
    two) or the recipients."""

    right: Signer
    left: Signer | None = None
    recipients: Sequence[str] = field(default_factory=tuple)


def _sign(cell: _Cell, signer: Signer) -> None:
    for line in signer.authority:
        add_paragraph(cell, line.upper(), bold=True, size=13, align=CENTER, after=0)
    note = "(Ký tên, đóng dấu)" if signer.seal else signer.note
    if note:
        add_paragraph(cell, note, italic=True, size=13, align=CENTER, after=0)
    for _blank in range(4):
        add_paragraph(cell, align=CENTER, after=0)
    add_paragraph(cell, signer.name, bold=True, size=13, align=CENTER, after=0)


def add_closing(doc: Document, closing: Closing) -> Table:
    add_paragraph(doc, after=0)
    left_mm = TEXT_WIDTH_MM / 2 - 5
    table = doc.add_table(rows=1, cols=2)
    _fixed_widths(table, (left_mm, TEXT_WIDTH_MM - left_mm))
    left, right = table.rows[0].cells
    for cell in (left, right):
        _cell_lines(cell)
    if closing.left is not None:
        _sign(left, closing.left)
    elif closing.recipients:
        add_paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12, align=LEFT, after=0)
        for line in closing.recipients:
            add_paragraph(left, f"- {line}", size=11, align=LEFT, after=0)
    else:
        add_paragraph(left, after=0)
    _sign(right, closing.right)
    return table
