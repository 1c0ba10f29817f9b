"""The annex tables of a periodic report, from its figures: one definition read by the DOCX (its annex
pages), the XLSX (a sheet per table) and the pages.

Every table is made from the snapshot alone (`figures.collect`), so a finalised report's tables never
change. A table whose figures the snapshot lacks (the viewer could not read them) is left out; the same
period a year earlier (the phase before, for a multi-year report) gets its own columns wherever the
snapshot has it. Cells are whole numbers (counts, đồng) or text; the renderers format the numbers. In a
report for publication the cells counting children under the threshold, and the cells from which they
could be worked out again, are None and the table's notes say why (`core.disclosure`, as on the
dashboards' exports). The vocabulary is the narrative's, so text and tables name things alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mangnon.core import disclosure
from mangnon.core.formatting import vi_number

from . import narrative as n

Cell = str | int | None  # text, a whole number, or None for "suppressed / no data" (see `notes`)


@dataclass(frozen=True)
class AnnexTable:
    key: str  # stable, ASCII: the XLSX sheet's name comes from `title`, the key names the table in code
    title: str  # Vietnamese: "Biểu 1. Hoạt động truyền thông năm 2020"
    columns: list[str]  # Vietnamese headings
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)  # e.g. what a suppressed cell means, the source


TOTAL = "Tổng cộng"
PERSON_TIMES_NOTE = "Lượt người: một người tham gia nhiều hoạt động được tính nhiều lượt."


def _suppressed_note() -> str:
    return (
        f"Ô để trống: số dưới {disclosure.threshold()} trẻ em, hoặc số có thể suy ra số đó, không công bố "
        "để bảo vệ trẻ em (báo cáo công bố rộng rãi)."
    )


def _labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {code: n._upper_first(label) for code, label in labels.items()}


@dataclass
class _Grid:
    """A table of figures by category: a label column, then each measure for the report's period and,
    where the snapshot has it, for the period before."""

    key: str
    name: str  # "Hoạt động truyền thông, tập huấn theo loại hình"
    first: str  # the label column's heading
    measures: Sequence[str]
    labels: Sequence[str]
    now: Sequence[Sequence[int | None]]  # per label, per measure
    then: Sequence[Sequence[int | None]] | None = None
    # The total row: (this period's, the period before's), an empty or None one being the columns' sums;
    # None: no total row (items that do not add up).
    totals: tuple[Sequence[int | None] | None, Sequence[int | None] | None] | None = None
    child: frozenset[int] = frozenset()  # the measures that count children
    amount_of: Mapping[int, int] = field(default_factory=dict)  # an amount measure -> its count measure
    compared: Sequence[int] | None = None  # the measures shown for the period before (default: all)
    not_summed: frozenset[int] = frozenset()  # measures whose total is not a sum (shown blank)
    plain_rows: frozenset[int] = frozenset()  # rows that do not count children
    notes: list[str] = field(default_factory=list)


def _column_sums(rows: Sequence[Sequence[int | None]], width: int, skip: frozenset[int]) -> list[int | None]:
    return [None if j in skip else sum(r[j] or 0 for r in rows) for j in range(width)]


class _Builder:
    def __init__(self, snapshot: Mapping[str, Any]) -> None:
        self.w = n._Writer(snapshot)
        self.tables: list[AnnexTable] = []
        self.period = n._lower_first(self.w.period)
        self.before = self.w.since  # "cùng kỳ năm 2019", "giai đoạn 2011-2015"

    def add(self, grid: _Grid) -> None:
        width = len(grid.measures)
        compared = list(range(width)) if grid.compared is None else list(grid.compared)
        with_before = grid.then is not None
        # Each row's cells as shown: the period's measures, then the period before's compared ones.
        index = [(0, j) for j in range(width)] + ([(1, j) for j in compared] if with_before else [])
        columns = [grid.first] + [
            f"{n._upper_first(self.period if p == 0 else self.before)}: {n._lower_first(grid.measures[j])}"
            for p, j in index
        ]

        def line(now: Sequence[int | None], then: Sequence[int | None] | None) -> list[int | None]:
            return [(now if p == 0 else (then or [None] * width))[j] for p, j in index]

        body = [
            line(grid.now[r], grid.then[r] if grid.then is not None else None)
            for r in range(len(grid.labels))
        ]
        total: list[int | None] | None = None
        if grid.totals is not None:
            now_total = grid.totals[0] or _column_sums(grid.now, width, grid.not_summed)
            then_total = None
            if grid.then is not None:
                then_total = grid.totals[1] or _column_sums(grid.then, width, grid.not_summed)
            total = line(now_total, then_total)

        hidden = self._withheld(grid, index, body, total)
        rows: list[list[Cell]] = []
        for r, label in enumerate(grid.labels):
            rows.append([label, *[None if (r, c) in hidden else v for c, v in enumerate(body[r])]])
        if total is not None:
            t = len(body)
            cells: list[Cell] = [
                None if (t, c) in hidden else ("" if v is None else v) for c, v in enumerate(total)
            ]
            rows.append([TOTAL, *cells])
        notes = list(grid.notes)
        if hidden:
            notes.append(_suppressed_note())
        number = len(self.tables) + 1
        self.tables.append(
            AnnexTable(
                key=grid.key,
                title=f"Biểu {number}. {grid.name} {self.period}",
                columns=columns,
                rows=rows,
                notes=notes,
            )
        )

    def _withheld(
        self,
        grid: _Grid,
        index: Sequence[tuple[int, int]],
        body: Sequence[Sequence[int | None]],
        total: Sequence[int | None] | None,
    ) -> set[tuple[int, int]]:
        """(row, column) of the cells a report for publication withholds; the total row is row
        len(body). Columns count from 0 after the label."""
        if not (self.w.publish and grid.child):
            return set()
        counted = [c for c, (_p, j) in enumerate(index) if j in grid.child]
        cells = [
            [v if c in counted and r not in grid.plain_rows else None for c, v in enumerate(row)]
            for r, row in enumerate(body)
        ]
        hidden = disclosure.suppressed_cells(
            cells, rows_have_totals=False, columns_have_totals=total is not None
        )
        if total is not None:
            hidden |= {(len(body), c) for c in counted if disclosure.is_small(total[c])}
        # An amount goes with its count: paid at a fixed rate, it would tell the count.
        for c, (p, j) in enumerate(index):
            if j in grid.amount_of and (p, grid.amount_of[j]) in index:
                count_column = index.index((p, grid.amount_of[j]))
                hidden |= {(r, c) for r, cc in list(hidden) if cc == count_column}
        return hidden


def _rollup(b: _Builder, name: str) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    return b.w.section(name), b.w.section(name, before=True)


def _per(
    values: Mapping[str, Any] | None, codes: Sequence[str], *getters: Callable[[Any], Any]
) -> list[list[int | None]]:
    """One row per code of `values` (a {code: figure} mapping), one cell per getter; a code the mapping
    lacks counts 0 (nothing of that kind happened)."""
    values = values or {}
    return [[_int(get(values[code])) if code in values else 0 for get in getters] for code in codes]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _same(value: Any) -> Any:
    return value


def _field(name: str) -> Callable[[Any], Any]:
    return lambda figure: figure.get(name) if isinstance(figure, Mapping) else None


def _codes(labels: Mapping[str, str], *found: Mapping[str, Any] | None) -> list[str]:
    """The codes in the document's order, then any the figures have that it does not name."""
    extra = [c for f in found for c in (f or {}) if c not in labels]
    return [*labels, *dict.fromkeys(extra)]


