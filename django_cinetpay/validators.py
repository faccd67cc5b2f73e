"""CinetPay's rules for an amount and a description, as validators a host's forms use too.

The payment service checks every payment with these before calling CinetPay; a host checks the same
values where a person types them (a listing's price and title), so the seller learns at once what CinetPay
would refuse, rather than the buyer at checkout. One set of rules, in one place.

Each validator raises :class:`~django_cinetpay.exceptions.PaymentValidationError`, a Django
``ValidationError``: in a form's ``clean_<field>()`` or ``clean()`` it becomes a form error as it is. The
messages are translated. Settings are read at call time, so ``override_settings`` applies.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from .client.vocabulary import CURRENCY_LIMITS, FORBIDDEN_DESCRIPTION_CHARS
from .conf import settings
from .exceptions import PaymentValidationError

__all__ = ["amount_limits", "validate_amount", "validate_currency", "validate_description"]

#: The longest description a payment keeps (CinetPay's ``description`` field).
DESCRIPTION_MAX_LENGTH = 255


def amount_limits(currency: str) -> tuple[int, int]:
    """(minimum, maximum) for ``currency``; ``CINETPAY_AMOUNT_LIMITS`` overrides the built-in table."""
    return {**CURRENCY_LIMITS, **settings.CINETPAY_AMOUNT_LIMITS}[currency]


def validate_currency(currency: str) -> str:
    """``currency`` if this site takes payments in it (``CINETPAY_CURRENCIES``); raises otherwise."""
    if currency not in settings.CINETPAY_CURRENCIES:
        raise PaymentValidationError(
            _("The currency %(currency)s is not accepted; use one of %(allowed)s.")
            % {"currency": currency, "allowed": ", ".join(settings.CINETPAY_CURRENCIES)},
            code="currency",
        )
    return currency


def validate_amount(amount: object, currency: str) -> int:
    """Check ``amount`` in ``currency`` as CinetPay would; return it as an ``int``.

    A whole number (CinetPay takes integers), in an accepted currency, a multiple of 5, within the
    currency's limits. Raises ``PaymentValidationError`` with a message that says what to type instead.
    """
    if isinstance(amount, bool) or not isinstance(amount, (int, Decimal)) or int(amount) != amount:
        raise PaymentValidationError(
            _("The amount must be a whole number (CinetPay takes integers), not %(amount)r.")
            % {"amount": amount},
            code="whole",
        )
    value = int(amount)
    validate_currency(currency)
    if value % 5:
        raise PaymentValidationError(
            _("CinetPay only accepts amounts that are multiples of 5; %(amount)s is not.")
            % {"amount": value},
            code="multiple_of_5",
        )
    low, high = amount_limits(currency)
    if not low <= value <= high:
        raise PaymentValidationError(
            _("The amount must be between %(low)s and %(high)s %(currency)s.")
            % {"low": low, "high": high, "currency": currency},
            code="limits",
        )
    return value


def validate_description(description: str) -> str:
    """Check a payment's description as CinetPay would; return it without surrounding blanks.

    Not empty, at most 255 characters, and none of the characters CinetPay refuses (``# / $ _ &``): they
    are refused here with their names rather than dropped, so the text the buyer sees is the one typed.
    """
    text = (description or "").strip()
    if not text:
        raise PaymentValidationError(_("A payment needs a description."), code="required")
    bad = sorted({c for c in text if c in FORBIDDEN_DESCRIPTION_CHARS})
    if bad:
        raise PaymentValidationError(
            _("The description may not contain the characters %(chars)s (CinetPay refuses them).")
            % {"chars": " ".join(bad)},
            code="forbidden_characters",
        )
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise PaymentValidationError(
            _("The description is %(length)s characters long; CinetPay takes at most %(max)s.")
            % {"length": len(text), "max": DESCRIPTION_MAX_LENGTH},
            code="max_length",
        )
    return text
