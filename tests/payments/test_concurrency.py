"""Duplicate notifications racing on PostgreSQL with real threads: exactly one acceptance."""

import threading

import pytest
from django.db import connection
from django.test import Client

from django_cinetpay import services
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction
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
    assert api.calls_to("/payment/check") == THREADS  # every one was confirmed, none trusted alone
