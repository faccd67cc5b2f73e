"""``POST /v1/payment`` and ``GET /v1/payment/{id}``.

A payment is validated with the SDK's rules (each failure is 1004 INVALID_PARAMS naming the field; a
reused ``merchant_transaction_id`` is 1200 TRANSACTION_EXIST), kept as an engine :class:`~..records.Payment`
and paid on the simulator's checkout page, like a v2 payment. Its currency must be the account country's.
With ``direct_pay``, the push goes to ``client_phone_number`` at once: the payment starts ``PENDING`` and
the answer says the customer need not be redirected. Its notification (JSON, with the ``notify_token``) is
sent once it is final.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django_cinetpay.client.vocabulary import COUNTRY_PHONE_PREFIXES

from ..context import Account, Context
from ..messages import ApiRequest, Reply
from ..notifications import payment_user
from ..records import Api, Payment, PaymentState
from ..store import AlreadyExistsError
from . import base
from .base import Refusal, answer
from .vocabulary import (
    CHANNELS,
    CODES,
    CURRENCIES,
    ID_LENGTH,
    LANGUAGES,
    OPERATORS_BY_COUNTRY,
    PAYMENT_CODES,
    PAYMENT_LIMITS,
    URL_LENGTH,
    country_currency,
    split_number,
)

_OTP = re.compile(r"^\d{4,6}$")


class Payments:
    def __init__(self, context: Context) -> None:
        self.context = context

    def initialize(self, request: ApiRequest, account: Account) -> Reply:
        body = base.body_of(request)
        payment = self._payment(body, account)
        try:
            self.context.store.add_payment(payment)
        except AlreadyExistsError:
            raise Refusal(1200, f"The transaction {payment.transaction_id} already exists.") from None
        direct = payment.state == PaymentState.WAITING.value
        code = PAYMENT_CODES[payment.state]
        details = {
            "code": code,
            "status": CODES[code],
            "message": "Payment request sent to the customer's phone" if direct else "Transaction initiated",
            "must_be_redirected": not direct,
        }
        return answer(
            200,
            payment_token=payment.token,
            notify_token=payment.notify_token,
            transaction_id=payment.reference,
            merchant_transaction_id=payment.transaction_id,
            payment_url=self.context.payment_url(payment.token),
            details=details,
        )

    def _payment(self, body: dict[str, Any], account: Account) -> Payment:
        """The payment ``body`` describes, or the first rule it breaks."""
        currency = base.choice(body, "currency", CURRENCIES)
        if currency != country_currency(account.country):
            raise Refusal(
                1004,
                f"The {account.country} account takes {country_currency(account.country)}, not {currency}.",
            )
        merchant_id = base.text(body, "merchant_transaction_id", 1, ID_LENGTH)
        amount = base.amount(body, PAYMENT_LIMITS)
        lang = base.choice(body, "lang", LANGUAGES)
        designation = base.text(body, "designation", 1, 255)
        customer = {
            "customer_email": base.email(body, "client_email"),
            "customer_surname": base.text(body, "client_first_name", 2, 255),
            "customer_name": base.text(body, "client_last_name", 2, 255),
        }
        urls = {
            name: base.url(body, name, URL_LENGTH) for name in ("success_url", "failed_url", "notify_url")
        }
        channel = base.choice(body, "channel", CHANNELS)
        method = ""
        if body.get("payment_method") is not None:
            method = base.choice(body, "payment_method", OPERATORS_BY_COUNTRY[account.country])
        phone = self._phone(body, account)
        if phone:
            customer["customer_phone_number"] = phone
        if body.get("otp_code") is not None and not _OTP.match(str(body["otp_code"])):
            raise Refusal(1004, "otp_code must be 4 to 6 digits.")
        direct = body.get("direct_pay") is True
        if direct and not (phone and method):
            raise Refusal(1004, "direct_pay needs client_phone_number and payment_method.")
        payment = Payment(
            token=secrets.token_hex(24),
            transaction_id=merchant_id,
            site_id=account.country,
            amount=amount,
            currency=currency,
            description=designation,
            notify_url=urls["notify_url"],
            return_url=urls["success_url"],
            failed_url=urls["failed_url"],
            created_at=self.context.now_text(),
            channels=channel,
            lang=lang,
            customer=customer,
            payment_method=method,
            api=Api.OAUTH.value,
            reference=f"CP{self.context.clock():%y%m%d}{secrets.token_hex(6).upper()}",
            notify_token=secrets.token_urlsafe(32),
            country=account.country,
        )
        if direct:
            payment.state = PaymentState.WAITING.value
            payment.phone_prefix, payment.phone_number = COUNTRY_PHONE_PREFIXES[account.country], phone
        return payment

    @staticmethod
    def _phone(body: dict[str, Any], account: Account) -> str:
        """The local part of ``client_phone_number`` (international, of the account's country), or ``""``."""
        value = body.get("client_phone_number")
        if value is None:
            return ""
        parts = split_number(str(value))
        if parts is None or parts[0] != account.country:
            raise Refusal(
                1004,
                f"client_phone_number must be a {account.country} number in international form (+225...).",
            )
        return parts[2]

    def status(self, identifier: str) -> Reply:
        """A payment by its ``payment_token``, CinetPay ``transaction_id`` or ``merchant_transaction_id``."""
        store = self.context.store
        payment = (
            store.find_payment(transaction_id=identifier)
            or store.find_payment(reference=identifier)
            or store.find_payment(token=identifier)
        )
        if payment is None or payment.api != Api.OAUTH.value:
            raise Refusal(404, f"No transaction {identifier}.")
        return answer(
            PAYMENT_CODES[payment.state],
            merchant_transaction_id=payment.transaction_id,
            transaction_id=payment.reference,
            payment_token=payment.token,
            amount=str(payment.amount),
            currency=payment.currency,
            payment_method=payment.payment_method or None,
            operator_id=payment.operator_id or None,
            payment_date=payment.payment_date or None,
            user=payment_user(payment),
        )
