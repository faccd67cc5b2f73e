"""The package speaks French: pages, CinetPay hints and statuses (the rest of the suite reads English)."""

import pytest
from django.urls import reverse
from django.utils import translation

from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.states import PaymentStatus

pytestmark = pytest.mark.django_db
FR = {"accept-language": "fr"}


def test_payment_form_in_french(client, payment, buyer):
    client.force_login(buyer)
    page = client.get(reverse("cinetpay:pay", args=[payment.transaction_id]), headers=FR).content.decode()
    assert "Payer avec CinetPay" in page
    assert "Numéro de téléphone" in page
    assert 'lang="fr"' in page


def test_cinetpay_hint_in_french(client, payment, buyer, api):
    api.init_error("609", "AUTH_NOT_FOUND")
    client.force_login(buyer)
    form = {
        "customer_surname": "Awa",
        "customer_name": "Koné",
        "customer_email": "awa@example.com",
        "customer_phone_number": "0707070707",
        "channel": "MOBILE_MONEY",
    }
    page = client.post(reverse("cinetpay:pay", args=[payment.transaction_id]), form, headers=FR)
    text = page.content.decode()
    assert "Vérifiez CINETPAY_API_KEY" in text
    assert "Check CINETPAY_API_KEY" not in text


def test_failure_reason_in_french(client, pending_payment, buyer):
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(
        status=PaymentStatus.REFUSED, cinetpay_code="602", cinetpay_message="INSUFFICIENT_BALANCE"
    )
    client.force_login(buyer)
    text = client.get(reverse("cinetpay:failed", args=[pending_payment.transaction_id]), headers=FR).content
    with translation.override("fr"):
        expected = translation.gettext("Your balance was too low for this payment.")
    assert expected in text.decode()
    assert "du client" not in text.decode()  # the buyer reads about their own payment, not "the customer's"


def test_status_labels_in_french(client, pending_payment, buyer):
    client.force_login(buyer)
    data = client.get(reverse("cinetpay:status", args=[pending_payment.transaction_id]), headers=FR).json()
    assert data["status"] == "pending"
    with translation.override("fr"):
        assert str(PaymentStatus.PENDING.label) == data["status_display"] != "Pending"


def test_validation_messages_in_french(buyer, seller):
    from django_cinetpay import exceptions, services

    with translation.override("fr"), pytest.raises(exceptions.PaymentValidationError, match="multiples de 5"):
        services.create_payment(buyer=buyer, seller=seller, amount=1001, description="Skin")
