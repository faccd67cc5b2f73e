"""The webhook answers fast whatever CinetPay's check does, and never says "already processed" unprocessed."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_cinetpay import services, tasks
from django_cinetpay.client.signing import compute_x_token
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction
from django_cinetpay.states import PaymentStatus

from .conftest import notification_fields, post_notification

DEADLINE = 1.0


@pytest.fixture
def silent_cinetpay() -> Iterator[str]:
    """A socket that accepts connections and never answers: CinetPay's check endpoint hanging."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])  # held open, never read, never answered
            except OSError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/v2"
    stop.set()
    thread.join(timeout=5)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def started_payment(payment) -> CinetPayTransaction:
    """A pending payment, made without HTTP (the check endpoint under test is a live socket)."""
    CinetPayTransaction.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.PENDING, checkout_started_at=timezone.now(), payment_token="tok-123"
    )
    payment.refresh_from_db()
    return payment


@pytest.mark.django_db
def test_a_hanging_check_is_answered_503_within_the_deadline_and_left_to_a_task(
    client, settings, silent_cinetpay, started_payment, django_capture_on_commit_callbacks
):
    settings.CINETPAY_CHECKOUT_API_URL = silent_cinetpay
    settings.CINETPAY_NOTIFICATION_DEADLINE = DEADLINE
    settings.CINETPAY_TIMEOUT = 30  # the background's own timeout: never waited for here
    backend = tasks.process_notification.get_backend()
    backend.clear()
    fields = notification_fields(started_payment)

    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_notification(client, fields)
    elapsed = time.monotonic() - began

    assert response.status_code == 503
    assert elapsed < DEADLINE + 1, f"answered after {elapsed:.2f} s"
    notification = CinetPayNotification.objects.get()
    assert (notification.valid, notification.processed) == (True, False)
    assert [result.args for result in backend.results] == [[notification.pk]]
    assert CinetPayTransaction.objects.get(pk=started_payment.pk).status == PaymentStatus.PENDING


@pytest.mark.django_db
def test_the_deferred_task_confirms_the_stored_notification(client, settings, started_payment, api):
    settings.CINETPAY_CHECK_ATTEMPTS = 1
    api.check_raises(requests.Timeout("CinetPay hangs"))
    assert post_notification(client, notification_fields(started_payment)).status_code == 503
    notification = CinetPayNotification.objects.get()

    api.check("ACCEPTED")
    assert tasks.process_notification.call(notification.pk) == 200

    notification.refresh_from_db()
    assert notification.processed is True
    assert CinetPayTransaction.objects.get(pk=started_payment.pk).status == PaymentStatus.ACCEPTED
    assert tasks.process_notification.call(notification.pk) == 200  # a replay changes nothing


@pytest.mark.django_db
def test_the_webhook_asks_once_and_leaves_retries_to_the_background(client, settings, started_payment, api):
    settings.CINETPAY_CHECK_ATTEMPTS = 3
    api.check_raises(requests.Timeout("CinetPay hangs"))
    assert post_notification(client, notification_fields(started_payment)).status_code == 503
    assert api.calls_to("/payment/check") == 1


@pytest.mark.django_db
def test_a_notification_before_the_start_is_visible_is_checked_not_called_processed(
    client, payment, api, signal_log, django_capture_on_commit_callbacks
):
    """The host's transaction that starts the checkout has not committed: the start is not visible."""
    assert payment.checkout_started_at is None
    api.check("ACCEPTED")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_notification(client, notification_fields(payment))
    assert response.content != b"already processed"
    assert api.calls_to("/payment/check") == 1
    assert CinetPayTransaction.objects.get(pk=payment.pk).status == PaymentStatus.ACCEPTED
    assert len(signal_log.accepted) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_notification_racing_the_hosts_uncommitted_checkout_is_applied(payment, api, signal_log):
    """Real threads on PostgreSQL: the host starts the checkout inside its own transaction and CinetPay's
    notification arrives before that commits. It is checked, waits for the row, and is applied."""
    api.init_ok()
    api.check("ACCEPTED")
    started, answered = threading.Event(), threading.Event()
    responses: list[bytes] = []

    def host_view() -> None:
        try:
            with transaction.atomic():  # ATOMIC_REQUESTS, or the host's own transaction.atomic()
                services.start_checkout(payment, actor=services.Actor.system())
                started.set()
                answered.wait(timeout=1.5)  # the notification arrives while this is not committed
        finally:
            connection.close()

    def cinetpay_notifies() -> None:
        try:
            started.wait(timeout=10)
            fields = notification_fields(payment)
            response = Client().post(
                reverse("cinetpay:notify"),
                urlencode(fields),
                headers={"x-token": compute_x_token("test-secret-key", fields)},
                content_type="application/x-www-form-urlencoded",
            )
            responses.append(response.content)
            answered.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=host_view), threading.Thread(target=cinetpay_notifies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert responses == [b"applied"]
    assert CinetPayTransaction.objects.get(pk=payment.pk).status == PaymentStatus.ACCEPTED
    assert len(signal_log.accepted) == 1
