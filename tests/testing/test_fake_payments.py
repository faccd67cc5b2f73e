"""Payment flows with the in-process fake: the real client, services and webhook; no server, no network."""

from __future__ import annotations

import pytest
import requests

from django_cinetpay import exceptions, services
from django_cinetpay.client import get_checkout_client
from django_cinetpay.models import CinetPayNotification
from django_cinetpay.simulator.engine import CustomerError
from django_cinetpay.states import PaymentStatus
from django_cinetpay.testing import CinetPayFake, Fault

# Signals are sent on commit, as in production: each test commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tx(buyer, seller):
    tx = services.create_payment(
        buyer=buyer, seller=seller, amount=2500, currency="XOF", description="Compte"
    )
    return tx


def checkout(tx) -> str:
    url = services.start_checkout(
        tx, customer={"customer_phone_number": "0707070707"}, actor=services.Actor.system()
    )
    tx.refresh_from_db()
    return url


def test_checkout_starts_against_the_fake(cinetpay, tx):
    url = checkout(tx)

    assert tx.status == PaymentStatus.PENDING
    payment = cinetpay.payment(tx)
    assert url == f"https://checkout.cinetpay.test/payment/{payment.token}"
    assert tx.payment_token == payment.token
    assert payment.amount == 2500
    assert payment.notify_url == "https://shop.example.com/payments/notify/"
    assert payment.customer["customer_phone_number"] == "0707070707"
    assert [p.transaction_id for p in cinetpay.payments] == [tx.transaction_id]


def test_pay(cinetpay, tx, received):
    checkout(tx)

    (delivery,) = cinetpay.pay(tx, method="MOMO", phone="0505050505")

    assert delivery.status == 200
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.ACCEPTED
    assert tx.payment_method == "MOMO"
    assert tx.payer_phone == "0505050505"
    assert [kw["transaction"].pk for kw in received["payment_accepted"]] == [tx.pk]
    assert CinetPayNotification.objects.get().valid is True


def test_refuse(cinetpay, tx, received):
    checkout(tx)
    cinetpay.refuse(tx)
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.REFUSED
    (refused,) = received["payment_refused"]
    assert refused["code"] == "600"
    assert received["payment_accepted"] == []


def test_cancel(cinetpay, tx, received):
    checkout(tx)
    cinetpay.cancel(tx)
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.CANCELLED
    assert received["payment_refused"][0]["code"] == "627"


def test_pending_then_pay(cinetpay, tx, received):
    checkout(tx)

    cinetpay.wait(tx, method="FLOOZ", phone="0101010101")
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.PENDING
    assert received["payment_accepted"] == []

    cinetpay.pay(tx)  # confirmed on the phone: same method and number
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.ACCEPTED
    assert tx.payment_method == "FLOOZ"
    assert tx.payer_phone == "0101010101"
    assert len(received["payment_accepted"]) == 1


def test_notification_again_changes_nothing(cinetpay, tx, received):
    checkout(tx)
    cinetpay.pay(tx)

    (again,) = cinetpay.notify(tx)

    assert again.status == 200
    assert again.detail == "already processed"
    assert len(received["payment_accepted"]) == 1
    assert CinetPayNotification.objects.count() == 2


def test_duplicate_and_out_of_order_notifications(cinetpay, tx, received):
    checkout(tx)
    cinetpay.wait(tx, notification=Fault.LOST)

    deliveries = cinetpay.pay(tx, notification=Fault.OUT_OF_ORDER)
    assert [d.detail for d in deliveries] == ["applied", "already processed"]
    assert cinetpay.notify(tx, notification=Fault.DUPLICATE)[1].detail == "already processed"

    tx.refresh_from_db()
    assert tx.status == PaymentStatus.ACCEPTED
    assert len(received["payment_accepted"]) == 1


def test_lost_notification_leaves_the_return_visit_to_find_out(cinetpay, tx, client, buyer):
    checkout(tx)
    assert cinetpay.pay(tx, notification=Fault.LOST) == []
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.PENDING

    client.force_login(buyer)
    client.post("/payments/return/", {"transaction_id": tx.transaction_id, "token": tx.payment_token})

    tx.refresh_from_db()
    assert tx.status == PaymentStatus.ACCEPTED


def test_a_paid_payment_takes_no_more_actions(cinetpay, tx):
    checkout(tx)
    cinetpay.pay(tx)
    with pytest.raises(CustomerError, match="already accepted"):
        cinetpay.refuse(tx)


def test_keys_other_than_the_projects_are_refused_like_cinetpay(cinetpay, tx):
    with pytest.raises(exceptions.CinetPayAuthError) as error:
        services.start_checkout(
            tx, actor=services.Actor.system(), client=get_checkout_client(site_id="654321")
        )
    assert error.value.code == "613"
    with pytest.raises(exceptions.CinetPayAuthError) as error:
        get_checkout_client(api_key="typo").check_payment(tx.transaction_id)
    assert error.value.code == "609"


def test_api_urls_are_read_when_the_fake_starts(settings, tx):
    settings.CINETPAY_CHECKOUT_API_URL = "https://elsewhere.test/v2"
    with CinetPayFake() as fake:
        checkout(tx)
        assert fake.payment(tx).transaction_id == tx.transaction_id
        assert fake.mock.calls[0].request.url == "https://elsewhere.test/v2/payment"


def test_other_http_is_refused_while_the_fake_runs(cinetpay):
    with pytest.raises(requests.ConnectionError):
        requests.get("https://example.com/", timeout=1)


def test_unittest_style_start_and_stop(tx):
    fake = CinetPayFake().start()
    try:
        checkout(tx)
        fake.pay(tx)
    finally:
        fake.stop()
        fake.stop()  # harmless
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.ACCEPTED
    with pytest.raises(RuntimeError, match="start the CinetPayFake first"):
        fake.mock  # noqa: B018
