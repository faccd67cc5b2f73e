"""Staff in the admin, in real Chromium over real HTTP: a dispute resolved from the escrow's page, and the
payments list read in French on a 1280 px laptop screen.

The package's own test project is served by Django's live server (``live_server``); the database is
filled directly. Playwright's synchronous API keeps an event loop in this thread, hence
``DJANGO_ALLOW_ASYNC_UNSAFE`` for the test's own ORM calls (the server runs in its own thread).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import django.contrib.admin
import pytest
from django.contrib.auth.models import Permission

from django_cinetpay import services
from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.states import EscrowStatus, PayoutKind
from tests.escrow.conftest import _escrow_settings, accept, make_payment  # noqa: F401

from .conftest import SCREENSHOTS, TIMEOUT_MS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-arbitre-2026"


def expect(page_or_locator):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(page_or_locator)


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Set before the browser starts and the test database is made (both for the session), and only for
    the browser tests this module holds (other modules' tests are deselected or use no ORM here)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture
def arbiter(django_user_model: Any) -> Any:
    """Staff who may see escrows and payments and resolve disputes."""
    user = django_user_model.objects.create_user("arbitre", "arbitre@example.com", PASSWORD, is_staff=True)
    codenames = ["view_escrowtransaction", "view_cinetpaytransaction", "resolve_escrowtransaction"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def staff_page(
    browser: Browser, live_server: Any, arbiter: Any, settings: Any
) -> Iterator[Callable[[], Page]]:
    """A logged-in admin page in French on a 1280 x 800 screen, styled: the test settings have no
    staticfiles app, so the live server serves the admin's own static folder as ``STATIC_ROOT``."""
    settings.STATIC_ROOT = str(Path(django.contrib.admin.__file__).parent / "static")
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="fr-FR"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/admin/login/")
        page.fill("#id_username", arbiter.username)
        page.fill("#id_password", PASSWORD)
        page.locator("#login-form [type=submit]").click()
        page.wait_for_url(re.compile(r"/admin/$"))
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_staff_resolve_a_dispute_from_the_escrow_page(
    staff_page: Callable[[], Page], buyer: Any, seller: Any, arbiter: Any
) -> None:
    escrow = accept(make_payment(buyer, seller, amount=15_000)).escrow
    services.open_dispute(escrow, buyer, "Le compte est banni")
    page = staff_page()
    page.goto(f"/admin/cinetpay/escrowtransaction/{escrow.pk}/change/")
    expect(page.locator(".field-amount_display")).to_contain_text("15\xa0000\xa0XOF")
    buyer_link = page.locator(".field-buyer_link a")
    expect(buyer_link).to_have_attribute("href", f"/admin/auth/user/{buyer.pk}/change/")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-escrow-disputed-fr.png"), full_page=True)

    page.locator(f"a[href='/admin/cinetpay/escrowtransaction/{escrow.pk}/refund_dispute/']").click()
    page.locator("textarea[name=note]").fill("Compte banni : vérifié avec le vendeur")
    page.screenshot(path=str(SCREENSHOTS / "admin-escrow-resolve-fr.png"))
    page.locator("#content form [type=submit]").click()

    page.wait_for_url(re.compile(rf"/escrowtransaction/{escrow.pk}/change/$"))
    expect(page.locator(".messagelist .success")).to_contain_text("15\xa0000\xa0XOF")
    escrow = EscrowTransaction.objects.get(pk=escrow.pk)
    assert (escrow.status, escrow.resolution_note) == (
        EscrowStatus.REFUNDED,
        "Compte banni : vérifié avec le vendeur",
    )
    assert PayoutRequest.objects.get(escrow=escrow).kind == PayoutKind.REFUND
    change = services.history(escrow).last()
    assert (change.actor_user, change.to_status) == (arbiter, EscrowStatus.REFUNDED)
    # Resolved: no resolve button any more.
    expect(page.locator("a.cinetpay-action")).to_have_count(0)


def test_the_payments_list_fits_a_laptop_screen_in_french(
    staff_page: Callable[[], Page], buyer: Any, seller: Any
) -> None:
    for amount, method in [(15_000, "OM"), (2_500, "MOMO"), (1_250_000, "FLOOZ"), (500, "WAVECI")]:
        payment = accept(make_payment(buyer, seller, amount=amount))
        CinetPayTransaction.objects.filter(pk=payment.pk).update(payment_method=method)
    make_payment(buyer, seller, amount=7_500)  # created, not paid
    page = staff_page()
    page.goto("/admin/cinetpay/cinetpaytransaction/")
    expect(page.locator("#result_list")).to_contain_text("1\xa0250\xa0000\xa0XOF")
    expect(page.locator("#result_list")).to_contain_text("Orange Money")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-payments-fr-1280.png"))
    widths = page.evaluate(
        """() => {
            const results = document.querySelector('.results');
            return {page: document.documentElement.scrollWidth, results: results.scrollWidth,
                    shown: results.clientWidth};
        }"""
    )
    assert widths["page"] <= 1280, widths
    assert widths["results"] <= widths["shown"], widths
