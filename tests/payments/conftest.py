"""Fixtures for the payment tests: CinetPay answers through ``responses`` and signed notifications."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
import responses
from django.test import Client
from django.urls import reverse

from django_cinetpay import services, signals
from django_cinetpay.client.signing import compute_x_token
from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.states import PaymentStatus
from django_cinetpay.testing import signed_notification

CHECKOUT = "https://api-checkout.cinetpay.test/v2"


class CinetPayAnswers:
    """Registers CinetPay's answers on a ``responses`` mock, in CINETPAY_API.md's shapes."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock

    def init_ok(self, token: str = "tok-123") -> None:
        self.mock.upsert(
            responses.POST,
            f"{CHECKOUT}/payment",
            json={
                "code": "201",
                "message": "CREATED",
                "description": "Transaction created with success",
                "data": {
                    "payment_token": token,
                    "payment_url": f"https://checkout.cinetpay.test/payment/{token}",
                },
                "api_response_id": "1663279021.1234",
            },
        )

    def init_error(self, code: str, message: str, status: int = 200) -> None:
        self.mock.post(
            f"{CHECKOUT}/payment",
            status=status,
            json={"code": code, "message": message, "description": message},
        )

    def check(
        self,
        status: str = "ACCEPTED",
        *,
        code: str = "00",
        message: str = "SUCCES",
        amount: object = "1000",
        currency: str = "XOF",
        **data: Any,
    ) -> None:
        self.mock.upsert(
            responses.POST,
            f"{CHECKOUT}/payment/check",
            json={
                "code": code,
                "message": message,
                "data": {
                    "amount": amount,
                    "currency": currency,
                    "status": status,
                    "payment_method": "OM",
                    "description": "Compte Free Fire",
                    "metadata": None,
                    "operator_id": "MP220915.2257.A76307" if status == "ACCEPTED" else None,
                    "payment_date": "2022-09-15 22:57:15" if status == "ACCEPTED" else " ",
                    "fund_availability_date": "2022-09-17 00:00:00",
                    **data,
                },
                "api_response_id": "1663279021.5678",
            },
        )

    def check_raises(self, exc: Exception) -> None:
        self.mock.upsert(responses.POST, f"{CHECKOUT}/payment/check", body=exc)

    def calls_to(self, suffix: str) -> int:
        return sum(1 for c in self.mock.calls if c.request.url.endswith(suffix))


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield CinetPayAnswers(mock)


@pytest.fixture
def payment(db, buyer, seller) -> CinetPayTransaction:
    return services.create_payment(
        buyer=buyer, seller=seller, amount=1000, currency="XOF", description="Compte Free Fire niveau 70"
    )


@pytest.fixture
def pending_payment(payment, api) -> CinetPayTransaction:
    api.init_ok()
    services.start_checkout(
        payment, customer={"customer_phone_number": "0707070707"}, actor=services.Actor.system()
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    return payment


def notification_fields(tx: CinetPayTransaction, **overrides: str) -> dict[str, str]:
    """The form CinetPay posts for ``tx`` (CINETPAY_API.md §3), as the testing kit builds it."""
    return dict(signed_notification(tx, **overrides).fields)


def post_notification(
    client: Client, fields: dict[str, str], *, token: str | None = None, secret: str = "test-secret-key"
):  # type: ignore[no-untyped-def]
    """POST ``fields`` form-encoded to cinetpay:notify with an x-token (computed unless given)."""
    headers = {"x-token": compute_x_token(secret, fields) if token is None else token}
    return client.post(
        reverse("cinetpay:notify"),
        urlencode(fields),
        headers=headers,
        content_type="application/x-www-form-urlencoded",
    )


class SignalLog:
    def __init__(self) -> None:
        self.accepted: list[dict[str, Any]] = []
        self.refused: list[dict[str, Any]] = []

    def on_accepted(self, sender: Any, **kwargs: Any) -> None:
        self.accepted.append(kwargs)

    def on_refused(self, sender: Any, **kwargs: Any) -> None:
        self.refused.append(kwargs)


@pytest.fixture
def signal_log():
    log = SignalLog()
    signals.payment_accepted.connect(log.on_accepted)
    signals.payment_refused.connect(log.on_refused)
    yield log
    signals.payment_accepted.disconnect(log.on_accepted)
    signals.payment_refused.disconnect(log.on_refused)
