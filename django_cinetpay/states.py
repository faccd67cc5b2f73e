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


#: Allowed payment moves. Status only moves forward; ``accepted`` is final. A failed payment may still
#: become accepted because CinetPay's checkout lets the customer try again with the same token, and money
#: CinetPay confirms must never be ignored.
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
    PaymentStatus.REFUSED: frozenset({PaymentStatus.ACCEPTED}),
    PaymentStatus.CANCELLED: frozenset({PaymentStatus.ACCEPTED}),
    PaymentStatus.EXPIRED: frozenset({PaymentStatus.ACCEPTED}),
    PaymentStatus.ACCEPTED: frozenset(),
}

PAYMENT_FAILED_STATES = frozenset({PaymentStatus.REFUSED, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED})


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
