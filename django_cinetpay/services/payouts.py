"""Payouts and refunds through CinetPay's Transfer API: create, send, settle, re-check, retry.

A payout is never sent twice. Its ``client_transaction_id`` is fixed at creation; the row is moved to
``sending`` (committed) *before* the HTTP call, so a crash or a timeout leaves a trace, and any payout whose
send may have reached CinetPay (``unknown``, or ``sending`` for too long) is looked up by that id before
anything else. Only when CinetPay knows no such transfer is it sent again, with the same id, which CinetPay
refuses (805) if the first send arrived after all.

HTTP calls happen outside row locks; each state change happens under ``select_for_update`` and follows
:data:`~django_cinetpay.states.PAYOUT_TRANSITIONS`. Several workers may run these functions at once: a
payout is claimed with ``skip_locked`` and a status test, so only one of them sends it.

State meanings for staff: ``pending`` (nothing sent, retried automatically; ``last_error`` says why it
waits), ``unknown`` (a send may have reached CinetPay: looked up again by every job run, never failed on
a doubt), ``failed`` (CinetPay rejected the transfer, or refused the first send with a code that proves
it created none, see :data:`REFUSED_BEFORE_ACTING`; a staff retry creates a new payout that references
it, so each escrow keeps exactly one payout that counts).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import exceptions, signals
from ..adapter import PayoutDestination, get_adapter, transfer_currency_problem
from ..client import Transfer, TransferBackend, get_transfer_client
from ..conf import duration, settings
from ..models import EscrowTransaction, PayoutRequest
from ..phones import InvalidPhoneNumber, is_normalised, parse_phone
from ..states import PAYOUT_TRANSITIONS, PayoutKind, PayoutStatus, can_transition
from ..utils import mask_phone
from .audit import Actor, record
from .transitions import move, send_on_commit

logger = logging.getLogger("django_cinetpay")

#: CinetPay's answer to a reused ``client_transaction_id``: the transfer exists, so look it up.
CLIENT_TRANSACTION_ID_EXISTS = "805"
#: Send answers that prove CinetPay refused the request *before acting on it* (CINETPAY_API.md §5): no
#: transfer was created, so on a payout's **first** send they mark it ``failed`` and a staff retry (a new
#: id) is safe. Each is a check CinetPay makes before it creates a transfer:
#:
#: * 602 INSUFFICIENT_BALANCE: the balance is checked before the transfer exists;
#: * 704 INVALID_PARAM, 716 DATA_NOT_VALID, 718 JSON_PARSE_ERROR: the request could not be read;
#: * 719 AMOUNT_TOO_SMALL, 720 AMOUNT_TOO_LARGE: the amount is refused up front;
#: * 721 OPERATOR_NOT_AVAILABLE: the operator cannot be reached, so nothing is handed to it;
#: * 724 ERROR_PHONE_NOT_MY_CONTACT: the recipient is not a contact, so there is nowhere to send;
#: * 705 EXPIRED_TOKEN, 706 INVALID_TOKEN (refused again after a fresh login), 708 NOT_ALLOWED: the
#:   request was not authorised, so it was not processed.
#:
#: Everything else means "we do not know" and makes the payout ``unknown`` (looked up by its
#: ``client_transaction_id`` before anything else): any other code, a code CinetPay has not documented,
#: any answer with an HTTP status >= 500 (a gateway or a crash after CinetPay may have acted), and *any*
#: error on a send that follows an ``unknown`` outcome, because the earlier send may have gone through
#: (a 602 then may well be that transfer using the balance). A payout is never ``failed`` on a doubt.
REFUSED_BEFORE_ACTING = frozenset(
    {"602", "704", "705", "706", "708", "716", "718", "719", "720", "721", "724"}
)
#: Send refusals that concern the whole account, not one payout: the job stops instead of failing the rest.
ACCOUNT_WIDE_CODES = frozenset({"602"})


def missing_destination_error(kind: str) -> str:
    """The text staff see on a payout of ``kind`` that has nowhere to go."""
    if kind == PayoutKind.REFUND:
        return (
            "No refund destination: the paying number (or its country prefix) is unknown. Set the "
            "destination on this payout, or override get_refund_destination in CINETPAY_ADAPTER."
        )
    return (
        "No payout destination for the seller. Implement get_payout_destination in your CINETPAY_ADAPTER "
        "(or set the destination on this payout); the payout is sent as soon as one is known."
    )


def resolve_destination(escrow: EscrowTransaction, kind: str) -> PayoutDestination | None:
    """Ask the adapter where a payout of ``kind`` for ``escrow`` goes."""
    adapter = get_adapter()
    if kind == PayoutKind.REFUND:
        return adapter.get_refund_destination(escrow)
    return adapter.get_payout_destination(escrow)


def _destination_fields(destination: PayoutDestination) -> dict[str, str]:
    """The payout columns for ``destination``, its number normalised; ``{}`` when it has no number.

    The number is parsed in the country of its prefix (or of the calling code it carries, when the
    prefix is empty), so ``"+225 07 07 07 07 07"`` or ``"2250707070707"`` become prefix ``225`` and
    phone ``0707070707``, never ``225`` + ``2250707070707``. Raises
    :class:`~django_cinetpay.phones.InvalidPhoneNumber` when it is not a valid mobile number there.
    """
    if not (destination.phone or "").strip():
        return {}
    phone = parse_phone(destination.phone, prefix=(destination.prefix or "").strip() or None)
    people = {name: (getattr(destination, name) or "").strip() for name in ("name", "surname", "email")}
    return {"prefix": phone.prefix, "phone": phone.national, **people}


def _adapter_destination(escrow: EscrowTransaction, kind: str) -> tuple[dict[str, str], str]:
    """The normalised destination the adapter gives for a payout of ``kind``, else ``{}`` and why.

    A number that does not parse is never stored: the payout waits without a destination, and the
    reason (number masked) tells staff to fix the adapter's data or set the destination by hand.
    """
    destination = resolve_destination(escrow, kind)
    if destination is None:
        return {}, missing_destination_error(kind)
    try:
        fields = _destination_fields(destination)
    except InvalidPhoneNumber as exc:
        return {}, (
            f"The destination the adapter gives, {destination.prefix} {mask_phone(destination.phone)}, "
            f"is not a valid mobile number. {exc} Nothing is sent: fix it where CINETPAY_ADAPTER reads "
            "it, or set the destination on this payout."
        )
    return fields, "" if fields else missing_destination_error(kind)


def unusable_destination_error(payout: PayoutRequest) -> str:
    """Why the payout's stored number must get no money, or ``""`` when it may.

    Rows stored before numbers were parsed may hold a number that does not parse, or one carrying its
    calling code (``225`` + ``2250707070707``), which CinetPay would pay to another number.
    """
    if not payout.has_destination or is_normalised(payout.prefix, payout.phone):
        return ""
    return (
        f"The stored destination {payout.prefix} {payout.masked_phone} is not a valid mobile number in the "
        "form CinetPay takes (calling code, then the national number): nothing is sent. Set the "
        "destination again on this payout."
    )


# --- creating ---------------------------------------------------------------------------------------


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
    destination, why_none = _adapter_destination(escrow, kind)
    payout = PayoutRequest(
        escrow=escrow, kind=kind, amount=amount, currency=escrow.currency, retry_of=retry_of, **destination
    )
    payout.last_error = why_none or transfer_currency_problem(payout.prefix, payout.currency)
    payout.save()
    record(payout, "", PayoutStatus.PENDING, actor, reason=reason)
    schedule_send(payout)
    return payout


def schedule_send(payout: PayoutRequest) -> None:
    """Enqueue the send task once the current transaction commits.

    ``robust``: a task queue that is down must not break the caller; the ``cinetpay_process_payouts``
    cron command picks up pending payouts anyway.
    """
    from .. import tasks  # tasks call services; imported here so the import graph stays one-way at load

    payout_id = payout.pk

    def enqueue_send() -> None:  # named: robust on_commit logs a failing callback by its __qualname__
        tasks.send_payout.enqueue(payout_id)

    transaction.on_commit(enqueue_send, robust=True)


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
    kind is not superseded. Retrying an already retried payout returns the retry. Needs the
    ``cinetpay.retry_payoutrequest`` permission.
    """
    if not user.has_perm("cinetpay.retry_payoutrequest"):
        raise exceptions.PermissionDeniedError(_("%(user)s may not retry payouts.") % {"user": user})
    current = PayoutRequest.objects.get(pk=payout.pk)
    existing = PayoutRequest.objects.filter(retry_of=current).first()
    if existing is not None:
        return existing
    if current.status != PayoutStatus.FAILED:
        raise exceptions.InvalidTransitionError(current, current.status, PayoutStatus.PENDING)
    _refuse_unless_never_sent(current, client or get_transfer_client(), Actor.for_admin(user))
    with transaction.atomic():
        EscrowTransaction.objects.select_for_update().get(pk=payout.escrow_id)
        locked = _lock(payout.pk)
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


