"""Payment state changes before CinetPay's verdict: create a payment, start its checkout.

What CinetPay's check endpoint says is applied by :mod:`.verdicts`. HTTP calls happen outside row locks;
the state change happens under ``select_for_update`` and follows
:data:`~django_cinetpay.states.PAYMENT_TRANSITIONS`.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import exceptions
from ..adapter import get_adapter
from ..client import CheckoutBackend, PaymentRequest, get_checkout_client, vocabulary
from ..client.vocabulary import KNOWN_CHANNELS
from ..conf import settings
from ..models import CinetPayTransaction, generate_transaction_id
from ..states import PAYMENT_TRANSITIONS, PaymentStatus
from ..validators import validate_amount, validate_description
from . import callbacks
from .audit import Actor, record
from .orders import order_fields, refuse_if_paid
from .transitions import move

logger = logging.getLogger("django_cinetpay")

#: The customer fields a payment stores (CinetPay's ``customer_id`` is the host's business, not ours).
CUSTOMER_FIELDS = tuple(name for name in vocabulary.CUSTOMER_FIELDS if name != "customer_id")


# --- creating ---------------------------------------------------------------------------------------


def validate_payment(
    *, buyer: Any, seller: Any, amount: object, currency: str, description: str, channels: str
) -> int:
    """Check a payment as CinetPay would, before calling it. Returns the amount as an ``int``.

    The amount and the description follow :mod:`django_cinetpay.validators`, the rules a host's forms use
    too. Raises :class:`~django_cinetpay.exceptions.PaymentValidationError` with a message for people.
    """
    value = validate_amount(amount, currency)
    validate_description(description)
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
    order already paid is refused (see :mod:`~django_cinetpay.services.orders`).

    Raises ``PaymentValidationError`` (an ``InvalidInputError``) with a message for people: amount,
    currency, description, channels, buyer and seller, or an order already paid.
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
        description=description,
        channels=channels,
        metadata=metadata,
        commission_rate=commission_rate,
        lang=(lang or settings.CINETPAY_LANG)[:2],
        backend=settings.CINETPAY_BACKEND,
        **customer,
        **order_fields(order),
    )
    refuse_if_paid(tx)
    with transaction.atomic():
        tx.save()
        record(tx, "", PaymentStatus.CREATED, Actor.for_user(buyer))
    return tx


# --- starting the checkout ----------------------------------------------------------------------------


def build_payment_request(tx: CinetPayTransaction) -> PaymentRequest:
    """The init request for ``tx``, with its notify and return URLs."""
    return PaymentRequest(
        transaction_id=tx.transaction_id,
        amount=tx.amount,
        currency=tx.currency,
        description=tx.description,
        notify_url=callbacks.notify_url(tx.backend),
        return_url=callbacks.return_url(tx.backend, tx.transaction_id),
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
    actor: Actor | None = None,
    client: CheckoutBackend | None = None,
) -> str:
    """Initialise the payment at CinetPay and return the checkout URL to send the customer to.

    Idempotent: a pending payment returns its existing URL. A previous attempt that failed (or whose
    answer was lost long ago) gets a fresh ``transaction_id``, since CinetPay ids are single-use. On error
    the code and message are recorded on the payment. ``actor`` defaults to the buyer.

    Raises ``PaymentValidationError`` when the order was paid meanwhile or a start is already in flight,
    ``InvalidTransitionError`` for a payment past ``created``, CinetPay's errors
    (``CinetPayAPIError`` with its code and hint, ``CinetPayNetworkError``) and
    ``CinetPayConfigurationError`` without ``CINETPAY_BASE_URL``.
    """
    actor = actor or Actor.for_user(tx.buyer)
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
        result = (client or get_checkout_client(locked.backend)).init_payment(request)
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
        locked.notify_token = result.notify_token  # the CinetPay API's; empty on Checkout v2
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
