"""The x-token of CinetPay's payment notifications (CINETPAY_API.md §3), as pure functions.

CinetPay signs a notification with HMAC-SHA256 over the plain concatenation of the received fields, keyed
with the merchant's *secret key*. The documented field order is tried first; CinetPay's own PHP SDK joins
the POST values in arrival order, so that is accepted as a fallback. Comparisons are constant-time and
fail closed: no secret, no token, or no match all return ``False``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

#: The documented order of the fields that make up the x-token message.
SIGNED_FIELDS: tuple[str, ...] = (
    "cpm_site_id",
    "cpm_trans_id",
    "cpm_trans_date",
    "cpm_amount",
    "cpm_currency",
    "signature",
    "payment_method",
    "cel_phone_num",
    "cpm_phone_prefixe",
    "cpm_language",
    "cpm_version",
    "cpm_payment_config",
    "cpm_page_action",
    "cpm_custom",
    "cpm_designation",
    "cpm_error_message",
)


def _hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def compute_x_token(secret: str, fields: Mapping[str, object]) -> str:
    """The x-token for ``fields`` in the documented order; a missing field counts as ``""``.

    Values are used as received (strings); ``None`` counts as ``""`` (clients that write "None" are wrong).
    """
    message = "".join("" if fields.get(name) is None else str(fields.get(name)) for name in SIGNED_FIELDS)
    return _hmac_hex(secret, message)


def compute_arrival_order_token(secret: str, values: Iterable[object]) -> str:
    """The x-token as CinetPay's PHP SDK computes it: every POST value joined in arrival order."""
    return _hmac_hex(secret, "".join("" if v is None else str(v) for v in values))


def verify_x_token(
    secret: str | None,
    token: str | None,
    fields: Mapping[str, object],
    arrival_values: Iterable[object] | None = None,
) -> bool:
    """Whether ``token`` signs ``fields``. Constant-time; fails closed.

    ``arrival_values``: the POST values in the order received, tried when the documented order does not
    match. Returns ``False`` when the secret or the token is empty.
    """
    if not secret or not token:
        return False
    received = token.strip().lower().encode()
    expected = compute_x_token(secret, fields).encode()
    ok = hmac.compare_digest(received, expected)
    if arrival_values is not None:
        # Always computed, so that timing does not tell which order matched.
        fallback = compute_arrival_order_token(secret, arrival_values).encode()
        ok = hmac.compare_digest(received, fallback) or ok
    return ok