def set_destination(payout: PayoutRequest, destination: PayoutDestination, user: Any) -> PayoutRequest:
    """Staff set where a payout not sent yet goes (e.g. a refund whose paying number is unknown).

    Only a ``pending`` payout can be redirected: once a send may have happened, the money's destination
    is what CinetPay has. Raises ``InvalidInputError`` for a destination without a phone, or in a
    country CinetPay pays in another currency than the payout's, and
    :class:`~django_cinetpay.phones.InvalidPhoneNumber` for a number that is not a valid mobile number
    of its country; a valid one is stored normalised (see :func:`_destination_fields`).
    """
    if not user.has_perm("cinetpay.retry_payoutrequest"):
        raise exceptions.PermissionDeniedError(
            _("%(user)s may not change payout destinations.") % {"user": user}
        )
    fields = _destination_fields(destination)
    if not fields:
        raise exceptions.InvalidInputError(_("A payout destination needs a phone number."))
    with transaction.atomic():
        locked = _lock(payout.pk)
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
    return locked


# --- moving payouts forward ----------------------------------------------------------------------------


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


def _lock(pk: int) -> PayoutRequest:
    return PayoutRequest.objects.select_for_update().get(pk=pk)


def _move(payout: PayoutRequest, target: str, actor: Actor, reason: str = "") -> None:
    move(payout, PAYOUT_TRANSITIONS, target, actor, reason)
    if target in (PayoutStatus.COMPLETED, PayoutStatus.FAILED):
        payout.finished_at = timezone.now()
        payout.last_error = ""


