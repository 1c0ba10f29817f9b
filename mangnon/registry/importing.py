"""Import of a commune's list of children from XLSX or CSV: upload, dry run, then the import itself.

The file format is Vietnamese (COLUMNS: the headings officers already use; docs/registry-import.md).
An import is an `ImportJob` in three steps:

1. `import_job_create` stores the upload under settings.UPLOAD_DIR (outside the web root), after
   checking its size and its content (an .xlsx must be a real workbook, a .csv UTF-8 text), and
   schedules the dry run.
2. `job_validate` (a background task) reads every row once, streaming (openpyxl read-only, csv
   reader), and records each problem of each row as an `ImportProblem`: a code and its parameters,
   put into plain words in the reader's language when the report is shown (import_problems); rows
   that are already registered are counted as existing, not as problems.
3. `import_job_confirm` records the officer's choice of mode and schedules `job_run`, which reads the
   file again (the registry may have changed since the dry run) and writes:
   - all or nothing: one transaction for the whole job. Any bad row rolls everything back, and so does
     a crash or a killed worker: nothing is half written.
   - valid rows only: batches of BATCH_SIZE rows, each batch in one transaction together with the job's
     `processed_rows`. A killed import therefore stops at a batch boundary, and running the job again
     resumes after `processed_rows`: no row is written twice and none is skipped. (Rows before the
     resume point are still parsed, without touching the database, so a duplicate of one of them later
     in the file is still recognised.)

Re-importing a file adds nothing: a row that matches a registered child (same personal ID number, or
the same normalised name, sex, commune and date or year of birth) counts as existing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.core.names import name_sort_key, split_name
from mangnon.core.row_import import start_import
from mangnon.core.text import normalize_name
from mangnon.core.xlsx_import import (
    CSV_SNIFF_BYTES,
    FileProblem,
    RawCell,
    UploadRefused,
    check_upload,
    csv_formula,
    heading_key,
    map_headings,
    sheet_rows,
    sniff_kind,  # noqa: F401  (the upload's check, as callers know it: importing.sniff_kind)
    spooled,
    store_upload,
)
from mangnon.core.xlsx_import import parse_dmy as _parse_dmy
from mangnon.core.xlsx_import import show as _show
from mangnon.core.xlsx_import import template_workbook as xlsx_template
from mangnon.core.xlsx_import import text as _text
from mangnon.geo.models import AdminUnit, Level

from .codes import ETHNICITIES, ChildStatus, CircumstanceSource, Relationship, Sex, SpecialGroup
from .import_problems import ID_NUMBER_RULES, Problem
from .import_seen import SeenRows
from .matching import LIKELY, candidate_rows, matchable, rank
from .models import (
    Caregiver,
    Child,
    ImportJob,
    ImportProblem,
    Person,
    RegistrationDecision,
    SpecialCircumstance,
)
from .services import id_number_errors, province_of

TEMPLATE_SHEET = "Danh sách trẻ em"
BATCH_SIZE = 500
ADULT_AGE = 16

# Called after each batch with the number of rows read so far (the benchmark samples memory there).
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # as in the template; the file format is Vietnamese whatever the interface language
    aliases: tuple[str, ...]  # other headings accepted, normalised (no diacritics, lower case)
    max_length: int = 0


COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", ("ho va ten", "ho ten", "ho va ten tre", "ho ten tre"), 220),
    Column("sex", "Giới tính (Nam/Nữ)", ("gioi tinh", "gioi")),
    Column("date_of_birth", "Ngày sinh (dd/mm/yyyy)", ("ngay sinh", "ngay thang nam sinh")),
    Column("birth_year", "Năm sinh", ("nam sinh",)),
    Column("ethnicity", "Dân tộc", ("dan toc",)),
    Column("id_number", "Số định danh cá nhân", ("so dinh danh ca nhan", "so dinh danh", "ma dinh danh")),
    Column("commune_code", "Mã xã", ("ma xa", "ma xa phuong", "ma don vi")),
    Column("commune_name", "Xã (phường)", ("xa", "xa phuong", "phuong xa", "ten xa")),
    Column("address", "Địa chỉ", ("dia chi",), 300),
    Column("father", "Họ tên cha", ("ho ten cha", "ho va ten cha", "cha"), 220),
    Column("mother", "Họ tên mẹ", ("ho ten me", "ho va ten me", "me"), 220),
    Column("groups", "Nhóm hoàn cảnh đặc biệt", ("nhom hoan canh dac biet", "hoan canh dac biet", "nhom")),
    Column("notes", "Ghi chú", ("ghi chu",), 2000),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = ("full_name", "sex")  # and one of date_of_birth / birth_year

_GROUP_SPLIT = re.compile(r"[,;/\s]+")
_SEX = {
    "nam": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "nu": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
}
_ETHNICITY = {normalize_name(name).replace("-", " "): code for code, name in ETHNICITIES}
_GROUPS = {g.value: g.value for g in SpecialGroup} | {
    "dd": SpecialGroup.DD.value,
    "d-": SpecialGroup.DD.value,
}


_ALIASES = {alias: c.key for c in COLUMNS for alias in (heading_key(c.heading), *c.aliases)}


# Reading ---------------------------------------------------------------------------------------------


@dataclass
class SourceRows:
    headings: dict[str, int]  # column key -> position
    rows: Iterator[tuple[int, list[RawCell]]]  # (row number as the officer sees it, cells)


def _check_columns(headings: dict[str, int]) -> None:
    missing = [COLUMN_BY_KEY[k].heading for k in REQUIRED if k not in headings]
    date_or_year = "date_of_birth" not in headings and "birth_year" not in headings
    if missing or date_or_year:
        raise FileProblem("file.missing_columns", columns=missing, date_or_year=date_or_year)


@contextmanager
def open_rows(path: Path, kind: str) -> Iterator[SourceRows]:
    """The file's data rows, streaming; raises FileProblem when its sheet or headings are wrong."""
    if kind == "xlsx":
        try:
            book = load_workbook(path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
            raise FileProblem("file.not_xlsx") from exc
        try:
            yield _xlsx_rows(book)
        finally:
            book.close()
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(CSV_SNIFF_BYTES)
        handle.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0] or ",", delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(handle, dialect)
        header = next(reader, None)
        if header is None:
            raise FileProblem("file.empty")
        headings = map_headings(list(header), _ALIASES)
        if "full_name" not in headings:
            raise FileProblem("file.no_headings", h=COLUMN_BY_KEY["full_name"].heading)
        _check_columns(headings)

        def rows() -> Iterator[tuple[int, list[RawCell]]]:
            for number, values in enumerate(reader, start=2):
                yield number, [RawCell(v, csv_formula(v.strip())) for v in values]

        yield SourceRows(headings, rows())


