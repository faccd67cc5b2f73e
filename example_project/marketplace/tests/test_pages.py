"""The transaction page, its live endpoint, the chat, the notification badge and the language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from django_cinetpay import services
from marketplace.context_processors import unread_count
from marketplace.models import Listing, Message
from marketplace.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def page(client: Client, purchase: Any) -> str:
    response = client.get(purchase.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_seller_is_told_to_deliver_and_the_buyer_to_confirm(
    buyer_client: Client, seller_client: Client, listing: Listing, buy: Any
) -> None:
    purchase = buy(buyer_client, listing, pay=True)

    seller_page = page(seller_client, purchase)
    buyer_page = page(buyer_client, purchase)

    assert "Payment received: deliver now." in seller_page
    assert reverse("cinetpay:confirm", args=[purchase.payment.transaction_id]) not in seller_page
    assert reverse("cinetpay:confirm", args=[purchase.payment.transaction_id]) in buyer_page
    assert reverse("cinetpay:dispute", args=[purchase.payment.transaction_id]) in buyer_page
    assert reverse("cinetpay:status", args=[purchase.payment.transaction_id]) in buyer_page


def test_the_confirmed_purchase_shows_the_security_period_countdown(
    buyer_client: Client, buyer: Any, listing: Listing, buy: Any
) -> None:
    purchase = buy(buyer_client, listing, pay=True)
    escrow = services.confirm_receipt(purchase.escrow, buyer)

    html = page(buyer_client, purchase)

    assert f'data-countdown-to="{escrow.release_due_at.isoformat()}"' in html


def test_others_cannot_see_a_purchase(
    buyer_client: Client, listing: Listing, buy: Any, django_user_model: Any
) -> None:
    purchase = buy(buyer_client, listing)
    intruder = client_for(django_user_model.objects.create_user("intrus", password="pw"))

    assert intruder.get(purchase.get_absolute_url()).status_code == 404
    assert intruder.get(reverse("marketplace:purchase-live", args=[purchase.pk])).status_code == 404
    assert (
        intruder.post(reverse("marketplace:post-message", args=[purchase.pk]), {"body": "hi"}).status_code
        == 404
    )


def test_the_live_endpoint_follows_the_payment(
    buyer_client: Client, listing: Listing, buy: Any, cinetpay: Any, on_commit: Callable[[], Any]
) -> None:
    purchase = buy(buyer_client, listing)
    url = reverse("marketplace:purchase-live", args=[purchase.pk])
    before = buyer_client.get(url).json()

    with on_commit():
        cinetpay.pay(purchase.payment)
    after = buyer_client.get(url).json()

    assert before["state"].startswith("awaiting_payment:")
    assert after["state"].startswith("held:")
    assert after["last_message"] > before["last_message"]
    assert "are held safely" in after["panel"]


def test_a_message_reaches_the_other_side_as_a_notification(
    buyer_client: Client, seller_client: Client, seller: Any, buyer: Any, listing: Listing, buy: Any
) -> None:
    purchase = buy(buyer_client, listing, pay=True)
    page(seller_client, purchase)  # both read the site's "paid" message
    page(buyer_client, purchase)
    assert unread_count(seller) == 0

    response = buyer_client.post(
        reverse("marketplace:post-message", args=[purchase.pk]), {"body": " Hello! "}
    )

    assert response["Location"] == purchase.get_absolute_url() + "#chat"
    assert purchase.messages.get(author=buyer).body == "Hello!"
    assert unread_count(seller) == 1
    assert unread_count(buyer) == 0
    assert '<span class="badge"' in seller_client.get(reverse("marketplace:home")).content.decode()


def test_an_empty_message_is_refused(buyer_client: Client, listing: Listing, buy: Any) -> None:
    purchase = buy(buyer_client, listing)

    buyer_client.post(reverse("marketplace:post-message", args=[purchase.pk]), {"body": "   "})

    assert not Message.objects.filter(author__isnull=False).exists()


def test_site_messages_are_read_in_the_readers_language(
    buyer_client: Client, listing: Listing, buy: Any, settings: Any
) -> None:
    purchase = buy(buyer_client, listing, pay=True)
    settings.LANGUAGE_CODE = "fr"

    french = page(buyer_client, purchase)
    buyer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = page(buyer_client, purchase)

    assert "Paiement de 15\u00a0000\u00a0XOF reçu et placé en séquestre." in french
    assert "Payment of 15,000\u00a0XOF received and held in escrow." in english


def test_french_by_default_whatever_the_browser_says(client: Client, settings: Any) -> None:
    settings.LANGUAGE_CODE = "fr"

    html = client.get(
        reverse("marketplace:home"), headers={"accept-language": "en-US,en;q=0.9"}
    ).content.decode()

    assert '<html lang="fr">' in html
    assert "Comptes de démonstration" in html


def test_the_home_page_shows_the_demo_accounts(client: Client) -> None:
    html = client.get(reverse("marketplace:home")).content.decode()

    assert "<code>awa</code> / <code>awa-demo-2024</code>" in html
    assert "<code>koffi</code> / <code>koffi-demo-2024</code>" in html


def test_the_overridden_success_page_leads_to_the_transaction(
    buyer_client: Client, listing: Listing, buy: Any
) -> None:
    purchase = buy(buyer_client, listing, pay=True)

    html = buyer_client.get(
        reverse("cinetpay:success", args=[purchase.payment.transaction_id])
    ).content.decode()

    assert f'href="{purchase.get_absolute_url()}"' in html
    assert 'class="site-header"' in html  # inside the site's layout, through the cinetpay/base.html override
