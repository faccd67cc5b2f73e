"""The shapes of the ids a request may name, checked before any query.

A value that cannot be one of ours (a NUL byte, which PostgreSQL refuses in a query and answers with an
error; a megabyte of text; punctuation) is treated as unknown without reaching the database.
"""

from __future__ import annotations

import re

#: A payment's ``transaction_id`` or a payout's ``client_transaction_id``
#: (:func:`~django_cinetpay.models.generate_transaction_id`,
#: :func:`~django_cinetpay.models.generate_client_transaction_id`): ASCII letters and digits, at most the
#: 25 characters their columns hold. Also the URL pattern of the pages that take one.
ID_REGEX = r"[A-Za-z0-9]{1,25}"

#: CinetPay's ``payment_token``. Its shape is not documented, so: visible ASCII, at most the 255
#: characters its column holds.
TOKEN_REGEX = r"[!-~]{1,255}"

_ID = re.compile(ID_REGEX)
_TOKEN = re.compile(TOKEN_REGEX)


def is_our_id(value: str) -> bool:
    """Whether ``value`` could be a transaction id this package handed out."""
    return _ID.fullmatch(value) is not None


def is_payment_token(value: str) -> bool:
    """Whether ``value`` could be a payment token CinetPay handed out."""
    return _TOKEN.fullmatch(value) is not None
