"""States and the transition tables every state change must follow.

The tables are data, so services, the reconcile command and the tests read the same truth. A transition
not in its table raises :class:`~django_cinetpay.exceptions.InvalidTransitionError`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


#: Allowed payment moves. ``accepted`` is final: money CinetPay confirmed is never un-confirmed. Until
#: then the local status follows CinetPay's check answer: CinetPay's checkout lets the customer try again
#: with the same token, so a refused or cancelled payment may be waiting again (a new attempt), fail for
#: another reason, or be accepted. An expired checkout takes no new attempt, but a payment made before it
#: expired may still be confirmed late.
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.CREATED: frozenset(
        {
            PaymentStatus.PENDING,
            PaymentStatus.ACCEPTED,
            PaymentStatus.REFUSED,
            PaymentStatus.CANCELLED,
            PaymentStatus.EXPIRED,
        }
    ),
    PaymentStatus.PENDING: frozenset(
        {PaymentStatus.ACCEPTED, PaymentStatus.REFUSED, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED}
    ),
    PaymentStatus.REFUSED: frozenset(
        {PaymentStatus.ACCEPTED, PaymentStatus.PENDING, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED}
    ),
    PaymentStatus.CANCELLED: frozenset(
        {PaymentStatus.ACCEPTED, PaymentStatus.PENDING, PaymentStatus.REFUSED, PaymentStatus.EXPIRED}
    ),
    PaymentStatus.EXPIRED: frozenset({PaymentStatus.ACCEPTED}),
    PaymentStatus.ACCEPTED: frozenset(),
}

PAYMENT_FAILED_STATES = frozenset({PaymentStatus.REFUSED, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED})


class Backend(models.TextChoices):
    """Which of CinetPay's APIs a payment or payout goes through (``CINETPAY_BACKEND`` at its creation).

    Recorded on each row, so a site that switches APIs keeps confirming and paying out its rows in flight
    through the API that started them.
    """

    CHECKOUT_V2 = "checkout_v2", _("Checkout v2 and Transfer v1")
    API = "api", _("CinetPay API")


class ActorKind(models.TextChoices):
    """Who or what caused a state change (audit)."""

    USER = "user", _("User")
    ADMIN = "admin", _("Staff (admin)")
    NOTIFICATION = "notification", _("CinetPay notification")
    CHECK = "check", _("CinetPay check")
    JOB = "job", _("Background job")
    SYSTEM = "system", _("System")


def can_transition(table: dict[str, frozenset[str]], from_status: str, to_status: str) -> bool:
    """Whether ``table`` allows ``from_status`` → ``to_status``."""
    return to_status in table.get(from_status, frozenset())


class EscrowStatus(models.TextChoices):
    HELD = "held", _("Held")
    CONFIRMED = "confirmed", _("Receipt confirmed")
    DISPUTED = "disputed", _("Disputed")
    RELEASED = "released", _("Released to the seller")
    REFUNDED = "refunded", _("Refunded to the buyer")


#: Allowed escrow moves. ``released`` and ``refunded`` are final, so an escrow resolves at most once.
#: ``confirmed → disputed`` is further limited in time (the security period) by the service.
ESCROW_TRANSITIONS: dict[str, frozenset[str]] = {
    EscrowStatus.HELD: frozenset({EscrowStatus.CONFIRMED, EscrowStatus.DISPUTED, EscrowStatus.REFUNDED}),
    EscrowStatus.CONFIRMED: frozenset({EscrowStatus.RELEASED, EscrowStatus.DISPUTED}),
    EscrowStatus.DISPUTED: frozenset({EscrowStatus.RELEASED, EscrowStatus.REFUNDED}),
    EscrowStatus.RELEASED: frozenset(),
    EscrowStatus.REFUNDED: frozenset(),
}

ESCROW_OPEN_STATES = frozenset({EscrowStatus.HELD, EscrowStatus.CONFIRMED, EscrowStatus.DISPUTED})


class PayoutKind(models.TextChoices):
    SELLER_PAYOUT = "payout", _("Seller payout")
    REFUND = "refund", _("Buyer refund")


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SUBMITTED = "submitted", _("Submitted to CinetPay")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Outcome unknown")


#: Allowed payout moves.
#:
#: * ``pending``: nothing was sent; safe to send.
#: * ``sending``: a send is in flight (or was interrupted: a stale ``sending`` becomes ``unknown``).
#: * ``unknown``: a send may have reached CinetPay. The transfer is looked up by ``client_transaction_id``
#:   before anything else; only when CinetPay knows no such transfer is it sent again (``unknown →
#:   sending``) with the same id, which CinetPay refuses (805) if the first send did arrive after all.
#: * ``completed`` and ``failed`` are final: a staff retry of a failed payout is a new payout row.
PAYOUT_TRANSITIONS: dict[str, frozenset[str]] = {
    PayoutStatus.PENDING: frozenset({PayoutStatus.SENDING}),
    PayoutStatus.SENDING: frozenset(
        {PayoutStatus.SUBMITTED, PayoutStatus.COMPLETED, PayoutStatus.FAILED, PayoutStatus.UNKNOWN}
    ),
    PayoutStatus.UNKNOWN: frozenset(
        {PayoutStatus.SENDING, PayoutStatus.SUBMITTED, PayoutStatus.COMPLETED, PayoutStatus.FAILED}
    ),
    PayoutStatus.SUBMITTED: frozenset({PayoutStatus.COMPLETED, PayoutStatus.FAILED}),
    PayoutStatus.COMPLETED: frozenset(),
    PayoutStatus.FAILED: frozenset(),
}

#: Payouts that still carry money towards the recipient; at most one per escrow and kind (a DB constraint).
PAYOUT_ACTIVE_STATES = frozenset(set(PayoutStatus) - {PayoutStatus.FAILED})
