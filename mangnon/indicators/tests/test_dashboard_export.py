"""The XLSX exports of the dashboard and of one indicator: opened back with openpyxl.

The files say which unit, period and geography they hold and whether small cells were suppressed; a
suppressed cell is the mark, never 0; text is never a formula. Aggregates: not audited.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from mangnon.core.models import AuditEvent

from .test_dashboard import YEAR, sample  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

EXPORT = reverse("indicators:dashboard_export")


def _book(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _vi(msgid: str) -> str:
    """A text as the pages write it: in Vietnamese, the default language."""
    with translation.override("vi"):
        return translation.gettext(msgid)


def _about(book) -> dict[str, object]:
    return {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_dashboard_export_holds_the_table_and_says_what_it_is(sample, units, personas, client_for):  # noqa: F811
    client = client_for(personas.province_officer)
    events = AuditEvent.objects.count()  # after the log-in, which is audited
    book = _book(client.get(EXPORT, {"unit": units.province.pk, "year": YEAR}))
    about = list(_about(book).values())
    assert units.province.name in about and _vi("Year %(year)s") % {"year": YEAR} in about
    assert _vi("No") in about  # nothing suppressed for the province officer
    rows = _rows(book.worksheets[1])
    line = next(r for r in rows if r[1] == "0101")
    assert line[4] == 15  # the numerator, a number
    assert AuditEvent.objects.count() == events  # aggregates: not audited


def test_dashboard_export_for_publication_suppresses(sample, units, personas, client_for):  # noqa: F811
    client = client_for(personas.province_officer)
    book = _book(client.get(EXPORT, {"unit": units.commune_a.pk, "year": YEAR, "publish": "1"}))
    rows = _rows(book.worksheets[1])
    line = next(r for r in rows if r[1] == "0101")
    assert line[4] == "•" and line[6] == "•"  # 2 children: suppressed, never 0
    assert _vi("Yes, for publication") in _about(book).values()


def test_detail_export_has_the_trend_units_and_categories(sample, units, personas, client_for):  # noqa: F811
    client = client_for(personas.viewer)
    events = AuditEvent.objects.count()  # after the log-in, which is audited
    response = client.get(
        reverse("indicators:detail_export", args=["0101"]), {"unit": units.province.pk, "year": YEAR}
    )
    book = _book(response)
    assert len(book.worksheets) >= 4  # about, trend, units below, at least one category sheet
    units_sheet = _rows(book.worksheets[2])
    by_name = {r[0]: r[1] for r in units_sheet[1:]}
    assert by_name[sample["small"].name] == "•" and by_name[sample["third"].name] == "•"
    assert by_name[sample["second"].name] == 7
    assert by_name[units.province.name] == 15
    trend = _rows(book.worksheets[1])
    assert trend[1][0] == "2019"
    assert AuditEvent.objects.count() == events  # aggregates: not audited


def test_exports_forbidden(sample, units, personas, client_for, client):  # noqa: F811
    officer_b = client_for(personas.officer_b)
    detail = reverse("indicators:detail_export", args=["0101"])
    assert officer_b.get(EXPORT, {"unit": units.province.pk}).status_code == 404
    assert officer_b.get(detail, {"unit": units.commune_a.pk}).status_code == 404
    assert client_for(personas.hotline).get(EXPORT).status_code == 403
    assert client.get(EXPORT).status_code == 302
    assert client_for(personas.province_officer).get(EXPORT, {"year": "abc"}).status_code == 400
