"""The alternative care pages: the placements in the reader's scope (their view audited), placing a
child, a placement's page with its reviews, ending it (a stale version is 409 and loses nothing);
forbidden for commune B, for roles that do not read support and for anonymous users."""

from __future__ import annotations

import re
from datetime import date

import pytest

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.orgs.models import Organisation
from mangnon.registry.tests.factories import ChildFactory
from mangnon.support.models import AlternativeCare, CareReview
from mangnon.support.tests.factories import AlternativeCareFactory

pytestmark = pytest.mark.django_db

LIST = "/support/care/"


def _url(p) -> str:
    return f"/support/care/{p.pk}/"


@pytest.fixture
def placed(units):
    a = AlternativeCareFactory(admin_unit=units.commune_a, start=date(2026, 1, 5))
    b = AlternativeCareFactory(admin_unit=units.commune_b, child__admin_unit=units.commune_b)
    return a, b


def test_commune_officer_lists_their_placements_audited(personas, client_for, placed):
    a, _b = placed
    response = client_for(personas.officer_a).get(LIST)
    assert response.status_code == 200
    assert re.findall(r'data-placement-id="(\d+)"', response.content.decode()) == [str(a.pk)]
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="support.alternativecare")
    assert event.changes["shown"] == [a.pk]


def test_place_a_child_in_a_facility(personas, client_for, units):
    child = ChildFactory(admin_unit=units.commune_a)
    centre = Organisation.objects.create(
        name="Trung tâm Công tác xã hội tỉnh", kind="social_work_centre", admin_unit=units.province,
        province=units.province,
    )  # fmt: skip
    client = client_for(personas.officer_a)
    data = {"child": child.pk, "kind": "facility", "facility": centre.pk, "start": "05/01/2026", "end": ""}
    response = client.post(LIST, data)
    assert response.status_code == 302
    placement = AlternativeCare.objects.get()
    assert (placement.facility, placement.admin_unit) == (centre, units.commune_a)
    bad = client.post(LIST, {**data, "kind": "kinship"})
    assert bad.status_code == 400 and "facility" in bad.context["form"].errors
    child_b = ChildFactory(admin_unit=units.commune_b)
    assert client.post(LIST, {**data, "child": child_b.pk}).status_code == 400
    assert AlternativeCare.objects.count() == 1


def test_review_and_end_a_placement(personas, client_for, placed):
    a = placed[0]
    client = client_for(personas.officer_a)
    page = client.get(_url(a))
    assert page.status_code == 200 and page.context["end_form"] is not None
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(a.pk)).exists()
    assert (
        client.post(_url(a), {"form": "review", "reviewed_on": "01/03/2026", "note": "Ổn định"}).status_code
        == 302
    )
    assert client.post(_url(a), {"form": "review", "reviewed_on": "01/01/2025"}).status_code == 400
    assert CareReview.objects.filter(placement=a).count() == 1
    assert client.post(_url(a), {"form": "end", "version": a.version, "end": "30/06/2026"}).status_code == 302
    a.refresh_from_db()
    assert a.end == date(2026, 6, 30) and a.version == 2


def test_a_stale_end_is_409_and_loses_nothing(personas, client_for, placed):
    a = placed[0]
    AlternativeCare.objects.filter(pk=a.pk).update(version=5)
    response = client_for(personas.officer_a).post(
        _url(a), {"form": "end", "version": 1, "end": "30/06/2026"}
    )
    assert response.status_code == 409
    assert response.context["end_form"]["version"].value() == "5"
    a.refresh_from_db()
    assert a.end is None


def test_forbidden(personas, client_for, placed, client):
    a = placed[0]
    assert client_for(personas.officer_b).get(_url(a)).status_code == 404
    assert (
        client_for(personas.officer_b)
        .post(_url(a), {"form": "end", "version": 1, "end": "30/06/2026"})
        .status_code
        == 404
    )
    for who in ("viewer", "collaborator_a", "hotline", "chair_a"):
        c = client_for(getattr(personas, who))
        assert c.get(LIST).status_code == 403
        assert c.get(_url(a)).status_code == 404
    manager = client_for(personas.case_manager)
    assert manager.get(_url(a)).context["review_form"] is None
    assert manager.post(_url(a), {"form": "review", "reviewed_on": "01/03/2026"}).status_code == 403
    assert client.get(LIST).status_code == 302 and client.get(_url(a)).status_code == 302
    assert not CareReview.objects.exists()


def test_lists_do_not_grow_queries(personas, client_for, units, django_assert_max_num_queries):
    from mangnon.geo.models import AdminUnit
    from mangnon.support.tests.factories import GiftCampaignFactory, GiftRecipientFactory, GiftTallyFactory

    campaign = GiftCampaignFactory()
    communes = iter(AdminUnit.objects.filter(level="commune", valid_to__isnull=True).order_by("pk")[:12])
    client = client_for(personas.province_officer)

    def add(n: int) -> None:
        for _ in range(n):
            AlternativeCareFactory(admin_unit=units.commune_a)
            GiftRecipientFactory(campaign=campaign, admin_unit=units.commune_a)
            GiftTallyFactory(campaign=campaign, admin_unit=next(communes))

    add(2)
    client.get(LIST)
    client.get(f"/support/gifts/{campaign.pk}/")
    add(10)
    with django_assert_max_num_queries(20):
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/support/gifts/{campaign.pk}/").status_code == 200
