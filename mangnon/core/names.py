"""Vietnamese personal names: họ / tên đệm / tên, and sort keys in Vietnamese alphabetical order.

Search keys (no diacritics, case-folded) are `mangnon.core.text.normalize_name`.

Sort keys are ICU's `vi` collation (a before ă before â, d before đ, o before ô before ơ, tones after
the base letter) turned into hex text, so a key stored in a database column orders correctly as plain
text. Give such a column a byte-order collation on PostgreSQL (`db_collation="C"`), so the server's
own collation rules do not reorder the hex digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import icu

_SPACES = re.compile(r"\s+")

# Two-syllable family names. Best effort: a name starting with one of these is read as having a
# two-syllable họ, which is right for the royal lineages (Tôn Thất, Tôn Nữ, Nguyễn Phúc) and the
# Sino-Vietnamese compound surnames (Âu Dương), but a few people whose họ is Nguyễn have a tên đệm
# Phúc. Records keep the full name as entered; the split only orders and displays.
COMPOUND_SURNAMES = frozenset({"tôn nữ", "tôn thất", "nguyễn phúc", "âu dương"})


@dataclass(frozen=True)
class NameParts:
    ho: str  # family name
    ten_dem: str  # middle name(s), possibly empty
    ten: str  # given name: the part Vietnamese lists sort on

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.ho, self.ten_dem, self.ten) if p)


def _clean(full_name: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", full_name or "")).strip()


def split_name(full_name: str) -> NameParts:
    """'Nguyễn Thị Minh Khai' -> NameParts(ho='Nguyễn', ten_dem='Thị Minh', ten='Khai').

    The last word is the tên and the first the họ (two words for the names in COMPOUND_SURNAMES);
    everything between is the tên đệm. A single word is a tên alone.
    """
    cleaned = _clean(full_name)
    words = cleaned.split(" ") if cleaned else []
    if not words:
        return NameParts("", "", "")
    if len(words) == 1:
        return NameParts("", "", words[0])
    ho_len = 2 if len(words) > 2 and " ".join(words[:2]).casefold() in COMPOUND_SURNAMES else 1
    return NameParts(" ".join(words[:ho_len]), " ".join(words[ho_len:-1]), words[-1])


@cache
def _collator() -> icu.Collator:
    # ICU collators are safe to share between threads for comparisons and sort keys.
    return icu.Collator.createInstance(icu.Locale("vi"))


def _key_bytes(text: str) -> bytes:
    # ICU ends every sort key with a 0x00 byte that appears nowhere else in it, so keys concatenated
    # one after another still compare part by part.
    return bytes(_collator().getSortKey(_clean(text)))


def vi_sort_key(text: str) -> str:
    """A text key that orders strings in Vietnamese alphabetical order: An < Anh < Ánh < Ăn < Âu."""
    return _key_bytes(text).hex()


def name_sort_key(full_name: str) -> str:
    """A key that orders full names the Vietnamese way: by tên, then họ, then tên đệm."""
    parts = split_name(full_name)
    return (_key_bytes(parts.ten) + _key_bytes(parts.ho) + _key_bytes(parts.ten_dem)).hex()
