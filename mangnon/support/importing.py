"""Import of disbursement lists (one row per payment to a child) from XLSX (docs/support.md).

Each row names the child (record number, or personal ID number as the children import matches them),
the programme (its code), optionally the programme's kind as a check, the amount in whole đồng, the day
paid, who approved it and a stable reference (the paying unit's own number). Every row is written
through `services.disbursement_record`, the entry form's service: scope, the programme's province and
dates, and the child's eligibility by group on the day paid are its rules, reported per row. The steps
(dry run, all-or-nothing import, progress, per-row report) are core.row_import's. Re-importing a list
adds nothing: a row whose reference is already recorded at the child's commune counts as existing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core.row_import import Column, Row, RowImport, code_lookup
from mangnon.core.text import normalize_name
from mangnon.core.xlsx_import import register_words, show
from mangnon.registry import import_problems  # noqa: F401  (the words of file and cell problems)
from mangnon.registry.models import Child, ImportJob, ImportProblem
from mangnon.registry.services import province_of

from .codes import ProgrammeKind
from .models import Disbursement, Programme
from .services import disbursement_record

SHEET = "Danh sách chi trả"
ID_NUMBER_LENGTH = 12

COLUMNS: tuple[Column, ...] = (
    Column("reference", "Số tham chiếu", ("so tham chieu", "so phieu", "so chung tu"), 60, required=True),
    Column(
        "child",
        "Mã trẻ em hoặc số định danh",
        ("ma tre em hoac so dinh danh", "ma tre em", "so dinh danh", "so dinh danh ca nhan", "ma ho so"),
        required=True,
    ),
    Column("programme", "Mã chương trình", ("ma chuong trinh", "chuong trinh"), required=True),
    Column("kind", "Loại hỗ trợ", ("loai ho tro", "loai")),
    Column("amount", "Số tiền (đồng)", ("so tien", "so tien dong"), required=True),
    Column("paid_on", "Ngày chi trả (dd/mm/yyyy)", ("ngay chi tra", "ngay chi", "ngay"), required=True),
    Column("approver", "Người phê duyệt", ("nguoi phe duyet", "phe duyet", "quyet dinh"), 300, required=True),
)

register_words(
    {
        "payment.child_unknown": gettext_lazy(
            "No child with record number or personal ID number “%(value)s” among the children you may see."
        ),
        "payment.programme_unknown": gettext_lazy("No programme of the province has the code “%(value)s”."),
        "payment.kind_mismatch": gettext_lazy("The programme %(programme)s is not of the kind “%(value)s”."),
    }
)


class DisbursementImport(RowImport):
    kind = ImportJob.Kind.DISBURSEMENTS
    action = Action.SUPPORT_RECORD
    sheet_title = SHEET
    columns = COLUMNS
    job_model = ImportJob
    problem_model = ImportProblem
    model = Disbursement
    service_fields = {
        "child": "child",
        "programme": "programme",
        "amount": "amount",
        "paid_on": "paid_on",
        "approver": "approver",
        "admin_unit": "child",
    }
    unit_column = "child"

    def __init__(self, job: Any) -> None:
        super().__init__(job)
        self.visible = scope_for(self.actor, Action.CHILD_VIEW)
        self.kinds = code_lookup(ProgrammeKind)
        self.programmes = {
            normalize_name(p.code): p for p in Programme.objects.filter(province=province_of(job.admin_unit))
        }

    def parse(self, row: Row) -> None:
        d = row.data
        d["approver"] = row.text("approver")
        d["amount"] = row.whole("amount")
        d["paid_on"] = row.date("paid_on")
        d["programme"] = self.programmes.get(normalize_name(row.text("programme")))
        if d["programme"] is None:
            row.problem("programme", "payment.programme_unknown", value=show(row.values.get("programme")))
        elif row.text("kind"):
            kind = self.kinds.get(normalize_name(row.text("kind")))
            if kind is None:
                row.problem("kind", "cell.unknown_code", value=show(row.text("kind")))
            elif kind != d["programme"].kind:
                row.problem(
                    "kind",
                    "payment.kind_mismatch",
                    programme=d["programme"].code,
                    value=show(row.text("kind")),
                )
        child = self._child(row)
        if child is None:
            return
        d["child"] = child
        d["unit"] = child.admin_unit

    def _child(self, row: Row) -> Child | None:
        """The child by personal ID number (12 digits) or record number, among the children the importer
        may see (as the children import matches them); unknown otherwise, whether absent or out of view."""
        raw = row.values.get("child")
        value = row.text("child")
        children = Child.objects.filter(self.visible.q("admin_unit")).select_related("admin_unit")
        if isinstance(raw, int | float) and value.isdigit() and len(value) == ID_NUMBER_LENGTH - 1:
            value = value.zfill(ID_NUMBER_LENGTH)  # a number cell loses the leading zero
        child = None
        if value.isdigit() and len(value) == ID_NUMBER_LENGTH:
            child = children.filter(person__id_number=value).first()
        elif value.isdigit():
            child = children.filter(pk=int(value)).first()
        if child is None:
            row.problem("child", "payment.child_unknown", value=show(value))
        return child

    def write(self, row: Row) -> int:
        d = row.data
        recorded = disbursement_record(
            actor=self.actor,
            programme=d["programme"],
            child_id=d["child"].pk,
            amount=d["amount"],
            paid_on=d["paid_on"],
            approver=d["approver"],
        )
        return recorded.disbursement.pk
