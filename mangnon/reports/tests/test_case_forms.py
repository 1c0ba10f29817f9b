"""Mẫu 01-06 built from a case that went through the cycle, opened back with python-docx: the case's data
in the decree's items, in Vietnamese whatever the interface language; a form not reached is not built."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from mangnon.cases.workflow import Status
from mangnon.reports import case_forms
from mangnon.reports.docx_layout import MOTTO, MOTTO_LINE
from mangnon.reports.tests.conftest import CENTRE, CHILD, iso_day, table_rows, take, text_of

pytestmark = pytest.mark.django_db


def _built(case, form: str) -> str:
    return text_of(case_forms.build(case, form).content)


def test_every_form_carries_the_header_the_case_number_and_the_child(reviewed):
    for form in case_forms.FORMS:
        printed = case_forms.build(reviewed, form)
        text = text_of(printed.content)
        assert printed.filename == f"Mau{form}_{reviewed.number}.docx"
        assert f"Mẫu số {form}" in text
        assert MOTTO in text and MOTTO_LINE in text
        assert "ỦY BAN NHÂN DÂN" in text and "PHƯỜNG HẠ LONG" in text
        assert reviewed.number in text and CHILD in text, form


def test_form_01_the_information_received(reviewed):
    text = _built(reviewed, "01")
    assert "BÁO CÁO TIẾP NHẬN THÔNG TIN" in text
    assert "☒ Qua điện thoại" in text and "☐ Trực tiếp" in text  # the 111 call
    assert "16 giờ 30 phút, ngày 06/03/2026" in text  # received at, Vietnam's time
    assert "Ngày, tháng, năm sinh: 04/05/2016" in text and "Giới tính: Nam" in text
    assert "Địa điểm xảy ra vụ việc: Tổ 4, khu 2" in text
    assert "bị bố đánh nhiều lần" in text  # the contact's narrative, the child's condition
    assert "Họ và tên cha: Nguyễn Văn Bố" in text  # from the registry's carers
    assert "Người đang trực tiếp chăm sóc trẻ em: Nguyễn Văn Bố (cha)" in text
    # the caller did not agree to be named: no details, and a line saying so
    assert "không đồng ý ghi thông tin cá nhân" in text
    assert "NGƯỜI BÁO CÁO" in text


def test_form_01_names_the_reporter_who_agreed(personas):
    from mangnon.cases import services
    from mangnon.cases.tests.factories import ContactChildFactory

    row = ContactChildFactory(
        contact__counsellor=personas.hotline,
        contact__caller_name="Lê Thị Hàng Xóm",
        contact__caller_phone="0912345678",
        contact__caller_consents_to_identity=True,
    )
    case = services.case_open(actor=personas.officer_a, contact=row.contact).case
    text = _built(case, "01")
    assert "Lê Thị Hàng Xóm" in text and "0912345678" in text


def test_form_02_assessment_without_emergency(reviewed):
    text = _built(reviewed, "02")
    assert "BÁO CÁO ĐÁNH GIÁ BAN ĐẦU" in text
    assert "Trẻ có vết bầm ở tay" in text
    assert "bị đe dọa nghiêm trọng: Không" in text and "Không áp dụng." in text
    assert "Nguyễn Văn Bố (cha)" in text  # the carer, from the registry


def test_form_02_emergency_measures_and_the_hours_since_receipt(personas, opened):
    take(opened, Status.EMERGENCY, personas.officer_a)
    text = _built(opened, "02")
    assert "bị đe dọa nghiêm trọng: Có" in text
    assert "☒ Can thiệp khẩn cấp" in text and "☒ Tạm thời cách ly" in text
    assert "21 giờ 30 phút, ngày 06/03/2026" in text  # 5 hours after the 16:30 call
    assert "sau 5 giờ 00 phút kể từ khi tiếp nhận thông tin" in text
    assert "Nơi chăm sóc thay thế tạm thời: Nhà bà ngoại, tổ 7" in text


def test_form_03_the_meeting(reviewed):
    text = _built(reviewed, "03")
    assert "BIÊN BẢN" in text and "Hôm nay, ngày 09 tháng 3 năm 2026" in text  # 3 days after receipt
    assert "Hạ Long, ngày 09 tháng 3 năm 2026" in text
    assert "Cán bộ xã, công an xã, hội phụ nữ" in text
    assert "Đã gặp trẻ, mẹ, giáo viên chủ nhiệm." in text and "Hỗ trợ tâm lý, an toàn tại nhà." in text
    assert "Trẻ có vết bầm ở tay" in text  # the initial assessment it followed
    assert "THƯ KÝ" in text and "CHỦ TRÌ" in text


def test_form_04_the_plan_and_its_services(reviewed):
    printed = case_forms.build(reviewed, "04")
    text = text_of(printed.content)
    today = timezone.localdate()
    assert "KẾ HOẠCH HỖ TRỢ, CAN THIỆP" in text
    assert "Trẻ được an toàn và ổn định tâm lý trong 3 tháng." in text
    assert "Người chịu trách nhiệm thực hiện: Cán bộ bảo vệ trẻ em xã" in text
    rows = table_rows(printed.content)
    first = rows.index(["TT", "Dịch vụ", "Nội dung", "Cơ quan, tổ chức thực hiện", "Thời gian"]) + 1
    assert rows[first][:4] == ["1", "Hỗ trợ tâm lý", "Tư vấn tâm lý hằng tuần", CENTRE]
    assert rows[first][4].startswith(iso_day(today))
    assert rows[first + 1][:3] == ["2", "Giáo dục", "Hỗ trợ học phí"]
    assert "NGƯỜI LẬP KẾ HOẠCH" in text


def test_form_05_the_decision(reviewed):
    text = _built(reviewed, "05")
    today = timezone.localdate()
    assert "QUYẾT ĐỊNH" in text and "Số: 15/QĐ-UBND" in text
    assert f"Hạ Long, {case_forms.layout.day_month_year(today)}" in text
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG" in text
    assert "Nghị định số 56/2017/NĐ-CP" in text
    assert f"Điều 1. Phê duyệt Kế hoạch hỗ trợ, can thiệp đối với trẻ em {CHILD}" in text
    assert "+ Hỗ trợ tâm lý: Tư vấn tâm lý hằng tuần; " + CENTRE in text
    assert "Điều 2." in text and "Điều 3." in text
    assert "Nơi nhận:" in text and "Trần Thị Chủ Tịch" in text and "(Ký tên, đóng dấu)" in text


def test_form_06_the_review_and_its_ratings(reviewed):
    printed = case_forms.build(reviewed, "06")
    text = text_of(printed.content)
    assert "BÁO CÁO ĐÁNH GIÁ KẾT QUẢ" in text and "Quyết định số 15/QĐ-UBND" in text
    rows = table_rows(printed.content)
    header = ["TT", "Nội dung đánh giá", "Cao", "Trung bình", "Thấp"]
    assert header in rows

    def rated(label: str) -> str:
        row = next(r for r in rows if r[1].startswith(label))
        return header[row.index("X")]

    assert rated("Mức độ nghiêm trọng của tổn hại") == "Trung bình"
    assert rated("Khả năng người gây tổn hại") == "Thấp"
    assert rated("Những trở ngại") == "Thấp"
    assert rated("Khả năng tự bảo vệ") == "Cao"
    services = [r for r in rows if r[0] in ("1", "2") and "Hỗ trợ tâm lý" in r[1]]
    assert services and services[0][2] == CENTRE and services[0][4] == "Đã lên kế hoạch"
    assert "ổn định về thể chất, tâm lý, nhận thức và tình cảm: Có" in text
    assert "Trẻ an toàn, đi học đều." in text
    # still at risk (the harm that remains is medium): the proposal is to plan again, not to close
    assert "☒ Tiếp tục hoặc điều chỉnh" in text and "☐ Kết thúc hỗ trợ" in text


def test_form_06_proposes_closing_when_the_child_is_safe(personas, opened):
    from mangnon.cases.tests.steps import advance

    advance(opened, Status.REVIEWED, officer=personas.officer_a, chair=personas.chair_a)
    text = _built(opened, "06")
    assert "☒ Kết thúc hỗ trợ" in text and "☐ Tiếp tục" in text


def test_a_new_plan_prints_the_new_plan_and_its_reason(personas, reviewed):
    take(
        reviewed,
        Status.PLAN_DRAFTED,
        personas.officer_a,
        reason="Tổn hại còn ở mức trung bình.",
        goals="Mục tiêu mới sau rà soát.",
    )
    text = _built(reviewed, "04")
    assert "Mục tiêu mới sau rà soát." in text and "Trẻ được an toàn và ổn định" not in text
    assert "Kế hoạch được lập lại sau rà soát. Lý do: Tổn hại còn ở mức trung bình." in text
    assert "Cán bộ xã, công an xã" not in text  # the plan, not the meeting
    # the decision printed is still the one that approved the first plan
    assert "Trẻ được an toàn và ổn định" in _built(reviewed, "05")


def test_vietnamese_whatever_the_interface_language(reviewed):
    with translation.override("en"):
        text = _built(reviewed, "04")
    assert "Hỗ trợ tâm lý" in text and "Psychological support" not in text
    assert "Giới tính: Nam" in text


def test_a_form_not_reached_is_not_built(opened):
    assert case_forms.available(opened) == ["01"]
    for form in ("02", "03", "04", "05", "06", "07", "", "1"):
        with pytest.raises(case_forms.NotReached):
            case_forms.build(opened, form)


def test_available_lists_the_forms_filled_in_order(reviewed):
    assert case_forms.available(reviewed) == ["01", "02", "03", "04", "05", "06"]


def test_building_takes_a_fixed_number_of_queries(reviewed, django_assert_max_num_queries):
    from mangnon.cases.access import get_case_for_user

    case = get_case_for_user(reviewed.caseworker, reviewed.pk)
    with django_assert_max_num_queries(4):  # steps with their actors, carers, services (+ provider)
        case_forms.build(case, "06")


def test_carers_now_from_the_registry_primary_first(personas, opened):
    from datetime import date

    from mangnon.registry.tests.factories import CaregiverFactory

    child = opened.child
    CaregiverFactory(child=child, person__full_name="Phạm Thị Ngoại", relationship="grandparent")
    CaregiverFactory(
        child=child, person__full_name="Lý Văn Cũ", relationship="stepfather", end_date=date(2025, 12, 31)
    )
    take(opened, Status.ASSESSED, personas.officer_a)
    text = _built(opened, "02")
    assert "Người đang chăm sóc trẻ em: Nguyễn Văn Bố (cha); Phạm Thị Ngoại (ông, bà)" in text
    assert "Lý Văn Cũ" not in text  # no longer cares for the child
