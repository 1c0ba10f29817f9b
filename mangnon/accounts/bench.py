"""What every app's benchmarks share: the bench province, the standing users who read it, and a viewer
whose scope is resolved afresh on every call, as on every request.

Benchmarks build their data once per database and reuse it, so each helper returns what is there and
makes it only when it is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mangnon.geo import loader
from mangnon.geo.models import AdminUnit, Level

from . import services
from .access import forget_cached_scope
from .models import User
from .roles import Role

BENCH_PROVINCE = "22"  # Quảng Ninh, the demo province


def bench_province(code: str = BENCH_PROVINCE) -> AdminUnit:
    """The current province `code`, loaded with its whole history from the admin-unit data when missing."""
    current = AdminUnit.objects.filter(code=code, level=Level.PROVINCE, valid_to__isnull=True)
    if not current.exists():
        loader.load([code])
    return current.get()


def standing_user(username: str, role: Role, unit: AdminUnit, since: date) -> User:
    """A user with one membership (`role` in `unit` from `since`), made once per database."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(actor=None, username=username, password=None)
        services.membership_add(actor=None, user=user, role=role, admin_unit=unit, valid_from=since)
    return user


@dataclass
class Viewer:
    """Who asks. Subclasses add what the measured call reads besides (a unit, a round…)."""

    user: User

    def fresh(self) -> User:
        """The user with no scope cached: each measured call resolves it, as each request does."""
        forget_cached_scope(self.user)
        return self.user
