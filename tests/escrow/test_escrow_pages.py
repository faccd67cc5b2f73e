"""The confirm and dispute pages tell each party where the money is, in their terms, and only what is true:
a refund or a payout is "done" once CinetPay says so, "on its way" before, and stuck when staff must act."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.models import EscrowTransaction, PayoutRequest
from django_cinetpay.states import EscrowStatus, PayoutKind, PayoutStatus

pytestmark = pytest.mark.django_db


def status_text(user, escrow: EscrowTransaction, page: str = "confirm") -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get(reverse(f"cinetpay:{page}", args=[escrow.payment.transaction_id]))
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    return " ".join(html.split('class="cinetpay-escrow-status', 1)[1].split("</p>", 1)[0].split())


def set_payout(escrow: EscrowTransaction, kind: str, status: str, last_error: str = "") -> None:
    """Stand-in for the payout job and CinetPay's answers: only the payout's state matters here."""
    PayoutRequest.objects.filter(escrow=escrow, kind=kind).update(status=status, last_error=last_error)


def test_while_held_each_party_reads_what_they_wait_for(escrow, buyer, seller):
    assert "seller is paid only once you confirm receipt" in status_text(buyer, escrow)
    assert "you are paid once the buyer confirms receipt" in status_text(seller, escrow)


def test_once_confirmed_each_party_reads_when_the_seller_is_paid(escrow, buyer, seller):
    services.confirm_receipt(escrow, buyer)
    assert "unless you report a problem" in status_text(buyer, escrow)
    assert "You are paid on" in status_text(seller, escrow)


@pytest.mark.parametrize(
    ("payout_status", "last_error", "to_buyer", "to_seller"),
    [
        (PayoutStatus.PENDING, "", "on their way back", "is being refunded"),
        (PayoutStatus.SUBMITTED, "", "on their way back", "is being refunded"),
        (PayoutStatus.COMPLETED, "", "were refunded to the number that paid", "the buyer was refunded"),
        (PayoutStatus.FAILED, "", "has not gone through yet", "has not gone through yet"),
        (PayoutStatus.UNKNOWN, "", "has not gone through yet", "has not gone through yet"),
        (PayoutStatus.PENDING, "no destination", "has not gone through yet", "has not gone through yet"),
    ],
)
def test_a_refund_is_told_as_it_really_stands(
    escrow, buyer, seller, payout_status, last_error, to_buyer, to_seller
):
    services.refund_escrow(escrow, seller, "out of stock")
    set_payout(escrow, PayoutKind.REFUND, payout_status, last_error)

    buyer_reads, seller_reads = status_text(buyer, escrow), status_text(seller, escrow)

    assert to_buyer in buyer_reads
    assert to_seller in seller_reads
    if payout_status != PayoutStatus.COMPLETED:
        assert "were refunded" not in buyer_reads  # never "refunded" before CinetPay says so
    assert "10,000" in buyer_reads  # the buyer's own money, formatted


@pytest.mark.parametrize(
    ("payout_status", "to_buyer", "to_seller"),
    [
        (PayoutStatus.SUBMITTED, "released to the seller", "are on their way to your number"),
        (PayoutStatus.COMPLETED, "The seller has been paid.", "You have been paid: 9,500"),
        (PayoutStatus.FAILED, "released to the seller", "has not gone through yet"),
    ],
)
def test_a_release_is_told_as_it_really_stands(
    escrow, buyer, seller, settings, payout_status, to_buyer, to_seller
):
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = 0
    services.confirm_receipt(escrow, buyer)
    assert escrow.status == EscrowStatus.RELEASED
    set_payout(escrow, PayoutKind.SELLER_PAYOUT, payout_status)

    assert to_buyer in status_text(buyer, escrow, "dispute")
    assert to_seller in status_text(seller, escrow, "dispute")
    if payout_status != PayoutStatus.COMPLETED:
        assert "has been paid" not in status_text(buyer, escrow)


def test_the_escrow_page_costs_the_same_whatever_the_state(escrow, buyer, seller, django_assert_num_queries):
    client = Client()
    client.force_login(buyer)
    url = reverse("cinetpay:confirm", args=[escrow.payment.transaction_id])
    client.get(url)  # warm the session
    with django_assert_num_queries(3):  # session, user, escrow with its payment (no payout while open)
        client.get(url)
    services.refund_escrow(escrow, seller, "out of stock")
    with django_assert_num_queries(4):  # … and the refund that counts
        client.get(url)