def _finish_signal(payout: PayoutRequest, code: str, message: str) -> None:
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
        locked = _lock(payout.pk)
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
            _move(locked, target, actor, reason=f"CinetPay {reason}".strip())
            locked.cinetpay_code = (transfer.code or transfer.treatment_status)[:16]
            locked.cinetpay_message = (transfer.comment or transfer.message)[:255]
            _finish_signal(locked, locked.cinetpay_code, locked.cinetpay_message)
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


def _note_error(payout: PayoutRequest, error: Exception | str) -> None:
    """Record why a payout is not moving, without changing its status.

    ``last_checked_at`` moves too, so the job's next batch starts with payouts it has not tried yet.
    """
    code = getattr(error, "code", "")
    message = getattr(error, "message", "") or str(error)
    now = timezone.now()
    PayoutRequest.objects.filter(pk=payout.pk).update(
        last_error=str(error),
        cinetpay_code=code[:16],
        cinetpay_message=message[:255],
        last_checked_at=now,
        updated_at=now,
    )
    payout.last_error = str(error)


def refused_before_acting(error: Exception) -> bool:
    """Whether ``error``, raised by a send, proves CinetPay created no transfer (see
    :data:`REFUSED_BEFORE_ACTING`). Only meaningful for a payout's first send."""
    return (
        isinstance(error, exceptions.CinetPayAPIError)
        and error.code in REFUSED_BEFORE_ACTING
        and (error.http_status or 0) < 500
    )


def _unknown_reason(error: Exception, *, resend: bool) -> str:
    """What staff read on a payout whose send raised and which is therefore ``unknown``."""
    if (
        resend
        and isinstance(error, exceptions.CinetPayAPIError)
        and error.code != CLIENT_TRANSACTION_ID_EXISTS
    ):
        return (
            f"CinetPay refused the new send ({error}), but an earlier send of this payout may have "
            "reached CinetPay: it stays unknown and is looked up again before anything else. It is never "
            "marked failed on a doubt; check the CinetPay back-office if it lasts."
        )
    return f"Send outcome unknown ({error}); the transfer will be looked up first."


