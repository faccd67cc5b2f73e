"""Which country's account and which operator a CinetPay API request goes to.

The CinetPay API is per country (one account, one pair of credentials each), and a transfer names the
recipient's operator (``OM_CI``, ``WAVE_SN`` …) where Transfer API v1 needed only the number. Neither is
something a payment or a payout records, so both are derived here, from what they do record:

* a payment's country from its currency when one CinetPay country takes it (XAF: Cameroon), else from the
  customer's number or country, else the one account configured for that currency;
* a transfer's operator from the number: libphonenumber knows which carrier a number range was given to
  (``phonenumbers.carrier``). A number moved to another operator keeps its old range (portability), so
  the derivation can be wrong there; CinetPay then refuses the transfer before sending (USER_NOT_FOUND)
  and staff set another destination. Wave is a wallet on any number, so it is never derived.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import carrier

from ..vocabulary import COUNTRIES, region_for_prefix, regions_for_currency

#: The operator codes CinetPay's API takes, per country (CinetPay's SDK, PAYMENT_METHODS_BY_COUNTRY).
OPERATORS_BY_COUNTRY: dict[str, tuple[str, ...]] = {
    "CI": ("OM_CI", "MOOV_CI", "MTN_CI", "WAVE_CI"),
    "BF": ("OM_BF", "MOOV_BF", "WAVE_BF"),
    "ML": ("OM_ML", "MOOV_ML"),
    "SN": ("OM_SN", "FREE_SN", "EXPRESSO_SN", "WAVE_SN"),
    "TG": ("MOOV_TG", "TMONEY_TG"),
    "GN": ("OM_GN", "MTN_GN"),
    "CM": ("OM_CM", "MTN_CM"),
    "BJ": ("MOOV_BJ", "MTN_BJ"),
    "CD": ("OM_CD", "AIRTEL_CD", "MPESA_CD", "AFRICELL_CD"),
    "NE": ("AIRTEL_NE", "MOOV_NE", "ZAMANI_NE"),
}

#: Carrier names as libphonenumber writes them (English; the first word is compared) → the operator's
#: mobile money, per country. Names that changed hands are listed under what CinetPay calls them now:
#: Free Senegal became Yas; Orange Niger became Zamani; Sotelma is Moov Africa Malitel; Togo Telecom
#: (Togocel) runs T-Money; Areeba is MTN Guinea; M-Pesa is Vodacom's.
CARRIER_OPERATORS: dict[str, dict[str, str]] = {
    "CI": {"orange": "OM_CI", "mtn": "MTN_CI", "moov": "MOOV_CI"},
    "BF": {"orange": "OM_BF", "moov": "MOOV_BF"},
    "ML": {"orange": "OM_ML", "moov": "MOOV_ML", "sotelma": "MOOV_ML", "malitel": "MOOV_ML"},
    "SN": {"orange": "OM_SN", "free": "FREE_SN", "yas": "FREE_SN", "expresso": "EXPRESSO_SN"},
    "TG": {"moov": "MOOV_TG", "togo": "TMONEY_TG", "togocel": "TMONEY_TG", "yas": "TMONEY_TG"},
    "GN": {"orange": "OM_GN", "mtn": "MTN_GN", "areeba": "MTN_GN"},
    "CM": {"orange": "OM_CM", "mtn": "MTN_CM"},
    "BJ": {"mtn": "MTN_BJ", "moov": "MOOV_BJ"},
    "CD": {"orange": "OM_CD", "airtel": "AIRTEL_CD", "vodacom": "MPESA_CD", "africell": "AFRICELL_CD"},
    "NE": {"airtel": "AIRTEL_NE", "moov": "MOOV_NE", "zamani": "ZAMANI_NE", "orange": "ZAMANI_NE"},
}

#: An operator code's family → the package's ``payment_method`` code (:data:`..vocabulary.PAYMENT_METHODS`),
#: so a payment shows "Orange Money" whichever API took it. Other families keep CinetPay's code.
_METHOD_FAMILIES = {"OM": "OM", "MTN": "MOMO", "MOOV": "FLOOZ", "WAVE": "WAVE"}


def payment_method(code: str) -> str:
    """The package's payment method code for the API's ``OM_CI``-style one (``"OM"``); others unchanged."""
    family = code.upper().split("_", 1)[0]
    return _METHOD_FAMILIES.get(family, code) if "_" in code else code


def operator_for_method(method: str, country: str) -> str:
    """The API's operator code for a package ``payment_method`` code in ``country`` (``"MOMO"``, ``"CI"`` →
    ``"MTN_CI"``); ``""`` when the country has no such operator. An operator code is returned as it is."""
    if "_" in method:
        return method.upper()
    family = next((f for f, code in _METHOD_FAMILIES.items() if code == method.upper()), "")
    operator = f"{family}_{country}"
    return operator if family and operator in OPERATORS_BY_COUNTRY.get(country, ()) else ""


def parse_number(phone: str, region: str = "") -> phonenumbers.PhoneNumber | None:
    """``phone`` parsed (international, or national in ``region``), or ``None`` when it does not parse."""
    try:
        number = phonenumbers.parse(phone, region or None)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def international(number: phonenumbers.PhoneNumber) -> str:
    """``+2250707070707``: the form the CinetPay API takes."""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def operator_for(number: phonenumbers.PhoneNumber, country: str) -> str:
    """The CinetPay operator code of ``number`` in ``country``, or ``""`` when it cannot be told."""
    name = carrier.name_for_number(number, "en").strip().lower()
    table = CARRIER_OPERATORS.get(country, {})
    first = name.split()[0] if name else ""
    return table.get(first, "")


def region_of_number(phone: str) -> str:
    """The CinetPay country of an international number (``"+225…"``), or ``""``."""
    number = parse_number(phone) if phone.strip().startswith("+") else None
    return region_for_prefix(str(number.country_code)) or "" if number else ""


def payment_country(currency: str, phone: str, customer_country: str, configured: tuple[str, ...]) -> str:
    """The country whose account takes a payment in ``currency``, or ``""`` when nothing tells it.

    In order: the only CinetPay country of the currency; the customer's number's country, or the
    customer's country, when it takes the currency; the only configured country that takes it.
    """
    candidates = regions_for_currency(currency) if currency.upper() in _currencies() else ()
    if len(candidates) == 1:
        return candidates[0]
    for region in (region_of_number(phone), customer_country.strip().upper()):
        if region in candidates:
            return region
    mine = [c for c in configured if c in candidates]
    return mine[0] if len(mine) == 1 else ""


def _currencies() -> set[str]:
    return {currency for c in COUNTRIES.values() for currency in (c.currency, *c.other_currencies)}
