"""Checkout API v2 as CinetPay answers it (CINETPAY_API.md §1-3), and what a customer does on the checkout.

``code`` is always a string here, as in CinetPay's answers. Where the spec is silent the simulator decides,
and says so: errors are answered with HTTP 400 (404 for an unknown transaction; the CDN's 1010 is a
plain 403 page); a non-integer amount, an amount that is not a multiple of 5, a forbidden description
character or an unknown channel are 608 with a description naming the problem; a reused
``transaction_id`` is 620; ``lock_phone_number`` with a missing or malformed phone is 624.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from django_cinetpay.client.codes import CHECKOUT_CODES
from django_cinetpay.client.vocabulary import (
    CARD_CUSTOMER_FIELDS,
    CHANNEL_METHODS,
    COUNTRY_PHONE_PREFIXES,
    CURRENCY_LIMITS,
    CURRENCY_PHONE_PREFIXES,
    CUSTOMER_FIELDS,
    FORBIDDEN_DESCRIPTION_CHARS,
    KNOWN_CHANNELS,
    KNOWN_CURRENCIES,
    PAYMENT_METHODS,
)

from .context import Context
from .faults import PAYMENT_NOTIFICATION, Fault
from .messages import ApiRequest, Reply, integer
from .notifications import Delivery, payment_notification
from .records import Payment, PaymentState
from .store import AlreadyExistsError

REQUIRED_FIELDS = (
    "apikey",
    "site_id",
    "transaction_id",
    "amount",
    "currency",
    "description",
    "notify_url",
    "return_url",
)
#: Messages the spec quotes where they differ from the code table's names.
MESSAGES = {"624": "An error occurred while processing the request"}

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

_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


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


def default_prefix(payment: Payment) -> str:
    """The calling code to suggest: the customer's country's, else the currency's."""
    country = payment.customer.get("customer_country", "").upper()
    return COUNTRY_PHONE_PREFIXES.get(country) or CURRENCY_PREFIXES.get(payment.currency, "225")


def _digits(phone: str) -> str:
    return re.sub(r"[\s.-]", "", phone or "")


