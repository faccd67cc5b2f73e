"""The reminder a silent buyer gets before ``CINETPAY_ESCROW_AUTO_CONFIRM_AFTER`` confirms for them.

``CINETPAY_ESCROW_REMINDER_BEFORE`` ahead of that moment, the buyer of each escrow still held is asked to
confirm receipt or report a problem. Run by the periodic sweep (task ``send_due_messages``, command
``cinetpay_send_messages``); each reminder is recorded once (its event names the payment), so running the
sweep again, or in two places at once, reminds nobody twice.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ..conf import duration, optional_duration
from ..models import EscrowTransaction, Message, MessageKind
from ..states import EscrowStatus
from .kinds import channels_for
from .outbox import announce

KIND = MessageKind.BUYER_CONFIRM_REMINDER


def due_for_reminder(now: dt.datetime) -> QuerySet[EscrowTransaction]:
    """Held escrows (not of a duplicate payment) within the reminder period, not reminded yet.

    Empty when no automatic confirmation is configured.
    """
    after = optional_duration("CINETPAY_ESCROW_AUTO_CONFIRM_AFTER")
    if after is None:
        return EscrowTransaction.objects.none()
    ahead = min(duration("CINETPAY_ESCROW_REMINDER_BEFORE"), after)
    reminded = Message.objects.filter(kind=KIND, payment=OuterRef("payment"))
    return (
        EscrowTransaction.objects.filter(
            status=EscrowStatus.HELD,
            created_at__lte=now - (after - ahead),
            payment__duplicate_of__isnull=True,
        )
        .exclude(Exists(reminded))
        .select_related("payment__buyer", "payment__seller")
        .order_by("created_at", "pk")
    )


def record_reminders(now: dt.datetime | None = None) -> int:
    """Record (and queue) the reminders now due; returns how many messages were recorded.

    The escrows due are few at any time (those whose automatic confirmation is within the reminder
    period, not reminded yet): confirmation takes them out of the set.
    """
    if not channels_for(KIND):
        return 0
    now = now or timezone.now()
    after = optional_duration("CINETPAY_ESCROW_AUTO_CONFIRM_AFTER")
    recorded = 0
    for escrow in due_for_reminder(now).iterator(chunk_size=200):
        payment = escrow.payment
        confirm_at = escrow.created_at + after if after is not None else None
        event = f"confirm_reminder:{payment.transaction_id}"
        recorded += len(announce(KIND, event, payment, escrow=escrow, confirm_at=confirm_at))
    return recorded
