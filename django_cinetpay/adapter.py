"""The places a host project customises, in one class named by ``CINETPAY_ADAPTER`` (as in django-allauth).

Subclass :class:`DefaultAdapter`, override what you need, and point ``CINETPAY_ADAPTER`` at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

from .client.vocabulary import CURRENCY_PHONE_PREFIXES
from .exceptions import InvalidPhoneNumber
from .phones import parse_phone

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import CinetPayTransaction, EscrowTransaction

#: The two people a message goes to (``role`` in the adapter's message hooks).
BUYER = "buyer"
SELLER = "seller"


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


@dataclass(frozen=True)
class MessageRecipient:
    """Where messages to one person go, and in which language.

    ``email`` and ``phone`` (E.164, ``"+2250707070707"``) may be empty: that channel is then skipped for
    them. ``language`` is a language code of ``LANGUAGES`` (``"fr"``).
    """

    email: str = ""
    phone: str = ""
    language: str = ""


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

    # --- messages to buyers and sellers (django_cinetpay.messaging) ---------------------------------------

    def get_message_recipient(self, user: Any, role: str, payment: CinetPayTransaction) -> MessageRecipient:
        """Where messages about ``payment`` reach ``user``, its ``role`` (``"buyer"`` or ``"seller"``).

        Override this one method when your site keeps e-mail, phone or language in its own profile model.
        By default: the account's e-mail; for the buyer the number that paid, for the seller the number
        :meth:`get_payout_destination` pays; ``LANGUAGE_CODE``. Called after the payment's commit, with
        the escrow there once the payment is accepted.
        """
        from django.conf import settings as django_settings

        phone = ""
        if role == BUYER:
            prefix = payment.payer_phone_prefix.lstrip("+") or CURRENCY_PHONE_PREFIXES.get(
                payment.currency, ""
            )
            phone = _e164(prefix, payment.payer_phone)
        else:
            escrow = getattr(payment, "escrow", None)
            destination = self.get_payout_destination(escrow) if escrow is not None else None
            if destination is not None:
                phone = _e164(destination.prefix, destination.phone)
        return MessageRecipient(
            email=getattr(user, "email", "") or "", phone=phone, language=django_settings.LANGUAGE_CODE
        )

    def get_order_url(self, payment: CinetPayTransaction) -> str | None:
        """Where staff see the host's side of ``payment``'s order (e.g. a page with the buyer-seller chat),
        linked from the payment's admin page; ``None`` (the default) for none. A path or a full URL."""
        return None

    def get_message_url(self, payment: CinetPayTransaction, role: str) -> str:
        """The absolute link a message about ``payment`` gives ``role``: by default the payment's escrow
        page (its failure page when it was not paid), on ``CINETPAY_SITE_URL`` (else ``CINETPAY_BASE_URL``,
        else the current ``Site`` over https). Point it at your own order page; "" leaves the link out."""
        from django.urls import reverse

        from .conf import settings
        from .states import PaymentStatus

        base = settings.CINETPAY_SITE_URL or settings.CINETPAY_BASE_URL or _site_url()
        if not base:
            return ""
        name = "cinetpay:confirm" if payment.status == PaymentStatus.ACCEPTED else "cinetpay:failed"
        return base.rstrip("/") + reverse(name, kwargs={"transaction_id": payment.transaction_id})


def _e164(prefix: str, phone: str) -> str:
    """``phone`` of the country ``prefix`` in E.164 form, or "" when it is not a valid mobile number."""
    if not phone:
        return ""
    try:
        return parse_phone(phone, prefix=prefix or None).e164
    except InvalidPhoneNumber:
        return ""


def _site_url() -> str:
    """``https://`` and the domain of the current ``Site``, when ``django.contrib.sites`` is installed."""
    from django.apps import apps

    if not apps.is_installed("django.contrib.sites"):
        return ""
    from django.contrib.sites.models import Site

    return f"https://{Site.objects.get_current().domain}"


def get_adapter() -> DefaultAdapter:
    """The adapter named by ``CINETPAY_ADAPTER``, read now."""
    from .conf import settings

    return import_string(settings.CINETPAY_ADAPTER)()
