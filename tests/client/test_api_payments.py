"""Payments through the CinetPay API: the request sent, the answer read, the country chosen, limits."""

from __future__ import annotations

import dataclasses

import pytest
import requests

from django_cinetpay import exceptions
from django_cinetpay.client import CheckoutBackend, PaymentRequest
from django_cinetpay.client.checkout import ACCEPTED, REFUSED, WAITING

from .api_helpers import BASE, CI, CM, LOGIN, SN, body, calls_to, checkout, login_ok

PAYMENT = f"{BASE}/v1/payment"
INIT_ANSWER = {
    "code": 200,
    "status": "OK",
    "payment_token": "PTOKEN",
    "notify_token": "NTOKEN-secret",
    "transaction_id": "CP-TX-1",
    "merchant_transaction_id": "TX123",
    "payment_url": "https://secure.cinetpay.net/pay/PTOKEN",
    "details": {"code": 2001, "status": "INITIATED", "message": "", "must_be_redirected": True},
}
REQUEST = PaymentRequest(
    transaction_id="TX123",
    amount=15_000,
    currency="XOF",
    description="Compte Free Fire niveau 60",
    notify_url="https://shop.example.com/payments/api/notify/",
    return_url="https://shop.example.com/payments/return/?transaction_id=TX123",
    lang="en",
    customer_name="Kouassi",
    customer_surname="Awa",
    customer_email="awa@example.com",
    customer_phone_number="+2250707070700",
)


def status_answer(status: str, code: int, **extra) -> dict:
    return {
        "code": code,
        "status": status,
        "merchant_transaction_id": "TX123",
        "transaction_id": "CP-TX-1",
        "user": {"name": "Awa Kouassi", "email": "awa@example.com", "phone_number": "+2250707070700"},
        **extra,
    }


def test_the_client_implements_the_checkout_interface():
    client: CheckoutBackend = checkout(CI)
    assert callable(client.init_payment)
    assert callable(client.check_payment)


def test_init_posts_the_payment_with_the_bearer_token_and_returns_url_and_notify_token(rsps):
    login_ok(rsps, token="JWT-CI")
    init = rsps.post(PAYMENT, json=INIT_ANSWER)
    result = checkout(CI, SN).init_payment(REQUEST)
    [call] = init.calls
    assert call.request.headers["Authorization"] == "Bearer JWT-CI"
    assert body(call) == {
        "currency": "XOF",
        "merchant_transaction_id": "TX123",
        "amount": 15_000,
        "lang": "en",
        "designation": "Compte Free Fire niveau 60",
        "success_url": REQUEST.return_url,
        "failed_url": REQUEST.return_url,
        "notify_url": REQUEST.notify_url,
        "channel": "PUSH",
        "client_first_name": "Awa",
        "client_last_name": "Kouassi",
        "client_email": "awa@example.com",
        "client_phone_number": "+2250707070700",
    }
    assert result.payment_url == "https://secure.cinetpay.net/pay/PTOKEN"
    assert result.payment_token == "PTOKEN"
    assert result.notify_token == "NTOKEN-secret"
    assert (result.code, result.message, result.api_response_id) == ("200", "OK", "CP-TX-1")
    assert body(calls_to(rsps, LOGIN)[0])["api_key"] == CI.api_key  # +225: Côte d'Ivoire's account


