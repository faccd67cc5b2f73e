"""Races on PostgreSQL with real threads: row locks and constraints keep money moving exactly once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import responses
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_cinetpay import exceptions, services
from django_cinetpay.client.signing import compute_x_token
from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.services.reconcile import find_discrepancies
from django_cinetpay.states import EscrowStatus, PaymentStatus

from .conftest import PAYER_PHONE, accept, make_payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHECKOUT = "https://api-checkout.cinetpay.test/v2"


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` in threads released together; each result, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:  # returned to the test, in the main thread
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def no_security_period(settings):  # type: ignore[no-untyped-def]
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)


def test_twenty_duplicate_notifications_open_one_escrow(buyer, seller, signal_log):
    payment = make_payment(buyer, seller)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            f"{CHECKOUT}/payment",
            json={
                "code": "201",
                "message": "CREATED",
                "data": {"payment_token": "tok", "payment_url": "https://checkout.cinetpay.test/payment/tok"},
            },
        )
        services.start_checkout(payment, actor=services.Actor.system())
        mock.post(
            f"{CHECKOUT}/payment/check",
            json={
                "code": "00",
                "message": "SUCCES",
                "data": {
                    "amount": str(payment.amount),
                    "currency": "XOF",
                    "status": "ACCEPTED",
                    "payment_method": "OM",
                },
            },
        )
        fields = {
            "cpm_site_id": "123456",
            "cpm_trans_id": payment.transaction_id,
            "cpm_amount": str(payment.amount),
            "cpm_currency": "XOF",
            "payment_method": "OM",
            "cel_phone_num": PAYER_PHONE,
            "cpm_phone_prefixe": "225",
        }
        body = urlencode(fields)
        headers = {"x-token": compute_x_token("test-secret-key", fields)}

        def deliver() -> int:
            return (
                Client()
                .post(
                    reverse("cinetpay:notify"),
                    body,
                    headers=headers,
                    content_type="application/x-www-form-urlencoded",
                )
                .status_code
            )

        assert race(*[deliver] * 20) == [200] * 20
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.ACCEPTED
    assert EscrowTransaction.objects.filter(payment=payment).count() == 1
    assert services.history(payment.escrow).count() == 1
    assert find_discrepancies() == []


def test_ten_concurrent_confirmations_make_one_payout(escrow, buyer, no_security_period, signal_log):
    results = race(*[lambda: services.confirm_receipt(escrow, buyer)] * 10)
    assert all(isinstance(r, EscrowTransaction) for r in results), results
    escrow.refresh_from_db()
    assert escrow.status == EscrowStatus.RELEASED
    assert PayoutRequest.objects.filter(escrow=escrow).count() == 1
    assert [c.to_status for c in services.history(escrow)] == ["held", "confirmed", "released"]
    assert signal_log.names() == ["escrow_confirmed", "escrow_released"]  # once each
    assert find_discrepancies() == []


def test_a_confirmation_racing_a_staff_refund_lets_exactly_one_win(
    buyer, seller, staff, no_security_period, signal_log
):
    escrows = [accept(make_payment(buyer, seller)).escrow for _ in range(5)]
    for escrow in escrows:
        confirm, refund = race(
            lambda e=escrow: services.confirm_receipt(e, buyer),
            lambda e=escrow: services.refund_escrow(e, staff, "buyer asked"),
        )
        escrow.refresh_from_db()
        if escrow.status == EscrowStatus.RELEASED:
            assert isinstance(refund, exceptions.InvalidTransitionError), refund
        else:
            assert escrow.status == EscrowStatus.REFUNDED
            assert isinstance(confirm, exceptions.InvalidTransitionError), confirm
        assert PayoutRequest.objects.filter(escrow=escrow).count() == 1
    resolved = [name for name in signal_log.names() if name in ("escrow_released", "escrow_refunded")]
    assert len(resolved) == len(escrows)  # each escrow resolved once, whichever won
    assert len(signal_log.of("escrow_confirmed")) == len(signal_log.of("escrow_released"))
    assert find_discrepancies() == []


def test_two_release_jobs_at_once_send_each_payout_once(buyer, seller, transfer_api):
    escrows = [accept(make_payment(buyer, seller)).escrow for _ in range(12)]
    for escrow in escrows:
        services.confirm_receipt(escrow, buyer)
    EscrowTransaction.objects.update(release_due_at=timezone.now() - dt.timedelta(seconds=1))

    def job() -> tuple[int, int]:
        released = services.release_due_escrows().released
        return released, len(services.process_payouts().steps)

    results = race(job, job)
    assert not any(isinstance(r, BaseException) for r in results), results
    assert sum(released for released, _ in results) == len(escrows)
    payouts = list(PayoutRequest.objects.all())
    assert len(payouts) == len(escrows)
    assert all(transfer_api.sends_of(p.client_transaction_id) == 1 for p in payouts)
    assert len(transfer_api.transfers) == len(escrows)
    assert find_discrepancies() == []
    assert CinetPayTransaction.objects.count() == len(escrows)
