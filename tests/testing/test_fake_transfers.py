"""Transfers with the in-process fake: the real TransferClient, and a seller payout from end to end."""

from __future__ import annotations

import datetime as dt

import django
import pytest

from django_cinetpay import exceptions, services
from django_cinetpay.client import get_transfer_client
from django_cinetpay.models import PayoutRequest
from django_cinetpay.states import PaymentStatus, PayoutStatus
from django_cinetpay.testing import CinetPayFake

TASKS_MODULE = "django.tasks" if django.VERSION >= (6, 0) else "django_tasks"


@pytest.fixture
def client(cinetpay):
    """The package's Transfer API client, talking to the fake."""
    return get_transfer_client()


def test_contact_send_check(cinetpay, client):
    assert (
        client.add_contact("225", "0505050505", "Koffi", "Yao", "koffi@example.com").already_contact is False
    )
    assert (
        client.add_contact("225", "0505050505", "Koffi", "Yao", "koffi@example.com").already_contact is True
    )

    sent = client.send_money(
        "225", "0505050505", 9500, "PAYOUT-1", "https://shop.example.com/payments/transfer/notify/"
    )

    assert sent.client_transaction_id == "PAYOUT-1"
    assert sent.is_in_progress
    assert cinetpay.transfer("PAYOUT-1").amount == 9500
    assert cinetpay.balance == {"amount": 1_000_000, "inUsing": 9500, "available": 990_500}
    assert client.check_transfer("PAYOUT-1").transaction_id == sent.transaction_id
    assert client.check_transfer("NEVER-SENT") is None


def test_cinetpay_refusals_reach_the_client(cinetpay, client):
    with pytest.raises(exceptions.CinetPayTransferError) as not_contact:
        client.send_money("225", "0505050505", 9500, "PAYOUT-1", "")
    assert not_contact.value.code == "724"

    client.add_contact("225", "0505050505", "Koffi", "Yao", "koffi@example.com")
    client.send_money("225", "0505050505", 9500, "PAYOUT-1", "")
    with pytest.raises(exceptions.CinetPayTransferError) as reused:
        client.send_money("225", "0505050505", 9500, "PAYOUT-1", "")
    assert reused.value.code == "805"


def test_short_balance():
    with CinetPayFake(transfer_balance=5000):
        client = get_transfer_client()
        client.add_contact("225", "0505050505", "Koffi", "Yao", "koffi@example.com")
        with pytest.raises(exceptions.CinetPayTransferError) as short:
            client.send_money("225", "0505050505", 9500, "PAYOUT-1", "")
    assert short.value.code == "602"


def test_an_expired_token_makes_the_client_log_in_again(cinetpay, client):
    client.get_balance()
    logins = sum(1 for c in cinetpay.mock.calls if "/auth/login" in c.request.url)

    cinetpay.advance(301)  # CinetPay's clock: the token is now older than 5 minutes
    client.get_balance()  # the client's own clock still trusts its cached token

    calls = [c.request.url.split("?")[0].rsplit("/v1/", 1)[1] for c in cinetpay.mock.calls]
    assert calls[-3:] == ["transfer/check/balance", "auth/login", "transfer/check/balance"]
    assert logins == 1


def test_transfer_delay_validates_on_its_own():
    with CinetPayFake(transfer_delay=60) as fake:
        client = get_transfer_client()
        client.add_contact("225", "0505050505", "Koffi", "Yao", "koffi@example.com")
        client.send_money("225", "0505050505", 9500, "PAYOUT-1", "")
        fake.advance(59)
        assert client.check_transfer("PAYOUT-1").is_in_progress
        fake.advance(1)
        assert client.check_transfer("PAYOUT-1").is_completed


@pytest.fixture
def submitted_payout(transactional_db, cinetpay, buyer, seller, settings) -> PayoutRequest:
    """A seller payout sent to the fake: paid, receipt confirmed, released at once, transfer ``NEW``."""
    settings.CINETPAY_ADAPTER = "tests.escrow.adapter.SellerPhoneAdapter"
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    settings.TASKS = {"default": {"BACKEND": f"{TASKS_MODULE}.backends.dummy.DummyBackend"}}
    seller.first_name, seller.last_name = "Koffi", "Yao"  # CinetPay's contacts need both names
    seller.save()
    tx = services.create_payment(
        buyer=buyer, seller=seller, amount=10_000, currency="XOF", description="Compte"
    )
    services.start_checkout(tx, actor=services.Actor.system())
    cinetpay.pay(tx)
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.ACCEPTED
    services.confirm_receipt(tx.escrow, buyer)
    payout = PayoutRequest.objects.get()
    services.process_payout(payout)
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.SUBMITTED
    return payout


def test_validated_transfer_completes_the_payout(cinetpay, submitted_payout, received):
    payout = submitted_payout
    assert cinetpay.transfer(payout).amount == payout.amount

    (delivery,) = cinetpay.validate_transfer(payout)

    assert delivery.status == 200
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.COMPLETED
    assert [kw["payout"].pk for kw in received["payout_completed"]] == [payout.pk]
    assert cinetpay.notify_transfer(payout)[0].status == 200  # again: nothing changes
    assert len(received["payout_completed"]) == 1


def test_rejected_transfer_fails_the_payout(cinetpay, submitted_payout, received):
    cinetpay.reject_transfer(submitted_payout, comment="Numéro inconnu de l'opérateur")

    submitted_payout.refresh_from_db()
    assert submitted_payout.status == PayoutStatus.FAILED
    assert len(received["payout_failed"]) == 1
