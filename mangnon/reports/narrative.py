"""The text of a periodic report's sections, written from its figures in Vietnamese administrative prose.

`generate(snapshot)` gives each data section its opening paragraphs (separated by a blank line) from a
`figures.collect` snapshot and nothing else, so a finalised report's text can always be written again
from what it froze. The text is Vietnamese whatever the interface language: it is the document's.

Rules every sentence follows (docs/reports.md, "Periodic reports: the text and the tables"):

- the period opens a section ("Năm 2020", "6 tháng đầu năm 2020", "Giai đoạn 2016-2020") with the
  unit ("toàn tỉnh", "trên địa bàn phường Hạ Long");
- a comparison ("tăng/giảm N … so với cùng kỳ năm 2019", "bằng cùng kỳ năm 2019") only where the earlier
  period has the figure above zero;
- person-times are "lượt người" / "lượt trẻ em"; "người" and "trẻ em" only for counts of distinct persons;
- a zero is not stated ("tổ chức 0 buổi" never appears); a figure the snapshot lacks (the viewer could
  not read it) is left out;
- in a report for publication a small count of children (`core.disclosure.is_small`) reads "dưới 5 trẻ
  em", is never compared, and a breakdown shows no part from which it could be worked out again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mangnon.core import disclosure
from mangnon.core.formatting import vi_money, vi_number
from mangnon.geo.models import AdminUnit, Level

from .models import ReportKind, SectionKey

# The document's vocabulary (Vietnamese whatever the interface language), shared with the annex tables.
ACTIVITY_KINDS = {
    "session": "Truyền thông trực tiếp",
    "talk": "Nói chuyện chuyên đề",
    "training": "Tập huấn nâng cao năng lực",
    "forum": "Diễn đàn trẻ em",
    "contest": "Cuộc thi",
    "camp": "Trại hè, hội trại",
    "club_meeting": "Sinh hoạt câu lạc bộ",
    "campaign_event": "Lễ phát động, sự kiện truyền thông",
    "media_item": "Tin, bài, phóng sự",
    "panel": "Pa-nô, áp phích",
    "consultation": "Tham vấn ý kiến trẻ em",
}
GROUPS = {
    "children": "trẻ em",
    "parents_caregivers": "cha mẹ, người chăm sóc trẻ em",
    "officers": "cán bộ",
    "teachers": "giáo viên",
    "collaborators": "cộng tác viên",
    "other": "đối tượng khác",
}
SEXES = {"M": "Nam", "F": "Nữ", "unknown": "Không rõ giới tính"}
MATERIALS = {
    "leaflet": "tờ rơi",
    "booklet": "tờ gấp",
    "handbook": "cuốn sổ tay",
    "panel": "pa-nô, áp phích",
    "video": "video, phóng sự",
    "news_item": "tin, bài",
    "other": "ấn phẩm khác",
}
CLUB_KINDS = {
    "core_children": "câu lạc bộ trẻ em nòng cốt",
    "parents": "câu lạc bộ cha mẹ",
    "participation": "câu lạc bộ quyền tham gia của trẻ em",
    "mang_non_team": "Đội tuyên truyền măng non",
    "summer_talent": "lớp năng khiếu hè",
    "other": "câu lạc bộ, nhóm khác",
}
CARE_MODELS = {
    "foster_care": "chăm sóc thay thế tạm thời",
    "vocational": "dạy nghề gắn với tạo việc làm",
    "injury_prevention": "phòng, chống tai nạn thương tích",
    "autism_therapy": "trị liệu tâm lý cho trẻ tự kỷ",
    "deaf_class": "lớp học đặc biệt cho trẻ khiếm thính",
    "autism_family_club": "câu lạc bộ gia đình trẻ tự kỷ",
    "friendly_club": "câu lạc bộ “Thân thiện”",
    "early_childhood": "phát triển toàn diện trẻ thơ",
    "other": "mô hình khác",
}
VOICE_TOPICS = {
    "protection": "bảo vệ trẻ em",
    "education": "giáo dục",
    "health": "chăm sóc sức khỏe",
    "play": "vui chơi, giải trí",
    "family": "gia đình",
    "safety": "an toàn",
    "participation": "quyền tham gia",
    "other": "nội dung khác",
}
PROGRAMME_KINDS = {
    "study": "hỗ trợ học tập",
    "health_care": "hỗ trợ chăm sóc sức khỏe",
    "monthly_allowance": "trợ cấp hằng tháng",
    "ad_hoc": "hỗ trợ đột xuất",
}
GIFT_OCCASIONS = {
    "tet_thieu_nhi": "Ngày Quốc tế thiếu nhi 1/6",
    "trung_thu": "Tết Trung thu",
    "tet_nguyen_dan": "Tết Nguyên đán",
    "other": "các dịp khác",
}
CARE_KINDS = {
    "temporary_foster_family": "tại gia đình nhận chăm sóc thay thế tạm thời",
    "kinship": "được người thân thích chăm sóc",
    "facility": "tại cơ sở trợ giúp xã hội",
}
ABUSE_FORMS = {
    "physical": "bạo lực thể chất",
    "sexual": "xâm hại tình dục",
    "emotional": "bạo lực tinh thần",
    "neglect": "bỏ mặc, sao nhãng",
    "exploitation": "bóc lột lao động, kinh tế",
    "trafficking": "mua bán trẻ em",
    "online": "xâm hại trên môi trường mạng",
    "other": "hình thức khác",
}
AGE_GROUPS = {
    "0_5": "từ 0 đến 5 tuổi",
    "6_10": "từ 6 đến 10 tuổi",
    "11_15": "từ 11 đến 15 tuổi",
    "16_17": "từ 16 đến 17 tuổi",
    "unknown": "chưa rõ tuổi",
}
STATUSES = {
    "met": "Đạt",
    "not_met": "Chưa đạt",
    "in_progress": "Đang thực hiện",
    "no_target": "Chưa giao chỉ tiêu",
    "no_data": "Chưa có số liệu",
    "not_available": "Không có số liệu",
}
# The names of the kinds of admin unit that open a unit's name ("Phường Hạ Long"), longest first.
_UNIT_KINDS = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Tỉnh", "Xã")
# The districts were abolished on 1 July 2025 (NQ 1679/NQ-UBTVQH15): a province's sub-units before then
# are its district-level units, its communes after.
_DISTRICTS_ENDED = date(2025, 7, 1)
# Indicators a data section already states; the results section names them only against a target.
_STATED_IN_SECTIONS = frozenset(
    {"MN-HD-01", "MN-HD-02", "MN-HD-03", "MN-BV-03", "0101", "MN-BV-08", "MN-BV-10", "MN-TG-01"}
)


def vi_million(dong: int) -> str:
    """An amount of đồng in millions as a report writes it: 17316469000 -> "17.316,469 triệu đồng",
    12146500000 -> "12.146,5 triệu đồng" (up to three decimals, trailing zeros dropped)."""
    millions = (Decimal(dong) / 1_000_000).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    if not millions and dong:
        return vi_money(dong)  # under 500 đồng: a million with three decimals would read 0
    return f"{vi_number(millions.normalize())} triệu đồng"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _unit_kind(name: str) -> str:
    return next((kind for kind in _UNIT_KINDS if name.startswith(kind + " ")), "")


def _unit_in_sentence(name: str) -> str:
    """ "Phường Hạ Long" -> "phường Hạ Long": the kind of unit is a common noun inside a sentence."""
    kind = _unit_kind(name)
    return _lower_first(kind) + name[len(kind) :] if kind else name


def _period_phrase(kind: str, key: str) -> str:
    """ "Năm 2020", "6 tháng đầu năm 2020", "6 tháng cuối năm 2020", "Giai đoạn 2016-2020"."""
    if kind == ReportKind.HALF_YEAR or "H" in key:
        year, _, half = key.partition("H")
        return f"6 tháng {'đầu' if half == '1' else 'cuối'} năm {year}"
    if kind == ReportKind.PHASE or "-" in key:
        return f"Giai đoạn {key}"
    return f"Năm {key}"


def _previous_key(key: str) -> str:
    """The key of the period just before (`ReportingPeriod.previous`), which indicators compare with."""
    if "H" in key:
        year, _, half = key.partition("H")
        return f"{int(year) - 1}H2" if half == "1" else f"{year}H1"
    if "-" in key:
        first, _, last = key.partition("-")
        length = int(last) - int(first) + 1
        return f"{int(first) - length}-{int(last) - length}"
    return str(int(key) - 1)


def _num(value: int | Decimal | str) -> str:
    return vi_number(Decimal(value) if isinstance(value, str) else value)


def _join(parts: Sequence[str], sep: str = ", ", last: str = " và ") -> str:
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return "".join(parts)
    return sep.join(parts[:-1]) + last + parts[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    return _upper_first(text if text.endswith((".", ":")) else text + ".") if text else ""


class _Writer:
    """The snapshot read the way every section reads it."""

    def __init__(self, snapshot: Mapping[str, Any]) -> None:
        self.s = snapshot
        self.publish = bool(snapshot.get("publish"))
        self.kind = str(snapshot.get("kind", ""))
        unit = snapshot.get("unit") or {}
        self.level = unit.get("level", "")
        self.name = unit.get("name", "")
        period = snapshot.get("period") or {}
        self.key = str(period.get("key", ""))
        self.start = date.fromisoformat(period["start"]) if period.get("start") else None
        self.period = _period_phrase(self.kind, self.key)
        previous = snapshot.get("previous") or {}
        before_key = str(previous.get("key", ""))
        if self.kind == ReportKind.PHASE or "-" in before_key:
            self.since = f"giai đoạn {before_key}"
        else:
            self.since = f"cùng kỳ năm {before_key[:4]}"
        self.indicator_since = _lower_first(_period_phrase("", _previous_key(self.key))) if self.key else ""
        self.cur = snapshot.get("current") or {}
        self.before = snapshot.get("before") or {}

    # Where and when -------------------------------------------------------------------------------------

    @property
    def place(self) -> str:
        """Where things happened: "toàn tỉnh" for a province, "trên địa bàn phường Hạ Long" below it."""
        if self.level == Level.PROVINCE:
            return f"toàn {_lower_first(_unit_kind(self.name) or 'Tỉnh')}"
        return f"trên địa bàn {_unit_in_sentence(self.name)}"

    @property
    def subject(self) -> str:
        """The unit as a sentence's subject: "toàn tỉnh", "phường Hạ Long"."""
        return self.place if self.level == Level.PROVINCE else _unit_in_sentence(self.name)

    @property
    def opening(self) -> str:
        return f"{self.period}, {self.place}"

    @property
    def own_level(self) -> str:
        """ "tỉnh", "phường": the unit's own body ("Hội đồng trẻ em tỉnh")."""
        return _lower_first(_unit_kind(self.name)) or "cấp mình"

    @property
    def sub_units(self) -> str:
        """What a club's "sub-unit" is for this unit ("đơn vị cấp huyện"), "" when it has none."""
        below = self.s.get("units_below")
        if isinstance(below, Mapping) and "count" in below:
            if not below.get("count"):
                return ""
            return "đơn vị cấp huyện" if below.get("level") == Level.DISTRICT else "đơn vị cấp xã"
        # A snapshot without the units below: the province's were its districts until they ended.
        if self.level == Level.PROVINCE:
            before_reform = self.start is not None and self.start < _DISTRICTS_ENDED
            return "đơn vị cấp huyện" if before_reform else "đơn vị cấp xã"
        return "đơn vị cấp xã" if self.level == Level.DISTRICT else ""

    @property
    def sub_units_total(self) -> int | None:
        """How many units are directly below (the 13 of "13/13 đơn vị cấp huyện"), when known."""
        count = (self.s.get("units_below") or {}).get("count")
        return count if isinstance(count, int) and count > 0 else None

    # Figures ----------------------------------------------------------------------------------------------

    def section(self, name: str, *, before: bool = False) -> Mapping[str, Any] | None:
        figures = self.before if before else self.cur
        found = (figures.get("rollup") or {}).get(name)
        return found if isinstance(found, Mapping) else None

    def metric(self, code: str, *, before: bool = False) -> int | None:
        figures = self.before if before else self.cur
        value = (figures.get("metrics") or {}).get(code)
        return value if isinstance(value, int) else None

    def by(self, code: str, dimension: str) -> dict[str, int]:
        found = ((self.cur.get("by") or {}).get(code) or {}).get(dimension) or {}
        return {k: v for k, v in found.items() if isinstance(v, int)}

    def indicator(self, code: str) -> Mapping[str, Any] | None:
        return next((i for i in self.s.get("indicators") or () if i.get("code") == code), None)

    # Words for figures ------------------------------------------------------------------------------------

    def small(self, value: int | None, sensitive: bool) -> bool:
        """A count that a report for publication withholds."""
        return self.publish and sensitive and disclosure.is_small(value)

    def count(self, value: int, noun: str, *, sensitive: bool = False) -> str:
        if self.small(value, sensitive):
            return f"dưới {disclosure.threshold()} {noun}"
        return f"{vi_number(value)} {noun}"

    def change(self, pairs: Iterable[tuple[int | None, int | None, str]], *, sensitive: bool = False) -> str:
        """ ", tăng 5 buổi và 1.200 lượt người so với cùng kỳ năm 2019", or "" when nothing compares: the
        earlier figure missing or zero, or (for publication) either side a small count."""
        usable = [
            (now, then, noun)
            for now, then, noun in pairs
            if now is not None and then and not (self.small(now, sensitive) or self.small(then, sensitive))
        ]
        if not usable:
            return ""
        if all(now == then for now, then, _noun in usable):
            return f", bằng {self.since}"
        moved = [
            (now > then, f"{vi_number(abs(now - then))} {noun}") for now, then, noun in usable if now != then
        ]
        if len({up for up, _said in moved}) == 1:  # one way: the verb once ("tăng 1 buổi và 35 lượt người")
            verb = "tăng" if moved[0][0] else "giảm"
            return f", {verb} {_join([said for _up, said in moved])} so với {self.since}"
        parts = [f"{'tăng' if up else 'giảm'} {said}" for up, said in moved]
        return f", {_join(parts)} so với {self.since}"

    def withheld(self, values: Mapping[str, int], *, sensitive: bool) -> set[str]:
        """The parts of a breakdown a report for publication withholds: the small ones and those from
        which a small one could be worked out (`core.disclosure.suppressed_cells`)."""
        if not (self.publish and sensitive):
            return set()
        codes = [c for c, v in values.items() if v]
        cells = [[values[c]] for c in codes]
        return {codes[r] for r, _c in disclosure.suppressed_cells(cells, rows_have_totals=False)}

    def breakdown(
        self, values: Mapping[str, int], labels: Mapping[str, str], phrase: str, *, sensitive: bool
    ) -> list[str]:
        """The non-zero parts of a breakdown as phrases (`phrase` formats `n` and `label`), largest
        first; for publication a small part reads "dưới 5" and its complements are left out."""
        hidden = self.withheld(values, sensitive=sensitive)
        out = []
        for code in sorted((c for c, v in values.items() if v), key=lambda c: -values[c]):
            if code in hidden and not disclosure.is_small(values[code]):
                continue  # a complement: shown, it would give the small part away
            number = f"dưới {disclosure.threshold()}" if code in hidden else vi_number(values[code])
            out.append(phrase.format(n=number, label=labels.get(code, code)))
        return out


