"""Accessibility, measured: axe-core in Chromium finds no serious or critical violation on the pages buyers
and sellers see, in French, at phone width (375 px) and on a laptop (1280 px); each fits a phone, loads no
missing file (the icon included), and leaves screenshots at both widths in test-artifacts/screenshots/.

Covered: the example's pages (home, listing, login, selling, transactions, the transaction page of each
party and state), the package's pages inside the example (payment form, success, failure, confirm, dispute)
and as the package ships them (its own base and stylesheet), and the simulator's checkout and dashboard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

    from .conftest import Axe, LoggedIn, Shoot
    from .gameshop_server import GameShopServer

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1280, "height": 900}


def expect(page_or_locator):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(page_or_locator)


@dataclass
class Audit:
    """Checks page after page and reports every problem at the end, so one run lists them all."""

    axe: Axe
    shoot: Shoot
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        """Record every 4xx/5xx answer the page gets for a file it loads (a missing icon, a stylesheet);
        pages and the live polls answer for themselves (a refused form is a 400 on purpose)."""

        def on_response(response: Response) -> None:
            if response.status >= 400 and response.request.resource_type not in {"document", "fetch", "xhr"}:
                self.missing.append(f"{response.status} {response.url}")

        page.on("response", on_response)
        return page

    def check(self, page: Page, name: str) -> None:
        page.wait_for_load_state("load")
        for viewport in (LAPTOP, PHONE):
            page.set_viewport_size(viewport)
            for violation in self.axe(page):
                self.problems.append(f"{name} at {viewport['width']} px: {violation}")
            if viewport is LAPTOP:
                self.shoot(page, f"a11y-{name}-1280")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            self.problems.append(f"{name} is {overflow} px wider than a 375 px phone")
        self.shoot(page, f"a11y-{name}-375")
        page.set_viewport_size(LAPTOP)
        self.checked.append(name)

    def assert_clean(self) -> None:
        assert not self.problems + self.missing, "\n".join(self.problems + self.missing)


@pytest.fixture
def audit(axe: Axe, shoot: Shoot) -> Audit:
    return Audit(axe, shoot)


def put_on_sale(seller: Page, title: str, price: str) -> str:
    """The seller's "Sell" page; returns the new listing's URL."""
    seller.get_by_test_id("nav-sell").click()
    seller.get_by_label("Jeu").select_option(label="Call of Duty: Mobile")
    seller.get_by_label("Titre").fill(title)
    seller.get_by_label("Description").fill("Compte de test, livré dans le chat.")
    seller.get_by_label("Prix").fill(price)
    seller.get_by_test_id("put-on-sale").click()
    seller.wait_for_url(re.compile(r"/annonces/\d+/$"))
    return seller.url


def pay(buyer: Page, listing_url: str, outcome: str = "pay") -> None:
    """From the listing to CinetPay's (the simulator's) checkout, then the customer's choice."""
    buyer.goto(listing_url)
    buyer.get_by_role("button", name="Payer avec CinetPay").click()
    buyer.wait_for_url(re.compile(r"/paiements/CP\w+/pay/$"))
    buyer.locator("form.cinetpay-form button[type=submit]").click()
    buyer.wait_for_url(re.compile(r"/cinetpay-simulator/payment/"))
    buyer.get_by_label("Orange Money").check()
    if outcome != "pay":
        buyer.locator("details.sim-tools summary").click()
    buyer.locator(f"button[name=outcome][value={outcome}]").click()


