"""The CinetPay API's payments, behind the package's :class:`~..checkout.CheckoutBackend` interface.

``POST /v1/payment`` starts a payment and answers the checkout URL and the ``notify_token`` its
notifications will carry; ``GET /v1/payment/{merchant_transaction_id}`` says where it stands. Answers
are turned into the objects Checkout v2's client returns (:class:`~..checkout.InitResult`,
:class:`~..checkout.CheckResult`), with the statuses the services understand, so nothing above the client
knows which API took a payment.
"""

from __future__ import annotations

import functools
import logging
from typing import Any
from urllib.parse import quote

from ... import exceptions
from .. import http
from ..checkout import ACCEPTED, REFUSED, WAITING, CheckResult, InitResult, PaymentRequest
from ..parsing import data_of, date_or_none, int_or_none, text
from . import codes
from .auth import ApiClient, raise_error
from .operators import payment_country, payment_method

logger = logging.getLogger("django_cinetpay.client")

#: The API's own limits on a payment (CinetPay's SDK validates them before sending).
MIN_AMOUNT, MAX_AMOUNT = 100, 2_500_000
MAX_ID_LENGTH = 30
MAX_URL_LENGTH = 120
MAX_DESIGNATION_LENGTH = 255
LANGUAGES = ("fr", "en")


class ApiCheckoutClient(ApiClient):
    """Payments through the CinetPay API. Threads may share it (see :class:`.auth.Connection`)."""

    def init_payment(self, request: PaymentRequest) -> InitResult:
        """``POST /v1/payment``. Never retried (but after a refused token): a lost answer may still have
        created the payment, and its id then answers 1200 TRANSACTION_EXIST.

        Refuses, before any call, what the API would: amount out of 100 to 2,500,000, an id over 30
        characters, URLs over 120 (a :class:`~django_cinetpay.exceptions.CinetPayValidationError`, code
        1004). Raises a configuration error when no account of the payment's country is configured.
        """
        country = self._country(request)
        body = _payment_body(request)
        logger.info(
            "CinetPay API init %s",
            http.redact(
                {"transaction_id": request.transaction_id, "amount": request.amount, "country": country}
            ),
        )
        status, payload = self.connection.call(country, "POST", "/v1/payment", body)
        fields = payload | data_of(payload)
        if status >= 400 or error_code(fields):
            raise_error(status, payload)
        if not text(fields.get("payment_url")):
            raise exceptions.CinetPayInvalidResponseError(
                "CinetPay's payment answer has no payment_url.", http_status=status
            )
        return InitResult(
            payment_token=text(fields.get("payment_token")),
            payment_url=text(fields.get("payment_url")),
            code=text(fields.get("code")),
            message=text(fields.get("status")) or text(fields.get("message")),
            api_response_id=text(fields.get("transaction_id")),
            notify_token=text(fields.get("notify_token")),
        )

    def check_payment(self, transaction_id: str = "", *, token: str = "") -> CheckResult:
        """``GET /v1/payment/{id}`` by our ``transaction_id`` (its ``merchant_transaction_id``) or the
        payment token. Retried on network errors.

        A status answer, whatever the status, is a result (FAILED is not an exception). Each configured
        country is asked in turn until one knows the id (an id is ours in one account only); when none
        does, the NOT_FOUND error is raised.
        """
        wanted = transaction_id or token
        if not wanted:
            raise ValueError("check_payment needs a transaction_id or a token")
        path = f"/v1/payment/{quote(wanted, safe='')}"
        not_found: exceptions.CinetPayAPIError | None = None
        for country in self.connection.countries:
            try:
                fields = http.with_retries(
                    functools.partial(self._status, country, path),
                    attempts=self.check_attempts,
                    backoff=self.check_backoff,
                )
            except exceptions.CinetPayAPIError as exc:
                if exc.code != codes.NOT_FOUND:
                    raise
                not_found = not_found or exc
                continue
            return parse_status(fields, transaction_id)
        assert not_found is not None  # the factory builds no client without a country
        raise not_found

    def _status(self, country: str, path: str) -> dict[str, Any]:
        status, payload = self.connection.call(country, "GET", path)
        fields = payload | data_of(payload)
        if status < 400 and text(fields.get("status")).upper() in codes.TRANSACTION_STATUSES:
            return fields
        raise_error(status, payload)
        raise AssertionError("unreachable")  # pragma: no cover

    def _country(self, request: PaymentRequest) -> str:
        country = payment_country(
            request.currency,
            request.customer_phone_number,
            request.customer_country,
            self.connection.countries,
        )
        if not country:
            raise exceptions.CinetPayConfigurationError(
                f"Cannot tell which country's CinetPay account takes payment {request.transaction_id} in "
                f"{request.currency}: several countries use this currency. Give the customer's phone "
                "number (international form) or country, or configure one account for it in "
                "CINETPAY_API_CREDENTIALS."
            )
        return self.connection.require(country, f"A payment in {request.currency}")


