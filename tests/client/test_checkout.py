"""Checkout API v2 client (CINETPAY_API.md §1-2), against ``responses`` fakes that follow the spec."""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback

import pytest
import requests

from django_cinetpay import exceptions
from django_cinetpay.client import CheckoutClient, PaymentRequest, get_checkout_client, http

from .conftest import API_KEY, CHECKOUT_URL, SITE_ID

INIT_URL = f"{CHECKOUT_URL}/payment"
CHECK_URL = f"{CHECKOUT_URL}/payment/check"

CREATED = {
    "code": "201",
    "message": "CREATED",
    "description": "Transaction created with success",
    "data": {
        "payment_token": "ptok-123",
        "payment_url": "https://checkout.cinetpay.com/payment/ptok-123",
    },
    "api_response_id": "1695040000.1234",
}

ACCEPTED = {
    "code": "00",
    "message": "SUCCES",
    "data": {
        "amount": "100",
        "currency": "XOF",
        "status": "ACCEPTED",
        "payment_method": "OM",
        "description": "Achat",
        "metadata": None,
        "operator_id": "MP220915.2257.A76307",
        "payment_date": "2022-09-15 22:57:15",
        "fund_availability_date": "2022-09-17 00:00:00",
    },
    "api_response_id": "1663282635.5036",
}


@pytest.fixture
def client() -> CheckoutClient:
    return get_checkout_client(api_key=API_KEY, site_id=SITE_ID, check_backoff=0)


@pytest.fixture
def request_() -> PaymentRequest:
    return PaymentRequest(
        transaction_id="CP20240101120000ABCDEF",
        amount=1000,
        currency="XOF",
        description="Achat de test",
        notify_url="https://shop.example.com/cinetpay/notify/",
        return_url="https://shop.example.com/cinetpay/return/",
    )


def _body(call) -> dict:
    return json.loads(call.request.body)


# --- init ------------------------------------------------------------------------------------------


def test_init_success(rsps, client, request_):
    rsps.post(INIT_URL, json=CREATED)
    result = client.init_payment(request_)
    assert result.payment_token == "ptok-123"
    assert result.payment_url == "https://checkout.cinetpay.com/payment/ptok-123"
    assert result.code == "201"
    assert result.api_response_id == "1695040000.1234"


def test_init_request_body(rsps, client, request_):
    rsps.post(INIT_URL, json=CREATED)
    client.init_payment(request_)
    (call,) = rsps.calls
    assert call.request.headers["Content-Type"] == "application/json"
    assert call.request.headers["User-Agent"] == http.USER_AGENT
    assert _body(call) == {
        "apikey": API_KEY,
        "site_id": SITE_ID,
        "transaction_id": "CP20240101120000ABCDEF",
        "amount": 1000,
        "currency": "XOF",
        "description": "Achat de test",
        "notify_url": "https://shop.example.com/cinetpay/notify/",
        "return_url": "https://shop.example.com/cinetpay/return/",
        "channels": "ALL",
        "lang": "fr",
    }
    assert isinstance(_body(call)["amount"], int)


def test_init_sends_filled_optional_fields(rsps, client):
    rsps.post(INIT_URL, json=CREATED)
    client.init_payment(
        PaymentRequest(
            transaction_id="T1",
            amount=5000,
            currency="XOF",
            description="Carte",
            notify_url="https://shop.example.com/n/",
            return_url="https://shop.example.com/r/",
            channels="CREDIT_CARD",
            metadata="order-7",
            invoice_data={"Commande": "7"},
            customer_name="Kouassi",
            customer_surname="Awa",
            customer_email="awa@example.com",
            customer_country="CI",
        )
    )
    body = _body(rsps.calls[0])
    assert body["channels"] == "CREDIT_CARD"
    assert body["metadata"] == "order-7"
    assert body["invoice_data"] == {"Commande": "7"}
    assert body["customer_name"] == "Kouassi"
    assert body["customer_surname"] == "Awa"
    assert body["customer_country"] == "CI"
    for absent in ("customer_phone_number", "customer_city", "customer_zip_code", "alternative_currency"):
        assert absent not in body


def test_init_omits_empty_optionals(rsps, client, request_):
    rsps.post(INIT_URL, json=CREATED)
    client.init_payment(request_)
    body = _body(rsps.calls[0])
    for absent in ("metadata", "invoice_data", "customer_email", "customer_name", "lock_phone_number"):
        assert absent not in body