def _activities(b: _Builder) -> None:
    now, then = _rollup(b, "activities")
    if now is None:
        return
    labels = _labels(n.ACTIVITY_KINDS)
    codes = _codes(labels, now.get("activities_by_kind"))

    def rows(section: Mapping[str, Any]) -> list[list[int | None]]:
        kinds, times = section.get("activities_by_kind") or {}, section.get("person_times_by_kind") or {}
        return [[_int(kinds.get(c, 0)), _int(times.get(c, 0))] for c in codes]

    b.add(
        _Grid(
            key="activities",
            name="Hoạt động truyền thông, tập huấn theo loại hình",
            first="Loại hoạt động",
            measures=["Số hoạt động", "Số lượt người"],
            labels=[labels.get(c, c) for c in codes],
            now=rows(now),
            then=rows(then) if then is not None else None,
            totals=([_int(now.get("activities")), _int(now.get("person_times"))], None),
            notes=[PERSON_TIMES_NOTE],
        )
    )


def _participants(b: _Builder) -> None:
    now, then = _rollup(b, "activities")
    if now is None:
        return
    labels = _labels(n.GROUPS)
    codes = _codes(labels, now.get("person_times_by_group_sex"))

    def rows(section: Mapping[str, Any]) -> list[list[int | None]]:
        grid = section.get("person_times_by_group_sex") or {}
        out = []
        for code in codes:
            sexes = grid.get(code) or {}
            cells = [_int(sexes.get(s, 0)) for s in ("M", "F", "unknown")]
            out.append([*cells, sum(c or 0 for c in cells)])
        return out

    notes = [PERSON_TIMES_NOTE]
    persons = _int(now.get("unique_persons"))
    if persons:
        children = _int((now.get("unique_persons_by_group") or {}).get("children")) or 0
        notes.append(
            f"Số người tham gia theo danh sách (mỗi người chỉ tính một lần): {vi_number(persons)} người, "
            f"trong đó {vi_number(children)} trẻ em."
        )
    b.add(
        _Grid(
            key="participants",
            name="Người tham gia các hoạt động theo nhóm và giới tính (lượt người)",
            first="Nhóm người tham gia",
            measures=["Lượt nam", "Lượt nữ", "Lượt không rõ giới tính", "Tổng số lượt người"],
            labels=[labels.get(c, c) for c in codes],
            now=rows(now),
            then=rows(then) if then is not None else None,
            totals=((), ()),  # the columns' sums
            compared=[3],
            notes=notes,
        )
    )


