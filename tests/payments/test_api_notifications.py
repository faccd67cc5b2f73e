"""The CinetPay API's notifications (``CINETPAY_BACKEND = "api"``): stored first, a payment's proved by the
``notify_token`` CinetPay gave at its start, then decided by a status call; anything else changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.client import clear_clients
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction, NotificationKind
from django_cinetpay.states import Backend, PaymentStatus
from django_cinetpay.testing import Fault, oauth_notification, post_notification

pytestmark = pytest.mark.django_db(transaction=True)

NOTIFY = "https://shop.example.com/payments/api/notify/"
CUSTOMER = {"customer_name": "Kouassi", "customer_surname": "Awa", "customer_email": "awa@example.com"}


@pytest.fixture(autouse=True)
def _api(settings: Any) -> Any:
    settings.CINETPAY_BACKEND = Backend.API
    settings.CINETPAY_API_CREDENTIALS = {"CI": {"api_key": "sk_test_notify-ci", "api_password": "secret"}}
    clear_clients()
    yield
    clear_clients()


@pytest.fixture
def started(cinetpay: Any, buyer: Any, seller: Any) -> CinetPayTransaction:
    """A payment started on the CinetPay API; the customer has not paid yet."""
    tx = services.create_payment(buyer=buyer, seller=seller, amount=5_000, currency="XOF", description="Skin")
    services.start_checkout(tx, customer=CUSTOMER, actor=services.Actor.for_user(buyer))
    tx.refresh_from_db()
    assert (tx.backend, tx.status) == (Backend.API, PaymentStatus.PENDING)
    assert tx.notify_token
    return tx


def _checks(cinetpay: Any, tx: CinetPayTransaction) -> int:
    return sum(
        1 for call in cinetpay.mock.calls if call.request.url.endswith(f"/v1/payment/{tx.transaction_id}")
    )


def test_the_notify_url_given_to_cinetpay_is_the_api_one(started: CinetPayTransaction, cinetpay: Any) -> None:
    assert reverse("cinetpay:api-notify") == "/payments/api/notify/"
    assert cinetpay.payment(started).notify_url == NOTIFY


def test_a_paid_payment_is_accepted_through_a_status_call(
    started: CinetPayTransaction, cinetpay: Any
) -> None:
    [delivery] = cinetpay.pay(started, method="OM", phone="0707070707")
    assert delivery.status == 200
    started.refresh_from_db()
    assert started.status == PaymentStatus.ACCEPTED
    assert _checks(cinetpay, started) == 1
    stored = CinetPayNotification.objects.get()
    assert (stored.kind, stored.valid, stored.reference) == (
        NotificationKind.API,
        True,
        started.transaction_id,
    )


@pytest.mark.parametrize("token", ["", "forged-token", "x" * 300])
def test_a_wrong_or_missing_notify_token_changes_nothing_and_asks_nothing(
    started: CinetPayTransaction, cinetpay: Any, token: str
) -> None:
    cinetpay.pay(started, notification=Fault.LOST)  # paid, but the genuine notification never arrives
    before = _checks(cinetpay, started)
    response = post_notification(oauth_notification(started, url=NOTIFY, notify_token=token))
    assert (response.status_code, response.content) == (403, b"invalid notify_token")
    started.refresh_from_db()
    assert started.status == PaymentStatus.PENDING
    assert _checks(cinetpay, started) == before
    assert CinetPayNotification.objects.get().valid is False


def test_a_payment_started_on_checkout_v2_takes_no_api_notification(
    cinetpay: Any, buyer: Any, seller: Any, settings: Any
) -> None:
    settings.CINETPAY_BACKEND = Backend.CHECKOUT_V2
    tx = services.create_payment(buyer=buyer, seller=seller, amount=5_000, currency="XOF", description="Skin")
    services.start_checkout(tx, actor=services.Actor.for_user(buyer))
    response = post_notification(oauth_notification(tx, url=NOTIFY, notify_token=""))
    assert response.status_code == 404
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.PENDING


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"cpm_trans_id=CP1", "application/x-www-form-urlencoded", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"merchant_transaction_id": "CP\\u0000X", "notify_token": "t"}', "application/json", 400),
        (b'{"merchant_transaction_id": "' + b"A" * 5000 + b'"}', "application/json", 400),
        (
            b'{"merchant_transaction_id": "CP20990101UNKNOWN00000", "notify_token": "t"}',
            "application/json",
            404,
        ),
        (b"\xff\xfe not utf-8", "application/json", 400),
    ],
)
def test_bad_bodies_are_stored_and_answered_without_a_500(
    started: CinetPayTransaction, body: bytes, content_type: str, status: int
) -> None:
    response = Client().post("/payments/api/notify/", data=body, content_type=content_type)
    assert response.status_code == status
    assert CinetPayNotification.objects.get().kind == NotificationKind.API
    started.refresh_from_db()
    assert started.status == PaymentStatus.PENDING


def test_a_stored_api_notification_is_processed_again_by_reprocess(
    started: CinetPayTransaction, cinetpay: Any
) -> None:
    cinetpay.fail(Fault.TIMEOUT, "v1/payment/{id}", times=None)
    [delivery] = cinetpay.pay(started)
    assert delivery.status == 503  # CinetPay could not be asked: it delivers again, and the job retries
    cinetpay.clear_faults()
    result = services.reprocess(CinetPayNotification.objects.get())
    assert result.status == 200
    started.refresh_from_db()
    assert started.status == PaymentStatus.ACCEPTED
