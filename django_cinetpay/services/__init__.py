"""The service layer: the only place where payment, escrow and payout states change.

Views, admin actions, commands and tasks call these functions; each locks the rows it changes, follows
the transition tables in :mod:`django_cinetpay.states`, writes an audit row and sends signals on commit.
"""

from .audit import Actor, history
from .escrow import (
    commission_rate_for,
    confirm_receipt,
    open_dispute,
    open_escrow,
    refund_escrow,
    release_due_escrows,
    resolve_dispute,
    split_amount,
)
from .notifications import (
    NotificationResult,
    process_payment_notification,
    process_transfer_notification,
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
from .payouts import (
    BatchReport,
    Step,
    StepResult,
    apply_transfer,
    process_payout,
    process_payouts,
    refresh_payout,
    retry_payout,
    set_destination,
)
from .reconcile import Discrepancy, find_discrepancies

__all__ = [
    "Actor",
    "BatchReport",
    "CheckOutcome",
    "Discrepancy",
    "NotificationResult",
    "Outcome",
    "Step",
    "StepResult",
    "apply_check_result",
    "apply_transfer",
    "commission_rate_for",
    "confirm_receipt",
    "create_payment",
    "find_discrepancies",
    "history",
    "open_dispute",
    "open_escrow",
    "process_payment_notification",
    "process_payout",
    "process_payouts",
    "process_transfer_notification",
    "record_notification",
    "refresh_payment",
    "refresh_payout",
    "refund_escrow",
    "release_due_escrows",
    "reprocess",
    "resolve_dispute",
    "retry_payout",
    "set_destination",
    "split_amount",
    "start_checkout",
    "validate_payment",
]