def _clubs(b: _Builder) -> None:
    now, then = _rollup(b, "clubs")
    if now is None:
        return
    labels = _labels(n.CLUB_KINDS)
    codes = _codes(labels, now.get("clubs_by_kind"))
    where = b.w.sub_units
    measures = ["Số câu lạc bộ, đội, nhóm", "Số thành viên (người)"]
    if where:
        total = b.w.sub_units_total
        measures.insert(1, f"Số {where} có" + (f" (trên tổng số {vi_number(total)})" if total else ""))

    def rows(section: Mapping[str, Any]) -> list[list[int | None]]:
        clubs, members = section.get("clubs_by_kind") or {}, section.get("members_by_kind") or {}
        units = section.get("sub_units_by_kind") or {}
        return [
            [_int(clubs.get(c, 0)), *([_int(units.get(c, 0))] if where else []), _int(members.get(c, 0))]
            for c in codes
        ]

    b.add(
        _Grid(
            key="clubs",
            name="Câu lạc bộ, đội, nhóm trẻ em",
            first="Loại câu lạc bộ, đội, nhóm",
            measures=measures,
            labels=[labels.get(c, c) for c in codes],
            now=rows(now),
            then=rows(then) if then is not None else None,
            totals=((), ()),
            compared=[0],
            not_summed=frozenset({1}) if where else frozenset(),
            notes=["Số thành viên tính theo người (mỗi người tính một lần trong mỗi câu lạc bộ)."],
        )
    )
    models = _labels(n.CARE_MODELS)
    model_codes = _codes(models, now.get("care_models_by_kind"))
    b.add(
        _Grid(
            key="care_models",
            name="Mô hình chăm sóc, bảo vệ trẻ em được duy trì",
            first="Mô hình",
            measures=["Số mô hình"],
            labels=[models.get(c, c) for c in model_codes],
            now=_per(now.get("care_models_by_kind"), model_codes, _same),
            then=_per(then.get("care_models_by_kind"), model_codes, _same) if then is not None else None,
            totals=((), ()),
        )
    )