def test_optional_customer_fields_are_left_out_and_the_designation_cut(rsps):
    login_ok(rsps)
    init = rsps.post(PAYMENT, json=INIT_ANSWER)
    request = dataclasses.replace(
        REQUEST,
        description="x" * 300,
        lang="de",
        customer_name="K",
        customer_surname="",
        customer_email="",
        customer_phone_number="",
    )
    checkout(CI).init_payment(request)
    sent = body(init.calls[0])
    assert len(sent["designation"]) == 255
    assert sent["lang"] == "fr"
    assert not {"client_first_name", "client_last_name", "client_email", "client_phone_number"} & set(sent)


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ({"amount": 99}, "100 to 2,500,000"),
        ({"amount": 2_500_001}, "100 to 2,500,000"),
        ({"amount": True}, "100 to 2,500,000"),
        ({"transaction_id": "T" * 31}, "30 characters"),
        ({"notify_url": "https://shop.example.com/" + "n" * 100}, "120 characters"),
        ({"return_url": "ftp://shop.example.com/"}, "return_url"),
    ],
)
def test_what_the_api_would_refuse_is_refused_before_any_call(rsps, change, what):
    with pytest.raises(exceptions.CinetPayValidationError) as caught:
        checkout(CI).init_payment(dataclasses.replace(REQUEST, **change))
    assert caught.value.code == "1004"
    assert what in caught.value.description
    assert caught.value.hint
    assert caught.value.http_status is None
    assert not rsps.calls


@pytest.mark.parametrize("amount", [100, 2_500_000])
def test_the_limits_themselves_are_allowed(rsps, amount):
    login_ok(rsps)
    rsps.post(PAYMENT, json=INIT_ANSWER)
    assert checkout(CI).init_payment(dataclasses.replace(REQUEST, amount=amount)).payment_url


@pytest.mark.parametrize(
    ("currency", "phone", "country", "accounts", "expected"),
    [
        ("XAF", "", "", (CI, CM), CM),  # one CinetPay country takes XAF
        ("XOF", "+221771234567", "", (CI, SN), SN),  # the number says Senegal
        ("XOF", "", "SN", (CI, SN), SN),  # the customer's country says it
        ("XOF", "", "", (CI, CM), CI),  # the only XOF account configured
        ("XOF", "+237671234567", "", (CI, CM), CI),  # a Cameroonian number cannot pay XOF: the XOF account
    ],
)
def test_the_country_of_the_payment_picks_the_account(rsps, currency, phone, country, accounts, expected):
    login_ok(rsps)
    rsps.post(PAYMENT, json=INIT_ANSWER)
    request = dataclasses.replace(
        REQUEST, currency=currency, customer_phone_number=phone, customer_country=country
    )
    checkout(*accounts).init_payment(request)
    assert body(calls_to(rsps, LOGIN)[0])["api_key"] == expected.api_key


def test_an_ambiguous_country_is_a_configuration_error(rsps):
    request = dataclasses.replace(REQUEST, customer_phone_number="", customer_country="")
    with pytest.raises(exceptions.CinetPayConfigurationError, match="several countries use this currency"):
        checkout(CI, SN).init_payment(request)
    assert not rsps.calls


def test_a_country_without_credentials_is_a_configuration_error(rsps):
    with pytest.raises(exceptions.CinetPayConfigurationError, match=r'\{"CM": \{"api_key"'):
        checkout(CI).init_payment(dataclasses.replace(REQUEST, currency="XAF"))
    assert not rsps.calls


@pytest.mark.parametrize(
    ("status", "answer", "error", "code"),
    [
        (200, {"code": 1200, "status": "TRANSACTION_EXIST", "description": "exists"}, "Validation", "1200"),
        (422, {"code": 1004, "status": "INVALID_PARAMS", "description": "amount"}, "Validation", "1004"),
        (403, {"code": 2011, "status": "NOT_ALLOWED"}, "Auth", "2011"),
        (400, {"code": -1, "status": "OPERATION_ERROR"}, "API", "-1"),
        (429, {"message": "Too many"}, "Throttled", "429"),
    ],
)
def test_init_errors_raise_the_mapped_exception(rsps, status, answer, error, code):
    login_ok(rsps)
    rsps.post(PAYMENT, json=answer, status=status)
    with pytest.raises(getattr(exceptions, f"CinetPay{error}Error")) as caught:
        checkout(CI).init_payment(REQUEST)
    assert caught.value.code == code
    assert caught.value.hint


