"""Faults injected in the fake, each seen as the real clients see them."""

from __future__ import annotations

import pytest

from django_cinetpay import exceptions, services
from django_cinetpay.client import get_checkout_client, get_transfer_client
from django_cinetpay.states import PaymentStatus
from django_cinetpay.testing import CinetPayFake, Fault

pytestmark = pytest.mark.django_db


@pytest.fixture
def tx(buyer, seller):
    return services.create_payment(
        buyer=buyer, seller=seller, amount=2500, currency="XOF", description="Compte"
    )


def start(tx) -> str:
    return services.start_checkout(tx, actor=services.Actor.system())


def test_timeout_after_cinetpay_acted(cinetpay, tx):
    cinetpay.fail(Fault.TIMEOUT, "payment")

    with pytest.raises(exceptions.CinetPayTimeoutError):
        start(tx)

    tx.refresh_from_db()
    assert tx.status == PaymentStatus.CREATED
    assert "outcome is unknown" in tx.cinetpay_message
    assert cinetpay.payment(tx).transaction_id == tx.transaction_id  # CinetPay has it all the same
    assert get_checkout_client().check_payment(tx.transaction_id).is_waiting


def test_server_error_once_is_absorbed_by_the_check_retry(cinetpay, tx):
    start(tx)
    cinetpay.fail("5xx", "payment/check", times=1)

    assert get_checkout_client().check_payment(tx.transaction_id).is_waiting

    statuses = [
        c.response.status_code for c in cinetpay.mock.calls if c.request.url.endswith("/payment/check")
    ]
    assert statuses == [503, 200]


def test_server_error_that_lasts(cinetpay, tx):
    start(tx)
    cinetpay.fail("5xx", "payment/check", times=None)
    with pytest.raises(exceptions.CinetPayServerError):
        get_checkout_client().check_payment(tx.transaction_id)
    cinetpay.clear_faults()
    assert get_checkout_client().check_payment(tx.transaction_id).is_waiting


def test_html_page(cinetpay, tx):
    cinetpay.fail("html", "payment")
    with pytest.raises(exceptions.CinetPayInvalidResponseError, match="HTML page"):
        start(tx)
    assert cinetpay.payments == []  # the firewall answered; CinetPay never saw it


def test_malformed_json(cinetpay, tx):
    cinetpay.fail("malformed_json", "payment")
    with pytest.raises(exceptions.CinetPayInvalidResponseError, match="malformed JSON"):
        start(tx)
    assert len(cinetpay.payments) == 1


def test_latency(tx):
    slept: list[float] = []
    with CinetPayFake(sleep=slept.append) as fake:
        fake.fail("latency", "payment", seconds=0.3)
        start(tx)
    assert slept == [0.3]
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.PENDING


def test_fault_on_every_endpoint_fires_its_times(cinetpay, tx):
    cinetpay.fail("5xx", times=2)
    checks = get_checkout_client(check_attempts=1)

    with pytest.raises(exceptions.CinetPayServerError):
        start(tx)
    with pytest.raises(exceptions.CinetPayServerError):
        checks.check_payment("NEVER-SEEN")
    with pytest.raises(exceptions.CinetPayAPIError) as unknown:  # the rule is spent: CinetPay answers
        checks.check_payment("NEVER-SEEN")
    assert unknown.value.code == "404"


def test_transfer_send_timeout_is_resolved_by_looking_up(cinetpay):
    client = get_transfer_client()
    client.add_contact("225", "0505050505", "Koffi", "Yao", "koffi@example.com")
    cinetpay.fail("timeout", "transfer/money/send/contact")

    with pytest.raises(exceptions.CinetPayTimeoutError):
        client.send_money("225", "0505050505", 9500, "PAYOUT-1", "")

    found = client.check_transfer("PAYOUT-1")  # the send happened: never send again
    assert found is not None
    assert found.amount == 9500


def test_notification_rules(cinetpay, tx):
    start(tx)
    cinetpay.fail("duplicate", "notification")
    assert [d.status for d in cinetpay.pay(tx)] == [200, 200]
    cinetpay.fail(Fault.LOST, "notification")
    assert cinetpay.notify(tx) == []


def test_unknown_fault_is_refused(cinetpay):
    with pytest.raises(ValueError, match="gremlins"):
        cinetpay.fail("gremlins")