def test_the_pages_buyers_and_sellers_see_are_accessible(
    log_in: LoggedIn, audit: Audit, browser: Any, gameshop: GameShopServer
) -> None:
    seller = audit.watch(log_in("seller"))
    seller.get_by_test_id("nav-sell").click()
    audit.check(seller, "sell")
    seller.get_by_label("Prix").fill("12502")
    seller.get_by_test_id("put-on-sale").click()
    expect(seller.get_by_test_id("error-price")).to_contain_text("5")
    audit.check(seller, "sell-refused")
    sold = put_on_sale(seller, "Compte CODM niveau 150, test d'accessibilité", "15000")
    failed = put_on_sale(seller, "Compte CODM niveau 90, test d'accessibilité", "9000")
    audit.check(seller, "listing-own")

    buyer = audit.watch(log_in("buyer"))
    audit.check(buyer, "home")
    buyer.goto(sold)
    audit.check(buyer, "listing")
    buyer.get_by_role("button", name="Payer avec CinetPay").click()
    buyer.wait_for_url(re.compile(r"/paiements/CP\w+/pay/$"))
    audit.check(buyer, "payment-form")
    transaction_id = buyer.url.rstrip("/").split("/")[-2]
    buyer.locator("form.cinetpay-form button[type=submit]").click()
    buyer.wait_for_url(re.compile(r"/cinetpay-simulator/payment/"))
    audit.check(buyer, "simulator-checkout")
    buyer.get_by_label("Orange Money").check()
    buyer.locator("button[name=outcome][value=pay]").click()
    buyer.wait_for_url(re.compile(r"/success/$"))
    audit.check(buyer, "payment-success")
    buyer.get_by_test_id("to-transaction").click()
    expect(buyer.get_by_test_id("panel")).to_contain_text("séquestre")
    audit.check(buyer, "transaction-buyer-held")
    for page_name in ("confirm", "dispute"):
        buyer.goto(f"/paiements/{transaction_id}/{page_name}/")
        audit.check(buyer, f"escrow-{page_name}")
    buyer.goto("/transactions/")
    audit.check(buyer, "transactions")

    pay(buyer, failed, outcome="refuse")
    buyer.wait_for_url(re.compile(r"/failed/$"))
    audit.check(buyer, "payment-failed")

    seller.goto("/transactions/")
    seller.get_by_test_id("purchase-row").filter(has_text="niveau 150").click()
    audit.check(seller, "transaction-seller-held")
    seller.get_by_test_id("cancel-sale-open").click()
    audit.check(seller, "transaction-seller-cancel-form")

    seller.goto("/cinetpay-simulator/")
    audit.check(seller, "simulator-dashboard")

    visitor = browser.new_context(base_url=gameshop.url, viewport=LAPTOP)
    anonymous = audit.watch(visitor.new_page())
    anonymous.goto("/comptes/login/")
    audit.check(anonymous, "login")
    anonymous.goto("/admin/login/")  # names no icon: the browser asks for /favicon.ico
    anonymous.wait_for_load_state("networkidle")
    visitor.close()

    audit.assert_clean()
    assert len(audit.checked) == 17


def test_the_seller_delivers_then_cancels_and_both_read_the_truth(log_in: LoggedIn, audit: Audit) -> None:
    seller = log_in("seller")
    listing = put_on_sale(seller, "Compte CODM niveau 120, livré puis annulé", "20000")
    buyer = log_in("buyer")
    pay(buyer, listing)
    buyer.wait_for_url(re.compile(r"/success/$"))
    buyer.get_by_test_id("to-transaction").click()
    expect(buyer.get_by_test_id("panel")).to_contain_text("séquestre")

    seller.goto("/transactions/")
    seller.get_by_test_id("purchase-row").filter(has_text="niveau 120").click()
    seller.get_by_test_id("mark-delivered").click()
    expect(seller.get_by_test_id("delivered")).to_be_visible()
    expect(seller.get_by_test_id("mark-delivered")).to_have_count(0)
    expect(buyer.get_by_test_id("delivered")).to_be_visible()  # live, without a reload
    expect(buyer.locator("#chat-messages [data-event=delivered]")).to_be_visible()

    seller.get_by_test_id("cancel-sale-open").click()
    seller.locator("#cancel-reason").fill("Le compte a été banni entre-temps.")
    seller.get_by_test_id("cancel-sale").click()
    expect(seller.locator("[data-stage=refunded]")).to_be_visible()
    expect(buyer.locator("[data-stage=refunded]")).to_be_visible()  # live
    for page in (seller, buyer):
        expect(page.get_by_test_id("refund-state")).to_be_visible()
        expect(page.get_by_test_id("panel")).not_to_contain_text("Commission")
    expect(buyer.get_by_test_id("payout")).to_have_attribute("data-status", re.compile(r".+"))
    audit.check(buyer, "transaction-buyer-refunded")
    audit.check(seller, "transaction-seller-refunded")
    audit.assert_clean()