def _xlsx_rows(book: Any) -> SourceRows:
    for sheet in book.worksheets:
        first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        headings = map_headings(list(first or ()), _ALIASES)
        if "full_name" in headings:
            _check_columns(headings)

            return SourceRows(headings, sheet_rows(sheet, first_row=2))
    raise FileProblem(
        "file.no_sheet",
        h=COLUMN_BY_KEY["full_name"].heading,
        sheets=[s.title for s in book.worksheets],
        template=TEMPLATE_SHEET,
    )


# Parsing one row -------------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    number: int
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (column heading, problem)
    existing_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, key: str, code: str, **params: Any) -> None:
        self.problems.append((COLUMN_BY_KEY[key].heading if key else "", Problem(code, params)))

    def identity(self) -> tuple[Any, ...]:
        d = self.data
        return (d["name_key"], d["sex"], d["unit"].pk, d["date_of_birth"] or d["birth_year"])


class Parser:
    """Turns raw rows into ParsedRow, resolving communes once per file. Pure apart from unit look-ups."""

    def __init__(self, *, actor: Any, job: ImportJob, today: dt.date | None = None) -> None:
        self.job = job
        self.today = today or timezone.localdate()
        self.scope = scope_for(actor, Action.CHILD_IMPORT)
        # What rows are matched against: the children the officer can see, except those this very run
        # has just added (earlier rows of the file, already checked against each other above).
        self.within = scope_for(actor, Action.CHILD_VIEW).q("admin_unit") & ~Q(
            registered_by=actor, created_at__gte=timezone.now()
        )
        communes = AdminUnit.objects.valid_on(self.today).filter(
            level__in=[Level.COMMUNE, Level.SPECIAL_ZONE]
        )
        self.by_code: dict[str, AdminUnit] = {}
        self.by_name: dict[str, list[AdminUnit]] = {}
        for unit in communes:
            self.by_code[unit.code] = unit
            for name in {unit.name_key, normalize_name(unit.name)}:
                self.by_name.setdefault(name, []).append(unit)
        # The only state that grows with the file (the rows met so far): on disk, so memory stays flat.
        self.seen = SeenRows()

    def close(self) -> None:
        self.seen.close()

    def parse(self, number: int, cells: list[RawCell], headings: dict[str, int]) -> ParsedRow | None:
        """The parsed row, or None for an empty row (skipped, as spreadsheets trail blank lines)."""
        raw: dict[str, RawCell] = {
            key: cells[pos]
            for key, pos in headings.items()
            if pos < len(cells) and cells[pos].value is not None
        }
        if not any(_text(c.value) for c in raw.values()):
            return None
        row = ParsedRow(number)
        for key, cell in raw.items():
            if cell.is_formula:
                row.problem(key, "cell.formula", value=_show(cell.value))
        if row.problems:
            return row
        values = {key: cell.value for key, cell in raw.items()}
        for column in COLUMNS:
            if column.max_length and len(_text(values.get(column.key))) > column.max_length:
                row.problem(column.key, "cell.too_long", max=column.max_length)
        self._name(row, values)
        self._sex(row, values)
        self._birth(row, values)
        self._ethnicity(row, values)
        self._commune(row, values)
        self._id_number(row, values)
        self._groups(row, values)
        for key in ("address", "notes"):
            row.data[key] = _text(values.get(key))
        for key in ("father", "mother"):
            row.data[key] = " ".join(split_name(_text(values.get(key))).full.split())
        if row.ok:
            self._duplicates(row)
        return row

    def _name(self, row: ParsedRow, values: dict[str, Any]) -> None:
        name = _text(values.get("full_name"))
        if not name:
            row.problem("full_name", "name.missing")
            return
        parts = split_name(name)
        row.data.update(full_name=parts.full, parts=parts, name_key=normalize_name(parts.full))

    def _sex(self, row: ParsedRow, values: dict[str, Any]) -> None:
        text = _text(values.get("sex"))
        sex = _SEX.get(normalize_name(text))
        if sex is None:
            row.problem("sex", "sex.unknown", value=_show(text))
        row.data["sex"] = sex

    def _birth(self, row: ParsedRow, values: dict[str, Any]) -> None:
        born: dt.date | None = None
        year: int | None = None
        raw_date, raw_year = values.get("date_of_birth"), values.get("birth_year")
        if isinstance(raw_date, dt.datetime):
            born = raw_date.date()
        elif isinstance(raw_date, dt.date):
            born = raw_date
        elif _text(raw_date):
            born = _parse_dmy(_text(raw_date))
            if born is None:
                row.problem("date_of_birth", "birth.not_a_date", value=_show(raw_date))
                return
        if _text(raw_year):
            text = _text(raw_year)
            if not (text.isdigit() and len(text) == 4):
                row.problem("birth_year", "birth.not_a_year", value=_show(text))
                return
            year = int(text)
        if born is None and year is None:
            row.problem("date_of_birth", "birth.missing")
            return
        if born is not None and year is not None and born.year != year:
            row.problem("birth_year", "birth.year_mismatch")
            return
        if born is not None and born > self.today:
            row.problem("date_of_birth", "birth.date_future")
            return
        year = born.year if born is not None else year
        if year is not None and year > self.today.year:
            row.problem("birth_year", "birth.year_future")
            return
        if born is not None:
            try:
                sixteenth = born.replace(year=born.year + ADULT_AGE)
            except ValueError:  # born on 29 February
                sixteenth = dt.date(born.year + ADULT_AGE, 3, 1)
            reached_16 = sixteenth <= self.today
        else:
            reached_16 = (
                year is not None and self.today.year - year > ADULT_AGE
            )  # certainly 16 whatever the day of birth
        if reached_16:
            row.problem("date_of_birth" if born else "birth_year", "birth.adult")
        row.data.update(date_of_birth=born, birth_year=year)

    def _ethnicity(self, row: ParsedRow, values: dict[str, Any]) -> None:
        text = _text(values.get("ethnicity"))
        code = ""
        if text:
            key = normalize_name(text).replace("-", " ")
            code = (
                text.zfill(2)
                if text.isdigit() and text.zfill(2) in dict(ETHNICITIES)
                else _ETHNICITY.get(key, "")
            )
            if not code:
                row.problem("ethnicity", "ethnicity.unknown", value=_show(text))
        row.data["ethnicity"] = code

    def _commune(self, row: ParsedRow, values: dict[str, Any]) -> None:
        code, name = _text(values.get("commune_code")), _text(values.get("commune_name"))
        unit: AdminUnit | None
        if code:
            unit = self.by_code.get(code.zfill(5) if code.isdigit() else code)
            if unit is None:
                row.problem("commune_code", "commune.unknown_code", value=_show(code))
                return
        elif name:
            matches = self.by_name.get(normalize_name(name), [])
            in_scope = [u for u in matches if self.scope.contains(u)]
            if len(in_scope) == 1 or len(matches) == 1:
                unit = (in_scope or matches)[0]
            elif not matches:
                row.problem("commune_name", "commune.unknown_name", value=_show(name))
                return
            else:
                row.problem("commune_name", "commune.ambiguous", value=_show(name))
                return
        else:
            unit = self.job.admin_unit
        if not self.scope.contains(unit):
            row.problem(
                "commune_code" if code else "commune_name",
                "commune.out_of_area",
                commune=unit.name,
                own=self.job.admin_unit.name,
            )
            return
        row.data["unit"] = unit

    def _id_number(self, row: ParsedRow, values: dict[str, Any]) -> None:
        raw = values.get("id_number")
        text = _text(raw)
        if isinstance(raw, int | float) and text.isdigit():
            text = text.zfill(12)  # a number cell loses the leading zero every province code has
        row.data["id_number"] = text
        if text:
            # The registration form's and the API's rules (format, consistency with sex and year),
            # kept as what they were asked: their words are theirs (import_problems).
            sex, year = row.data.get("sex") or "", row.data.get("birth_year")
            for index, _message in enumerate(id_number_errors(text, sex=sex, birth_year=year)):
                row.problem(
                    "id_number", ID_NUMBER_RULES, id_number=text, sex=sex, birth_year=year, index=index
                )

    def _groups(self, row: ParsedRow, values: dict[str, Any]) -> None:
        text = _text(values.get("groups")).casefold()
        groups: list[str] = []
        for part in (p.strip(" .()") for p in _GROUP_SPLIT.split(text)):
            if not part:
                continue
            group = _GROUPS.get(part)
            if group is None:
                row.problem("groups", "group.unknown", value=_show(part))
                return
            if group not in groups:
                groups.append(group)
        row.data["groups"] = groups

    def _duplicates(self, row: ParsedRow) -> None:
        identity = row.identity()
        id_key = ("id_number", row.data["id_number"]) if row.data["id_number"] else None
        first = self.seen.first(identity)
        if first is None and id_key:
            first = self.seen.first(id_key)
        if first is not None:
            row.problem("", "row.same_as_row", row=first)
            return
        self.seen.add(identity, row.number)
        if id_key:
            self.seen.add(id_key, row.number)


