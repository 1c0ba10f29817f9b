"""The Vietnamese catalogue is complete: Vietnamese is the default language, so an untranslated
msgid would show English to every user."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "mangnon" / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each entry; msgstr of plural entries is msgstr[0]."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        if block.lstrip().startswith("#~"):
            continue
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            m = re.match(r'^(msgid|msgid_plural|msgstr|msgstr\[0\]) "(.*)"$', line)
            if m:
                key = m.group(1)
                fields[key] = m.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if "msgid" in fields:
            entries.append((fields["msgid"], fields.get("msgstr", fields.get("msgstr[0]", "")), fuzzy))
    return entries


def test_every_message_has_a_vietnamese_translation():
    entries = [e for e in _entries(CATALOGUE.read_text(encoding="utf-8")) if e[0]]
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []


def test_vietnamese_is_the_default_and_compiled():
    assert settings.LANGUAGE_CODE == "vi"
    with translation.override("vi"):
        assert translation.gettext("Log in") == "Đăng nhập"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
