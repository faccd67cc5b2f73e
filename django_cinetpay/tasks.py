"""Background work on Django's tasks framework, so each project picks its own worker backend.

``django.tasks`` on Django >= 6.0, the ``django-tasks`` backport on 5.2 (same API). Every task only calls
a service, and every task has a ``cinetpay_*`` management command doing the same for cron:

==========================  ======================================
task                        command
==========================  ======================================
``check_pending_payments``  ``cinetpay_check_pending``
``process_notification``    ``cinetpay_check_pending`` (all stored)
``send_payout``             ``cinetpay_process_payouts`` (all due)
``send_payouts``            ``cinetpay_process_payouts`` (all due)
``process_payouts``         ``cinetpay_process_payouts``
``release_due_escrows``     ``cinetpay_release_due_escrows``
``reconcile``               ``cinetpay_reconcile``
``send_message``            ``cinetpay_send_messages`` (all due)
``send_due_messages``       ``cinetpay_send_messages``
==========================  ======================================

Tasks are safe to run in several workers at once: the services lock rows with ``skip_locked``. Arguments
are primary keys, never model instances, and results are numbers or dicts of them, so they serialise for
any backend (a database-backed queue stores both as JSON).
"""

from __future__ import annotations

import logging

try:
    from django.tasks import task
except ImportError:  # Django < 6.0: the backport, same API
    from django_tasks import task  # type: ignore[no-redef,unused-ignore]

import datetime as dt

from .messaging import delivery, reminders
from .models import CinetPayNotification, MessageState
from .services import escrow, payout_batches, queue, recheck, sending, webhooks
from .services import reconcile as reconciliation
from .services.audit import Actor

logger = logging.getLogger("django_cinetpay")


@task()
def check_pending_payments() -> int:
    """Ask CinetPay about payments whose outcome may still change; returns how many were checked."""
    report = recheck.recheck_payments(older_than=dt.timedelta(minutes=15), limit=500)
    return len(report.outcomes)


@task()
def process_notification(notification_id: int) -> int:
    """Process again a stored notification that could not be confirmed in time (its webhook said 503).

    Here the check call may take its full retries: no web worker waits for it. Returns the HTTP status
    the processing would answer (200 when done; 503 again leaves it for the next re-check run).
    """
    notification = CinetPayNotification.objects.get(pk=notification_id)
    if notification.processed:
        return 200
    return webhooks.reprocess(notification).status


@task()
def send_payout(payout_id: int) -> str:
    """Move one payout forward (enqueued after commit when a payout is created). Returns its new status."""
    return sending.process_payout(payout_id, actor=Actor.job("send_payout")).payout.status


@task()
def send_payouts(payout_ids: list[int]) -> int:
    """Move the payouts one release batch created forward, one after the other; returns how many were
    handled (fewer when CinetPay could not be used at all: the cron command takes the rest)."""
    return len(payout_batches.send_payouts(payout_ids).steps)


@task()
def process_payouts() -> int:
    """Send pending payouts, settle unknown ones, re-check submitted ones. Returns how many were handled."""
    return len(sending.process_payouts().steps)


@task()
def release_due_escrows() -> dict[str, int]:
    """Auto-confirm silent buyers (if configured) and release escrows whose security period passed.

    Returns how many were confirmed and released, and how many could not be (logged as errors).
    """
    report = escrow.release_due_escrows()
    return {"confirmed": report.confirmed, "released": report.released, "failed": len(report.errors)}


@task()
def reconcile() -> int:
    """Check the money invariants; log every discrepancy as an error. Returns how many were found."""
    found = reconciliation.find_discrepancies()
    for discrepancy in found:
        logger.error("Reconcile: %s", discrepancy)
    return len(found)


@task()
def send_message(message_id: int) -> str:
    """Send one recorded message to a buyer or seller (enqueued after the commit that recorded it).

    After a failed attempt with attempts left, it enqueues itself for the next one when the task backend
    can defer (``run_after``); otherwise the periodic ``send_due_messages`` takes it when due. Returns the
    message's state.
    """
    attempt = delivery.deliver(message_id)
    message = attempt.message
    if attempt.made and message.state == MessageState.PENDING and message.next_attempt_at is not None:
        _retry_later(message_id, message.next_attempt_at)
    return message.state


def _retry_later(message_id: int, when: dt.datetime) -> None:
    try:
        if send_message.get_backend().supports_defer:
            send_message.using(run_after=when).enqueue(message_id)
    except Exception:  # a queue that is down: the periodic sweep sends it when due
        logger.warning("Message %s: its next attempt could not be queued", message_id, exc_info=True)


@task()
def send_due_messages() -> dict[str, int]:
    """Record the reminders now due, then send every message due (first sends a stopped queue missed,
    retries). Returns how many reminders were recorded and messages sent."""
    return {"reminders": reminders.record_reminders(), "sent": delivery.send_due()}


queue.register("send_payout", send_payout)
queue.register("send_payouts", send_payouts)
queue.register("process_notification", process_notification)
queue.register("send_message", send_message)
