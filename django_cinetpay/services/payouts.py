"""Payouts and refunds through CinetPay's Transfer API: create, retry, redirect, settle, re-check.

A payout is never sent twice. Its ``client_transaction_id`` is fixed at creation and is the idempotency
key; sending (claiming a payout, the HTTP call, concluding it, the job) lives in :mod:`.sending`. Each
state change here happens under ``select_for_update`` and follows
:data:`~django_cinetpay.states.PAYOUT_TRANSITIONS`.

State meanings for staff: ``pending`` (nothing sent, retried automatically; ``last_error`` says why it
waits), ``unknown`` (a send may have reached CinetPay: looked up again by every job run, never failed on
a doubt), ``failed`` (CinetPay rejected the transfer, or refused the first send with a code that proves
it created none, see :data:`~django_cinetpay.client.codes.REFUSED_BEFORE_ACTING`; a staff retry creates
a new payout that references it, so each escrow keeps exactly one payout that counts).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import exceptions, signals
from ..adapter import PayoutDestination
from ..client import Transfer, TransferBackend, get_transfer_client
from ..client.codes import ACCOUNT_WIDE_CODES
from ..client.vocabulary import transfer_currency_problem
from ..models import EscrowTransaction, PayoutRequest
from ..states import PAYOUT_TRANSITIONS, PayoutStatus, can_transition
from ..utils import mask_phone
from . import queue
from .audit import Actor, record
from .destinations import adapter_destination, destination_fields
from .transitions import fresh_for_caller, move, send_on_commit

logger = logging.getLogger("django_cinetpay")


def create_payout(
    escrow: EscrowTransaction,
    kind: str,
    amount: int,
    *,
    actor: Actor,
    retry_of: PayoutRequest | None = None,
    reason: str = "",
) -> PayoutRequest:
    """Create a pending payout and enqueue its sending after commit.

    Call inside the transaction that resolves ``escrow`` (or retries a failed payout), with the escrow
    row locked. A missing destination is not an error here: the payout waits, with ``last_error`` saying
    what to do, so the escrow's resolution is never lost.
    """
    destination, why_none = adapter_destination(escrow, kind)
    payout = PayoutRequest(
        escrow=escrow,
        kind=kind,
        amount=amount,
        currency=escrow.currency,
        backend=escrow.payment.backend,  # paid out or back through the API the money came in by
        retry_of=retry_of,
        **destination,
    )
    payout.last_error = why_none or transfer_currency_problem(payout.prefix, payout.currency)
    payout.save()
    record(payout, "", PayoutStatus.PENDING, actor, reason=reason)
    schedule_send(payout)
    return payout


def schedule_send(payout: PayoutRequest) -> None:
    """Send ``payout`` in the background once the current transaction commits (the ``send_payout`` task).

    A task queue that is down does not break the caller: the ``cinetpay_process_payouts`` cron command
    picks up pending payouts anyway.
    """
    queue.enqueue_on_commit("send_payout", payout.pk)


def retry_payout(
    payout: PayoutRequest, user: Any, *, reason: str = "", client: TransferBackend | None = None
) -> PayoutRequest:
    """Staff retry of a failed payout: a new pending payout of the same amount that references it.

    CinetPay is asked first about the failed payout's transfer, by its ``client_transaction_id``: the
    retry (a new id, which 805 cannot catch) is only created when CinetPay knows no such transfer or
    rejected it (``REJ``). A transfer in progress or done flags the payout ``needs_review``; that, a
    flagged payout, or CinetPay not answering raises
    :class:`~django_cinetpay.exceptions.PayoutRetryRefusedError` and creates nothing.

    The failed row stays as it was, so the money stays accounted for: exactly one payout per escrow and
    kind is not superseded. Retrying an already retried payout returns the retry. Returns the new
    payout.

    Raises ``PermissionDeniedError`` without ``cinetpay.retry_payoutrequest``, ``InvalidTransitionError``
    for a payout that is not failed, ``PayoutRetryRefusedError`` as above.
    """
    if not user.has_perm("cinetpay.retry_payoutrequest"):
        raise exceptions.PermissionDeniedError(_("%(user)s may not retry payouts.") % {"user": user})
    current = PayoutRequest.objects.get(pk=payout.pk)
    existing = PayoutRequest.objects.filter(retry_of=current).first()
    if existing is not None:
        return existing
    if current.status != PayoutStatus.FAILED:
        raise exceptions.InvalidTransitionError(current, current.status, PayoutStatus.PENDING)
    _refuse_unless_never_sent(current, client or get_transfer_client(current.backend), Actor.for_admin(user))
    with transaction.atomic():
        EscrowTransaction.objects.select_for_update().get(pk=payout.escrow_id)
        locked = locked_payout(payout.pk)
        existing = PayoutRequest.objects.filter(retry_of=locked).first()
        if existing is not None:
            return existing
        if locked.status != PayoutStatus.FAILED:
            raise exceptions.InvalidTransitionError(locked, locked.status, PayoutStatus.PENDING)
        if locked.needs_review:  # flagged by a notification since the look-up
            raise exceptions.PayoutRetryRefusedError(f"Payout {locked} not retried. {locked.last_error}")
        note = f"retry of {locked.client_transaction_id}" + (f": {reason}" if reason else "")
        retry = create_payout(
            locked.escrow,
            locked.kind,
            locked.amount,
            actor=Actor.for_admin(user),
            retry_of=locked,
            reason=note,
        )
    return retry


def _refuse_unless_never_sent(payout: PayoutRequest, client: TransferBackend, actor: Actor) -> None:
    """Raise ``PayoutRetryRefusedError`` unless CinetPay has no live transfer for ``payout``.

    HTTP happens here, outside any row lock; what CinetPay answers is applied (and a live transfer
    flags the payout) before the refusal.
    """
    cti = payout.client_transaction_id
    try:
        transfer = client.check_transfer(cti)
    except exceptions.CinetPayError as exc:
        raise exceptions.PayoutRetryRefusedError(
            f"Payout {cti} not retried: CinetPay could not be asked whether its transfer exists ({exc}). "
            "Nothing was changed; try again later."
        ) from exc
    if transfer is None:
        if payout.needs_review:
            raise exceptions.PayoutRetryRefusedError(f"Payout {cti} not retried. {payout.last_error}")
        return
    checked = apply_transfer(payout, transfer, actor=actor)
    if not transfer.is_rejected:
        raise exceptions.PayoutRetryRefusedError(f"Payout {cti} not retried. {checked.last_error}")


def set_destination(payout: PayoutRequest, user: Any, destination: PayoutDestination) -> PayoutRequest:
    """Staff set where a payout not sent yet goes (e.g. a refund whose paying number is unknown).

    Only a ``pending`` payout can be redirected: once a send may have happened, the money's destination
    is what CinetPay has. A valid number is stored normalised (see
    :func:`~django_cinetpay.services.destinations.destination_fields`), the change is audited and the
    send is scheduled. Returns the payout, fresh.

    Raises ``PermissionDeniedError`` without ``cinetpay.retry_payoutrequest``; ``InvalidInputError`` for
    a destination without a phone, or in a country CinetPay pays in another currency than the payout's;
    :class:`~django_cinetpay.exceptions.InvalidPhoneNumber` (an ``InvalidInputError``) for a number that
    is not a valid mobile number of its country; ``InvalidTransitionError`` once a send started.
    """
    if not user.has_perm("cinetpay.retry_payoutrequest"):
        raise exceptions.PermissionDeniedError(
            _("%(user)s may not change payout destinations.") % {"user": user}
        )
    fields = destination_fields(destination)
    if not fields:
        raise exceptions.InvalidInputError(_("A payout destination needs a phone number."))
    with transaction.atomic():
        locked = locked_payout(payout.pk)
        if locked.status != PayoutStatus.PENDING:
            raise exceptions.InvalidTransitionError(locked, locked.status, PayoutStatus.PENDING)
        problem = transfer_currency_problem(fields["prefix"], locked.currency)
        if problem:
            raise exceptions.InvalidInputError(problem)
        old = f"{locked.prefix} {mask_phone(locked.phone)}".strip() or "none"
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.last_error = ""
        locked.save()
        record(
            locked,
            locked.status,
            locked.status,
            Actor.for_admin(user),
            reason=f"destination set to {locked.prefix} {locked.masked_phone} (was {old})",
        )
        schedule_send(locked)
    return fresh_for_caller(payout, locked)


# --- settling ------------------------------------------------------------------------------------------


class Step(str, enum.Enum):
    """What :func:`process_payout` did."""

    SENT = "sent"  # CinetPay took the transfer (submitted or already completed/failed)
    SETTLED = "settled"  # an answer about an existing transfer was applied
    WAITING = "waiting"  # nothing to do now (in progress elsewhere, no destination, still NEW …)
    UNKNOWN = "unknown"  # the send's outcome is unknown; it will be looked up
    FAILED = "failed"  # CinetPay refused the send
    ERROR = "error"  # CinetPay could not be asked (network, credentials): nothing changed


@dataclass(frozen=True)
class StepResult:
    step: Step
    payout: PayoutRequest
    error: Exception | None = None

    @property
    def stops_batch(self) -> bool:
        """Whether the error concerns every payout (network, credentials, balance), so a job should stop."""
        error = self.error
        if isinstance(
            error,
            (
                exceptions.CinetPayNetworkError,
                exceptions.CinetPayAuthError,
                exceptions.CinetPayTokenExpiredError,
            ),
        ):
            return True
        return isinstance(error, exceptions.CinetPayAPIError) and (
            error.code in ACCOUNT_WIDE_CODES or (error.http_status or 0) >= 500
        )


def locked_payout(pk: int) -> PayoutRequest:
    return PayoutRequest.objects.select_for_update().get(pk=pk)


def move_payout(payout: PayoutRequest, target: str, actor: Actor, reason: str = "") -> None:
    move(payout, PAYOUT_TRANSITIONS, target, actor, reason)
    if target in (PayoutStatus.COMPLETED, PayoutStatus.FAILED):
        payout.finished_at = timezone.now()
        payout.last_error = ""


def announce_finish(payout: PayoutRequest, code: str, message: str) -> None:
    if payout.status == PayoutStatus.COMPLETED:
        send_on_commit(signals.payout_completed, PayoutRequest, payout=payout)
    elif payout.status == PayoutStatus.FAILED:
        send_on_commit(signals.payout_failed, PayoutRequest, payout=payout, code=code, message=message)


def _target(transfer: Transfer) -> str:
    if transfer.is_completed:
        return PayoutStatus.COMPLETED
    if transfer.is_rejected:
        return PayoutStatus.FAILED
    return PayoutStatus.SUBMITTED


def apply_transfer(payout: PayoutRequest, transfer: Transfer, *, actor: Actor) -> PayoutRequest:
    """Apply what CinetPay says about the payout's transfer, under a row lock. Idempotent.

    ``VAL`` → completed, ``REJ`` → failed, anything else → submitted (still in progress). An answer the
    transition table refuses (e.g. a late ``NEW`` after ``completed``) is ignored, and an answer whose
    amount differs from the payout is not applied but shown to staff. A transfer in progress or done for
    a ``failed`` payout (``failed`` is final) flags it ``needs_review``: see :func:`_review_failed`.
    """
    with transaction.atomic():
        locked = locked_payout(payout.pk)
        locked.last_checked_at = timezone.now()
        locked.transaction_id = transfer.transaction_id[:64] or locked.transaction_id
        locked.lot = transfer.lot[:64] or locked.lot
        locked.treatment_status = transfer.treatment_status[:16]
        locked.sending_status = transfer.sending_status[:32]
        locked.operator_transaction_id = (
            transfer.operator_transaction_id[:100] or locked.operator_transaction_id
        )
        target = _target(transfer)
        if locked.status == PayoutStatus.FAILED:
            _review_failed(locked, transfer, actor)
        elif transfer.amount is not None and transfer.amount != locked.amount:
            locked.last_error = (
                f"CinetPay reports {transfer.amount} {locked.currency} for this transfer, not "
                f"{locked.amount}: check the CinetPay back-office."
            )
            logger.error(
                "Payout %s: CinetPay amount %s differs", locked.client_transaction_id, transfer.amount
            )
        elif target != locked.status and can_transition(PAYOUT_TRANSITIONS, locked.status, target):
            reason = " ".join(
                filter(None, [transfer.treatment_status, transfer.sending_status, transfer.comment])
            )
            move_payout(locked, target, actor, reason=f"CinetPay {reason}".strip())
            locked.cinetpay_code = (transfer.code or transfer.treatment_status)[:16]
            locked.cinetpay_message = (transfer.comment or transfer.message)[:255]
            announce_finish(locked, locked.cinetpay_code, locked.cinetpay_message)
        elif target != locked.status:
            logger.warning(
                "Payout %s is %s; ignoring a late CinetPay %s",
                locked.client_transaction_id,
                locked.status,
                transfer.treatment_status,
            )
        locked.save()
    return locked


def _review_failed(payout: PayoutRequest, transfer: Transfer, actor: Actor) -> None:
    """CinetPay reports a transfer for a payout the books hold as ``failed``: flag it, or clear the flag.

    ``failed`` is final in :data:`~django_cinetpay.states.PAYOUT_TRANSITIONS`, so the payout keeps its
    status; a transfer in progress or done (anything but ``REJ``) sets ``needs_review`` and says so in
    ``last_error`` and the audit trail. A flagged payout cannot be retried (the money may have left) and
    reconcile lists it as a discrepancy until CinetPay rejects the transfer (which clears the flag).
    """
    treatment = transfer.treatment_status or "without a status"
    if transfer.is_rejected:
        if payout.needs_review:
            payout.needs_review = False
            payout.last_error = ""
            record(
                payout, payout.status, payout.status, actor, reason="CinetPay now reports the transfer REJ"
            )
        return
    payout.last_error = (
        f"This payout is marked failed, but CinetPay reports its transfer as {treatment}: the money may "
        "have left. It cannot be retried unless CinetPay rejects that transfer; check the CinetPay "
        "back-office."
    )
    if not payout.needs_review:
        payout.needs_review = True
        record(
            payout,
            payout.status,
            payout.status,
            actor,
            reason=f"CinetPay reports the transfer {treatment} although the payout failed: needs review",
        )
        logger.error(
            "Payout %s is failed but CinetPay reports its transfer %s: flagged for review",
            payout.client_transaction_id,
            treatment,
        )


def refresh_payout(
    payout: PayoutRequest, *, actor: Actor | None = None, client: TransferBackend | None = None
) -> StepResult:
    """Check the payout's transfer with CinetPay and apply the answer; never sends.

    Raises the client's errors unchanged (``CinetPayAPIError``, ``CinetPayNetworkError``): the
    transfer-notification view answers 503 on them.
    """
    transfer = (client or get_transfer_client(payout.backend)).check_transfer(payout.client_transaction_id)
    if transfer is None:
        return StepResult(Step.WAITING, payout)
    fresh = apply_transfer(payout, transfer, actor=actor or Actor.check("refresh_payout"))
    return StepResult(Step.SETTLED, fresh_for_caller(payout, fresh))
