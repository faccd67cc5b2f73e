"""The payment flow with Django's ``LoginRequiredMiddleware``: CinetPay and a returning buyer get through.

Under that middleware every view needs a login unless marked ``login_not_required``; CinetPay never logs
in, so an unmarked notify URL answered 302 to the login page and no payment was ever confirmed.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.states import PaymentStatus

from .conftest import notification_fields, post_notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("login_required_everywhere")]

FORM = {
    "customer_surname": "Awa",
    "customer_name": "Koné",
    "customer_email": "awa@example.com",
    "customer_phone_number": "0707070707",
    "channel": "ALL",
}


def test_the_middleware_is_on():
    response = Client().get(reverse("admin:password_change"))
    assert response.status_code == 302


def test_a_payment_goes_through_with_logins_required(payment, buyer, api):
    browser = Client()
    browser.force_login(buyer)
    pay = reverse("cinetpay:pay", args=[payment.transaction_id])
    assert browser.get(pay).status_code == 200
    api.init_ok("tok-9")
    assert browser.post(pay, FORM)["Location"] == "https://checkout.cinetpay.test/payment/tok-9"

    cinetpay = Client()
    assert cinetpay.get(reverse("cinetpay:notify")).status_code == 200  # the liveness ping
    api.check("ACCEPTED")
    payment.refresh_from_db()
    accepted = post_notification(cinetpay, notification_fields(payment))
    assert (accepted.status_code, accepted.content) == (200, b"applied")
    assert CinetPayTransaction.objects.get(pk=payment.pk).status == PaymentStatus.ACCEPTED

    # CinetPay's checkout posts the browser back cross-site, without the session cookie (SameSite=Lax).
    params = {"transaction_id": payment.transaction_id, "token": "tok-9"}
    back = cinetpay.post(reverse("cinetpay:return"), params)
    assert back.status_code == 303
    result = browser.get(back["Location"])
    success = reverse("cinetpay:success", args=[payment.transaction_id])
    assert result["Location"] == success
    assert browser.post(reverse("cinetpay:return"), params)["Location"] == success
    assert browser.get(success).status_code == 200


def test_the_transfer_webhook_is_reached_with_logins_required():
    cinetpay = Client()
    assert cinetpay.get(reverse("cinetpay:transfer-notify")).status_code == 200
    response = cinetpay.post(reverse("cinetpay:transfer-notify"), {"client_transaction_id": "TR1"})
    assert (response.status_code, response.content) == (404, b"unknown transfer")
