"""The French catalogs are complete: no fuzzy or untranslated entry, and each committed .mo matches its .po.

Both the package's catalog and the example marketplace's are checked; entries with a context
(``msgctxt``) and plural entries (``msgstr[0]``, ``msgstr[1]``) included.
"""

from __future__ import annotations

import ast
import gettext
from dataclasses import dataclass
from pathlib import Path

import pytest

import django_cinetpay

CATALOGS = [
    Path(django_cinetpay.__file__).parent / "locale" / "fr" / "LC_MESSAGES",  # as installed
    Path(__file__).parents[2] / "example_project" / "marketplace" / "locale" / "fr" / "LC_MESSAGES",
]


@dataclass(frozen=True)
class Entry:
    context: str
    msgid: str
    plural: str
    translations: tuple[str, ...]  # msgstr, or msgstr[0], msgstr[1] …
    fuzzy: bool


def _fields(lines: list[str]) -> dict[str, str]:
    """The keyword → text of one entry, joining continued lines (``msgstr[1]`` is a keyword too)."""
    fields: dict[str, str] = {}
    key = ""
    for line in lines:
        if line.startswith("#"):
            continue
        if not line.startswith('"'):
            key, _, line = line.partition(" ")
        fields[key] = fields.get(key, "") + ast.literal_eval(line)
    return fields


def _entries(po: Path) -> list[Entry]:
    """Each live entry (header and obsolete ``#~`` entries left out)."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fields = _fields(lines)
        if not fields["msgid"]:
            continue
        plural = fields.get("msgid_plural", "")
        translations = (
            tuple(fields[key] for key in sorted(k for k in fields if k.startswith("msgstr[")))
            if plural
            else (fields["msgstr"],)
        )
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        entries.append(Entry(fields.get("msgctxt", ""), fields["msgid"], plural, translations, fuzzy))
    return entries


@pytest.mark.parametrize("folder", CATALOGS, ids=["package", "example"])
def test_french_catalog_has_no_fuzzy_or_untranslated_entry(folder: Path) -> None:
    entries = _entries(folder / "django.po")
    assert entries
    assert [entry.msgid for entry in entries if entry.fuzzy] == []
    assert [entry.msgid for entry in entries if not all(entry.translations)] == []


def _compiled(catalog: gettext.GNUTranslations, entry: Entry, n: int) -> str:
    if entry.plural:
        if entry.context:
            return catalog.npgettext(entry.context, entry.msgid, entry.plural, n)
        return catalog.ngettext(entry.msgid, entry.plural, n)
    if entry.context:
        return catalog.pgettext(entry.context, entry.msgid)
    return catalog.gettext(entry.msgid)


@pytest.mark.parametrize("folder", CATALOGS, ids=["package", "example"])
def test_compiled_catalog_matches_the_po(folder: Path) -> None:
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        entry.msgid
        for entry in _entries(folder / "django.po")
        # French plurals: form 0 for 0 and 1, form 1 from 2 on
        if [_compiled(compiled, entry, n) for n in ((1, 2) if entry.plural else (1,))]
        != list(entry.translations)
    ]
    assert stale == [], f"run compilemessages in {folder.parents[2]}"
