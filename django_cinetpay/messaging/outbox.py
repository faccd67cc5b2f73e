"""A message recorded once per event, recipient and channel, then queued for sending after commit.

Called by the signal receivers after the money's commit. Whatever goes wrong here is logged and goes no
further: a message never breaks a payment, a release or a payout.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction

from ..adapter import BUYER, get_adapter
from ..models import CinetPayTransaction, Message, MessageChannel
from ..services import queue
from . import compose
from .kinds import channels_for, role_of

logger = logging.getLogger("django_cinetpay")


def announce(kind: str, event: str, payment: CinetPayTransaction, **context: Any) -> list[Message]:
    """Record and queue the ``kind`` messages ``event`` (``"payment_accepted:CP…"``) calls for.

    One per channel the kind goes out on and the recipient has an address for; an event already
    announced on a channel records nothing more. ``context`` goes to the templates, with ``payment``,
    ``reference``, ``name`` and ``url``. Returns the messages recorded now; never raises.
    """
    try:
        return _announce(kind, event, payment, context)
    except Exception:
        logger.exception("The %s messages of %s could not be recorded", kind, event)
        return []


def _announce(kind: str, event: str, payment: CinetPayTransaction, context: dict[str, Any]) -> list[Message]:
    channels = channels_for(kind)
    if not channels:
        return []
    role = role_of(kind)
    user = payment.buyer if role == BUYER else payment.seller
    adapter = get_adapter()
    recipient = adapter.get_message_recipient(user, role, payment)
    language = recipient.language or django_settings.LANGUAGE_CODE
    full_context = {
        **context,
        "payment": payment,
        "reference": payment.transaction_id,
        "name": getattr(user, "first_name", "") or user.get_username(),
        "url": adapter.get_message_url(payment, role),
    }
    recorded = []
    for channel in channels:
        address = recipient.email if channel == MessageChannel.EMAIL else recipient.phone
        if not address:
            continue
        content = compose.render(kind, channel, full_context, language)
        message = _record(
            Message(
                event=event,
                kind=kind,
                channel=channel,
                recipient=user,
                payment=payment,
                address=address,
                language=language,
                subject=content.subject,
                body=content.body,
                html_body=content.html_body,
            )
        )
        if message is not None:
            recorded.append(message)
    return recorded


def _record(message: Message) -> Message | None:
    """Save ``message`` and queue its sending after commit; ``None`` when the event was already recorded
    for this recipient and channel (a signal heard twice, another process first)."""
    try:
        with transaction.atomic():  # a savepoint: a refused insert leaves the caller's transaction usable
            message.save(force_insert=True)
    except IntegrityError:
        return None
    queue.enqueue_on_commit("send_message", message.pk)
    return message
