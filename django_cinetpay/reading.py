"""What the pages a buyer or a seller reads say about their money: told to the person reading, and only
what is true (a refund is "on its way" until CinetPay says it arrived; a failed payment was not "paid").

Kept apart from the views so a host's own pages (the example marketplace's transaction page) say the same.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from .states import EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus

__all__ = ["failure_reason", "payout_needs_staff", "resolution_payout"]

#: Why a payment failed, told to the buyer, by CinetPay's code where it says more than the status.
_BUYER_REASONS_BY_CODE = {
    "602": gettext_lazy("Your balance was too low for this payment."),
    "604": gettext_lazy("The confirmation code (OTP) entered was wrong."),
}
_BUYER_REASONS_BY_STATUS = {
    PaymentStatus.CANCELLED: gettext_lazy("You cancelled the payment."),
    PaymentStatus.EXPIRED: gettext_lazy("The time allowed to pay ran out before the payment was made."),
    PaymentStatus.REFUSED: gettext_lazy("Your operator or your bank refused the payment."),
}


def failure_reason(tx: CinetPayTransaction, *, is_buyer: bool) -> str:
    """Why ``tx`` failed, in the reader's terms: to the buyer what happened to their payment and their
    money; to the seller only that the buyer's payment did not go through (the rest is the buyer's)."""
    if not is_buyer:
        return _("The buyer's payment did not go through: nothing was paid for this sale.")
    reason = _BUYER_REASONS_BY_CODE.get(tx.cinetpay_code) if tx.status == PaymentStatus.REFUSED else None
    return str(reason or _BUYER_REASONS_BY_STATUS[PaymentStatus(tx.status)])


def resolution_payout(escrow: EscrowTransaction) -> PayoutRequest | None:
    """The transfer that follows a resolution and counts (the latest, after any staff retry): the
    seller's payout once released, the buyer's refund once refunded; ``None`` while the escrow is open."""
    kinds: dict[str, str] = {
        EscrowStatus.RELEASED: PayoutKind.SELLER_PAYOUT,
        EscrowStatus.REFUNDED: PayoutKind.REFUND,
    }
    kind = kinds.get(escrow.status)
    if kind is None:
        return None
    return escrow.payouts.current().filter(kind=kind).order_by("-created_at").first()


def payout_needs_staff(payout: PayoutRequest) -> bool:
    """Whether the money has stopped on its way and waits for staff: failed, outcome unknown, or not
    sent because of an error (no destination, a currency CinetPay cannot pay)."""
    return payout.status in {PayoutStatus.FAILED, PayoutStatus.UNKNOWN} or (
        payout.status == PayoutStatus.PENDING and bool(payout.last_error)
    )
