"""The documentation cannot drift from the code.

The reference pages are written at build time by ``docs/_ext/cinetpay_reference.py`` from what
``docs/_ext/cinetpay_collect.py`` reads in the code. These tests compare that with an independent discovery
of the same things (django-appconf's registry, the signals module's ``Signal`` objects, the ids the checks
really emit and every id written in the source, Django's own command list, every ``CodeInfo`` table), so a
setting, signal, check id, command or error code the generator misses fails here. They also read every
hand-written page (the docs, the README, CONTRIBUTING and SECURITY) and fail on a ``CINETPAY_*`` setting, a
check id or a command that does not exist. No Sphinx needed: ``test_docs_build.py`` runs the real build.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.core.management import get_commands
from django.dispatch import Signal

from django_cinetpay import signals
from django_cinetpay.client.vocabulary import COUNTRIES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PACKAGE = ROOT / "django_cinetpay"
sys.path.insert(0, str(DOCS / "_ext"))
collect = importlib.import_module("cinetpay_collect")
SETTING_NOTES = importlib.import_module("setting_notes").SETTING_NOTES

DIRECTIVE = re.compile(r"^\.\. cinetpay-([a-z-]+):: (.+)$", re.MULTILINE)
SETTING_TOKEN = re.compile(r"CINETPAY_[A-Z0-9_]+")
CHECK_TOKEN = re.compile(r"cinetpay\.([EW]\d{3})|``?([EW]\d{3})``?")
COMMAND_TOKEN = re.compile(r"(?:manage\.py\s+|call_command\(\s*[\"']|`)(cinetpay_[a-z_]+)")
ENV_READ = re.compile(r"(?:environ(?:\.get)?\s*[\[(]|getenv\()\s*[\"'](CINETPAY_[A-Z0-9_]+)")


def _sources() -> dict[str, str]:
    """Every module of the package (migrations aside): dotted name → source."""
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path.read_text()
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
    }


def _directives() -> dict[str, set[str]]:
    """The reference pages' ``cinetpay-*`` directives: kind → every argument given."""
    found: dict[str, set[str]] = {}
    for page in (DOCS / "reference").glob("*.rst"):
        for kind, arguments in DIRECTIVE.findall(page.read_text()):
            found.setdefault(kind, set()).update(arguments.split())
    return found


def _modules_where(pattern: str) -> set[str]:
    return {name for name, source in _sources().items() if re.search(pattern, source, re.MULTILINE)}


# --- the generator covers everything the code has ------------------------------------------------------


def test_the_reference_renders_every_source_the_package_has():
    directives = _directives()
    appconf_classes = {
        f"{module}.{node.name}"
        for module, source in _sources().items()
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "") == "AppConf" for b in node.bases)
    }
    code_tables = {
        f"{module}.{node.target.id}"
        for module, source in _sources().items()
        for node in ast.parse(source).body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and "CodeInfo" in ast.unparse(node.annotation)
    }
    assert directives["settings"] == appconf_classes
    assert directives["signals"] == _modules_where(r"^\w+ = Signal\(\)")
    assert directives["checks"] == _modules_where(r"^@checks\.register")
    assert directives["error-codes"] == code_tables
    assert directives["commands"] == {"django_cinetpay"}


def _all_settings() -> list:
    return [s for dotted in sorted(_directives()["settings"]) for s in collect.collect_settings(dotted)]


def test_every_setting_appconf_declares_is_documented():
    from django_cinetpay.conf import CinetPayConf
    from django_cinetpay.simulator.conf import SimulatorConf

    declared = {*CinetPayConf._meta.names.values(), *SimulatorConf._meta.names.values()}
    assert {s.name for s in _all_settings()} == declared


#: ``CINETPAY_API_KEY_CI`` and the like: per-country environment variables, not settings.
PER_COUNTRY = {f"CINETPAY_API_{kind}_{code}" for kind in ("KEY", "PASSWORD") for code in COUNTRIES}


def _prefixes() -> set[str]:
    return {m for s in _sources().values() for m in re.findall(r'prefix = "(CINETPAY\w*)"', s)}


def test_every_setting_the_code_mentions_is_documented():
    documented = {s.name for s in _all_settings()}
    mentioned = {
        token
        for source in _sources().values()
        for token in re.findall(r"CINETPAY_[A-Z0-9_]*[A-Z0-9](?![\w{<*]|\.md)", source)
    }
    missing = sorted(mentioned - documented - _prefixes() - PER_COUNTRY)
    assert not missing, f"settings in the code but not in the reference: {missing}"


def test_every_setting_is_described_in_exactly_one_place():
    settings = {s.name: s for s in _all_settings()}
    undescribed = sorted(name for name, s in settings.items() if not s.described_in)
    assert not undescribed, f"give these a #: comment in the code: {undescribed}"
    stale = sorted(
        name for name in SETTING_NOTES if name not in settings or settings[name].described_in != "notes"
    )
    assert not stale, (
        f"delete these from docs/_ext/setting_notes.py (gone, or commented in the code): {stale}"
    )