def _conclude_send(
    payout: PayoutRequest, target: str, actor: Actor, error: Exception, *, resend: bool = False
) -> PayoutRequest:
    """After a send that raised: move the payout from ``sending`` to ``target``, unless already moved.

    ``payout`` is the row as :func:`_claim` returned it; its ``send_started_at`` identifies the attempt.
    Only that attempt is concluded: a transfer notification may have settled the payout while the send
    was in flight, or the attempt may have stalled past ``CINETPAY_PAYOUT_SEND_STALE_AFTER`` and another
    worker may have started a newer one, which this late answer says nothing about. Then the payout
    stays as it is and the answer is only logged.
    """
    with transaction.atomic():
        locked = _lock(payout.pk)
        if locked.status == PayoutStatus.SENDING and locked.send_started_at != payout.send_started_at:
            logger.warning(
                "Payout %s: ignoring the late answer of an earlier send attempt (%s); a newer one is "
                "in flight",
                locked.client_transaction_id,
                error,
            )
        elif locked.status == PayoutStatus.SENDING:
            code = getattr(error, "code", "")
            message = getattr(error, "message", "") or str(error)
            _move(locked, target, actor, reason=str(error)[:1000])
            locked.cinetpay_code, locked.cinetpay_message = code[:16], message[:255]
            locked.last_error = (
                _unknown_reason(error, resend=resend)
                if target == PayoutStatus.UNKNOWN
                else str(error)  # CinetPay's code, message and what to do about it
            )
            _finish_signal(locked, code, message)
            locked.save()
    return locked


def _concluded(payout: PayoutRequest, error: Exception) -> StepResult:
    """The step a send that raised ends with, from where :func:`_conclude_send` left the payout."""
    step = {
        PayoutStatus.FAILED: Step.FAILED,
        PayoutStatus.UNKNOWN: Step.UNKNOWN,
        PayoutStatus.SENDING: Step.WAITING,  # a newer attempt is in flight
    }.get(PayoutStatus(payout.status), Step.SETTLED)  # a notification settled it meanwhile
    return StepResult(step, payout, error)


def _notify_url() -> str:
    # payments opens escrows, which create payouts: importing payments at load would be circular.
    from .payments import absolute_url

    return absolute_url(reverse("cinetpay:transfer-notify"))


def _claim(payout: PayoutRequest, from_status: str, actor: Actor) -> PayoutRequest | None:
    """Move the payout to ``sending`` (committed) if it is still ``from_status`` and no one holds it."""
    with transaction.atomic():
        locked = (
            PayoutRequest.objects.select_for_update(skip_locked=True)
            .filter(pk=payout.pk, status=from_status)
            .first()
        )
        if locked is None:
            return None
        _move(locked, PayoutStatus.SENDING, actor)
        locked.send_started_at = timezone.now()
        locked.last_error = ""  # what kept it waiting is over
        locked.save()
        # The attempt's token, exactly as stored (whatever precision the database keeps).
        locked.refresh_from_db(fields=["send_started_at"])
    return locked


def _refresh_destination(payout: PayoutRequest) -> bool:
    """Give a pending payout without a destination a second chance: the host may know it by now."""
    if payout.has_destination:
        return True
    fields, why_none = _adapter_destination(payout.escrow, payout.kind)
    if not fields:
        _note_error(payout, why_none)
        return False
    updated = PayoutRequest.objects.filter(pk=payout.pk, status=PayoutStatus.PENDING, phone="").update(
        last_error="", updated_at=timezone.now(), **fields
    )
    for name, value in fields.items():
        setattr(payout, name, value)
    return bool(updated)