def match_existing(rows: list[ParsedRow], within: Q | None = None) -> None:
    """Mark rows already in the registry (`existing_id`), and those whose ID number belongs to someone else.

    One query per batch: candidates by personal ID number or by normalised name in the rows' communes.
    With `within` (the importer's scope), rows the matcher finds likely to be a registered child are
    problems too (see _likely_duplicates).
    """
    ok = [r for r in rows if r.ok]
    if not ok:
        return
    ids = {r.data["id_number"] for r in ok if r.data["id_number"]}
    names = {r.data["name_key"] for r in ok}
    units = {r.data["unit"].pk for r in ok}
    people = Person.objects.filter(
        Q(id_number__in=ids) | Q(name_key__in=names, child__admin_unit__in=units)
    ).values_list(
        "pk",
        "id_number",
        "name_key",
        "sex",
        "date_of_birth",
        "birth_year",
        "child__admin_unit",
        "child__status",
    )
    by_id: dict[str, tuple[int, bool]] = {}
    by_name: dict[tuple[str, str, int], list[tuple[int, dt.date | None, int | None]]] = {}
    for pk, id_number, name_key, sex, born, year, unit_id, status in people:
        usable = unit_id is not None and status in (ChildStatus.ACTIVE, ChildStatus.AGED_OUT)
        if id_number:
            by_id[id_number] = (pk, usable)
        if usable:
            by_name.setdefault((name_key, sex, unit_id), []).append((pk, born, year))
    for row in ok:
        d = row.data
        if d["id_number"] in by_id:
            pk, usable = by_id[d["id_number"]]
            if usable:
                row.existing_id = pk
            else:
                row.problem("id_number", "id_number.taken")
            continue
        for pk, born, year in by_name.get((d["name_key"], d["sex"], d["unit"].pk), []):
            if (d["date_of_birth"] and born == d["date_of_birth"]) or (
                (d["date_of_birth"] is None or born is None) and year == d["birth_year"]
            ):
                row.existing_id = pk
                break
    if within is not None:
        _likely_duplicates([r for r in ok if r.ok and r.existing_id is None], within)


