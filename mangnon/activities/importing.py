"""Import of activities from the districts' and communes' XLSX reports (docs/activities-import.md).

One row per activity: its reference (the reporting unit's own number), kind, title, unit, dates,
organiser, theme, campaign, target groups, funding and cost, then its tally grid (person-times of each
group by sex) and its materials (quantities). Each row is written through `services.activity_record`,
the entry form's service, so the rules are the form's; the steps (dry run, all-or-nothing import,
progress, per-row report) are core.row_import's. Re-importing a file adds nothing: a row whose
reference is already recorded at its unit counts as existing.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core.row_import import Column, Row, RowImport, code_lookup, split_codes
from mangnon.core.text import normalize_name
from mangnon.core.xlsx_import import register_words, show
from mangnon.geo.models import AdminUnit
from mangnon.orgs.models import Organisation
from mangnon.registry import import_problems  # noqa: F401  (the words of file and cell problems)
from mangnon.registry.models import ImportJob, ImportProblem
from mangnon.registry.services import province_of

from .codes import ActivityKind, AgeBand, FundingSource, Group, MaterialKind, TallySex
from .models import Activity, Campaign
from .services import activity_record

SHEET = "Hoạt động"
GUIDE_SHEET = "Hướng dẫn"

# The tally columns: each group by sex, in person-times (lượt người). The headings are the file format.
GROUP_HEADINGS = {
    Group.CHILDREN: "Trẻ em",
    Group.PARENTS: "Cha mẹ, người chăm sóc",
    Group.OFFICERS: "Cán bộ",
    Group.TEACHERS: "Giáo viên",
    Group.COLLABORATORS: "Cộng tác viên",
    Group.OTHER: "Đối tượng khác",
}
SEX_HEADINGS = {TallySex.MALE: "Nam", TallySex.FEMALE: "Nữ", TallySex.UNKNOWN: "Không rõ giới tính"}
MATERIAL_HEADINGS = {
    MaterialKind.LEAFLET: "Tờ rơi",
    MaterialKind.BOOKLET: "Tờ gấp, sách mỏng",
    MaterialKind.HANDBOOK: "Sổ tay",
    MaterialKind.PANEL: "Pa nô, áp phích",
    MaterialKind.VIDEO: "Video",
    MaterialKind.NEWS_ITEM: "Tin bài",
}


# Short names the reports use besides the labels (the labels, codes and English labels are accepted too).
KIND_SHORT_NAMES = {
    "truyền thông trực tiếp": ActivityKind.SESSION,
    "nói chuyện": ActivityKind.TALK,
    "tập huấn": ActivityKind.TRAINING,
    "diễn đàn": ActivityKind.FORUM,
    "sinh hoạt câu lạc bộ": ActivityKind.CLUB_MEETING,
    "tham vấn": ActivityKind.CONSULTATION,
}


def tally_key(group: str, sex: str) -> str:
    return f"t_{group}_{sex}"


COLUMNS: tuple[Column, ...] = (
    Column("reference", "Số tham chiếu", ("so tham chieu", "so hieu", "ma hoat dong"), 60, required=True),
    Column("kind", "Loại hoạt động", ("loai hoat dong", "loai", "hinh thuc"), required=True),
    Column("title", "Tên hoạt động", ("ten hoat dong", "noi dung"), 300, required=True),
    Column("unit", "Mã đơn vị (xã/huyện)", ("ma don vi", "ma xa", "ma huyen")),
    Column("start", "Ngày bắt đầu (dd/mm/yyyy)", ("ngay bat dau", "tu ngay", "ngay"), required=True),
    Column("end", "Ngày kết thúc (dd/mm/yyyy)", ("ngay ket thuc", "den ngay")),
    Column("organiser", "Đơn vị tổ chức", ("don vi to chuc", "co quan to chuc", "to chuc"), 300),
    Column("theme", "Chủ đề", ("chu de",), 500),
    Column("campaign", "Chiến dịch (tên hoặc số kế hoạch)", ("chien dich", "ke hoach"), 255),
    Column("groups", "Đối tượng", ("doi tuong", "nhom doi tuong")),
    Column("funding", "Nguồn kinh phí", ("nguon kinh phi", "nguon")),
    Column("cost", "Kinh phí (đồng)", ("kinh phi", "chi phi")),
    *(
        Column(tally_key(g, s), f"{GROUP_HEADINGS[g]} - {SEX_HEADINGS[s]} (lượt người)")
        for g in GROUP_HEADINGS
        for s in SEX_HEADINGS
    ),
    *(Column(f"m_{kind}", f"{heading} (số lượng)") for kind, heading in MATERIAL_HEADINGS.items()),
)

register_words(
    {
        "activity.campaign_unknown": translation.gettext_lazy(
            "No campaign of the province has the name or plan number “%(value)s”."
        ),
    }
)


class ActivityImport(RowImport):
    kind = ImportJob.Kind.ACTIVITIES
    action = Action.ACTIVITY_RECORD
    sheet_title = SHEET
    columns = COLUMNS
    job_model = ImportJob
    problem_model = ImportProblem
    model = Activity
    service_fields = {
        "kind": "kind",
        "title": "title",
        "admin_unit": "unit",
        "start_date": "start",
        "end_date": "end",
        "organiser": "organiser",
        "campaign": "campaign",
        "target_groups": "groups",
        "funding_source": "funding",
        "cost": "cost",
    }
    unit_column = "unit"

    def __init__(self, job: Any) -> None:
        super().__init__(job)
        self.scope = scope_for(self.actor, Action.ACTIVITY_RECORD)
        self.kinds = code_lookup(ActivityKind, KIND_SHORT_NAMES)
        self.groups = code_lookup(Group, {label: g for g, label in GROUP_HEADINGS.items()})
        self.funding = code_lookup(FundingSource)
        self.units: dict[tuple[str, Any], AdminUnit | None] = {}
        self.campaigns: dict[int, list[Campaign]] = {}
        self.organisations: dict[int, dict[str, Organisation]] = {}

    # Parsing ---------------------------------------------------------------------------------------

    def parse(self, row: Row) -> None:
        d = row.data
        d["kind"] = self._code(row, "kind", self.kinds)
        d["title"] = row.text("title")
        d["start"] = row.date("start")
        d["end"] = row.date("end") or d["start"]
        d["theme"] = row.text("theme")
        d["groups"] = [
            g
            for g in (self._code(row, "groups", self.groups, p) for p in split_codes(row.text("groups")))
            if g
        ]
        d["funding"] = self._code(row, "funding", self.funding) if row.text("funding") else ""
        d["cost"] = row.whole("cost")
        d["tallies"] = []
        for group in GROUP_HEADINGS:
            for sex in SEX_HEADINGS:
                count = row.whole(tally_key(group, sex))
                if count:
                    d["tallies"].append(
                        {"group": group, "sex": sex, "age_band": AgeBand.UNKNOWN, "count": count}
                    )
        d["materials"] = []
        for kind, heading in MATERIAL_HEADINGS.items():
            quantity = row.whole(f"m_{kind}")
            if quantity:
                d["materials"].append({"title": heading, "kind": kind, "quantity": quantity})
        if d["start"] is None:
            return
        unit = self._unit(row, d["start"])
        if unit is None:
            return
        d["unit"] = unit
        province = province_of(unit)
        d["campaign"] = self._campaign(row, province)
        d["organiser"], d["organiser_text"] = self._organiser(row.text("organiser"), province)

    def _code(self, row: Row, key: str, lookup: dict[str, str], value: str | None = None) -> str:
        text = row.text(key) if value is None else value
        code = lookup.get(normalize_name(text))
        if code is None:
            row.problem(key, "cell.unknown_code", value=show(text))
            return ""
        return code

    def _unit(self, row: Row, day: Any) -> AdminUnit | None:
        code = row.text("unit")
        if not code:
            unit: AdminUnit | None = self.job.admin_unit
        else:
            code = code.zfill(5) if code.isdigit() and len(code) < 5 and len(code) > 2 else code
            if (code, day) not in self.units:
                self.units[(code, day)] = AdminUnit.objects.valid_on(day).filter(code=code).first()
            unit = self.units[(code, day)]
            if unit is None:
                row.problem("unit", "unit.unknown", value=show(code), day=day.strftime("%d/%m/%Y"))
                return None
        assert unit is not None  # noqa: S101 - the job's unit, or found above
        if not self.scope.contains(unit):
            row.problem("unit", "unit.out_of_area", unit=unit.name)
            return None
        return unit

    def _campaign(self, row: Row, province: AdminUnit) -> Campaign | None:
        text = row.text("campaign")
        if not text:
            return None
        if province.pk not in self.campaigns:
            self.campaigns[province.pk] = list(Campaign.objects.filter(province=province))
        key = normalize_name(text)
        for campaign in self.campaigns[province.pk]:
            if key in (normalize_name(campaign.name), normalize_name(campaign.plan_number)):
                return campaign
        row.problem("campaign", "activity.campaign_unknown", value=show(text))
        return None

    def _organiser(self, text: str, province: AdminUnit) -> tuple[Organisation | None, str]:
        """An organisation of the directory by its name or short name, else the name as free text."""
        if not text:
            return None, ""
        if province.pk not in self.organisations:
            names: dict[str, Organisation] = {}
            for org in Organisation.objects.filter(province=province):
                for name in (org.name, org.short_name):
                    if name:
                        names.setdefault(normalize_name(name), org)
            self.organisations[province.pk] = names
        found = self.organisations[province.pk].get(normalize_name(text))
        return (found, "") if found else (None, text)

    # Writing ---------------------------------------------------------------------------------------

    def write(self, row: Row) -> int:
        d = row.data
        recorded = activity_record(
            actor=self.actor,
            fields={
                "kind": d["kind"],
                "title": d["title"],
                "organiser": d["organiser"],
                "organiser_text": d["organiser_text"],
                "admin_unit": d["unit"],
                "start_date": d["start"],
                "end_date": d["end"],
                "theme": d["theme"],
                "campaign": d["campaign"],
                "target_groups": d["groups"],
                "funding_source": d["funding"],
                "cost": d["cost"],
            },
            tallies=d["tallies"],
            materials=d["materials"],
        )
        return recorded.activity.pk
