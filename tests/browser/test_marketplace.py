"""A person's journeys through the example marketplace, in real Chromium over real HTTP.

Each test buys a different demo listing, so they share one server yet stay independent.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from .gameshop_server import SECURITY_PERIOD

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LoggedIn, Shoot
    from .gameshop_server import GameShopServer

pytestmark = pytest.mark.browser

#: Enough for the security period, one job run, a simulated transfer validation and a page poll.
PAYOUT_TIMEOUT_MS = (SECURITY_PERIOD + 25) * 1000


def expect(page_or_locator):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(page_or_locator)


def start_purchase(page: Page, title: str) -> None:
    """From the home page to django-cinetpay's payment form, through the listing's CinetPay button."""
    page.goto("/")
    page.get_by_role("link", name=re.compile(re.escape(title))).click()
    page.get_by_role("button", name="Payer avec CinetPay").click()
    page.wait_for_url(re.compile(r"/paiements/CP\w+/pay/$"))


def go_to_simulator(page: Page) -> None:
    """Submit the payment form (pre-filled from the buyer's account) to reach the checkout page."""
    page.locator("form.cinetpay-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cinetpay-simulator/payment/"))


def pay_with_orange_money(page: Page) -> None:
    page.get_by_label("Orange Money").check()
    page.locator("button[name=outcome][value=pay]").click()