def test_an_init_answer_without_payment_url_is_invalid(rsps):
    login_ok(rsps)
    rsps.post(PAYMENT, json={"code": 200, "status": "OK"})
    with pytest.raises(exceptions.CinetPayInvalidResponseError, match="payment_url"):
        checkout(CI).init_payment(REQUEST)


@pytest.mark.parametrize(
    "failure",
    [
        requests.Timeout(),
        requests.ConnectionError(),
    ],
)
def test_init_is_never_retried_on_a_network_error(rsps, failure):
    login_ok(rsps)
    init = rsps.post(PAYMENT, body=failure)
    with pytest.raises(exceptions.CinetPayNetworkError):
        checkout(CI).init_payment(REQUEST)
    assert len(init.calls) == 1


def test_init_on_5xx_or_garbage_raises_without_retry(rsps):
    login_ok(rsps)
    init = rsps.post(PAYMENT, body="<html>Bad gateway</html>", status=502, content_type="text/html")
    with pytest.raises(exceptions.CinetPayServerError):
        checkout(CI).init_payment(REQUEST)
    rsps.post(PAYMENT, body="{not json", status=200)
    with pytest.raises(exceptions.CinetPayInvalidResponseError):
        checkout(CI).init_payment(REQUEST)
    assert len(calls_to(rsps, PAYMENT)) == 2
    assert len(init.calls) == 1


def test_init_replays_once_after_an_expired_token(rsps):
    login_ok(rsps)
    rsps.post(PAYMENT, json={"code": 1003, "status": "EXPIRED_TOKEN"}, status=401)
    rsps.post(PAYMENT, json=INIT_ANSWER)
    assert checkout(CI).init_payment(REQUEST).notify_token == "NTOKEN-secret"
    assert len(calls_to(rsps, LOGIN)) == 2
    assert len(calls_to(rsps, PAYMENT)) == 2


# --- status --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "expected", "accepted", "refused", "waiting"),
    [
        ("SUCCESS", 100, ACCEPTED, True, False, False),
        ("FAILED", 2010, REFUSED, False, True, False),
        ("EXPIRED", 2003, REFUSED, False, True, False),
        ("INSUFFICIENT_BALANCE", 2005, REFUSED, False, True, False),
        ("INITIATED", 2001, WAITING, False, False, True),
        ("PENDING", 2002, WAITING, False, False, True),
        ("OTP_ERROR", 2004, WAITING, False, False, True),
        ("USER_IS_BLOCKED", 2007, WAITING, False, False, True),
    ],
)
def test_status_answers_map_to_the_packages_statuses(
    rsps, status, code, expected, accepted, refused, waiting
):
    login_ok(rsps)
    get = rsps.get(f"{PAYMENT}/TX123", json=status_answer(status, code, description="d"))
    result = checkout(CI).check_payment("TX123")
    assert get.calls[0].request.headers["Authorization"] == "Bearer JWT-SECRET"
    assert (result.status, result.code, result.message) == (expected, str(code), status)
    assert (result.is_accepted, result.is_refused, result.is_waiting) == (accepted, refused, waiting)
    assert result.phone_number == "+2250707070700"
    assert result.api_response_id == "CP-TX-1"


def test_a_success_with_an_error_code_is_not_acted_on(rsps):
    login_ok(rsps)
    rsps.get(f"{PAYMENT}/TX123", json=status_answer("SUCCESS", 2010))
    result = checkout(CI).check_payment("TX123")
    assert result.status == ""
    assert not result.is_accepted


def test_amount_currency_method_and_dates_are_read_when_given(rsps):
    login_ok(rsps)
    answer = status_answer(
        "SUCCESS",
        100,
        amount="15000",
        currency="xof",
        payment_method="OM_CI",
        operator_id="MP2401",
        payment_date="2026-01-05 10:00:00",
    )
    rsps.get(f"{PAYMENT}/TX123", json={"code": 200, "status": "OK", "data": answer})
    result = checkout(CI).check_payment("TX123")
    assert (result.amount, result.currency, result.payment_method) == (15_000, "XOF", "OM")
    assert result.operator_id == "MP2401"
    assert result.payment_date.year == 2026
    assert result.matches(15_000, "XOF")
    assert not result.matches(15_005, "XOF")
    assert not result.matches(15_000, "XAF")


