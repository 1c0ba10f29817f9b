"""Imports whose every row is written through an app's own create service (activities, disbursements).

A `RowImport` subclass says what its sheet holds (its `Column`s), how a row's cells become the
service's arguments (`parse`), whether a row was imported before (`existing`) and how it is written
(`write`, which calls the same service as the entry form, so the rules are never copied). This module
runs the steps on an import job (registry's `ImportJob`, with its `kind`), as the children import does:

1. `job_create` checks the upload (size, a real .xlsx; core.xlsx_import), stores it outside the web
   root, audits it and schedules the dry run.
2. `job_validate` (background) reads every row; each row that parses and is new is written through
   the service in a transaction that is always rolled back, so the service's own checks (scope,
   dates, eligibility…) are reported per row and column, and nothing stays. Progress is saved as it goes.
3. `job_confirm` (the officer's go-ahead; refused while any row has a problem) schedules `job_run`,
   which reads the file again and writes every row in one transaction: all or nothing. A bad row (the
   data may have changed since the dry run) rolls everything back and the report lists it.

Re-importing a file adds nothing: each row carries a stable reference (the reporting unit's own
number), and a row whose reference is already recorded at its unit counts as existing. Formulas are
never evaluated: a formula cell is a problem, and text that looks like one ("=1+1", "@x") is stored as
text (the exports neutralise it: core.export).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from . import audit
from .models import AuditAction
from .text import normalize_name
from .xlsx_import import (
    FileProblem,
    Problem,
    RawCell,
    UploadRefused,
    check_upload,
    heading_key,
    map_headings,
    register_words,
    sheet_rows,
    show,
    store_upload,
    text,
)

MAX_ROWS = 5000  # a district's year of activities or a commune's payment list is far below
PROGRESS_EVERY = 20

register_words(
    {
        "rows.none": gettext_lazy("The file has no rows to import."),
        "rows.too_many": gettext_lazy("The file has more than %(max)s rows: split it into several files."),
        "cell.required": gettext_lazy("This column must be filled in."),
        "cell.not_a_date": gettext_lazy("“%(value)s” is not a date: write it as dd/mm/yyyy."),
        "cell.not_a_number": gettext_lazy("“%(value)s” is not a whole number, 0 or more."),
        "cell.unknown_code": gettext_lazy(
            "Unknown value “%(value)s”: use one of the codes listed in the template."
        ),
        "unit.unknown": gettext_lazy("No unit has the code “%(value)s” on %(day)s."),
        "unit.out_of_area": gettext_lazy("%(unit)s is outside your area: you cannot import its rows."),
        "row.same_reference": gettext_lazy("The same reference as row %(row)s of this file."),
    }
)


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # as in the template; the file format is Vietnamese whatever the interface language
    aliases: tuple[str, ...] = ()  # other headings accepted, normalised (no diacritics, lower case)
    max_length: int = 0
    required: bool = False


@dataclass
class Row:
    number: int  # the spreadsheet's row number, as the officer sees it
    values: dict[str, object]
    columns: dict[str, Column]
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (column heading, problem)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, key: str, code: str, **params: Any) -> None:
        column = self.columns.get(key)
        self.problems.append((column.heading if column else "", Problem(code, params)))

    def text(self, key: str) -> str:
        return text(self.values.get(key))

    def whole(self, key: str) -> int | None:
        """A whole number ≥ 0 (a number cell, or digits with . or space as thousands separators);
        None when empty; a problem when it is something else."""
        value = self.values.get(key)
        if value is None or self.text(key) == "":
            return None
        if isinstance(value, bool):
            value = str(value)
        if isinstance(value, int):
            number = value
        elif isinstance(value, float):
            if not value.is_integer():
                self.problem(key, "cell.not_a_number", value=show(value))
                return None
            number = int(value)
        else:
            digits = self.text(key).replace(".", "").replace(",", "").replace(" ", "")
            if not digits.isdigit():
                self.problem(key, "cell.not_a_number", value=show(value))
                return None
            number = int(digits)
        if number < 0:
            self.problem(key, "cell.not_a_number", value=show(value))
            return None
        return number

    def date(self, key: str) -> dt.date | None:
        from .xlsx_import import cell_date

        if self.text(key) == "":
            return None
        day = cell_date(self.values.get(key))
        if day is None:
            self.problem(key, "cell.not_a_date", value=show(self.values.get(key)))
        return day

    def service_errors(self, worded: dict[str, dict[str, list[str]]], fields: dict[str, str]) -> None:
        """The create service's refusal, each message at the column of its field (`fields`), kept in
        every language it was asked in (`worded`: language -> field -> messages), so that the report
        reads in the reader's language whichever the worker ran in."""
        first = next(iter(worded.values()))
        for name, messages in first.items():
            for index, message in enumerate(messages):
                texts = {
                    language: by_field[name][index]
                    for language, by_field in worded.items()
                    if index < len(by_field.get(name, ()))
                }
                self.problem(fields.get(name, ""), SERVICE_RULE, text=message, texts=texts)


