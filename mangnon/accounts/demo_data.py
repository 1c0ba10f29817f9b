"""Demo users: one per role, at Quảng Ninh (22) and two of its current communes.

Idempotent: an existing user keeps its password hash unless the demo password changed, and a
membership is added only when the user does not already hold that role at that unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from mangnon.geo.models import REFORM_DATE, AdminUnit, Level

from .models import User
from .roles import Role
from .services import membership_add, user_create, user_set_password

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

COMMUNE_A = "06688"  # Phường Hạ Long
COMMUNE_B = "06862"  # Xã Tiên Yên
PROVINCE = "province"

# (username, full name, role, unit): synthetic people, never real ones.
DEMO_USERS: list[tuple[str, str, Role, str]] = [
    ("demo-admin", "Quản trị hệ thống (demo)", Role.SYSTEM_ADMIN, PROVINCE),
    ("demo-province", "Nguyễn Thị Lan (demo)", Role.PROVINCE_OFFICER, PROVINCE),
    ("demo-manager", "Trần Văn Hùng (demo)", Role.PROVINCE_MANAGER, PROVINCE),
    ("demo-commune-a", "Lê Thị Hoa (demo)", Role.COMMUNE_OFFICER, COMMUNE_A),
    ("demo-commune-b", "Phạm Văn Minh (demo)", Role.COMMUNE_OFFICER, COMMUNE_B),
    ("demo-chair-a", "Hoàng Văn Nam (demo)", Role.COMMUNE_CHAIR, COMMUNE_A),
    ("demo-hotline", "Vũ Thị Mai (demo)", Role.HOTLINE_COUNSELLOR, PROVINCE),
    ("demo-casemanager", "Đặng Thị Thu (demo)", Role.CASE_MANAGER, PROVINCE),
    ("demo-collaborator", "Bùi Văn Long (demo)", Role.COLLABORATOR, COMMUNE_A),
    ("demo-viewer", "Đỗ Văn Thành (demo)", Role.VIEWER, PROVINCE),
    ("demo-survey", "Ngô Thị Hạnh (demo)", Role.SURVEY_COORDINATOR, PROVINCE),
]


def _units() -> dict[str, AdminUnit]:
    today = timezone.localdate()
    code = settings.MANGNON_DEMO_PROVINCE
    province = AdminUnit.objects.valid_on(today).filter(code=code, level=Level.PROVINCE).first()
    communes = {
        u.code: u for u in AdminUnit.objects.filter(code__in=[COMMUNE_A, COMMUNE_B], valid_from=REFORM_DATE)
    }
    if province is None or len(communes) != 2:
        raise ImproperlyConfigured(f"Load the geography first: mangnon geo load --province {code}")
    return {PROVINCE: province, **communes}


def load(ctx: DemoContext) -> None:
    from mangnon.demo.loader import DemoLogin

    units = _units()
    created = 0
    for username, full_name, role, unit_key in DEMO_USERS:
        unit = units[unit_key]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(actor=None, username=username, password=ctx.password, full_name=full_name)
            created += 1
        elif not check_password(ctx.password, user.password):
            user_set_password(actor=None, user=user, password=ctx.password)
        if not user.memberships.filter(role=role, admin_unit=unit).exists():
            membership_add(actor=None, user=user, role=role, admin_unit=unit, valid_from=REFORM_DATE)
        ctx.logins.append(DemoLogin(username=username, role=str(role), unit=f"{unit.name} ({unit.code})"))
    ctx.say(f"  {created} demo users created, {len(DEMO_USERS) - created} already there")
