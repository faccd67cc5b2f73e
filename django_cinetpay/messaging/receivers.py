"""The package's signals turned into messages to the buyer and the seller.

Each receiver runs after the money's commit (the signals are sent on commit) and records messages
through :func:`.outbox.announce`, which never raises. The event key names the signal and the payment (or
payout) it is about, so a signal heard twice records nothing new. A duplicate payment (the buyer paid an
order twice) is the buyer's business with staff: the seller hears nothing of it, and the buyer is told
once its money is back (``buyer_duplicate_refunded``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from .. import signals
from ..models import CinetPayTransaction, EscrowTransaction, MessageKind, PayoutRequest
from ..states import EscrowStatus, PayoutKind
from .kinds import channels_for
from .outbox import announce

logger = logging.getLogger("django_cinetpay")


def _payment_of(escrow: EscrowTransaction) -> CinetPayTransaction:
    """``escrow``'s payment with its buyer and seller, the escrow attached.

    The payment already loaded with the escrow is used as it is (a release batch loads it with its
    seller, so a release costs no query here): an accepted payment's columns no longer change.
    Otherwise it is read with both people in one query.
    """
    if EscrowTransaction.payment.is_cached(escrow):
        payment = escrow.payment
    else:
        payment = CinetPayTransaction.objects.select_related("buyer", "seller").get(pk=escrow.payment_id)
    payment.escrow = escrow
    return payment


def payment_accepted(sender: Any, transaction: CinetPayTransaction, **kwargs: Any) -> None:
    payment = CinetPayTransaction.objects.select_related("buyer", "seller", "escrow").get(pk=transaction.pk)
    event = f"payment_accepted:{payment.transaction_id}"
    escrow = getattr(payment, "escrow", None)
    announce(MessageKind.BUYER_PAYMENT_ACCEPTED, event, payment, escrow=escrow)
    announce(MessageKind.SELLER_PAYMENT_RECEIVED, event, payment, escrow=escrow)


def payment_refused(sender: Any, transaction: CinetPayTransaction, status: str, **kwargs: Any) -> None:
    payment = CinetPayTransaction.objects.select_related("buyer", "seller").get(pk=transaction.pk)
    announce(
        MessageKind.BUYER_PAYMENT_REFUSED, f"payment_refused:{payment.transaction_id}", payment, status=status
    )


def escrow_confirmed(sender: Any, escrow: EscrowTransaction, automatic: bool = False, **kwargs: Any) -> None:
    payment = _payment_of(escrow)
    if not payment.is_duplicate:
        event = f"escrow_confirmed:{payment.transaction_id}"
        announce(MessageKind.SELLER_RECEIPT_CONFIRMED, event, payment, escrow=escrow, automatic=automatic)


def escrow_disputed(sender: Any, escrow: EscrowTransaction, **kwargs: Any) -> None:
    payment = _payment_of(escrow)
    if not payment.is_duplicate:
        event = f"escrow_disputed:{payment.transaction_id}"
        announce(MessageKind.BUYER_DISPUTE_OPENED, event, payment, escrow=escrow)
        announce(MessageKind.SELLER_DISPUTE_OPENED, event, payment, escrow=escrow)


def _resolved(escrow: EscrowTransaction, payout: PayoutRequest | None, signal_name: str) -> None:
    """A release or a refund: the end of a dispute (both hear how it ended), or a release as planned."""
    payment = _payment_of(escrow)
    if payment.is_duplicate:
        return
    event = f"{signal_name}:{payment.transaction_id}"
    context = {"escrow": escrow, "payout": payout, "released": escrow.status == EscrowStatus.RELEASED}
    if escrow.disputed_at is not None:
        announce(MessageKind.BUYER_DISPUTE_RESOLVED, event, payment, **context)
        announce(MessageKind.SELLER_DISPUTE_RESOLVED, event, payment, **context)
    elif escrow.status == EscrowStatus.RELEASED:
        announce(MessageKind.SELLER_FUNDS_RELEASED, event, payment, **context)


def escrow_released(
    sender: Any, escrow: EscrowTransaction, payout: PayoutRequest | None, **kwargs: Any
) -> None:
    _resolved(escrow, payout, "escrow_released")


def escrow_refunded(sender: Any, escrow: EscrowTransaction, payout: PayoutRequest, **kwargs: Any) -> None:
    _resolved(escrow, payout, "escrow_refunded")


def _payout_payment(payout: PayoutRequest) -> CinetPayTransaction:
    escrow = EscrowTransaction.objects.select_related("payment__buyer", "payment__seller").get(
        pk=payout.escrow_id
    )
    payout.escrow = escrow
    payment = escrow.payment
    payment.escrow = escrow
    return payment


def payout_completed(sender: Any, payout: PayoutRequest, **kwargs: Any) -> None:
    payment = _payout_payment(payout)
    if payout.kind == PayoutKind.SELLER_PAYOUT:
        kind = MessageKind.SELLER_PAYOUT_COMPLETED
    elif payment.is_duplicate:
        kind = MessageKind.BUYER_DUPLICATE_REFUNDED
    else:
        kind = MessageKind.BUYER_REFUND_SENT
    announce(
        kind, f"payout_completed:{payout.client_transaction_id}", payment, escrow=payout.escrow, payout=payout
    )


def payout_failed(sender: Any, payout: PayoutRequest, **kwargs: Any) -> None:
    """Only the seller hears of a failed payout: a failed refund is staff's to retry before anyone waits."""
    if payout.kind == PayoutKind.SELLER_PAYOUT:
        payment = _payout_payment(payout)
        event = f"payout_failed:{payout.client_transaction_id}"
        announce(MessageKind.SELLER_PAYOUT_FAILED, event, payment, escrow=payout.escrow, payout=payout)


