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

from ..client import get_checkout_client, get_transfer_client
from ..conf import settings
from ..models import CinetPayNotification, NotificationKind
from . import queue
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
    if notification.kind == NotificationKind.TRANSFER:
        transfer_client = get_transfer_client(timeout=seconds / 2, check_attempts=1)
        result = process_transfer_notification(notification, client=transfer_client)
    else:
        result = process_payment_notification(
            notification, client=get_checkout_client(timeout=seconds, check_attempts=1)
        )
    if result.status == 503:
        defer(notification)
    return result


def defer(notification: CinetPayNotification) -> None:
    """Process ``notification`` again in the background once the current transaction commits."""
    queue.enqueue_on_commit("process_notification", notification.pk)
