"""The activities import's template: the sheet "Hoạt động" with its headings, and a sheet of instructions
listing every column and the codes accepted (in Vietnamese and in English)."""

from __future__ import annotations

from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _

from mangnon.core.xlsx_import import spooled, template_workbook

from .codes import ActivityKind, FundingSource, Group
from .importing import COLUMNS, GROUP_HEADINGS, MATERIAL_HEADINGS, SEX_HEADINGS, SHEET

FILENAME = "mau-nhap-hoat-dong.xlsx"


def codes(choices: Any) -> str:
    """'session = buổi truyền thông trực tiếp / direct communication session; …'"""
    parts = []
    for value, label in choices.choices:
        with translation.override("vi"):
            vietnamese = str(label)
        with translation.override("en"):
            english = str(label)
        parts.append(f"{value} = {vietnamese} / {english}")
    return "; ".join(parts)


def guide() -> list[tuple[str, str]]:
    heading = {c.key: c.heading for c in COLUMNS}
    rows = [
        (
            heading["reference"],
            _(
                "Required. Your unit's own number for the activity (e.g. HD-2026-014): importing a row with "
                "the same reference and unit again adds nothing."
            ),
        ),
        (
            heading["kind"],
            _("Required. The kind of activity, as a code, in Vietnamese or in English: %(codes)s.")
            % {"codes": codes(ActivityKind)},
        ),
        (heading["title"], _("Required. The activity's title.")),
        (
            heading["unit"],
            _(
                "The code of the commune or district where it took place, as on the start date; empty means "
                "the unit you import for."
            ),
        ),
        (heading["start"], _("Required. The first day, day first (e.g. 05/03/2026), or a date cell.")),
        (heading["end"], _("The last day; empty means the same day.")),
        (
            heading["organiser"],
            _("The organiser: the name of an organisation of the directory, or any name."),
        ),
        (heading["theme"], _("The theme.")),
        (
            heading["campaign"],
            _(
                "The name or plan number of an existing campaign of the province (e.g. 67/KH-UBND); empty "
                "if none."
            ),
        ),
        (heading["groups"], _("Target groups, separated by commas: %(codes)s.") % {"codes": codes(Group)}),
        (heading["funding"], _("Funding source: %(codes)s.") % {"codes": codes(FundingSource)}),
        (heading["cost"], _("The cost in whole đồng, without decimals (e.g. 1500000).")),
    ]
    tallies = ", ".join(f"{g} - {s}" for g in GROUP_HEADINGS.values() for s in SEX_HEADINGS.values())
    rows.append(
        (
            _("Participants (person-times)"),
            _(
                "One column per group and sex (%(columns)s): the number of person-times (lượt người), a "
                "whole number; empty means 0. A person who came twice counts twice."
            )
            % {"columns": tallies},
        )
    )
    rows.append(
        (
            _("Materials (quantities)"),
            _(
                "One column per kind of material (%(columns)s): how many were produced or handed out; empty "
                "means none."
            )
            % {"columns": ", ".join(MATERIAL_HEADINGS.values())},
        )
    )
    rows.append(("", ""))
    rows.append(
        (
            _("Example"),
            "HD-2026-014 | training | Tập huấn kỹ năng phòng chống xâm hại cho cha mẹ | 06688 | 10/03/2026 | "
            "10/03/2026 | Hội Liên hiệp Phụ nữ | Phòng chống xâm hại trẻ em | 67/KH-UBND | "
            "parents_caregivers | "
            "state_budget | 1500000 | Cha mẹ, người chăm sóc - Nam: 5 | Cha mẹ, người chăm sóc - Nữ: 12 | "
            "Tờ rơi: 100",
        )
    )
    return rows


def template_file() -> IO[bytes]:
    text_columns = tuple(
        i for i, c in enumerate(COLUMNS, start=1) if c.key in ("reference", "unit", "start", "end")
    )
    book = template_workbook(
        sheet_title=SHEET, headings=[c.heading for c in COLUMNS], text_columns=text_columns, guide=guide()
    )
    return spooled(book)
