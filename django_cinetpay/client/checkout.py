"""Checkout API v2: initialise a payment and check it (CINETPAY_API.md §1-2).

No ORM and no settings at import time: a :class:`CheckoutClient` is built from explicit values, or from
the settings at call time with :func:`get_checkout_client`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Protocol

from .. import exceptions
from . import codes, http

logger = logging.getLogger("django_cinetpay.client")

ACCEPTED = "ACCEPTED"
REFUSED = "REFUSED"
WAITING = "WAITING_FOR_CUSTOMER"


@dataclass(frozen=True)
class PaymentRequest:
    """What ``POST /payment`` takes. Credentials are added by the client.

    ``customer_name`` is the family name and ``customer_surname`` the given name (sources disagree;
    this project decided so, see README).
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


#: The ``customer_*`` fields of ``POST /payment`` (all optional, all needed for card payments).
CUSTOMER_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(PaymentRequest) if f.name.startswith("customer_")
)
#: Characters CinetPay refuses in ``description``.
FORBIDDEN_DESCRIPTION_CHARS = "#/$_&"


@dataclass(frozen=True)
class InitResult:
    """A created payment: where to send the customer."""

    payment_token: str
    payment_url: str
    code: str
    message: str
    api_response_id: str = ""


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

    @property
    def is_accepted(self) -> bool:
        """CinetPay says paid. Callers must still compare amount and currency with what they stored."""
        return self.code == "00" and self.status == ACCEPTED

    @property
    def is_refused(self) -> bool:
        return self.status == REFUSED

    @property
    def is_waiting(self) -> bool:
        return self.status == WAITING or (not self.status and self.code in {"623", "662", "663"})

    def matches(self, amount: int, currency: str) -> bool:
        """Whether the checked amount and currency equal what we stored."""
        return self.amount == amount and self.currency.upper() == currency.upper()


class CheckoutBackend(Protocol):
    """The interface views and services rely on; a second backend (CinetPay's newer API) can implement it."""

    def init_payment(self, request: PaymentRequest) -> InitResult: ...

    def check_payment(self, transaction_id: str = "", *, token: str = "") -> CheckResult: ...


def _data(payload: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` object of an answer, or ``{}`` when it is missing or not an object."""
    data = payload.get("data")
    return data if isinstance(data, dict) else {}


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _int_or_none(value: object) -> int | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _date_or_none(value: object) -> dt.datetime | None:
    text = _text(value)
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def parse_check_response(payload: dict[str, Any]) -> CheckResult:
    """Build a :class:`CheckResult` from a check answer that carries ``data``."""
    data = _data(payload)
    return CheckResult(
        code=_text(payload.get("code")),
        message=_text(payload.get("message")),
        status=_text(data.get("status")).upper(),
        amount=_int_or_none(data.get("amount")),
        currency=_text(data.get("currency")).upper(),
        payment_method=_text(data.get("payment_method")),
        operator_id=_text(data.get("operator_id")),
        payment_date=_date_or_none(data.get("payment_date")),
        fund_availability_date=_date_or_none(data.get("fund_availability_date")),
        description=_text(data.get("description")),
        metadata=_text(data.get("metadata")),
        phone_number=_text(data.get("phone_number")),
        phone_prefix=_text(data.get("phone_prefix")),
        api_response_id=_text(payload.get("api_response_id")),
        raw=payload,
    )


class CheckoutClient:
    """HTTP client of the Checkout API v2. One ``requests.Session`` per client."""

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
        code = _text(payload.get("code")) or (str(status) if status >= 400 else "")
        data = _data(payload)
        if code == "201" and data.get("payment_url"):
            return InitResult(
                payment_token=_text(data.get("payment_token")),
                payment_url=_text(data.get("payment_url")),
                code=code,
                message=_text(payload.get("message")),
                api_response_id=_text(payload.get("api_response_id")),
            )
        if code == "201":
            raise exceptions.CinetPayInvalidResponseError(
                "CinetPay answered 201 CREATED without a payment_url.", http_status=status
            )
        raise codes.checkout_error(
            code or "unknown",
            _text(payload.get("message")),
            _text(payload.get("description")),
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
            code = _text(payload.get("code")) or str(status)
            raise codes.checkout_error(
                code, _text(payload.get("message")), _text(payload.get("description")), http_status=status
            )

        return http.with_retries(call, attempts=self.check_attempts, backoff=self.check_backoff)


def get_checkout_client(**overrides: Any) -> CheckoutClient:
    """A client built from the settings, read now (so ``override_settings`` works)."""
    from ..conf import settings

    options: dict[str, Any] = {
        "api_key": settings.CINETPAY_API_KEY,
        "site_id": settings.CINETPAY_SITE_ID,
        "base_url": settings.CINETPAY_CHECKOUT_API_URL,
        "timeout": settings.CINETPAY_TIMEOUT,
        "check_attempts": settings.CINETPAY_CHECK_ATTEMPTS,
        "check_backoff": settings.CINETPAY_CHECK_BACKOFF,
    }
    options.update(overrides)
    return CheckoutClient(**options)
