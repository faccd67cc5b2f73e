"""What a customer does on CinetPay's checkout page, and the notifications that follow, for both APIs.

The checkout page is the same for a Checkout v2 payment and an OAuth API payment: only what it offers
(:func:`payment_methods`) and what CinetPay posts afterwards (a signed form after every change for v2, a
JSON document with the ``notify_token`` once final for the OAuth API) differ.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import secrets

from django_cinetpay.client.api.operators import operator_for_method
from django_cinetpay.client.vocabulary import (
    CHANNEL_METHODS,
    COUNTRY_PHONE_PREFIXES,
    CURRENCY_PHONE_PREFIXES,
    PAYMENT_METHODS,
)

from .context import Context
from .faults import PAYMENT_NOTIFICATION, Fault
from .notifications import Delivery, Outbound, oauth_payment_notification, payment_notification
from .oauth.vocabulary import OPERATORS_BY_COUNTRY, operator_name
from .records import Api, Payment, PaymentState

#: (code, message, data.status) answered by ``payment/check`` for each state.
CHECK_ANSWERS: dict[str, tuple[str, str, str]] = {
    PaymentState.CREATED.value: ("662", "WAITING_CUSTOMER_PAYMENT", "WAITING_FOR_CUSTOMER"),
    PaymentState.WAITING.value: ("623", "WAITING_CUSTOMER_TO_VALIDATE", "WAITING_FOR_CUSTOMER"),
    PaymentState.ACCEPTED.value: ("00", "SUCCES", "ACCEPTED"),
    PaymentState.REFUSED.value: ("600", "PAYMENT_FAILED", "REFUSED"),
    PaymentState.CANCELLED.value: ("627", "TRANSACTION_CANCEL", "REFUSED"),
}

#: The default calling code of each currency (CINETPAY_API.md §6); XOF, used in seven countries, takes Côte
#: d'Ivoire's here, where the adapter of a real site would rather leave it unknown.
CURRENCY_PREFIXES = {"XOF": "225", **CURRENCY_PHONE_PREFIXES}

PHONE_PATTERN = re.compile(r"^\+?[0-9]{8,15}$")


class Outcome(str, enum.Enum):
    """What the customer does on the checkout page."""

    PAY = "pay"
    REFUSE = "refuse"  # the operator refuses (wrong PIN, balance too low …)
    CANCEL = "cancel"  # the customer leaves
    WAIT = "pending"  # a push operator waits for the customer to confirm on the phone


#: State and ``cpm_error_message`` after each outcome.
_OUTCOMES = {
    Outcome.PAY: PaymentState.ACCEPTED,
    Outcome.REFUSE: PaymentState.REFUSED,
    Outcome.CANCEL: PaymentState.CANCELLED,
    Outcome.WAIT: PaymentState.WAITING,
}


class CustomerError(ValueError):
    """The customer's action cannot happen (final payment, bad phone number, method not offered …)."""


class UnknownPaymentError(LookupError):
    """No simulated payment has this token or transaction id."""


def methods_for(channels: str) -> list[str]:
    """The payment methods a payment with these ``channels`` offers, in display order."""
    wanted = {m for channel in channels.split(",") for m in CHANNEL_METHODS.get(channel.strip(), ())}
    return [m for m in PAYMENT_METHODS if m in wanted]


def payment_methods(payment: Payment) -> list[str]:
    """What the checkout offers for ``payment``: by its channels (v2); on the OAuth API, the operators of
    the account's country, or only the one the merchant chose."""
    if payment.api == Api.OAUTH.value:
        return (
            [payment.payment_method]
            if payment.payment_method
            else list(OPERATORS_BY_COUNTRY[payment.country])
        )
    return methods_for(payment.channels)


def exit_url(payment: Payment) -> str:
    """Where the checkout sends the customer back: ``return_url`` (v2, by POST); on the OAuth API (by
    GET) ``success_url`` once paid, else ``failed_url``."""
    if payment.api == Api.OAUTH.value and payment.state != PaymentState.ACCEPTED.value:
        return payment.failed_url
    return payment.return_url


def method_name(code: str) -> str:
    """A payment method's name for people, whichever API's code it is (``OM`` or ``OM_CI``); untranslated."""
    return PAYMENT_METHODS.get(code) or operator_name(code)


def default_prefix(payment: Payment) -> str:
    """The calling code to suggest: the account's (OAuth), else the customer's country's, else the
    currency's."""
    country = (payment.country or payment.customer.get("customer_country", "")).upper()
    return COUNTRY_PHONE_PREFIXES.get(country) or CURRENCY_PREFIXES.get(payment.currency, "225")


def digits(phone: str) -> str:
    return re.sub(r"[\s.-]", "", phone or "")


