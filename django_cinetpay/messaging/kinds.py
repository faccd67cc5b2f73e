"""Every kind of message: who gets it, and the channels it goes out on unless settings say otherwise."""

from __future__ import annotations

from ..adapter import BUYER, SELLER
from ..conf import settings
from ..models import MessageChannel, MessageKind

EMAIL = MessageChannel.EMAIL
SMS = MessageChannel.SMS

#: kind → (the role it goes to, the channels it goes out on by default). SMS cost money and interrupt,
#: so they go where the person must act or money moved; e-mail covers everything.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    MessageKind.BUYER_PAYMENT_ACCEPTED: (BUYER, (EMAIL, SMS)),
    MessageKind.BUYER_PAYMENT_REFUSED: (BUYER, (EMAIL,)),
    MessageKind.BUYER_DISPUTE_OPENED: (BUYER, (EMAIL,)),
    MessageKind.BUYER_DISPUTE_RESOLVED: (BUYER, (EMAIL, SMS)),
    MessageKind.BUYER_REFUND_SENT: (BUYER, (EMAIL, SMS)),
    MessageKind.BUYER_DUPLICATE_REFUNDED: (BUYER, (EMAIL, SMS)),
    MessageKind.BUYER_CONFIRM_REMINDER: (BUYER, (EMAIL, SMS)),
    MessageKind.SELLER_PAYMENT_RECEIVED: (SELLER, (EMAIL, SMS)),
    MessageKind.SELLER_RECEIPT_CONFIRMED: (SELLER, (EMAIL,)),
    MessageKind.SELLER_FUNDS_RELEASED: (SELLER, (EMAIL,)),
    MessageKind.SELLER_PAYOUT_COMPLETED: (SELLER, (EMAIL, SMS)),
    MessageKind.SELLER_PAYOUT_FAILED: (SELLER, (EMAIL, SMS)),
    MessageKind.SELLER_DISPUTE_OPENED: (SELLER, (EMAIL, SMS)),
    MessageKind.SELLER_DISPUTE_RESOLVED: (SELLER, (EMAIL,)),
}


def role_of(kind: str) -> str:
    return KINDS[kind][0]


def channels_for(kind: str) -> tuple[str, ...]:
    """The channels ``kind`` goes out on now: ``CINETPAY_MESSAGES`` (else the default) within
    ``CINETPAY_MESSAGE_CHANNELS``; SMS only when there is an SMS backend."""
    from ..sms import backend_path

    chosen = settings.CINETPAY_MESSAGES.get(kind, KINDS[kind][1])
    allowed = set(settings.CINETPAY_MESSAGE_CHANNELS)
    if backend_path() is None:
        allowed.discard(SMS)
    return tuple(channel for channel in chosen if channel in allowed)
