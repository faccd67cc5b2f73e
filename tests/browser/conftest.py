"""Browser tests: Playwright for Python driving Debian's Chromium against the example marketplace.

Run with ``tox -e browser`` (which installs Chromium with ``scripts/ensure-chromium``). Playwright's own
browser downloads are never used: Chromium is the distribution's ``/usr/bin/chromium``. When Playwright
or Chromium is missing these tests skip with the reason, except with ``CI=true``, where they fail.

Screenshots of the key pages go to ``test-artifacts/screenshots/`` (kept after the run, git-ignored).

Accessibility is measured with axe-core, injected into the page under test (the ``axe`` fixture). It comes
from the npm registry through ``scripts/ensure-axe`` into ``.tools/axe/`` (git-ignored), never from a CDN;
``CINETPAY_AXE_CORE`` names another copy. Missing, the accessibility tests skip, or fail with ``CI=true``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .gameshop_server import GameShopServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("CINETPAY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_CORE = Path(
    os.environ.get("CINETPAY_AXE_CORE", ROOT / ".tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js")
)
#: The axe-core impacts a page may not have: "serious" and "critical" block people (WCAG 2.x A and AA).
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
#: Playwright's default wait, in milliseconds: long enough for a poll cycle and a simulator round trip.
TIMEOUT_MS = 20_000

Shoot = Callable[["Page", str], None]
LoggedIn = Callable[[str], "Page"]


@dataclass(frozen=True)
class Violation:
    """One axe-core rule a page breaks, with where: enough to find and fix it from the failure message."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.impact} {self.rule}: {self.help} at {', '.join(self.targets[:5])}"


Axe = Callable[["Page"], list[Violation]]


def _unavailable(reason: str) -> None:
    """Fail in CI, where a missing browser must not pass unnoticed; skip elsewhere, saying why."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install playwright (never `playwright install`)")
    if not CHROMIUM.exists():
        _unavailable(f"No Chromium at {CHROMIUM}: run scripts/ensure-chromium (apt-get install chromium)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def gameshop(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GameShopServer]:
    """The example project, served once for the session (each test buys a different listing)."""
    server = GameShopServer(tmp_path_factory.mktemp("gameshop"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def log_in(browser: Browser, gameshop: GameShopServer) -> Iterator[LoggedIn]:
    """``log_in("buyer")``: a page in a fresh browser context, logged in with that demo account's form."""
    contexts = []

    def open_as(role: str) -> Page:
        username, password = gameshop.accounts[role]
        context = browser.new_context(base_url=gameshop.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/comptes/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form.form button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def shoot() -> Shoot:
    """``shoot(page, "01-home")``: a full-page screenshot in test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, read once (see scripts/ensure-axe)."""
    if not AXE_CORE.is_file():
        _unavailable(f"No axe-core at {AXE_CORE}: run scripts/ensure-axe (npm install of axe-core)")
    return AXE_CORE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source: str) -> Axe:
    """``axe(page)``: the page's serious and critical axe-core violations, as it is now (WCAG 2.x A/AA)."""

    def scan(page: Page) -> list[Violation]:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=axe_source)
        results = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
                resultTypes: ["violations"],
            })"""
        )
        return [
            Violation(
                rule=v["id"],
                impact=v["impact"] or "",
                help=v["help"],
                targets=tuple(" ".join(map(str, node["target"])) for node in v["nodes"]),
            )
            for v in results["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]

    return scan
