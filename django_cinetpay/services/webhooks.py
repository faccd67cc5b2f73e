"""What a notification URL does with a stored request, within a deadline of its own.

CinetPay waits for the answer to a notification, and so does a web worker. The check call's own retries
(``CINETPAY_CHECK_ATTEMPTS`` x ``CINETPAY_TIMEOUT``) could hold both for a minute and a half while
CinetPay's check endpoint hangs. Inside a webhook the check is therefore asked once, within
``CINETPAY_NOTIFICATION_DEADLINE`` seconds. When CinetPay cannot answer in time the webhook says 503, so
CinetPay delivers again, and the stored notification is processed once more in the background
(the ``process_notification`` task, with the full retries, and the ``cinetpay_check_pending`` run).
"""

from __future__ import annotations

import logging

from ..client import CheckoutBackend, TransferBackend, get_checkout_client, get_transfer_client
from ..conf import settings
from ..models import CinetPayNotification, NotificationKind
from ..states import Backend
from . import queue
from .api_notifications import process_api_notification
from .audit import Actor
from .notifications import NotificationResult, process_payment_notification, process_transfer_notification

logger = logging.getLogger("django_cinetpay")


def deadline() -> float:
    """``CINETPAY_NOTIFICATION_DEADLINE``: the seconds a webhook may spend asking CinetPay."""
    return float(settings.CINETPAY_NOTIFICATION_DEADLINE)


def process_webhook(notification: CinetPayNotification) -> NotificationResult:
    """Process a notification just received, asking CinetPay once within the deadline.

    A transfer look-up takes a login and a check, so each gets half of the deadline.
    """
    seconds = deadline()
    if notification.kind == NotificationKind.API:
        result = process_api_notification(
            notification,
            checkout_client=get_checkout_client(Backend.API, timeout=seconds, check_attempts=1),
            transfer_client=get_transfer_client(Backend.API, timeout=seconds / 2, check_attempts=1),
        )
    elif notification.kind == NotificationKind.TRANSFER:
        transfer_client = get_transfer_client(Backend.CHECKOUT_V2, timeout=seconds / 2, check_attempts=1)
        result = process_transfer_notification(notification, client=transfer_client)
    else:
        checkout_client = get_checkout_client(Backend.CHECKOUT_V2, timeout=seconds, check_attempts=1)
        result = process_payment_notification(notification, client=checkout_client)
    if result.status == 503:
        defer(notification)
    return result


def defer(notification: CinetPayNotification) -> None:
    """Process ``notification`` again in the background once the current transaction commits."""
    queue.enqueue_on_commit("process_notification", notification.pk)


def reprocess(
    notification: CinetPayNotification,
    *,
    client: CheckoutBackend | None = None,
    transfer_client: TransferBackend | None = None,
    actor: Actor | None = None,
) -> NotificationResult:
    """Process a stored notification again (admin action, command), routed by its kind.

    ``actor``: who asked (e.g. ``Actor.for_admin(user)``), recorded on any state change it causes.
    Never raises for bad input or CinetPay trouble: the result says what a webhook would answer (403,
    404, 503 …) and the notification keeps its outcome. Clients default to the shared ones of the API the
    notification came from.
    """
    if notification.kind == NotificationKind.API:
        return process_api_notification(
            notification, checkout_client=client, transfer_client=transfer_client, actor=actor
        )
    if notification.kind == NotificationKind.TRANSFER:
        return process_transfer_notification(notification, client=transfer_client, actor=actor)
    if notification.kind != NotificationKind.PAYMENT:
        raise ValueError(f"no processor for {notification.kind} notifications")
    return process_payment_notification(notification, client=client, actor=actor)
