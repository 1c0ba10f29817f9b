from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from mangnon.core.formatting import vi_date, vi_datetime, vi_money, vi_number


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (49980, None, "49.980"),
        (17316.469, None, "17.316,469"),
        (Decimal("17316.469"), None, "17.316,469"),
        (Decimal("1234567.50"), None, "1.234.567,50"),
        (-1234.5, None, "-1.234,5"),
        (-49980, None, "-49.980"),
        (0, None, "0"),
        (999, None, "999"),
        (1000, None, "1.000"),
        (1300, None, "1.300"),
        (17316.469, 2, "17.316,47"),
        (Decimal("2.5"), 0, "3"),
        (Decimal("-2.5"), 0, "-3"),
        (49980, 1, "49.980,0"),
        (-0.001, 2, "0,00"),
    ],
)
def test_vi_number(value, decimals, expected):
    assert vi_number(value, decimals) == expected


@pytest.mark.parametrize("bad", ["49980", None, True])
def test_vi_number_refuses_what_is_not_a_number(bad):
    with pytest.raises(TypeError):
        vi_number(bad)


def test_vi_number_refuses_infinity():
    with pytest.raises(ValueError, match="finite"):
        vi_number(float("inf"))


def test_vi_money():
    assert vi_money(17_316_469_000) == "17.316.469.000 đồng"
    assert vi_money(500) == "500 đồng"
    with pytest.raises(TypeError):
        vi_money(1.5)


def test_vi_date_and_datetime_use_vietnam_time():
    assert vi_date(date(2025, 7, 1)) == "01/07/2025"
    late_utc = datetime(2025, 6, 30, 20, 15, tzinfo=UTC)  # 03:15 on 1 July in Vietnam
    assert vi_date(late_utc) == "01/07/2025"
    assert vi_datetime(late_utc) == "01/07/2025 03:15"


def _render(source, **context):
    return Template(source).render(Context(context))


def test_vn_filters_print_vietnamese_formats_in_either_language():
    source = (
        "{% load vn %}{{ n|vi_number }} {{ x|vi_number:1 }} {{ m|vi_money }} "
        "{{ d|vi_date }} {{ t|vi_datetime }}"
    )
    context = {
        "n": 49980,
        "x": Decimal("17316.46"),
        "m": 1_000_000,
        "d": date(2026, 2, 17),
        "t": datetime(2026, 2, 17, 1, 5, tzinfo=UTC),
    }
    expected = "49.980 17.316,5 1.000.000 đồng 17/02/2026 17/02/2026 08:05"
    for language in ("vi", "en"):
        with translation.override(language):
            assert _render(source, **context) == expected


def test_vn_filters_leave_empty_and_foreign_values_alone():
    source = "{% load vn %}[{{ a|vi_number }}][{{ b|vi_date }}][{{ c|vi_datetime }}][{{ d|vi_money }}]"
    assert _render(source, a=None, b=None, c="n/a", d="") == "[][][n/a][]"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", "17/02/2026 | 17/02/2026 08:05 | 49.980 | 17.316,469 | 1.300"),
        ("en", "17/02/2026 | 17/02/2026 08:05 | 49,980 | 17,316.469 | 1,300"),
    ],
)
def test_django_localises_dates_and_numbers_with_our_format_modules(language, expected):
    source = (
        "{% load vn %}{{ d|date }} | {{ t|date:'DATETIME_FORMAT' }} | {{ n|num }} | {{ x|num }} | {{ c|num }}"
    )
    context = {
        "d": date(2026, 2, 17),
        "t": datetime(2026, 2, 17, 8, 5),  # noqa: DTZ001 - the date filter formats what it gets
        "n": 49980,
        "x": Decimal("17316.469"),
        "c": 1300,
    }
    with translation.override(language):
        assert _render(source, **context) == expected


@pytest.mark.parametrize("language", ["vi", "en"])
def test_date_input_accepts_day_first_and_iso(language):
    from django import forms

    class F(forms.Form):
        when = forms.DateField()

    with translation.override(language):
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
        for raw in ("17/02/2026", "2026-02-17"):
            form = F(data={"when": raw})
            assert form.is_valid(), form.errors
            assert form.cleaned_data["when"] == date(2026, 2, 17)
        assert F(data={"when": "02/17/2026"}).is_valid() is False


@pytest.mark.parametrize("language", ["vi", "en"])
def test_plain_integers_are_never_grouped(language):
    # Record ids in links and data-* attributes, and years, must print as they are.
    with translation.override(language):
        assert (
            _render('<a data-id="{{ pk }}">{{ year }}</a>', pk=5593, year=2015)
            == '<a data-id="5593">2015</a>'
        )
