"""The catalogue page: every indicator with its formula in the data elements' names and every data set
with its elements; INDICATOR_VIEW only (no audit: it shows no record). Also the catalogue's own
consistency: every term of every formula names an element some app or data set declares."""

from __future__ import annotations

import pytest
from django.utils import translation

from mangnon.core import metrics
from mangnon.core.models import AuditEvent
from mangnon.indicators import entered
from mangnon.indicators.catalogue import all_indicators, get
from mangnon.indicators.engine import Term
from mangnon.indicators.target_selectors import catalogue_entries, formula_of, term_label

URL = "/indicators/catalogue/"


@pytest.mark.django_db
def test_page_lists_indicators_and_data_sets(personas, client_for):
    response = client_for(personas.viewer).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for indicator in all_indicators():
        assert f'data-indicator="{indicator.code}"' in html
    for data_set in entered.DATA_SETS:
        assert f'data-data-set="{data_set.code}"' in html
        for element in data_set.elements:
            assert f'data-element="{element.code}"' in html
    assert html.count("data-tt13") == sum(1 for i in all_indicators() if i.tt13)
    assert "person-times" in html or "lượt người" in html
    assert not AuditEvent.objects.exclude(action__in=["login"]).exists()


@pytest.mark.django_db
def test_page_for_a_commune_officer_and_forbidden(personas, client_for, client):
    assert client_for(personas.officer_b).get(URL).status_code == 200
    assert client_for(personas.hotline).get(URL).status_code == 403
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client_for(personas.officer_b).post(URL).status_code == 405


def test_every_term_names_a_declared_element():
    for indicator in all_indicators():
        for text in indicator.terms:
            term = Term.parse(text)
            if term.is_entered:
                entered.element_of(term.code)
            else:
                element = metrics.get(term.code)
                if term.dimension:
                    assert term.dimension in element.disaggregations, text


def test_formula_in_words():
    with translation.override("en"):
        assert formula_of(get("MN-YT-01")) == (
            "Underweight children under 5 / Children under 5 weighed and measured × 100"
        )
        assert formula_of(get("MN-BV-01")).endswith("× 100,000")
        assert formula_of(get("0101")) == str(metrics.get("cases.abused_children").name)
        assert term_label("cases.abused_children[form=sexual]").endswith("(form: sexual)")
        entries = catalogue_entries()
        abused = next(e for e in entries if e.indicator.code == "0101")
        assert abused.disaggregation_labels == ["Sex", "Age group", "Form of abuse"]
    assert [e.indicator.code for e in entries] == [i.code for i in all_indicators()]
