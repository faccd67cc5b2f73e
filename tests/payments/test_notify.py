"""cinetpay:notify — stored first, x-token verified (fail closed), confirmed by a check, applied once."""

from unittest import mock

import pytest
import requests
from django.test import Client
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction
from django_cinetpay.states import PaymentStatus

from .conftest import notification_fields, post_notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "head"])
def test_liveness_ping_answers_200_and_stores_nothing(client, method):
    response = getattr(client, method)(reverse("cinetpay:notify"))
    assert response.status_code == 200
    assert not CinetPayNotification.objects.exists()


def test_accepted_payment(client, pending_payment, api, signal_log, django_capture_on_commit_callbacks):
    api.check("ACCEPTED")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_notification(client, notification_fields(pending_payment))
    assert response.status_code == 200
    tx = CinetPayTransaction.objects.get(pk=pending_payment.pk)
    assert tx.status == PaymentStatus.ACCEPTED
    assert (tx.payment_method, tx.operator_id, tx.payer_phone, tx.payer_phone_prefix) == (
        "OM",
        "MP220915.2257.A76307",
        "0707070707",
        "225",
    )
    assert tx.paid_at is not None
    [sent] = signal_log.accepted
    assert sent["transaction"].pk == tx.pk
    note = CinetPayNotification.objects.get()
    assert (note.valid, note.processed, note.transaction_id, note.reference) == (
        True,
        True,
        tx.pk,
        tx.transaction_id,
    )
    assert "cpm_trans_id=" in note.body
    assert note.headers["X-Token"]
    change = services.history(tx).last()
    assert (change.from_status, change.to_status, change.actor_kind) == (
        "pending",
        "accepted",
        "notification",
    )


def test_duplicates_are_acknowledged_and_change_nothing(
    client, pending_payment, api, signal_log, django_capture_on_commit_callbacks
):
    api.check("ACCEPTED")
    fields = notification_fields(pending_payment)
    with django_capture_on_commit_callbacks(execute=True):
        responses_ = [post_notification(client, fields) for _ in range(3)]
    assert [r.status_code for r in responses_] == [200, 200, 200]
    assert responses_[-1].content == b"already processed"
    assert len(signal_log.accepted) == 1
    assert services.history(pending_payment).filter(to_status="accepted").count() == 1


@pytest.mark.parametrize(
    ("token", "secret"),
    [("", "test-secret-key"), ("0" * 64, "test-secret-key"), (None, "another-secret")],
    ids=["missing", "wrong", "signed-with-another-key"],
)
def test_bad_signature_is_refused_without_any_check(client, pending_payment, api, token, secret):
    response = post_notification(client, notification_fields(pending_payment), token=token, secret=secret)
    assert response.status_code == 403
    assert not api.mock.calls[1:]  # only the init call of the fixture
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.PENDING
    note = CinetPayNotification.objects.get()
    assert note.valid is False
    assert note.error


def test_tampered_amount_breaks_the_signature(client, pending_payment, api):
    fields = notification_fields(pending_payment)
    from django_cinetpay.client.signing import compute_x_token

    signed = compute_x_token("test-secret-key", fields)
    fields["cpm_amount"] = "100"
    response = post_notification(client, fields, token=signed)
    assert response.status_code == 403
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.PENDING


def test_no_secret_configured_fails_closed(client, pending_payment, api, settings):
    settings.CINETPAY_SECRET_KEY = ""
    response = post_notification(client, notification_fields(pending_payment), secret="")
    assert response.status_code == 403
    assert "CINETPAY_SECRET_KEY is not set" in CinetPayNotification.objects.get().error


def test_arrival_order_signature_is_accepted(client, pending_payment, api):
    from django_cinetpay.client.signing import compute_arrival_order_token

    api.check("ACCEPTED")
    fields = {"cpm_trans_id": pending_payment.transaction_id, "cpm_site_id": "123456", "cpm_amount": "1000"}
    token = compute_arrival_order_token("test-secret-key", fields.values())
    assert post_notification(client, fields, token=token).status_code == 200
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED


