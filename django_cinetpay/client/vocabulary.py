"""CinetPay's vocabulary: the countries, calling codes, currencies, channels, payment methods, amount limits
and field rules its APIs speak (CINETPAY_API.md §1 and §6), in one place.

Everything that names or checks one of these words reads it here: the clients, the services, the forms,
:mod:`django_cinetpay.phones`, the system checks, the settings' validation and the simulator. So the
simulator cannot accept what the package refuses, a label cannot differ between two pages, and a country
added to :data:`COUNTRIES` is known everywhere at once.

Data and small pure functions only: no settings, no database, no models. Names for people are marked with
``gettext_noop`` and translated where they are shown (``gettext(COUNTRIES["CI"].name)``), as in
:mod:`.codes`; brand names (Orange Money …) are not marked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

# --- countries and currencies --------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    """A country CinetPay serves."""

    code: str  # ISO 3166 alpha-2: "CI"
    name: str  # for people, marked for translation
    prefix: str  # the calling code, without "+": "225"
    #: The country's currency: payments are taken in it and CinetPay pays transfers to its numbers in it.
    currency: str
    #: Currencies the checkout also takes there, which a transfer (it carries no currency) cannot pay.
    other_currencies: tuple[str, ...] = ()


#: The countries CinetPay serves, by ISO code, in the order forms and messages list them.
COUNTRIES: dict[str, Country] = {
    country.code: country
    for country in (
        Country("CI", gettext_noop("Côte d'Ivoire"), "225", "XOF"),
        Country("SN", gettext_noop("Senegal"), "221", "XOF"),
        Country("BF", gettext_noop("Burkina Faso"), "226", "XOF"),
        Country("ML", gettext_noop("Mali"), "223", "XOF"),
        Country("NE", gettext_noop("Niger"), "227", "XOF"),
        Country("TG", gettext_noop("Togo"), "228", "XOF"),
        Country("BJ", gettext_noop("Benin"), "229", "XOF"),
        Country("GN", gettext_noop("Guinea"), "224", "GNF"),
        Country("CM", gettext_noop("Cameroon"), "237", "XAF"),
        Country("CD", gettext_noop("DR Congo"), "243", "CDF", other_currencies=("USD",)),
    )
}
#: Currencies CinetPay's Checkout API takes, in the order messages list them.
KNOWN_CURRENCIES: tuple[str, ...] = ("XOF", "XAF", "CDF", "GNF", "USD")


def _countries_taking(currency: str) -> list[Country]:
    return [c for c in COUNTRIES.values() if currency in (c.currency, *c.other_currencies)]


# The lookups below are derived from COUNTRIES, never written by hand.

#: ISO code → calling code.
COUNTRY_PHONE_PREFIXES: dict[str, str] = {code: c.prefix for code, c in COUNTRIES.items()}
#: Calling code → the currency CinetPay pays a transfer to such a number in.
PREFIX_CURRENCIES: dict[str, str] = {c.prefix: c.currency for c in COUNTRIES.values()}
#: Currencies taken in one country only, so that the currency alone gives the calling code (XAF → 237);
#: XOF spans seven countries and gives none.
CURRENCY_PHONE_PREFIXES: dict[str, str] = {
    currency: _countries_taking(currency)[0].prefix
    for currency in KNOWN_CURRENCIES
    if len(_countries_taking(currency)) == 1
}
#: Currencies whose transfers are never sent automatically: RD Congo (+243) pays in CDF *and* USD, and a
#: send cannot say which, so a USD amount could be paid out as that many Congolese francs.
AMBIGUOUS_TRANSFER_CURRENCIES: frozenset[str] = frozenset(
    currency for c in COUNTRIES.values() for currency in c.other_currencies
)
_REGIONS_BY_PREFIX: dict[str, str] = {c.prefix: code for code, c in COUNTRIES.items()}


def region_for_prefix(prefix: str) -> str | None:
    """The CinetPay country of calling code ``prefix`` (``"225"`` or ``"+225"``), or ``None``."""
    return _REGIONS_BY_PREFIX.get((prefix or "").strip().lstrip("+"))


def regions_for_currency(currency: str) -> tuple[str, ...]:
    """The CinetPay countries whose people pay in ``currency``; every CinetPay country when it is unknown.

    XOF spans seven countries; XAF, GNF, CDF and USD are taken in one country each among CinetPay's.
    """
    found = tuple(c.code for c in _countries_taking((currency or "").upper()))
    return found or tuple(COUNTRIES)


def transfer_currency_problem(prefix: str, currency: str) -> str:
    """Why money in ``currency`` may not be sent to a number with calling code ``prefix``, or ``""``.

    CinetPay pays a transfer in the currency of the recipient's country whatever currency the money
    was taken in, so a mismatch would pay the wrong amount (10 000 XAF sent as 10 000 GNF).
    """
    prefix = (prefix or "").lstrip("+").strip()
    currency = (currency or "").upper()
    if currency in AMBIGUOUS_TRANSFER_CURRENCIES:
        return (
            f"CinetPay transfers cannot say which currency to pay, and {currency} is not the only "
            f"currency of the countries that use it: a {currency} amount is never sent automatically. "
            "Pay it by hand from the CinetPay back-office."
        )
    expected = PREFIX_CURRENCIES.get(prefix)
    if expected is None:
        return (
            f"No known currency for calling code +{prefix}: CinetPay pays a transfer in the currency "
            f"of the recipient's country, so this {currency} payout is not sent. Set a destination "
            f"in a {currency} country."
        )
    if expected != currency:
        return (
            f"CinetPay pays transfers to +{prefix} in {expected}, not {currency} (a transfer carries "
            f"no currency): sending this payout would pay the wrong amount, so it is not sent. Set a "
            f"destination in a {currency} country, or pay it by hand."
        )
    return ""


#: Per-currency (minimum, maximum) payment amounts, in the currency's unit. CinetPay publishes only some
#: minimums (100 XOF/XAF; older docs 400 CDF); maximums are not published, so the ones here are
#: conservative, and a project overrides them with ``CINETPAY_AMOUNT_LIMITS``.
CURRENCY_LIMITS: dict[str, tuple[int, int]] = {
    "XOF": (100, 3_000_000),
    "XAF": (100, 3_000_000),
    "GNF": (1_000, 50_000_000),
    "CDF": (400, 10_000_000),
    "USD": (1, 5_000),
}

# --- how customers pay ---------------------------------------------------------------------------------

#: The ``payment_method`` codes of Checkout v2 notifications and check answers → their names. The codes
#: CINETPAY_API.md §6 documents (Côte d'Ivoire: ``OM``, ``MOMO``, ``FLOOZ``; Wave) and the card code the
#: simulator and the testing kit send. A notification with another code is still confirmed by a check
#: call; only its payer number is not taken. Add codes here as CinetPay's answers show them.
PAYMENT_METHODS: dict[str, str] = {
    "OM": "Orange Money",
    "MOMO": "MTN Mobile Money",
    "FLOOZ": "Moov Money",
    "WAVE": "Wave",
    "CARD": gettext_noop("Bank card"),
}
#: The values of the checkout's ``channels`` field (several may be joined with commas) → their names.
CHANNELS: dict[str, str] = {
    "ALL": gettext_noop("All payment methods"),
    "MOBILE_MONEY": gettext_noop("Mobile Money (Orange, MTN, Moov, Wave)"),
    "CREDIT_CARD": gettext_noop("Bank card (Visa, Mastercard)"),
    "WALLET": gettext_noop("CinetPay wallet"),
}
KNOWN_CHANNELS: tuple[str, ...] = tuple(CHANNELS)
#: The payment methods each channel offers on CinetPay's checkout page (CinetPay does not publish the exact
#: list per country; this is what the simulator offers).
CHANNEL_METHODS: dict[str, tuple[str, ...]] = {
    "ALL": tuple(PAYMENT_METHODS),
    "MOBILE_MONEY": ("OM", "MOMO", "FLOOZ", "WAVE"),
    "CREDIT_CARD": ("CARD",),
    "WALLET": ("WAVE",),
}

# --- what a payment carries ----------------------------------------------------------------------------

#: The ``customer_*`` fields of ``POST /payment``. ``customer_name`` is the family name and
#: ``customer_surname`` the given name (sources disagree; this project decided so).
CUSTOMER_FIELDS: tuple[str, ...] = (
    "customer_id",
    "customer_name",
    "customer_surname",
    "customer_email",
    "customer_phone_number",
    "customer_address",
    "customer_city",
    "customer_country",
    "customer_state",
    "customer_zip_code",
)
#: The customer fields CinetPay requires for card payments (``customer_id`` is the merchant's own).
CARD_CUSTOMER_FIELDS: tuple[str, ...] = tuple(name for name in CUSTOMER_FIELDS if name != "customer_id")
#: Characters CinetPay refuses in a payment's ``description``.
FORBIDDEN_DESCRIPTION_CHARS = "#/$_&"