def test_lock_phone_number_only_with_a_phone(rsps, client, request_):
    rsps.post(INIT_URL, json=CREATED)
    without_phone = PaymentRequest(**{**request_.__dict__, "lock_phone_number": True})
    with_phone = PaymentRequest(
        **{**request_.__dict__, "lock_phone_number": True, "customer_phone_number": "0707070707"}
    )
    client.init_payment(without_phone)
    client.init_payment(with_phone)
    first, second = (_body(c) for c in rsps.calls)
    assert "lock_phone_number" not in first
    assert second["lock_phone_number"] is True
    assert second["customer_phone_number"] == "0707070707"


def _error(code, message="", description="", status=200):
    return {"code": code, "message": message, "description": description}, status


CHECKOUT_ERRORS = [
    ("608", "MINIMUM_REQUIRED_FIELDS", 400, exceptions.CinetPayValidationError),
    ("609", "AUTH_NOT_FOUND", 400, exceptions.CinetPayAuthError),
    ("613", "ERROR_SITE_ID_NOTVALID", 400, exceptions.CinetPayAuthError),
    ("624", "An error occurred while processing the request", 400, exceptions.CinetPayAuthError),
    ("429", "TOO_MANY_REQUEST", 429, exceptions.CinetPayThrottledError),
    ("403", "Forbidden", 403, exceptions.CinetPayAuthError),
    ("1010", "", 403, exceptions.CinetPayAuthError),
    ("641", "ERROR_AMOUNT_TOO_LOW", 400, exceptions.CinetPayValidationError),
    ("642", "ERROR_AMOUNT_TOO_HIGH", 400, exceptions.CinetPayValidationError),
    ("612", "ERROR_CURRENCY_NOTVALID", 400, exceptions.CinetPayValidationError),
    ("777", "SOMETHING_NEW", 400, exceptions.CinetPayAPIError),
]


@pytest.mark.parametrize(("code", "message", "status", "error"), CHECKOUT_ERRORS)
def test_init_errors_are_mapped(rsps, client, request_, caplog, code, message, status, error):
    caplog.set_level(logging.DEBUG)
    rsps.post(INIT_URL, json={"code": code, "message": message, "description": "desc"}, status=status)
    with pytest.raises(error) as info:
        client.init_payment(request_)
    exc = info.value
    assert type(exc) is error
    assert exc.code == code
    assert exc.message  # CinetPay's message, or the table's name when CinetPay gave none
    assert exc.hint
    assert exc.http_status == status
    assert code in str(exc)
    assert exc.hint in str(exc)
    _assert_no_secret(exc, caplog)


def test_403_json_body_without_code_uses_the_http_status(rsps, client, request_):
    rsps.post(INIT_URL, json={"message": "Forbidden"}, status=403)
    with pytest.raises(exceptions.CinetPayAuthError) as info:
        client.init_payment(request_)
    assert info.value.code == "403"
    assert info.value.hint
    assert "localhost" in info.value.hint


@pytest.mark.parametrize(
    ("body", "code"),
    [("<html><h1>403 Forbidden</h1></html>", "403"), ("error code: 1010", "1010")],
)
def test_403_without_json_body_is_mapped(rsps, client, request_, body, code):
    rsps.post(INIT_URL, body=body, status=403, content_type="text/html")
    with pytest.raises(exceptions.CinetPayAuthError) as info:
        client.init_payment(request_)
    assert info.value.code == code
    assert info.value.hint


