"""The service layer: the only place where payment, escrow and payout states change.

Views, admin actions, commands and tasks call these functions; each locks the rows it changes, follows
the transition tables in :mod:`django_cinetpay.states`, writes an audit row and sends signals on commit.
"""

from .audit import Actor, history
from .notifications import (
    NotificationResult,
    process_payment_notification,
    record_notification,
    reprocess,
)
from .payments import (
    CheckOutcome,
    Outcome,
    apply_check_result,
    create_payment,
    refresh_payment,
    start_checkout,
    validate_payment,
)

__all__ = [
    "Actor",
    "CheckOutcome",
    "NotificationResult",
    "Outcome",
    "apply_check_result",
    "create_payment",
    "history",
    "process_payment_notification",
    "record_notification",
    "refresh_payment",
    "reprocess",
    "start_checkout",
    "validate_payment",
]
