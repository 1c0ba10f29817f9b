"""Demo geography: the demo province (Quảng Ninh), both periods and the crosswalk."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .services import units_load


def load(ctx: Any) -> None:
    province = settings.MANGNON_DEMO_PROVINCE
    stats = units_load(actor=None, province_codes=[province])
    ctx.say(f"  geography of province {province}: {stats}")