def _likely_duplicates(rows: list[ParsedRow], within: Q) -> None:
    """Rows the matcher finds `likely` to be a registered child without being the same record exactly
    (a typo, no diacritics, a swapped date): the officer must decide on the registration page, where
    they can link or confirm a new child, so such a row is a problem here, not a silent new child.

    The matcher's scoring (`rank`) runs on candidates fetched once per batch: registered children in
    scope with the same họ and tên and a birth year two years either side, or the same whole name. That
    covers the variants an import meets most (no diacritics, another tên đệm, a swapped date, an
    estimated age) without one blocking query per row; a typo in the họ or the tên is left to the
    registration page's full check, so that importing a commune's list stays minutes, not hours.
    """
    if not rows:
        return
    years = [r.data["birth_year"] for r in rows]
    pairs = {(normalize_name(r.data["parts"].ho), normalize_name(r.data["parts"].ten)) for r in rows}
    names = {r.data["name_key"] for r in rows}
    prefilter = Q(
        person__ten_key__in={t for _h, t in pairs},
        person__ho_key__in={h for h, _t in pairs},
        person__birth_year__gte=min(years) - 2,
        person__birth_year__lte=max(years) + 2,
    ) | Q(person__name_key__in=names)
    by_pair: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    by_name: dict[str, list[tuple[Any, ...]]] = {}
    for found in candidate_rows(matchable(within).filter(prefilter)):
        _pk, _unit, name_key, ho_key, ten_key = found[:5]
        by_pair.setdefault((ho_key, ten_key), []).append(found)
        by_name.setdefault(name_key, []).append(found)
    for row in rows:
        d = row.data
        pair = (normalize_name(d["parts"].ho), normalize_name(d["parts"].ten))
        near = by_pair.get(pair, []) + by_name.get(d["name_key"], [])
        if not near:
            continue
        candidates = rank(
            near,
            full_name=d["full_name"],
            sex=d["sex"],
            date_of_birth=d["date_of_birth"],
            birth_year=d["birth_year"],
            commune=d["unit"],
            parents=[p for p in (d["father"], d["mother"]) if p],
            address=d["address"],
            limit=1,
        )
        if candidates and candidates[0].level == LIKELY:
            row.problem("", "row.likely_registered", id=candidates[0].child_id)


