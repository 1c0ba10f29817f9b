"""`{% load vn %}`: Vietnamese formats whatever the interface language (e.g. figures copied into an
official Vietnamese report). Empty values print as nothing; anything else that is not a number or a date
prints unchanged, as Django's own filters do.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from mangnon.core import formatting

register = template.Library()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


@register.filter
def vi_number(value: Any, decimals: int | None = None) -> Any:
    if not _is_number(value):
        return "" if value is None else value
    try:
        return formatting.vi_number(value, None if decimals is None else int(decimals))
    except ValueError:
        return value


@register.filter
def num(value: Any, decimals: int | None = None) -> Any:
    """A figure grouped in the interface language's way: 49.980 in Vietnamese, 49,980 in English."""
    if not _is_number(value):
        return "" if value is None else value
    return number_format(value, None if decimals is None else int(decimals), force_grouping=True)


@register.filter
def vi_money(value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool):
        return "" if value is None else value
    return formatting.vi_money(value)


@register.filter
def vi_date(value: Any) -> Any:
    if not isinstance(value, date):
        return "" if value is None else value
    return formatting.vi_date(value)


@register.filter
def vi_datetime(value: Any) -> Any:
    if not isinstance(value, datetime):
        return "" if value is None else value
    return formatting.vi_datetime(value)