def test_init_is_not_retried_on_timeout(rsps, client, request_):
    rsps.post(INIT_URL, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(exceptions.CinetPayTimeoutError):
        client.init_payment(request_)
    assert len(rsps.calls) == 1


@pytest.mark.parametrize("status", [500, 502])
def test_init_is_not_retried_on_5xx(rsps, client, request_, status):
    rsps.post(INIT_URL, body="<html>oops</html>", status=status, content_type="text/html")
    with pytest.raises(exceptions.CinetPayServerError):
        client.init_payment(request_)
    assert len(rsps.calls) == 1


@pytest.mark.parametrize("data", [{"payment_token": "ptok"}, {"payment_url": ""}, None])
def test_init_201_without_payment_url_is_invalid(rsps, client, request_, data):
    rsps.post(INIT_URL, json={"code": "201", "message": "CREATED", "data": data})
    with pytest.raises(exceptions.CinetPayInvalidResponseError):
        client.init_payment(request_)


def test_init_array_answer_is_invalid(rsps, client, request_):
    rsps.post(INIT_URL, json=["unexpected"])
    with pytest.raises(exceptions.CinetPayInvalidResponseError):
        client.init_payment(request_)


def test_client_refuses_to_start_without_credentials():
    with pytest.raises(exceptions.CinetPayConfigurationError):
        CheckoutClient(api_key="", site_id=SITE_ID)
    with pytest.raises(exceptions.CinetPayConfigurationError):
        CheckoutClient(api_key=API_KEY, site_id="")
    assert not issubclass(exceptions.CinetPayConfigurationError, exceptions.CinetPayError)


def test_repr_hides_the_key(client):
    assert API_KEY not in repr(client)
    assert SITE_ID in repr(client)


def test_factory_reads_settings_at_call_time(settings):
    settings.CINETPAY_CHECKOUT_API_URL = "https://elsewhere.cinetpay.test/v2/"
    settings.CINETPAY_SITE_ID = "999"
    client = get_checkout_client()
    assert client.base_url == "https://elsewhere.cinetpay.test/v2"
    assert client.site_id == "999"


# --- check -----------------------------------------------------------------------------------------


def test_check_accepted(rsps, client):
    rsps.post(CHECK_URL, json=ACCEPTED)
    result = client.check_payment("CP1")
    assert result.is_accepted
    assert not result.is_refused
    assert not result.is_waiting
    assert result.amount == 100
    assert result.currency == "XOF"
    assert result.payment_method == "OM"
    assert result.operator_id == "MP220915.2257.A76307"
    assert result.payment_date == dt.datetime(2022, 9, 15, 22, 57, 15)
    assert result.fund_availability_date == dt.datetime(2022, 9, 17)
    assert result.metadata == ""
    assert result.matches(100, "xof")
    assert not result.matches(1000, "XOF")
    assert not result.matches(100, "XAF")
    body = json.loads(rsps.calls[0].request.body)
    assert body == {"apikey": API_KEY, "site_id": SITE_ID, "transaction_id": "CP1"}


def test_check_by_token(rsps, client):
    rsps.post(CHECK_URL, json=ACCEPTED)
    client.check_payment(token="ptok-123")
    body = json.loads(rsps.calls[0].request.body)
    assert body == {"apikey": API_KEY, "site_id": SITE_ID, "token": "ptok-123"}


def test_check_needs_an_id(client):
    with pytest.raises(ValueError, match="transaction_id or a token"):
        client.check_payment()


def test_check_refused(rsps, client):
    rsps.post(
        CHECK_URL,
        json={
            "code": "627",
            "message": "TRANSACTION_CANCEL",
            "data": {
                "amount": "100",
                "currency": "XOF",
                "status": "REFUSED",
                "payment_method": "OM",
                "operator_id": None,
                "payment_date": " ",
            },
        },
    )
    result = client.check_payment("CP1")
    assert result.is_refused
    assert not result.is_accepted
    assert result.code == "627"
    assert result.payment_date is None
    assert result.operator_id == ""


def test_check_waiting_is_not_a_failure(rsps, client):
    rsps.post(
        CHECK_URL,
        json={
            "code": "662",
            "message": "WAITING_CUSTOMER_PAYMENT",
            "data": {"amount": "100", "currency": "XOF", "status": "WAITING_FOR_CUSTOMER"},
        },
    )
    result = client.check_payment("CP1")
    assert result.is_waiting
    assert not result.is_accepted
    assert not result.is_refused


def test_check_2021_shape_without_amount_and_status(rsps, client):
    rsps.post(
        CHECK_URL,
        json={
            "code": "00",
            "message": "SUCCES",
            "data": {
                "currency": "XOF",
                "payment_method": "FLOOZ",
                "phone_number": "0101010101",
                "phone_prefix": "225",
                "payment_date": "2021-03-01 10:00:00",
            },
        },
    )
    result = client.check_payment("CP1")
    assert result.status == ""
    assert result.amount is None
    assert result.phone_number == "0101010101"
    assert result.phone_prefix == "225"
    # Unknown status is not paid, even with code 00.
    assert not result.is_accepted
    assert not result.matches(100, "XOF")


@pytest.mark.parametrize(("amount", "expected"), [("100", 100), (100, 100), (100.0, 100), ("100.0", 100)])
def test_check_amount_as_number_or_string(rsps, client, amount, expected):
    rsps.post(CHECK_URL, json={**ACCEPTED, "data": {**ACCEPTED["data"], "amount": amount}})
    assert client.check_payment("CP1").amount == expected


@pytest.mark.parametrize("amount", ["", None, "abc", "100.5"])
def test_check_unreadable_amount_is_none(rsps, client, amount):
    rsps.post(CHECK_URL, json={**ACCEPTED, "data": {**ACCEPTED["data"], "amount": amount}})
    result = client.check_payment("CP1")
    assert result.amount is None
    assert not result.matches(100, "XOF")


def test_check_is_retried_on_5xx_then_succeeds(rsps, client):
    rsps.post(CHECK_URL, body="<html>Bad Gateway</html>", status=502, content_type="text/html")
    rsps.post(CHECK_URL, json=ACCEPTED)
    assert client.check_payment("CP1").is_accepted
    assert len(rsps.calls) == 2


def test_check_is_retried_on_timeout_then_succeeds(rsps, client):
    rsps.post(CHECK_URL, body=requests.ReadTimeout("read timed out"))
    rsps.post(CHECK_URL, json=ACCEPTED)
    assert client.check_payment("CP1").is_accepted
    assert len(rsps.calls) == 2


def test_check_gives_up(rsps, client):
    rsps.post(CHECK_URL, body=requests.ConnectionError("down"))
    with pytest.raises(exceptions.CinetPayConnectionError):
        client.check_payment("CP1")
    assert len(rsps.calls) == 3  # CINETPAY_CHECK_ATTEMPTS


def test_check_attempts_are_configurable(rsps):
    client = get_checkout_client(api_key=API_KEY, check_attempts=1, check_backoff=0)
    rsps.post(CHECK_URL, body=requests.ConnectionError("down"))
    with pytest.raises(exceptions.CinetPayConnectionError):
        client.check_payment("CP1")
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    ("code", "error"),
    [("609", exceptions.CinetPayAuthError), ("613", exceptions.CinetPayAuthError)],
)
def test_check_without_data_raises(rsps, client, code, error):
    rsps.post(CHECK_URL, json={"code": code, "message": "AUTH_NOT_FOUND"}, status=400)
    with pytest.raises(error) as info:
        client.check_payment("CP1")
    assert info.value.code == code
    assert info.value.hint
    assert len(rsps.calls) == 1  # a CinetPay error is not retried


