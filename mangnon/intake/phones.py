"""Callers' phone numbers in one stored form, so a repeat caller is recognised however the number was
typed: "0912 345 678", "0912.345.678", "+84 912 345 678" and "84912345678" are the same caller."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()/]")
MIN_DIGITS = 3  # short service numbers (113, 115) call the hotline too
MAX_DIGITS = 15  # E.164
MATCH_MIN_DIGITS = 6  # shorter numbers are not looked up as repeat callers: too many false matches


def normalize_phone(text: str) -> str:
    """Digits only, Vietnam's +84 / 84 prefix turned into the domestic 0. Not a validity check: a
    value that is not a phone number comes back as typed, stripped, for `is_phone` to refuse."""
    value = _SEPARATORS.sub("", text or "")
    if value.startswith("+84"):
        value = "0" + value[3:]
    elif value.startswith("84") and len(value) == 11:  # 84 + the nine digits after the domestic 0
        value = "0" + value[2:]
    return value


def is_phone(value: str) -> bool:
    """`value` (normalised) is a plausible phone number: digits, a leading + for a foreign number."""
    digits = value[1:] if value.startswith("+") else value
    return digits.isdigit() and MIN_DIGITS <= len(digits) <= MAX_DIGITS