def parsed_rows(source: SourceRows, parser: Parser) -> Iterator[list[ParsedRow]]:
    """The file's rows in batches, parsed and matched against the registry."""
    batch: list[ParsedRow] = []
    for number, cells in source.rows:
        row = parser.parse(number, cells, source.headings)
        if row is None:
            continue
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            match_existing(batch, parser.within)
            yield batch
            batch = []
    if batch:
        match_existing(batch, parser.within)
        yield batch


# Writing ---------------------------------------------------------------------------------------------


def children_import_rows(*, actor: Any, job: ImportJob, rows: list[ParsedRow]) -> list[int]:
    """Register the valid, new rows of one batch; returns the new children's ids.

    The bulk variant of registration: the same checks ran in Parser (the child form's rules) and the
    duplicate rule in match_existing, and each child gets its RegistrationDecision ("new", chosen by the
    officer when confirming the import). The audit trail gets one event per batch naming every child it
    created (with the rows), not one event per child: a per-child event would double the time of a
    100,000-row import (each append locks and reads the chain) while telling nothing more.
    Related rows are set by id, not by instance: quicker, and a child and its person would otherwise
    point at each other, a reference cycle per row left for the garbage collector.
    Callers hold the transaction.
    """
    new = [r for r in rows if r.ok and r.existing_id is None]
    if not new:
        return []
    provinces: dict[int, AdminUnit] = {}
    persons = []
    for r in new:
        d, parts, unit = r.data, r.data["parts"], r.data["unit"]
        if unit.pk not in provinces:
            provinces[unit.pk] = province_of(unit)
        province = provinces[unit.pk]
        persons.append(
            Person(
                ho=parts.ho,
                ten_dem=parts.ten_dem,
                ten=parts.ten,
                full_name=d["full_name"],
                name_key=d["name_key"],
                ten_key=normalize_name(parts.ten),
                ho_key=normalize_name(parts.ho),
                sort_key=name_sort_key(d["full_name"]),
                sex=d["sex"],
                date_of_birth=d["date_of_birth"],
                birth_year=d["birth_year"],
                ethnicity=d["ethnicity"],
                id_number=d["id_number"],
                admin_unit_id=unit.pk,
                province_id=province.pk,
                address=d["address"],
                created_by_id=actor.pk,
            )
        )
    Person.objects.bulk_create(persons)
    children = [
        Child(
            person=p,
            admin_unit_id=r.data["unit"].pk,
            province_id=provinces[r.data["unit"].pk].pk,
            registered_by_id=actor.pk,
            notes=r.data["notes"],
        ).copy_birth()
        for p, r in zip(persons, new, strict=True)
    ]
    Child.objects.bulk_create(children)
    parents: list[tuple[Child, Person, str]] = []
    for child, r in zip(children, new, strict=True):
        for key, relationship in (("father", Relationship.FATHER), ("mother", Relationship.MOTHER)):
            if r.data[key]:
                parts = split_name(r.data[key])
                parent = Person(
                    ho=parts.ho,
                    ten_dem=parts.ten_dem,
                    ten=parts.ten,
                    full_name=parts.full,
                    name_key=normalize_name(parts.full),
                    ten_key=normalize_name(parts.ten),
                    ho_key=normalize_name(parts.ho),
                    sort_key=name_sort_key(parts.full),
                    admin_unit_id=child.admin_unit_id,
                    province_id=child.province_id,
                    address=r.data["address"],
                    created_by_id=actor.pk,
                )
                parents.append((child, parent, relationship))
    Person.objects.bulk_create([p for _c, p, _r in parents])
    Caregiver.objects.bulk_create(
        [
            Caregiver(child_id=c.pk, person_id=p.pk, relationship=rel, is_primary=False)
            for c, p, rel in parents
        ]
    )
    today = timezone.localdate()
    SpecialCircumstance.objects.bulk_create(
        [
            SpecialCircumstance(child_id=c.pk, group=g, start_date=today, source=CircumstanceSource.IMPORT)
            for c, r in zip(children, new, strict=True)
            for g in r.data["groups"]
        ]
    )
    RegistrationDecision.objects.bulk_create(
        [
            RegistrationDecision(
                child_id=c.pk, decision=RegistrationDecision.Decision.NEW, decided_by_id=actor.pk
            )
            for c in children
        ]
    )
    created = [c.pk for c in children]
    audit.record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=job,
        unit=job.admin_unit,
        changes={"created_children": created, "rows": [r.number for r in new]},
    )
    return created


