"""The indicators API: values with their numerator, denominator, target and status as JSON numbers;
the unit resolved in the period's geography; 404 for a unit unknown or outside the caller's scope, 403
without INDICATOR_VIEW, 401 anonymous, 422 for a bad period or code; small cells suppressed for the
viewer role and with publish=true; half-years and ranges of years. Values are aggregates: reading them
writes no audit event (the project audits reads of personal data only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from mangnon.core import metrics
from mangnon.core.models import AuditEvent
from mangnon.indicators.catalogue import all_indicators
from mangnon.indicators.models import TargetKind
from mangnon.indicators.tests.target_factories import TargetFactory, entered_value
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/indicators/values"
FIELDS = {
    "code",
    "name",
    "measure",
    "unit",
    "period",
    "numerator",
    "denominator",
    "value",
    "target",
    "status",
    "trend",
    "previous",
    "suppressed",
    "available",
}


@pytest.fixture
def deaths(units):
    """Injury and drowning deaths of 2019 and 2020 entered by two pre-reform district-level units."""
    other = units.district_a.__class__.objects.filter(
        parent=units.province, valid_to__isnull=False, level="district"
    ).exclude(pk=units.district_a.pk)[0]
    entered_value(element="health.injury_deaths", unit=units.district_a, period="2020", value=20)
    entered_value(element="health.injury_deaths", unit=other, period="2020", value=8)
    entered_value(element="health.injury_deaths", unit=units.district_a, period="2019", value=31)
    entered_value(element="health.drowning_deaths", unit=units.district_a, period="2020", value=3)
    return other


def _one(response):
    assert response.status_code == 200, response.content
    data = response.json()
    assert len(data) == 1
    return data[0]


def test_values_shape_numbers_target_and_status(personas, api_for, units, deaths):
    TargetFactory(indicator="MN-BV-08", year=2020, value=Decimal("30"), source_document="KH 12/KH-UBND")
    item = _one(
        api_for(personas.province_officer).get(URL, {"codes": "MN-BV-08", "unit": "22", "period": "2020"})
    )
    assert set(item) == FIELDS
    assert item["code"] == "MN-BV-08" and item["measure"] == "count" and item["period"] == "2020"
    assert item["unit"] == {"code": "22", "name": units.province.name}
    assert item["numerator"] == 28 and isinstance(item["numerator"], int)
    assert item["value"] == 28 and item["denominator"] is None
    assert item["target"] == {"kind": "level", "value": 30, "source_document": "KH 12/KH-UBND"}
    assert item["status"] == "met" and item["suppressed"] is False and item["available"] is True
    assert item["trend"] == "unknown" and item["previous"] is None
    assert not AuditEvent.objects.filter(object_type__startswith="indicators").exists()


def test_compare_gives_previous_and_trend(personas, api_for, deaths):
    item = _one(
        api_for(personas.province_officer).get(
            URL, {"codes": "MN-BV-08", "unit": "22", "period": "2020", "compare": "true"}
        )
    )
    assert item["previous"] == 31 and item["trend"] == "better"


def test_relative_target_uses_the_year_before(personas, api_for, deaths):
    TargetFactory(indicator="MN-BV-08", year=2020, kind=TargetKind.BELOW_PREVIOUS, value=None)
    item = _one(
        api_for(personas.province_officer).get(URL, {"codes": "MN-BV-08", "unit": "22", "period": "2020"})
    )
    assert item["target"] == {
        "kind": "below_previous",
        "value": None,
        "source_document": "Kế hoạch 45/KH-UBND",
    }
    assert item["status"] == "met" and item["previous"] == 31


def test_rate_is_a_json_number_with_decimals(personas, api_for, units):
    entered_value(element="health.weighed_u5", unit=units.district_a, period="2020", value=800)
    entered_value(element="health.underweight_u5", unit=units.district_a, period="2020", value=100)
    item = _one(
        api_for(personas.province_officer).get(URL, {"codes": "MN-YT-01", "unit": "22", "period": "2020"})
    )
    assert item["numerator"] == 100 and item["denominator"] == 800
    assert item["value"] == 12.5 and isinstance(item["value"], float)


def test_all_indicators_when_codes_omitted(personas, api_for, deaths):
    response = api_for(personas.province_officer).get(URL, {"unit": "22", "period": "2020"})
    assert response.status_code == 200
    assert [i["code"] for i in response.json()] == [i.code for i in all_indicators()]


def test_several_codes_in_order_without_repeats(personas, api_for, deaths):
    response = api_for(personas.province_officer).get(
        URL, {"codes": "MN-BV-10, MN-BV-08,MN-BV-10", "unit": "22", "period": "2020"}
    )
    assert [i["code"] for i in response.json()] == ["MN-BV-10", "MN-BV-08"]


def test_computed_value_equals_the_element_count(personas, api_for, units):
    ChildFactory.create_batch(3, admin_unit=units.commune_a)
    ChildFactory(admin_unit=units.commune_b)
    year = metrics.Period(date(2026, 1, 1), date(2026, 12, 31))
    element = metrics.get("registry.children")
    expected = element.compute(unit=units.province, period=year, viewer=personas.province_officer).total
    in_a = element.compute(unit=units.commune_a, period=year, viewer=personas.officer_a).total
    assert expected > in_a > 0
    province = api_for(personas.province_officer).get(
        URL, {"codes": "MN-CH-01", "unit": "22", "period": "2026"}
    )
    assert _one(province)["value"] == expected
    commune = _one(
        api_for(personas.officer_a).get(URL, {"codes": "MN-CH-01", "unit": "06688", "period": "2026"})
    )
    assert commune["unit"]["code"] == "06688" and commune["value"] == in_a


def test_half_year_and_range_of_years(personas, api_for, units, deaths):
    api = api_for(personas.province_officer)
    years = _one(api.get(URL, {"codes": "MN-BV-08", "unit": "22", "period": "2019-2020"}))
    assert years["period"] == "2019-2020" and years["value"] == 59
    half = _one(api.get(URL, {"codes": "MN-BV-08", "unit": "22", "period": "2020h1"}))
    # Health figures are kept per year: a half-year has no data, never a zero.
    assert half["period"] == "2020H1" and half["value"] is None and half["status"] == "no_data"
    ChildFactory(admin_unit=units.commune_a)
    computed = _one(api.get(URL, {"codes": "MN-CH-01", "unit": "22", "period": "2026H1"}))
    assert computed["period"] == "2026H1" and isinstance(computed["value"], int)


def test_unit_code_in_the_geography_of_the_period(personas, api_for, units, deaths):
    api = api_for(personas.province_officer)
    district = _one(api.get(URL, {"codes": "MN-BV-08", "unit": units.district_a.code, "period": "2020"}))
    assert district["unit"]["code"] == units.district_a.code and district["value"] == 20
    # A code of the current geography asked for a period before it existed: today's unit.
    current = _one(api.get(URL, {"codes": "MN-BV-08", "unit": "06862", "period": "2020"}))
    assert current["unit"]["code"] == "06862"


def test_viewer_gets_small_cells_suppressed(personas, api_for, deaths):
    item = _one(api_for(personas.viewer).get(URL, {"codes": "MN-BV-10", "unit": "22", "period": "2020"}))
    assert item["suppressed"] is True and item["numerator"] is None and item["value"] is None
    big = _one(api_for(personas.viewer).get(URL, {"codes": "MN-BV-08", "unit": "22", "period": "2020"}))
    assert big["suppressed"] is False and big["value"] == 28


def test_publish_suppresses_for_officers_too(personas, api_for, deaths):
    api = api_for(personas.province_officer)
    whole = _one(api.get(URL, {"codes": "MN-BV-10", "unit": "22", "period": "2020"}))
    assert whole["suppressed"] is False and whole["value"] == 3
    published = _one(api.get(URL, {"codes": "MN-BV-10", "unit": "22", "period": "2020", "publish": "true"}))
    assert published["suppressed"] is True and published["value"] is None


def test_outside_scope_is_404(personas, api_for, units, deaths):
    api = api_for(personas.officer_b)
    for unit in ("22", "06688", units.district_a.code):
        response = api.get(URL, {"codes": "MN-BV-08", "unit": unit, "period": "2020"})
        assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert api.get(URL, {"codes": "MN-BV-08", "unit": "99999", "period": "2020"}).status_code == 404
    assert api.get(URL, {"codes": "MN-BV-08", "unit": "06862", "period": "2026"}).status_code == 200


def test_without_indicator_view_is_403_and_anonymous_401(personas, api_for, client):
    response = api_for(personas.hotline).get(URL, {"unit": "22", "period": "2020"})
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert client.get(URL, {"unit": "22", "period": "2020"}).status_code == 401


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"unit": "22", "period": "20-20"},
            "period",
            "Write the period as a year (2020), a half-year (2020H1 or 2020H2) "
            "or a range of years (2016-2020).",
        ),
        ({"unit": "22", "period": "1990"}, "period", "The year must lie between 2000 and 2100."),
        ({"unit": "22", "period": "2020-2016"}, "period", "The range of years ends before it starts."),
        (
            {"unit": "22", "period": "2020", "codes": "0101,XX-99"},
            "codes",
            "No indicator has the code XX-99.",
        ),
    ],
)
def test_bad_input_is_422_with_the_message(personas, api_for, params, field, message):
    client = api_for(personas.province_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL, params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid" and body["detail"][field] == [message]


def test_missing_parameters_are_422(personas, api_for):
    assert api_for(personas.province_officer).get(URL, {"unit": "22"}).status_code == 422


def test_catalogue(personas, api_for, client):
    response = api_for(personas.viewer).get("/api/v1/indicators/catalogue")
    assert response.status_code == 200
    data = response.json()
    assert [i["code"] for i in data["indicators"]] == [i.code for i in all_indicators()]
    abused = next(i for i in data["indicators"] if i["code"] == "0101")
    assert abused["tt13"] is True and abused["numerator"] == "cases.abused_children"
    assert abused["measure"] == "count" and abused["direction"] == "lower"
    rate = next(i for i in data["indicators"] if i["code"] == "MN-YT-03")
    assert (
        rate["formula"].endswith(("× 1.000", "× 1,000"))
        and " / " in rate["formula"]
        and rate["denominator"] == "health.live_births"
    )
    assert [d["code"] for d in data["data_sets"]] == ["health", "education", "commune", "survey"]
    health = data["data_sets"][0]
    drowned = next(e for e in health["elements"] if e["code"] == "health.drowning_deaths")
    assert drowned["part_of"] == "health.injury_deaths" and health["level"] == "below_province"
    assert api_for(personas.hotline).get("/api/v1/indicators/catalogue").status_code == 403
    assert client.get("/api/v1/indicators/catalogue").status_code == 401
    assert not AuditEvent.objects.filter(object_type__startswith="indicators").exists()


def test_values_queries_do_not_grow_with_targets(personas, api_for, deaths, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(personas.province_officer)
    params = {"unit": "22", "period": "2020", "compare": "true"}
    TargetFactory(indicator="MN-BV-08", year=2020)
    with CaptureQueriesContext(connection) as few:
        assert api.get(URL, params).status_code == 200
    for code in ("0101", "MN-BV-06", "MN-YT-01", "MN-GD-05", "MN-HD-01"):
        TargetFactory(indicator=code, year=2020, value=Decimal("5"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(URL, params).status_code == 200