def test_check_without_data_and_code_uses_http_status(rsps, client):
    rsps.post(CHECK_URL, json={}, status=429)
    with pytest.raises(exceptions.CinetPayThrottledError):
        client.check_payment("CP1")


# --- secrets ---------------------------------------------------------------------------------------


def _assert_no_secret(exc: BaseException, caplog) -> None:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert API_KEY not in str(exc)
    assert API_KEY not in repr(exc)
    assert API_KEY not in text
    assert API_KEY not in caplog.text


def test_the_api_key_never_appears_in_errors_or_logs(rsps, client, request_, caplog):
    caplog.set_level(logging.DEBUG)
    scenarios = [
        (INIT_URL, {"json": {"code": "609", "message": "AUTH_NOT_FOUND"}, "status": 400}, "init"),
        (INIT_URL, {"body": requests.ReadTimeout("read timed out")}, "init"),
        (INIT_URL, {"body": requests.ConnectionError("refused")}, "init"),
        (INIT_URL, {"body": "<html>x</html>", "status": 200, "content_type": "text/html"}, "init"),
        (INIT_URL, {"body": "<html>x</html>", "status": 503, "content_type": "text/html"}, "init"),
        (INIT_URL, {"json": {"code": "201", "data": {}}}, "init"),
        (CHECK_URL, {"json": {"code": "613"}, "status": 400}, "check"),
        (CHECK_URL, {"body": requests.ConnectionError("refused")}, "check"),
    ]
    raised = []
    for url, kwargs, which in scenarios:
        rsps.reset()
        rsps.post(url, **kwargs)
        call = (
            (lambda: client.init_payment(request_))
            if which == "init"
            else (lambda: client.check_payment("CP1"))
        )
        with pytest.raises(exceptions.CinetPayError) as info:
            call()
        raised.append(info.value)
    assert len(raised) == len(scenarios)
    for exc in raised:
        _assert_no_secret(exc, caplog)
    assert "CinetPay" in caplog.text  # the logs were captured, so the check above means something
