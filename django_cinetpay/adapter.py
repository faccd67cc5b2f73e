"""The places a host project customises, in one class named by ``CINETPAY_ADAPTER`` (as in django-allauth).

Subclass :class:`DefaultAdapter`, override what you need, and point ``CINETPAY_ADAPTER`` at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import CinetPayTransaction, EscrowTransaction

#: Country calling codes of the countries CinetPay serves (ISO 3166 alpha-2 → prefix).
COUNTRY_PHONE_PREFIXES: dict[str, str] = {
    "CI": "225",
    "SN": "221",
    "BF": "226",
    "ML": "223",
    "NE": "227",
    "TG": "228",
    "BJ": "229",
    "GN": "224",
    "CM": "237",
    "CD": "243",
}
#: Currencies CinetPay only takes in one country, so the currency alone gives the calling code
#: (XOF spans seven countries and gives none).
CURRENCY_PHONE_PREFIXES: dict[str, str] = {"GNF": "224", "XAF": "237", "CDF": "243", "USD": "243"}
#: The currency a transfer to each calling code is paid in (CINETPAY_API.md §6). A Transfer API send
#: carries no currency: CinetPay pays in the currency of the recipient's country, so a payout is only
#: sent where this table gives its own currency.
PREFIX_CURRENCIES: dict[str, str] = {
    "225": "XOF",
    "221": "XOF",
    "226": "XOF",
    "223": "XOF",
    "227": "XOF",
    "228": "XOF",
    "229": "XOF",
    "224": "GNF",
    "237": "XAF",
    "243": "CDF",
}
#: Currencies whose transfers are never sent automatically: RD Congo (+243) pays in CDF *and* USD, and a
#: send cannot say which, so a USD amount could be paid out as that many Congolese francs.
AMBIGUOUS_TRANSFER_CURRENCIES = frozenset({"USD"})


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


@dataclass(frozen=True)
class PayoutDestination:
    """Where CinetPay's Transfer API sends money: a mobile money number and the contact's identity.

    ``prefix`` is the country calling code (``"225"``); ``phone`` the number as the host holds it
    (``"0707070707"``, ``"07 07 07 07 07"``, ``"+225 07 07 07 07 07"``: it is parsed with libphonenumber
    in the prefix's country and stored normalised; with an empty prefix it must carry its calling code).
    A number that is not a valid mobile number there leaves the payout pending, with the reason for
    staff: nothing is sent to it. ``name`` is the family name and ``surname`` the given name, as in
    CinetPay's contact API, which wants all five fields.
    """

    prefix: str
    phone: str
    name: str = ""
    surname: str = ""
    email: str = ""


class DefaultAdapter:
    """Default behaviour; every method may be overridden."""

    def get_customer_initial(self, request: HttpRequest, transaction: CinetPayTransaction) -> dict[str, Any]:
        """Initial values of the payment form's customer fields, from the buyer's account.

        ``customer_name`` is the family name and ``customer_surname`` the given name.
        """
        user = transaction.buyer
        return {
            "customer_name": getattr(user, "last_name", "") or "",
            "customer_surname": getattr(user, "first_name", "") or "",
            "customer_email": getattr(user, "email", "") or "",
        }

    def get_payment_metadata(self, transaction: CinetPayTransaction) -> str:
        """The ``metadata`` string sent to CinetPay (comes back in notifications and checks)."""
        return transaction.metadata or transaction.transaction_id

    def one_payment_per_order(self, order: Any) -> bool:
        """Whether ``order`` (the ``order=`` given to ``create_payment``) is paid at most once.

        ``True`` (the default): a second accepted payment of the order is a duplicate, refunded to its
        payer (``CINETPAY_DUPLICATE_PAYMENT_ACTION``) and never reaches the seller. Return ``False`` for
        objects that are really paid several times (a donation page, an item sold with stock).
        """
        return True

    def get_commission_rate(self, transaction: CinetPayTransaction) -> Decimal | None:
        """The marketplace's commission rate for ``transaction`` (e.g. per seller or per category).

        Used when the payment has no ``commission_rate`` of its own; ``None`` falls back to
        ``CINETPAY_COMMISSION_RATE``. Must be between 0 (included) and 1 (excluded).
        """
        return None

    def get_payout_destination(self, escrow: EscrowTransaction) -> PayoutDestination | None:
        """Where the seller of ``escrow`` is paid. **Implement this** to pay sellers.

        Typically read from the seller's profile. ``None`` (the default) leaves the payout pending, with
        an error shown to staff, until a destination is known: nothing is sent without one.
        """
        return None

    def get_refund_destination(self, escrow: EscrowTransaction) -> PayoutDestination | None:
        """Where a refund of ``escrow`` goes: by default the number that paid.

        The prefix comes from CinetPay's verified payment notification, else from a currency used in
        one country only (XAF, GNF, CDF …); ``None`` when the paying number or its prefix is unknown, and
        staff set the destination. The country the buyer typed in the payment form is never used: a
        wrong one would send real money to another country's number. Names and e-mail come from the
        payment form, else from the buyer's account.
        """
        payment = escrow.payment
        buyer = payment.buyer
        prefix = payment.payer_phone_prefix.lstrip("+").strip() or CURRENCY_PHONE_PREFIXES.get(
            payment.currency.upper(), ""
        )
        if not payment.payer_phone or not prefix:
            return None
        return PayoutDestination(
            prefix=prefix,
            phone=payment.payer_phone,
            name=payment.customer_name or getattr(buyer, "last_name", ""),
            surname=payment.customer_surname or getattr(buyer, "first_name", ""),
            email=payment.customer_email or getattr(buyer, "email", ""),
        )


def get_adapter() -> DefaultAdapter:
    """The adapter named by ``CINETPAY_ADAPTER``, read now."""
    from .conf import settings

    return import_string(settings.CINETPAY_ADAPTER)()