class _Text:
    """Sentences gathered into paragraphs: `add` a sentence to the paragraph under way, `new` to start
    the next one."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str]] = [[]]

    def add(self, sentence: str) -> None:
        if sentence:
            self.paragraphs[-1].append(sentence)

    def new(self) -> None:
        if self.paragraphs[-1]:
            self.paragraphs.append([])

    def __bool__(self) -> bool:
        return any(self.paragraphs)

    def result(self) -> list[str]:
        return [" ".join(p) for p in self.paragraphs if p]


# Sections ---------------------------------------------------------------------------------------------------

_OTHER_COMMUNICATION = (
    # kind, verb, noun of the count, whether its person-times are stated
    ("talk", "tổ chức", "buổi nói chuyện chuyên đề", True),
    ("campaign_event", "tổ chức", "lễ phát động, sự kiện truyền thông", True),
    ("contest", "tổ chức", "cuộc thi", True),
    ("camp", "tổ chức", "trại hè, hội trại", True),
    ("media_item", "thực hiện", "tin, bài, phóng sự trên các phương tiện thông tin đại chúng", False),
    ("panel", "lắp đặt", "pa-nô, áp phích", False),
)


def _communication(w: _Writer) -> list[str]:
    """What was done (sessions first, then the rest), the materials and campaigns, then who took part."""
    now = w.section("activities")
    if now is None:
        return []
    then = w.section("activities", before=True) or {}
    kinds = now.get("activities_by_kind") or {}
    times = now.get("person_times_by_kind") or {}
    kinds_then = then.get("activities_by_kind") or {}
    times_then = then.get("person_times_by_kind") or {}
    done: list[str] = []

    sessions, reached = kinds.get("session", 0), times.get("session", 0)
    if sessions:
        text = f"{w.opening} đã tổ chức {vi_number(sessions)} buổi truyền thông trực tiếp"
        if reached:
            text += f" cho {vi_number(reached)} lượt người"
        text += w.change(
            [
                (sessions, kinds_then.get("session"), "buổi"),
                (reached or None, times_then.get("session"), "lượt người"),
            ]
        )
        done.append(_sentence(text))
    others = []
    for kind, verb, noun, with_times in _OTHER_COMMUNICATION:
        n = kinds.get(kind, 0)
        if not n:
            continue
        phrase = f"{verb} {vi_number(n)} {noun}"
        if with_times and times.get(kind):
            phrase += f" với {vi_number(times[kind])} lượt người tham gia"
        others.append(phrase)
    if others:
        lead = "Ngoài ra, " if sessions else f"{w.opening} đã "
        done.append(_sentence(lead + "; ".join(others)))

    spread: list[str] = []
    materials = now.get("material_quantity_by_kind") or {}
    printed = [f"{vi_number(q)} {MATERIALS.get(k, k)}" for k, q in materials.items() if q]
    if printed:
        spread.append(_sentence("Biên soạn, in ấn và cấp phát " + "; ".join(printed)))
    for campaign in now.get("campaigns") or ():
        if not campaign.get("activities"):
            continue
        plan = f" (Kế hoạch số {campaign['plan_number']})" if campaign.get("plan_number") else ""
        spread.append(
            _sentence(
                f"Hưởng ứng {campaign['name']}{plan}, tổ chức {vi_number(campaign['activities'])} hoạt động"
            )
        )

    who: list[str] = []
    total = now.get("person_times") or 0
    if total:
        by_group = {
            group: sum(v for v in sexes.values() if isinstance(v, int))
            for group, sexes in (now.get("person_times_by_group_sex") or {}).items()
        }
        parts = [f"{vi_number(n)} lượt {GROUPS.get(g, g)}" for g, n in by_group.items() if n]
        text = f"Tính chung các hoạt động, có {vi_number(total)} lượt người tham gia"
        if len(parts) > 1:
            text += ", gồm: " + "; ".join(parts)
        who.append(_sentence(text))
    persons = now.get("unique_persons") or 0
    if persons:
        children = (now.get("unique_persons_by_group") or {}).get("children") or 0
        text = (
            f"Theo danh sách tham gia, {vi_number(persons)} người đã được ghi nhận "
            "(mỗi người chỉ tính một lần)"
        )
        if children and children != persons:
            text += f", trong đó có {vi_number(children)} trẻ em"
        who.append(_sentence(text))
    return [" ".join(paragraph) for paragraph in (done, spread, who) if paragraph]


def _training(w: _Writer) -> list[str]:
    now = w.section("activities")
    if now is None:
        return []
    then = w.section("activities", before=True) or {}
    courses = (now.get("activities_by_kind") or {}).get("training", 0)
    if not courses:
        return [f"{w.period}, chưa ghi nhận lớp tập huấn nâng cao năng lực nào."]
    times = (now.get("person_times_by_kind") or {}).get("training", 0)
    text = f"{w.opening} đã tổ chức {vi_number(courses)} lớp tập huấn nâng cao năng lực"
    if times:
        text += f" cho {vi_number(times)} lượt người"
    text += w.change(
        [
            (courses, (then.get("activities_by_kind") or {}).get("training"), "lớp"),
            (times or None, (then.get("person_times_by_kind") or {}).get("training"), "lượt người"),
        ]
    )
    return [_sentence(text)]


def _participation(w: _Writer) -> list[str]:
    out = _Text()
    activities = w.section("activities")
    if activities is not None:
        then = w.section("activities", before=True) or {}
        kinds = activities.get("activities_by_kind") or {}
        times = activities.get("person_times_by_kind") or {}
        parts = []
        for kind, noun in (("forum", "diễn đàn trẻ em"), ("consultation", "buổi tham vấn ý kiến trẻ em")):
            if not kinds.get(kind):
                continue
            phrase = f"{vi_number(kinds[kind])} {noun}"
            if times.get(kind):
                phrase += f" với {vi_number(times[kind])} lượt người tham gia"
            if kind == "forum":
                phrase += w.change(
                    [(kinds[kind], (then.get("activities_by_kind") or {}).get(kind), "diễn đàn")]
                )
            parts.append(phrase)
        if parts:
            out.add(_sentence(f"{w.opening} đã tổ chức " + "; ".join(parts)))
        forums = _forums(activities.get("forums") or ())
        if forums:
            out.add(_sentence("Các diễn đàn gồm: " + "; ".join(forums)))
        out.new()

    voices = w.section("participation")
    if voices is not None:
        received = voices.get("voices_received") or 0
        if received:
            steps = [
                f"đã chuyển {vi_number(voices['voices_forwarded'])} ý kiến đến các cơ quan, đơn vị "
                "có liên quan"
                if voices.get("voices_forwarded")
                else "",
                f"{vi_number(voices['voices_answered'])} ý kiến đã được trả lời"
                if voices.get("voices_answered")
                else "",
                f"{vi_number(voices['voices_resolved'])} ý kiến đã được giải quyết"
                if voices.get("voices_resolved")
                else "",
            ]
            text = f"Tiếp nhận {vi_number(received)} ý kiến, nguyện vọng của trẻ em"
            rest = [s for s in steps if s]
            if rest:
                text += "; " + "; ".join(rest)
            out.add(_sentence(text))
        meetings = voices.get("council_meetings") or 0
        if meetings:
            members = voices.get("council_members") or 0
            council = f"Hội đồng trẻ em {w.own_level}"
            if members:
                council += f" ({vi_number(members)} thành viên)"
            out.add(_sentence(f"{council} đã tổ chức {vi_number(meetings)} phiên họp"))
        out.new()

    clubs = w.section("clubs")
    if clubs is not None and clubs.get("clubs"):
        then = w.section("clubs", before=True) or {}
        by_kind = clubs.get("clubs_by_kind") or {}
        where = clubs.get("sub_units_by_kind") or {}
        parts = []
        for kind, n in by_kind.items():
            if not n:
                continue
            phrase = f"{vi_number(n)} {CLUB_KINDS.get(kind, kind)}"
            if w.sub_units and where.get(kind):
                total = f"/{vi_number(w.sub_units_total)}" if w.sub_units_total else ""
                phrase += f" ở {vi_number(where[kind])}{total} {w.sub_units}"
            parts.append(phrase)
        text = f"Duy trì {vi_number(clubs['clubs'])} câu lạc bộ, đội, nhóm"
        if clubs.get("members"):
            text += f" với {vi_number(clubs['members'])} thành viên"
        text += w.change([(clubs["clubs"], then.get("clubs"), "câu lạc bộ, đội, nhóm")])
        if len(parts) > 1 or (parts and w.sub_units):
            text += ", gồm: " + "; ".join(parts)
        out.add(_sentence(text))
        meetings = clubs.get("club_meetings") or 0
        if meetings:
            text = f"Các câu lạc bộ đã tổ chức {vi_number(meetings)} buổi sinh hoạt"
            times = ((activities or {}).get("person_times_by_kind") or {}).get("club_meeting")
            if times:
                text += f" với {vi_number(times)} lượt người tham gia"
            out.add(_sentence(text))
    return out.result()


_MOST_FORUMS_NAMED = 6  # beyond that (a phase's hundred forums) the count says enough


def _forums(forums: Iterable[Mapping[str, Any]]) -> list[str]:
    """Each forum as the sources name it ("Diễn đàn trẻ em tỉnh … với chủ đề “…” có 90 lượt trẻ em và 16
    lượt người lớn tham gia"), those of one theme and organiser together ("3 diễn đàn “Điều em muốn
    nói” do … tổ chức với 2.056 lượt người tham gia"); [] when there are too many to name."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for forum in forums:
        if isinstance(forum, Mapping):
            key = (str(forum.get("theme") or forum.get("title") or ""), str(forum.get("organiser") or ""))
            groups.setdefault(key, []).append(forum)
    if not groups or len(groups) > _MOST_FORUMS_NAMED:
        return []
    out = []
    # The forums named one by one first (the province's own), then those held as a series.
    for (theme, organiser), same in sorted(groups.items(), key=lambda item: len(item[1]) > 1):
        children = sum(int(f.get("children") or 0) for f in same)
        adults = sum(int(f.get("adults") or 0) for f in same)
        if len(same) == 1:
            title = str(same[0].get("title") or "Diễn đàn trẻ em")
            text = title + (f" với chủ đề “{theme}”" if theme and theme not in title else "")
            who = _join(
                [
                    f"{vi_number(children)} lượt trẻ em" if children else "",
                    f"{vi_number(adults)} lượt người lớn" if adults else "",
                ]
            )
            out.append(f"{text} có {who} tham gia" if who else text)
        else:
            text = f"{len(same)} diễn đàn" + (f" “{theme}”" if theme else "")
            text += f" do {organiser} tổ chức" if organiser else ""
            if children + adults:
                text += f" với {vi_number(children + adults)} lượt người tham gia"
            out.append(text)
    return out


def _support(w: _Writer) -> list[str]:
    """Payments (by kind of support), gifts by occasion, alternative care, then the care models."""
    support = w.section("support")
    out = _Text()
    if support is not None:
        for sentence in _payments(w, support):
            out.add(sentence)
        out.new()
        for sentence in _gifts(w, support):
            out.add(sentence)
        out.new()
        care = support.get("alternative_care") or 0
        if care:
            text = f"Bố trí chăm sóc thay thế cho {w.count(care, 'trường hợp trẻ em', sensitive=True)}"
            parts = w.breakdown(
                support.get("alternative_care_by_kind") or {},
                CARE_KINDS,
                "{n} trường hợp {label}",
                sensitive=True,
            )
            if len(parts) > 1 and not w.small(care, True):
                text += " (" + "; ".join(parts) + ")"
            out.add(_sentence(text))
    out.new()
    clubs = w.section("clubs")
    if clubs is not None and clubs.get("care_models"):
        names = []
        for kind, n in (clubs.get("care_models_by_kind") or {}).items():
            if n:
                label = CARE_MODELS.get(kind, kind)
                names.append(label if n == 1 else f"{label} ({vi_number(n)} mô hình)")
        text = f"Duy trì {vi_number(clubs['care_models'])} mô hình chăm sóc, bảo vệ trẻ em"
        if names:
            text += ": " + "; ".join(names)
        out.add(_sentence(text))
    return out.result()


def _payments(w: _Writer, support: Mapping[str, Any]) -> list[str]:
    paid = support.get("disbursements") or 0
    if not paid:
        return []
    then = w.section("support", before=True) or {}
    amount = support.get("disbursed_amount") or 0
    text = f"{w.opening} đã hỗ trợ {w.count(paid, 'lượt trẻ em', sensitive=True)}"
    if amount:
        text += f" với tổng kinh phí {vi_million(amount)}"
    text += w.change([(paid, then.get("disbursements"), "lượt trẻ em")], sensitive=True)
    by_kind = {k: v for k, v in (support.get("by_kind") or {}).items() if isinstance(v, Mapping)}
    counts = {k: int(v.get("count") or 0) for k, v in by_kind.items()}
    if sum(1 for n in counts.values() if n) > 1 and not w.small(paid, True):
        hidden = w.withheld(counts, sensitive=True)
        parts = []
        for code in sorted((c for c in counts if counts[c]), key=lambda c: -counts[c]):
            label = PROGRAMME_KINDS.get(code, code)
            if code in hidden:
                # a small count reads "dưới 5" without its amount (a fixed rate would give it away);
                # a complement is left out
                if disclosure.is_small(counts[code]):
                    parts.append(f"{label} dưới {disclosure.threshold()} lượt trẻ em")
                continue
            phrase = f"{label} {vi_number(counts[code])} lượt trẻ em"
            if by_kind[code].get("amount"):
                phrase += f" ({vi_million(int(by_kind[code]['amount']))})"
            parts.append(phrase)
        text += ", gồm: " + "; ".join(parts)
    out = [_sentence(text)]
    children = support.get("children_supported") or 0
    if children:
        out.append(
            _sentence(
                "Số trẻ em được hỗ trợ (mỗi trẻ em chỉ tính một lần) là "
                + w.count(children, "trẻ em", sensitive=True)
            )
        )
    return out


def _gifts(w: _Writer, support: Mapping[str, Any]) -> list[str]:
    out = []
    for code, gifts in (support.get("gifts_by_occasion") or {}).items():
        if not isinstance(gifts, Mapping):
            continue
        reached = gifts.get("children_reached") or 0
        visited = gifts.get("children_visited_given_gifts") or 0
        value = gifts.get("total_value") or 0
        parts = []
        if reached:
            who = w.count(reached, "lượt trẻ em", sensitive=True)
            parts.append(f"{who} được tham gia các hoạt động vui chơi, nhận quà")
        if visited:
            parts.append(f"thăm, tặng quà {w.count(visited, 'lượt trẻ em', sensitive=True)}")
        if value:
            parts.append(f"tổng kinh phí {vi_million(value)}")
        if parts:
            out.append(_sentence(f"Nhân dịp {GIFT_OCCASIONS.get(code, code)}, " + "; ".join(parts)))
    return out


# What an indicator's count counts, from the start of its name, and the word a difference takes.
_COUNTED = (
    ("trẻ em", "trẻ"),
    ("lượt người", "lượt người"),
    ("lượt trẻ em", "lượt trẻ em"),
    ("vụ", "vụ"),
    ("buổi", "buổi"),
    ("lớp", "lớp"),
    ("xã", "xã"),
)


def _indicator_phrase(w: _Writer, row: Mapping[str, Any], *, compare: bool = True) -> str:
    """ "28 trẻ em tử vong do tai nạn thương tích, giảm 1 trẻ so với năm 2019"; "100% trẻ em có hoàn cảnh
    đặc biệt được trợ giúp"; "" when the value is missing (or withheld without a count to say)."""
    name = str(row.get("name", ""))
    measure = row.get("measure")
    value = row.get("value")
    if measure == "count":
        rest = name.removeprefix("Số ") if name.startswith("Số ") else _lower_first(name)
        if row.get("suppressed"):
            return f"dưới {disclosure.threshold()} {rest}"
        if value is None:
            return ""
        text = f"{_num(value)} {rest}"
    else:
        if value is None or row.get("suppressed"):
            return ""
        if measure == "percent":
            rest = name.removeprefix("Tỷ lệ ") if name.startswith("Tỷ lệ ") else _lower_first(name)
            text = f"{_num(value)}% {rest}"
        else:
            text = f"{name} là {_num(value)}{'‰' if measure == 'per_mille' else ''}"
    previous = row.get("previous")
    if compare and previous not in (None, 0, "0") and not row.get("suppressed") and w.indicator_since:
        diff = Decimal(str(value)) - Decimal(str(previous))
        if measure == "count":
            noun = next((f" {short}" for long, short in _COUNTED if rest.startswith(long)), "")
        else:
            noun = " điểm phần trăm" if measure == "percent" else ""
        if diff:
            text += f", {'tăng' if diff > 0 else 'giảm'} {_num(abs(diff))}{noun} so với {w.indicator_since}"
        else:
            text += f", bằng {w.indicator_since}"
    return text


def _target(row: Mapping[str, Any]) -> str:
    kind = row.get("target_kind")
    if kind == "below_previous":
        return "giảm so với kỳ trước"
    if kind == "above_previous":
        return "tăng so với kỳ trước"
    target = row.get("target")
    if target is None:
        return ""
    suffix = {"percent": "%", "per_mille": "‰"}.get(str(row.get("measure")), "")
    return f"{_num(target)}{suffix}"


def _protection(w: _Writer) -> list[str]:
    out = _Text()
    contacts = w.metric("intake.contacts")
    if contacts:
        text = (
            f"{w.opening} đã tiếp nhận {vi_number(contacts)} cuộc gọi, thông tin qua đường dây nóng "
            "và các kênh khác"
        )
        data = w.metric("intake.data_contacts")
        if data and data != contacts:
            text += (
                f", trong đó {vi_number(data)} cuộc có nội dung tư vấn, cung cấp thông tin, "
                "thông báo về trẻ em"
            )
        out.add(_sentence(text))

    opened, closed = w.metric("cases.opened"), w.metric("cases.closed")
    case_work = []
    if opened:
        case_work.append(
            f"mở {w.count(opened, 'hồ sơ', sensitive=True)} quản lý trường hợp trẻ em cần hỗ trợ, can thiệp "
            "theo Nghị định số 56/2017/NĐ-CP"
        )
    if closed:
        what = "" if opened else " quản lý trường hợp trẻ em"
        case_work.append(f"kết thúc {w.count(closed, 'hồ sơ', sensitive=True)}{what}")
    if case_work:
        out.add(_sentence(("" if out else f"{w.opening} đã ") + "; ".join(case_work)))
    out.new()

    incidents = w.metric("cases.incidents")
    children = w.metric("cases.abused_children")
    lead = "" if out else w.opening
    if incidents == 0 and children in (0, None):
        out.add(_sentence(f"{lead} chưa ghi nhận vụ xâm hại trẻ em nào".strip()))
    elif incidents is not None or children:
        parts = []
        if incidents:
            parts.append(f"xảy ra {w.count(incidents, 'vụ xâm hại trẻ em', sensitive=True)}")
        if children:
            link = "với" if incidents else "có"
            parts.append(f"{link} {w.count(children, 'trẻ em bị xâm hại', sensitive=True)}")
        text = f"{lead} " + " ".join(parts) if lead else " ".join(parts)
        text += w.change([(incidents, w.metric("cases.incidents", before=True), "vụ")], sensitive=True)
        change = w.change([(children, w.metric("cases.abused_children", before=True), "trẻ")], sensitive=True)
        if change:
            text += "; số trẻ em bị xâm hại" + change.lstrip(",")
        out.add(_sentence(text))
        if incidents and not w.small(incidents, True):
            forms = w.by("cases.incidents", "form")
            parts = w.breakdown(forms, ABUSE_FORMS, "{n} vụ {label}", sensitive=True)
            if parts and (len(parts) > 1 or sum(forms.values()) != incidents):
                note = " (một vụ có thể có nhiều hình thức)" if sum(forms.values()) > incidents else ""
                out.add(_sentence("Theo hình thức xâm hại" + note + ": " + "; ".join(parts)))
        if children and not w.small(children, True):
            groups = [
                w.breakdown(
                    w.by("cases.abused_children", "sex"),
                    {"M": "trẻ em trai", "F": "trẻ em gái", "unknown": "trẻ chưa rõ giới tính"},
                    "{n} {label}",
                    sensitive=True,
                ),
                w.breakdown(
                    w.by("cases.abused_children", "age_group"), AGE_GROUPS, "{n} trẻ {label}", sensitive=True
                ),
                w.breakdown(
                    {k: v for k, v in w.by("cases.abused_children", "form").items() if k == "sexual"},
                    {"sexual": "bị xâm hại tình dục"},
                    "{n} trẻ {label}",
                    sensitive=True,
                ),
            ]
            groups = [g for g in groups if g]
            if groups:
                said = f"dưới {disclosure.threshold()}" if w.small(children, True) else vi_number(children)
                out.add(
                    _sentence(
                        f"Trong số {said} trẻ em bị xâm hại có " + "; ".join(", ".join(g) for g in groups)
                    )
                )

    out.new()
    legal = []
    perpetrators = w.metric("cases.perpetrators")
    if perpetrators:
        legal.append(f"xác định {w.count(perpetrators, 'đối tượng xâm hại trẻ em', sensitive=True)}")
    prosecuted, accused = w.metric("cases.prosecuted_incidents"), w.metric("cases.accused_persons")
    if prosecuted:
        phrase = f"khởi tố {w.count(prosecuted, 'vụ', sensitive=True)}"
        if accused:
            phrase += f" với {w.count(accused, 'bị can', sensitive=True)}"
        legal.append(phrase)
    sanctioned, persons = w.metric("cases.administrative_incidents"), w.metric("cases.administrative_persons")
    if sanctioned:
        phrase = f"xử phạt vi phạm hành chính {w.count(sanctioned, 'vụ', sensitive=True)}"
        if persons:
            phrase += f" với {w.count(persons, 'đối tượng', sensitive=True)}"
        legal.append(phrase)
    if legal:
        out.add(_sentence("Các cơ quan chức năng đã " + "; ".join(legal)))

    out.new()
    injury, drowning = w.indicator("MN-BV-08"), w.indicator("MN-BV-10")
    deaths = [_indicator_phrase(w, row) if row else "" for row in (injury, drowning)]
    if all(deaths) and injury and drowning and injury.get("value") != drowning.get("value"):
        out.add(_sentence(f"Có {deaths[0]}; trong đó {deaths[1]}"))
    elif deaths[0] or deaths[1]:
        out.add(_sentence(f"Có {deaths[0] or deaths[1]}"))
    return out.result()


def _results(w: _Writer) -> list[str]:
    rows = [r for r in w.s.get("indicators") or () if isinstance(r, Mapping)]
    judged = [r for r in rows if r.get("status") in ("met", "not_met", "in_progress")]
    out: list[str] = []
    if judged:
        met = sum(r.get("status") == "met" for r in judged)
        decided = sum(r.get("status") in ("met", "not_met") for r in judged)
        if decided:
            out.append(_sentence(f"{w.period}, {w.subject} đạt {met}/{decided} chỉ tiêu về trẻ em đã đề ra"))
        for row in judged:
            phrase = _indicator_phrase(w, row, compare=False)
            if not phrase:
                continue
            status = row.get("status")
            target = _target(row)
            if status == "met":
                phrase += ", đạt chỉ tiêu" + (
                    f" ({target})" if target and row.get("target_kind") != "level" else ""
                )
            elif status == "not_met":
                phrase += ", chưa đạt chỉ tiêu" + (f" (chỉ tiêu: {target})" if target else "")
            else:
                phrase += f" (chỉ tiêu cả năm: {target})" if target else ""
            out.append("- " + _upper_first(phrase) + ".")
    others = []
    for row in rows:
        if row in judged or row.get("code") in _STATED_IN_SECTIONS:
            continue
        if row.get("value") in (None, 0, "0") and not row.get("suppressed"):
            continue
        phrase = _indicator_phrase(w, row)
        if phrase:
            others.append(phrase)
    if others:
        out.append(_sentence("Một số chỉ số về trẻ em: " + "; ".join(others)))
    return out


_SECTIONS = {
    SectionKey.COMMUNICATION: _communication,
    SectionKey.TRAINING: _training,
    SectionKey.PARTICIPATION: _participation,
    SectionKey.SUPPORT: _support,
    SectionKey.PROTECTION: _protection,
    SectionKey.RESULTS: _results,
}


def generate(snapshot: dict[str, Any]) -> dict[str, str]:
    """The text of each data section (SectionKey value → text) from a `figures.collect` snapshot;
    the officer's sections (difficulties, tasks) are "". Paragraphs are separated by a blank line."""
    w = _Writer(snapshot)
    texts = {str(key): "" for key in SectionKey.values}
    for key, write in _SECTIONS.items():
        texts[str(key)] = "\n\n".join(p for p in write(w) if p)
    return texts


def default_title(snapshot: dict[str, Any]) -> str:
    """ "Báo cáo kết quả thực hiện công tác trẻ em năm 2020" (or "… 6 tháng đầu năm 2020",
    "… giai đoạn 2016-2020")."""
    period = snapshot.get("period") or {}
    phrase = _period_phrase(str(snapshot.get("kind", "")), str(period.get("key", "")))
    return f"Báo cáo kết quả thực hiện công tác trẻ em {_lower_first(phrase)}"


def default_place(unit: AdminUnit) -> str:
    """The place of the date line: the unit's short name ("Quảng Ninh", "Hạ Long"), as the forms print it."""
    return unit.short_name or unit.name
