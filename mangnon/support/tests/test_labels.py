"""Every support page and export says what its figures count: payments are times paid, children
supported are children (each once), gift figures are child-times (lượt trẻ em)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.utils import translation
from django.utils.translation import gettext

from mangnon.registry.tests.factories import ChildFactory
from mangnon.support.tests.factories import (
    DisbursementFactory,
    GiftCampaignFactory,
    GiftTallyFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

PERIOD = {"start": "01/01/2026", "end": "31/12/2026"}


def vi(msgid: str) -> str:
    with translation.override("vi"):
        return gettext(msgid)


@pytest.fixture
def paid_twice(units):
    """One child of commune A paid twice by a programme: two payments, one child."""
    programme = ProgrammeFactory(province=units.province)
    child = ChildFactory(admin_unit=units.commune_a)
    for day in (date(2026, 2, 1), date(2026, 3, 1)):
        DisbursementFactory(
            programme=programme, child=child, admin_unit=units.commune_a, paid_on=day, amount=500_000
        )
    return child


def test_figures_page_labels_payments_children_and_child_times(personas, client_for, units, paid_twice):
    GiftTallyFactory(
        campaign=GiftCampaignFactory(held_on=date(2026, 6, 1), province=units.province),
        admin_unit=units.commune_a,
        children_reached=30,
        children_visited_given_gifts=10,
    )
    r = client_for(personas.officer_a).get("/support/figures/", {"unit": units.commune_a.pk, **PERIOD})
    assert r.status_code == 200
    result = r.context["result"]
    assert (result.disbursements, result.children_supported, result.gift_children) == (2, 1, 30)
    html = r.content.decode()
    assert 'data-count="disbursements">2<' in html and 'data-count="children_supported">1<' in html
    assert vi("payments (times paid)") in html and vi("children supported (unique children)") in html
    assert vi("Child-times: a child given gifts on two occasions counts twice.") in html
    assert vi("Child-times reached") in html and vi("Child-times visited and given gifts") in html


def test_payment_list_labels_its_count_as_times_paid(personas, client_for, paid_twice):
    html = client_for(personas.officer_a).get("/support/").content.decode()
    assert 'data-count="disbursements">2<' in html and vi("payments (times paid)") in html


def test_gift_campaign_page_labels_child_times(personas, client_for, units):
    campaign = GiftCampaignFactory(held_on=date(2026, 6, 1), province=units.province)
    GiftTallyFactory(campaign=campaign, admin_unit=units.commune_a, children_reached=30)
    html = client_for(personas.officer_a).get(f"/support/gifts/{campaign.pk}/").content.decode()
    assert vi("Figures by unit (child-times)") in html and vi("Child-times reached") in html


def test_payment_export_is_one_line_per_payment(personas, client_for, paid_twice):
    """The export lists payments (times paid), each with its child's record number: the same child
    twice, so persons can be counted from it, not mistaken for the count of lines."""
    r = client_for(personas.officer_a).get("/support/export.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == vi("Payment no.") and rows[0][2] == vi("Child's record number")
    assert len(rows) == 3 and {row[2] for row in rows[1:]} == {str(paid_twice.pk)}
