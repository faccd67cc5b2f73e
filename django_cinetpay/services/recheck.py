"""Asking CinetPay again: payments whose outcome may still change there, and how often to ask.

A notification can be lost, and every delivery of one can meet a check outage until CinetPay gives up. So
payments are checked again by a job (:func:`recheck_payments`, the ``cinetpay_check_pending`` command and
the ``check_pending_payments`` task), by the buyer's return visit and by the status poll:

* a payment whose checkout started and that has no final status yet (``created``, ``pending``);
* a *failed* payment (refused, cancelled, expired) for ``CINETPAY_PAYMENT_RECHECK_WINDOW`` after its
  checkout started, since CinetPay's checkout lets the customer try again with the same token and pay.
  Such a payment is asked about less and less often (:func:`failed_payment_due`); after the window its
  failure is final.

An accepted payment is never checked again: accepted is final. Which payments may still change is
:func:`~django_cinetpay.services.verdicts.may_still_change`'s rule (a notification follows it too).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from .. import exceptions
from ..models import CinetPayNotification, CinetPayTransaction, NotificationKind
from ..states import PAYMENT_FAILED_STATES, PaymentStatus
from .audit import Actor
from .verdicts import CheckOutcome, may_still_change, recheck_window, refresh_payment
from .webhooks import reprocess

logger = logging.getLogger("django_cinetpay")

#: A failed payment is asked about again after a quarter of the age it had at its last check (checked
#: when 2 h old: again 30 min later), at least this often while its window lasts ...
FAILED_RECHECK_MAX_INTERVAL = dt.timedelta(hours=2)
#: ... and at every run while that quarter is shorter than this (an attempt a few minutes old, whose
#: customer is likely retrying right now).
FAILED_RECHECK_EVERY_RUN_BELOW = dt.timedelta(minutes=1)


def failed_payment_due(tx: CinetPayTransaction, now: dt.datetime) -> bool:
    """Back-off for failed payments: the older the attempt, the less often it is asked about."""
    if not may_still_change(tx, now) or tx.checkout_started_at is None:
        return False
    if tx.last_checked_at is None:
        return True
    interval = min((tx.last_checked_at - tx.checkout_started_at) / 4, FAILED_RECHECK_MAX_INTERVAL)
    return interval < FAILED_RECHECK_EVERY_RUN_BELOW or now - tx.last_checked_at >= interval


def payments_to_recheck(*, older_than: dt.timedelta, limit: int) -> list[CinetPayTransaction]:
    """Open payments started at least ``older_than`` ago, then failed ones due by their back-off.

    The least recently checked first, so payments that keep failing to be checked cannot crowd out
    the others.
    """
    now = timezone.now()
    by_last_check = (F("last_checked_at").asc(nulls_first=True), "pk")
    open_payments = CinetPayTransaction.objects.filter(
        status__in=[PaymentStatus.CREATED, PaymentStatus.PENDING],
        checkout_started_at__lte=now - older_than,
    ).order_by(*by_last_check)
    failed = CinetPayTransaction.objects.filter(
        status__in=PAYMENT_FAILED_STATES,
        checkout_started_at__gt=now - recheck_window(),
    ).order_by(*by_last_check)
    chosen = list(open_payments[:limit])
    if len(chosen) < limit:
        due = (tx for tx in failed.iterator() if failed_payment_due(tx, now))
        for tx in due:
            chosen.append(tx)
            if len(chosen) == limit:
                break
    return chosen


@dataclass
class RecheckReport:
    """What one run of :func:`recheck_payments` did."""

    outcomes: list[CheckOutcome] = field(default_factory=list)
    errors: list[tuple[CinetPayTransaction, exceptions.CinetPayError]] = field(default_factory=list)
    notifications: int = 0  # stored notifications processed again


def recheck_payments(*, older_than: dt.timedelta, limit: int, actor: Actor | None = None) -> RecheckReport:
    """The re-check job: ask CinetPay about every payment due, then process stored notifications again.

    A stored payment notification that could not be confirmed in time (its webhook answered 503) is
    processed again here, so the paying number it carries is not lost even if CinetPay stops retrying.
    One payment CinetPay cannot answer about is reported and the others carry on.
    """
    actor = actor or Actor.job("check_pending_payments")
    report = RecheckReport()
    for tx in payments_to_recheck(older_than=older_than, limit=limit):
        try:
            report.outcomes.append(refresh_payment(tx, actor=actor))
        except exceptions.CinetPayError as exc:
            logger.warning("Re-check of %s failed: %s", tx.transaction_id, exc)
            report.errors.append((tx, exc))
    waiting = CinetPayNotification.objects.filter(
        kind=NotificationKind.PAYMENT,
        valid=True,
        processed=False,
        received_at__gte=timezone.now() - recheck_window(),
    ).order_by("pk")[:limit]
    for notification in waiting:
        reprocess(notification, actor=actor)
        report.notifications += 1
    return report
