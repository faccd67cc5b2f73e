"""Demo data loading, the jobs loop and the payout adapter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from django_cinetpay import services
from django_cinetpay.states import EscrowStatus, PayoutStatus
from marketplace import demo
from marketplace.adapter import MarketplaceAdapter
from marketplace.models import Game, Listing, Profile

pytestmark = pytest.mark.django_db


def test_loading_again_creates_nothing() -> None:
    counts = (Game.objects.count(), Listing.objects.count())

    assert demo.load() == {"accounts": 0, "games": 0, "listings": 0}
    assert (Game.objects.count(), Listing.objects.count()) == counts


def test_loading_again_restocks_a_sold_demo_listing(listing: Listing) -> None:
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.SOLD)

    assert demo.load()["listings"] == 1
    assert Listing.objects.available().filter(title=listing.title).count() == 1


def test_loading_keeps_a_changed_password(buyer: Any) -> None:
    buyer.set_password("changed-by-awa")
    buyer.save()

    demo.load()

    buyer.refresh_from_db()
    assert buyer.check_password("changed-by-awa")


@override_settings(CINETPAY_ESCROW_SECURITY_PERIOD=dt.timedelta(seconds=60))
def test_run_jobs_releases_due_escrows_and_moves_payouts(
    buyer_client: Client,
    buyer: Any,
    listing: Listing,
    buy: Any,
    cinetpay: Any,
    on_commit: Callable[[], Any],
) -> None:
    purchase = buy(buyer_client, listing, pay=True)
    escrow = services.confirm_receipt(purchase.escrow, buyer)
    escrow.__class__.objects.filter(pk=escrow.pk).update(release_due_at=escrow.confirmed_at)

    with on_commit():
        call_command("run_jobs", "--once")
    payout = purchase.current_payout()
    assert payout is not None
    cinetpay.validate_transfer(payout)
    with on_commit():
        call_command("run_jobs", "--once")

    escrow.refresh_from_db()
    payout.refresh_from_db()
    assert escrow.status == EscrowStatus.RELEASED
    assert payout.status == PayoutStatus.COMPLETED


def test_sellers_are_paid_on_their_profile_number(buyer_client: Client, listing: Listing, buy: Any) -> None:
    purchase = buy(buyer_client, listing, pay=True)

    destination = MarketplaceAdapter().get_payout_destination(purchase.escrow)

    assert destination is not None
    assert (destination.prefix, destination.phone, destination.surname) == ("225", "0505050505", "Koffi")


def test_a_seller_without_a_number_is_not_paid_blindly(
    buyer_client: Client, seller: Any, listing: Listing, buy: Any
) -> None:
    purchase = buy(buyer_client, listing, pay=True)
    Profile.objects.filter(user=seller).update(phone="")

    assert MarketplaceAdapter().get_payout_destination(purchase.escrow) is None