def _send(payout: PayoutRequest, client: TransferBackend, actor: Actor) -> StepResult:
    """Add the contact, claim the payout, send it once. The caller has made sure it may be sent.

    Nothing is sent to a stored number that is not a valid mobile number in the normalised form, nor to
    a country CinetPay pays in another currency than the payout's (a send carries no currency): the
    payout waits, with ``last_error`` saying why.
    """
    if payout.status == PayoutStatus.PENDING and not _refresh_destination(payout):
        return StepResult(Step.WAITING, payout)
    problem = unusable_destination_error(payout) or transfer_currency_problem(payout.prefix, payout.currency)
    if problem:
        logger.warning("Payout %s not sent: %s", payout.client_transaction_id, problem)
        _note_error(payout, problem)
        return StepResult(Step.WAITING, payout)
    notify_url = _notify_url()
    try:
        client.add_contact(payout.prefix, payout.phone, payout.name, payout.surname, payout.email)
    except exceptions.CinetPayError as exc:  # nothing was sent: the payout keeps its status
        logger.warning("Payout %s: adding the contact failed: %s", payout.client_transaction_id, exc)
        _note_error(payout, exc)
        return StepResult(Step.ERROR, payout, exc)
    resend = payout.status != PayoutStatus.PENDING  # after an unknown outcome: the id may be at CinetPay
    claimed = _claim(payout, payout.status, actor)
    if claimed is None:
        return StepResult(Step.WAITING, payout)
    try:
        transfer = client.send_money(
            claimed.prefix, claimed.phone, claimed.amount, claimed.client_transaction_id, notify_url
        )
    except Exception as exc:
        if not resend and refused_before_acting(exc):  # certainly no transfer: failed, staff may retry
            logger.warning("Payout %s refused by CinetPay: %s", claimed.client_transaction_id, exc)
            return _concluded(_conclude_send(claimed, PayoutStatus.FAILED, actor, exc), exc)
        # Timeout, 5xx, garbage, an unknown code, any error after a doubt, or a bug: CinetPay may have acted.
        logger.warning("Payout %s: send outcome unknown: %s", claimed.client_transaction_id, exc)
        unknown = _concluded(_conclude_send(claimed, PayoutStatus.UNKNOWN, actor, exc, resend=resend), exc)
        if not isinstance(exc, exceptions.CinetPayError):
            raise
        return unknown
    logger.info(
        "Payout %s sent to %s: %s",
        claimed.client_transaction_id,
        mask_phone(claimed.phone),
        transfer.treatment_status or "no status",
    )
    return StepResult(Step.SENT, apply_transfer(claimed, transfer, actor=actor))


def _look_up(payout: PayoutRequest, client: TransferBackend, actor: Actor) -> tuple[StepResult, bool]:
    """Ask CinetPay about the payout's transfer and apply the answer.

    Returns the result and whether CinetPay knows the transfer at all.
    """
    try:
        transfer = client.check_transfer(payout.client_transaction_id)
    except exceptions.CinetPayError as exc:
        _note_error(payout, exc)
        return StepResult(Step.ERROR, payout, exc), True
    if transfer is None:
        return StepResult(Step.WAITING, payout), False
    return StepResult(Step.SETTLED, apply_transfer(payout, transfer, actor=actor)), True


def _mark_stale_sending_unknown(payout: PayoutRequest, actor: Actor) -> PayoutRequest | None:
    """A payout ``sending`` for longer than ``CINETPAY_PAYOUT_SEND_STALE_AFTER`` was interrupted: unknown."""
    cutoff = timezone.now() - duration("CINETPAY_PAYOUT_SEND_STALE_AFTER")
    with transaction.atomic():
        locked = (
            PayoutRequest.objects.select_for_update(skip_locked=True)
            .filter(pk=payout.pk, status=PayoutStatus.SENDING, send_started_at__lte=cutoff)
            .first()
        )
        if locked is None:
            return None
        _move(
            locked,
            PayoutStatus.UNKNOWN,
            actor,
            reason="send interrupted (still sending after the time limit)",
        )
        locked.save()
    return locked