class CheckoutPage:
    """The customer's side of the checkout: find a payment, act on it, notify the merchant."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def find(self, *, token: str = "", transaction_id: str = "") -> Payment:
        payment = self.context.store.find_payment(token=token, transaction_id=transaction_id)
        if payment is None:
            raise UnknownPaymentError(token or transaction_id)
        return payment

    def act(
        self,
        payment: Payment,
        outcome: Outcome,
        *,
        method: str = "",
        phone: str = "",
        prefix: str = "",
        notification: Fault | None = None,
    ) -> list[Delivery]:
        """The customer's ``outcome`` on ``payment``'s checkout, then CinetPay's notification(s).

        Paying after ``pending`` reuses the method and phone chosen then. Raises :class:`CustomerError`.
        Returns what the notify_url answered (nothing when the notification is ``lost``).
        """
        with self.context.store.atomic():
            current = self.find(token=payment.token)
            self._apply(current, outcome, method=method, phone=phone, prefix=prefix)
            outbound = self._notification(current)
            if outbound is not None:
                current.notifications.append(outbound.to_snapshot())
            self.context.store.save_payment(current)
        return [] if outbound is None else self._send(current, 1, notification)

    def _notification(self, payment: Payment) -> Outbound | None:
        """What CinetPay posts after this change: v2 notifies every change; the OAuth API final ones only."""
        if payment.api == Api.OAUTH.value:
            return oauth_payment_notification(payment) if payment.is_final else None
        return payment_notification(
            payment,
            secret=self.context.credentials.secret_key,
            sent_at=self.context.now_text(),
            signature=secrets.token_hex(16),
            message=CHECK_ANSWERS[payment.state][1],
        )

    def resend(self, payment: Payment, *, notification: Fault | None = None) -> list[Delivery]:
        """Send the latest notification of ``payment`` again, as CinetPay may at any time."""
        current = self.find(token=payment.token)
        if not current.notifications:
            raise CustomerError("No notification was sent for this payment yet.")
        return self._send(current, 1, notification)

    def _send(self, payment: Payment, new: int, notification: Fault | None) -> list[Delivery]:
        deliveries = self.context.send(
            payment.notifications, new, target=PAYMENT_NOTIFICATION, fault=notification
        )
        if deliveries:
            with self.context.store.atomic():
                current = self.find(token=payment.token)
                current.deliveries = self.context.delivery_log(current.deliveries, deliveries)
                self.context.store.save_payment(current)
        return deliveries

    def _apply(self, payment: Payment, outcome: Outcome, *, method: str, phone: str, prefix: str) -> None:
        if payment.is_final:
            raise CustomerError(f"This payment is already {payment.state}.")
        if outcome is Outcome.WAIT and payment.state == PaymentState.WAITING.value:
            raise CustomerError("This payment already waits for the customer's confirmation.")
        if outcome is not Outcome.CANCEL:
            method = (method or payment.payment_method).upper()
            if payment.api == Api.OAUTH.value:  # "MOMO" as Checkout v2 names it: MTN_CI on the API
                method = operator_for_method(method, payment.country) or method
            offered = payment_methods(payment)
            if method not in offered:
                raise CustomerError(f"Choose one of: {', '.join(method_name(m) for m in offered)}.")
            if outcome is Outcome.WAIT and method == "CARD":
                raise CustomerError("Card payments do not wait for a confirmation on a phone.")
            payment.payment_method = method
            payment.phone_number, payment.phone_prefix = self._phone(payment, method, phone, prefix)
        payment.state = _OUTCOMES[outcome].value
        if outcome is Outcome.PAY:
            now = self.context.clock().astimezone(dt.timezone.utc)
            payment.payment_date = self.context.now_text()
            payment.operator_id = f"MP{now:%y%m%d.%H%M}.{secrets.token_hex(3).upper()[:6]}"

    @staticmethod
    def _phone(payment: Payment, method: str, phone: str, prefix: str) -> tuple[str, str]:
        locked = (
            digits(payment.customer.get("customer_phone_number", "")) if payment.lock_phone_number else ""
        )
        number = digits(phone) or payment.phone_number or (locked if method == "CARD" else "")
        prefix = (prefix or payment.phone_prefix or default_prefix(payment)).lstrip("+")
        if method == "CARD" and not number:
            return "", prefix
        if not PHONE_PATTERN.match(number):
            raise CustomerError("Enter the phone number of the account that pays (8 to 15 digits).")
        if locked and number.lstrip("+") != locked.lstrip("+") and not locked.endswith(number):
            raise CustomerError("This payment can only be paid from the number the merchant gave.")
        return number.lstrip("+"), prefix
