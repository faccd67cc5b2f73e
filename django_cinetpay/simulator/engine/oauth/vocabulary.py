"""The OAuth API's words: codes, statuses, operators per country, limits (CINETPAY_API.md §8).

CinetPay's own SDK (``cinetpay-python``) is the reference: codes are numbers; a transaction's ``status``
is one of the names of :data:`CODES`; ``SUCCESS``, ``FAILED``, ``TRANSACTION_EXIST`` and
``INSUFFICIENT_BALANCE`` are final.
"""

from __future__ import annotations

import datetime as dt
import re

from django_cinetpay.client.api.operators import OPERATORS_BY_COUNTRY  # the same table as the client's
from django_cinetpay.client.vocabulary import COUNTRIES, region_for_prefix

from ..records import PaymentState, TreatmentStatus

#: Code → status name.
CODES: dict[int, str] = {
    200: "OK",
    100: "SUCCESS",
    -1: "OPERATION_ERROR",
    404: "NOT_FOUND",
    1002: "INVALID_TOKEN",
    1003: "EXPIRED_TOKEN",
    1004: "INVALID_PARAMS",
    1005: "INVALID_CREDENTIALS",
    1200: "TRANSACTION_EXIST",
    2001: "INITIATED",
    2002: "PENDING",
    2003: "EXPIRED",
    2004: "OTP_ERROR",
    2005: "INSUFFICIENT_BALANCE",
    2006: "USER_NOT_FOUND",
    2007: "USER_IS_BLOCKED",
    2008: "OTP_EXPIRED",
    2010: "FAILED",
    2011: "NOT_ALLOWED",
}
#: Status name → code.
STATUS_CODES: dict[str, int] = {name: code for code, name in CODES.items()}

OPERATORS: frozenset[str] = frozenset(code for codes in OPERATORS_BY_COUNTRY.values() for code in codes)
#: The brand behind each operator code's first part (brand names are not translated).
BRANDS: dict[str, str] = {
    "OM": "Orange Money",
    "MTN": "MTN Mobile Money",
    "MOOV": "Moov Money",
    "WAVE": "Wave",
    "FREE": "Free Money",
    "EXPRESSO": "E-Money Expresso",
    "TMONEY": "T-Money",
    "AIRTEL": "Airtel Money",
    "MPESA": "M-Pesa",
    "AFRICELL": "Afrimoney",
    "ZAMANI": "Zamani Cash",
}

CURRENCIES = ("XOF", "XAF", "GNF", "CDF", "USD")
CHANNELS = ("PUSH", "OTP", "QRCODE")
LANGUAGES = ("fr", "en")
#: (minimum, maximum) of one payment and of one transfer.
PAYMENT_LIMITS = (100, 2_500_000)
TRANSFER_LIMITS = (500, 1_500_000)
#: The longest merchant_transaction_id, and URL.
ID_LENGTH = 30
URL_LENGTH = 120
#: How long a login token is valid (the SDK caches it 23 h, under the API's 24 h).
TOKEN_LIFETIME = dt.timedelta(hours=24)

#: The code of a payment in each engine state: INITIATED, PENDING, SUCCESS, FAILED. A cancelled checkout
#: is ``FAILED`` (the simulator's decision: the API documents no cancelled status).
PAYMENT_CODES: dict[str, int] = {
    PaymentState.CREATED.value: 2001,
    PaymentState.WAITING.value: 2002,
    PaymentState.ACCEPTED.value: 100,
    PaymentState.REFUSED.value: 2010,
    PaymentState.CANCELLED.value: 2010,
}
#: The code of a transfer in each treatment status: PENDING, SUCCESS, FAILED.
TRANSFER_CODES: dict[str, int] = {
    TreatmentStatus.NEW.value: 2002,
    TreatmentStatus.VAL.value: 100,
    TreatmentStatus.REJ.value: 2010,
}

_INTERNATIONAL = re.compile(r"^\+\d{8,15}$")


def operator_name(code: str) -> str:
    """``OM_CI`` → ``Orange Money``; an unknown code as it is."""
    return BRANDS.get(code.rpartition("_")[0], code)


def country_currency(country: str) -> str:
    """The currency of a CinetPay country's account (``XOF`` for ``CI``)."""
    return COUNTRIES[country].currency


def split_number(phone: str) -> tuple[str, str, str] | None:
    """``+2250707000001`` → (``CI``, ``225``, ``0707000001``); ``None`` when not an international number
    of a CinetPay country."""
    if not _INTERNATIONAL.match(phone):
        return None
    digits = phone[1:]
    for length in (3, 2, 1):
        country = region_for_prefix(digits[:length])
        if country is not None and len(digits) > length:
            return country, digits[:length], digits[length:]
    return None
