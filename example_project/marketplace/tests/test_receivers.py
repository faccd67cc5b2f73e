"""The marketplace's receivers of django-cinetpay's signals, driven by the real flow and the fake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from django_cinetpay import services
from django_cinetpay.states import EscrowStatus, PayoutStatus
from marketplace.models import Listing, Message
from marketplace.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def events(purchase: Any) -> list[str]:
    return list(purchase.messages.values_list("event", flat=True))


def test_an_accepted_payment_sells_the_listing_and_tells_the_seller(
    buyer_client: Client, listing: Listing, buy: Any
) -> None:
    purchase = buy(buyer_client, listing, pay=True)

    listing.refresh_from_db()
    assert purchase.payment.is_paid
    assert listing.status == Listing.Status.SOLD
    assert events(purchase) == [Message.Event.PAID]


def test_a_second_payment_of_a_listing_is_refunded_and_both_parties_are_told_why(
    buyer_client: Client,
    listing: Listing,
    buy: Any,
    cinetpay: Any,
    on_commit: Callable[[], Any],
    django_user_model: Any,
) -> None:
    rival = django_user_model.objects.create_user("moussa", password="pw")
    first = buy(buyer_client, listing)
    second = buy(client_for(rival), listing)  # both reached CinetPay while the listing was for sale

    with on_commit():
        cinetpay.pay(first.payment)
    with on_commit():
        cinetpay.pay(second.payment)

    assert events(first) == [Message.Event.PAID]
    assert events(second) == [Message.Event.DUPLICATE, Message.Event.REFUNDED]
    second.payment.refresh_from_db()
    assert second.payment.duplicate_of == first.payment
    assert second.escrow.status == EscrowStatus.REFUNDED
    assert second.messages.get(event=Message.Event.DUPLICATE).body == first.payment.transaction_id


@override_settings(CINETPAY_ESCROW_SECURITY_PERIOD=dt.timedelta(0))
def test_release_and_payout_are_posted_in_the_chat(
    buyer_client: Client,
    buyer: Any,
    listing: Listing,
    buy: Any,
    cinetpay: Any,
    on_commit: Callable[[], Any],
) -> None:
    purchase = buy(buyer_client, listing, pay=True)

    with on_commit():
        services.confirm_receipt(purchase.escrow, buyer)
    payout = purchase.current_payout()
    assert payout is not None
    assert payout.status == PayoutStatus.SUBMITTED
    with on_commit():
        cinetpay.validate_transfer(payout)

    payout.refresh_from_db()
    purchase.escrow.refresh_from_db()
    assert purchase.escrow.status == EscrowStatus.RELEASED
    assert payout.status == PayoutStatus.COMPLETED
    assert events(purchase) == [Message.Event.PAID, Message.Event.RELEASED, Message.Event.PAYOUT_COMPLETED]


def test_a_dispute_is_posted_with_its_reason(
    buyer_client: Client, buyer: Any, listing: Listing, buy: Any, on_commit: Callable[[], Any]
) -> None:
    purchase = buy(buyer_client, listing, pay=True)

    with on_commit():
        services.open_dispute(purchase.escrow, buyer, "Wrong password")

    message = purchase.messages.get(event=Message.Event.DISPUTED)
    assert message.body == "Wrong password"
    assert message.author is None


def test_a_refund_is_posted(
    buyer_client: Client, listing: Listing, buy: Any, on_commit: Callable[[], Any], django_user_model: Any
) -> None:
    purchase = buy(buyer_client, listing, pay=True)
    staff = django_user_model.objects.get(username="admin")

    with on_commit():
        services.refund_escrow(purchase.escrow, staff, "Seller never delivered")

    assert Message.Event.REFUNDED in events(purchase)
