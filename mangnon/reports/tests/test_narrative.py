"""The text of a periodic report's sections, written from the figures of Quảng Ninh's 2020 report (a real
snapshot from the demo, `snapshot_2020.json`) and variations of it: the published figures in Vietnamese
formats, comparisons only where the earlier period has data, zeros and unread figures left out, a
commune's wording, the periods' wording, and small counts of children withheld for publication."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from mangnon.activities.codes import ActivityKind
from mangnon.activities.tests.factories import ActivityFactory, TallyFactory
from mangnon.cases.tests.factories_incidents import IncidentChildFactory, IncidentFactory
from mangnon.reports import narrative, services
from mangnon.reports.models import SectionKey

SAMPLE = json.loads((Path(__file__).parent / "snapshot_2020.json").read_text(encoding="utf-8"))


@pytest.fixture
def snap() -> dict[str, Any]:
    return copy.deepcopy(SAMPLE)


def _indicator(snapshot: dict[str, Any], code: str, **values: Any) -> None:
    row = next(i for i in snapshot["indicators"] if i["code"] == code)
    row.update(values)


def _all(texts: dict[str, str]) -> str:
    return "\n".join(texts.values())


def test_every_section_is_written_and_the_officer_s_sections_are_left_empty(snap: dict[str, Any]) -> None:
    texts = narrative.generate(snap)
    assert list(texts) == list(SectionKey.values)
    for key in ("communication", "training", "participation", "support", "protection"):
        assert texts[key].startswith("Năm 2020, toàn tỉnh"), key
    assert texts["difficulties"] == texts["tasks"] == ""


def test_the_2020_report_states_the_published_figures_in_vietnamese_formats(snap: dict[str, Any]) -> None:
    texts = narrative.generate(snap)
    assert texts["communication"].startswith(
        "Năm 2020, toàn tỉnh đã tổ chức 232 buổi truyền thông trực tiếp cho 49.980 lượt người."
    )
    assert "Hưởng ứng Tháng hành động vì trẻ em năm 2020 (Kế hoạch số 67/KH-UBND)" in texts["communication"]
    assert "30.865 tờ rơi" in texts["communication"]
    assert texts["training"] == (
        "Năm 2020, toàn tỉnh đã tổ chức 109 lớp tập huấn nâng cao năng lực cho 8.641 lượt người."
    )
    participation = texts["participation"]
    assert "4 diễn đàn trẻ em với 2.162 lượt người tham gia" in participation
    assert (
        "Các diễn đàn gồm: Diễn đàn trẻ em tỉnh Quảng Ninh năm 2020 với chủ đề “Chung tay phòng, chống xâm "
        "hại trẻ em” có 90 lượt trẻ em và 16 lượt người lớn tham gia; 3 diễn đàn “Điều em muốn nói” do Hội "
        "Liên hiệp Phụ nữ tỉnh Quảng Ninh tổ chức với 2.056 lượt người tham gia."
    ) in participation
    assert "198 Đội tuyên truyền măng non ở 13/13 đơn vị cấp huyện" in participation
    assert "13 lớp năng khiếu hè ở 13/13 đơn vị cấp huyện" in participation
    assert "6 câu lạc bộ cha mẹ ở 6/13 đơn vị cấp huyện" in participation
    assert "Hội đồng trẻ em tỉnh (34 thành viên) đã tổ chức 2 phiên họp." in participation
    assert "Tiếp nhận 45 ý kiến, nguyện vọng của trẻ em" in participation
    assert "31 ý kiến đã được giải quyết" in participation
    support = texts["support"]
    assert "đã hỗ trợ 13.303 lượt trẻ em với tổng kinh phí 17.316,469 triệu đồng" in support
    assert "hỗ trợ học tập 2.660 lượt trẻ em (3.990 triệu đồng)" in support
    assert "Nhân dịp Ngày Quốc tế thiếu nhi 1/6, 203.648 lượt trẻ em" in support
    assert "12.146,5 triệu đồng" in support
    assert "Nhân dịp Tết Trung thu, 207.485 lượt trẻ em" in support
    assert "thăm, tặng quà 16.512 lượt trẻ em; tổng kinh phí 4.989 triệu đồng" in support
    assert "Duy trì 10 mô hình chăm sóc, bảo vệ trẻ em: chăm sóc thay thế tạm thời" in support
    protection = texts["protection"]
    assert (
        "Xảy ra 26 vụ xâm hại trẻ em với 30 trẻ em bị xâm hại, giảm 2 vụ so với cùng kỳ năm 2019; "
        "số trẻ em bị xâm hại giảm 1 trẻ so với cùng kỳ năm 2019."
    ) in protection
    assert "17 vụ xâm hại tình dục" in protection
    assert "23 trẻ em gái, 7 trẻ em trai" in protection
    assert "khởi tố 16 vụ với 17 bị can; xử phạt vi phạm hành chính 6 vụ với 7 đối tượng" in protection
    assert "đã tiếp nhận 142 cuộc gọi" in protection


def test_paragraphs_are_separated_by_a_blank_line(snap: dict[str, Any]) -> None:
    paragraphs = narrative.generate(snap)["communication"].split("\n\n")
    assert len(paragraphs) == 3
    assert all(p.strip() and p.endswith(".") and "\n" not in p for p in paragraphs)


def test_person_times_are_never_called_persons(snap: dict[str, Any]) -> None:
    text = _all(narrative.generate(snap))
    assert "49.980 lượt người" in text and not re.search(r"49\.980 người", text)
    assert "63.426 lượt người tham gia" in text
    # Persons only from the unique counts, said as such.
    assert "196 người đã được ghi nhận (mỗi người chỉ tính một lần), trong đó có 180 trẻ em" in text
    assert "là 1.417 trẻ em" in text  # children supported, each once
    assert "13.303 trẻ em" not in text  # payments are child-times


def test_no_comparison_where_the_earlier_period_has_no_data(snap: dict[str, Any]) -> None:
    # The 2019 activities, support and voices are all zero in the sample.
    texts = narrative.generate(snap)
    for key in ("communication", "training", "support"):
        assert "so với" not in texts[key], key
    assert "tăng 232" not in _all(texts)
    del snap["before"]["rollup"]["activities"]
    assert "so với" not in narrative.generate(snap)["communication"]


def test_an_increase_a_same_figure_and_a_decrease(snap: dict[str, Any]) -> None:
    before = snap["before"]["rollup"]["activities"]
    before["activities_by_kind"]["session"] = 200
    before["person_times_by_kind"]["session"] = 49980
    before["activities_by_kind"]["training"] = 109
    before["person_times_by_kind"]["training"] = 8641
    texts = narrative.generate(snap)
    assert "cho 49.980 lượt người, tăng 32 buổi so với cùng kỳ năm 2019." in texts["communication"]
    assert texts["training"].endswith("cho 8.641 lượt người, bằng cùng kỳ năm 2019.")
    before["person_times_by_kind"]["session"] = 50000
    assert (
        "tăng 32 buổi và giảm 20 lượt người so với cùng kỳ năm 2019"
        in narrative.generate(snap)["communication"]
    )


def test_zero_figures_are_not_stated(snap: dict[str, Any]) -> None:
    text = _all(narrative.generate(snap))
    assert not re.search(r"(?<![\d.,])0 (buổi|lớp|lượt|vụ|trẻ|người|ý kiến|câu lạc bộ|mô hình)", text)
    assert "nói chuyện chuyên đề" not in text  # 0 talks in 2020
    assert "Tết Nguyên đán" not in text  # no gifts then
    snap["current"]["rollup"]["activities"]["activities_by_kind"]["training"] = 0
    snap["current"]["rollup"]["activities"]["person_times_by_kind"]["training"] = 0
    snap["current"]["metrics"]["cases.incidents"] = 0
    snap["current"]["metrics"]["cases.abused_children"] = 0
    texts = narrative.generate(snap)
    assert texts["training"] == "Năm 2020, chưa ghi nhận lớp tập huấn nâng cao năng lực nào."
    assert "Chưa ghi nhận vụ xâm hại trẻ em nào." in texts["protection"]
    assert "0 vụ" not in texts["protection"] and "so với" not in texts["protection"].split("\n\n")[1]


def test_case_work_opened_and_closed(snap: dict[str, Any]) -> None:
    snap["current"]["metrics"].update({"cases.opened": 12, "cases.closed": 8})
    first = narrative.generate(snap)["protection"].split("\n\n")[0]
    assert first.endswith(
        "Mở 12 hồ sơ quản lý trường hợp trẻ em cần hỗ trợ, can thiệp theo Nghị định số 56/2017/NĐ-CP; "
        "kết thúc 8 hồ sơ."
    )
    snap["publish"] = True
    snap["current"]["metrics"].update({"cases.opened": 0, "cases.closed": 3})
    del snap["current"]["metrics"]["intake.contacts"]
    first = narrative.generate(snap)["protection"].split("\n\n")[0]
    assert first == "Năm 2020, toàn tỉnh đã kết thúc dưới 5 hồ sơ quản lý trường hợp trẻ em."


def test_a_figure_missing_from_the_snapshot_is_left_out(snap: dict[str, Any]) -> None:
    del snap["current"]["metrics"]["cases.incidents"]
    del snap["current"]["rollup"]["support"]
    del snap["current"]["metrics"]["intake.contacts"]
    texts = narrative.generate(snap)
    assert texts["protection"].startswith("Năm 2020, toàn tỉnh có 30 trẻ em bị xâm hại")
    assert "vụ xâm hại trẻ em" not in texts["protection"].split("\n\n")[0]
    assert "cuộc gọi" not in texts["protection"]
    # Support keeps only what the clubs' roll-up says (the care models).
    assert texts["support"].startswith("Duy trì 10 mô hình") and "lượt trẻ em" not in texts["support"]
    del snap["current"]["rollup"]["activities"]
    texts = narrative.generate(snap)
    assert texts["communication"] == texts["training"] == ""


def test_a_commune_report_speaks_of_the_commune(snap: dict[str, Any]) -> None:
    snap["unit"] = {"id": 9, "code": "06688", "name": "Phường Hạ Long", "level": "commune"}
    snap["units_below"] = {"count": 0, "level": ""}
    snap["current"]["rollup"]["participation"]["council_members"] = 0
    texts = narrative.generate(snap)
    assert texts["communication"].startswith(
        "Năm 2020, trên địa bàn phường Hạ Long đã tổ chức 232 buổi truyền thông trực tiếp"
    )
    assert "toàn tỉnh" not in _all(texts)
    assert "Hội đồng trẻ em phường đã tổ chức 2 phiên họp." in texts["participation"]
    assert "đơn vị cấp" not in texts["participation"]  # a commune has no units below
    snap["unit"]["name"] = "Xã Quảng Tân"
    assert narrative.generate(snap)["training"].startswith("Năm 2020, trên địa bàn xã Quảng Tân đã tổ chức")


def test_clubs_in_units_below_without_their_number(snap: dict[str, Any]) -> None:
    # A snapshot without the units below: a province's are its districts before July 2025.
    del snap["units_below"]
    assert "198 Đội tuyên truyền măng non ở 13 đơn vị cấp huyện" in narrative.generate(snap)["participation"]
    snap["period"]["start"] = "2026-01-01"
    assert "198 Đội tuyên truyền măng non ở 13 đơn vị cấp xã" in narrative.generate(snap)["participation"]
    snap["units_below"] = {"count": 54, "level": "commune"}
    assert "ở 13/54 đơn vị cấp xã" in narrative.generate(snap)["participation"]


def test_many_forums_are_counted_not_named(snap: dict[str, Any]) -> None:
    forum = snap["current"]["rollup"]["activities"]["forums"][0]
    snap["current"]["rollup"]["activities"]["forums"] = [
        {**forum, "id": n, "theme": f"Chủ đề {n}", "title": f"Diễn đàn {n}"} for n in range(10)
    ]
    participation = narrative.generate(snap)["participation"]
    assert "4 diễn đàn trẻ em với 2.162 lượt người tham gia" in participation
    assert "Các diễn đàn gồm" not in participation


def test_half_year_and_multi_year_reports_name_their_period(snap: dict[str, Any]) -> None:
    snap["current"]["metrics"]["cases.incidents"] = 12
    half = {**snap, "kind": "half_year", "period": {**snap["period"], "key": "2020H1"}}
    half["previous"] = {**snap["previous"], "key": "2019H1"}
    texts = narrative.generate(half)
    assert texts["communication"].startswith("6 tháng đầu năm 2020, toàn tỉnh đã tổ chức 232 buổi")
    assert "giảm 16 vụ so với cùng kỳ năm 2019" in texts["protection"]
    assert narrative.default_title(half) == "Báo cáo kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2020"
    second = {**half, "period": {**half["period"], "key": "2020H2"}}
    assert narrative.generate(second)["training"].startswith("6 tháng cuối năm 2020, toàn tỉnh")

    phase = {**snap, "kind": "phase", "period": {**snap["period"], "key": "2016-2020", "start": "2016-01-01"}}
    phase["previous"] = {**snap["previous"], "key": "2011-2015"}
    texts = narrative.generate(phase)
    assert texts["training"].startswith("Giai đoạn 2016-2020, toàn tỉnh đã tổ chức 109 lớp")
    assert "giảm 16 vụ so với giai đoạn 2011-2015" in texts["protection"]
    assert narrative.default_title(phase) == "Báo cáo kết quả thực hiện công tác trẻ em giai đoạn 2016-2020"
    assert narrative.default_title(snap) == "Báo cáo kết quả thực hiện công tác trẻ em năm 2020"


def test_results_against_targets_and_the_deaths_from_injuries(snap: dict[str, Any]) -> None:
    _indicator(snap, "MN-BV-06", value=100, target=100, target_kind="level", status="met", previous="98.5")
    _indicator(snap, "MN-BV-11", value="92.4", target=95, target_kind="level", status="not_met")
    _indicator(
        snap, "MN-BV-07", value=12, previous=15, target=None, target_kind="below_previous", status="met"
    )
    _indicator(snap, "MN-BV-08", value=28, numerator=28, previous=29)
    _indicator(snap, "MN-BV-10", value=9, numerator=9, previous=9)
    texts = narrative.generate(snap)
    results = texts["results"]
    assert results.startswith("Năm 2020, toàn tỉnh đạt 2/3 chỉ tiêu về trẻ em đã đề ra.")
    assert "- 100% trẻ em có hoàn cảnh đặc biệt được trợ giúp, đạt chỉ tiêu." in results
    assert (
        "- 92,4% xã, phường có Ban bảo vệ trẻ em có quy chế hoạt động, chưa đạt chỉ tiêu (chỉ tiêu: 95%)."
        in results
    )
    assert (
        "- 12 trẻ em có nguy cơ rơi vào hoàn cảnh đặc biệt, đạt chỉ tiêu (giảm so với kỳ trước)." in results
    )
    assert (
        "Có 28 trẻ em tử vong do tai nạn thương tích, giảm 1 trẻ so với năm 2019; trong đó 9 trẻ em tử vong "
        "do đuối nước, bằng năm 2019."
    ) in texts["protection"]
    # Other figures with a value, not already stated in a section; zeros and empty values left out.
    assert "Một số chỉ số về trẻ em: 19 trẻ em bị xâm hại tình dục, tăng 3 trẻ so với năm 2019." in results
    assert "MN-" not in results and "dưới 16 tuổi" not in results


def test_an_indicator_s_difference_is_said_in_what_it_counts(snap: dict[str, Any]) -> None:
    def row(code: str, name: str, value: int, previous: int) -> dict[str, Any]:
        return {
            "code": code,
            "name": name,
            "measure": "count",
            "value": value,
            "previous": previous,
            "status": "no_target",
            "suppressed": False,
        }

    snap["indicators"] = [
        row("T-1", "Số lượt người được tư vấn", 120, 100),
        row("T-2", "Số vụ tai nạn thương tích", 5, 7),
        row("T-3", "Trẻ em được học bơi", 300, 250),
        row("T-4", "Số điểm vui chơi", 12, 10),
    ]
    assert narrative.generate(snap)["results"] == (
        "Một số chỉ số về trẻ em: 120 lượt người được tư vấn, tăng 20 lượt người so với năm 2019; "
        "5 vụ tai nạn thương tích, giảm 2 vụ so với năm 2019; 300 trẻ em được học bơi, tăng 50 trẻ so với "
        "năm 2019; 12 điểm vui chơi, tăng 2 so với năm 2019."
    )


def test_a_half_year_compares_indicators_with_the_half_before() -> None:
    snap = copy.deepcopy(SAMPLE)
    snap.update(kind="half_year", period={**snap["period"], "key": "2020H1"})
    _indicator(snap, "MN-BV-08", value=10, previous=14)
    assert (
        "10 trẻ em tử vong do tai nạn thương tích, giảm 4 trẻ so với 6 tháng cuối năm 2019"
        in (narrative.generate(snap)["protection"])
    )


def test_for_publication_a_small_count_of_children_is_never_given(snap: dict[str, Any]) -> None:
    snap["publish"] = True
    snap["current"]["metrics"]["cases.incidents"] = 3
    snap["current"]["metrics"]["cases.abused_children"] = 4
    snap["current"]["by"]["cases.abused_children"]["sex"] = {"M": 1, "F": 3, "unknown": 0}
    _indicator(snap, "MN-BV-08", value=None, numerator=None, previous=None, suppressed=True)
    protection = narrative.generate(snap)["protection"]
    assert "Xảy ra dưới 5 vụ xâm hại trẻ em với dưới 5 trẻ em bị xâm hại." in protection
    assert not re.search(r"(?<![\d.,])[1-4] (vụ xâm hại|trẻ em|trẻ)", protection)
    assert "so với cùng kỳ" not in protection.split("\n\n")[1]  # 28 → 3 would tell the count
    assert "trẻ em trai" not in protection and "trẻ em gái" not in protection
    assert "Có dưới 5 trẻ em tử vong do tai nạn thương tích." in protection


def test_for_publication_the_complement_of_a_small_part_is_left_out(snap: dict[str, Any]) -> None:
    snap["publish"] = True
    snap["current"]["by"]["cases.abused_children"]["sex"] = {"M": 3, "F": 27, "unknown": 0}
    protection = narrative.generate(snap)["protection"]
    assert "dưới 5 trẻ em trai" in protection
    assert "27" not in protection  # 30 - 27 would give the boys away
    assert "30 trẻ em bị xâm hại" in protection  # the total is not small
    support = narrative.generate(snap)["support"]
    assert "Bố trí chăm sóc thay thế cho 6 trường hợp trẻ em (dưới 5 trường hợp" in support
    assert "2 trường hợp" not in support
    # Not for publication, the same figures are given exactly.
    snap["publish"] = False
    assert "3 trẻ em trai" in narrative.generate(snap)["protection"]


@override_settings(MANGNON_DISCLOSURE_THRESHOLD=10)
def test_the_threshold_is_the_setting(snap: dict[str, Any]) -> None:
    snap["publish"] = True
    text = narrative.generate(snap)["protection"]
    assert "dưới 10 trẻ em trai" in text and "7 trẻ em trai" not in text


def test_the_text_is_vietnamese_whatever_the_interface_language(snap: dict[str, Any]) -> None:
    vietnamese = narrative.generate(snap)
    with translation.override("en"):
        assert narrative.generate(snap) == vietnamese


@pytest.mark.parametrize(
    ("dong", "text"),
    [
        (17_316_469_000, "17.316,469 triệu đồng"),
        (12_146_500_000, "12.146,5 triệu đồng"),
        (4_989_000_000, "4.989 triệu đồng"),
        (2_292_900_000, "2.292,9 triệu đồng"),
        (1_500_000, "1,5 triệu đồng"),
        (1_234_567, "1,235 triệu đồng"),
        (400, "400 đồng"),
    ],
)
def test_money_in_millions(dong: int, text: str) -> None:
    assert narrative.vi_million(dong) == text


@pytest.mark.django_db
def test_the_place_of_the_date_line_is_the_unit_s_short_name(units: Any) -> None:
    assert narrative.default_place(units.province) == "Quảng Ninh"
    assert narrative.default_place(units.commune_a) == units.commune_a.short_name
    assert units.commune_a.short_name and units.commune_a.short_name in units.commune_a.name


def test_a_snapshot_without_figures_gives_empty_sections() -> None:
    empty = {**SAMPLE, "current": {}, "before": {}, "indicators": []}
    assert narrative.generate(empty) == dict.fromkeys(SectionKey.values, "")


@pytest.mark.django_db
def test_a_commune_report_made_from_its_records(units: Any, personas: Any) -> None:
    """The whole way: records of commune A in 2024 and 2025, the figures gathered by `figures.collect`
    for its officer, the sections written when the report is made; the same report for publication."""
    commune = units.commune_a
    for day, count in ((date(2025, 3, 10), 40), (date(2025, 5, 2), 25), (date(2024, 4, 1), 30)):
        TallyFactory(activity=ActivityFactory(admin_unit=commune, start_date=day), count=count)
    TallyFactory(
        activity=ActivityFactory(admin_unit=commune, kind=ActivityKind.TRAINING, start_date=date(2025, 6, 1)),
        count=18,
    )
    for day, children in ((date(2025, 2, 1), 2), (date(2025, 8, 1), 1), (date(2024, 8, 1), 1)):
        incident = IncidentFactory(admin_unit=commune, occurred_on=day)
        for _ in range(children):
            IncidentChildFactory(incident=incident)

    def made(publish: bool) -> dict[str, str]:
        report = services.report_create(
            actor=personas.officer_a,
            unit=commune,
            kind="annual",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            publish=publish,
        )
        return {s.key: s.text for s in report.sections.all()}

    place = f"Năm 2025, trên địa bàn {narrative._unit_in_sentence(commune.name)}"
    texts = made(False)
    assert texts["communication"].startswith(
        f"{place} đã tổ chức 2 buổi truyền thông trực tiếp cho 65 lượt người, tăng 1 buổi và 35 lượt người "
        "so với cùng kỳ năm 2024."
    )
    assert texts["training"] == f"{place} đã tổ chức 1 lớp tập huấn nâng cao năng lực cho 18 lượt người."
    assert texts["protection"].startswith(
        f"{place} xảy ra 2 vụ xâm hại trẻ em với 3 trẻ em bị xâm hại, tăng 1 vụ so với cùng kỳ năm 2024; "
        "số trẻ em bị xâm hại tăng 2 trẻ so với cùng kỳ năm 2024."
    )
    texts = made(True)
    assert texts["protection"].startswith(
        f"{place} xảy ra dưới 5 vụ xâm hại trẻ em với dưới 5 trẻ em bị xâm hại."
    )
    assert "3 trẻ em" not in texts["protection"]
