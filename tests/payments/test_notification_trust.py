"""What a verified notification proves: its x-token signs the values joined with no separator, so only the
characters are proved, not where each field ends. The payer's number (where refunds go) is the one value
taken from it, and only from a notification every field of which has the shape CinetPay sends."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from django_cinetpay.client.signing import compute_arrival_order_token, compute_x_token
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction
from django_cinetpay.states import PaymentStatus

from .conftest import notification_fields, post_notification

pytestmark = pytest.mark.django_db
SECRET = "test-secret-key"


def payer(tx: CinetPayTransaction) -> tuple[str, str, str]:
    tx = CinetPayTransaction.objects.get(pk=tx.pk)
    return tx.status, tx.payer_phone_prefix, tx.payer_phone


def test_a_re_split_genuine_notification_verifies_but_gives_no_number(client, pending_payment, api, caplog):
    api.check("ACCEPTED")
    genuine = notification_fields(pending_payment)  # payment_method=OM, cel_phone_num=0707070707, 225
    forged = {**genuine, "payment_method": "OM07", "cel_phone_num": "0707070722", "cpm_phone_prefixe": "5"}
    token = compute_x_token(SECRET, genuine)
    assert compute_x_token(SECRET, forged) == token  # CinetPay's signature cannot tell them apart

    response = post_notification(client, forged, token=token)

    assert response.status_code == 200  # the check decides the status, and it says accepted
    assert payer(pending_payment) == (PaymentStatus.ACCEPTED, "", "")
    assert CinetPayNotification.objects.get().valid
    assert "0707070722" not in caplog.text
    assert "payment_method is not a known method" in caplog.text
    post_notification(client, genuine, token=token)  # CinetPay's own notification still gives it
    assert payer(pending_payment) == (PaymentStatus.ACCEPTED, "225", "0707070707")


@pytest.mark.parametrize(
    "fields",
    [
        {"payment_method": "OM07"},  # not a payment method CinetPay sends
        {"cpm_phone_prefixe": "233"},  # Ghana: not a CinetPay country
        {"cpm_phone_prefixe": "+225"},  # CinetPay sends digits
        {"cpm_phone_prefixe": "221"},  # a Côte d'Ivoire number under Senegal's code
        {"cel_phone_num": "12345"},  # not a mobile number
        {"cel_phone_num": "07 07 07 07 07"},  # CinetPay sends digits
        {"cel_phone_num": "\u0660\u0667" * 5},  # Arabic-Indic digits: digits, but not ASCII ones
        {"cpm_site_id": ""},  # our site id, present
    ],
)
def test_a_signed_notification_of_another_shape_gives_no_number(client, pending_payment, api, fields):
    api.check("ACCEPTED")
    response = post_notification(client, notification_fields(pending_payment, **fields))
    assert response.status_code == 200
    assert payer(pending_payment) == (PaymentStatus.ACCEPTED, "", "")


def test_the_number_is_stored_normalised(client, pending_payment, api):
    api.check("ACCEPTED")
    post_notification(client, notification_fields(pending_payment, cel_phone_num="2250707070707"))
    assert payer(pending_payment) == (PaymentStatus.ACCEPTED, "225", "0707070707")


def test_a_token_matching_only_the_arrival_order_gives_no_number(client, pending_payment, api):
    """The arrival-order fallback lets any field carry any part of the message: only the status is taken."""
    api.check("ACCEPTED")
    fields = list(reversed(notification_fields(pending_payment).items()))
    token = compute_arrival_order_token(SECRET, [value for _, value in fields])
    response = client.post(
        reverse("cinetpay:notify"),
        urlencode(fields),
        headers={"x-token": token},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert payer(pending_payment) == (PaymentStatus.ACCEPTED, "", "")


def test_a_field_posted_twice_gives_no_number(client, pending_payment, api):
    api.check("ACCEPTED")
    fields = notification_fields(pending_payment, cel_phone_num="0505050505")
    pairs = [("cel_phone_num", "0707070707"), *fields.items()]
    response = client.post(
        reverse("cinetpay:notify"),
        urlencode(pairs),
        headers={"x-token": compute_x_token(SECRET, fields)},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert payer(pending_payment) == (PaymentStatus.ACCEPTED, "", "")


def test_the_number_that_paid_replaces_a_failed_attempts_and_is_then_kept(client, pending_payment, api):
    """A refused attempt's number is not where refunds go: the accepting notification's is, for good."""
    api.check("REFUSED", code="600", message="PAYMENT_FAILED")
    post_notification(client, notification_fields(pending_payment, cel_phone_num="0101010101"))
    assert payer(pending_payment) == (PaymentStatus.REFUSED, "225", "0101010101")
    api.check("ACCEPTED")
    post_notification(client, notification_fields(pending_payment, cel_phone_num="0505050505"))
    assert payer(pending_payment) == (PaymentStatus.ACCEPTED, "225", "0505050505")
    post_notification(client, notification_fields(pending_payment, cel_phone_num="0707070707"))
    assert payer(pending_payment) == (PaymentStatus.ACCEPTED, "225", "0505050505")