# The job's steps -------------------------------------------------------------------------------------


def _problems(job: ImportJob, row: ParsedRow) -> list[ImportProblem]:
    return [
        ImportProblem(job=job, row=row.number, column=column, code=p.code, params=p.params)
        for column, p in row.problems
    ]


def _file_failed(job: ImportJob, problem: Problem) -> None:
    ImportProblem.objects.filter(job=job).delete()
    ImportProblem.objects.create(job=job, row=1, column="", code=problem.code, params=problem.params)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, error_count=1, finished_at=timezone.now()
    )


def job_validate(job_id: int, *, progress: Progress | None = None) -> None:
    """The dry run: every problem of every row recorded, rows counted; nothing is written to the registry."""
    job = ImportJob.objects.select_related("admin_unit", "created_by").get(pk=job_id)
    ImportProblem.objects.filter(job=job).delete()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING, processed_rows=0)
    total = valid = existing = errors = 0
    try:
        with _reading(job) as (parser, source):
            for batch in parsed_rows(source, parser):
                problems = [p for r in batch for p in _problems(job, r)]
                ImportProblem.objects.bulk_create(problems)
                total += len(batch)
                errors += sum(1 for r in batch if not r.ok)
                existing += sum(1 for r in batch if r.ok and r.existing_id is not None)
                valid += sum(1 for r in batch if r.ok)
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=total)
                if progress:
                    progress(total)
    except FileProblem as exc:
        _file_failed(job, exc.problem)
        return
    except UnicodeDecodeError:
        _file_failed(job, Problem("file.not_utf8"))
        return
    if total == 0:
        _file_failed(job, Problem("file.no_rows"))
        return
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.VALIDATED,
        total_rows=total,
        processed_rows=total,
        valid_rows=valid,
        existing_count=existing,
        error_count=errors,
    )


class _RollBack(Exception):
    pass


def job_run(job_id: int, *, progress: Progress | None = None) -> None:
    """The import in the officer's chosen mode (see the module's docstring for what a crash leaves)."""
    job = ImportJob.objects.select_related("admin_unit", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.IMPORTING:
        return
    try:
        if job.mode == ImportJob.Mode.ALL_OR_NOTHING:
            _run_all_or_nothing(job, progress)
        else:
            _run_valid_only(job, progress)
    except (FileProblem, UnicodeDecodeError) as exc:
        _file_failed(job, exc.problem if isinstance(exc, FileProblem) else Problem("file.not_utf8_on_import"))
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, finished_at=timezone.now())
        raise


def _run_all_or_nothing(job: ImportJob, progress: Progress | None) -> None:
    created = existing = read = 0
    bad: list[ParsedRow] = []
    try:
        with transaction.atomic(), _reading(job) as (parser, source):
            if not _lock_job(job):
                return  # another run of this job holds it
            for batch in parsed_rows(source, parser):
                read += len(batch)
                bad.extend(r for r in batch if not r.ok)
                if not bad:  # else keep reading: the report lists every bad row, and nothing is written
                    existing += sum(1 for r in batch if r.existing_id is not None)
                    created += len(children_import_rows(actor=job.created_by, job=job, rows=batch))
                if progress:
                    progress(read)
            if bad:
                raise _RollBack
            # In the same transaction as the rows: a job is DONE exactly when its rows are there.
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.DONE,
                created_count=created,
                existing_count=existing,
                processed_rows=job.total_rows,
                finished_at=timezone.now(),
            )
    except _RollBack:
        ImportProblem.objects.filter(job=job).delete()
        ImportProblem.objects.bulk_create([p for r in bad for p in _problems(job, r)], batch_size=1000)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, created_count=0, error_count=len(bad), finished_at=timezone.now()
        )


def _lock_job(job: ImportJob) -> bool:
    """Hold the job's row for the transaction; False when another run holds it (PostgreSQL).

    SQLite has one writer at a time anyway, so a second run waits there instead.
    """
    try:
        with transaction.atomic():  # a savepoint, so a refused lock leaves the outer transaction usable
            ImportJob.objects.select_for_update(nowait=True).filter(pk=job.pk).exists()
    except DatabaseError:
        return False
    return True


class _Superseded(Exception):
    """Another run of the same job has moved on: this one stops without writing."""


