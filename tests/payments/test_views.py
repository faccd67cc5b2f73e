"""The payment pages: who may see what, what each writes, and no 500 on CinetPay errors."""

import pytest
import requests
from django.urls import reverse

from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.states import PaymentStatus

pytestmark = pytest.mark.django_db


def url(name, tx):
    return reverse(f"cinetpay:{name}", kwargs={"transaction_id": tx.transaction_id})


FORM = {
    "customer_surname": "Awa",
    "customer_name": "Koné",
    "customer_email": "awa@example.com",
    "customer_phone_number": "07 07 07 07 07",
    "channel": "ALL",
}


# --- cinetpay:pay ----------------------------------------------------------------------------------


def test_pay_needs_login(client, payment):
    response = client.get(url("pay", payment))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["seller", "other_user"])
def test_only_the_buyer_may_open_the_payment_form(client, payment, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("pay", payment)).status_code == 404
    assert client.post(url("pay", payment), FORM).status_code == 404


def test_form_is_prefilled_from_the_buyer(client, payment, buyer):
    client.force_login(buyer)
    response = client.get(url("pay", payment))
    assert response.status_code == 200
    form = response.context["form"]
    assert (form["customer_surname"].value(), form["customer_name"].value()) == ("Awa", "Koné")
    assert "1,000\N{NO-BREAK SPACE}XOF" in response.content.decode()
    assert [t.name for t in response.templates][:2] == ["cinetpay/payment_form.html", "cinetpay/base.html"]


def test_post_starts_the_checkout_and_redirects_to_cinetpay(client, payment, buyer, api):
    api.init_ok("tok-7")
    client.force_login(buyer)
    response = client.post(url("pay", payment), FORM)
    assert response.status_code == 302
    assert response.url == "https://checkout.cinetpay.test/payment/tok-7"
    tx = CinetPayTransaction.objects.get(pk=payment.pk)
    assert (tx.status, tx.customer_phone_number, tx.channels) == ("pending", "+2250707070707", "ALL")


def test_posting_again_reuses_the_checkout(client, pending_payment, buyer, api):
    client.force_login(buyer)
    response = client.post(url("pay", pending_payment), FORM)
    assert response.url == pending_payment.payment_url
    assert len(api.mock.calls) == 1  # the fixture's init only


def test_invalid_form_shows_errors_and_calls_nothing(client, payment, buyer, api):
    client.force_login(buyer)
    response = client.post(url("pay", payment), {**FORM, "customer_phone_number": "abc"})
    assert response.status_code == 200
    assert "customer_phone_number" in response.context["form"].errors
    assert not api.mock.calls


def test_card_payments_need_the_card_fields(client, payment, buyer, api):
    client.force_login(buyer)
    response = client.post(url("pay", payment), {**FORM, "channel": "CREDIT_CARD"})
    errors = response.context["form"].errors
    assert {
        "customer_address",
        "customer_city",
        "customer_country",
        "customer_state",
        "customer_zip_code",
    } <= set(errors)
    assert not api.mock.calls


def test_channel_choices_follow_the_payment(client, buyer, seller):
    from django_cinetpay import services

    tx = services.create_payment(
        buyer=buyer, seller=seller, amount=500, description="Skin", channels="MOBILE_MONEY"
    )
    client.force_login(buyer)
    field = client.get(url("pay", tx)).context["form"].fields["channel"]
    assert [c for c, _ in field.choices] == ["MOBILE_MONEY"]


@pytest.mark.parametrize(
    ("code", "message", "hint"),
    [
        ("608", "MINIMUM_REQUIRED_FIELDS", "required field"),
        ("609", "AUTH_NOT_FOUND", "CINETPAY_API_KEY"),
        ("613", "ERROR_SITE_ID_NOTVALID", "CINETPAY_SITE_ID"),
        ("624", "An error occurred while processing the request", "lock_phone_number"),
    ],
)
def test_cinetpay_errors_are_shown_with_their_hint(
    client, payment, buyer, api, code, message, hint, settings
):
    settings.LANGUAGE_CODE = "en"
    api.init_error(code, message)
    client.force_login(buyer)
    response = client.post(url("pay", payment), FORM, headers={"accept-language": "en"})
    assert response.status_code == 400
    text = response.content.decode()
    assert f"code {code}" in text
    assert hint in text
    assert CinetPayTransaction.objects.get(pk=payment.pk).status == PaymentStatus.CREATED


