"""The gift pages: campaigns (listed for the roles that read support, added by the province officer),
a campaign's page (tallies and named children in the reader's scope, the names' view audited, the forms
to add a unit's figures and a named child); forbidden for other roles and anonymous users."""

from __future__ import annotations

from datetime import date

import pytest

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.tests.factories import ChildFactory
from mangnon.support.models import GiftCampaign, GiftRecipient, GiftTally
from mangnon.support.tests.factories import GiftCampaignFactory, GiftRecipientFactory, GiftTallyFactory

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/support/gifts/"


def _url(campaign) -> str:
    return f"/support/gifts/{campaign.pk}/"


@pytest.fixture
def campaign(units):
    return GiftCampaignFactory(name="Trung thu 2026", held_on=date(2026, 9, 25), province=units.province)


def test_province_officer_adds_a_campaign(personas, client_for, units):
    client = client_for(personas.province_officer)
    assert client.get(CAMPAIGNS).context["form"] is not None
    response = client.post(
        CAMPAIGNS, {"name": "Tết thiếu nhi 2026", "occasion": "tet_thieu_nhi", "held_on": "01/06/2026"}
    )
    assert response.status_code == 302
    created = GiftCampaign.objects.get()
    assert (created.year, created.province) == (2026, units.province)
    assert client.post(CAMPAIGNS, {"name": "", "occasion": "x", "held_on": ""}).status_code == 400


def test_commune_officer_lists_but_does_not_add_campaigns(personas, client_for, campaign):
    client = client_for(personas.officer_a)
    response = client.get(CAMPAIGNS)
    assert response.status_code == 200 and response.context["form"] is None
    assert f'data-campaign-id="{campaign.pk}"' in response.content.decode()
    assert (
        client.post(CAMPAIGNS, {"name": "x", "occasion": "other", "held_on": "01/06/2026"}).status_code == 403
    )


def test_campaign_page_shows_the_scope_and_audits_the_names(personas, client_for, campaign, units):
    GiftTallyFactory(campaign=campaign, admin_unit=units.commune_a)
    GiftTallyFactory(campaign=campaign, admin_unit=units.commune_b)
    mine = GiftRecipientFactory(campaign=campaign, admin_unit=units.commune_a)
    GiftRecipientFactory(campaign=campaign, admin_unit=units.commune_b)
    response = client_for(personas.officer_a).get(_url(campaign))
    assert response.status_code == 200
    assert [t.admin_unit for t in response.context["tallies"]] == [units.commune_a]
    assert [r.pk for r in response.context["recipients"]] == [mine.pk]
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="support.giftrecipient")
    assert event.changes["shown"] == [mine.pk]


def test_commune_officer_records_figures_and_a_child(personas, client_for, campaign, units):
    client = client_for(personas.officer_a)
    data = {"form": "tally", "unit": units.commune_a.pk, "children_reached": "120",
            "children_visited_given_gifts": "15", "total_value": "6000000"}  # fmt: skip
    assert client.post(_url(campaign), data).status_code == 302
    again = client.post(_url(campaign), data)
    assert again.status_code == 400 and "unit" in again.context["tally_form"].errors
    assert client.post(_url(campaign), {**data, "unit": units.commune_b.pk}).status_code == 400  # not offered
    child = ChildFactory(admin_unit=units.commune_a)
    form = {"form": "recipient", "child": child.pk, "value": "150000", "visited": "on"}
    assert client.post(_url(campaign), form).status_code == 302
    child_b = ChildFactory(admin_unit=units.commune_b)
    refused = client.post(_url(campaign), {**form, "child": child_b.pk})
    assert refused.status_code == 400 and "child" in refused.context["recipient_form"].errors
    assert GiftTally.objects.get().children_reached == 120
    assert GiftRecipient.objects.get().child_id == child.pk


@pytest.mark.parametrize("who", ["viewer", "collaborator_a", "hotline", "chair_a"])
def test_roles_that_do_not_read_support_are_refused(personas, client_for, campaign, who):
    client = client_for(getattr(personas, who))
    assert client.get(CAMPAIGNS).status_code == 403
    assert client.get(_url(campaign)).status_code == 403


def test_case_manager_reads_but_does_not_record(personas, client_for, campaign, units):
    client = client_for(personas.case_manager)
    assert client.get(_url(campaign)).context["tally_form"] is None
    data = {"form": "tally", "unit": units.commune_a.pk, "children_reached": "1",
            "children_visited_given_gifts": "0", "total_value": "0"}  # fmt: skip
    assert client.post(_url(campaign), data).status_code == 403
    assert not GiftTally.objects.exists()


def test_anonymous_and_unknown(client, personas, client_for, campaign):
    assert client.get(CAMPAIGNS).status_code == 302
    assert client.get(_url(campaign)).status_code == 302
    assert client_for(personas.officer_a).get("/support/gifts/999999/").status_code == 404