def _is_public_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class Checkout:
    """``POST payment`` and ``POST payment/check``, plus the customer's actions on the checkout page."""

    def __init__(self, context: Context) -> None:
        self.context = context

    # --- the API ---------------------------------------------------------------------------------------

    def handle(self, request: ApiRequest) -> Reply:
        if not request.header("User-Agent"):
            # CinetPay's CDN answers before the API, with its own page rather than a JSON envelope.
            return Reply(403, b"error code: 1010", "text/plain; charset=UTF-8")
        routes = {"payment": self.init, "payment/check": self.check}
        route = routes.get(request.endpoint)
        if route is None:
            return self._error("404", f"No endpoint {request.endpoint!r} in the Checkout API v2.", 404)
        if request.method != "POST":
            return self._error("405", f"{request.endpoint} takes POST only.", 405)
        return route(request)

    def _envelope(self, code: str, message: str, description: str | None, **extra: Any) -> dict[str, Any]:
        """CinetPay's envelope; check answers carry no ``description``."""
        described = {} if description is None else {"description": description}
        return {
            "code": code,
            "message": message,
            **described,
            **extra,
            "api_response_id": self.context.api_response_id(),
        }

    def _error(self, code: str, description: str, status: int = 400) -> Reply:
        info = CHECKOUT_CODES.get(code)
        message = MESSAGES.get(code) or (info.name if info else "ERROR")
        return Reply.json(self._envelope(code, message, description), status)

    def _credentials_error(self, body: dict[str, Any]) -> Reply | None:
        if str(body.get("apikey")) != self.context.credentials.api_key:
            return self._error("609", "The apikey is wrong or inactive.")
        if str(body.get("site_id")) != self.context.credentials.site_id:
            return self._error("613", "The site_id does not belong to this account.")
        return None

    def init(self, request: ApiRequest) -> Reply:
        """``POST payment``: validate like CinetPay, store the payment, answer 201 with the checkout URL."""
        body = request.json()
        if not isinstance(body, dict):
            return self._error("608", "The body must be a JSON object (Content-Type: application/json).")
        missing = [name for name in REQUIRED_FIELDS if body.get(name) in (None, "")]
        if missing:
            return self._error("608", f"Missing required fields: {', '.join(missing)}.")
        error = self._credentials_error(body) or self._validate(body)
        if error is not None:
            return error
        customer = {
            name: str(body[name]).strip() for name in CUSTOMER_FIELDS if body.get(name) not in (None, "")
        }
        payment = Payment(
            token=secrets.token_hex(24),
            transaction_id=str(body["transaction_id"]).strip(),
            site_id=self.context.credentials.site_id,
            amount=integer(body["amount"]) or 0,
            currency=str(body["currency"]).strip().upper(),
            description=str(body["description"]).strip(),
            notify_url=str(body["notify_url"]).strip(),
            return_url=str(body["return_url"]).strip(),
            created_at=self.context.now_text(),
            channels=self._channels(body),
            lang=str(body.get("lang") or "fr"),
            metadata="" if body.get("metadata") is None else str(body["metadata"]),
            customer=customer,
            lock_phone_number=body.get("lock_phone_number") is True,
            invoice_data={str(k): str(v) for k, v in (body.get("invoice_data") or {}).items()},
        )
        try:
            self.context.store.add_payment(payment)
        except AlreadyExistsError:
            return self._error("620", f"The transaction_id {payment.transaction_id} was already used.")
        data = {"payment_token": payment.token, "payment_url": self.context.payment_url(payment.token)}
        return Reply.json(self._envelope("201", "CREATED", "Transaction created with success", data=data))

    @staticmethod
    def _channels(body: dict[str, Any]) -> str:
        return ",".join(c.strip().upper() for c in str(body.get("channels") or "ALL").split(","))

    def _validate(self, body: dict[str, Any]) -> Reply | None:
        """The content rules of ``POST payment``, after the required fields and the credentials."""
        currency = str(body["currency"]).strip().upper()
        if currency not in KNOWN_CURRENCIES:
            return self._error("612", f"The currency {currency} is not accepted.")
        amount = integer(body["amount"])
        if amount is None:
            return self._error("608", "The amount must be an integer.")
        if amount % 5:
            return self._error("608", "The amount must be a multiple of 5.")
        low, high = CURRENCY_LIMITS[currency]
        if amount < low:
            return self._error("641", f"The amount must be at least {low} {currency}.")
        if amount > high:
            return self._error("642", f"The amount must be at most {high} {currency}.")
        bad = sorted({c for c in str(body["description"]) if c in FORBIDDEN_DESCRIPTION_CHARS})
        if bad:
            return self._error("608", f"The description may not contain {' '.join(bad)}.")
        unknown = [c for c in self._channels(body).split(",") if c not in KNOWN_CHANNELS]
        if unknown:
            return self._error("608", f"Unknown channels: {', '.join(unknown)}.")
        for name in ("notify_url", "return_url"):
            if not _is_public_url(str(body[name])):
                return self._error("608", f"{name} must be an absolute http(s) URL.")
        invoice = body.get("invoice_data")
        if invoice is not None and (not isinstance(invoice, dict) or len(invoice) > 3):
            return self._error("608", "invoice_data must be an object with at most 3 keys.")
        if self._channels(body) == "CREDIT_CARD":
            missing = [name for name in CARD_CUSTOMER_FIELDS if body.get(name) in (None, "")]
            if missing:
                return self._error("608", f"Card payments need {', '.join(missing)}.")
        if body.get("lock_phone_number") is True and not _PHONE.match(
            _digits(str(body.get("customer_phone_number") or ""))
        ):
            return self._error("624", "lock_phone_number needs a valid customer_phone_number.")
        return None

    def check(self, request: ApiRequest) -> Reply:
        """``POST payment/check`` by ``transaction_id`` or ``token``: the payment's current state."""
        body = request.json()
        if not isinstance(body, dict):
            return self._error("608", "The body must be a JSON object (Content-Type: application/json).")
        missing = [name for name in ("apikey", "site_id") if not body.get(name)]
        if not (body.get("transaction_id") or body.get("token")):
            missing.append("transaction_id")
        if missing:
            return self._error("608", f"Missing required fields: {', '.join(missing)}.")
        error = self._credentials_error(body)
        if error is not None:
            return error
        payment = self.context.store.find_payment(
            transaction_id=str(body.get("transaction_id") or ""), token=str(body.get("token") or "")
        )
        if payment is None:
            return self._error("404", "No transaction with this transaction_id or token.", 404)
        code, message, status = CHECK_ANSWERS[payment.state]
        return Reply.json(self._envelope(code, message, None, data=self.check_data(payment, status)))

    @staticmethod
    def check_data(payment: Payment, status: str) -> dict[str, Any]:
        """``data`` of a check answer. ``amount`` is a string; unknown values are ``null`` or ``" "``."""
        paid = payment.state == PaymentState.ACCEPTED.value
        available = ""
        if paid:
            date = dt.datetime.strptime(payment.payment_date, "%Y-%m-%d %H:%M:%S")
            available = (date + dt.timedelta(days=2)).strftime("%Y-%m-%d 00:00:00")
        return {
            "amount": str(payment.amount),
            "currency": payment.currency,
            "status": status,
            "payment_method": payment.payment_method,
            "description": payment.description,
            "metadata": payment.metadata or None,
            "operator_id": payment.operator_id or None,
            "payment_date": payment.payment_date or " ",
            "fund_availability_date": available or " ",
        }

    # --- the customer ----------------------------------------------------------------------------------

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
            current.notifications.append(
                payment_notification(
                    current,
                    secret=self.context.credentials.secret_key,
                    sent_at=self.context.now_text(),
                    signature=secrets.token_hex(16),
                    message=CHECK_ANSWERS[current.state][1],
                ).to_snapshot()
            )
            self.context.store.save_payment(current)
        return self._send(current, 1, notification)

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
            if method not in methods_for(payment.channels):
                raise CustomerError(
                    f"Choose one of: {', '.join(PAYMENT_METHODS[m] for m in methods_for(payment.channels))}."
                )
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
            _digits(payment.customer.get("customer_phone_number", "")) if payment.lock_phone_number else ""
        )
        number = _digits(phone) or payment.phone_number or (locked if method == "CARD" else "")
        prefix = (prefix or payment.phone_prefix or default_prefix(payment)).lstrip("+")
        if method == "CARD" and not number:
            return "", prefix
        if not _PHONE.match(number):
            raise CustomerError("Enter the phone number of the account that pays (8 to 15 digits).")
        if locked and number.lstrip("+") != locked.lstrip("+") and not locked.endswith(number):
            raise CustomerError("This payment can only be paid from the number the merchant gave.")
        return number.lstrip("+"), prefix