def test_every_signal_is_documented_with_its_arguments():
    documented = collect.collect_signals("django_cinetpay.signals")
    assert {s.name for s in documented} == {n for n, v in vars(signals).items() if isinstance(v, Signal)}
    assert all(s.description and s.arguments for s in documented)


def _check_ids() -> dict[str, object]:
    return {c.id: c for c in collect.collect_checks(*sorted(_directives()["checks"]))}


def test_every_check_id_written_in_the_source_is_documented():
    written = {m for source in _sources().values() for m in re.findall(r"cinetpay\.[EW]\d{3}", source)}
    assert written - set(_check_ids()) == set()


@pytest.mark.parametrize("debug", [True, False])
def test_every_check_id_the_checks_emit_is_documented(settings, debug):
    """The ids a helper builds at run time (``_severity(debug, "004", …)``), met for real."""
    settings.DEBUG = debug
    settings.CINETPAY_BACKEND = "checkout_v2"
    settings.CINETPAY_API_KEY = settings.CINETPAY_SITE_ID = settings.CINETPAY_SECRET_KEY = ""
    settings.CINETPAY_BASE_URL = ""
    emitted = {message.id for message in checks.run_checks(tags=["cinetpay"])}
    assert {"cinetpay.E001", "cinetpay.W004"} & emitted  # the scenario does reach the helper
    assert emitted - set(_check_ids()) == set()


def test_every_check_id_has_a_message_and_a_hint():
    assert all(c.message and c.hint for c in _check_ids().values())


def test_every_command_is_documented_with_its_options():
    from django.core.management import load_command_class
    from django.core.management.base import BaseCommand

    documented = {c.name: c for c in collect.collect_commands("django_cinetpay")}
    assert set(documented) == {name for name, app in get_commands().items() if app == "django_cinetpay"}
    base = set(BaseCommand().create_parser("manage.py", "x")._option_string_actions)
    for name, command in documented.items():
        parser = load_command_class("django_cinetpay", name).create_parser("manage.py", name)
        assert {f for o in command.options for f in o.flags} == set(parser._option_string_actions) - base
        assert command.help


def test_every_error_code_is_documented_with_a_hint():
    for dotted in _directives()["error-codes"]:
        module, _, name = dotted.rpartition(".")
        table = getattr(importlib.import_module(module), name)
        documented = collect.collect_codes(dotted)
        assert [c.code for c in documented] == list(table)
        assert all(c.hint and c.name for c in documented)


# --- hand-written pages mention nothing that does not exist --------------------------------------------


def _environment_variables() -> set[str]:
    """``CINETPAY_*`` names the project's tooling reads from the environment (not settings)."""
    tooling = [ROOT / "tox.ini", *(ROOT / "scripts").iterdir(), *(ROOT / ".ci").iterdir()]
    names = {t for path in tooling if path.is_file() for t in SETTING_TOKEN.findall(path.read_text())}
    for path in [*ROOT.glob("tests/**/*.py"), *ROOT.glob("example_project/**/*.py"), ROOT / "conftest.py"]:
        names.update(ENV_READ.findall(path.read_text()))
    return names


def unknown_names(text: str) -> list[str]:
    """The settings, check ids and commands ``text`` names that do not exist."""
    known = {s.name for s in _all_settings()} | _environment_variables() | PER_COUNTRY
    unknown = [
        token
        for token in SETTING_TOKEN.findall(text)
        if not (token in known or (token.endswith("_") and any(k.startswith(token) for k in known)))
    ]
    ids = _check_ids()
    unknown += [f"cinetpay.{a or b}" for a, b in CHECK_TOKEN.findall(text) if f"cinetpay.{a or b}" not in ids]
    commands = {name for name, app in get_commands().items() if app == "django_cinetpay"}
    unknown += [name for name in COMMAND_TOKEN.findall(text) if name not in commands]
    return sorted(set(unknown))


def _hand_written_pages() -> list[Path]:
    pages = [
        p
        for p in DOCS.rglob("*")
        if p.suffix in {".rst", ".md", ".txt"} and not {"_build", "_ext"} & set(p.relative_to(DOCS).parts)
    ]
    return [*pages, ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "SECURITY.md"]


def test_hand_written_pages_name_only_settings_checks_and_commands_that_exist():
    problems = {
        str(page.relative_to(ROOT)): found
        for page in _hand_written_pages()
        if page.exists() and (found := unknown_names(page.read_text()))
    }
    assert not problems, f"pages naming what does not exist: {problems}"


def test_the_page_reader_finds_what_does_not_exist():
    text = (
        "Set CINETPAY_NO_SUCH_SETTING, silence cinetpay.E999 (and `W998`), run `cinetpay_no_such_command` "
        "or manage.py cinetpay_nothing; CINETPAY_TIMEOUT, cinetpay.E001, `W011`, CINETPAY_API_KEY_CI, "
        "CINETPAY_API_KEY_<CODE> and `cinetpay_ping` exist."
    )
    assert unknown_names(text) == [
        "CINETPAY_NO_SUCH_SETTING",
        "cinetpay.E999",
        "cinetpay.W998",
        "cinetpay_no_such_command",
        "cinetpay_nothing",
    ]