def test_unknown_transaction(client, pending_payment, api):
    fields = notification_fields(pending_payment, cpm_trans_id="CPDOESNOTEXIST")
    assert post_notification(client, fields).status_code == 404
    assert "No payment has transaction_id CPDOESNOTEXIST" in CinetPayNotification.objects.get().error


def test_missing_transaction_id(client, pending_payment, api):
    fields = notification_fields(pending_payment)
    del fields["cpm_trans_id"]
    assert post_notification(client, fields).status_code == 400


def test_other_site_id(client, pending_payment, api):
    assert (
        post_notification(client, notification_fields(pending_payment, cpm_site_id="999")).status_code == 400
    )


def test_malformed_body_is_a_clear_refusal(client, pending_payment):
    response = client.post(
        reverse("cinetpay:notify"),
        "\x00{not a form",
        content_type="application/json",
        headers={"x-token": "abc"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("100", "XOF"), ("1000", "XAF"), (None, "XOF")],
    ids=["amount", "currency", "none"],
)
def test_accepted_with_other_amount_or_currency_is_not_paid(
    client, pending_payment, api, signal_log, amount, currency, django_capture_on_commit_callbacks
):
    api.check("ACCEPTED", amount=amount, currency=currency)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_notification(client, notification_fields(pending_payment))
    assert response.status_code == 200
    assert response.content == b"mismatch"
    tx = CinetPayTransaction.objects.get(pk=pending_payment.pk)
    assert tx.status == PaymentStatus.PENDING
    assert tx.needs_review
    assert "Not marked paid" in tx.review_reason
    assert signal_log.accepted == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [("627", PaymentStatus.CANCELLED), ("600", PaymentStatus.REFUSED), ("625", PaymentStatus.EXPIRED)],
)
def test_refused_payments(
    client, pending_payment, api, signal_log, code, expected, django_capture_on_commit_callbacks
):
    api.check("REFUSED", code=code, message="TRANSACTION_CANCEL")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_notification(client, notification_fields(pending_payment)).status_code == 200
        post_notification(client, notification_fields(pending_payment))
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == expected
    [sent] = signal_log.refused
    assert (sent["status"], sent["code"]) == (expected, code)


def test_waiting_for_customer_is_not_a_failure(client, pending_payment, api, signal_log):
    api.check("WAITING_FOR_CUSTOMER", code="662", message="WAITING_CUSTOMER_PAYMENT")
    assert post_notification(client, notification_fields(pending_payment)).status_code == 200
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.PENDING
    assert signal_log.refused == []


def test_a_late_refusal_never_undoes_an_acceptance(
    client, pending_payment, api, signal_log, django_capture_on_commit_callbacks
):
    api.check("ACCEPTED")
    with django_capture_on_commit_callbacks(execute=True):
        post_notification(client, notification_fields(pending_payment))
        api.check("REFUSED", code="627", message="TRANSACTION_CANCEL")
        response = post_notification(client, notification_fields(pending_payment))
    assert response.content == b"already processed"  # accepted is final: CinetPay is not even asked
    assert api.calls_to("/payment/check") == 1
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED
    assert signal_log.refused == []
    assert len(signal_log.accepted) == 1


def test_a_retry_after_a_refusal_can_still_be_accepted(
    client, pending_payment, api, signal_log, django_capture_on_commit_callbacks
):
    api.check("REFUSED", code="600", message="PAYMENT_FAILED")
    with django_capture_on_commit_callbacks(execute=True):
        post_notification(client, notification_fields(pending_payment))
    api.check("ACCEPTED")
    with django_capture_on_commit_callbacks(execute=True):
        post_notification(client, notification_fields(pending_payment))
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED
    assert len(signal_log.refused) == 1
    assert len(signal_log.accepted) == 1


def test_a_refusal_overtaken_by_the_acceptance_is_never_heard_after_it(
    client, pending_payment, api, signal_log, django_capture_on_commit_callbacks
):
    """The refusal's signal runs after the acceptance committed: it stays silent, never late."""
    api.check("REFUSED", code="600", message="PAYMENT_FAILED")
    with django_capture_on_commit_callbacks(execute=True):
        post_notification(client, notification_fields(pending_payment))
        api.check("ACCEPTED")
        post_notification(client, notification_fields(pending_payment))
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED
    assert signal_log.refused == []
    assert len(signal_log.accepted) == 1