def _forums(b: _Builder) -> None:
    now = b.w.section("activities")
    forums = [f for f in (now or {}).get("forums") or () if isinstance(f, Mapping)]
    if not forums:
        return
    rows: list[list[Cell]] = []
    for forum in forums:
        day = str(forum.get("start_date") or "")
        rows.append(
            [
                str(forum.get("title") or ""),
                str(forum.get("theme") or ""),
                "/".join(reversed(day.split("-"))) if day else "",
                str(forum.get("unit") or ""),
                str(forum.get("organiser") or ""),
                _int(forum.get("children")),
                _int(forum.get("adults")),
            ]
        )
    children = sum(_int(f.get("children")) or 0 for f in forums)
    adults = sum(_int(f.get("adults")) or 0 for f in forums)
    rows.append([TOTAL, "", "", "", "", children, adults])
    b.tables.append(
        AnnexTable(
            key="forums",
            title=f"Biểu {len(b.tables) + 1}. Diễn đàn trẻ em {b.period}",
            columns=[
                "Diễn đàn",
                "Chủ đề",
                "Ngày",
                "Đơn vị",
                "Đơn vị tổ chức",
                "Lượt trẻ em",
                "Lượt người lớn",
            ],
            rows=rows,
            notes=[PERSON_TIMES_NOTE],
        )
    )


def _voices(b: _Builder) -> None:
    now, then = _rollup(b, "participation")
    if now is None:
        return
    topics = _labels(n.VOICE_TOPICS)
    topic_codes = _codes(topics, now.get("voices_received_by_topic"))
    items = [
        ("voices_received", "Ý kiến, nguyện vọng của trẻ em được tiếp nhận"),
        *[(f"topic:{c}", f"- Về {n.VOICE_TOPICS.get(c, c)}") for c in topic_codes],
        ("voices_forwarded", "Ý kiến, nguyện vọng đã chuyển đến cơ quan, đơn vị có liên quan"),
        ("voices_answered", "Ý kiến, nguyện vọng đã được trả lời"),
        ("voices_resolved", "Ý kiến, nguyện vọng đã được giải quyết"),
        ("council_meetings", "Số phiên họp của Hội đồng trẻ em"),
        *([("council_members", "Số thành viên Hội đồng trẻ em (người)")] if "council_members" in now else []),
    ]

    def rows(section: Mapping[str, Any]) -> list[list[int | None]]:
        by_topic = section.get("voices_received_by_topic") or {}
        return [
            [_int(by_topic.get(item[6:], 0)) if item.startswith("topic:") else _int(section.get(item))]
            for item, _label in items
        ]

    b.add(
        _Grid(
            key="voices",
            name="Tiếng nói, nguyện vọng của trẻ em và hoạt động của Hội đồng trẻ em",
            first="Nội dung",
            measures=["Số lượng"],
            labels=[label for _item, label in items],
            now=rows(now),
            then=rows(then) if then is not None else None,
        )
    )


def _support(b: _Builder) -> None:
    now, then = _rollup(b, "support")
    if now is None:
        return
    programmes = sorted({*(now.get("by_programme") or {}), *((then or {}).get("by_programme") or {})})
    names = {**((then or {}).get("programme_names") or {}), **(now.get("programme_names") or {})}
    getters = (_field("count"), _field("amount"))
    notes = ["Lượt trẻ em: một trẻ em được hỗ trợ nhiều lần được tính nhiều lượt."]
    children = _int(now.get("children_supported"))
    if children and not b.w.small(children, True):
        notes.append(f"Số trẻ em được hỗ trợ (mỗi trẻ em chỉ tính một lần): {vi_number(children)} trẻ em.")
    b.add(
        _Grid(
            key="support",
            name="Hỗ trợ trẻ em theo chương trình, chính sách",
            first="Chương trình, chính sách",
            measures=["Số lượt trẻ em được hỗ trợ", "Kinh phí (đồng)"],
            labels=[f"{names[code]} ({code})" if code in names else code for code in programmes],
            now=_per(now.get("by_programme"), programmes, *getters),
            then=_per(then.get("by_programme"), programmes, *getters) if then is not None else None,
            totals=(
                [_int(now.get("disbursements")), _int(now.get("disbursed_amount"))],
                [_int(then.get("disbursements")), _int(then.get("disbursed_amount"))]
                if then is not None
                else None,
            ),
            child=frozenset({0}),
            amount_of={1: 0},
            notes=notes,
        )
    )
    occasions = _labels(n.GIFT_OCCASIONS)
    codes = _codes(occasions, now.get("gifts_by_occasion"))
    gifts = (_field("children_reached"), _field("children_visited_given_gifts"), _field("total_value"))
    b.add(
        _Grid(
            key="gifts",
            name="Thăm, tặng quà trẻ em theo dịp",
            first="Dịp",
            measures=[
                "Số lượt trẻ em được tham gia, nhận quà",
                "Số lượt trẻ em được thăm, tặng quà",
                "Tổng kinh phí (đồng)",
            ],
            labels=[occasions.get(c, c) for c in codes],
            now=_per(now.get("gifts_by_occasion"), codes, *gifts),
            then=_per(then.get("gifts_by_occasion"), codes, *gifts) if then is not None else None,
            totals=((), ()),
            child=frozenset({0, 1}),
            amount_of={2: 0},
            notes=["Số liệu tính theo lượt trẻ em."],
        )
    )
    care = {
        "temporary_foster_family": "Gia đình nhận chăm sóc thay thế tạm thời",
        "kinship": "Người thân thích chăm sóc",
        "facility": "Cơ sở trợ giúp xã hội",
    }
    care_codes = _codes(care, now.get("alternative_care_by_kind"))
    b.add(
        _Grid(
            key="alternative_care",
            name="Trẻ em được chăm sóc thay thế theo hình thức",
            first="Hình thức chăm sóc thay thế",
            measures=["Số trường hợp trẻ em"],
            labels=[care.get(c, c) for c in care_codes],
            now=_per(now.get("alternative_care_by_kind"), care_codes, _same),
            then=_per(then.get("alternative_care_by_kind"), care_codes, _same) if then is not None else None,
            totals=(
                [_int(now.get("alternative_care"))],
                [_int(then.get("alternative_care"))] if then else None,
            ),
            child=frozenset({0}),
        )
    )


