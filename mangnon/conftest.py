"""Shared test fixtures: the real Quảng Ninh geography (loaded once per test database) and personas.

Personas (DESIGN.md §3.7) act at real Quảng Ninh units: commune A is Phường Hạ Long, commune B is
Xã Tiên Yên; `legacy_a` is a pre-reform commune that went into A (Phường Bạch Đằng, Hạ Long city).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.test import Client

from mangnon.accounts.models import User
from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.geo.models import REFORM_DATE, AdminUnit

PROVINCE = "22"
COMMUNE_A = "06688"  # Phường Hạ Long
COMMUNE_B = "06862"  # Xã Tiên Yên
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from mangnon.geo import loader

    with django_db_blocker.unblock():
        loader.load([PROVINCE])


@dataclass
class Units:
    province: AdminUnit
    commune_a: AdminUnit
    commune_b: AdminUnit
    legacy_a: AdminUnit  # a pre-reform commune that maps into commune A
    legacy_b: AdminUnit  # a pre-reform commune that maps into commune B
    district_a: AdminUnit  # the pre-reform district legacy_a belonged to


def _current(code: str) -> AdminUnit:
    return AdminUnit.objects.get(code=code, valid_from=REFORM_DATE)


@pytest.fixture
def units(db: Any) -> Units:
    province = AdminUnit.objects.get(code=PROVINCE, valid_from__isnull=True)
    a, b = _current(COMMUNE_A), _current(COMMUNE_B)
    legacy_a = (
        AdminUnit.objects.filter(successor_links__new_unit=a).exclude(code=COMMUNE_A).order_by("code").first()
    )
    legacy_b = AdminUnit.objects.filter(successor_links__new_unit=b).order_by("code").first()
    assert legacy_a is not None and legacy_b is not None and legacy_a.parent is not None
    return Units(province, a, b, legacy_a, legacy_b, legacy_a.parent)


@dataclass
class Personas:
    system_admin: User
    province_manager: User
    province_officer: User
    officer_a: User
    officer_b: User
    chair_a: User
    hotline: User
    case_manager: User
    collaborator_a: User
    viewer: User
    survey: User

    def all(self) -> dict[str, User]:
        return dict(self.__dict__)


@pytest.fixture
def personas(units: Units) -> Personas:
    def make(username: str, role: Role, unit: AdminUnit) -> User:
        user = cast(User, UserFactory(username=username))
        MembershipFactory(user=user, role=role, admin_unit=unit)
        return user

    return Personas(
        system_admin=make("p-admin", Role.SYSTEM_ADMIN, units.province),
        province_manager=make("p-manager", Role.PROVINCE_MANAGER, units.province),
        province_officer=make("p-province", Role.PROVINCE_OFFICER, units.province),
        officer_a=make("p-commune-a", Role.COMMUNE_OFFICER, units.commune_a),
        officer_b=make("p-commune-b", Role.COMMUNE_OFFICER, units.commune_b),
        chair_a=make("p-chair-a", Role.COMMUNE_CHAIR, units.commune_a),
        hotline=make("p-hotline", Role.HOTLINE_COUNSELLOR, units.province),
        case_manager=make("p-casemanager", Role.CASE_MANAGER, units.province),
        collaborator_a=make("p-collaborator", Role.COLLABORATOR, units.commune_a),
        viewer=make("p-viewer", Role.VIEWER, units.province),
        survey=make("p-survey", Role.SURVEY_COORDINATOR, units.province),
    )


@pytest.fixture
def client_for() -> Any:
    """A logged-in browser-like client for a user."""

    def make(user: User) -> Client:
        c = Client()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    return make


@pytest.fixture
def api_for(db: Any) -> Any:
    """A client that calls the API with a personal token of the user."""
    from mangnon.accounts.tokens import token_create

    def make(user: User) -> Client:
        _, raw = token_create(actor=None, user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make
