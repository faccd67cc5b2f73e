"""The payment pages say what is true, to the person reading: amounts and methods as people write them, a
failure explained to the buyer (not "the customer"), and nothing "paid" that was not."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from django_cinetpay import services
from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.states import PaymentStatus

pytestmark = pytest.mark.django_db
NBSP = "\N{NO-BREAK SPACE}"


def page(client, user, name: str, tx: CinetPayTransaction, **headers: str) -> str:
    client.force_login(user)
    response = client.get(reverse(f"cinetpay:{name}", args=[tx.transaction_id]), headers=headers)
    assert response.status_code == 200, response
    return response.content.decode()


def fail(tx: CinetPayTransaction, status: str, code: str = "", method: str = "") -> CinetPayTransaction:
    CinetPayTransaction.objects.filter(pk=tx.pk).update(
        status=status, cinetpay_code=code, cinetpay_message=code and "CODE", payment_method=method
    )
    return CinetPayTransaction.objects.get(pk=tx.pk)


def test_the_amount_is_grouped_with_its_currency_in_the_readers_language(client, buyer, api, seller):
    tx = services.create_payment(
        buyer=buyer, seller=seller, amount=15_000, currency="XOF", description="Skin"
    )
    english = page(client, buyer, "pay", tx)
    french = page(client, buyer, "pay", tx, **{"accept-language": "fr"})

    assert f"15,000{NBSP}XOF" in english
    assert "Pay 15,000 XOF" in english  # the button
    assert f"15{NBSP}000{NBSP}XOF" in french
    assert "15000" not in english + french


def test_a_paid_payment_names_its_method_and_masks_the_number(client, buyer, pending_payment):
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(
        status=PaymentStatus.ACCEPTED, payment_method="OM", payer_phone="+2250707070707"
    )
    html = page(client, buyer, "success", pending_payment)

    assert "Paid with</dt><dd>Orange Money (" in html
    assert ">OM<" not in html
    assert "0707070707" not in html


@pytest.mark.parametrize("status", [PaymentStatus.REFUSED, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED])
def test_a_failed_payment_is_never_called_paid(client, buyer, pending_payment, status):
    html = page(client, buyer, "failed", fail(pending_payment, status, method="OM"))

    assert "Paid with" not in html
    assert "Tried with</dt><dd>Orange Money" in html
    assert "No money was taken." in html


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [
        (PaymentStatus.REFUSED, "602", "Your balance was too low for this payment."),
        (PaymentStatus.REFUSED, "604", "The confirmation code (OTP) entered was wrong."),
        (PaymentStatus.REFUSED, "600", "Your operator or your bank refused the payment."),
        (PaymentStatus.CANCELLED, "", "You cancelled the payment."),
        (PaymentStatus.EXPIRED, "", "The time allowed to pay ran out before the payment was made."),
    ],
)
def test_the_buyer_reads_why_in_their_own_terms(client, buyer, pending_payment, status, code, reason):
    html = page(client, buyer, "failed", fail(pending_payment, status, code))

    assert f'<p class="cinetpay-reason">{reason}</p>' in html.replace("&#x27;", "'")
    assert "customer" not in html.lower()


def test_the_seller_reads_that_the_buyers_payment_failed(client, seller, pending_payment):
    html = page(client, seller, "failed", fail(pending_payment, PaymentStatus.REFUSED, "602"))

    assert "The buyer&#x27;s payment did not go through" in html
    assert "Your balance" not in html
    assert "No money was taken." not in html  # the seller lost nothing: nothing to reassure


def test_the_failure_is_explained_in_french(client, buyer, pending_payment):
    html = page(
        client, buyer, "failed", fail(pending_payment, PaymentStatus.CANCELLED), **{"accept-language": "fr"}
    )
    with translation.override("fr"):
        reason = translation.gettext("You cancelled the payment.")
    assert reason.replace("'", "&#x27;") in html
    assert 'lang="fr"' in html


def test_success_and_pending_speak_to_the_reader(client, buyer, seller, pending_payment):
    waiting_buyer = page(client, buyer, "pending", pending_payment)
    waiting_seller = page(client, seller, "pending", pending_payment)
    assert "Validate the payment on your phone" in waiting_buyer
    assert "The buyer has not finished paying yet." in waiting_seller
    assert "on your phone" not in waiting_seller

    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(status=PaymentStatus.ACCEPTED)
    assert "CinetPay confirmed your payment." in page(client, buyer, "success", pending_payment)
    paid_seller = page(client, seller, "success", pending_payment)
    assert "CinetPay confirmed the buyer's payment." in paid_seller
    assert "your payment" not in paid_seller


def test_every_page_names_an_icon_that_is_served(client, buyer, payment):
    html = page(client, buyer, "pay", payment)

    assert '<link rel="icon" href="/static/cinetpay/favicon.svg" type="image/svg+xml">' in html
    icon = finders.find("cinetpay/favicon.svg")
    assert icon
    assert Path(icon).read_text().startswith("<svg")
