"""Vietnamese text: name normalisation for search and matching (more helpers in core.names)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_diacritics(text: str) -> str:
    """'Đặng Thị Ánh' -> 'Dang Thi Anh'. đ/Đ are letters of their own in Unicode, so map them first."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def normalize_name(text: str) -> str:
    """The search key of a name: no diacritics, đ → d, case-folded, spaces collapsed."""
    return _SPACES.sub(" ", strip_diacritics(unicodedata.normalize("NFC", text or "")).casefold()).strip()
