"""CinetPay's verdict on a payment: ask the check endpoint, apply its answer under a row lock.

The check endpoint is the only source of truth: a notification, a return visit or a status poll only
*triggers* a check. The answer is applied under ``select_for_update`` (with every payment of the same
order, see :mod:`.orders`) and follows :data:`~django_cinetpay.states.PAYMENT_TRANSITIONS`; an acceptance
opens the escrow in the same transaction, and signals go out after commit.

Accepted is final, and so is a failure once ``CINETPAY_PAYMENT_RECHECK_WINDOW`` is over
(:func:`may_still_change`): asking CinetPay about such a payment again can change nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .. import signals
from ..client import CheckoutBackend, CheckResult, get_checkout_client
from ..conf import duration
from ..models import CinetPayTransaction
from ..phones import InvalidPhoneNumber, parse_phone
from ..states import PAYMENT_FAILED_STATES, PAYMENT_TRANSITIONS, PaymentStatus, can_transition
from ..utils import mask_phone
from .audit import Actor, history, record, written_together
from .escrow import open_escrow, settle_duplicate
from .orders import lock_with_order, paid_by
from .transitions import fresh_for_caller, move, send_on_commit

logger = logging.getLogger("django_cinetpay")


class Outcome(str, enum.Enum):
    """What applying a check result did."""

    APPLIED = "applied"  # the status changed
    UNCHANGED = "unchanged"  # already in that state (duplicate) or still waiting
    IGNORED = "ignored"  # a late or backward answer the transition table refuses (e.g. accepted → refused)
    MISMATCH = "mismatch"  # CinetPay says paid, but not the amount or currency we asked: flagged for staff
    UNKNOWN = "unknown"  # the answer carries no status we can act on
    NOT_STARTED = "not started"  # not asked: the checkout never started, so CinetPay does not know it


#: The columns :func:`apply_check_result` may change, the only ones it saves (the payment locked): a
#: column it comes to set must be listed here.
_VERDICT_FIELDS = (
    "status",
    "last_checked_at",
    "needs_review",
    "review_reason",
    "cinetpay_code",
    "cinetpay_message",
    "payment_method",
    "operator_id",
    "payer_phone",
    "payer_phone_prefix",
    "paid_at",
    "duplicate_of",
    "updated_at",
)


def recheck_window() -> dt.timedelta:
    """How long after its checkout started a failed payment may still be paid at CinetPay."""
    return duration("CINETPAY_PAYMENT_RECHECK_WINDOW")


def may_still_change(tx: CinetPayTransaction, now: dt.datetime | None = None) -> bool:
    """Whether CinetPay may still change the outcome of ``tx`` (so asking again can tell us something)."""
    if tx.status == PaymentStatus.ACCEPTED:
        return False
    if tx.status not in PAYMENT_FAILED_STATES:
        return True
    started = tx.checkout_started_at
    return started is not None and (now or timezone.now()) < started + recheck_window()


@dataclass(frozen=True)
class CheckOutcome:
    outcome: Outcome
    transaction: CinetPayTransaction
    result: CheckResult | None = None


def _target_status(result: CheckResult) -> str | None:
    if result.is_accepted:
        return PaymentStatus.ACCEPTED
    if result.is_refused:
        # 627/625: Checkout v2's cancelled/expired; 2003: the CinetPay API's expired
        return {
            "627": PaymentStatus.CANCELLED,
            "625": PaymentStatus.EXPIRED,
            "2003": PaymentStatus.EXPIRED,
        }.get(result.code, PaymentStatus.REFUSED)
    if result.code == "625":
        return PaymentStatus.EXPIRED
    if result.is_waiting:
        return PaymentStatus.PENDING
    return None


def apply_check_result(
    tx: CinetPayTransaction,
    result: CheckResult,
    *,
    actor: Actor,
    payer_phone: str = "",
    payer_phone_prefix: str = "",
    checked_id: str = "",
) -> CheckOutcome:
    """Apply a check answer to ``tx`` under a row lock. Idempotent: a repeat changes nothing.

    ``payer_phone``: the paying number from a *verified* notification (the check answer has none in v2);
    refunds are sent to it. ``checked_id``: the transaction id the answer is about; an answer about an
    id the payment no longer has (a restarted checkout) is ignored.

    An acceptance for an order another payment has already paid makes this payment a duplicate:
    accepted, ``duplicate_of`` set, its escrow refunded (or held for staff) and ``payment_duplicated``
    sent instead of ``payment_accepted``.
    """
    with transaction.atomic(), written_together():  # the audit rows of payment, escrow, refund: one INSERT
        locked, same_order = lock_with_order(tx)
        if checked_id and checked_id != locked.transaction_id:
            return CheckOutcome(Outcome.IGNORED, locked, result)
        locked.last_checked_at = timezone.now()
        target = _target_status(result)
        phone, prefix = _payer_number(result, payer_phone, payer_phone_prefix)
        if result.is_accepted and not result.matches(locked.amount, locked.currency):
            outcome = Outcome.MISMATCH
            if not locked.needs_review:
                locked.needs_review = True
                locked.review_reason = (
                    f"CinetPay reports ACCEPTED for {result.amount} {result.currency}, but this payment is "
                    f"{locked.amount} {locked.currency}. Not marked paid; check the CinetPay back-office."
                )
                record(locked, locked.status, locked.status, actor, reason=locked.review_reason)
                logger.error("CinetPay amount/currency mismatch on %s", locked.transaction_id)
        elif target is None:
            outcome = Outcome.UNKNOWN
        elif target == locked.status:
            outcome = Outcome.UNCHANGED
            if target == PaymentStatus.ACCEPTED and phone and not locked.payer_phone:
                # Accepted first by a return visit or a poll (no phone in v2 checks): the verified
                # notification that follows still says which number paid, where refunds go.
                locked.payer_phone, locked.payer_phone_prefix = phone, prefix
        elif not can_transition(PAYMENT_TRANSITIONS, locked.status, target):
            outcome = Outcome.IGNORED
        else:
            outcome = Outcome.APPLIED
            first_failure = target in PAYMENT_FAILED_STATES and not _failed_before(locked)
            move(
                locked,
                PAYMENT_TRANSITIONS,
                target,
                actor,
                reason=f"CinetPay {result.code} {result.message}".strip(),
            )
            locked.cinetpay_code, locked.cinetpay_message = result.code[:16], result.message[:255]
            locked.payment_method = result.payment_method[:32] or locked.payment_method
            locked.operator_id = result.operator_id[:100] or locked.operator_id
            if phone or target == PaymentStatus.ACCEPTED:
                # On acceptance, a number kept from a failed attempt is not the one that paid: forget it.
                locked.payer_phone, locked.payer_phone_prefix = phone, prefix
            if target == PaymentStatus.ACCEPTED:
                locked.paid_at = _from_cinetpay_clock(result.payment_date) or timezone.now()
                _accept(locked, paid_by(same_order), actor)
            elif first_failure:
                _send_refused_on_commit(locked.pk, result.code)
        locked.save(update_fields=_VERDICT_FIELDS)
    return CheckOutcome(outcome, locked, result)


def keep_payer_number(tx: CinetPayTransaction, phone: str, prefix: str) -> bool:
    """Give ``tx``, if accepted and still without a payer number, the number a verified notification proved.

    No check call is needed for it: accepted is final, and a v2 check answer carries no number, so the
    notification is the only source of it either way (its rules are those of
    :func:`~django_cinetpay.services.notifications.process_payment_notification`). A number already
    there is never replaced: refunds go where the money came from. One conditional ``UPDATE``, so two
    notifications racing cannot both write; none when ``tx`` as read already tells it cannot take one.
    Returns whether the number was taken; ``tx`` is updated too.
    """
    if tx.status != PaymentStatus.ACCEPTED or tx.payer_phone:
        return False
    taken = CinetPayTransaction.objects.filter(
        pk=tx.pk, status=PaymentStatus.ACCEPTED, payer_phone=""
    ).update(payer_phone=phone, payer_phone_prefix=prefix, updated_at=timezone.now())
    if taken:
        tx.payer_phone, tx.payer_phone_prefix = phone, prefix
    return bool(taken)


def _payer_number(result: CheckResult, notified_phone: str, notified_prefix: str) -> tuple[str, str]:
    """Where refunds go: the check answer's number when it has one (older answers do), parsed; else the
    one a verified notification proved (parsed by the notification's processing). A check number that
    does not parse gives none: staff set the refund's destination."""
    if not result.phone_number:
        return notified_phone, notified_prefix
    try:
        phone = parse_phone(result.phone_number, prefix=result.phone_prefix or None)
    except InvalidPhoneNumber:
        return "", ""
    return phone.national, phone.prefix


def _failed_before(tx: CinetPayTransaction) -> bool:
    """Whether ``tx`` is or ever was refused, cancelled or expired (``payment_refused`` is sent once)."""
    if tx.status in PAYMENT_FAILED_STATES:
        return True
    return history(tx).filter(to_status__in=PAYMENT_FAILED_STATES).exists()


def _send_refused_on_commit(pk: int, code: str) -> None:
    """Send ``payment_refused`` after commit, with the row locked and only if the payment is still failed.

    CinetPay lets a customer pay after a refusal, so an acceptance may commit right after the refusal.
    Sending under the row lock, and only while the payment is still failed, means a receiver never
    hears ``payment_refused`` after ``payment_accepted`` for the same payment: an acceptance that wins
    the race makes the refusal silent, and one that comes later waits for the refusal to be heard.
    """

    def send_refused() -> None:  # named: robust on_commit logs a failing callback by its __qualname__
        with transaction.atomic():
            fresh = CinetPayTransaction.objects.select_for_update().get(pk=pk)
            if fresh.status in PAYMENT_FAILED_STATES:
                signals.payment_refused.send_robust(
                    sender=CinetPayTransaction, transaction=fresh, status=fresh.status, code=code
                )

    transaction.on_commit(send_refused, robust=True)


def _accept(locked: CinetPayTransaction, original: CinetPayTransaction | None, actor: Actor) -> None:
    """Hold the money of a payment just accepted; a duplicate's goes back to its payer instead."""
    if original is not None:
        locked.duplicate_of = original
        record(
            locked,
            locked.status,
            locked.status,
            actor,
            reason=f"duplicate: order already paid by {original.transaction_id}",
        )
    escrow = open_escrow(locked, actor=actor)
    if original is None:
        send_on_commit(signals.payment_accepted, CinetPayTransaction, transaction=locked)
    else:  # the host hears of the duplicate first, then of its refund
        send_on_commit(signals.payment_duplicated, CinetPayTransaction, transaction=locked, original=original)
        settle_duplicate(escrow, original, actor=actor)
    logger.info(
        "Payment %s accepted%s (%s, payer %s)",
        locked.transaction_id,
        f" as a duplicate of {original.transaction_id}" if original else "",
        locked.payment_method,
        mask_phone(locked.payer_phone),
    )


def _from_cinetpay_clock(value: dt.datetime | None) -> dt.datetime | None:
    """CinetPay writes dates without a zone, in Abidjan time (UTC), whatever the site's ``TIME_ZONE``."""
    if value is None or timezone.is_aware(value):
        return value
    return value.replace(tzinfo=dt.timezone.utc)


def refresh_payment(
    tx: CinetPayTransaction,
    *,
    actor: Actor | None = None,
    client: CheckoutBackend | None = None,
    payer_phone: str = "",
    payer_phone_prefix: str = "",
    known_to_cinetpay: bool = False,
) -> CheckOutcome:
    """Ask CinetPay about ``tx`` and apply the answer; ``tx`` is updated too.

    Raises CinetPay's errors unchanged (``CinetPayAPIError``, ``CinetPayNetworkError``): nothing changes.

    A payment whose checkout never started is not checked (CinetPay does not know it), unless
    ``known_to_cinetpay``: a verified notification proves CinetPay knows it even when the start is not
    visible yet (the host started the checkout inside a transaction that has not committed).
    """
    if tx.checkout_started_at is None and not known_to_cinetpay:
        return CheckOutcome(Outcome.NOT_STARTED, tx)
    checked_id = tx.transaction_id
    result = (client or get_checkout_client(tx.backend)).check_payment(checked_id)
    outcome = apply_check_result(
        tx,
        result,
        actor=actor or Actor.check("refresh_payment"),
        payer_phone=payer_phone,
        payer_phone_prefix=payer_phone_prefix,
        checked_id=checked_id,
    )
    fresh_for_caller(tx, outcome.transaction)
    return outcome
