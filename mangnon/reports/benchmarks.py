"""Periodic-report benchmark: Quảng Ninh's annual report for 2020 at ten times the demo's volume.

reports.province_annual: what asking for the province's annual report costs once its draft exists and
its files are written: every figure gathered (`figures.collect`: the programme-work roll-up, the data
elements and the whole indicator catalogue, for 2020 and for 2019), the text of the sections
(`narrative.generate`), the annex tables (`annex.tables`), then the DOCX and the XLSX, for the province
officer, a fresh scope on every call. The set is the indicators benchmark's (`indicators.benchmarks.
build_set`: Quảng Ninh's 366,000 children in their households, ten times the province's programme work
of 2020, the entered figures and targets), built once per database and reused; the report itself (its
row and sections) is made once in the setup.

The baseline does the same the straightforward way, in the same run: each indicator evaluated on its
own by the indicator benchmark's `NaiveEvaluator` (no term shared between indicators, the registry's
figures judged in Python from the children read as rows), each data element computed on its own (no
batch), the annex tables made anew for each file and every annex cell of the DOCX built through
python-docx's object model (`docx_layout.add_table`) rather than copied from a prototype row. Both
return the figures (without the moment they were gathered), the sections' text and the annex tables,
which must be equal; the files' sizes are reported.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import translation
from docx import Document
from openpyxl import load_workbook

from mangnon.core import metrics
from mangnon.core.bench import Target, benchmark
from mangnon.indicators import benchmarks as indicator_bench
from mangnon.indicators.catalogue import all_indicators

from . import annex, figures, narrative, report_docx, report_xlsx, services
from .models import Report, ReportKind, ReportStatus

START, END = date(2020, 1, 1), date(2020, 12, 31)
TITLE = "Báo cáo kết quả thực hiện công tác trẻ em năm 2020 (benchmark)"


@dataclass
class ReportSet:
    viewer: indicator_bench.Viewer
    report: Report


def build_set() -> ReportSet:
    """The indicators benchmark's set and the province's annual report for 2020 (made once)."""
    viewer = indicator_bench.build_set()
    user = viewer.fresh()
    report = (
        Report.objects.filter(
            admin_unit=viewer.province,
            kind=ReportKind.ANNUAL,
            period_start=START,
            period_end=END,
            created_by=user,
            status=ReportStatus.DRAFT,
            title=TITLE,
        )
        .select_related("admin_unit")
        .first()
    )
    if report is None:
        report = services.report_create(
            actor=user,
            unit=viewer.province,
            kind=ReportKind.ANNUAL,
            period_start=START,
            period_end=END,
            title=TITLE,
        )
    return ReportSet(viewer, report)


Result = tuple[dict[str, Any], dict[str, str], list[Any]]


def _result(snapshot: dict[str, Any], texts: dict[str, str], tables: list[annex.AnnexTable]) -> Result:
    """What both ways must agree on: the figures (not the moment they were gathered), the text and the
    annex tables. The files themselves differ in their timestamps; their sizes are in the report."""
    kept = {k: v for k, v in snapshot.items() if k != "gathered_at"}
    return kept, texts, [(t.key, t.title, t.columns, t.rows, t.notes) for t in tables]


def _files(
    s: ReportSet, snapshot: dict[str, Any], tables: list[annex.AnnexTable] | None
) -> tuple[bytes, bytes]:
    report = s.report
    report.figures = snapshot  # in memory only: the files are written from this snapshot
    return report_docx.build(report, tables=tables), report_xlsx.build(report, tables=tables)


def province_annual(s: ReportSet) -> Result:
    user = s.viewer.fresh()
    snapshot = figures.collect(
        viewer=user, unit=s.viewer.province, kind=ReportKind.ANNUAL, start=START, end=END, publish=False
    )
    texts = narrative.generate(snapshot)
    tables = annex.tables(snapshot)
    _files(s, snapshot, tables)
    return _result(snapshot, texts, tables)


# The baseline ---------------------------------------------------------------------------------------


def _naive_indicators(*, viewer: Any, unit: Any, period: Any, publish: bool) -> list[dict[str, Any]]:
    """`figures._indicators` with each indicator evaluated by a fresh naive evaluator of its own."""
    with translation.override("vi"):
        return [
            figures.indicator_json(v)
            for indicator in all_indicators()
            for v in indicator_bench.NaiveEvaluator(viewer, unit).values(
                [indicator], unit, period, compare=True
            )
        ]


def _slow_rows(doc: Any, header: Any, rows: Any, widths: Any) -> None:
    report_docx.layout.add_table(doc, header, rows, widths_mm=widths)


@contextmanager
def _naive_parts() -> Iterator[None]:
    """`figures.collect` and the files the straightforward way: no batch of data elements (each
    computed on its own), the naive indicators, and every annex cell built through python-docx's
    object model. Put back whatever happens."""
    saved = (metrics.totals, figures._indicators, report_docx.add_rows_fast)
    metrics.totals = lambda codes, **kwargs: {}
    figures._indicators = _naive_indicators
    report_docx.add_rows_fast = _slow_rows
    try:
        yield
    finally:
        metrics.totals, figures._indicators, report_docx.add_rows_fast = saved


def naive_province_annual(s: ReportSet) -> Result:
    user = s.viewer.fresh()
    with _naive_parts():
        snapshot = figures.collect(
            viewer=user, unit=s.viewer.province, kind=ReportKind.ANNUAL, start=START, end=END, publish=False
        )
        texts = narrative.generate(snapshot)
        report = s.report
        report.figures = snapshot
        report_docx.build(report)  # the annex tables made anew for each file
        report_xlsx.build(report)
    return _result(snapshot, texts, annex.tables(snapshot))


def report(s: ReportSet) -> Iterator[str]:
    snapshot, texts, tables = province_annual(s)
    report = s.report
    report.figures = {**snapshot, "gathered_at": ""}
    docx = report_docx.build(report)
    xlsx = report_xlsx.build(report)
    paragraphs = len(Document(io.BytesIO(docx)).paragraphs)
    sheets = len(load_workbook(io.BytesIO(xlsx), read_only=True).sheetnames)
    rollup = snapshot["current"]["rollup"]
    activities = rollup.get("activities", {})
    support = rollup.get("support", {})
    yield (
        f"{s.viewer.province.name}, 2020: {activities.get('activities', 0):,} activities, "
        f"{activities.get('person_times', 0):,} person-times, {support.get('disbursements', 0):,} payments, "
        f"{len(snapshot['indicators'])} indicators; {sum(bool(t) for t in texts.values())} sections written, "
        f"{len(tables)} annex tables; DOCX {len(docx) / 1024:.0f} KiB ({paragraphs} paragraphs), "
        f"XLSX {len(xlsx) / 1024:.0f} KiB ({sheets} sheets)"
    )


benchmark(
    name="reports.province_annual",
    target=Target(max_median_ms=3000),
    baseline=naive_province_annual,
    setup=build_set,
    report=report,
)(province_annual)
