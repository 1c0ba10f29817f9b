"""The annex tables of a periodic report, from Quảng Ninh's 2020 snapshot (`snapshot_2020.json`) and
variations of it: what each table holds, that its rows add up to its totals, the columns of the period
before, tables left out when their figures are, and small counts of children withheld for publication
with the cells from which they could be worked out."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from mangnon.reports import annex
from mangnon.reports.annex import TOTAL, AnnexTable

SAMPLE = json.loads((Path(__file__).parent / "snapshot_2020.json").read_text(encoding="utf-8"))
ALL = [
    "activities",
    "participants",
    "forums",
    "clubs",
    "care_models",
    "voices",
    "support",
    "gifts",
    "alternative_care",
    "abuse",
    "abused_by_sex",
    "abused_by_age",
    "legal",
    "indicators",
]


@pytest.fixture
def snap() -> dict[str, Any]:
    return copy.deepcopy(SAMPLE)


def _tables(snapshot: dict[str, Any]) -> dict[str, AnnexTable]:
    return {t.key: t for t in annex.tables(snapshot)}


def _row(table: AnnexTable, label: str) -> list[Any]:
    return next(r for r in table.rows if r[0] == label)


def _rows(table: AnnexTable) -> list[list[Any]]:
    return [list(r) for r in table.rows]


def _body(table: AnnexTable) -> list[list[Any]]:
    return [r for r in _rows(table) if r[0] != TOTAL]


def test_the_tables_numbered_in_order_with_vietnamese_titles(snap: dict[str, Any]) -> None:
    found = annex.tables(snap)
    assert [t.key for t in found] == ALL
    for number, table in enumerate(found, start=1):
        assert table.title.startswith(f"Biểu {number}. ") and table.title.endswith("năm 2020")
        assert all(len(row) == len(table.columns) for row in table.rows), table.key
        for row in table.rows:
            assert all(cell is None or type(cell) in (int, str) for cell in row), table.key
    assert found[0].title == "Biểu 1. Hoạt động truyền thông, tập huấn theo loại hình năm 2020"


def test_activities_by_kind_add_up_and_keep_2019_beside(snap: dict[str, Any]) -> None:
    table = _tables(snap)["activities"]
    assert table.columns == [
        "Loại hoạt động",
        "Năm 2020: số hoạt động",
        "Năm 2020: số lượt người",
        "Cùng kỳ năm 2019: số hoạt động",
        "Cùng kỳ năm 2019: số lượt người",
    ]
    assert _row(table, "Truyền thông trực tiếp")[1:3] == [232, 49980]
    assert _row(table, "Tập huấn nâng cao năng lực")[1:3] == [109, 8641]
    total = _row(table, TOTAL)
    assert total[1:3] == [463, 63426]
    assert [sum(r[c] for r in _body(table)) for c in (1, 2)] == total[1:3]
    assert any("lượt" in note for note in table.notes)


def test_participants_by_group_and_sex_add_up(snap: dict[str, Any]) -> None:
    table = _tables(snap)["participants"]
    assert "Năm 2020: tổng số lượt người" in table.columns
    assert table.columns[-1] == "Cùng kỳ năm 2019: tổng số lượt người"  # the period before: totals only
    for row in _rows(table):
        assert row[1] + row[2] + row[3] == row[4]
    assert _row(table, "Trẻ em")[1:5] == [15978, 17978, 0, 33956]
    assert _row(table, TOTAL)[4] == 63426
    assert any("196 người" in note for note in table.notes)  # persons, said apart from person-times


def test_clubs_models_and_voices(snap: dict[str, Any]) -> None:
    found = _tables(snap)
    clubs = found["clubs"]
    assert clubs.columns[2] == "Năm 2020: số đơn vị cấp huyện có (trên tổng số 13)"
    assert _row(clubs, "Đội tuyên truyền măng non")[1:] == [198, 13, 2160, 95]
    assert _row(clubs, TOTAL)[1:] == [256, "", 3478, 140]  # sub-units do not add up
    models = found["care_models"]
    assert _row(models, TOTAL)[1:] == [10, 10]
    voices = found["voices"]
    assert _row(voices, "Ý kiến, nguyện vọng của trẻ em được tiếp nhận")[1] == 45
    assert sum(r[1] for r in _rows(voices) if r[0].startswith("- Về")) == 45
    assert _row(voices, "Số phiên họp của Hội đồng trẻ em")[1] == 2
    assert _row(voices, "Số thành viên Hội đồng trẻ em (người)")[1] == 34


def test_forums_named_one_by_one(snap: dict[str, Any]) -> None:
    table = _tables(snap)["forums"]
    assert table.columns[-2:] == ["Lượt trẻ em", "Lượt người lớn"]
    assert _row(table, "Diễn đàn trẻ em tỉnh Quảng Ninh năm 2020")[1:] == [
        "Chung tay phòng, chống xâm hại trẻ em",
        "11/06/2020",
        "Tỉnh Quảng Ninh",
        "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Ninh",
        90,
        16,
    ]
    total = _row(table, TOTAL)
    assert total[5] + total[6] == 2162  # the forums' person-times in the activities table
    assert total[5] == sum(r[5] for r in _body(table))
    snap["current"]["rollup"]["activities"]["forums"] = []
    assert "forums" not in _tables(snap)


def test_support_gifts_and_care_add_up_to_their_totals(snap: dict[str, Any]) -> None:
    found = _tables(snap)
    support = found["support"]
    assert _row(support, "NQ91-TCHT")[1:3] == [7980, 8618400000]
    assert sum(r[1] for r in _body(support)) == _row(support, TOTAL)[1] == 13303
    assert sum(r[2] for r in _body(support)) == _row(support, TOTAL)[2] == 17316469000
    assert _row(support, "NQ91-TCHT")[3:] == [0, 0]  # nothing paid in 2019
    gifts = found["gifts"]
    assert _row(gifts, "Ngày Quốc tế thiếu nhi 1/6")[1:4] == [203648, 14230, 12146500000]
    assert _row(gifts, "Tết Trung thu")[1:4] == [207485, 16512, 4989000000]
    assert _row(gifts, TOTAL)[1:4] == [411133, 30742, 17135500000]
    care = found["alternative_care"]
    assert sum(r[1] for r in _body(care)) == _row(care, TOTAL)[1] == 6


def test_abuse_by_form_sex_and_age_with_2019(snap: dict[str, Any]) -> None:
    found = _tables(snap)
    abuse = found["abuse"]
    assert _row(abuse, "Xâm hại tình dục")[1:] == [17, 19, 16, 16]
    assert _row(abuse, TOTAL)[1:] == [26, 30, 28, 31]  # the counts of incidents and children, not sums
    assert any("nhiều hình thức" in note for note in abuse.notes)
    by_sex = found["abused_by_sex"]
    assert _row(by_sex, "Nữ")[1:] == [23, 26]
    assert sum(r[1] for r in _body(by_sex)) == _row(by_sex, TOTAL)[1] == 30
    by_age = found["abused_by_age"]
    assert sum(r[1] for r in _body(by_age)) == _row(by_age, TOTAL)[1] == 30
    assert sum(r[2] for r in _body(by_age)) == _row(by_age, TOTAL)[2] == 31
    legal = found["legal"]
    assert _row(legal, "Số vụ bị khởi tố hình sự")[1:] == [16, 16]
    assert _row(legal, "Số bị can")[1:] == [17, 16]
    assert not any(r[0].startswith("Hồ sơ") for r in _rows(legal))  # not in this snapshot: left out


def test_case_work_in_the_legal_table_withheld_when_small_for_publication(snap: dict[str, Any]) -> None:
    for figures in (snap["current"], snap["before"]):
        figures["metrics"].update({"cases.opened": 12, "cases.closed": 3})
    legal = _tables(snap)["legal"]
    assert _row(legal, "Hồ sơ quản lý trường hợp được mở")[1:] == [12, 12]
    assert _row(legal, "Hồ sơ quản lý trường hợp được kết thúc")[1:] == [3, 3]
    snap["publish"] = True
    legal = _tables(snap)["legal"]
    assert _row(legal, "Hồ sơ quản lý trường hợp được kết thúc")[1:] == [None, None]
    assert _row(legal, "Hồ sơ quản lý trường hợp được mở")[1:] == [12, 12]  # no total: nothing to work out
    assert _row(legal, "Cuộc gọi, thông tin tiếp nhận qua đường dây nóng và các kênh khác")[1] == 142


def test_indicators_with_values_targets_and_status_in_vietnamese(snap: dict[str, Any]) -> None:
    row = next(i for i in snap["indicators"] if i["code"] == "MN-BV-06")
    row.update(value=100, target=100, target_kind="level", status="met")
    table = _tables(snap)["indicators"]
    assert table.columns[-1] == "Kết quả năm 2019"
    assert _row(table, "MN-BV-06")[2:] == ["%", 100, 100, "Đạt", None]
    assert _row(table, "MN-TG-01")[3] == "68,89"  # a decimal written the Vietnamese way
    assert _row(table, "MN-BV-03")[3:] == [26, "", "Chưa giao chỉ tiêu", 28]
    assert _row(table, "MN-BV-08")[3] is None and _row(table, "MN-BV-08")[5] == "Chưa có số liệu"


def test_without_the_period_before_there_are_no_columns_for_it(snap: dict[str, Any]) -> None:
    del snap["before"]["rollup"]["activities"]
    del snap["before"]["metrics"]["cases.incidents"]
    found = _tables(snap)
    assert not any("Cùng kỳ" in c for c in found["activities"].columns)
    assert not any("Cùng kỳ" in c for c in found["abuse"].columns)
    assert any("Cùng kỳ" in c for c in found["support"].columns)


def test_a_table_whose_figures_are_missing_is_left_out_and_the_rest_renumbered(snap: dict[str, Any]) -> None:
    del snap["current"]["rollup"]["support"]
    del snap["current"]["metrics"]["cases.incidents"]
    found = annex.tables(snap)
    keys = [t.key for t in found]
    assert "support" not in keys and "gifts" not in keys and "abuse" not in keys
    assert [t.title.split(".")[0] for t in found] == [f"Biểu {n}" for n in range(1, len(found) + 1)]


def test_for_publication_small_counts_of_children_and_their_complements_are_withheld(
    snap: dict[str, Any],
) -> None:
    snap["publish"] = True
    snap["current"]["by"]["cases.abused_children"]["sex"] = {"M": 3, "F": 27, "unknown": 0}
    found = _tables(snap)
    by_sex = found["abused_by_sex"]
    assert _row(by_sex, "Nam")[1] is None  # 3 children
    assert _row(by_sex, "Nữ")[1] is None  # 30 - 27 would tell it
    assert _row(by_sex, TOTAL)[1] == 30 and _row(by_sex, "Nữ")[2] == 26
    assert any("dưới 5 trẻ em" in note for note in by_sex.notes)
    care = found["alternative_care"]
    assert [r[1] for r in _body(care)] == [None, None, None] and _row(care, TOTAL)[1] == 6
    abuse = found["abuse"]
    # 2019: exploitation (1) withheld, and the smallest other count of that column with it.
    assert _row(abuse, "Bóc lột lao động, kinh tế")[3:] == [None, None]
    assert _row(abuse, "Bạo lực thể chất")[3:] == [None, None]
    assert _row(abuse, "Xâm hại tình dục")[1:] == [17, 19, 16, 16]
    for table in found.values():
        if table.key in ("activities", "participants", "clubs", "care_models", "voices"):
            assert all(cell is not None for row in table.rows for cell in row), table.key  # not children
    # Not for publication: every figure.
    snap["publish"] = False
    assert _row(_tables(snap)["abused_by_sex"], "Nam")[1] == 3


def test_for_publication_a_small_payment_count_takes_its_amount_with_it(snap: dict[str, Any]) -> None:
    snap["publish"] = True
    programmes = snap["current"]["rollup"]["support"]["by_programme"]
    programmes["NQ91-DX"] = {"count": 2, "amount": 4_000_000}
    table = _tables(snap)["support"]
    assert _row(table, "NQ91-DX")[1:3] == [None, None]
    assert _row(table, "NQ222-YT")[1:3] == [None, None]  # the smallest other count, the complement
    assert _row(table, "NQ91-TCHT")[1:3] == [7980, 8618400000]


def test_for_publication_a_withheld_indicator_shows_no_value(snap: dict[str, Any]) -> None:
    snap["publish"] = True
    row = next(i for i in snap["indicators"] if i["code"] == "MN-BV-08")
    row.update(value=None, numerator=None, previous=None, suppressed=True)
    table = _tables(snap)["indicators"]
    assert _row(table, "MN-BV-08")[3] is None
    assert any("dưới 5 trẻ em" in note for note in table.notes)


def test_a_snapshot_without_figures_has_no_tables() -> None:
    assert annex.tables({**SAMPLE, "current": {}, "before": {}, "indicators": []}) == []


def test_programmes_are_named_where_the_roll_up_gives_their_names(snap: dict[str, Any]) -> None:
    snap["current"]["rollup"]["support"]["programme_names"] = {"NQ91-TCHT": "Trợ cấp hằng tháng (NQ 91/2017)"}
    support = _tables(snap)["support"]
    assert _row(support, "Trợ cấp hằng tháng (NQ 91/2017) (NQ91-TCHT)")[1:3] == [7980, 8618400000]
    assert _row(support, "NQ222-HT")[1] == 2660  # a programme without a name keeps its code
