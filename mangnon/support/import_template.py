"""The disbursements import's template: the sheet "Danh sách chi trả" with its headings, and a sheet of
instructions (every column, the programme kinds accepted in Vietnamese and in English)."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _

from mangnon.activities.import_template import codes
from mangnon.core.xlsx_import import spooled, template_workbook

from .codes import ProgrammeKind
from .importing import COLUMNS, SHEET

FILENAME = "mau-nhap-danh-sach-chi-tra.xlsx"


def guide() -> list[tuple[str, str]]:
    heading = {c.key: c.heading for c in COLUMNS}
    return [
        (
            heading["reference"],
            _(
                "Required. Your unit's own number for the payment (e.g. a voucher number): importing a row "
                "with the same reference again adds nothing."
            ),
        ),
        (
            heading["child"],
            _(
                "Required. The child's record number in the register, or the 12-digit personal ID number "
                "typed as text."
            ),
        ),
        (heading["programme"], _("Required. The code of a programme of the province (e.g. NQ222).")),
        (
            heading["kind"],
            _(
                "Optional, as a check: the programme's kind, as a code, in Vietnamese or in English: "
                "%(codes)s."
            )
            % {"codes": codes(ProgrammeKind)},
        ),
        (heading["amount"], _("Required. The amount paid, in whole đồng, without decimals (e.g. 500000).")),
        (
            heading["paid_on"],
            _(
                "Required. The day paid, day first (e.g. 05/03/2026), or a date cell. On that day the "
                "programme must be active and the child in one of the groups it supports."
            ),
        ),
        (heading["approver"], _("Required. Who approved the payment: decision number and signer.")),
        ("", ""),
        (
            _("Example"),
            "PC-2026-031 | 1024 | NQ222 | hỗ trợ học tập | 500000 | 05/03/2026 | QĐ 12/QĐ-UBND, Chủ tịch "
            "UBND xã",
        ),
    ]


def template_file() -> IO[bytes]:
    text_columns = tuple(
        i for i, c in enumerate(COLUMNS, start=1) if c.key in ("reference", "child", "programme", "paid_on")
    )
    book = template_workbook(
        sheet_title=SHEET, headings=[c.heading for c in COLUMNS], text_columns=text_columns, guide=guide()
    )
    return spooled(book)
