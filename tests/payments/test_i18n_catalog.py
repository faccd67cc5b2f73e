"""The French catalog is complete: no fuzzy or untranslated entry, and the committed .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import django_cinetpay

LC_MESSAGES = Path(django_cinetpay.__file__).parent / "locale" / "fr" / "LC_MESSAGES"


def _entries(po: Path) -> list[tuple[str, str, bool]]:
    """``(msgid, msgstr, fuzzy)`` of each live entry (header and obsolete ``#~`` entries left out)."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        key = ""
        for line in lines:
            if line.startswith("#"):
                continue
            if not line.startswith('"'):
                key, _, line = line.partition(" ")
            fields[key] = fields.get(key, "") + ast.literal_eval(line)
        if fields["msgid"]:
            entries.append((fields["msgid"], fields["msgstr"], fuzzy))
    return entries


def test_french_catalog_has_no_fuzzy_or_untranslated_entry():
    entries = _entries(LC_MESSAGES / "django.po")
    assert entries
    assert [msgid for msgid, _, fuzzy in entries if fuzzy] == []
    assert [msgid for msgid, msgstr, _ in entries if not msgstr] == []


def test_compiled_catalog_matches_the_po():
    with (LC_MESSAGES / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    entries = _entries(LC_MESSAGES / "django.po")
    stale = [msgid for msgid, msgstr, _ in entries if compiled.gettext(msgid) != msgstr]
    assert stale == [], "run compilemessages in django_cinetpay/"
