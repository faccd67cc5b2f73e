"""Phone numbers money is sent to, parsed with Google's libphonenumber (the ``phonenumbers`` package).

Refunds and seller payouts go to the numbers stored here, so a number is accepted only when it is a valid
*mobile* number of a country CinetPay serves, and it is stored in one normalised form: the calling code
without ``+`` (``"225"``) and the national significant number (``"0707070707"`` in Côte d'Ivoire, where
the leading 0 belongs to the number), which is what CinetPay's Transfer API wants; E.164
(``"+2250707070707"``) where CinetPay's checkout takes a whole number. A prefix is never glued to a
number that already carries one: what people type (spaces, dots, dashes, ``+225``, ``00225``) is parsed,
never concatenated. The countries, their calling codes and currencies come from
:mod:`django_cinetpay.client.vocabulary`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext

from .client.vocabulary import COUNTRIES, region_for_prefix
from .exceptions import InvalidPhoneNumber

_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
#: What people type: digits and the usual separators, with an optional leading ``+``. Letters are refused
#: (libphonenumber would read them as a keypad's vanity letters).
_TYPED = re.compile(r"\+?[0-9 .\-()/]{4,30}")


@dataclass(frozen=True)
class Phone:
    """A valid mobile number of a CinetPay country, in the forms CinetPay's APIs take."""

    e164: str  # "+2250707070707": the checkout's customer_phone_number
    prefix: str  # "225": the calling code without "+"
    national: str  # "0707070707": the national significant number, the Transfer API's phone
    region: str  # "CI"


def example(region: str, *, international: bool = False) -> str:
    """An example mobile number of ``region``, as people write it (``"01 23 45 6789"``)."""
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:  # libphonenumber has one for every CinetPay country; not for made-up regions
        return ""
    style = (
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
        if international
        else phonenumbers.PhoneNumberFormat.NATIONAL
    )
    return phonenumbers.format_number(number, style)


def _refusal(regions: Iterable[str]) -> InvalidPhoneNumber:
    """The error for a number that is not a mobile number of ``regions``, with an example to follow."""
    regions = list(regions)
    if len(regions) == 1:
        return InvalidPhoneNumber(
            gettext("Enter a mobile number from %(country)s, e.g. %(example)s.")
            % {"country": gettext(COUNTRIES[regions[0]].name), "example": example(regions[0])}
        )
    return InvalidPhoneNumber(
        gettext(
            "Enter a mobile number with its country code (accepted countries: %(countries)s), "
            "e.g. %(example)s."
        )
        % {
            "countries": ", ".join(gettext(COUNTRIES[r].name) for r in regions),
            "example": example(regions[0], international=True),
        }
    )


def _cleaned(raw: str, regions: Iterable[str]) -> str:
    """``raw`` with the international ``00`` written as ``+``; refused when it cannot be a phone number."""
    text = (raw or "").strip()
    if not _TYPED.fullmatch(text):
        raise _refusal(regions)
    return "+" + text[2:] if text.startswith("00") else text


@functools.lru_cache(maxsize=4096)
def _mobile(text: str, region: str | None) -> Phone | None:
    """``text`` parsed in ``region`` (ignored when it carries ``+``), if it is a CinetPay country's mobile.

    Cached: a pure function of its arguments returning a frozen value, and parsing costs ~0.1 ms —
    a release batch reads the same sellers' numbers over and over (a fifth of a 10,000-escrow release
    was spent here before).
    """
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    found = phonenumbers.region_code_for_number(number)
    if (
        found not in COUNTRIES
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        return None
    return Phone(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        prefix=str(number.country_code),
        national=phonenumbers.national_significant_number(number),
        region=found,
    )


def parse_phone(raw: str, *, region: str | None = None, prefix: str | None = None) -> Phone:
    """The mobile number ``raw`` as people type it, or :class:`InvalidPhoneNumber`.

    ``prefix`` (a calling code) is the country the number must belong to; ``region`` (ISO-2, ignored
    unless a CinetPay country) the country assumed when the number does not say (no ``+225`` or
    ``00225``). With neither, the number must carry its calling code. A number already carrying its
    country's code (``"2250707070707"``) is understood.
    """
    if prefix:
        region = region_for_prefix(prefix)
    elif region not in COUNTRIES:
        region = None
    expected = [region] if region else list(COUNTRIES)
    if prefix and region is None:
        raise _refusal(expected)
    phone = _mobile(_cleaned(raw, expected), region)
    if phone is None or (prefix and phone.region != region):
        raise _refusal(expected)
    return phone


def parse_phone_in(raw: str, regions: Iterable[str]) -> Phone:
    """The mobile number ``raw`` of one of ``regions`` (e.g. the countries of a payment's currency).

    A number typed with its calling code must be of one of them. Without one, it is read in each of them
    and accepted when it is valid in exactly one; a number valid in several (8-digit numbers of Burkina
    Faso, Mali, Niger and Togo may be) is refused with a request for its calling code.
    """
    regions = list(regions)
    text = _cleaned(raw, regions)
    tried = [None] if text.startswith("+") else regions  # a calling code typed decides the country
    found = [_mobile(text, region) for region in tried]
    matches = [phone for phone in found if phone is not None and phone.region in regions]
    if len(matches) != 1:
        raise _refusal(regions)
    return matches[0]


def is_normalised(prefix: str, national: str) -> bool:
    """Whether a stored ``prefix`` and ``national`` number are a valid mobile number in the stored form."""
    try:
        phone = parse_phone(national, prefix=prefix)
    except InvalidPhoneNumber:
        return False
    return (phone.prefix, phone.national) == (prefix, national)
