"""Sending a recorded message exactly once, retrying with back-off while the provider fails.

A sender first *claims* the message: one conditional ``UPDATE`` moves it from ``pending`` (and due) to
``sending``. The database lets one claim win, so two workers, a retried job and the periodic sweep
never send the same message twice. Then it sends, outside any transaction, and writes the outcome:
``sent``; ``pending`` again with the next attempt's time while attempts remain; else ``failed`` with the
provider's error. A message left ``sending`` (a worker killed mid-send) may have gone out: after
``CINETPAY_MESSAGE_SEND_STALE_AFTER`` it ends ``failed`` for staff to judge, never sent again by itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from ..conf import duration, settings
from ..models import Message, MessageChannel, MessageState
from ..services import queue
from ..sms import SmsError, SmsMessage, get_connection

logger = logging.getLogger("django_cinetpay")

#: The longest provider error kept on a message.
ERROR_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Attempt:
    """What :func:`deliver` did: ``made`` is False when the message was not due or another sender had it."""

    message: Message
    made: bool


def _due(now: dt.datetime) -> Q:
    return Q(state=MessageState.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def deliver(message_id: int) -> Attempt:
    """Send message ``message_id`` if it is due and nobody else is sending it; the message, fresh."""
    now = timezone.now()
    claimed = Message.objects.filter(_due(now), pk=message_id).update(
        state=MessageState.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    message = Message.objects.get(pk=message_id)
    if not claimed:
        return Attempt(message, made=False)
    try:
        _send(message)
    except Exception as exc:
        _failed(message, exc)
    else:
        _finish(message, state=MessageState.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None)
    return Attempt(message, made=True)


def _send(message: Message) -> None:
    if message.channel == MessageChannel.EMAIL:
        email = EmailMultiAlternatives(
            message.subject, message.body, settings.CINETPAY_EMAIL_FROM, [message.address]
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        email.send()
        return
    with get_connection() as connection:
        if not connection.send_messages([SmsMessage(to=message.address, body=message.body)]):
            raise SmsError("The SMS backend sent nothing.")


def _failed(message: Message, exc: Exception) -> None:
    """After a failed attempt: pending again after a back-off that doubles, or failed for good."""
    error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
    final = getattr(exc, "permanent", False) or message.attempts >= settings.CINETPAY_MESSAGE_MAX_ATTEMPTS
    if final:
        _finish(message, state=MessageState.FAILED, last_error=error, next_attempt_at=None)
        logger.error(
            "Message %s (%s) failed after %s attempt(s): %s",
            message.pk,
            message.kind,
            message.attempts,
            error,
        )
        return
    wait = duration("CINETPAY_MESSAGE_RETRY_BACKOFF") * 2 ** (message.attempts - 1)
    _finish(message, state=MessageState.PENDING, last_error=error, next_attempt_at=timezone.now() + wait)
    logger.warning("Message %s (%s) not sent, next attempt in %s: %s", message.pk, message.kind, wait, error)


def _finish(message: Message, **fields: object) -> None:
    """Write the outcome of the claimed ``message`` (still ``sending``) and mirror it on the instance."""
    fields["updated_at"] = timezone.now()
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING).update(**fields)
    for name, value in fields.items():
        setattr(message, name, value)


def resend(message: Message) -> bool:
    """Make a failed message pending again, with fresh attempts, and queue it; False if it was not failed.

    The caller checks the right to do so (``cinetpay.resend_message``) and records who did it.
    """
    again = Message.objects.filter(pk=message.pk, state=MessageState.FAILED).update(
        state=MessageState.PENDING, attempts=0, next_attempt_at=None, updated_at=timezone.now()
    )
    if again:
        queue.enqueue_on_commit("send_message", message.pk)
    return bool(again)


def due(now: dt.datetime | None = None) -> QuerySet[Message]:
    """Messages waiting whose time has come (first sends a stopped queue missed, retries after back-off)."""
    return Message.objects.filter(_due(now or timezone.now())).order_by("created_at", "pk")


def fail_interrupted(now: dt.datetime | None = None) -> int:
    """End failed the messages left ``sending`` too long ago; returns how many."""
    since = (now or timezone.now()) - duration("CINETPAY_MESSAGE_SEND_STALE_AFTER")
    return Message.objects.filter(state=MessageState.SENDING, updated_at__lt=since).update(
        state=MessageState.FAILED,
        last_error=gettext("Interrupted while sending: it may have gone out. Send it again if it did not."),
        updated_at=timezone.now(),
    )


def send_due(limit: int | None = None) -> int:
    """Fail the interrupted messages, then send those due (at most ``limit``, default
    ``CINETPAY_JOB_BATCH_SIZE``); returns how many were sent."""
    fail_interrupted()
    ids = list(due().values_list("pk", flat=True)[: limit or settings.CINETPAY_JOB_BATCH_SIZE])
    return sum(1 for pk in ids if deliver(pk).message.state == MessageState.SENT)
