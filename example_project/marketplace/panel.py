"""What the transaction page shows about the money, for the buyer or the seller.

The state is read from django-cinetpay (payment, escrow, payout) at each request; the template only
chooses words and buttons for the reader's role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.reading import payout_needs_staff
from django_cinetpay.states import PAYMENT_FAILED_STATES, EscrowStatus, PaymentStatus, PayoutKind

from .models import Message, Purchase


@dataclass(frozen=True)
class Panel:
    """The money side of one purchase, seen by one participant.

    ``stage`` is ``"awaiting_payment"``, ``"payment_failed"`` or an escrow status (``"held"``,
    ``"confirmed"``, ``"disputed"``, ``"released"``, ``"refunded"``). ``payout`` is the transfer that
    follows a resolution: the seller's payout once released, the buyer's refund once refunded;
    ``payout_stuck`` when it has stopped and waits for staff. ``delivered``: the seller said so in the chat.
    """

    is_buyer: bool
    stage: str
    payment: CinetPayTransaction
    escrow: EscrowTransaction | None
    payout: PayoutRequest | None
    payout_stuck: bool
    delivered: bool
    can_confirm: bool
    can_dispute: bool
    can_mark_delivered: bool
    can_cancel: bool

    @property
    def state(self) -> str:
        """What the live page compares to know whether the panel changed."""
        payout_status = self.payout.status if self.payout else ""
        return f"{self.stage}:{payout_status}:{self.payout_stuck}:{self.delivered}:{self.can_dispute}"


def purchase_stage(purchase: Purchase) -> str:
    """Where the purchase's money is: see :class:`Panel`."""
    payment = purchase.payment
    escrow = purchase.escrow if payment.status == PaymentStatus.ACCEPTED else None
    if escrow is not None:
        return escrow.status
    if payment.status in PAYMENT_FAILED_STATES:
        return "payment_failed"
    return "awaiting_payment"


def stage_label(stage: str, *, is_buyer: bool) -> str:
    """A short label for lists, in the reader's terms (the seller must deliver; the buyer waits)."""
    labels = {
        "awaiting_payment": _("Payment not finished"),
        "payment_failed": _("Payment failed"),
        EscrowStatus.HELD: _("Paid, awaiting delivery") if is_buyer else _("Paid: deliver now"),
        EscrowStatus.CONFIRMED: _("Security period"),
        EscrowStatus.DISPUTED: _("Dispute"),
        EscrowStatus.RELEASED: _("Complete"),
        EscrowStatus.REFUNDED: _("Refunded"),
    }
    return str(labels[stage])


def purchase_panel(purchase: Purchase, user: object) -> Panel:
    payment = purchase.payment
    stage = purchase_stage(purchase)
    escrow = purchase.escrow if payment.status == PaymentStatus.ACCEPTED else None
    is_buyer = purchase.buyer_id == getattr(user, "pk", None)
    payout = None
    if stage == EscrowStatus.RELEASED:
        payout = purchase.current_payout(PayoutKind.SELLER_PAYOUT)
    elif stage == EscrowStatus.REFUNDED:
        payout = purchase.current_payout(PayoutKind.REFUND)
    held = stage == EscrowStatus.HELD
    delivered = held and purchase.messages.filter(event=Message.Event.DELIVERED).exists()
    return Panel(
        is_buyer=is_buyer,
        stage=stage,
        payment=payment,
        escrow=escrow,
        payout=payout,
        payout_stuck=payout is not None and payout_needs_staff(payout),
        delivered=delivered,
        can_confirm=is_buyer and held,
        can_dispute=is_buyer and escrow is not None and escrow.is_disputable(timezone.now()),
        can_mark_delivered=not is_buyer and held and not delivered,
        can_cancel=not is_buyer and held,
    )
