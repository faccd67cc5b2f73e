"""The service layer: the only place where payment, escrow and payout states change.

Views, admin actions, commands and tasks call these functions; each locks the rows it changes, follows
the transition tables in :mod:`django_cinetpay.states`, writes an audit row and sends signals on commit.

**The public surface** is what this module exports (``__all__``); the submodules are internal. One
calling convention holds for every public service:

* the object acted on comes first; for an action a *person* takes, the user comes second (it is checked
  for permission and recorded in the audit trail), then what the action needs (a reason, an outcome);
* every option is keyword-only; a service CinetPay or a job triggers takes ``actor=`` (who or what caused
  the change, for the audit trail) and, where it calls CinetPay, ``client=``;
* a service that changes one row returns it freshly read, and updates the caller's instance too, so
  ``services.confirm_receipt(escrow, user)`` leaves ``escrow.status == "confirmed"``; a service that asks
  CinetPay returns a small result object (:class:`CheckOutcome`, :class:`StepResult`) holding the fresh
  row;
* bad input raises :class:`~django_cinetpay.exceptions.InvalidInputError` (a ``ValidationError``), a user
  without the right raises :class:`~django_cinetpay.exceptions.PermissionDeniedError` (Django's
  ``PermissionDenied``), a change the transition table forbids raises
  :class:`~django_cinetpay.exceptions.InvalidTransitionError`; asking again for a change already made
  changes nothing.
"""

from ..validators import validate_amount, validate_description
from .audit import Actor, history
from .escrow import (
    ReleaseReport,
    confirm_receipt,
    open_dispute,
    refund_escrow,
    release_due_escrows,
    resolve_dispute,
)
from .notifications import NotificationResult
from .payments import create_payment, start_checkout, validate_payment
from .payouts import Step, StepResult, refresh_payout, retry_payout, set_destination
from .recheck import RecheckReport, recheck_payments
from .reconcile import Discrepancy, find_discrepancies
from .sending import BatchReport, process_payout, process_payouts
from .verdicts import CheckOutcome, Outcome, refresh_payment
from .webhooks import reprocess

__all__ = [
    "Actor",
    "BatchReport",
    "CheckOutcome",
    "Discrepancy",
    "NotificationResult",
    "Outcome",
    "RecheckReport",
    "ReleaseReport",
    "Step",
    "StepResult",
    "confirm_receipt",
    "create_payment",
    "find_discrepancies",
    "history",
    "open_dispute",
    "process_payout",
    "process_payouts",
    "recheck_payments",
    "refresh_payment",
    "refresh_payout",
    "refund_escrow",
    "release_due_escrows",
    "reprocess",
    "resolve_dispute",
    "retry_payout",
    "set_destination",
    "start_checkout",
    "validate_amount",
    "validate_description",
    "validate_payment",
]
