"""Directory reads: each viewer reads their provinces' directory; filters; providers nearest first."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mangnon.accounts.models import User
from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory
from mangnon.orgs.codes import OrgKind, ServiceType
from mangnon.orgs.selectors import organisations_for, providers_near
from mangnon.orgs.tests.factories import OrganisationFactory, other_province_commune

pytestmark = pytest.mark.django_db


def names(qs) -> list[str]:
    return [o.name for o in qs]


@pytest.fixture
def directory(units):
    return {
        "school_a": OrganisationFactory(name="Trường THCS Hồng Hải", admin_unit=units.commune_a),
        "school_b": OrganisationFactory(name="Trường THCS Tiên Lãng", admin_unit=units.commune_b),
        "centre": OrganisationFactory(
            name="Trung tâm Công tác xã hội tỉnh", kind=OrgKind.SOCIAL_WORK_CENTRE, admin_unit=units.province,
            services=[ServiceType.PSYCHOLOGICAL, ServiceType.SAFE_SHELTER],
        ),
        "closed": OrganisationFactory(name="Trường THCS Đã Đóng", admin_unit=units.commune_a, active=False),
        "elsewhere": OrganisationFactory(name="Trường THCS Nơi Khác", admin_unit=other_province_commune()),
    }  # fmt: skip


def test_every_role_reads_its_provinces_directory(personas, directory):
    expected = {"Trường THCS Hồng Hải", "Trường THCS Tiên Lãng", "Trung tâm Công tác xã hội tỉnh"}
    for user in personas.all().values():
        assert set(names(organisations_for(user))) == expected, user.username


def test_no_membership_no_directory(db, directory):
    assert not organisations_for(User.objects.create(username="nobody")).exists()


def test_a_membership_in_another_province_reads_that_one(personas, directory):
    MembershipFactory(user=personas.officer_b, role=Role.VIEWER, admin_unit=directory["elsewhere"].province)
    assert "Trường THCS Nơi Khác" in names(organisations_for(personas.officer_b))


def test_filters(personas, units, directory):
    viewer = personas.officer_b
    centre = ["Trung tâm Công tác xã hội tỉnh"]
    assert names(organisations_for(viewer, kind=OrgKind.SOCIAL_WORK_CENTRE)) == centre
    assert names(organisations_for(viewer, unit=units.commune_a)) == ["Trường THCS Hồng Hải"]
    assert len(organisations_for(viewer, unit=units.province)) == 3
    assert names(organisations_for(viewer, service_type=ServiceType.SAFE_SHELTER)) == centre
    assert names(organisations_for(viewer, q="thcs hong HAI")) == ["Trường THCS Hồng Hải"]
    assert names(organisations_for(viewer, q="Tiên Lãng")) == ["Trường THCS Tiên Lãng"]
    assert names(organisations_for(viewer, active=False)) == ["Trường THCS Đã Đóng"]
    assert len(organisations_for(viewer, active=None)) == 4


def test_list_in_a_fixed_number_of_queries(personas, units, directory):
    OrganisationFactory.create_batch(10, admin_unit=units.commune_b)
    with CaptureQueriesContext(connection) as queries:
        rows = [(o.name, o.admin_unit.name, o.province.code) for o in organisations_for(personas.viewer)]
    assert len(rows) == 13 and len(queries) <= 2  # memberships, then one query for the page


def test_providers_near_a_commune_own_first_then_province_then_the_rest(units, directory):
    OrganisationFactory(name="Sở Y tế", kind=OrgKind.DEPARTMENT, admin_unit=units.province, services=[])
    hospital = OrganisationFactory(
        name="Bệnh viện A", kind=OrgKind.HOSPITAL, admin_unit=units.commune_a, services=[ServiceType.MEDICAL]
    )
    found = list(providers_near(units.commune_a))
    assert [o.name for o in found] == [
        "Bệnh viện A", "Trường THCS Hồng Hải", "Trung tâm Công tác xã hội tỉnh", "Trường THCS Tiên Lãng",
    ]  # fmt: skip
    assert [o.nearness for o in found] == [0, 0, 1, 2]
    assert list(providers_near(units.commune_a, ServiceType.MEDICAL)) == [hospital]


def test_providers_near_a_pre_reform_commune_are_those_of_the_commune_it_went_into(units, directory):
    found = list(providers_near(units.legacy_a))
    assert found[0].name == "Trường THCS Hồng Hải" and found[0].nearness == 0


def test_providers_near_the_province_start_with_the_provincial_bodies(units, directory):
    assert providers_near(units.province)[0].name == "Trung tâm Công tác xã hội tỉnh"