def code_lookup(choices: Any, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A choice's code, its English label and its Vietnamese label (normalised) -> its code."""
    out: dict[str, str] = {}
    for language in ("en", "vi"):
        with translation.override(language):
            for value, label in choices.choices:
                out[normalize_name(str(label))] = value
    for value in choices.values:
        out[normalize_name(value)] = value
        out[normalize_name(value.replace("_", " "))] = value
    for written, value in (extra or {}).items():
        out[normalize_name(written)] = value
    return out


def split_codes(value: str) -> list[str]:
    """'a, b; c' -> the parts, normalised."""
    return [normalize_name(p).strip(" .") for p in value.replace(";", ",").split(",") if p.strip(" .")]


class RowImport:
    """One kind of import; subclasses fill in the class attributes and the four methods."""

    kind: ClassVar[str]  # ImportJob.Kind
    action: ClassVar[Any]  # the Action the importer needs at each row's unit
    sheet_title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    job_model: ClassVar[type[Model]]
    problem_model: ClassVar[type[Model]]
    model: ClassVar[type[Model]]  # what a row makes; it has `admin_unit` and `import_reference`
    service_fields: ClassVar[dict[str, str]] = {}  # the service's field names -> the columns shown
    unit_column: ClassVar[str] = ""  # where a unit outside the importer's area is reported

    def __init__(self, job: Any) -> None:
        self.job = job
        self.actor = job.created_by
        self.today = timezone.localdate()
        self.by_key = {c.key: c for c in self.columns}
        self.seen: dict[tuple[Any, ...], int] = {}

    # What subclasses say -----------------------------------------------------------------------------

    def parse(self, row: Row) -> None:
        """Fill `row.data` from `row.values` (with `unit`, the unit the row is recorded at), or add
        problems. `row.data["reference"]` is already there."""
        raise NotImplementedError

    def identity(self, row: Row) -> tuple[Any, ...]:
        """What makes two rows of the file the same (for the duplicate check): unit and reference."""
        return (row.data["unit"].pk, row.data["reference"])

    def existing(self, row: Row) -> bool:
        """Whether the row was imported before (nothing to add): its reference is recorded at its unit."""
        return self.model.objects.filter(  # type: ignore[attr-defined]
            admin_unit=row.data["unit"], import_reference=row.data["reference"]
        ).exists()

    def write(self, row: Row) -> int:
        """Write the row through the app's service; return the new object's id. May raise
        ValidationError or PermissionDenied (reported on the row)."""
        raise NotImplementedError

    @classmethod
    def path(cls) -> str:
        return f"{cls.__module__}.{cls.__qualname__}"

    @classmethod
    def schedule_validate(cls, job_id: int) -> None:
        from .import_tasks import validate_rows

        validate_rows.enqueue(cls.path(), job_id)

    @classmethod
    def schedule_run(cls, job_id: int) -> None:
        from .import_tasks import import_rows

        import_rows.enqueue(cls.path(), job_id)

    # Reading -----------------------------------------------------------------------------------------

    @classmethod
    def headings(cls) -> list[str]:
        return [c.heading for c in cls.columns]

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {alias: c.key for c in cls.columns for alias in (heading_key(c.heading), *c.aliases)}

    @contextmanager
    def rows(self) -> Iterator[Iterator[Row]]:
        try:
            book = load_workbook(Path(self.job.stored_path), read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
            raise FileProblem("file.not_xlsx") from exc
        try:
            yield self._rows(book)
        finally:
            book.close()

    def _rows(self, book: Any) -> Iterator[Row]:
        first_key = self.columns[0].key
        aliases = self.aliases()
        for sheet in book.worksheets:
            first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
            found = map_headings(list(first or ()), aliases)
            if first_key in found:
                missing = [c.heading for c in self.columns if c.required and c.key not in found]
                if missing:
                    raise FileProblem("file.missing_columns", columns=missing)
                return self._sheet(sheet, found)
        raise FileProblem(
            "file.no_sheet",
            h=self.columns[0].heading,
            sheets=[s.title for s in book.worksheets],
            template=self.sheet_title,
        )

    def _sheet(self, sheet: Any, found: dict[str, int]) -> Iterator[Row]:
        for number, cells in sheet_rows(sheet, first_row=2):
            raw: dict[str, RawCell] = {
                key: cells[pos]
                for key, pos in found.items()
                if pos < len(cells) and cells[pos].value is not None
            }
            if not any(text(c.value) for c in raw.values()):
                continue  # spreadsheets trail blank lines
            row = Row(number, {key: cell.value for key, cell in raw.items()}, self.by_key)
            for key, cell in raw.items():
                if cell.is_formula:
                    row.problem(key, "cell.formula", value=show(cell.value))
            yield row

    def check(self, row: Row) -> None:
        """Everything but the service: the columns' own rules, the subclass's parse, the file's duplicates."""
        if not row.ok:
            return  # formulas: nothing else is read from the row
        for column in self.columns:
            value = row.text(column.key)
            if column.required and not value:
                row.problem(column.key, "cell.required")
            elif column.max_length and len(value) > column.max_length:
                row.problem(column.key, "cell.too_long", max=column.max_length)
        if not row.ok:
            return
        row.data["reference"] = row.text("reference")
        self.parse(row)
        if not row.ok:
            return
        identity = self.identity(row)
        first = self.seen.get(identity)
        if first is not None:
            row.problem("", "row.same_reference", row=first)
        else:
            self.seen[identity] = row.number

    def write_checked(self, row: Row) -> int | None:
        """Write the row through the service; a refusal becomes the row's problems (returns None)."""
        try:
            with transaction.atomic():
                pk = self.write(row)
                self.model.objects.filter(pk=pk).update(  # type: ignore[attr-defined]
                    import_reference=row.data["reference"]
                )
                return pk
        except ValidationError as exc:
            row.service_errors(self._worded(row, exc), self.service_fields)
        except PermissionDenied:
            unit = row.data.get("unit")
            row.problem(self.unit_column, "unit.out_of_area", unit=getattr(unit, "name", ""))
        return None

    def _worded(self, row: Row, error: ValidationError) -> dict[str, dict[str, list[str]]]:
        """The service's refusal in each of the site's languages: asked again (rolled back) in the
        languages other than the active one. Only refused rows pay for it."""
        active = translation.get_language() or settings.LANGUAGE_CODE
        worded = {active: _by_field(error)}
        for language, _name in settings.LANGUAGES:
            if language == active:
                continue
            with translation.override(language):
                try:
                    with transaction.atomic():
                        self.write(row)
                        raise _RollBack
                except ValidationError as again:
                    worded[language] = _by_field(again)
                except (_RollBack, PermissionDenied):
                    pass
        return worded


def _by_field(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    return {"": [str(m) for m in error.messages]}


def _service_rule(params: Mapping[str, Any]) -> str:
    texts = params.get("texts") or {}
    return str(texts.get(translation.get_language()) or params.get("text", ""))


SERVICE_RULE = "service.rule"  # a refusal of the app's create service, in the words it gave
register_words({}, special={SERVICE_RULE: _service_rule})


# The job's steps ---------------------------------------------------------------------------------------


class _RollBack(Exception):
    pass


def _problem_rows(importer: RowImport, rows: list[Row]) -> list[Any]:
    model = importer.problem_model
    return [
        model(job_id=importer.job.pk, row=r.number, column=column, code=p.code, params=p.params)
        for r in rows
        for column, p in r.problems
    ]


def _set(job: Any, **values: Any) -> None:
    type(job).objects.filter(pk=job.pk).update(**values, updated_at=timezone.now())


def _file_failed(importer: RowImport, problem: Problem) -> None:
    job = importer.job
    importer.problem_model.objects.filter(job_id=job.pk).delete()  # type: ignore[attr-defined]
    importer.problem_model.objects.create(  # type: ignore[attr-defined]
        job_id=job.pk, row=1, column="", code=problem.code, params=problem.params
    )
    _set(job, status="failed", error_count=1, finished_at=timezone.now())


def _dry_write(importer: RowImport, row: Row) -> None:
    """The service's checks of a row, none of its writes."""
    try:
        with transaction.atomic():
            importer.write_checked(row)
            raise _RollBack
    except _RollBack:
        pass


def job_create(importer: type[RowImport], *, actor: Any, unit: Any, upload: Any) -> Any:
    """Store an uploaded .xlsx and schedule its dry run. `upload` is a Django UploadedFile."""
    from mangnon.registry.services import province_of

    check_upload(upload)
    with transaction.atomic():
        stored = store_upload(upload, kinds=("xlsx",))
        job = importer.job_model.objects.create(  # type: ignore[attr-defined]
            kind=importer.kind,
            admin_unit=unit,
            province=province_of(unit),
            created_by=actor,
            original_name=stored.original_name,
            stored_path=stored.path,
            sha256=stored.sha256,
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=job,
            unit=unit,
            changes={
                "kind": importer.kind,
                "file": job.original_name,
                "sha256": job.sha256,
                "bytes": upload.size,
            },
        )
        transaction.on_commit(lambda: importer.schedule_validate(job.pk))
    return job


def _load(importer_class: type[RowImport], job_id: int) -> RowImport:
    job = importer_class.job_model.objects.select_related("admin_unit", "created_by").get(  # type: ignore[attr-defined]
        pk=job_id, kind=importer_class.kind
    )
    return importer_class(job)


def _checked(importer: RowImport, rows: Iterable[Row]) -> Iterator[tuple[int, Row]]:
    """The file's rows numbered from 1 and each checked; more than MAX_ROWS is a file problem."""
    for total, row in enumerate(rows, start=1):
        if total > MAX_ROWS:
            raise FileProblem("rows.too_many", max=MAX_ROWS)
        importer.check(row)
        yield total, row


def job_validate(importer_class: type[RowImport], job_id: int) -> None:
    """The dry run: every row checked, through the service too, and nothing kept."""
    importer = _load(importer_class, job_id)
    job = importer.job
    importer.problem_model.objects.filter(job_id=job.pk).delete()  # type: ignore[attr-defined]
    _set(job, status="validating", processed_rows=0)
    total = valid = existing = errors = 0
    try:
        with importer.rows() as rows:
            for total, row in _checked(importer, rows):
                if row.ok and importer.existing(row):
                    existing += 1
                elif row.ok:
                    _dry_write(importer, row)
                if row.ok:
                    valid += 1
                else:
                    errors += 1
                    importer.problem_model.objects.bulk_create(_problem_rows(importer, [row]))  # type: ignore[attr-defined]
                if total % PROGRESS_EVERY == 0:
                    _set(job, processed_rows=total)
    except FileProblem as exc:
        _file_failed(importer, exc.problem)
        return
    if total == 0:
        _file_failed(importer, Problem("rows.none"))
        return
    _set(
        job,
        status="validated",
        total_rows=total,
        processed_rows=total,
        valid_rows=valid,
        existing_count=existing,
        error_count=errors,
    )


def start_import(
    job: Any,
    *,
    actor: Any,
    mode: str,
    schedule: Callable[[int], Any],
    changes: Callable[[Any], dict[str, Any]],
    errors_refused: bool = False,
) -> Any:
    """The officer's go-ahead, under the job's row lock: a job waiting for confirmation (refused
    otherwise, and when it has rows with problems if `errors_refused`) is set importing in `mode` from
    its first row, audited with `changes(job)`, and its id `schedule`d once committed."""
    with transaction.atomic():
        current = type(job).objects.select_for_update().get(pk=job.pk)
        if current.status != "validated":
            raise UploadRefused(_("This import is not waiting for confirmation."))
        if errors_refused and current.error_count:
            raise UploadRefused(_("Some rows have problems: correct the file and upload it again."))
        current.mode = mode
        current.status = "importing"
        current.processed_rows = 0
        current.save(update_fields=["mode", "status", "processed_rows", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=current,
            unit=current.admin_unit,
            changes=changes(current),
        )
        transaction.on_commit(lambda: schedule(current.pk))
    return current


def job_confirm(importer: type[RowImport], *, actor: Any, job: Any) -> Any:
    """The officer's go-ahead after a clean dry run: the import runs in the background, all or nothing."""
    return start_import(
        job,
        actor=actor,
        mode="all_or_nothing",
        schedule=importer.schedule_run,
        changes=lambda current: {"kind": importer.kind, "rows": current.total_rows},
        errors_refused=True,
    )


def job_run(importer_class: type[RowImport], job_id: int) -> None:
    """Write every row in one transaction; any bad row and nothing is written (its problems reported)."""
    importer = _load(importer_class, job_id)
    job = importer.job
    if job.status != "importing":
        return
    created: list[int] = []
    bad: list[Row] = []
    existing = total = 0
    try:
        with transaction.atomic(), importer.rows() as rows:
            for total, row in _checked(importer, rows):  # noqa: B007 (the count is read after the loop)
                if row.ok and importer.existing(row):
                    existing += 1
                    continue
                if row.ok and bad:
                    _dry_write(importer, row)  # nothing will be kept: only the service's checks
                elif row.ok:
                    pk = importer.write_checked(row)
                    if pk is not None:
                        created.append(pk)
                if not row.ok:
                    bad.append(row)
            if bad:
                raise _RollBack
            audit.record(
                actor=job.created_by,
                action=AuditAction.IMPORT,
                obj=job,
                unit=job.admin_unit,
                changes={"kind": importer.kind, "created": created, "existing": existing},
            )
            _set(
                job,
                status="done",
                total_rows=total,
                processed_rows=total,
                created_count=len(created),
                existing_count=existing,
                finished_at=timezone.now(),
            )
    except _RollBack:
        importer.problem_model.objects.filter(job_id=job.pk).delete()  # type: ignore[attr-defined]
        importer.problem_model.objects.bulk_create(_problem_rows(importer, bad))  # type: ignore[attr-defined]
        _set(job, status="failed", created_count=0, error_count=len(bad), finished_at=timezone.now())
    except FileProblem as exc:
        _file_failed(importer, exc.problem)
    except Exception:
        _set(job, status="failed", finished_at=timezone.now())
        raise
