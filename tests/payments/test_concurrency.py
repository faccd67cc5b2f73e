"""Duplicate notifications racing on PostgreSQL with real threads: exactly one acceptance."""

import threading

import pytest
from django.db import connection
from django.test import Client

from django_cinetpay import services, signals
from django_cinetpay.client import CheckResult
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction
from django_cinetpay.services.verdicts import apply_check_result
from django_cinetpay.states import PaymentStatus

from .conftest import notification_fields, post_notification

THREADS = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_duplicate_notifications_accept_once(pending_payment, api, signal_log):
    api.check("ACCEPTED")
    fields = notification_fields(pending_payment)
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            statuses.append(post_notification(client, fields).status_code)
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert statuses == [200] * THREADS
    assert len(signal_log.accepted) == 1
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED
    assert services.history(pending_payment).filter(to_status="accepted").count() == 1
    assert CinetPayNotification.objects.filter(processed=True).count() == THREADS
    # Each was confirmed by a check, none trusted alone, until one had accepted the payment: those that
    # found it accepted (final) were answered "already processed" without asking CinetPay again.
    assert 1 <= api.calls_to("/payment/check") <= THREADS
    results = sorted(CinetPayNotification.objects.values_list("result", flat=True))
    assert results == ["200 already processed"] * (THREADS - 1) + ["200 applied"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refusal_racing_an_acceptance_is_never_heard_after_it(buyer, seller):
    """Real threads on PostgreSQL: a receiver never hears payment_refused after payment_accepted."""
    heard: list[tuple[str, int]] = []

    def on_accepted(sender, transaction, **kwargs):
        heard.append(("accepted", transaction.pk))

    def on_refused(sender, transaction, **kwargs):
        heard.append(("refused", transaction.pk))

    answers = {
        "accepted": CheckResult(code="00", message="SUCCES", status="ACCEPTED", amount=1000, currency="XOF"),
        "refused": CheckResult(code="600", message="PAYMENT_FAILED", status="REFUSED"),
    }
    signals.payment_accepted.connect(on_accepted)
    signals.payment_refused.connect(on_refused)
    try:
        for _ in range(30):
            tx = services.create_payment(
                buyer=buyer, seller=seller, amount=1000, currency="XOF", description="Compte"
            )
            barrier = threading.Barrier(2)

            def apply(name: str, tx=tx, barrier=barrier) -> None:
                try:
                    barrier.wait(timeout=10)
                    apply_check_result(tx, answers[name], actor=services.Actor.check(name))
                finally:
                    connection.close()

            threads = [threading.Thread(target=apply, args=(name,)) for name in answers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            mine = [name for name, pk in heard if pk == tx.pk]
            assert mine in (["accepted"], ["refused", "accepted"]), mine
            assert CinetPayTransaction.objects.get(pk=tx.pk).status == PaymentStatus.ACCEPTED
    finally:
        signals.payment_accepted.disconnect(on_accepted)
        signals.payment_refused.disconnect(on_refused)
