"""The marketplace listening to django-cinetpay's signals: the integration pattern the README teaches.

django-cinetpay sends each signal once, after the database commit, so these receivers never see a
payment that could still roll back, and a failing receiver never undoes one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction as db_transaction
from django.dispatch import receiver

from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.signals import (
    escrow_disputed,
    escrow_refunded,
    escrow_released,
    payment_accepted,
    payment_duplicated,
    payout_completed,
    payout_failed,
)

from .models import Listing, Message, Purchase


def _purchase_of(payment_id: int) -> Purchase | None:
    """The purchase paid by a payment; ``None`` for payments this site did not start from a listing."""
    return Purchase.objects.select_related("listing").filter(payment_id=payment_id).first()


def _post(purchase: Purchase | None, event: str, body: str = "") -> None:
    if purchase is not None:
        Message.objects.create(purchase=purchase, event=event, body=body)


@receiver(payment_accepted, dispatch_uid="marketplace.payment_accepted")
def mark_listing_sold(sender: Any, transaction: CinetPayTransaction, **kwargs: Any) -> None:
    """Mark the listing sold and tell the seller, in the chat, to deliver.

    The listing is the payment's ``order``, so django-cinetpay sends this once per listing: a second
    payment of it (another buyer, or the same buyer paying an old checkout again) is a duplicate.
    """
    purchase = _purchase_of(transaction.pk)
    if purchase is None:
        return
    with db_transaction.atomic():
        Listing.objects.filter(pk=purchase.listing_id).update(status=Listing.Status.SOLD)
        _post(purchase, Message.Event.PAID)


@receiver(payment_duplicated, dispatch_uid="marketplace.payment_duplicated")
def explain_duplicate(
    sender: Any, transaction: CinetPayTransaction, original: CinetPayTransaction, **kwargs: Any
) -> None:
    """Tell both parties, in the duplicate's chat, why this payment is refunded and not delivered."""
    _post(_purchase_of(transaction.pk), Message.Event.DUPLICATE, original.transaction_id)


@receiver(escrow_disputed, dispatch_uid="marketplace.escrow_disputed")
def post_dispute(sender: Any, escrow: EscrowTransaction, reason: str, **kwargs: Any) -> None:
    _post(_purchase_of(escrow.payment_id), Message.Event.DISPUTED, reason)


@receiver(escrow_released, dispatch_uid="marketplace.escrow_released")
def post_release(sender: Any, escrow: EscrowTransaction, **kwargs: Any) -> None:
    _post(_purchase_of(escrow.payment_id), Message.Event.RELEASED)


@receiver(escrow_refunded, dispatch_uid="marketplace.escrow_refunded")
def post_refund(sender: Any, escrow: EscrowTransaction, **kwargs: Any) -> None:
    _post(_purchase_of(escrow.payment_id), Message.Event.REFUNDED)


@receiver(payout_completed, dispatch_uid="marketplace.payout_completed")
def post_payout_completed(sender: Any, payout: PayoutRequest, **kwargs: Any) -> None:
    _post(_purchase_of(payout.escrow.payment_id), Message.Event.PAYOUT_COMPLETED, payout.kind)


@receiver(payout_failed, dispatch_uid="marketplace.payout_failed")
def post_payout_failed(sender: Any, payout: PayoutRequest, **kwargs: Any) -> None:
    _post(_purchase_of(payout.escrow.payment_id), Message.Event.PAYOUT_FAILED, payout.kind)
