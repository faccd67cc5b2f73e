"""How money and payment methods read to people: ``15 000 XOF`` in French, ``15,000 XOF`` in English,
``Orange Money`` rather than ``OM``.

One place for it, because the admin, the reports, the pages buyers see and the e-mails and SMS all show
the same amounts; the active language (``translation.override`` in messages) picks the separators.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext

from .client.vocabulary import PAYMENT_METHODS

__all__ = ["money", "payment_method_name"]


def money(amount: int | None, currency: str = "") -> str:
    """``amount`` grouped by thousands for the active language, then its currency code.

    CinetPay's currencies have no minor unit in use (XOF, XAF, GNF, CDF) or are sent as whole units
    (USD), so no decimals are shown. ``None`` (no amount yet) reads as an empty string.
    """
    if amount is None:
        return ""
    grouped = number_format(int(amount), decimal_pos=0, force_grouping=True)
    return f"{grouped}\N{NO-BREAK SPACE}{currency}" if currency else grouped


def payment_method_name(code: str | None) -> str:
    """The name people know a CinetPay ``payment_method`` code by (``OM`` → Orange Money); an unknown
    code is shown as it is, an empty one as an empty string."""
    if not code:
        return ""
    name = PAYMENT_METHODS.get(code.upper())
    return gettext(name) if name else code