def test_a_second_failure_after_a_new_attempt_is_applied_but_not_announced_again(
    client, pending_payment, api, signal_log, django_capture_on_commit_callbacks
):
    """The local status follows CinetPay (refused, waiting again, cancelled); the signal is sent once."""
    answers = [
        ("REFUSED", "600", PaymentStatus.REFUSED),
        ("WAITING_FOR_CUSTOMER", "662", PaymentStatus.PENDING),
        ("REFUSED", "627", PaymentStatus.CANCELLED),
    ]
    for status, code, expected in answers:
        api.check(status, code=code, message=status)
        with django_capture_on_commit_callbacks(execute=True):
            post_notification(client, notification_fields(pending_payment))
        assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == expected
    assert [(sent["status"], sent["code"]) for sent in signal_log.refused] == [(PaymentStatus.REFUSED, "600")]


@pytest.mark.parametrize(
    "failure",
    [
        requests.Timeout(),
        requests.ConnectionError(),
        {"status": 502, "body": "<html>Bad gateway</html>", "content_type": "text/html"},
        {"status": 200, "body": '{"code": "00", "data": ', "content_type": "application/json"},
        {"status": 200, "json": {"code": "609", "message": "AUTH_NOT_FOUND"}},
    ],
    ids=["timeout", "connection", "5xx-html", "malformed-json", "auth-error"],
)
def test_check_failures_change_nothing_and_ask_for_a_retry(client, pending_payment, api, failure):
    url = "https://api-checkout.cinetpay.test/v2/payment/check"
    if isinstance(failure, Exception):
        api.mock.post(url, body=failure)
    else:
        api.mock.post(url, **failure)
    response = post_notification(client, notification_fields(pending_payment))
    assert response.status_code == 503
    tx = CinetPayTransaction.objects.get(pk=pending_payment.pk)
    assert tx.status == PaymentStatus.PENDING
    assert tx.last_checked_at is None
    note = CinetPayNotification.objects.get()
    assert note.valid is True
    assert note.processed is False
    assert note.error
    assert "test-api-key" not in note.error


def test_stored_notification_can_be_reprocessed(client, pending_payment, api):
    api.check_raises(requests.Timeout())
    post_notification(client, notification_fields(pending_payment))
    note = CinetPayNotification.objects.get()
    api.check("ACCEPTED")
    result = services.reprocess(note)
    assert (result.status, note.processed) == (200, True)
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED


def test_a_bug_keeps_the_request_and_its_traceback(client, pending_payment, api):
    with mock.patch(
        "django_cinetpay.services.notifications.refresh_payment", side_effect=RuntimeError("boom")
    ):
        response = post_notification(client, notification_fields(pending_payment))
    assert response.status_code == 500
    note = CinetPayNotification.objects.get()
    assert "RuntimeError" in note.traceback
    assert not note.processed


def test_notify_is_csrf_exempt(pending_payment, api):
    api.check("ACCEPTED")
    csrf_client = Client(enforce_csrf_checks=True)
    assert post_notification(csrf_client, notification_fields(pending_payment)).status_code == 200


def test_cookies_are_not_stored(client, pending_payment, api):
    api.check("ACCEPTED")
    client.cookies["sessionid"] = "secret-session"
    post_notification(client, notification_fields(pending_payment))
    assert "secret-session" not in str(CinetPayNotification.objects.get().headers)


def test_logs_mask_phone_numbers(client, pending_payment, api, caplog):
    api.check("ACCEPTED")
    with caplog.at_level("DEBUG", logger="django_cinetpay"):
        post_notification(client, notification_fields(pending_payment))
    assert "0707070707" not in caplog.text
    assert "********07" in caplog.text
    assert "test-api-key" not in caplog.text
    assert "test-secret-key" not in caplog.text
