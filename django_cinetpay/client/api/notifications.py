"""What a CinetPay API notification says, and how it is verified.

CinetPay posts a JSON object to the ``notify_url``: ``notify_token``, ``transaction_id`` (CinetPay's id),
``merchant_transaction_id`` (ours) and sometimes the ``user`` who paid. Nothing in it is signed: the only
proof it comes from CinetPay is the ``notify_token``, which CinetPay gave our own authenticated call when
the payment (or transfer) started and nobody else has seen. It is compared in constant time, and an empty
one on either side never matches. Even then the notification only *triggers* a status call, which
alone decides; a status word it may carry is never read.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..parsing import text


@dataclass(frozen=True)
class ApiNotification:
    """A notification's fields, as received (``""`` for a missing one). Untrusted until verified."""

    merchant_transaction_id: str
    notify_token: str
    transaction_id: str = ""
    #: The payer's (or recipient's) number as CinetPay wrote it, when it did; personal data.
    phone_number: str = ""

    def __repr__(self) -> str:  # the token is a secret and the number personal data
        return (
            f"ApiNotification(merchant_transaction_id={self.merchant_transaction_id!r}, "
            f"transaction_id={self.transaction_id!r})"
        )


def read_notification(body: bytes | str | Mapping[str, Any]) -> ApiNotification | None:
    """The notification in ``body`` (raw JSON or already parsed), or ``None`` when it is not a JSON
    object. Values that are not strings or numbers count as missing."""
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    if not isinstance(body, Mapping):
        return None
    user = body.get("user")
    phone = user.get("phone_number") if isinstance(user, Mapping) else None
    return ApiNotification(
        merchant_transaction_id=_field(body.get("merchant_transaction_id")),
        notify_token=_field(body.get("notify_token")),
        transaction_id=_field(body.get("transaction_id")),
        phone_number=_field(phone),
    )


def verify_notify_token(expected: str, received: str) -> bool:
    """Whether ``received`` is the ``expected`` token, in constant time. Fails closed: an empty (or
    non-text) value on either side is never a match, so a payment that stored no token accepts none."""
    if not (isinstance(expected, str) and isinstance(received, str) and expected and received):
        return False
    return hmac.compare_digest(expected.encode(), received.encode())


def _field(value: object) -> str:
    return text(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
