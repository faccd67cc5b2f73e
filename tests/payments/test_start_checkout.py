"""services.start_checkout: init at CinetPay, record the token or the error, never double-start."""

import datetime as dt
import json

import pytest
import requests
from django.utils import timezone

from django_cinetpay import exceptions, services
from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.states import PaymentStatus

pytestmark = pytest.mark.django_db
SYSTEM = services.Actor.system("test")


def test_success_records_token_and_url(payment, api):
    api.init_ok("tok-9")
    url = services.start_checkout(
        payment, customer={"customer_phone_number": "0707070707", "customer_name": "Koné"}, actor=SYSTEM
    )
    payment.refresh_from_db()
    assert url == "https://checkout.cinetpay.test/payment/tok-9" == payment.payment_url
    assert (payment.status, payment.payment_token, payment.cinetpay_code) == ("pending", "tok-9", "201")
    body = json.loads(api.mock.calls[0].request.body)
    assert body["transaction_id"] == payment.transaction_id
    assert body["notify_url"] == "https://shop.example.com/payments/notify/"
    assert body["return_url"] == "https://shop.example.com/payments/return/"
    assert (body["amount"], body["currency"], body["customer_name"]) == (1000, "XOF", "Koné")
    assert [c.to_status for c in services.history(payment)] == ["created", "pending"]


def test_a_pending_payment_returns_its_url_without_calling_again(pending_payment, api):
    calls = len(api.mock.calls)
    assert services.start_checkout(pending_payment, actor=SYSTEM) == pending_payment.payment_url
    assert len(api.mock.calls) == calls


def test_cinetpay_error_is_recorded_and_raised(payment, api):
    api.init_error("609", "AUTH_NOT_FOUND")
    with pytest.raises(exceptions.CinetPayAuthError) as info:
        services.start_checkout(payment, actor=SYSTEM)
    assert "CINETPAY_API_KEY" in info.value.hint
    payment.refresh_from_db()
    assert (payment.status, payment.cinetpay_code, payment.cinetpay_message) == (
        "created",
        "609",
        "AUTH_NOT_FOUND",
    )


def test_retry_after_an_error_uses_a_fresh_transaction_id(payment, api):
    api.init_error("608", "MINIMUM_REQUIRED_FIELDS")
    with pytest.raises(exceptions.CinetPayValidationError):
        services.start_checkout(payment, actor=SYSTEM)
    first_id = CinetPayTransaction.objects.get(pk=payment.pk).transaction_id
    api.init_ok("t2")
    services.start_checkout(payment, actor=SYSTEM)
    payment.refresh_from_db()
    assert payment.transaction_id != first_id
    assert payment.status == "pending"
    sent = [json.loads(c.request.body)["transaction_id"] for c in api.mock.calls]
    assert sent == [first_id, payment.transaction_id]


def test_timeout_is_recorded_and_never_retried_blindly(payment, api):
    api.mock.post("https://api-checkout.cinetpay.test/v2/payment", body=requests.Timeout())
    with pytest.raises(exceptions.CinetPayTimeoutError):
        services.start_checkout(payment, actor=SYSTEM)
    assert len(api.mock.calls) == 1
    payment.refresh_from_db()
    assert payment.status == "created"
    assert "did not answer" in payment.cinetpay_message


def test_a_start_in_flight_is_not_doubled(payment, api):
    CinetPayTransaction.objects.filter(pk=payment.pk).update(checkout_started_at=timezone.now())
    with pytest.raises(exceptions.PaymentValidationError, match="already being started"):
        services.start_checkout(payment, actor=SYSTEM)
    assert not api.mock.calls


def test_a_start_lost_long_ago_gets_a_new_id(payment, api):
    CinetPayTransaction.objects.filter(pk=payment.pk).update(
        checkout_started_at=timezone.now() - dt.timedelta(minutes=10)
    )
    api.init_ok()
    old_id = payment.transaction_id
    services.start_checkout(payment, actor=SYSTEM)
    assert CinetPayTransaction.objects.get(pk=payment.pk).transaction_id != old_id
    assert services.history(payment).filter(reason__contains="was " + old_id).exists()


def test_final_payments_cannot_start_again(pending_payment, api):
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(status=PaymentStatus.ACCEPTED)
    with pytest.raises(exceptions.InvalidTransitionError):
        services.start_checkout(pending_payment, actor=SYSTEM)


def test_missing_base_url_is_a_configuration_error(payment, api, settings):
    settings.CINETPAY_BASE_URL = ""
    with pytest.raises(exceptions.CinetPayConfigurationError, match="CINETPAY_BASE_URL"):
        services.start_checkout(payment, actor=SYSTEM)
    assert not api.mock.calls
