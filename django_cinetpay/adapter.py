"""The places a host project customises, in one class named by ``CINETPAY_ADAPTER`` (as in django-allauth).

Subclass :class:`DefaultAdapter`, override what you need, and point ``CINETPAY_ADAPTER`` at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

from .client.vocabulary import CURRENCY_PHONE_PREFIXES

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import CinetPayTransaction, EscrowTransaction


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