def _by(b: _Builder, code: str, dimension: str, *, before: bool = False) -> Mapping[str, Any] | None:
    figures = b.w.before if before else b.w.cur
    found = ((figures.get("by") or {}).get(code) or {}).get(dimension)
    return found if isinstance(found, Mapping) else None


def _has_before(b: _Builder, *codes: str) -> bool:
    return all(b.w.metric(code, before=True) is not None for code in codes)


def _abuse(b: _Builder) -> None:
    incidents, children = b.w.metric("cases.incidents"), b.w.metric("cases.abused_children")
    if incidents is None or children is None:
        return
    forms = _labels(n.ABUSE_FORMS)
    codes = _codes(forms, _by(b, "cases.incidents", "form"), _by(b, "cases.abused_children", "form"))

    def rows(before: bool) -> list[list[int | None]]:
        by_incident = _by(b, "cases.incidents", "form", before=before) or {}
        by_child = _by(b, "cases.abused_children", "form", before=before) or {}
        return [[_int(by_incident.get(c, 0)), _int(by_child.get(c, 0))] for c in codes]

    before = _has_before(b, "cases.incidents", "cases.abused_children")
    b.add(
        _Grid(
            key="abuse",
            name="Vụ việc xâm hại trẻ em và trẻ em bị xâm hại theo hình thức",
            first="Hình thức xâm hại",
            measures=["Số vụ", "Số trẻ em bị xâm hại"],
            labels=[forms.get(c, c) for c in codes],
            now=rows(False),
            then=rows(True) if before else None,
            totals=(
                [incidents, children],
                [b.w.metric("cases.incidents", before=True), b.w.metric("cases.abused_children", before=True)]
                if before
                else None,
            ),
            child=frozenset({0, 1}),
            notes=[
                "Một vụ, một trẻ em có thể bị xâm hại bằng nhiều hình thức: cộng các dòng có thể lớn "
                "hơn tổng."
            ],
        )
    )
    for dimension, key, name, first, labels in (
        ("sex", "abused_by_sex", "Trẻ em bị xâm hại theo giới tính", "Giới tính", dict(n.SEXES)),
        (
            "age_group",
            "abused_by_age",
            "Trẻ em bị xâm hại theo nhóm tuổi",
            "Nhóm tuổi",
            _labels(n.AGE_GROUPS),
        ),
    ):
        found = _by(b, "cases.abused_children", dimension)
        if found is None:
            continue
        dim_codes = _codes(labels, found)
        then = _by(b, "cases.abused_children", dimension, before=True)
        b.add(
            _Grid(
                key=key,
                name=name,
                first=first,
                measures=["Số trẻ em bị xâm hại"],
                labels=[labels.get(c, c) for c in dim_codes],
                now=_per(found, dim_codes, _same),
                then=_per(then, dim_codes, _same) if then is not None and before else None,
                totals=([children], [b.w.metric("cases.abused_children", before=True)] if before else None),
                child=frozenset({0}),
            )
        )


