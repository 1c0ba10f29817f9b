"""The support roll-up: totals by programme and kind, distinct children, gifts without double counting,
alternative care active in the period; parts add up to the whole in either geography; scope; a
constant number of queries; the figures in the metrics registry are the roll-up's."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from mangnon.core import metrics
from mangnon.core.metrics import Period, UnitKind
from mangnon.core.models import AuditEvent
from mangnon.registry.tests.factories import ChildFactory
from mangnon.support.codes import CareKind, GiftOccasion, ProgrammeKind
from mangnon.support.rollups import rollup
from mangnon.support.tests.factories import (
    AlternativeCareFactory,
    DisbursementFactory,
    GiftCampaignFactory,
    GiftRecipientFactory,
    GiftTallyFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

Y2026 = (date(2026, 1, 1), date(2026, 12, 31))
Y2020 = (date(2020, 1, 1), date(2020, 12, 31))


@pytest.fixture
def programmes(units):
    return (
        ProgrammeFactory(code="NQ222", kind=ProgrammeKind.MONTHLY_ALLOWANCE, province=units.province),
        ProgrammeFactory(code="NQ91", kind=ProgrammeKind.STUDY, province=units.province),
    )


@pytest.fixture
def paid(units, programmes):
    nq222, nq91 = programmes
    child = ChildFactory(admin_unit=units.commune_a)
    DisbursementFactory(programme=nq222, child=child, admin_unit=units.commune_a, amount=1_000_000)
    DisbursementFactory(programme=nq91, child=child, admin_unit=units.commune_a, amount=500_000)
    DisbursementFactory(programme=nq222, admin_unit=units.commune_b, amount=700_000)
    DisbursementFactory(programme=nq222, admin_unit=units.commune_a, amount=9, paid_on=date(2025, 12, 31))
    # 2020, at a pre-reform commune that went into commune A
    DisbursementFactory(
        programme=nq91, child=child, admin_unit=units.legacy_a, amount=300_000, paid_on=date(2020, 9, 5)
    )


def test_disbursements_by_programme_and_kind_and_distinct_children(personas, units, paid):
    r = rollup(viewer=personas.province_officer, unit=units.province, start=Y2026[0], end=Y2026[1])
    assert (r.disbursements, r.disbursed_amount, r.children_supported) == (3, 2_200_000, 2)
    assert r.by_programme["NQ222"].count == 2 and r.by_programme["NQ222"].amount == 1_700_000
    assert r.by_programme["NQ91"].amount == 500_000
    assert set(r.programme_names) == {"NQ222", "NQ91"} and all(r.programme_names.values())
    assert r.by_kind[ProgrammeKind.MONTHLY_ALLOWANCE].amount == 1_700_000
    assert r.by_kind[ProgrammeKind.AD_HOC].count == 0
    a = rollup(viewer=personas.province_officer, unit=units.commune_a, start=Y2026[0], end=Y2026[1])
    b = rollup(viewer=personas.province_officer, unit=units.commune_b, start=Y2026[0], end=Y2026[1])
    assert a.disbursed_amount + b.disbursed_amount == r.disbursed_amount
    assert (a.children_supported, a.disbursements) == (1, 2)


def test_either_geography(personas, units, paid):
    old = rollup(viewer=personas.province_officer, unit=units.district_a, start=Y2020[0], end=Y2020[1])
    new = rollup(viewer=personas.province_officer, unit=units.commune_a, start=Y2020[0], end=Y2020[1])
    legacy = rollup(viewer=personas.province_officer, unit=units.legacy_a, start=Y2020[0], end=Y2020[1])
    province = rollup(viewer=personas.province_officer, unit=units.province, start=Y2020[0], end=Y2020[1])
    for r in (old, new, legacy, province):
        assert (r.disbursements, r.disbursed_amount) == (1, 300_000)


def test_gifts_from_tallies_and_recipients_without_double_counting(personas, units):
    trung_thu = GiftCampaignFactory(occasion=GiftOccasion.TRUNG_THU, held_on=date(2026, 9, 25))
    GiftTallyFactory(
        campaign=trung_thu, admin_unit=units.commune_a, children_reached=100, children_visited_given_gifts=10,
        total_value=5_000_000,
    )  # fmt: skip
    GiftRecipientFactory(campaign=trung_thu, admin_unit=units.commune_a, value=50_000)  # inside A's tally
    GiftRecipientFactory(campaign=trung_thu, admin_unit=units.commune_b, value=200_000)
    GiftRecipientFactory(campaign=trung_thu, admin_unit=units.commune_b, value=100_000, visited=False)
    tet = GiftCampaignFactory(occasion=GiftOccasion.TET_THIEU_NHI, held_on=date(2026, 6, 1))
    GiftRecipientFactory(campaign=tet, admin_unit=units.commune_a, value=70_000)
    GiftCampaignFactory(held_on=date(2025, 9, 6), year=2025)  # another year: not counted
    r = rollup(viewer=personas.province_officer, unit=units.province, start=Y2026[0], end=Y2026[1])
    tt = r.gifts_by_occasion[GiftOccasion.TRUNG_THU]
    assert (tt.children_reached, tt.children_visited_given_gifts, tt.total_value) == (102, 11, 5_300_000)
    assert r.gifts_by_occasion[GiftOccasion.TET_THIEU_NHI].children_reached == 1
    assert (r.gift_children, r.gift_value) == (103, 5_370_000)
    first_half = rollup(
        viewer=personas.province_officer, unit=units.province, start=date(2026, 1, 1), end=date(2026, 6, 30)
    )
    assert first_half.gift_children == 1


def test_a_district_tally_covers_the_recipients_of_its_communes(personas, units):
    campaign = GiftCampaignFactory(year=2020, held_on=date(2020, 10, 1))
    GiftTallyFactory(
        campaign=campaign, admin_unit=units.district_a, children_reached=500, total_value=9_000_000
    )
    GiftRecipientFactory(campaign=campaign, admin_unit=units.legacy_a, value=100_000)
    r = rollup(viewer=personas.province_officer, unit=units.province, start=Y2020[0], end=Y2020[1])
    assert (r.gift_children, r.gift_value) == (500, 9_000_000)


def test_alternative_care_active_in_the_period(personas, units):
    AlternativeCareFactory(kind=CareKind.KINSHIP, start=date(2025, 5, 1))  # still active
    AlternativeCareFactory(
        kind=CareKind.TEMPORARY_FOSTER_FAMILY, start=date(2026, 2, 1), end=date(2026, 3, 1)
    )
    AlternativeCareFactory(kind=CareKind.FACILITY, start=date(2024, 1, 1), end=date(2025, 12, 31))  # ended
    AlternativeCareFactory(kind=CareKind.KINSHIP, admin_unit=units.commune_b, start=date(2026, 12, 31))
    r = rollup(viewer=personas.province_officer, unit=units.province, start=Y2026[0], end=Y2026[1])
    assert r.alternative_care_by_kind == {"temporary_foster_family": 1, "kinship": 2, "facility": 0}
    a = rollup(viewer=personas.officer_a, unit=units.commune_a, start=Y2026[0], end=Y2026[1])
    assert a.alternative_care == 2


def test_scope(personas, units, paid):
    with pytest.raises(Http404):
        rollup(viewer=personas.officer_b, unit=units.commune_a, start=Y2026[0], end=Y2026[1])
    with pytest.raises(Http404):
        rollup(viewer=personas.officer_a, unit=units.province, start=Y2026[0], end=Y2026[1])
    for who in ("hotline", "collaborator_a", "survey"):
        with pytest.raises(PermissionDenied):
            rollup(viewer=getattr(personas, who), unit=units.commune_a, start=Y2026[0], end=Y2026[1])
    # Leadership reads the figures (no names), and reading them is not audited.
    before = AuditEvent.objects.count()
    r = rollup(viewer=personas.viewer, unit=units.province, start=Y2026[0], end=Y2026[1])
    assert r.disbursed_amount == 2_200_000 and AuditEvent.objects.count() == before
    # A commune officer counts only their own commune.
    a = rollup(viewer=personas.officer_a, unit=units.commune_a, start=Y2026[0], end=Y2026[1])
    assert a.disbursed_amount == 1_500_000


def _queries(personas, units) -> int:
    with CaptureQueriesContext(connection) as ctx:
        rollup(viewer=personas.province_officer, unit=units.province, start=Y2026[0], end=Y2026[1])
    return len(ctx.captured_queries)


def test_a_constant_number_of_queries(personas, units, programmes):
    def add(n: int) -> None:
        for _ in range(n):
            DisbursementFactory(programme=programmes[0])
            GiftRecipientFactory(campaign=GiftCampaignFactory())
            AlternativeCareFactory()

    add(2)
    _queries(personas, units)  # the viewer's scope is cached after the first call
    few = _queries(personas, units)
    add(10)
    assert _queries(personas, units) == few <= 10


def test_the_registered_figures_are_the_rollups(personas, units, paid):
    period = Period(*Y2026)
    amount = metrics.get("support.disbursed_amount")
    assert amount.unit == UnitKind.AMOUNT
    figure = amount.compute(unit=units.province, period=period, viewer=personas.viewer, by=["programme"])
    assert figure.total == 2_200_000 and figure.by["programme"] == {"NQ222": 1_700_000, "NQ91": 500_000}
    count = metrics.get("support.disbursements").compute(
        unit=units.province, period=period, viewer=personas.viewer, by=["kind"]
    )
    assert count.total == 3 and count.by["kind"]["monthly_allowance"] == 2
    assert (
        metrics.get("support.children_supported")
        .compute(unit=units.province, period=period, viewer=personas.viewer)
        .total
        == 2
    )
    for code in (
        "support.gift_children",
        "support.gift_visited",
        "support.gift_value",
        "support.alternative_care",
    ):
        assert (
            metrics.get(code).compute(unit=units.province, period=period, viewer=personas.viewer).total == 0
        )


def test_as_dict_is_json_ready(personas, units, paid):
    import json

    r = rollup(viewer=personas.province_officer, unit=units.province, start=Y2026[0], end=Y2026[1])
    data = json.loads(json.dumps(r.as_dict()))
    assert data["by_programme"]["NQ222"] == {"count": 2, "amount": 1_700_000}
    assert data["gifts_by_occasion"]["trung_thu"]["children_reached"] == 0
    assert (data["start"], data["disbursed_amount"], data["children_supported"]) == (
        "2026-01-01",
        2_200_000,
        2,
    )