def test_an_answer_without_amount_trusts_what_init_bound_but_v2_never_does(rsps):
    login_ok(rsps)
    rsps.get(f"{PAYMENT}/TX123", json=status_answer("SUCCESS", 100))
    result = checkout(CI).check_payment("TX123")
    assert result.amount is None
    assert result.amount_bound_at_init
    assert result.matches(15_000, "XOF")
    v2 = dataclasses.replace(result, amount_bound_at_init=False)
    assert not v2.matches(15_000, "XOF")


def test_each_country_is_asked_until_one_knows_the_payment(rsps):
    rsps.post(LOGIN, json={"code": 200, "access_token": "JWT"})
    rsps.get(f"{PAYMENT}/TX123", json={"code": 404, "status": "NOT_FOUND"}, status=404)
    rsps.get(f"{PAYMENT}/TX123", json=status_answer("SUCCESS", 100))
    assert checkout(CI, SN).check_payment("TX123").is_accepted
    assert [body(c)["api_key"] for c in calls_to(rsps, LOGIN)] == [CI.api_key, SN.api_key]


def test_a_payment_no_account_knows_raises_not_found(rsps):
    login_ok(rsps)
    rsps.get(f"{PAYMENT}/TX123", json={"code": 404, "status": "NOT_FOUND"}, status=404)
    with pytest.raises(exceptions.CinetPayAPIError) as caught:
        checkout(CI, SN).check_payment("TX123")
    assert caught.value.code == "404"
    assert "CINETPAY_API_CREDENTIALS" in caught.value.hint
    assert len(calls_to(rsps, f"{PAYMENT}/TX123")) == 2


def test_an_answer_about_another_payment_is_refused(rsps):
    login_ok(rsps)
    rsps.get(f"{PAYMENT}/TX123", json=status_answer("SUCCESS", 100) | {"merchant_transaction_id": "OTHER"})
    with pytest.raises(exceptions.CinetPayInvalidResponseError, match="OTHER"):
        checkout(CI).check_payment("TX123")


def test_the_check_takes_a_token_too_and_quotes_it(rsps):
    login_ok(rsps)
    get = rsps.get(f"{PAYMENT}/a%2Fb", json=status_answer("PENDING", 2002))
    assert checkout(CI).check_payment(token="a/b").is_waiting
    assert len(get.calls) == 1
    with pytest.raises(ValueError, match="needs a transaction_id"):
        checkout(CI).check_payment()


def test_the_check_is_retried_on_network_errors_then_gives_up(rsps):
    login_ok(rsps)
    rsps.get(f"{PAYMENT}/TX123", body=requests.Timeout())
    rsps.get(f"{PAYMENT}/TX123", body="<html>oops</html>", status=503, content_type="text/html")
    rsps.get(f"{PAYMENT}/TX123", json=status_answer("FAILED", 2010))
    assert checkout(CI).check_payment("TX123").is_refused
    rsps.get(f"{PAYMENT}/TX124", body="{bad json", status=200)
    with pytest.raises(exceptions.CinetPayInvalidResponseError):
        checkout(CI).check_payment("TX124")
    assert len(calls_to(rsps, f"{PAYMENT}/TX124")) == 3


def test_a_check_error_is_raised_with_its_hint(rsps):
    login_ok(rsps)
    rsps.get(f"{PAYMENT}/TX123", json={"code": 1004, "status": "INVALID_PARAMS"}, status=422)
    with pytest.raises(exceptions.CinetPayValidationError) as caught:
        checkout(CI).check_payment("TX123")
    assert caught.value.code == "1004"
