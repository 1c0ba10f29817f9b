"""Vietnamese number, date and money formats, independent of the active language.

Vietnamese writes 49.980 (dot between thousands) and 17.316,469 (comma before decimals), dates as
dd/mm/yyyy and times on the 24-hour clock. Pages get these through Django's format modules
(mangnon/formats/); these functions are for text built outside templates (reports, exports, messages)
and for the `vn` template filters, which print Vietnamese formats whatever the interface language.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

_THOUSANDS = "."
_DECIMAL = ","


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return _THOUSANDS.join(groups)


def vi_number(value: int | float | Decimal, decimals: int | None = None) -> str:
    """49980 -> '49.980'; 17316.469 -> '17.316,469'; -1234.5 -> '-1.234,5'.

    With `decimals`, rounds half away from zero to that many places (the way figures are rounded by
    hand in reports); without it, prints the decimals the value has (a float as Python prints it).
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"not a number: {value!r}")
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = format(number, "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    if sign and not whole.strip("0") and not fraction.strip("0"):
        sign = ""  # -0 and -0,00 read as a negative number that is not there
    result = sign + _group(whole)
    return f"{result}{_DECIMAL}{fraction}" if fraction else result


def vi_money(dong: int) -> str:
    """17316469000 -> '17.316.469.000 đồng'. Money is always whole đồng (DESIGN.md §3.5)."""
    if isinstance(dong, bool) or not isinstance(dong, int):
        raise TypeError(f"money is a whole number of đồng, not {dong!r}")
    return f"{vi_number(dong)} đồng"


def vi_date(d: date) -> str:
    """dd/mm/yyyy; a datetime gives the date it falls on in the current time zone (Vietnam)."""
    if isinstance(d, datetime):
        d = timezone.localtime(d) if timezone.is_aware(d) else d
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def vi_datetime(dt: datetime) -> str:
    """dd/mm/yyyy HH:MM in the current time zone (Vietnam); a naive datetime is taken as local time."""
    if timezone.is_aware(dt):
        dt = timezone.localtime(dt)
    return f"{vi_date(dt)} {dt.hour:02d}:{dt.minute:02d}"
