"""The "Pay with CinetPay" button: from a listing to django-cinetpay's payment form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from django_cinetpay.states import PaymentStatus
from marketplace.models import Listing, Purchase
from marketplace.views import payment_description

pytestmark = pytest.mark.django_db


def test_buying_records_the_payment_and_opens_the_payment_form(
    buyer_client: Client, buyer: Any, seller: Any, listing: Listing
) -> None:
    response = buyer_client.post(reverse("marketplace:buy", args=[listing.pk]))

    purchase = Purchase.objects.get(listing=listing, buyer=buyer)
    payment = purchase.payment
    assert response["Location"] == reverse("cinetpay:pay", args=[payment.transaction_id])
    assert (payment.buyer, payment.seller, payment.amount, payment.currency) == (buyer, seller, 15000, "XOF")
    assert payment.description == "Free Fire - Compte Free Fire niveau 72, 48 skins"
    assert payment.order == listing
    assert payment.status == PaymentStatus.CREATED


def test_a_second_click_continues_the_unfinished_payment(buyer_client: Client, listing: Listing) -> None:
    first = buyer_client.post(reverse("marketplace:buy", args=[listing.pk]))
    second = buyer_client.post(reverse("marketplace:buy", args=[listing.pk]))

    assert second["Location"] == first["Location"]
    assert Purchase.objects.filter(listing=listing).count() == 1


def test_a_refused_payment_lets_the_buyer_start_again(
    buyer_client: Client, listing: Listing, buy: Any, cinetpay: Any
) -> None:
    refused = buy(buyer_client, listing)
    cinetpay.refuse(refused.payment)
    buyer_client.get(reverse("cinetpay:return") + f"?transaction_id={refused.payment.transaction_id}")

    buyer_client.post(reverse("marketplace:buy", args=[listing.pk]))

    assert Purchase.objects.filter(listing=listing).count() == 2


def test_the_seller_cannot_buy_their_own_listing(seller_client: Client, listing: Listing) -> None:
    response = seller_client.post(reverse("marketplace:buy", args=[listing.pk]), follow=True)

    assert not Purchase.objects.exists()
    assert "You cannot buy your own listing." in response.content.decode()


def test_a_sold_listing_cannot_be_bought(buyer_client: Client, listing: Listing) -> None:
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.SOLD)

    response = buyer_client.post(reverse("marketplace:buy", args=[listing.pk]), follow=True)

    assert not Purchase.objects.exists()
    assert "This listing is no longer for sale." in response.content.decode()


def test_visitors_log_in_before_buying(client: Client, listing: Listing) -> None:
    response = client.post(reverse("marketplace:buy", args=[listing.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_buying_is_a_post(buyer_client: Client, listing: Listing) -> None:
    assert buyer_client.get(reverse("marketplace:buy", args=[listing.pk])).status_code == 405


def test_the_description_drops_what_cinetpay_refuses(listing: Listing) -> None:
    listing.title = "Skins & V-Bucks #1 / 50$ _promo_"

    assert payment_description(listing) == "Free Fire - Skins  V-Bucks 1  50 promo"
