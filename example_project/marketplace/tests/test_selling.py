"""The seller's side: a listing is checked with django-cinetpay's rules where the seller types it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from marketplace.forms import ListingForm
from marketplace.models import Game, Listing

pytestmark = pytest.mark.django_db


def listing_data(**overrides: Any) -> dict[str, Any]:
    game = Game.objects.get(slug="free-fire")
    return {
        "game": game.pk,
        "kind": Listing.Kind.ITEM,
        "title": "1 000 diamants Free Fire",
        "description": "Recharge directe sur votre ID joueur.",
        "price": "5000",
        "currency": "XOF",
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"price": "0"}, "price", "between 100 and 3000000 XOF"),
        ({"price": "50"}, "price", "between 100 and 3000000 XOF"),
        ({"price": "12502"}, "price", "multiples of 5"),
        ({"currency": "EUR"}, "currency", "Select a valid choice"),
        ({"title": "Pack #1 de skins"}, "title", "may not contain the characters #"),
        ({"title": "Skins & V-Bucks"}, "title", "may not contain the characters &"),
    ],
)
def test_what_cinetpay_would_refuse_is_refused_where_the_seller_types(
    overrides: dict[str, str], field: str, message: str
) -> None:
    form = ListingForm(listing_data(**overrides))

    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_the_currencies_offered_are_the_sites(settings: Any) -> None:
    settings.CINETPAY_CURRENCIES = ["XOF", "XAF"]
    assert [code for code, _ in ListingForm().fields["currency"].choices] == ["XOF", "XAF"]
    assert ListingForm(listing_data(currency="XAF")).is_valid()


def test_the_seller_puts_a_listing_on_sale(seller_client: Client, seller: Any) -> None:
    response = seller_client.post(reverse("marketplace:sell"), listing_data())

    listing = Listing.objects.get(title="1 000 diamants Free Fire")
    assert response.status_code == 302
    assert response["Location"] == listing.get_absolute_url()
    assert (listing.seller, listing.price, listing.status) == (seller, 5000, Listing.Status.AVAILABLE)


def test_a_refused_listing_is_shown_again_with_the_reason(seller_client: Client) -> None:
    response = seller_client.post(reverse("marketplace:sell"), listing_data(price="12502"))

    assert response.status_code == 400
    assert "multiples of 5" in response.content.decode()
    assert not Listing.objects.filter(title="1 000 diamants Free Fire").exists()


def test_selling_needs_an_account(client: Client) -> None:
    response = client.get(reverse("marketplace:sell"))
    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]
    assert client.post(reverse("marketplace:sell"), listing_data()).status_code == 302
    assert not Listing.objects.filter(title="1 000 diamants Free Fire").exists()


def test_a_listing_priced_and_titled_right_is_bought_without_surprise(
    seller_client: Client, buyer_client: Client, buy: Any
) -> None:
    seller_client.post(reverse("marketplace:sell"), listing_data(title="Skins et V-Bucks, pack 1"))
    listing = Listing.objects.get(title="Skins et V-Bucks, pack 1")

    purchase = buy(buyer_client, listing)

    assert purchase.payment.description == "Free Fire - Skins et V-Bucks, pack 1"  # nothing dropped


def test_staff_editing_a_listing_in_the_admin_meet_the_same_rules(django_user_model: Any) -> None:
    staff = Client()
    staff.force_login(django_user_model.objects.get(username="admin"))
    listing = Listing.objects.get(title="Compte Free Fire niveau 72, 48 skins")
    data = listing_data(price="50", seller=listing.seller_id, status=listing.status)

    response = staff.post(reverse("admin:marketplace_listing_change", args=[listing.pk]), data)

    assert response.status_code == 200  # the form again, with the error
    assert "between 100 and 3000000 XOF" in response.content.decode()
    listing.refresh_from_db()
    assert listing.price == 15000