# --- the package's own pages, as it ships them (no host override) --------------------------------------


def package_pages() -> dict[str, str]:
    """The package's templates rendered in French with its own base and stylesheet, as a host that
    overrides nothing shows them, for unsaved records in each state worth seeing."""
    from pathlib import Path

    from django.template import Context, Engine
    from django.utils import timezone, translation

    import django_cinetpay
    from django_cinetpay.forms import PaymentForm
    from django_cinetpay.models import CinetPayTransaction, EscrowTransaction

    engine = Engine(
        dirs=[str(Path(django_cinetpay.__file__).parent / "templates")],
        libraries={
            "i18n": "django.templatetags.i18n",
            "static": "django.templatetags.static",
            "cinetpay": "django_cinetpay.templatetags.cinetpay",
        },
    )
    tx = CinetPayTransaction(
        transaction_id="CP20260101000000ABCDEFGHI",
        amount=15_000,
        currency="XOF",
        description="Free Fire - Compte niveau 72",
        status="accepted",
        payment_method="OM",
        payer_phone="+2250707070707",
    )
    refused = CinetPayTransaction(
        transaction_id=tx.transaction_id,
        amount=15_000,
        currency="XOF",
        description=tx.description,
        status="refused",
        payment_method="OM",
        cinetpay_code="602",
        cinetpay_message="INSUFFICIENT_BALANCE",
    )
    escrow = EscrowTransaction(payment=tx, amount=15_000, commission=750, seller_amount=14_250, status="held")
    escrow.release_due_at = timezone.now()
    common: dict[str, Any] = {"csrf_token": "x" * 64, "is_buyer": True, "next": ""}
    pages = {
        "payment_form": ("cinetpay/payment_form.html", {"transaction": tx, "error": "", "form": None}),
        "payment_success": ("cinetpay/payment_success.html", {"transaction": tx}),
        "payment_failed": ("cinetpay/payment_failed.html", {"transaction": refused, "reason": "Solde"}),
        "payment_pending": ("cinetpay/payment_pending.html", {"transaction": tx}),
        "payment_return": ("cinetpay/payment_return.html", {"login_url": "/accounts/login/"}),
        "escrow_confirm": ("cinetpay/escrow_confirm.html", {"transaction": tx, "escrow": escrow}),
        "escrow_dispute": ("cinetpay/escrow_dispute.html", {"transaction": tx, "escrow": escrow}),
    }
    rendered = {}
    with translation.override("fr"):
        for name, (template, context) in pages.items():
            if "form" in context:
                context["form"] = PaymentForm(channels="ALL", currency="XOF")
            rendered[name] = engine.get_template(template).render(Context({**common, **context}))
    return rendered


def test_the_packages_own_pages_are_accessible(browser: Any, gameshop: GameShopServer, audit: Audit) -> None:
    context = browser.new_context(base_url=gameshop.url, viewport=LAPTOP)
    page = audit.watch(context.new_page())
    page.goto("/static/cinetpay/cinetpay.css")  # same origin: the pages' /static/ links load from here
    for name, html in package_pages().items():
        page.set_content(html, wait_until="load")
        expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)", name
        audit.check(page, f"package-{name}")
    context.close()
    audit.assert_clean()
    assert len(audit.checked) == 7