def _legal(b: _Builder) -> None:
    items = [
        ("intake.contacts", "Cuộc gọi, thông tin tiếp nhận qua đường dây nóng và các kênh khác"),
        ("intake.data_contacts", "- Trong đó: tư vấn, cung cấp thông tin, thông báo về trẻ em"),
        ("cases.opened", "Hồ sơ quản lý trường hợp được mở"),
        ("cases.closed", "Hồ sơ quản lý trường hợp được kết thúc"),
        ("cases.perpetrators", "Đối tượng xâm hại trẻ em"),
        ("cases.prosecuted_incidents", "Số vụ bị khởi tố hình sự"),
        ("cases.accused_persons", "Số bị can"),
        ("cases.administrative_incidents", "Số vụ bị xử phạt vi phạm hành chính"),
        ("cases.administrative_persons", "Số đối tượng bị xử phạt vi phạm hành chính"),
    ]
    items = [(code, label) for code, label in items if b.w.metric(code) is not None]
    if not items:
        return
    before = _has_before(b, *(code for code, _label in items))
    b.add(
        _Grid(
            key="legal",
            name="Tiếp nhận thông tin, quản lý trường hợp và xử lý vi phạm",
            first="Nội dung",
            measures=["Số lượng"],
            labels=[label for _code, label in items],
            now=[[b.w.metric(code)] for code, _label in items],
            then=[[b.w.metric(code, before=True)] for code, _label in items] if before else None,
            child=frozenset({0}),
            plain_rows=frozenset(r for r, (code, _label) in enumerate(items) if code.startswith("intake.")),
        )
    )


_UNITS = {"percent": "%", "per_mille": "‰", "per_100k": "/100.000 trẻ em", "count": "Số lượng"}


def _figure(value: Any) -> Cell:
    """An indicator's value as a cell: a whole number as an int, a decimal in Vietnamese ("68,89")."""
    if value is None or isinstance(value, int):
        return value
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else vi_number(number)


def _indicators(b: _Builder) -> None:
    rows: list[list[Cell]] = []
    withheld = False
    for row in b.w.s.get("indicators") or ():
        if not isinstance(row, Mapping):
            continue
        suppressed = bool(row.get("suppressed"))
        withheld = withheld or suppressed
        target: Cell = _figure(row.get("target")) if row.get("target") is not None else ""
        if row.get("target_kind") in ("below_previous", "above_previous"):
            target = n._upper_first(n._target(row))
        rows.append(
            [
                str(row.get("code", "")),
                str(row.get("name", "")),
                _UNITS.get(str(row.get("measure")), ""),
                None if suppressed else _figure(row.get("value")),
                target,
                n.STATUSES.get(str(row.get("status")), str(row.get("status", ""))),
                None if suppressed else _figure(row.get("previous")),
            ]
        )
    if not rows:
        return
    previous = n._lower_first(n._period_phrase("", n._previous_key(b.w.key))) if b.w.key else "kỳ trước"
    notes = ["Ô để trống ở cột kết quả: chưa có số liệu."]
    if withheld:
        notes.append(_suppressed_note())
    b.tables.append(
        AnnexTable(
            key="indicators",
            title=f"Biểu {len(b.tables) + 1}. Kết quả thực hiện các chỉ tiêu về trẻ em {b.period}",
            columns=[
                "Mã",
                "Chỉ tiêu",
                "Đơn vị tính",
                f"Kết quả {b.period}",
                "Chỉ tiêu kế hoạch",
                "Đánh giá",
                f"Kết quả {previous}",
            ],
            rows=rows,
            notes=notes,
        )
    )


def tables(snapshot: dict[str, Any]) -> list[AnnexTable]:
    """The annex tables of a report whose figures are `snapshot` (figures.collect)."""
    b = _Builder(snapshot)
    for add in (_activities, _participants, _forums, _clubs, _voices, _support, _abuse, _legal, _indicators):
        add(b)
    return b.tables