def mark_page(page: Page) -> None:
    """Tag the loaded document, so a later check can prove it was updated in place, not reloaded."""
    page.evaluate("window.__sameDocument = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def test_buyer_pays_seller_delivers_and_is_paid(log_in: LoggedIn, shoot: Shoot) -> None:
    buyer = log_in("buyer")
    shoot(buyer, "01-home")
    start_purchase(buyer, "Compte Free Fire niveau 72, 48 skins")
    shoot(buyer, "02-payment-form")

    # The buyer keeps the transaction page open in another tab while paying.
    watcher = buyer.context.new_page()
    watcher.goto("/transactions/")
    watcher.get_by_test_id("purchase-row").filter(has_text="Compte Free Fire niveau 72").click()
    status = watcher.get_by_test_id("payment-status")
    expect(status).not_to_have_attribute("data-status", "accepted")
    expect(watcher.get_by_test_id("panel")).to_contain_text("Votre paiement n'est pas encore confirmé")
    mark_page(watcher)

    go_to_simulator(buyer)
    shoot(buyer, "03-simulator-checkout")
    pay_with_orange_money(buyer)
    buyer.wait_for_url(re.compile(r"/paiements/CP\w+/success/$"))
    expect(buyer.locator("h1.cinetpay-ok")).to_be_visible()
    shoot(buyer, "04-payment-success")

    # The open tab turns paid on its own: status polled from cinetpay:status, panel from the site.
    expect(status).to_have_attribute("data-status", "accepted")
    expect(watcher.get_by_test_id("panel")).to_contain_text("sont en séquestre")
    assert_not_reloaded(watcher)
    watcher.close()

    # The seller is notified: a badge in the menu, the sale to deliver, the site's message in the chat.
    seller = log_in("seller")
    expect(seller.get_by_test_id("nav-purchases").locator(".badge")).to_have_text(re.compile(r"[1-9]"))
    seller.get_by_test_id("nav-purchases").click()
    sale = seller.get_by_test_id("purchase-row").filter(has_text="Compte Free Fire niveau 72")
    expect(sale).to_contain_text("Payé : livrez maintenant")
    shoot(seller, "05-seller-sales")
    sale.click()
    expect(seller.get_by_test_id("deliver-now")).to_contain_text("Paiement reçu : livrez maintenant")
    expect(seller.get_by_test_id("chat")).to_contain_text("Vendeur : livrez maintenant")
    seller.get_by_label("Message").fill("Identifiant : ff_pro_72@mail.ci / mot de passe : Kx9-22-ab")
    seller.get_by_role("button", name="Envoyer").click()
    expect(seller.get_by_test_id("chat")).to_contain_text("ff_pro_72@mail.ci")
    shoot(seller, "06-seller-delivers")

    # The buyer gets the account details in the chat and confirms receipt through cinetpay:confirm.
    buyer.get_by_test_id("to-transaction").click()
    expect(buyer.get_by_test_id("chat")).to_contain_text("ff_pro_72@mail.ci")
    shoot(buyer, "07-buyer-transaction")
    buyer.get_by_test_id("confirm").click()
    expect(buyer.locator(".cinetpay-escrow-confirmed")).to_be_visible()
    buyer.get_by_test_id("back-to-transaction").click()
    expect(buyer.get_by_test_id("countdown")).to_have_text(re.compile(r"\d+:\d\d"))
    shoot(buyer, "08-security-period")
    mark_page(buyer)
    seller.reload()
    expect(seller.get_by_test_id("countdown")).to_have_text(re.compile(r"\d+:\d\d"))
    mark_page(seller)

    # After the security period the job releases the money and the simulated transfer completes;
    # both pages follow without a reload.
    for page in (buyer, seller):
        payout = page.get_by_test_id("payout")
        expect(payout).to_have_attribute("data-status", "completed", timeout=PAYOUT_TIMEOUT_MS)
        expect(payout).to_contain_text("effectué")
        assert_not_reloaded(page)
    expect(buyer.get_by_test_id("panel")).to_contain_text("Achat terminé : le vendeur est payé")
    expect(seller.get_by_test_id("chat")).to_contain_text("au vendeur effectué")
    shoot(buyer, "09-buyer-payout-done")
    shoot(seller, "10-seller-paid")


def test_refused_payment_shows_why(log_in: LoggedIn, shoot: Shoot) -> None:
    buyer = log_in("buyer")
    start_purchase(buyer, "Carte cadeau 2 800 V-Bucks")
    go_to_simulator(buyer)
    buyer.get_by_label("Orange Money").check()
    buyer.locator("details.sim-tools summary").click()
    buyer.locator("button[name=outcome][value=refuse]").click()

    buyer.wait_for_url(re.compile(r"/paiements/CP\w+/failed/$"))
    expect(buyer.locator("h1.cinetpay-ko")).to_be_visible()
    expect(buyer.locator(".cinetpay-reason")).not_to_be_empty()
    expect(buyer.locator("main")).to_contain_text("Aucun argent n'a été prélevé")
    shoot(buyer, "11-payment-refused")
    buyer.get_by_test_id("try-again").click()
    expect(buyer.get_by_role("button", name="Payer avec CinetPay")).to_be_visible()


def test_dispute_reaches_staff(log_in: LoggedIn, shoot: Shoot, gameshop: GameShopServer) -> None:
    buyer = log_in("buyer")
    start_purchase(buyer, "Village HDV 15 max, héros 80+")
    go_to_simulator(buyer)
    pay_with_orange_money(buyer)
    buyer.get_by_test_id("to-transaction").click()

    buyer.get_by_text("Signaler un problème").click()
    buyer.get_by_label("Qu'est-ce qui ne va pas ?").fill("Le vendeur ne répond pas depuis deux jours.")
    buyer.get_by_test_id("dispute").click()
    expect(buyer.locator(".cinetpay-escrow-disputed")).to_be_visible()
    buyer.get_by_test_id("back-to-transaction").click()
    expect(buyer.get_by_test_id("panel")).to_contain_text("Le vendeur ne répond pas depuis deux jours.")
    shoot(buyer, "12-buyer-dispute")

    staff = log_in("staff")
    staff.goto("/admin/marketplace/purchase/?escrow=disputed")
    row = staff.locator("#result_list tbody tr").filter(has_text="Village HDV 15 max")
    expect(row).to_be_visible()
    shoot(staff, "13-staff-sees-dispute")
    row.locator("th a").click()
    expect(staff.locator("#messages-group")).to_contain_text("Le vendeur ne répond pas depuis deux jours.")


def test_pages_fit_a_phone_and_switch_to_english(log_in: LoggedIn, shoot: Shoot) -> None:
    buyer = log_in("buyer")
    buyer.set_viewport_size({"width": 390, "height": 844})
    pages = {
        "14-phone-home": "/",
        "15-phone-listing": buyer.locator(".listing-card a").first.get_attribute("href"),
        "16-phone-transactions": "/transactions/",
    }
    for name, url in pages.items():
        buyer.goto(url)
        overflow = buyer.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than a phone"
        shoot(buyer, name)
    buyer.get_by_test_id("purchase-row").first.click()
    expect(buyer.get_by_test_id("panel")).to_be_visible()
    assert buyer.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shoot(buyer, "17-phone-transaction")

    buyer.get_by_role("button", name="EN", exact=True).click()
    expect(buyer.locator("html")).to_have_attribute("lang", "en")
    expect(buyer.get_by_role("heading", name="Payment and escrow")).to_be_visible()
    buyer.goto("/")
    expect(buyer.locator("h1")).to_have_text("Buy game accounts and items, safely")
    buyer.set_viewport_size({"width": 1280, "height": 900})
    shoot(buyer, "18-home-english")