def _run_valid_only(job: ImportJob, progress: Progress | None) -> None:
    done = job.processed_rows  # rows already written by an earlier, interrupted run
    seen = 0
    try:
        with _reading(job) as (parser, source):
            batch: list[ParsedRow] = []
            for number, cells in source.rows:
                row = parser.parse(number, cells, source.headings)
                if row is None:
                    continue
                seen += 1
                if seen <= done:
                    continue  # parsed only to remember it for the duplicate check
                batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    _write_batch(job, batch, parser, done=seen - len(batch))
                    batch = []
                    if progress:
                        progress(seen)
            if batch:
                _write_batch(job, batch, parser, done=seen - len(batch))
                if progress:
                    progress(seen)
    except _Superseded:
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, finished_at=timezone.now())


def _write_batch(job: ImportJob, batch: list[ParsedRow], parser: Parser, *, done: int) -> None:
    """One batch and the job's counters in one transaction; `done` is how many rows precede it."""
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        if current.processed_rows != done:
            raise _Superseded
        match_existing(batch, parser.within)
        created = children_import_rows(actor=job.created_by, job=job, rows=batch)
        current.processed_rows += len(batch)
        current.created_count += len(created)
        current.existing_count += sum(1 for r in batch if r.ok and r.existing_id is not None)
        current.save(update_fields=["processed_rows", "created_count", "existing_count", "updated_at"])


def _kind(job: ImportJob) -> str:
    return Path(job.stored_path).suffix.lstrip(".")


@contextmanager
def _reading(job: ImportJob) -> Iterator[tuple[Parser, SourceRows]]:
    """A parser for the job's rows and the rows themselves; both closed at the end, whatever happens."""
    parser = Parser(actor=job.created_by, job=job)
    try:
        with open_rows(Path(job.stored_path), _kind(job)) as source:
            yield parser, source
    finally:
        parser.close()


# Services: the officer's steps -----------------------------------------------------------------------


def _store(*, actor: Any, unit: AdminUnit, upload: Any) -> ImportJob:
    stored = store_upload(upload)
    return ImportJob.objects.create(
        admin_unit=unit,
        province=province_of(unit),
        created_by=actor,
        original_name=stored.original_name,
        stored_path=stored.path,
        sha256=stored.sha256,
    )


def import_job_create(*, actor: Any, unit: AdminUnit, upload: Any) -> ImportJob:
    """Store an uploaded file and schedule its dry run. `upload` is a Django UploadedFile."""
    from .tasks import validate_import

    check_upload(upload)
    with transaction.atomic():
        job = _store(actor=actor, unit=unit, upload=upload)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=job,
            unit=unit,
            changes={"file": job.original_name, "sha256": job.sha256, "bytes": upload.size},
        )
        transaction.on_commit(lambda: validate_import.enqueue(job.pk))
    return job


def import_job_confirm(*, actor: Any, job: ImportJob, mode: str) -> ImportJob:
    """The officer's go-ahead after the dry run, in the mode they chose; the import runs in the background."""
    from .tasks import run_import

    return start_import(
        job,
        actor=actor,
        mode=mode,
        schedule=run_import.enqueue,
        changes=lambda current: {"mode": mode, "rows": current.total_rows, "errors": current.error_count},
    )


STALE_AFTER = dt.timedelta(minutes=15)  # an importing job untouched this long lost its worker