def process_payout(
    payout: PayoutRequest | int, *, client: TransferBackend | None = None, actor: Actor | None = None
) -> StepResult:
    """Move one payout forward as far as CinetPay allows now. Safe to call from several workers at once.

    * ``pending``: add the contact, claim, send.
    * ``unknown`` (or ``sending`` for too long): look the transfer up by ``client_transaction_id``;
      send again with the same id only if CinetPay knows no such transfer.
    * ``submitted``: check it (CinetPay may hold it for hours for manual approval).
    * ``sending`` (in flight), ``completed``, ``failed``: nothing.

    The payout is read again first, so a stale instance cannot mislead the dispatch.
    """
    pk = payout if isinstance(payout, int) else payout.pk
    fresh = PayoutRequest.objects.select_related("escrow__payment").get(pk=pk)
    return _advance(fresh, client or get_transfer_client(), actor or Actor.job("process_payout"))


def _advance(payout: PayoutRequest, client: TransferBackend, actor: Actor) -> StepResult:
    """:func:`process_payout` for a payout just read from the database."""
    if payout.status == PayoutStatus.SENDING:
        payout = _mark_stale_sending_unknown(payout, actor) or payout
    if payout.status == PayoutStatus.PENDING:
        return _send(payout, client, actor)
    if payout.status == PayoutStatus.SUBMITTED:
        return _look_up(payout, client, actor)[0]
    if payout.status == PayoutStatus.UNKNOWN:
        result, known = _look_up(payout, client, actor)
        return result if known else _send(payout, client, actor)
    return StepResult(Step.WAITING, payout)


def refresh_payout(
    payout: PayoutRequest, *, actor: Actor, client: TransferBackend | None = None
) -> StepResult:
    """Check the payout's transfer with CinetPay and apply the answer; never sends.

    Raises the client's errors unchanged (the transfer-notification view answers 503 on them).
    """
    transfer = (client or get_transfer_client()).check_transfer(payout.client_transaction_id)
    if transfer is None:
        return StepResult(Step.WAITING, payout)
    return StepResult(Step.SETTLED, apply_transfer(payout, transfer, actor=actor))


def payouts_to_process(limit: int) -> list[PayoutRequest]:
    """The payouts a job should move forward now, with what sending needs preloaded.

    Never-tried ones first, then the least recently tried, so payouts stuck on an error (no destination,
    a failing look-up) cannot keep the others out of a batch.
    """
    now = timezone.now()
    recheck_before = now - duration("CINETPAY_PAYOUT_CHECK_INTERVAL")
    stale_before = now - duration("CINETPAY_PAYOUT_SEND_STALE_AFTER")
    due = (
        Q(status__in=[PayoutStatus.PENDING, PayoutStatus.UNKNOWN])
        | Q(status=PayoutStatus.SENDING, send_started_at__lte=stale_before)
        | Q(status=PayoutStatus.SUBMITTED, last_checked_at__isnull=True)
        | Q(status=PayoutStatus.SUBMITTED, last_checked_at__lte=recheck_before)
    )
    return list(
        PayoutRequest.objects.filter(due)
        .select_related("escrow__payment")
        .order_by(F("last_checked_at").asc(nulls_first=True), "created_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class BatchReport:
    """What a job run did: one step per payout handled, and the error that stopped it early, if any."""

    steps: tuple[StepResult, ...]
    stopped_by: Exception | None = None

    def count(self, step: Step) -> int:
        return sum(1 for result in self.steps if result.step == step)


def process_payouts(
    *, client: TransferBackend | None = None, limit: int | None = None, actor: Actor | None = None
) -> BatchReport:
    """The payout job: move every due payout forward, one CinetPay client (one login) for the batch.

    Stops early when CinetPay cannot be used at all (network, credentials, balance), leaving the other
    payouts as they are for the next run.
    """
    actor = actor or Actor.job("process_payouts")
    batch = payouts_to_process(limit or settings.CINETPAY_JOB_BATCH_SIZE)
    if not batch:
        return BatchReport(())
    client = client or get_transfer_client()
    steps: list[StepResult] = []
    for payout in batch:
        result = _advance(payout, client, actor)
        steps.append(result)
        if result.stops_batch:
            logger.warning("Payout job stopped early: %s", result.error)
            return BatchReport(tuple(steps), result.error)
    return BatchReport(tuple(steps))


__all__ = [
    "BatchReport",
    "Step",
    "StepResult",
    "apply_transfer",
    "create_payout",
    "process_payout",
    "process_payouts",
    "refresh_payout",
    "retry_payout",
    "set_destination",
]
