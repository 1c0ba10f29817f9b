"""The Decree 56/2017 forms of a case (Mẫu 01-06), filled in from the case and printed as DOCX.

One builder per form. Each reads the step that filled the form in (the latest one: a plan drafted
again prints the new plan), the case, the child and their carers, and where the form needs it an
earlier step (the decision approving a plan lists the plan's services; the review names the decision).
The text is the decree's, in Vietnamese whatever the interface language, dates as Vietnamese write
them; what was not recorded is left as dots to fill in by hand. A form the case has not reached is not
printed (`NotReached`).

Data comes only through cases' own reads (access has loaded the case; `cases.form_data`,
`cases.selectors`); cases never imports this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from mangnon.cases import form_data, selectors
from mangnon.cases.codes import ServiceStatus
from mangnon.cases.models import Case, CaseService, CaseStep
from mangnon.cases.step_forms import no_longer_at_risk
from mangnon.cases.workflow import Form
from mangnon.core import audit
from mangnon.core.formatting import vi_date
from mangnon.core.models import AuditAction
from mangnon.orgs.codes import ServiceType
from mangnon.registry.codes import Relationship

from . import docx_layout as layout
from .docx_layout import BLANK, CENTER, Closing, Heading, Signer

FORMS = tuple(f.value for f in form_data.PRINTABLE)  # "01".."06"
RATINGS = {"high": "Cao", "medium": "Trung bình", "low": "Thấp"}  # Mẫu 06's own words
SEXES = {"M": "Nam", "F": "Nữ"}
SOURCES = (
    ("phone", "Qua điện thoại"),
    ("in_person", "Trực tiếp"),
    ("via_someone", "Qua người khác, cơ quan, tổ chức"),
)
MEASURES = (
    ("emergency_intervention", "Can thiệp khẩn cấp"),
    ("temporary_separation", "Tạm thời cách ly trẻ em khỏi môi trường, người gây tổn hại"),
)
CHECKED, UNCHECKED = "☒", "☐"

# (title, summary line) of each form, as the appendix names them.
TITLES: dict[str, tuple[str, str]] = {
    "01": ("Báo cáo tiếp nhận thông tin", "Về trẻ em bị xâm hại hoặc có nguy cơ bị bạo lực, bóc lột, bỏ rơi"),
    "02": ("Báo cáo đánh giá ban đầu", "Về mức độ an toàn và nguy cơ tổn hại của trẻ em"),
    "03": ("Biên bản", "Thu thập thông tin, đánh giá chi tiết và họp xác định nhu cầu của trẻ em"),
    "04": (
        "Kế hoạch hỗ trợ, can thiệp",
        "Đối với trẻ em bị xâm hại hoặc có nguy cơ bị bạo lực, bóc lột, bỏ rơi",
    ),
    "05": ("Quyết định", "Về việc phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em"),
    "06": ("Báo cáo đánh giá kết quả", "Thực hiện kế hoạch hỗ trợ, can thiệp đối với trẻ em"),
}


class NotReached(LookupError):
    """The case has no step that filled in this form (or the form is not one of Mẫu 01-06)."""


@dataclass(frozen=True)
class FormFile:
    form: str
    filename: str
    content: bytes
    step: CaseStep


# --- Vietnamese values -------------------------------------------------------------------------------


def _date(value: Any) -> str:
    if isinstance(value, date):
        return vi_date(value)
    try:
        return vi_date(date.fromisoformat(str(value))) if value else ""
    except ValueError:
        return str(value)


def _moment(value: Any) -> str:
    """ "16 giờ 30 phút, ngày 06/03/2026" in Vietnam's time."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, ngày {vi_date(moment)}"


def _yes_no(flag: Any) -> str:
    return "Có" if flag else "Không"


def _boxes(options: Sequence[tuple[str, str]], chosen: Sequence[str] | str) -> str:
    picked = {chosen} if isinstance(chosen, str) else set(chosen)
    return "    ".join(f"{CHECKED if code in picked else UNCHECKED} {label}" for code, label in options)


