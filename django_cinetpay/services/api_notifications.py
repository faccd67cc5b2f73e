"""Notifications of the CinetPay API (``CINETPAY_BACKEND = "api"``): one URL for payments and transfers.

The body is a JSON object: ``notify_token``, ``transaction_id`` (CinetPay's id) and
``merchant_transaction_id`` (ours). As with Checkout v2, nothing in it is taken as true. A payment's
notification must carry the ``notify_token`` CinetPay gave when the payment started (compared in
constant time, failing closed), and then the status call alone decides; a transfer's only makes the
payout be looked up, and the look-up decides. Stored first, like every notification (see
:func:`.notifications.record_notification`).
"""

from __future__ import annotations

import json
import logging

from ..client import CheckoutBackend, TransferBackend, verify_notify_token
from ..ids import is_our_id
from ..models import CinetPayNotification, CinetPayTransaction, PayoutRequest
from ..states import Backend
from ..utils import mask_phone
from .audit import Actor
from .notifications import NotificationResult, finish, handle
from .payouts import refresh_payout
from .verdicts import Outcome, may_still_change, refresh_payment

logger = logging.getLogger("django_cinetpay")


def _fields(notification: CinetPayNotification) -> dict[str, str] | None:
    """The text fields of the stored JSON object, or ``None`` when the body is not one."""
    try:
        data = json.loads(notification.body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {str(name): value for name, value in data.items() if isinstance(value, str)}


def process_api_notification(
    notification: CinetPayNotification,
    *,
    checkout_client: CheckoutBackend | None = None,
    transfer_client: TransferBackend | None = None,
    actor: Actor | None = None,
) -> NotificationResult:
    """Verify and act on a stored CinetPay API notification. Never raises; never changes state on bad input.

    Order: a JSON object → one of our ids → the payment's ``notify_token`` (fail closed) → status call →
    locked transition; or, for a payout's id, a look-up of the transfer. Clients default to the shared
    ones of the CinetPay API.
    """
    fields = _fields(notification)
    if fields is None:
        return finish(
            notification,
            NotificationResult(400, "not a JSON object"),
            error="The CinetPay API posts a JSON object; this body is not one.",
        )
    reference = fields.get("merchant_transaction_id", "").strip()
    if not is_our_id(reference):
        return finish(
            notification,
            NotificationResult(400, "missing merchant_transaction_id"),
            error="The notification names no merchant_transaction_id of ours.",
        )
    actor = actor or Actor.notification(notification.pk)
    payment = CinetPayTransaction.objects.filter(transaction_id=reference, backend=Backend.API).first()
    if payment is not None:
        return _payment(notification, payment, fields.get("notify_token", ""), checkout_client, actor)
    payout = (
        PayoutRequest.objects.filter(client_transaction_id=reference, backend=Backend.API)
        .select_related("escrow__payment")
        .first()
    )
    if payout is None:
        return finish(
            notification,
            NotificationResult(404, "unknown transaction"),
            error=f"No payment or payout of the CinetPay API has the id {reference}.",
        )
    notification.transaction = payout.escrow.payment
    return handle(
        notification, lambda: refresh_payout(payout, actor=actor, client=transfer_client).payout.status
    )


def _payment(
    notification: CinetPayNotification,
    payment: CinetPayTransaction,
    token: str,
    client: CheckoutBackend | None,
    actor: Actor,
) -> NotificationResult:
    notification.transaction = payment
    notification.valid = verify_notify_token(payment.notify_token, token)
    if not notification.valid:
        reason = "missing notify_token" if not token else "notify_token does not match"
        logger.warning("Rejected CinetPay API notification #%s: %s", notification.pk, reason)
        return finish(notification, NotificationResult(403, "invalid notify_token"), error=reason)
    if not may_still_change(payment):
        return finish(notification, NotificationResult(200, "already processed"))

    def check() -> str:
        outcome = refresh_payment(payment, actor=actor, client=client, known_to_cinetpay=True)
        logger.info(
            "API notification #%s for %s (payer %s): %s",
            notification.pk,
            payment.transaction_id,
            mask_phone(payment.payer_phone),
            outcome.outcome.value,
        )
        return "already processed" if outcome.outcome == Outcome.UNCHANGED else outcome.outcome.value

    return handle(notification, check)