def is_resumable(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """May the import be run again? After a crash (FAILED with no bad row to blame in all-or-nothing
    mode; FAILED before the end in valid-rows mode), or when its worker died (IMPORTING, untouched for
    STALE_AFTER: valid-rows batches touch the job every BATCH_SIZE rows)."""
    if job.total_rows == 0:
        return False
    if job.status == ImportJob.Status.IMPORTING:
        return job.updated_at < (now or timezone.now()) - STALE_AFTER
    if job.status != ImportJob.Status.FAILED:
        return False
    if job.mode == ImportJob.Mode.VALID_ONLY:
        return job.processed_rows < job.total_rows
    return job.error_count == 0


def import_job_resume(*, actor: Any, job: ImportJob) -> ImportJob:
    """Run an interrupted import again: valid-rows mode goes on after `processed_rows`, all-or-nothing
    starts over (its transaction left nothing behind)."""
    from .tasks import run_import

    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not is_resumable(current):
            raise UploadRefused(_("This import cannot be resumed."))
        current.status = ImportJob.Status.IMPORTING
        if current.mode == ImportJob.Mode.ALL_OR_NOTHING:
            current.processed_rows = 0
        current.save(update_fields=["status", "processed_rows", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=current,
            unit=current.admin_unit,
            changes={"resume": True, "mode": current.mode, "from_row": current.processed_rows},
        )
        transaction.on_commit(lambda: run_import.enqueue(current.pk))
    return current


def import_generated_rows(
    *,
    actor: Any,
    unit: AdminUnit,
    count: int,
    kind: str = "csv",
    seed: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> ImportJob:
    """For `make bench`: import `count` synthetic rows of `unit` in the foreground, in valid-rows mode.

    The file is written to disk first and read back streaming, as an officer's upload would be.
    `progress(step, rows)` is called as each step begins ("check", the dry run, then "import") with 0
    rows, and after each of its batches with the rows read so far: where the benchmark
    (import_benchmarks) takes its time and memory readings.
    """
    from django.core.files.uploadedfile import TemporaryUploadedFile

    rows = synthetic_rows(count, commune_code=unit.code, seed=seed)
    upload = TemporaryUploadedFile(f"bench.{kind}", "application/octet-stream", 0, "utf-8")
    if kind == "xlsx":
        write_xlsx_rows(upload, rows)
    else:
        write_csv_rows(upload, rows)
    upload.size = upload.tell()
    job = _store(actor=actor, unit=unit, upload=upload)
    upload.close()

    def step(name: str) -> Progress | None:
        if progress is None:
            return None
        progress(name, 0)
        return lambda rows: progress(name, rows)

    job_validate(job.pk, progress=step("check"))
    ImportJob.objects.filter(pk=job.pk).update(
        mode=ImportJob.Mode.VALID_ONLY, status=ImportJob.Status.IMPORTING, processed_rows=0
    )
    job_run(job.pk, progress=step("import"))
    job.refresh_from_db()
    return job


# Files for tests and benchmarks ----------------------------------------------------------------------

HEADINGS = [c.heading for c in COLUMNS]

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
_MIDDLE_M = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thành")
_MIDDLE_F = ("Thị", "Ngọc", "Thu", "Thanh", "Mai", "Kim")
_GIVEN_M = ("An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Sơn", "Tuấn")
_GIVEN_F = ("Anh", "Chi", "Dung", "Giang", "Hà", "Hương", "Lan", "Linh", "My", "Ngân", "Thảo", "Trang", "Yến")


def synthetic_rows(count: int, *, commune_code: str, seed: int = 1) -> Iterator[list[object]]:
    """`count` plausible, distinct rows in the template's column order (no real child's data)."""
    import random

    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    today = timezone.localdate()
    for n in range(count):
        female = rng.random() < 0.5
        middle = rng.choice(_MIDDLE_F if female else _MIDDLE_M)
        given = rng.choice(_GIVEN_F if female else _GIVEN_M)
        name = f"{rng.choice(_FAMILY)} {middle} {given}"
        born = today - dt.timedelta(days=400 + n % 5000)
        # The running number keeps rows distinct however many there are (a second tên đệm).
        name = f"{name.rsplit(' ', 1)[0]} {_middle_number(n)} {given}"
        yield [name, "Nữ" if female else "Nam", born.strftime("%d/%m/%Y"), "", "Kinh", "", commune_code,
               "", f"Tổ {n % 40 + 1}", "", "", "", ""]  # fmt: skip


def _middle_number(n: int) -> str:
    # Syllables that read as a name part, from the number in base len(_SYLLABLES).
    syllables = ("Bảo", "Gia", "Hoài", "Khánh", "Lâm", "Nhật", "Phương", "Tâm", "Trúc", "Xuân")
    out = []
    while True:
        n, r = divmod(n, len(syllables))
        out.append(syllables[r])
        if n == 0:
            return " ".join(out)


def write_csv_rows(target: IO[bytes], rows: Any, headings: list[str] | None = None) -> None:
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(headings or HEADINGS)
    writer.writerows(rows)
    text.flush()
    text.detach()


def write_xlsx_rows(
    target: IO[bytes], rows: Any, headings: list[str] | None = None, sheet_title: str = TEMPLATE_SHEET
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title)
    sheet.append(headings or HEADINGS)
    for row in rows:
        sheet.append(row)
    book.save(target)


def template_workbook(
    *, guide: list[tuple[str, str]], ethnicities: list[str], groups: list[tuple[str, str]]
) -> IO[bytes]:
    """The downloadable template: the data sheet with its headings, then a sheet of instructions
    (core.xlsx_import.template_workbook). The text columns (ID number, commune code, date) keep their
    leading zeros; the sex column offers Nam and Nữ."""
    from openpyxl.worksheet.datavalidation import DataValidation

    text_columns = tuple(
        index
        for index, column in enumerate(COLUMNS, start=1)
        if column.key in ("id_number", "commune_code", "date_of_birth")
    )
    book = xlsx_template(
        sheet_title=TEMPLATE_SHEET, headings=HEADINGS, text_columns=text_columns, guide=guide
    )
    sheet = book[TEMPLATE_SHEET]
    sex = DataValidation(type="list", formula1='"Nam,Nữ"', allow_blank=True)
    sheet.add_data_validation(sex)
    sex.add("B2:B5000")
    notes = book["Hướng dẫn"]
    notes.append([])
    notes.append(["Nhóm", "Trẻ em có hoàn cảnh đặc biệt (Luật Trẻ em 2016, Điều 10)"])
    for letter, label in groups:
        notes.append([letter, label])
    notes.append([])
    notes.append(["Dân tộc", ", ".join(ethnicities)])
    return spooled(book)
