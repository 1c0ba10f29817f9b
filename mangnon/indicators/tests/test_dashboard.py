"""The dashboard and one indicator in depth: scope, disclosure control, both geographies, query bounds.

Every figure on these pages is an aggregate: reading them is not audited (the tests check that no audit
event is written); the lists the drill-down links open belong to the owning apps and audit there.

The sample: children abused in 2020 in three pre-reform districts of Quảng Ninh: 2 in the district of
`legacy_a` (a commune that went into commune A), 7 in a second district and 6 in a third.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from mangnon.cases.tests.factories_incidents import IncidentChildFactory, IncidentFactory
from mangnon.core.models import AuditEvent
from mangnon.geo.models import AdminUnit
from mangnon.indicators import dashboard_selectors as s

pytestmark = pytest.mark.django_db

YEAR = 2020
DASHBOARD = reverse("indicators:dashboard")


def detail_url(code: str = "0101") -> str:
    return reverse("indicators:detail", args=[code])


def _communes_2020(exclude_district: AdminUnit) -> list[AdminUnit]:
    """A commune (valid in 2020) in each of two other districts of the province."""
    day = date(2020, 12, 31)
    districts = (
        AdminUnit.objects.valid_on(day)
        .filter(parent=exclude_district.parent)
        .exclude(pk=exclude_district.pk)
        .order_by("code")
    )
    out = []
    for district in districts:
        commune = AdminUnit.objects.valid_on(day).filter(parent=district).order_by("code").first()
        if commune is not None:
            out.append(commune)
        if len(out) == 2:
            return out
    raise AssertionError("two more districts with communes expected")


def _abused(unit: AdminUnit, n: int, sex: str = "F") -> None:
    incident = IncidentFactory(admin_unit=unit, occurred_on=date(YEAR, 5, 10), forms=["physical"])
    for _ in range(n):
        IncidentChildFactory(incident=incident, child__person__sex=sex)


@pytest.fixture
def sample(units):
    second, third = _communes_2020(units.district_a)
    _abused(units.legacy_a, 2)
    _abused(second, 4, "F")
    _abused(second, 3, "M")
    _abused(third, 6, "M")
    return {"small": units.district_a, "second": second.parent, "third": third.parent}


def _row(response, hook: str, code: str):
    """The cells of the row of `code` (a unit code) in the table `data-<hook>`, as text."""
    from html.parser import HTMLParser

    html = response.content.decode()
    start = html.index(f"data-{hook}")
    body = html[start : html.index("</table>", start)]
    marker = f'data-unit="{code}"'
    at = body.index(marker)
    row = body[at : body.index("</tr>", at)]

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.cells: list[str] = []
            self.inside = False

        def handle_starttag(self, tag, attrs):
            if tag == "td":
                self.inside = True
                self.cells.append("")

        def handle_endtag(self, tag):
            if tag == "td":
                self.inside = False

        def handle_data(self, data):
            if self.inside:
                self.cells[-1] += data.strip()

    parser = Cells()
    parser.feed("<tr " + row)
    return parser.cells


# --- the dashboard -----------------------------------------------------------------------------------


def test_dashboard_shows_every_group_for_the_officers_unit(sample, units, personas, client_for):
    client = client_for(personas.province_officer)
    events = AuditEvent.objects.count()  # after the log-in, which is audited
    response = client.get(DASHBOARD, {"unit": units.province.pk, "year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("0101", "MN-BV-06", "MN-HD-02"):
        assert f'data-indicator="{code}"' in html
    assert 'id="indicator-charts"' in html and "chart.umd.min.js" in html
    board = response.context["board"]
    row = next(r for g in board.groups for r in g.rows if r.indicator.code == "0101")
    assert row.value.numerator == 15 and not row.value.suppressed
    assert AuditEvent.objects.count() == events  # aggregates: not audited


def test_dashboard_defaults_to_the_viewers_own_unit(sample, units, personas, client_for):
    response = client_for(personas.officer_a).get(DASHBOARD, {"year": YEAR})
    assert response.status_code == 200
    assert response.context["board"].unit == units.commune_a
    board = response.context["board"]
    row = next(r for g in board.groups for r in g.rows if r.indicator.code == "0101")
    assert row.value.numerator == 2  # legacy_a's children, counted in commune A through the crosswalk


def test_dashboard_forbidden(sample, units, personas, client_for, client):
    officer_b = client_for(personas.officer_b)
    assert officer_b.get(DASHBOARD, {"unit": units.province.pk, "year": YEAR}).status_code == 404
    assert officer_b.get(DASHBOARD, {"unit": units.commune_a.pk, "year": YEAR}).status_code == 404
    assert officer_b.get(DASHBOARD, {"unit": "x"}).status_code == 404
    assert client_for(personas.hotline).get(DASHBOARD).status_code == 403  # no indicator role
    anonymous = client.get(DASHBOARD)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_dashboard_bad_year_is_a_400_with_a_message(units, personas, client_for):
    response = client_for(personas.province_officer).get(DASHBOARD, {"year": "1990"})
    assert response.status_code == 400
    assert "data-form-errors" in response.content.decode()


def test_viewer_sees_small_counts_suppressed_on_the_dashboard(sample, units, personas, client_for):
    response = client_for(personas.viewer).get(DASHBOARD, {"unit": units.commune_a.pk, "year": YEAR})
    # The viewer's scope is the province, which holds commune A.
    assert response.status_code == 200
    row = next(r for g in response.context["board"].groups for r in g.rows if r.indicator.code == "0101")
    assert row.value.suppressed and row.value.numerator is None and row.status == "suppressed"
    html = response.content.decode()
    assert "data-suppression-note" in html and "data-suppressed" in html


def test_dashboard_query_count_is_bounded(sample, units, personas, client_for, django_assert_max_num_queries):
    """Each term is computed once for the unit and once for the year before, however many indicators
    use it (72 queries for the province when written)."""
    client = client_for(personas.province_officer)
    with django_assert_max_num_queries(110):
        assert client.get(DASHBOARD, {"unit": units.province.pk, "year": YEAR}).status_code == 200


# --- one indicator -----------------------------------------------------------------------------------


def test_detail_by_the_districts_of_2020(sample, units, personas, client_for):
    client = client_for(personas.province_officer)
    events = AuditEvent.objects.count()  # after the log-in, which is audited
    response = client.get(detail_url(), {"unit": units.province.pk, "year": YEAR})
    assert response.status_code == 200
    detail = response.context["detail"]
    assert detail.total.numerator.value == 15
    assert len(detail.children) == 13  # the district-level units of Quảng Ninh in 2020
    by_code = {row.unit.code: row for row in detail.children}
    assert by_code[sample["small"].code].numerator.value == 2
    assert by_code[sample["second"].code].numerator.value == 7
    assert by_code[sample["third"].code].numerator.value == 6
    assert not any(row.numerator.suppressed for row in detail.children)
    sexes = {
        row.key: row.numerator.value
        for row in next(b for b in detail.breakdowns if b.dimension == "sex").rows
    }
    assert sexes["F"] == 6 and sexes["M"] == 9
    assert detail.trend[0].label == "2019"
    assert AuditEvent.objects.count() == events  # aggregates: not audited


def test_detail_in_todays_geography(sample, units, personas, client_for):
    response = client_for(personas.province_officer).get(
        detail_url(), {"unit": units.province.pk, "year": YEAR, "geography": "current"}
    )
    assert response.status_code == 200
    detail = response.context["detail"]
    assert len(detail.children) == 54  # today's communes, directly under the province
    by_code = {row.unit.code: row for row in detail.children}
    assert by_code[units.commune_a.code].numerator.value == 2  # legacy_a's children, re-aggregated
    assert sum(row.numerator.value or 0 for row in detail.children) == 15
    assert 'data-geography="current"' in response.content.decode()


def test_entered_figures_are_not_split_onto_todays_communes(units, personas, client_for):
    response = client_for(personas.province_officer).get(
        detail_url("MN-BV-08"), {"unit": units.province.pk, "year": YEAR, "geography": "current"}
    )
    assert response.status_code == 200
    rows = response.context["detail"].children
    assert rows and all(row.status == "no_data_at_level" for row in rows)


def test_viewer_sees_primary_and_secondary_suppression(sample, units, personas, client_for):
    response = client_for(personas.viewer).get(detail_url(), {"unit": units.province.pk, "year": YEAR})
    assert response.status_code == 200
    detail = response.context["detail"]
    by_code = {row.unit.code: row for row in detail.children}
    small, second, third = (by_code[sample[k].code] for k in ("small", "second", "third"))
    assert small.numerator.suppressed and small.numerator.value is None  # withheld, not only hidden
    assert third.numerator.suppressed  # the complementary cell: the smallest other non-zero one
    assert not second.numerator.suppressed and second.numerator.value == 7
    assert detail.total.numerator.value == 15 and not detail.total.numerator.suppressed
    assert _row(response, "children", sample["small"].code)[0] == "•"
    assert _row(response, "children", sample["third"].code)[0] == "•"
    assert _row(response, "children", sample["second"].code)[0] == "7"
    assert "data-suppression-note" in response.content.decode()


def test_viewer_sees_a_small_commune_suppressed_with_its_complement(units, personas, client_for):
    """By commune within a 2020 district: 2 children in one commune, 5 and 9 in two others."""
    others = (
        AdminUnit.objects.valid_on(date(YEAR, 12, 31))
        .filter(parent=units.district_a)
        .exclude(pk=units.legacy_a.pk)
        .order_by("code")[:2]
    )
    five, nine = list(others)
    _abused(units.legacy_a, 2)
    _abused(five, 5)
    _abused(nine, 9)
    query = {"unit": units.district_a.pk, "year": YEAR}
    viewer = client_for(personas.viewer).get(detail_url(), query)
    assert viewer.status_code == 200
    assert _row(viewer, "children", units.legacy_a.code)[0] == "•"
    assert _row(viewer, "children", five.code)[0] == "•"  # the complement: 16 - 9 - 5 would give 2
    assert _row(viewer, "children", nine.code)[0] == "9"
    assert viewer.context["detail"].total.numerator.value == 16
    officer = client_for(personas.province_officer).get(detail_url(), query)
    assert [_row(officer, "children", u.code)[0] for u in (units.legacy_a, five, nine)] == ["2", "5", "9"]


def test_officer_sees_the_small_figures(sample, units, personas, client_for):
    response = client_for(personas.province_officer).get(
        detail_url(), {"unit": units.province.pk, "year": YEAR}
    )
    assert _row(response, "children", sample["small"].code)[0] == "2"
    assert _row(response, "children", sample["third"].code)[0] == "6"
    assert "data-suppression-note" not in response.content.decode()


def test_publish_suppresses_for_the_officer_too(sample, units, personas, client_for):
    response = client_for(personas.province_officer).get(
        detail_url(), {"unit": units.province.pk, "year": YEAR, "publish": "1"}
    )
    detail = response.context["detail"]
    assert detail.suppressed
    assert {row.unit.code for row in detail.children if row.numerator.suppressed} == {
        sample["small"].code,
        sample["third"].code,
    }


def test_a_suppressed_numerator_hides_its_rate(sample, units, personas, client_for):
    response = client_for(personas.viewer).get(
        detail_url("MN-BV-01"), {"unit": units.district_a.pk, "year": YEAR}
    )
    assert response.status_code == 200
    total = response.context["detail"].total
    assert total.numerator.suppressed and total.value.suppressed


def test_detail_forbidden(sample, units, personas, client_for, client):
    officer_b = client_for(personas.officer_b)
    assert officer_b.get(detail_url(), {"unit": units.province.pk}).status_code == 404
    assert officer_b.get(detail_url(), {"unit": units.commune_a.pk}).status_code == 404
    assert client_for(personas.province_officer).get(detail_url("NO-SUCH")).status_code == 404
    assert client_for(personas.hotline).get(detail_url()).status_code == 403
    assert client.get(detail_url()).status_code == 302
    bad = client_for(personas.province_officer).get(detail_url(), {"geography": "mars"})
    assert bad.status_code == 400


def test_detail_query_count_is_bounded(sample, units, personas, client_for, django_assert_max_num_queries):
    """The trend, the 13 districts and the categories: a bounded computation per year and per unit
    (97 queries when written); today's 54 communes about four queries each (207)."""
    client = client_for(personas.province_officer)
    with django_assert_max_num_queries(140):
        response = client.get(detail_url(), {"unit": units.province.pk, "year": YEAR})
    assert response.status_code == 200
    with django_assert_max_num_queries(280):
        response = client.get(detail_url(), {"unit": units.province.pk, "year": YEAR, "geography": "current"})
    assert response.status_code == 200


def test_unit_choices_follow_the_year(units, personas):
    choices_2020 = dict(s.unit_choices(personas.province_officer, 2020))
    choices_2025 = dict(s.unit_choices(personas.province_officer, 2025))
    assert units.district_a.pk in choices_2020 and units.commune_a.pk not in choices_2020
    assert units.commune_a.pk in choices_2025 and units.district_a.pk not in choices_2025
    assert next(iter(choices_2020)) == units.province.pk
    assert set(dict(s.unit_choices(personas.officer_b, 2025))) >= {units.commune_b.pk}
    assert units.province.pk not in dict(s.unit_choices(personas.officer_b, 2025))
