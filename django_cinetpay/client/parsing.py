"""Lenient readers of the values in CinetPay's JSON answers, shared by the Checkout and Transfer clients.

CinetPay's answers change shape between API versions and over the years (amounts as strings or numbers,
blank dates written ``" "``, missing keys, ``null``): every reader here gives an empty or ``None`` value
for what it cannot read, never an exception, so that an odd answer is judged by the caller's rules
("not paid", "still in progress") instead of crashing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


def text(value: object) -> str:
    """``value`` as a stripped string; ``None`` gives ``""``."""
    return "" if value is None else str(value).strip()


def int_or_none(value: object) -> int | None:
    """A whole number written as a number or a string (``"100"``, ``100.0``), else ``None``."""
    written = text(value)
    if not written:
        return None
    try:
        number = float(written)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def date_or_none(value: object) -> dt.datetime | None:
    """A naive datetime in one of the formats CinetPay writes (its local time), else ``None``."""
    written = text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(written, fmt)
        except ValueError:
            continue
    return None


def data_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` object of an answer, or ``{}`` when it is missing or not an object."""
    data = payload.get("data")
    return data if isinstance(data, dict) else {}