def test_network_failure_is_a_friendly_message(client, payment, buyer, api):
    api.mock.post("https://api-checkout.cinetpay.test/v2/payment", body=requests.ConnectionError())
    client.force_login(buyer)
    response = client.post(url("pay", payment), FORM)
    assert response.status_code == 400
    assert response.context["error"]


def test_missing_configuration_is_not_a_500(client, payment, buyer, api, settings):
    settings.CINETPAY_BASE_URL = ""
    client.force_login(buyer)
    response = client.post(url("pay", payment), FORM)
    assert response.status_code == 400
    assert not api.mock.calls


def test_a_paid_payment_goes_to_the_success_page(client, payment, buyer):
    CinetPayTransaction.objects.filter(pk=payment.pk).update(status=PaymentStatus.ACCEPTED)
    client.force_login(buyer)
    assert client.get(url("pay", payment)).url == url("success", payment)


# --- cinetpay:return ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_return_checks_then_redirects_to_success(client, pending_payment, buyer, api, method):
    api.check("ACCEPTED")
    client.force_login(buyer)
    response = getattr(client, method)(
        reverse("cinetpay:return"), {"transaction_id": pending_payment.transaction_id, "token": "tok-123"}
    )
    assert response.status_code == 302
    assert response.url == url("success", pending_payment)
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED


def test_return_by_token_only(client, pending_payment, buyer, api):
    api.check("REFUSED", code="627", message="TRANSACTION_CANCEL")
    client.force_login(buyer)
    response = client.post(reverse("cinetpay:return"), {"token": pending_payment.payment_token})
    assert response.url == url("failed", pending_payment)


def test_return_while_waiting_goes_to_the_pending_page(client, pending_payment, buyer, api):
    api.check("WAITING_FOR_CUSTOMER", code="662", message="WAITING_CUSTOMER_PAYMENT")
    client.force_login(buyer)
    response = client.get(reverse("cinetpay:return"), {"transaction_id": pending_payment.transaction_id})
    assert response.url == url("pending", pending_payment)


def test_return_writes_nothing_when_the_check_fails(client, pending_payment, buyer, api):
    api.check_raises(requests.Timeout())
    client.force_login(buyer)
    before = CinetPayTransaction.objects.values().get(pk=pending_payment.pk)
    response = client.post(reverse("cinetpay:return"), {"transaction_id": pending_payment.transaction_id})
    assert response.url == url("pending", pending_payment)
    assert CinetPayTransaction.objects.values().get(pk=pending_payment.pk) == before


def test_return_trusts_nothing_the_browser_says(client, pending_payment, buyer, api):
    api.check("WAITING_FOR_CUSTOMER", code="662")
    client.force_login(buyer)
    client.post(
        reverse("cinetpay:return"),
        {"transaction_id": pending_payment.transaction_id, "status": "ACCEPTED", "cpm_result": "00"},
    )
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.PENDING


def test_return_does_not_redirect_elsewhere(client, pending_payment, buyer, api):
    api.check("ACCEPTED")
    client.force_login(buyer)
    response = client.get(
        reverse("cinetpay:return"),
        {
            "transaction_id": pending_payment.transaction_id,
            "next": "https://evil.example/",
            "return_url": "//x",
        },
    )
    assert response.url.startswith("/payments/")


def test_return_for_an_unknown_payment(client, buyer, api):
    client.force_login(buyer)
    response = client.get(reverse("cinetpay:return"), {"transaction_id": "CPNOPE"})
    assert response.status_code == 200
    assert "Log in to see the result" in response.content.decode()
    assert not api.mock.calls


def test_return_is_csrf_exempt(pending_payment, buyer, api):
    from django.test import Client

    api.check("ACCEPTED")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(buyer)
    response = csrf_client.post(
        reverse("cinetpay:return"), {"transaction_id": pending_payment.transaction_id}
    )
    assert response.status_code == 302


