"""Checkout API v2 as CinetPay answers it (CINETPAY_API.md §1-3); the customer's side is in :mod:`.customer`.

``code`` is always a string here, as in CinetPay's answers. Where the spec is silent the simulator decides,
and says so: errors are answered with HTTP 400 (404 for an unknown transaction; the CDN's 1010 is a
plain 403 page); a non-integer amount, an amount that is not a multiple of 5, a forbidden description
character or an unknown channel are 608 with a description naming the problem; a reused
``transaction_id`` is 620; ``lock_phone_number`` with a missing or malformed phone is 624.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from urllib.parse import urlsplit

from django_cinetpay.client.codes import CHECKOUT_CODES
from django_cinetpay.client.vocabulary import (
    CARD_CUSTOMER_FIELDS,
    CURRENCY_LIMITS,
    CUSTOMER_FIELDS,
    FORBIDDEN_DESCRIPTION_CHARS,
    KNOWN_CHANNELS,
    KNOWN_CURRENCIES,
)

from .customer import (
    CHECK_ANSWERS,
    PHONE_PATTERN,
    CheckoutPage,
    CustomerError,
    Outcome,
    UnknownPaymentError,
    default_prefix,
    digits,
    method_name,
    methods_for,
    payment_methods,
)
from .messages import ApiRequest, Reply, integer
from .records import Payment, PaymentState
from .store import AlreadyExistsError

__all__ = [
    "Checkout",
    "CustomerError",
    "Outcome",
    "UnknownPaymentError",
    "default_prefix",
    "method_name",
    "methods_for",
    "payment_methods",
]

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


def _is_public_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class Checkout(CheckoutPage):
    """``POST payment`` and ``POST payment/check``; the customer's actions come from :class:`CheckoutPage`."""

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
        if body.get("lock_phone_number") is True and not PHONE_PATTERN.match(
            digits(str(body.get("customer_phone_number") or ""))
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
