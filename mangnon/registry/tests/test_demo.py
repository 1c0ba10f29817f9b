"""The registry demo: realistic proportions, every flagged child in the sample, idempotent, audited."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from mangnon.core.models import AuditEvent
from mangnon.registry import demo_data
from mangnon.registry.codes import Relationship, SpecialGroup
from mangnon.registry.models import (
    Caregiver,
    Child,
    Consent,
    Household,
    HouseholdStatus,
    Person,
    RiskFlag,
    SpecialCircumstance,
)
from mangnon.registry.tests.birth_copies import children_out_of_step

SEED = 20200601


@dataclass
class Ctx:
    scale: str = "sample"
    seed: int = SEED
    out: io.StringIO = field(default_factory=io.StringIO)

    def say(self, message: str) -> None:
        self.out.write(message + "\n")


def test_the_full_plan_has_quang_ninh_proportions() -> None:
    plan = demo_data.plan(seed=SEED)
    households = plan.households
    assert sum(h.children for h in households) == 366_000
    groups = Counter(g for h in households for g in h.groups.values())
    risks = Counter(r for h in households for r in h.risks.values())
    assert sum(groups.values()) == 4_000 and sum(risks.values()) == 4_400
    assert groups == demo_data.apportion(4_000, demo_data.GROUP_WEIGHTS)
    assert groups.most_common(1)[0][0] == SpecialGroup.D
    assert groups[SpecialGroup.A] > groups[SpecialGroup.E] > groups[SpecialGroup.M]
    assert len(groups) == 14
    # every commune has children; Hạ Long and Cẩm Phả's central wards are the largest
    by_commune: Counter[str] = Counter()
    for h in households:
        by_commune[h.commune] += h.children
    assert len(by_commune) == 54
    assert {code for code, _ in by_commune.most_common(2)} == {"06688", "06793"}
    # the sample holds every flagged child, and is about 15-20 thousand children
    flagged = [h for h in households if h.flagged]
    assert all(h.in_sample for h in flagged)
    in_sample = sum(h.children for h in households if h.in_sample)
    assert 15_000 <= in_sample <= 22_000
    assert len({h.code for h in households}) == len(households)


def test_the_plan_is_deterministic() -> None:
    a = demo_data.plan(seed=1, total=3000, sample=300)
    b = demo_data.plan(seed=1, total=3000, sample=300)
    c = demo_data.plan(seed=2, total=3000, sample=300)
    assert a == b
    assert a != c


def test_apportion_adds_up() -> None:
    counts = demo_data.apportion(22, demo_data.GROUP_WEIGHTS)
    assert sum(counts.values()) == 22
    assert counts[SpecialGroup.D] == max(counts.values())


@pytest.mark.django_db
def test_sample_load_is_idempotent_audited_and_plausible(units: Any) -> None:
    ctx = Ctx()
    events_before = AuditEvent.objects.count()
    created = demo_data.load(ctx, total=3000, sample=400)
    plan = demo_data.plan(seed=SEED, total=3000, sample=400)
    sampled = [h for h in plan.households if h.in_sample]
    assert created["children"] == sum(h.children for h in sampled) == Child.objects.count()
    assert Household.objects.count() == len(sampled)
    # every special-circumstance and at-risk child of the plan is there, nothing else flagged
    assert SpecialCircumstance.objects.count() == plan.special == round(3000 * 4000 / 366000)
    assert RiskFlag.objects.count() == plan.at_risk
    assert Consent.objects.count() == plan.special + plan.at_risk
    # one audit event per batch, not one per record
    events = AuditEvent.objects.order_by("id")[events_before:]
    assert 1 <= len(events) <= len(sampled) // demo_data.BATCH_HOUSEHOLDS + 1
    assert events[0].action == "create" and events[0].changes["demo"] is True
    assert sum(e.changes["children"] for e in events) == created["children"]

    # names and keys as the services compute them
    person = Person.objects.filter(child__isnull=False).first()
    assert person is not None and person.name_key and person.sort_key and person.ten
    assert person.full_name == " ".join(p for p in (person.ho, person.ten_dem, person.ten) if p)
    assert not Person.objects.filter(full_name="Lò Thị Huyền Trang").exists()
    # parents care for children; orphans are looked after by a grandparent or guardian
    assert Caregiver.objects.filter(relationship=Relationship.MOTHER, is_primary=True).exists()
    for circumstance in SpecialCircumstance.objects.filter(group=SpecialGroup.A):
        relationships = set(circumstance.child.caregivers.values_list("relationship", flat=True))
        assert relationships <= {Relationship.GRANDPARENT, Relationship.GUARDIAN}
    for circumstance in SpecialCircumstance.objects.filter(group=SpecialGroup.N):
        assert HouseholdStatus.objects.filter(household=circumstance.child.household).exists()
    # a child's household, commune and province agree
    child = Child.objects.select_related("household", "person").first()
    assert child is not None and child.household is not None
    assert child.household.admin_unit_id == child.admin_unit_id == child.person.admin_unit_id
    assert children_out_of_step() == []

    # a second run adds nothing and writes no audit event
    counts = (Person.objects.count(), Child.objects.count(), AuditEvent.objects.count())
    again = demo_data.load(Ctx(), total=3000, sample=400)
    assert again == {"households": 0, "children": 0}
    assert (Person.objects.count(), Child.objects.count(), AuditEvent.objects.count()) == counts


@pytest.mark.django_db
def test_full_scale_adds_the_rest_once(units: Any) -> None:
    demo_data.load(Ctx(), total=600, sample=60)
    sampled = Child.objects.count()
    demo_data.load(Ctx(scale="full"), total=600)
    assert Child.objects.count() == 600 > sampled
    demo_data.load(Ctx(scale="full"), total=600)
    assert Child.objects.count() == 600
    assert Child.objects.filter(admin_unit=units.commune_a).exists()
    assert Child.objects.filter(admin_unit=units.commune_b).exists()


@pytest.mark.django_db
def test_the_demo_command_gives_both_demo_communes_children(units: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("MANGNON_DEMO_PASSWORD", "demo-pass-phrase-1")
    out = io.StringIO()
    with override_settings(DEBUG=True, MANGNON_DEMO_CHILDREN=800):
        call_command("demo", "load", "--scale", "full", stdout=out)
    # the registry's demo households (the case demo registers the abused children of its stories)
    assert Child.objects.filter(household__code__startswith=demo_data.CODE_PREFIX).count() == 800
    assert Child.objects.filter(admin_unit=units.commune_a).count() > 8
    assert Child.objects.filter(admin_unit=units.commune_b).count() > 2
    assert "800 demo children" in out.getvalue()