def _label(code: str, choices: Any) -> str:
    """A code's label from the application's Vietnamese catalogue."""
    with translation.override("vi"):
        return str(dict(choices).get(code, code))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _text(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else ""


# --- what a builder reads ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sources:
    case: Case
    step: CaseStep  # the step that filled in the form being printed
    steps: list[CaseStep]  # every step of the case that filled in a form, oldest first
    carers: list[form_data.Carer]

    @property
    def data(self) -> Mapping[str, Any]:
        return self.step.data or {}

    @property
    def day(self) -> date:
        return timezone.localtime(self.step.at).date()

    def earlier(self, form: str) -> Mapping[str, Any]:
        found = form_data.latest_step(self.steps, form, before=self.step)
        return found.data if found is not None else {}

    def earlier_step(self, form: str) -> CaseStep | None:
        return form_data.latest_step(self.steps, form, before=self.step)


def _signer_name(step: CaseStep) -> str:
    actor = step.actor
    return str(getattr(actor, "full_name", "") or actor)


def _commune(case: Case) -> str:
    return case.admin_unit.name  # "Phường Hạ Long"


def _heading(src: Sources, day: date | None, number: str = "") -> Heading:
    unit = src.case.admin_unit
    return Heading(
        issuer=("Ủy ban nhân dân", unit.name),
        number=number,
        place_date=layout.place_date(unit.short_name or unit.name, day),
    )


def _start(src: Sources, form: str, *, day: date | None = None, number: str = "") -> Any:
    title, summary = TITLES[form]
    doc = layout.new_document(title=f"Mẫu số {form} - {src.case.number}")
    layout.add_form_code(doc, f"Mẫu số {form}")
    layout.add_heading(doc, _heading(src, day or src.day, number))
    layout.add_title(doc, title, summary)
    return doc


def _addressed(doc: Any, case: Case) -> None:
    layout.add_paragraph(
        doc, f"Kính gửi: Chủ tịch Ủy ban nhân dân {_lower_first(_commune(case))}", align=CENTER, after=6
    )


def _case_line(doc: Any, src: Sources) -> None:
    received = _moment(src.case.received_at)
    layout.add_paragraph(
        doc,
        f"Mã số trường hợp: {src.case.number}. Thông tin được tiếp nhận lúc {received}.",
        italic=True,
        indent=True,
    )


def _birth(person: Any) -> tuple[str, str]:
    if person.date_of_birth:
        return "Ngày, tháng, năm sinh", vi_date(person.date_of_birth)
    if person.birth_year:
        note = " (ước tính)" if person.birth_year_estimated else ""
        return "Năm sinh", f"{person.birth_year}{note}"
    return "Ngày, tháng, năm sinh", ""


def _carer_text(src: Sources) -> str:
    if src.carers:
        return "; ".join(
            f"{c.full_name} ({_label(c.relationship, Relationship.choices)})"
            if c.relationship
            else c.full_name
            for c in src.carers
        )
    first = form_data.latest_step(src.steps, Form.M01)
    return _text(first.data.get("current_carer")) if first is not None else ""


def _child_block(doc: Any, src: Sources, number: str) -> None:
    person = src.case.child.person
    layout.add_item(doc, number, "Thông tin về trẻ em")
    layout.add_field(doc, "- Họ và tên", person.full_name)
    label, born = _birth(person)
    layout.add_field(doc, f"- {label}", born)
    layout.add_field(doc, "- Giới tính", SEXES.get(person.sex, ""))
    layout.add_field(doc, "- Nơi cư trú", ", ".join(p for p in (person.address, _commune(src.case)) if p))
    layout.add_field(doc, "- Người đang chăm sóc trẻ em", _carer_text(src))


def _reporter(src: Sources) -> Signer:
    return Signer(("Người báo cáo",), name=_signer_name(src.step))


# --- Mẫu 01 ------------------------------------------------------------------------------------------


def form_01(src: Sources) -> Any:
    data = src.data
    doc = _start(src, "01")
    _addressed(doc, src.case)
    layout.add_paragraph(doc, f"Mã số trường hợp: {src.case.number}.", italic=True, indent=True)
    layout.add_item(doc, "1", "Nguồn thông tin")
    layout.add_paragraph(doc, _boxes(SOURCES, _text(data.get("source"))), indent=True)
    layout.add_field(doc, "- Thời gian tiếp nhận", _moment(data.get("received_at") or src.case.received_at))
    layout.add_item(doc, "2", "Thông tin về trẻ em")
    layout.add_field(doc, "- Họ và tên", _text(data.get("child_name")))
    if data.get("child_date_of_birth"):
        layout.add_field(doc, "- Ngày, tháng, năm sinh", _date(data.get("child_date_of_birth")))
    else:
        age = data.get("child_age")
        layout.add_field(doc, "- Tuổi (ước tính)", f"{age} tuổi" if age not in (None, "") else "")
    layout.add_field(doc, "- Giới tính", SEXES.get(_text(data.get("child_sex")), ""))
    layout.add_item(doc, "3", "Địa điểm xảy ra vụ việc", _text(data.get("place")) or BLANK)
    layout.add_item(doc, "4", "Tình trạng của trẻ em", _text(data.get("child_condition")) or BLANK)
    layout.add_item(
        doc, "5", "Hậu quả có thể xảy ra nếu không can thiệp", _text(data.get("consequences")) or BLANK
    )
    layout.add_item(doc, "6", "Thông tin về gia đình trẻ em")
    for who, label in (("father", "cha"), ("mother", "mẹ")):
        age = data.get(f"{who}_age")
        layout.add_field(
            doc,
            f"- Họ và tên {label}",
            "; ".join(
                (
                    _text(data.get(f"{who}_name")) or BLANK,
                    f"tuổi: {age if age not in (None, '') else BLANK}",
                    f"nghề nghiệp: {_text(data.get(f'{who}_occupation')) or BLANK}",
                )
            ),
        )
    layout.add_field(doc, "- Hoàn cảnh gia đình", _text(data.get("family_situation")))
    layout.add_field(doc, "- Người đang trực tiếp chăm sóc trẻ em", _text(data.get("current_carer")))
    layout.add_item(doc, "7", "Các biện pháp đã thực hiện", _text(data.get("actions_taken")) or BLANK)
    layout.add_item(doc, "8", "Thông tin về người cung cấp thông tin")
    if data.get("reporter_consents"):
        layout.add_field(doc, "- Họ và tên", _text(data.get("reporter_name")))
        layout.add_field(doc, "- Số điện thoại", _text(data.get("reporter_phone")))
        layout.add_field(doc, "- Địa chỉ, quan hệ với trẻ em", _text(data.get("reporter_address")))
    else:
        layout.add_paragraph(
            doc, "Người cung cấp thông tin không đồng ý ghi thông tin cá nhân.", italic=True, indent=True
        )
    layout.add_closing(doc, Closing(right=_reporter(src)))
    return doc


# --- Mẫu 02 ------------------------------------------------------------------------------------------


def _hours_after_receipt(case: Case, value: Any) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    minutes = int((moment - case.received_at).total_seconds() // 60)
    if minutes < 0:
        return ""
    hours, minutes = divmod(minutes, 60)
    return f" (sau {hours} giờ {minutes:02d} phút kể từ khi tiếp nhận thông tin)"


def form_02(src: Sources) -> Any:
    data = src.data
    emergency = src.step.name == "emergency"
    doc = _start(src, "02")
    _addressed(doc, src.case)
    _case_line(doc, src)
    _child_block(doc, src, "1")
    layout.add_item(
        doc,
        "2",
        "Đánh giá mức độ an toàn và tổn hại của trẻ em",
        _text(data.get("safety_assessment")) or BLANK,
    )
    layout.add_item(
        doc,
        "3",
        "Tính mạng, sức khỏe, nhân phẩm của trẻ em bị đe dọa nghiêm trọng",
        _yes_no(data.get("serious_danger")),
    )
    layout.add_item(doc, "4", "Biện pháp khẩn cấp đã áp dụng (Điều 31, 32)")
    if emergency:
        layout.add_paragraph(doc, _boxes(MEASURES, data.get("measures") or []), indent=True)
        applied = data.get("measures_applied_at")
        layout.add_field(
            doc,
            "- Thời gian áp dụng",
            f"{_moment(applied)}{_hours_after_receipt(src.case, applied)}" if applied else "",
        )
        if "temporary_separation" in (data.get("measures") or []):
            layout.add_field(doc, "- Nơi chăm sóc thay thế tạm thời", _text(data.get("placement")))
    else:
        layout.add_paragraph(doc, "Không áp dụng.", indent=True)
    layout.add_item(doc, "5", "Kết luận")
    conclusion = (
        "Trẻ em đang trong tình trạng nguy hiểm nghiêm trọng; đã áp dụng biện pháp bảo vệ khẩn cấp. "
        "Tiếp tục thu thập thông tin, đánh giá chi tiết và lập kế hoạch hỗ trợ, can thiệp."
        if emergency
        else "Chưa cần áp dụng biện pháp bảo vệ khẩn cấp. Tiếp tục thu thập thông tin, đánh giá chi tiết "
        "và lập kế hoạch hỗ trợ, can thiệp."
    )
    layout.add_paragraph(doc, conclusion, indent=True)
    layout.add_closing(doc, Closing(right=Signer(("Người đánh giá",), name=_signer_name(src.step))))
    return doc


# --- Mẫu 03 ------------------------------------------------------------------------------------------


def form_03(src: Sources) -> Any:
    data = src.data
    meeting = data.get("meeting_on")
    try:
        meeting_day = date.fromisoformat(str(meeting)) if meeting else None
    except ValueError:
        meeting_day = None
    doc = _start(src, "03", day=meeting_day or src.day)
    when = layout.day_month_year(meeting_day) if meeting_day else "ngày …… tháng …… năm ……"
    layout.add_paragraph(
        doc,
        f"Hôm nay, {when}, tại Ủy ban nhân dân {_lower_first(_commune(src.case))}, cuộc họp xác định nhu "
        f"cầu hỗ trợ, can thiệp đối với trẻ em {src.case.child.person.full_name} "
        f"(mã số trường hợp {src.case.number}) được tổ chức như sau:",
        indent=True,
    )
    layout.add_item(doc, "1", "Thành phần tham dự", _text(data.get("participants")) or BLANK)
    _child_block(doc, src, "2")
    first = src.earlier(Form.M02)
    layout.add_item(
        doc,
        "3",
        "Kết quả đánh giá ban đầu (Mẫu số 02)",
        _text(first.get("safety_assessment")) or BLANK,
    )
    layout.add_item(
        doc, "4", "Thông tin đã thu thập, xác minh", _text(data.get("information_collected")) or BLANK
    )
    layout.add_item(doc, "5", "Nhu cầu của trẻ em", _text(data.get("needs")) or BLANK)
    layout.add_paragraph(
        doc,
        "Biên bản kết thúc vào hồi …… giờ …… cùng ngày, đã được đọc lại cho những người tham dự cùng nghe "
        "và thống nhất.",
        indent=True,
    )
    layout.add_closing(
        doc,
        Closing(
            left=Signer(("Thư ký",), name=_signer_name(src.step)),
            right=Signer(("Chủ trì",)),
        ),
    )
    return doc


# --- Mẫu 04 ------------------------------------------------------------------------------------------


def _period(row: Mapping[str, Any]) -> str:
    start, end = _date(row.get("start")), _date(row.get("end"))
    if start and end:
        return f"{start} - {end}"
    return f"từ {start}" if start else (f"đến {end}" if end else "")


def _planned_rows(plan: Mapping[str, Any]) -> list[list[str]]:
    return [
        [
            str(i),
            _label(_text(row.get("service_type")), ServiceType.choices),
            _text(row.get("description")),
            _text(row.get("provider_name")),
            _period(row),
        ]
        for i, row in enumerate(plan.get("services") or [], start=1)
    ]


def _review_dates(plan: Mapping[str, Any]) -> str:
    return ", ".join(_date(d) for d in plan.get("review_dates") or [])


def form_04(src: Sources) -> Any:
    data = src.data
    doc = _start(src, "04")
    _addressed(doc, src.case)
    _case_line(doc, src)
    if src.step.name == "replan" and src.step.reason:
        layout.add_paragraph(doc, f"Kế hoạch được lập lại sau rà soát. Lý do: {src.step.reason}", indent=True)
    _child_block(doc, src, "1")
    layout.add_item(doc, "2", "Nhu cầu của trẻ em", _text(src.earlier(Form.M03).get("needs")) or BLANK)
    layout.add_item(doc, "3", "Mục tiêu của kế hoạch", _text(data.get("goals")) or BLANK)
    layout.add_item(doc, "4", "Các hoạt động, dịch vụ hỗ trợ, can thiệp")
    layout.add_table(
        doc,
        ("TT", "Dịch vụ", "Nội dung", "Cơ quan, tổ chức thực hiện", "Thời gian"),
        _planned_rows(data),
        widths_mm=(10, 35, 50, 40, 30),
    )
    layout.add_item(doc, "5", "Người chịu trách nhiệm thực hiện", _text(data.get("responsible")) or BLANK)
    layout.add_item(doc, "6", "Thời gian rà soát, đánh giá", _review_dates(data) or BLANK)
    if _text(data.get("notes")):
        layout.add_item(doc, "7", "Ghi chú", _text(data.get("notes")))
    layout.add_closing(doc, Closing(right=Signer(("Người lập kế hoạch",), name=_signer_name(src.step))))
    return doc


# --- Mẫu 05 ------------------------------------------------------------------------------------------


def form_05(src: Sources) -> Any:
    data = src.data
    plan = src.earlier(Form.M04)
    decided = data.get("decision_date")
    try:
        day = date.fromisoformat(str(decided)) if decided else src.day
    except ValueError:
        day = src.day
    number = _text(data.get("decision_number"))
    doc = _start(src, "05", day=day, number=f"Số: {number or BLANK}")
    commune = _commune(src.case)
    layout.add_paragraph(doc, f"CHỦ TỊCH ỦY BAN NHÂN DÂN {commune.upper()}", bold=True, align=CENTER)
    for basis in (
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        "Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016;",
        "Căn cứ Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017 của Chính phủ quy định chi tiết "
        "Luật Trẻ em;",
        "Xét đề nghị của người làm công tác bảo vệ trẻ em cấp xã.",
    ):
        layout.add_paragraph(doc, basis, italic=True, indent=True, after=3)
    layout.add_paragraph(doc, "QUYẾT ĐỊNH:", bold=True, align=CENTER)
    person = src.case.child.person
    label, born = _birth(person)
    paragraph = layout.add_paragraph(doc, indent=True)
    layout.add_run(paragraph, "Điều 1. ", bold=True)
    layout.add_run(
        paragraph,
        f"Phê duyệt Kế hoạch hỗ trợ, can thiệp đối với trẻ em {person.full_name}, "
        f"{_lower_first(label)}: {born or BLANK}, giới tính: {SEXES.get(person.sex, BLANK)}, "
        f"cư trú tại {', '.join(p for p in (person.address, commune) if p)} "
        f"(mã số trường hợp {src.case.number}), với các nội dung chính sau:",
    )
    layout.add_field(doc, "- Mục tiêu", _text(plan.get("goals")))
    if plan.get("services"):
        layout.add_paragraph(doc, "- Các dịch vụ hỗ trợ, can thiệp:", indent=True)
    else:
        layout.add_field(doc, "- Các dịch vụ hỗ trợ, can thiệp", "")
    for row in _planned_rows(plan):
        _, kind, what, who, when = row
        details = "; ".join(p for p in (what, who, when) if p)
        layout.add_paragraph(doc, f"+ {kind}: {details}" if details else f"+ {kind}", indent=True)
    layout.add_field(doc, "- Thời gian rà soát, đánh giá", _review_dates(plan))
    responsible = _text(plan.get("responsible")) or "Người làm công tác bảo vệ trẻ em cấp xã"
    paragraph = layout.add_paragraph(doc, indent=True)
    layout.add_run(paragraph, "Điều 2. ", bold=True)
    layout.add_run(
        paragraph,
        f"{responsible} chủ trì, phối hợp với các cơ quan, tổ chức, cá nhân có liên quan tổ chức thực hiện "
        "Kế hoạch; theo dõi, rà soát, đánh giá và báo cáo kết quả thực hiện.",
    )
    paragraph = layout.add_paragraph(doc, indent=True)
    layout.add_run(paragraph, "Điều 3. ", bold=True)
    layout.add_run(
        paragraph,
        f"Quyết định này có hiệu lực kể từ ngày ký. {responsible}, các cơ quan, tổ chức, cá nhân có liên "
        "quan và cha, mẹ, người chăm sóc trẻ em chịu trách nhiệm thi hành Quyết định này./.",
    )
    layout.add_closing(
        doc,
        Closing(
            right=Signer(("Chủ tịch",), name=_text(data.get("signer")), seal=True),
            recipients=("Như Điều 3;", "Lưu: VT, hồ sơ trường hợp."),
        ),
    )
    return doc


# --- Mẫu 06 ------------------------------------------------------------------------------------------


def _service_rows(services: list[CaseService]) -> list[list[str]]:
    rows = []
    for i, service in enumerate((s for s in services if s.status != ServiceStatus.CANCELLED), start=1):
        period = _period({"start": service.planned_start, "end": service.planned_end})
        if service.delivered_on:
            period = f"{period}; thực hiện ngày {vi_date(service.delivered_on)}".lstrip("; ")
        rows.append(
            [
                str(i),
                _label(service.service_type, ServiceType.choices)
                + (f" - {service.description}" if service.description else ""),
                service.provider.name if service.provider else "",
                period,
                _label(service.status, ServiceStatus.choices),
            ]
        )
    return rows


def _rating_row(number: str, label: str, rating: Any) -> list[str]:
    return [number, label, *("X" if rating == code else "" for code in RATINGS)]


def form_06(src: Sources, services: list[CaseService]) -> Any:
    data = src.data
    doc = _start(src, "06")
    _addressed(doc, src.case)
    _case_line(doc, src)
    _child_block(doc, src, "1")
    plan_step = src.earlier_step(Form.M04)
    decision = src.earlier(Form.M05)
    plan_text = (
        f"Kế hoạch hỗ trợ, can thiệp lập ngày {vi_date(timezone.localtime(plan_step.at))}"
        if plan_step is not None
        else f"Kế hoạch hỗ trợ, can thiệp lập ngày {BLANK}"
    )
    if decision:
        plan_text += (
            f", được phê duyệt theo Quyết định số {_text(decision.get('decision_number')) or BLANK} "
            f"ngày {_date(decision.get('decision_date')) or BLANK}"
        )
    layout.add_item(doc, "2", "Kế hoạch được đánh giá", f"{plan_text}.")
    layout.add_item(doc, "3", "Kết quả thực hiện các hoạt động, dịch vụ")
    layout.add_table(
        doc,
        ("TT", "Dịch vụ", "Cơ quan, tổ chức thực hiện", "Thời gian", "Tình trạng"),
        _service_rows(services),
        widths_mm=(10, 55, 40, 30, 30),
    )
    layout.add_item(doc, "4", "Đánh giá nguy cơ đối với trẻ em sau khi thực hiện kế hoạch")
    layout.add_table(
        doc,
        ("TT", "Nội dung đánh giá", *RATINGS.values()),
        [
            _rating_row("1", "Mức độ nghiêm trọng của tổn hại còn lại", data.get("harm")),
            _rating_row("2", "Khả năng người gây tổn hại tiếp cận trẻ em", data.get("abuser_access")),
            _rating_row(
                "3",
                "Những trở ngại đối với sự an toàn của trẻ em trong môi trường chăm sóc",
                data.get("obstacles"),
            ),
        ],
        widths_mm=(10, 95, 20, 20, 20),
    )
    layout.add_item(doc, "5", "Khả năng tự bảo vệ và phục hồi của trẻ em")
    layout.add_table(
        doc,
        ("TT", "Nội dung đánh giá", *RATINGS.values()),
        [_rating_row("", "Khả năng tự bảo vệ và phục hồi của trẻ em", data.get("child_capacity"))],
        widths_mm=(10, 95, 20, 20, 20),
    )
    layout.add_item(
        doc,
        "6",
        "Trẻ em ổn định về thể chất, tâm lý, nhận thức và tình cảm",
        _yes_no(data.get("child_stable")),
    )
    layout.add_item(doc, "7", "Kết luận", _text(data.get("conclusion")) or BLANK)
    layout.add_item(doc, "8", "Đề xuất")
    safe = no_longer_at_risk(data)
    proposals = (
        (
            "close",
            "Kết thúc hỗ trợ, can thiệp và đóng hồ sơ (trẻ em không còn nguy cơ, đã ổn định - Điều 30)",
        ),
        ("replan", "Tiếp tục hoặc điều chỉnh kế hoạch hỗ trợ, can thiệp"),
    )
    for code, label in proposals:
        chosen = "close" if safe else "replan"
        layout.add_paragraph(doc, f"{CHECKED if code == chosen else UNCHECKED} {label}", indent=True)
    layout.add_closing(doc, Closing(right=Signer(("Người đánh giá",), name=_signer_name(src.step))))
    return doc


# --- building and recording --------------------------------------------------------------------------

_BUILDERS: dict[str, Callable[[Sources], Any]] = {
    "01": form_01,
    "02": form_02,
    "03": form_03,
    "04": form_04,
    "05": form_05,
}


def available(case: Case) -> list[str]:
    """The forms this case can print: those a step has filled in."""
    return form_data.forms_filled(case)


def filename(case: Case, form: str, ext: str = "docx") -> str:
    return f"Mau{form}_{case.number}.{ext}"


def build(case: Case, form: str) -> FormFile:
    """Mẫu `form` of the case as a DOCX file; `NotReached` when no step has filled it in."""
    if form not in FORMS:
        raise NotReached(form)
    steps = form_data.form_steps(case)
    step = form_data.latest_step(steps, form)
    if step is None:
        raise NotReached(form)
    src = Sources(case=case, step=step, steps=steps, carers=form_data.child_carers(case))
    doc = form_06(src, selectors.case_services(case)) if form == "06" else _BUILDERS[form](src)
    return FormFile(form, filename(case, form), layout.to_bytes(doc), step)


def record_form_export(*, viewer: Any, case: Case, printed: FormFile, fmt: str) -> None:
    """The download of a form is a read of the child's personal data and an export of it: a "view" of
    the case (as every page that shows it) and an "export" naming the form, the step and the format,
    written together before the file leaves."""
    with transaction.atomic():
        selectors.record_case_view(viewer, case, page=f"form{printed.form}")
        audit.record(
            actor=viewer,
            action=AuditAction.EXPORT,
            obj=case,
            unit=case.admin_unit,
            changes={"form": printed.form, "format": fmt, "step_id": printed.step.pk},
        )
