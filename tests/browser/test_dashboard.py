"""The staff dashboard read in Chromium, in French and in English, on a laptop and on a phone.

Served by Django's live server in this process (the test database, filled with the report tests' known
data), with the admin's and the package's static files served by the finders, as ``runserver`` does.
Screenshots go to test-artifacts/ (dashboard-fr.png, dashboard-en.png, dashboard-phone.png).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles.handlers import StaticFilesHandler
from pytest_django.live_server_helper import LiveServer

from tests.reports.conftest import known_data  # noqa: F401  (the fixture: payments of 1-10 March 2026)

from .conftest import TIMEOUT_MS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MARCH = "/admin/cinetpay/report/?since=2026-03-01&until=2026-03-10"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Playwright's sync API keeps an event loop running in this thread, where Django then refuses
    database calls; this test's own calls (fixtures, the live server's flush) are plain synchronous ones."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def server(transactional_db: Any, settings: Any) -> Iterator[LiveServer]:
    """A live server that also serves static files from the apps (the admin's CSS, the dashboard's)."""
    server = LiveServer("127.0.0.1:0", start=False)
    server.thread.static_handler = StaticFilesHandler
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    server.start()
    yield server
    # LiveServer.stop() without its race: wait for the threads still closing a request (Chromium keeps
    # connections open) before the test's database connection stops being shared with them.
    server.thread.terminate()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=10)
    for connection in server.thread.connections_override.values():
        connection.dec_thread_sharing()


@pytest.fixture
def analyst(django_user_model: Any) -> tuple[str, str]:
    """A staff member allowed to see the reports and nothing else."""
    user = django_user_model.objects.create_user(
        "analyste", "analyste@example.com", "motdepasse", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    return "analyste", "motdepasse"


Opener = Callable[[str, dict[str, int]], "Page"]


@pytest.fixture
def open_dashboard(browser: Browser, server: LiveServer, analyst: tuple[str, str]) -> Iterator[Opener]:
    """``open_dashboard("fr", viewport)``: the analyst logs in through the admin's form and lands on the
    dashboard for 1-10 March 2026, in that language (the language cookie, as the admin's switch sets it).

    Its browser contexts close before the server stops, so no request is still being served then.
    """
    contexts = []

    def open_as(language: str, viewport: dict[str, int]) -> Page:
        context = browser.new_context(base_url=server.url, viewport=viewport, locale=language)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
        page = context.new_page()
        page.goto("/admin/login/?next=" + quote(MARCH))
        page.fill("#id_username", analyst[0])
        page.fill("#id_password", analyst[1])
        page.locator("input[type=submit]").click()
        page.wait_for_url(re.compile(r"/admin/cinetpay/report/"))
        return page

    yield open_as
    for context in contexts:
        context.close()


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def card(page: Page, currency: str, label: str) -> Any:
    return page.get_by_test_id(f"currency-{currency}").get_by_test_id("card").filter(has_text=label)


@pytest.mark.usefixtures("known_data")
def test_the_dashboard_in_french(open_dashboard: Opener) -> None:
    page = open_dashboard("fr", LAPTOP)
    assert page.locator("html").get_attribute("lang") == "fr"
    xof = page.get_by_test_id("currency-XOF")
    expect(xof.locator("table").filter(has_text="Accepté").first).to_be_visible()
    # French grouping: 57 000 XOF (a narrow or plain no-break space, as Django's French format says).
    expect(xof).to_contain_text(re.compile(r"57[\u202f\xa0]000\xa0XOF"))
    expect(xof).to_contain_text("Orange Money")
    expect(xof).to_contain_text("En litige")
    assert xof.locator("svg.cp-chart").count() == 2
    columns = xof.locator("svg.cp-chart").first.locator("rect.cp-part")
    assert columns.count() == 10  # a column a day, 1-10 March
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-fr.png"), full_page=True)


@pytest.mark.usefixtures("known_data")
def test_the_dashboard_in_english_and_its_health_page(open_dashboard: Opener) -> None:
    page = open_dashboard("en", LAPTOP)
    assert page.locator("html").get_attribute("lang") == "en"
    expect(card(page, "XOF", "Accepted payments")).to_contain_text("57,000\xa0XOF")
    expect(card(page, "XOF", "Conversion")).to_contain_text("57.1\xa0%")
    expect(card(page, "XOF", "Open disputes")).to_contain_text("1")
    expect(card(page, "XOF", "Commission earned")).to_contain_text("1,000\xa0XOF")
    page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)
    page.get_by_role("link", name="Health").click()
    page.get_by_role("link", name="Check again without calling CinetPay").click()
    expect(page.get_by_test_id("finding-payouts")).to_contain_text("1 payout failed and not retried")
    expect(page.get_by_test_id("finding-payouts")).to_contain_text("Needs a person")
    expect(page.get_by_test_id("overall")).to_be_visible()


@pytest.mark.usefixtures("known_data")
def test_the_dashboard_on_a_phone(open_dashboard: Opener) -> None:
    page = open_dashboard("fr", PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    chart = page.get_by_test_id("currency-XOF").locator("svg.cp-chart").first
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"]
    label = chart.locator("text.cp-label").first.bounding_box()
    assert label is not None
    assert label["height"] >= 10, "chart labels too small to read"
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
