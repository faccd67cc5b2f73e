"""The dashboard with payments and transfers of both APIs fits a 375 px phone (Chromium, ``-m browser``).

Playwright drives Debian's Chromium against pytest-django's live server. Missing Playwright or Chromium,
the test skips, except with ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from .conftest import OAUTH_ACCOUNTS, OAuthApi

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path(os.environ.get("CINETPAY_CHROMIUM", "/usr/bin/chromium"))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


def test_dashboard_of_both_apis_fits_a_phone(live_server, settings, client, sim_api, admin_user):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install playwright (never `playwright install`)")
    if not CHROMIUM.exists():
        _unavailable(f"No Chromium at {CHROMIUM}: run scripts/ensure-chromium")
    settings.CINETPAY_SIMULATOR_ACCOUNTS = OAUTH_ACCOUNTS
    settings.CINETPAY_SIMULATOR_TRANSFER_DELAY = None
    oauth = OAuthApi(client)
    token = oauth.login()
    oauth.pay_init(token, merchant_transaction_id="ORDER-WITH-A-LONG-REFERENCE-01", payment_method="MOOV_CI")
    oauth.send(token, payment_method="WAVE_CI")
    sim_api.created()
    client.force_login(admin_user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = chromium.new_context(viewport={"width": 375, "height": 800})
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(f"{live_server.url}{reverse('cinetpay_simulator:dashboard')}")
        text = page.inner_text("main")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        chromium.close()

    assert "ORDER-WITH-A-LONG-REFERENCE-01" in text
    assert "OAuth API (v1)" in text
    assert "Wave" in text
    assert overflow <= 0, f"the dashboard is {overflow} px wider than a 375 px phone"
