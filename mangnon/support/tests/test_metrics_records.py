"""Support figures: no drill-down yet (their records are left unset, said in docs/indicators-drilldown.md),
and the labels of every fixed category for the dashboard."""

from __future__ import annotations

from datetime import date

import pytest

from mangnon.core import metrics
from mangnon.core.metrics import Period
from mangnon.support.codes import CareKind, GiftOccasion, ProgrammeKind
from mangnon.support.metrics import CATEGORY_LABELS

pytestmark = pytest.mark.django_db


def test_no_support_figure_links_to_a_list(units):
    period = Period(date(2025, 1, 1), date(2025, 12, 31))
    for element in metrics.all_elements():
        if element.owner == "support":
            assert element.records_url(unit=units.province, period=period) == ""


def test_category_labels_cover_every_code():
    assert set(CATEGORY_LABELS["kind"]) == set(ProgrammeKind.values)
    assert set(CATEGORY_LABELS["occasion"]) == set(GiftOccasion.values)
    assert set(CATEGORY_LABELS["care_kind"]) == set(CareKind.values)