def test_a_final_payment_is_not_checked_again_on_return(client, pending_payment, buyer, api):
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(status=PaymentStatus.ACCEPTED)
    client.force_login(buyer)
    client.get(reverse("cinetpay:return"), {"transaction_id": pending_payment.transaction_id})
    assert api.calls_to("/payment/check") == 0


# --- result pages and status ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["success", "failed", "pending", "status"])
def test_result_pages_are_for_buyer_and_seller_only(client, pending_payment, other_user, name):
    client.force_login(other_user)
    assert client.get(url(name, pending_payment)).status_code == 404


@pytest.mark.parametrize("name", ["success", "failed", "pending", "status"])
def test_result_pages_need_login(client, pending_payment, name):
    assert client.get(url(name, pending_payment)).status_code == 302


def test_pages_follow_the_status(client, pending_payment, buyer, seller):
    client.force_login(seller)
    assert client.get(url("success", pending_payment)).url == url("pending", pending_payment)
    page = client.get(url("pending", pending_payment))
    assert page.status_code == 200
    assert url("status", pending_payment) in page.content.decode()
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(status=PaymentStatus.ACCEPTED)
    assert client.get(url("pending", pending_payment)).url == url("success", pending_payment)
    assert client.get(url("failed", pending_payment)).url == url("success", pending_payment)
    client.force_login(buyer)
    assert client.get(url("success", pending_payment)).status_code == 200


def test_failed_page_explains_the_code(client, pending_payment, buyer, settings):
    settings.LANGUAGE_CODE = "en"
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(
        status=PaymentStatus.REFUSED, cinetpay_code="602", cinetpay_message="INSUFFICIENT_BALANCE"
    )
    client.force_login(buyer)
    text = client.get(url("failed", pending_payment), headers={"accept-language": "en"}).content.decode()
    assert "Your balance was too low for this payment." in text
    assert "602" in text


def test_status_json_for_a_final_payment_does_not_call_cinetpay(client, pending_payment, seller, api):
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(status=PaymentStatus.ACCEPTED)
    client.force_login(seller)
    data = client.get(url("status", pending_payment)).json()
    assert data["status"] == "accepted"
    assert data["is_paid"] is True
    assert data["is_final"] is True
    assert data["url"] == url("success", pending_payment)
    assert api.calls_to("/payment/check") == 0


def test_status_poll_rechecks_a_pending_payment_at_most_every_ten_seconds(
    client, pending_payment, buyer, api
):
    api.check("WAITING_FOR_CUSTOMER", code="662")
    client.force_login(buyer)
    first = client.get(url("status", pending_payment)).json()
    client.get(url("status", pending_payment))
    assert first["status"] == "pending"
    assert first["is_final"] is False
    assert api.calls_to("/payment/check") == 1


def test_status_poll_sees_the_payment_land(client, pending_payment, buyer, api):
    api.check("ACCEPTED")
    client.force_login(buyer)
    assert client.get(url("status", pending_payment)).json()["is_paid"] is True


def test_status_survives_a_cinetpay_outage(client, pending_payment, buyer, api):
    api.check_raises(requests.ConnectionError())
    client.force_login(buyer)
    response = client.get(url("status", pending_payment))
    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_return_visits_recheck_at_most_every_ten_seconds(client, pending_payment, buyer, api):
    api.check("WAITING_FOR_CUSTOMER", code="662")
    client.force_login(buyer)
    for _ in range(5):
        client.get(reverse("cinetpay:return"), {"transaction_id": pending_payment.transaction_id})
    assert api.calls_to("/payment/check") == 1


@pytest.mark.parametrize("name", ["pay", "status", "notify", "return", "transfer-notify"])
def test_views_that_call_cinetpay_stay_out_of_atomic_requests(pending_payment, name):
    from django.urls import resolve

    path = reverse(
        f"cinetpay:{name}",
        kwargs=None
        if "notify" in name or name == "return"
        else {"transaction_id": pending_payment.transaction_id},
    )
    assert "default" in getattr(resolve(path).func, "_non_atomic_requests", set())