#: signal → (receiver, the kinds it may record), connected by the app's ``ready()``.
RECEIVERS: dict[Signal, tuple[Callable[..., None], tuple[str, ...]]] = {
    signals.payment_accepted: (
        payment_accepted,
        (MessageKind.BUYER_PAYMENT_ACCEPTED, MessageKind.SELLER_PAYMENT_RECEIVED),
    ),
    signals.payment_refused: (payment_refused, (MessageKind.BUYER_PAYMENT_REFUSED,)),
    signals.escrow_confirmed: (escrow_confirmed, (MessageKind.SELLER_RECEIPT_CONFIRMED,)),
    signals.escrow_disputed: (
        escrow_disputed,
        (MessageKind.BUYER_DISPUTE_OPENED, MessageKind.SELLER_DISPUTE_OPENED),
    ),
    signals.escrow_released: (
        escrow_released,
        (
            MessageKind.BUYER_DISPUTE_RESOLVED,
            MessageKind.SELLER_DISPUTE_RESOLVED,
            MessageKind.SELLER_FUNDS_RELEASED,
        ),
    ),
    signals.escrow_refunded: (
        escrow_refunded,
        (MessageKind.BUYER_DISPUTE_RESOLVED, MessageKind.SELLER_DISPUTE_RESOLVED),
    ),
    signals.payout_completed: (
        payout_completed,
        (
            MessageKind.SELLER_PAYOUT_COMPLETED,
            MessageKind.BUYER_REFUND_SENT,
            MessageKind.BUYER_DUPLICATE_REFUNDED,
        ),
    ),
    signals.payout_failed: (payout_failed, (MessageKind.SELLER_PAYOUT_FAILED,)),
}


def _guarded(receiver: Callable[..., None], kinds: tuple[str, ...]) -> Callable[..., None]:
    """``receiver``, skipped without a query when none of its ``kinds`` is on, run in a savepoint with its
    errors logged: the caller's transaction (``payment_refused`` is sent under a row lock) and the other
    receivers never see them."""

    @functools.wraps(receiver)
    def run(sender: Any, **kwargs: Any) -> None:
        try:
            if not any(channels_for(kind) for kind in kinds):
                return
            with transaction.atomic():
                receiver(sender, **kwargs)
        except Exception:
            logger.exception("Messages for %s could not be recorded", receiver.__name__)

    return run


#: The settings that decide which receivers are connected (see :func:`connect`).
_DECIDING_SETTINGS = frozenset(
    {"CINETPAY_MESSAGE_CHANNELS", "CINETPAY_MESSAGES", "CINETPAY_SMS_BACKEND", "DEBUG"}
)


def connect() -> None:
    """Connect the receivers whose messages may go out under the current settings, disconnect the others.

    A signal nobody listens to costs its sender nothing: the release job then reads no payouts for
    ``escrow_released`` and queues no callback per escrow (a quarter of a 10,000-escrow release went to
    receivers that had nothing to send). Called by the app's ``ready()`` and again whenever one of the
    deciding settings changes (Django's ``setting_changed``, e.g. ``override_settings`` in tests).
    Idempotent: each receiver has its ``dispatch_uid``.
    """
    for signal, (receiver, kinds) in RECEIVERS.items():
        uid = f"django_cinetpay.messaging.{receiver.__name__}"
        if any(channels_for(kind) for kind in kinds):
            signal.connect(_guarded(receiver, kinds), weak=False, dispatch_uid=uid)
        else:
            signal.disconnect(dispatch_uid=uid)


def settings_changed(setting: str, **kwargs: Any) -> None:
    """``setting_changed`` receiver: connect again when a setting that decides it changed."""
    if setting in _DECIDING_SETTINGS:
        connect()