def error_code(fields: dict[str, Any]) -> str:
    """The answer's code when it is neither OK/SUCCESS nor a transaction status, else ``""``."""
    code = codes.code_for(text(fields.get("code")), text(fields.get("status")).upper())
    return "" if code in ("", codes.OK, codes.SUCCESS, "2001", "2002") else code


def _payment_body(request: PaymentRequest) -> dict[str, Any]:
    """The JSON body of ``POST /v1/payment``; refuses what the API would (:func:`.codes.refused_locally`)."""
    amount = request.amount
    if isinstance(amount, bool) or not isinstance(amount, int) or not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise codes.refused_locally(
            f"The CinetPay API takes payments of {MIN_AMOUNT} to {MAX_AMOUNT:,} only, not {amount!r}."
        )
    if not 0 < len(request.transaction_id) <= MAX_ID_LENGTH:
        raise codes.refused_locally(f"merchant_transaction_id must have 1 to {MAX_ID_LENGTH} characters.")
    for name, url in (("notify_url", request.notify_url), ("return_url", request.return_url)):
        if not url.startswith(("http://", "https://")) or len(url) > MAX_URL_LENGTH:
            raise codes.refused_locally(
                f"{name} must be an http(s) URL of at most {MAX_URL_LENGTH} characters."
            )
    body: dict[str, Any] = {
        "currency": request.currency.upper(),
        "merchant_transaction_id": request.transaction_id,
        "amount": amount,
        "lang": request.lang if request.lang in LANGUAGES else "fr",
        "designation": (request.description or request.transaction_id)[:MAX_DESIGNATION_LENGTH],
        # One return page for both outcomes: it decides by a status call, never by the URL it was sent to.
        "success_url": request.return_url,
        "failed_url": request.return_url,
        "notify_url": request.notify_url,
        "channel": "PUSH",
    }
    # The customer's names take 2 to 255 characters: shorter ones are left for the checkout to ask.
    for field, value in (
        ("client_first_name", request.customer_surname),
        ("client_last_name", request.customer_name),
    ):
        if len(value.strip()) >= 2:
            body[field] = value.strip()[:255]
    if request.customer_email:
        body["client_email"] = request.customer_email
    if request.customer_phone_number.startswith("+"):
        body["client_phone_number"] = request.customer_phone_number
    return body


def parse_status(fields: dict[str, Any], asked: str = "") -> CheckResult:
    """A :class:`CheckResult` from a status answer, in the package's words: SUCCESS is ``ACCEPTED``;
    FAILED, EXPIRED and INSUFFICIENT_BALANCE are ``REFUSED`` (final); every other status is
    ``WAITING_FOR_CUSTOMER`` (it may still change). An answer about another id than ``asked`` raises."""
    word = text(fields.get("status")).upper()
    code = codes.code_for(text(fields.get("code")), word)
    merchant_id = text(fields.get("merchant_transaction_id"))
    if asked and merchant_id and merchant_id != asked:
        raise exceptions.CinetPayInvalidResponseError(
            f"CinetPay answered about {merchant_id!r} when asked about {asked!r}."
        )
    if word == "SUCCESS" and code in (codes.SUCCESS, codes.OK):
        status = ACCEPTED
    elif word in codes.FAILED_STATUSES or word == "EXPIRED":
        status = REFUSED
    elif word == "SUCCESS":
        status = ""  # SUCCESS with an error code: not an answer to act on
    else:
        status = WAITING
    user = fields.get("user")
    if not isinstance(user, dict):
        user = {}
    return CheckResult(
        code=code,
        message=word or text(fields.get("message")),
        status=status,
        amount=int_or_none(fields.get("amount")),
        currency=text(fields.get("currency")).upper(),
        payment_method=payment_method(text(fields.get("payment_method"))),
        operator_id=text(fields.get("operator_id")) or text(fields.get("operator_transaction_id")),
        payment_date=date_or_none(fields.get("payment_date")) or date_or_none(fields.get("updated_at")),
        description=text(fields.get("description")),
        phone_number=text(user.get("phone_number")) or text(fields.get("phone_number")),
        api_response_id=text(fields.get("transaction_id")),
        raw=fields,
        amount_bound_at_init=True,
    )
