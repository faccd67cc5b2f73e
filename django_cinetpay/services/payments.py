"""Payment state changes: create, start the checkout, and apply what CinetPay's check endpoint says.

The check endpoint is the only source of truth: a notification, a return visit or a status poll only
*triggers* a check. HTTP calls happen outside row locks; the state change happens under
``select_for_update`` and follows :data:`~django_cinetpay.states.PAYMENT_TRANSITIONS`.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import exceptions, signals
from ..adapter import get_adapter
from ..client import CheckoutBackend, CheckResult, PaymentRequest, checkout, get_checkout_client
from ..conf import CURRENCY_LIMITS, KNOWN_CHANNELS, settings
from ..models import CinetPayTransaction, generate_transaction_id
from ..phones import InvalidPhoneNumber, parse_phone
from ..states import PAYMENT_FAILED_STATES, PAYMENT_TRANSITIONS, PaymentStatus, can_transition
from ..utils import mask_phone
from .audit import Actor, history, record
from .escrow import open_escrow, settle_duplicate
from .orders import lock_with_order, order_fields, paid_by, refuse_if_paid
from .transitions import move, send_on_commit

logger = logging.getLogger("django_cinetpay")

#: The customer fields a payment stores (CinetPay's ``customer_id`` is the host's business, not ours).
CUSTOMER_FIELDS = tuple(name for name in checkout.CUSTOMER_FIELDS if name != "customer_id")


class Outcome(str, enum.Enum):
    """What applying a check result did."""

    APPLIED = "applied"  # the status changed
    UNCHANGED = "unchanged"  # already in that state (duplicate) or still waiting
    IGNORED = "ignored"  # a late or backward answer the transition table refuses (e.g. accepted → refused)
    MISMATCH = "mismatch"  # CinetPay says paid, but not the amount or currency we asked: flagged for staff
    UNKNOWN = "unknown"  # the answer carries no status we can act on
    NOT_STARTED = "not started"  # not asked: the checkout never started, so CinetPay does not know it


@dataclass(frozen=True)
class CheckOutcome:
    outcome: Outcome
    transaction: CinetPayTransaction
    result: CheckResult | None = None


# --- creating ---------------------------------------------------------------------------------------


def amount_limits(currency: str) -> tuple[int, int]:
    """(minimum, maximum) for ``currency``; ``CINETPAY_AMOUNT_LIMITS`` overrides the built-in table."""
    return {**CURRENCY_LIMITS, **settings.CINETPAY_AMOUNT_LIMITS}[currency]


def validate_payment(
    *, buyer: Any, seller: Any, amount: object, currency: str, description: str, channels: str
) -> int:
    """Check a payment as CinetPay would, before calling it. Returns the amount as an ``int``.

    Raises :class:`~django_cinetpay.exceptions.PaymentValidationError` with a message for people.
    """
    if isinstance(amount, bool) or not isinstance(amount, (int, Decimal)) or int(amount) != amount:
        raise exceptions.PaymentValidationError(
            _("The amount must be a whole number (CinetPay takes integers), not %(amount)r.")
            % {"amount": amount}
        )
    value = int(amount)
    if currency not in settings.CINETPAY_CURRENCIES:
        raise exceptions.PaymentValidationError(
            _("The currency %(currency)s is not accepted; use one of %(allowed)s.")
            % {"currency": currency, "allowed": ", ".join(settings.CINETPAY_CURRENCIES)}
        )
    if value % 5:
        raise exceptions.PaymentValidationError(
            _("CinetPay only accepts amounts that are multiples of 5; %(amount)s is not.") % {"amount": value}
        )
    low, high = amount_limits(currency)
    if not low <= value <= high:
        raise exceptions.PaymentValidationError(
            _("The amount must be between %(low)s and %(high)s %(currency)s.")
            % {"low": low, "high": high, "currency": currency}
        )
    if not description or not description.strip():
        raise exceptions.PaymentValidationError(_("A payment needs a description."))
    bad = sorted({c for c in description if c in checkout.FORBIDDEN_DESCRIPTION_CHARS})
    if bad:
        raise exceptions.PaymentValidationError(
            _("The description may not contain the characters %(chars)s (CinetPay refuses them).")
            % {"chars": " ".join(bad)}
        )
    unknown = [c for c in channels.split(",") if c not in KNOWN_CHANNELS]
    if unknown:
        raise exceptions.PaymentValidationError(
            _("Unknown payment channel %(channels)s.") % {"channels": ", ".join(unknown)}
        )
    if buyer is None or getattr(buyer, "pk", None) is None:
        raise exceptions.PaymentValidationError(_("A payment needs a registered buyer."))
    if seller is None or getattr(seller, "pk", None) is None:
        raise exceptions.PaymentValidationError(_("A payment needs a registered seller."))
    if buyer.pk == seller.pk:
        raise exceptions.PaymentValidationError(_("A buyer cannot pay themself."))
    return value


def create_payment(
    *,
    buyer: Any,
    seller: Any,
    amount: int,
    description: str,
    currency: str | None = None,
    order: models.Model | None = None,
    channels: str | None = None,
    metadata: str = "",
    commission_rate: Decimal | None = None,
    lang: str | None = None,
    **customer: str,
) -> CinetPayTransaction:
    """Record a new payment (status ``created``). No HTTP: the checkout starts from the payment form.

    ``customer`` takes the ``customer_*`` fields. ``order`` is the host's object this payment pays; an
    order already paid is refused (see :mod:`~django_cinetpay.services.orders`). Raises
    ``PaymentValidationError``.
    """
    currency = (currency or settings.CINETPAY_DEFAULT_CURRENCY).upper()
    channels = (channels or settings.CINETPAY_CHANNELS).upper()
    description = (description or "").strip()
    value = validate_payment(
        buyer=buyer,
        seller=seller,
        amount=amount,
        currency=currency,
        description=description,
        channels=channels,
    )
    unknown = set(customer) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"create_payment() got unexpected arguments {sorted(unknown)}")
    tx = CinetPayTransaction(
        buyer=buyer,
        seller=seller,
        amount=value,
        currency=currency,
        description=description[:255],
        channels=channels,
        metadata=metadata,
        commission_rate=commission_rate,
        lang=(lang or settings.CINETPAY_LANG)[:2],
        **customer,
        **order_fields(order),
    )
    refuse_if_paid(tx)
    with transaction.atomic():
        tx.save()
        record(tx, "", PaymentStatus.CREATED, Actor.for_user(buyer))
    return tx


# --- starting the checkout ----------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    """``CINETPAY_BASE_URL`` + ``path``: the public address CinetPay calls back."""
    base = settings.CINETPAY_BASE_URL
    if not base:
        raise exceptions.CinetPayConfigurationError(
            "CINETPAY_BASE_URL (or BASE_URL) must be set to the public address of the site, e.g. "
            "https://example.com, so that CinetPay can reach the notify and return URLs."
        )
    return base + path


def build_payment_request(tx: CinetPayTransaction) -> PaymentRequest:
    """The init request for ``tx``, with its notify and return URLs."""
    return PaymentRequest(
        transaction_id=tx.transaction_id,
        amount=tx.amount,
        currency=tx.currency,
        description=tx.description,
        notify_url=absolute_url(reverse("cinetpay:notify")),
        return_url=absolute_url(reverse("cinetpay:return")),
        channels=tx.channels,
        lang=tx.lang,
        metadata=get_adapter().get_payment_metadata(tx),
        **{name: getattr(tx, name) for name in CUSTOMER_FIELDS},
    )


def _locked(pk: int) -> CinetPayTransaction:
    return CinetPayTransaction.objects.select_for_update().get(pk=pk)


def start_checkout(
    tx: CinetPayTransaction,
    *,
    customer: dict[str, str] | None = None,
    channels: str | None = None,
    actor: Actor,
    client: CheckoutBackend | None = None,
) -> str:
    """Initialise the payment at CinetPay and return the checkout URL to send the customer to.

    Idempotent: a pending payment returns its existing URL. A previous attempt that failed (or whose
    answer was lost long ago) gets a fresh ``transaction_id``, since CinetPay ids are single-use. On error
    the code and message are recorded on the payment and the CinetPay exception is raised. An attempt
    whose order another payment has paid meanwhile raises ``PaymentValidationError``.
    """
    started = timezone.now()
    with transaction.atomic():
        locked = _locked(tx.pk)
        if locked.status == PaymentStatus.PENDING and locked.payment_url:
            return locked.payment_url
        if locked.status != PaymentStatus.CREATED:
            raise exceptions.InvalidTransitionError(locked, locked.status, PaymentStatus.PENDING)
        refuse_if_paid(locked)
        if locked.checkout_started_at and not (locked.cinetpay_code or locked.cinetpay_message):
            in_flight_until = locked.checkout_started_at + dt.timedelta(seconds=2 * settings.CINETPAY_TIMEOUT)
            if started < in_flight_until:
                raise exceptions.PaymentValidationError(
                    _("This payment is already being started; wait a moment and try again.")
                )
        if locked.checkout_started_at:
            old_id = locked.transaction_id
            locked.transaction_id = generate_transaction_id()
            record(
                locked,
                locked.status,
                locked.status,
                actor,
                reason=f"new transaction id after a failed start (was {old_id})",
            )
        for name, value in (customer or {}).items():
            if name in CUSTOMER_FIELDS:
                setattr(locked, name, (value or "").strip())
        if channels:
            locked.channels = channels
        locked.checkout_started_at = started
        locked.cinetpay_code = locked.cinetpay_message = ""
        locked.save()
    request = build_payment_request(locked)
    try:
        result = (client or get_checkout_client()).init_payment(request)
    except exceptions.CinetPayAPIError as exc:
        _record_init_error(locked.pk, exc.code, exc.message)
        raise
    except exceptions.CinetPayNetworkError as exc:
        _record_init_error(locked.pk, "", str(exc)[:255])
        raise
    with transaction.atomic():
        locked = _locked(tx.pk)
        if locked.transaction_id != request.transaction_id or locked.status != PaymentStatus.CREATED:
            raise exceptions.InvalidTransitionError(locked, locked.status, PaymentStatus.PENDING)
        locked.payment_token = result.payment_token
        locked.payment_url = result.payment_url
        locked.cinetpay_code, locked.cinetpay_message = result.code, result.message
        move(locked, PAYMENT_TRANSITIONS, PaymentStatus.PENDING, actor)
        locked.save()
    tx.refresh_from_db()
    return result.payment_url


def _record_init_error(pk: int, code: str, message: str) -> None:
    CinetPayTransaction.objects.filter(pk=pk, status=PaymentStatus.CREATED).update(
        cinetpay_code=code[:16],
        cinetpay_message=(message or _("No answer from CinetPay"))[:255],
        updated_at=timezone.now(),
    )


# --- applying CinetPay's verdict ------------------------------------------------------------------------


def _target_status(result: CheckResult) -> str | None:
    if result.is_accepted:
        return PaymentStatus.ACCEPTED
    if result.is_refused:
        return {"627": PaymentStatus.CANCELLED, "625": PaymentStatus.EXPIRED}.get(
            result.code, PaymentStatus.REFUSED
        )
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
    with transaction.atomic():
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
        locked.save()
    return CheckOutcome(outcome, locked, result)


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
            fresh = _locked(pk)
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
    actor: Actor,
    client: CheckoutBackend | None = None,
    payer_phone: str = "",
    payer_phone_prefix: str = "",
    known_to_cinetpay: bool = False,
) -> CheckOutcome:
    """Ask CinetPay about ``tx`` and apply the answer. Raises the client's errors unchanged.

    A payment whose checkout never started is not checked (CinetPay does not know it), unless
    ``known_to_cinetpay``: a verified notification proves CinetPay knows it even when the start is not
    visible yet (the host started the checkout inside a transaction that has not committed).
    """
    if tx.checkout_started_at is None and not known_to_cinetpay:
        return CheckOutcome(Outcome.NOT_STARTED, tx)
    checked_id = tx.transaction_id
    result = (client or get_checkout_client()).check_payment(checked_id)
    return apply_check_result(
        tx,
        result,
        actor=actor,
        payer_phone=payer_phone,
        payer_phone_prefix=payer_phone_prefix,
        checked_id=checked_id,
    )
