"""Checkout API v2: initialise a payment and check it (CINETPAY_API.md §1-2).

No ORM and no settings here: a :class:`CheckoutClient` is built from explicit values, or from the settings
(and shared) by :func:`~django_cinetpay.client.factories.get_checkout_client`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from .. import exceptions
from . import codes, http
from .parsing import data_of, date_or_none, int_or_none, text

logger = logging.getLogger("django_cinetpay.client")

ACCEPTED = "ACCEPTED"
REFUSED = "REFUSED"
WAITING = "WAITING_FOR_CUSTOMER"
#: The codes of an accepted payment: Checkout v2's ``00``; the CinetPay API's 100 SUCCESS (200 OK).
SUCCESS_CODES = frozenset({"00", "100", "200"})


@dataclass(frozen=True)
class PaymentRequest:
    """What ``POST /payment`` takes. Credentials are added by the client.

    The ``customer_*`` fields are :data:`~.vocabulary.CUSTOMER_FIELDS`: ``customer_name`` is the family
    name and ``customer_surname`` the given name (sources disagree; this project decided so, see README).
    """

    transaction_id: str
    amount: int
    currency: str
    description: str
    notify_url: str
    return_url: str
    channels: str = "ALL"
    lang: str = "fr"
    metadata: str = ""
    invoice_data: dict[str, str] = field(default_factory=dict)
    lock_phone_number: bool = False
    customer_id: str = ""
    customer_name: str = ""
    customer_surname: str = ""
    customer_email: str = ""
    customer_phone_number: str = ""
    customer_address: str = ""
    customer_city: str = ""
    customer_country: str = ""
    customer_state: str = ""
    customer_zip_code: str = ""
    alternative_currency: str = ""

    def to_payload(self) -> dict[str, Any]:
        """The JSON body without credentials; empty optional fields are left out."""
        payload = {k: v for k, v in asdict(self).items() if v not in ("", None, {})}
        if not self.lock_phone_number or not self.customer_phone_number:
            payload.pop("lock_phone_number", None)
        return payload


@dataclass(frozen=True)
class InitResult:
    """A created payment: where to send the customer."""

    payment_token: str
    payment_url: str
    code: str
    message: str
    api_response_id: str = ""
    #: The CinetPay API's token that this payment's notifications carry (store it: a notification is
    #: verified against it). ``""`` on Checkout v2, whose notifications are signed instead.
    notify_token: str = ""


@dataclass(frozen=True)
class CheckResult:
    """What the check endpoint says about a payment. The only source of truth.

    Parsed leniently: amount as string or number, missing keys, blank dates and the 2021 shape (no
    ``amount``/``status``) all give a result whose ``status`` may be ``""`` (unknown), never a crash.
    """

    code: str
    message: str
    status: str = ""
    amount: int | None = None
    currency: str = ""
    payment_method: str = ""
    operator_id: str = ""
    payment_date: dt.datetime | None = None
    fund_availability_date: dt.datetime | None = None
    description: str = ""
    metadata: str = ""
    phone_number: str = ""
    phone_prefix: str = ""
    api_response_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: The answer may leave out amount and currency because the API bound them to the id when the site's
    #: own authenticated call started the payment (the CinetPay API, whose status answer as its SDK
    #: documents has neither). Then what the answer does carry is still compared, and what it leaves out
    #: is taken as bound. Checkout v2 answers always carry both: a missing one is a mismatch.
    amount_bound_at_init: bool = False

    @property
    def is_accepted(self) -> bool:
        """CinetPay says paid. Callers must still compare amount and currency with what they stored."""
        return self.code in SUCCESS_CODES and self.status == ACCEPTED

    @property
    def is_refused(self) -> bool:
        return self.status == REFUSED

    @property
    def is_waiting(self) -> bool:
        return self.status == WAITING or (not self.status and self.code in {"623", "662", "663"})

    def matches(self, amount: int, currency: str) -> bool:
        """Whether the checked amount and currency equal what we stored (see :attr:`amount_bound_at_init`)."""
        if self.amount_bound_at_init:
            return self.amount in (None, amount) and self.currency.upper() in ("", currency.upper())
        return self.amount == amount and self.currency.upper() == currency.upper()


class CheckoutBackend(Protocol):
    """The interface views and services rely on: :class:`CheckoutClient` (Checkout v2) and
    :class:`~.api.payments.ApiCheckoutClient` (the CinetPay API) implement it."""

    def init_payment(self, request: PaymentRequest) -> InitResult: ...

    def check_payment(self, transaction_id: str = "", *, token: str = "") -> CheckResult: ...


def parse_check_response(payload: dict[str, Any]) -> CheckResult:
    """Build a :class:`CheckResult` from a check answer that carries ``data``."""
    data = data_of(payload)
    return CheckResult(
        code=text(payload.get("code")),
        message=text(payload.get("message")),
        status=text(data.get("status")).upper(),
        amount=int_or_none(data.get("amount")),
        currency=text(data.get("currency")).upper(),
        payment_method=text(data.get("payment_method")),
        operator_id=text(data.get("operator_id")),
        payment_date=date_or_none(data.get("payment_date")),
        fund_availability_date=date_or_none(data.get("fund_availability_date")),
        description=text(data.get("description")),
        metadata=text(data.get("metadata")),
        phone_number=text(data.get("phone_number")),
        phone_prefix=text(data.get("phone_prefix")),
        api_response_id=text(payload.get("api_response_id")),
        raw=payload,
    )


class CheckoutClient:
    """HTTP client of the Checkout API v2.

    One ``requests.Session`` per client, so that its connections are reused: build it once and share it
    (:func:`~django_cinetpay.client.factories.get_checkout_client` does). It keeps no other state, so
    threads may share it.
    """

    def __init__(
        self,
        *,
        api_key: str,
        site_id: str,
        base_url: str = "https://api-checkout.cinetpay.com/v2",
        timeout: float = 30.0,
        check_attempts: int = 3,
        check_backoff: float = 0.5,
        session: Any = None,
    ) -> None:
        if not api_key or not site_id:
            raise exceptions.CinetPayConfigurationError(
                "CINETPAY_API_KEY and CINETPAY_SITE_ID must be set to call CinetPay's Checkout API "
                "(CinetPay back-office, menu Intégration)."
            )
        self.api_key = api_key
        self.site_id = str(site_id)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.check_attempts = max(1, check_attempts)
        self.check_backoff = check_backoff
        self.session = session or http.new_session()

    def __repr__(self) -> str:  # never show the key
        return f"<CheckoutClient site_id={self.site_id} base_url={self.base_url}>"

    def _credentials(self) -> dict[str, str]:
        return {"apikey": self.api_key, "site_id": self.site_id}

    def init_payment(self, request: PaymentRequest) -> InitResult:
        """``POST /payment``. Never retried: a lost answer may still have created the payment.

        Raises a :class:`~django_cinetpay.exceptions.CinetPayAPIError` subclass carrying CinetPay's code
        and a hint, or a :class:`~django_cinetpay.exceptions.CinetPayNetworkError`.
        """
        body = {**self._credentials(), **request.to_payload()}
        logger.info(
            "CinetPay init %s",
            http.redact(
                {
                    "transaction_id": request.transaction_id,
                    "amount": request.amount,
                    "currency": request.currency,
                }
            ),
        )
        status, payload = http.send(
            self.session, "POST", f"{self.base_url}/payment", json_body=body, timeout=self.timeout
        )
        if not isinstance(payload, dict):
            raise exceptions.CinetPayInvalidResponseError(
                "CinetPay's payment answer is not a JSON object.", http_status=status
            )
        code = text(payload.get("code")) or (str(status) if status >= 400 else "")
        data = data_of(payload)
        if code == "201" and data.get("payment_url"):
            return InitResult(
                payment_token=text(data.get("payment_token")),
                payment_url=text(data.get("payment_url")),
                code=code,
                message=text(payload.get("message")),
                api_response_id=text(payload.get("api_response_id")),
            )
        if code == "201":
            raise exceptions.CinetPayInvalidResponseError(
                "CinetPay answered 201 CREATED without a payment_url.", http_status=status
            )
        raise codes.checkout_error(
            code or "unknown",
            text(payload.get("message")),
            text(payload.get("description")),
            http_status=status,
        )

    def check_payment(self, transaction_id: str = "", *, token: str = "") -> CheckResult:
        """``POST /payment/check`` by transaction id (or payment token). Retried on network errors.

        A refused or waiting payment is a result, not an exception. An answer without ``data`` (bad
        credentials, unknown transaction) raises the mapped :class:`CinetPayAPIError`.
        """
        if not transaction_id and not token:
            raise ValueError("check_payment needs a transaction_id or a token")
        body = self._credentials() | (
            {"transaction_id": transaction_id} if transaction_id else {"token": token}
        )

        def call() -> CheckResult:
            status, payload = http.send(
                self.session, "POST", f"{self.base_url}/payment/check", json_body=body, timeout=self.timeout
            )
            if not isinstance(payload, dict):
                raise exceptions.CinetPayInvalidResponseError(
                    "CinetPay's check answer is not a JSON object.", http_status=status
                )
            if isinstance(payload.get("data"), dict):
                return parse_check_response(payload)
            code = text(payload.get("code")) or str(status)
            raise codes.checkout_error(
                code, text(payload.get("message")), text(payload.get("description")), http_status=status
            )

        return http.with_retries(call, attempts=self.check_attempts, backoff=self.check_backoff)
