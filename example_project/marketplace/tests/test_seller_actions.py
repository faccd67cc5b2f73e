"""The seller's buttons on the transaction page: "delivered" (a chat message, no money moves) and "cancel
the sale" (a refund through django-cinetpay's service). Only the seller, by POST with a CSRF token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.models import PayoutRequest
from django_cinetpay.states import ActorKind, EscrowStatus, PayoutKind, PayoutStatus
from marketplace.models import Listing, Message, Purchase
from marketplace.tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(buyer_client: Client, listing: Listing, buy: Any) -> Purchase:
    return buy(buyer_client, listing, pay=True)


def delivered(purchase: Purchase) -> int:
    return purchase.messages.filter(event=Message.Event.DELIVERED).count()


def escrow_status(purchase: Purchase) -> str:
    escrow = purchase.escrow
    assert escrow is not None
    escrow.refresh_from_db()
    return escrow.status


def test_the_seller_sees_both_buttons_and_the_buyer_neither(
    sale: Purchase, seller_client: Client, buyer_client: Client
) -> None:
    seller_page = seller_client.get(sale.get_absolute_url()).content.decode()
    buyer_page = buyer_client.get(sale.get_absolute_url()).content.decode()

    for url in (
        reverse("marketplace:mark-delivered", args=[sale.pk]),
        reverse("marketplace:cancel-sale", args=[sale.pk]),
    ):
        assert url in seller_page
        assert url not in buyer_page


def test_delivered_tells_the_buyer_in_the_chat_once_and_moves_no_money(
    sale: Purchase, seller_client: Client, buyer_client: Client
) -> None:
    url = reverse("marketplace:mark-delivered", args=[sale.pk])
    assert seller_client.post(url).status_code == 302
    assert seller_client.post(url).status_code == 302

    assert delivered(sale) == 1
    assert escrow_status(sale) == EscrowStatus.HELD
    buyer_page = buyer_client.get(sale.get_absolute_url()).content.decode()
    assert "The seller says it is delivered" in buyer_page  # the panel and the chat
    seller_page = seller_client.get(sale.get_absolute_url()).content.decode()
    assert url not in seller_page  # said once


def test_the_live_panel_follows_a_delivery(
    sale: Purchase, seller_client: Client, buyer_client: Client
) -> None:
    live = reverse("marketplace:purchase-live", args=[sale.pk])
    before = buyer_client.get(live).json()["state"]
    seller_client.post(reverse("marketplace:mark-delivered", args=[sale.pk]))
    after = buyer_client.get(live).json()
    assert after["state"] != before
    assert 'data-testid="delivered"' in after["panel"]


def test_the_seller_cancels_a_held_sale_and_the_buyer_is_refunded(
    sale: Purchase, seller_client: Client, seller: Any, on_commit: Callable[[], Any]
) -> None:
    with on_commit():
        response = seller_client.post(
            reverse("marketplace:cancel-sale", args=[sale.pk]), {"reason": "Rupture de stock"}
        )

    assert response.status_code == 302
    assert escrow_status(sale) == EscrowStatus.REFUNDED
    change = services.history(sale.escrow).last()
    assert (change.actor_kind, change.actor_user, change.reason) == (
        ActorKind.USER,
        seller,
        "Rupture de stock",
    )
    refund = PayoutRequest.objects.get(escrow=sale.escrow, kind=PayoutKind.REFUND)
    assert refund.amount == sale.payment.amount
    assert Message.Event.REFUNDED in sale.messages.values_list("event", flat=True)


def test_a_cancellation_needs_a_reason(sale: Purchase, seller_client: Client) -> None:
    response = seller_client.post(
        reverse("marketplace:cancel-sale", args=[sale.pk]), {"reason": "  "}, follow=True
    )

    assert escrow_status(sale) == EscrowStatus.HELD
    assert "Say why you cancel the sale" in response.content.decode()


def test_once_confirmed_the_seller_can_no_longer_cancel(
    sale: Purchase, seller_client: Client, buyer: Any
) -> None:
    services.confirm_receipt(sale.escrow, buyer)
    response = seller_client.post(
        reverse("marketplace:cancel-sale", args=[sale.pk]), {"reason": "Changed my mind"}, follow=True
    )
    assert escrow_status(sale) == EscrowStatus.CONFIRMED
    assert "can no longer be cancelled" in response.content.decode()
    response = seller_client.post(reverse("marketplace:mark-delivered", args=[sale.pk]), follow=True)
    assert delivered(sale) == 0
    assert "no longer waiting for delivery" in response.content.decode()


@pytest.mark.parametrize("action", ["mark-delivered", "cancel-sale"])
def test_only_the_seller_by_post_with_csrf(
    sale: Purchase, buyer_client: Client, seller: Any, django_user_model: Any, action: str
) -> None:
    url = reverse(f"marketplace:{action}", args=[sale.pk])
    data = {"reason": "x"}
    intruder = client_for(django_user_model.objects.create_user("intrus", password="pw"))

    assert buyer_client.post(url, data).status_code == 403
    assert intruder.post(url, data).status_code == 404
    assert Client().post(url, data).status_code == 302  # to the login page
    assert client_for(seller).get(url).status_code == 405
    no_token = Client(enforce_csrf_checks=True)
    no_token.force_login(seller)
    assert no_token.post(url, data).status_code == 403
    assert escrow_status(sale) == EscrowStatus.HELD
    assert delivered(sale) == 0


def test_an_unpaid_purchase_has_no_sale_to_act_on(
    buyer_client: Client, seller_client: Client, listing: Listing, buy: Any
) -> None:
    purchase = buy(buyer_client, listing)  # not paid
    assert seller_client.post(reverse("marketplace:mark-delivered", args=[purchase.pk])).status_code == 404


# --- what a refunded purchase says --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "buyer_reads"),
    [
        (PayoutStatus.PENDING, "your refund is on its way"),
        (PayoutStatus.SUBMITTED, "your refund is on its way"),
        (PayoutStatus.FAILED, "your refund has not gone through yet"),
        (PayoutStatus.COMPLETED, "your money was refunded"),
    ],
)
def test_a_refunded_purchase_says_where_the_refund_really_is(
    sale: Purchase, seller: Any, buyer_client: Client, seller_client: Client, status: str, buyer_reads: str
) -> None:
    services.refund_escrow(sale.escrow, seller, "Rupture de stock")
    PayoutRequest.objects.filter(escrow=sale.escrow, kind=PayoutKind.REFUND).update(status=status)

    buyer_page = buyer_client.get(sale.get_absolute_url()).content.decode()
    seller_page = seller_client.get(sale.get_absolute_url()).content.decode()

    assert buyer_reads in buyer_page
    assert "Refund of 15,000\N{NO-BREAK SPACE}XOF to your number" in buyer_page
    assert "Refund of 15,000\N{NO-BREAK SPACE}XOF to the buyer" in seller_page
    if status != PayoutStatus.COMPLETED:
        assert "your money was refunded" not in buyer_page
    for page in (buyer_page, seller_page):
        assert "Commission" not in page  # no commission and no seller's share on money that went back
        assert "For the seller" not in page
        assert "Refunded to the buyer" in page
