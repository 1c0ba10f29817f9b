"""The demo directory: Quảng Ninh's bodies and schools in the seed figures' numbers, idempotent, audited."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field

import pytest

from mangnon.core.models import AuditEvent
from mangnon.orgs import demo_data
from mangnon.orgs.codes import Boarding, OrgKind, SchoolLevel
from mangnon.orgs.models import Organisation
from mangnon.orgs.selectors import providers_near

pytestmark = pytest.mark.django_db


@dataclass
class Ctx:
    out: io.StringIO = field(default_factory=io.StringIO)

    def say(self, message: str) -> None:
        self.out.write(message + "\n")


def test_schools_match_the_seed_figures():
    schools = [p for p in demo_data.plan() if p.data.kind == OrgKind.SCHOOL]
    lower_secondary = [
        p for p in schools if p.data.school_level in (SchoolLevel.LOWER_SECONDARY, SchoolLevel.MULTI_LEVEL)
    ]
    # Đội tuyên truyền măng non: 198 lower-secondary schools in the 13 district-level units (seed 003).
    assert len(lower_secondary) >= 198
    assert len({p.district for p in lower_secondary}) == 13
    # The 2020 survey: 26 boarding and semi-boarding schools in 8 district-level units (seed 004).
    boarding = [p for p in schools if p.data.boarding]
    assert len(boarding) == 26 and len({p.district for p in boarding}) == 8
    assert {p.data.boarding for p in boarding} == {Boarding.BOARDING, Boarding.SEMI_BOARDING}
    names = [p.data.name for p in schools]
    assert len(names) == len(set(names))
    assert "Trường THCS Phong Cốc" in names and "Trường THCS Nguyễn Đức Cảnh" in names  # seed 003
    assert "Trường PTDTNT THCS Ba Chẽ" in names and "Trường THCS thị trấn Ba Chẽ" in names
    assert all(n.startswith(("Trường THCS ", "Trường PTDTBT ", "Trường PTDTNT ")) for n in names)


def test_load_is_idempotent_and_audited_once(units):
    first = demo_data.load(Ctx())
    assert first["created"] == Organisation.objects.count() > 250
    assert demo_data.load(Ctx()) == {"created": 0, "existing": first["created"]}
    event = AuditEvent.objects.get(object_type="orgs.organisation")
    assert event.actor_id is None and event.changes["demo"] is True
    assert event.changes["organisations"] == first["created"]


def test_the_loaded_directory(units):
    demo_data.load(Ctx())
    orgs = Organisation.objects.all()
    kinds = Counter(orgs.values_list("kind", flat=True))
    for kind in (OrgKind.SOCIAL_WORK_CENTRE, OrgKind.PROTECTION_FACILITY, OrgKind.LEGAL_AID):
        assert kinds[kind] == 1, kind
    assert kinds[OrgKind.HOSPITAL] >= 10 and kinds[OrgKind.POLICE] >= 10
    assert kinds[OrgKind.PEOPLES_COMMITTEE] == 55  # the province and its 54 communes
    health = orgs.get(name="Sở Y tế tỉnh Quảng Ninh")
    assert health.admin_unit == units.province and "01/3/2025" in health.notes
    for name in (
        "Trung tâm Công tác xã hội tỉnh Quảng Ninh",
        "Ủy ban nhân dân tỉnh Quảng Ninh",
        "Hội Liên hiệp Phụ nữ tỉnh Quảng Ninh",
        "Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh Quảng Ninh",
        "Công an tỉnh Quảng Ninh",
        "Công an phường Hạ Long",
        "Công an xã Tiên Yên",
    ):
        assert orgs.filter(name=name).exists(), name
    # Every school sits at a commune of today, with the search key the services would give it.
    schools = orgs.filter(kind=OrgKind.SCHOOL)
    assert not schools.exclude(admin_unit__valid_from__isnull=False).exists()
    school = schools.get(name="Trường THCS Hồng Hải")
    assert school.admin_unit == units.commune_a and school.search_key == "truong thcs hong hai"
    # Commune A's providers come first: its own police post, health station and schools.
    assert providers_near(units.commune_a)[0].admin_unit == units.commune_a
