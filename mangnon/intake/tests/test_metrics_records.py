"""Intake figures: no drill-down (records left unset) and the labels of every fixed category."""

from __future__ import annotations

from datetime import date

import pytest

from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.intake import taxonomy
from mangnon.intake.codes import Channel, ContactKind, NonDataType, Urgency
from mangnon.intake.metrics import CATEGORY_LABELS

pytestmark = pytest.mark.django_db


def test_no_intake_figure_links_to_a_list(units):
    period = Period(date(2025, 1, 1), date(2025, 12, 31))
    for element in metrics.all_elements():
        if element.owner == "intake":
            assert element.records_url(unit=units.province, period=period) == ""


def test_category_labels_cover_every_code():
    assert set(CATEGORY_LABELS["kind"]) == set(ContactKind.values)
    assert set(CATEGORY_LABELS["channel"]) == set(Channel.values)
    assert set(CATEGORY_LABELS["urgency"]) == set(Urgency.values)
    assert set(CATEGORY_LABELS["type"]) == set(NonDataType.values)
    assert set(CATEGORY_LABELS["reason"]) == {r.code for r in taxonomy.REASONS if r.depth == 0}
