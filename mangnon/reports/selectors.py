"""Reads of periodic reports shared by the pages and the API."""

from __future__ import annotations

from .models import Report, ReportFile


def current_files(report: Report) -> dict[str, ReportFile]:
    """The newest file of each format for the report as it stands (a failed one too, to say so),
    without its bytes."""
    rows = (
        ReportFile.objects.filter(report=report, report_version=report.version)
        .defer("content")
        .order_by("fmt", "-pk")
    )
    found: dict[str, ReportFile] = {}
    for row in rows:
        found.setdefault(row.fmt, row)
    return found
