"""The simulated Checkout API v2 answers like CINETPAY_API.md §1-2, field by field and code by code."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from django_cinetpay.simulator.models import SimulatedPayment

from .conftest import RETURN_URL, SITE_ID, SimulatorApi, init_body

pytestmark = pytest.mark.django_db

API_RESPONSE_ID = re.compile(r"^\d{10}\.\d{4}$")


def test_created_envelope(sim_api):
    response = sim_api.init()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    payload = response.json()
    assert set(payload) == {"code", "message", "description", "data", "api_response_id"}
    assert payload["code"] == "201"  # a string, as CinetPay sends it
    assert payload["message"] == "CREATED"
    assert API_RESPONSE_ID.match(payload["api_response_id"])
    data = payload["data"]
    assert set(data) == {"payment_token", "payment_url"}
    assert re.fullmatch(r"[0-9a-f]{48}", data["payment_token"])
    assert data["payment_url"] == f"http://testserver/cinetpay-simulator/payment/{data['payment_token']}/"


def test_created_payment_is_stored_with_what_was_sent(sim_api):
    data = sim_api.created(customer_name="Koné", invoice_data={"Article": "Compte"}, lock_phone_number=True)

    record = SimulatedPayment.objects.get(token=data["payment_token"]).record
    assert record["transaction_id"] == "CP20260101000000ABC123"
    assert record["amount"] == 1000
    assert record["site_id"] == SITE_ID
    assert record["return_url"] == RETURN_URL
    assert record["metadata"] == "order-42"
    assert record["customer"] == {"customer_phone_number": "0707070707", "customer_name": "Koné"}
    assert record["invoice_data"] == {"Article": "Compte"}
    assert record["lock_phone_number"] is True
    assert record["state"] == "created"


def test_amount_as_a_string_of_an_integer_is_taken(sim_api):
    assert sim_api.init(amount="1500").json()["code"] == "201"


def _error(response, code: str, message: str, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    payload = response.json()
    assert set(payload) == {"code", "message", "description", "api_response_id"}  # no data on errors
    assert payload["code"] == code
    assert payload["message"] == message
    return payload


def test_body_that_is_not_json_is_608(sim_api):
    response = sim_api.post_checkout(
        "payment", raw="apikey=test-api-key&site_id=123456", content_type="application/x-www-form-urlencoded"
    )
    _error(response, "608", "MINIMUM_REQUIRED_FIELDS")


def test_malformed_json_is_608(sim_api):
    _error(sim_api.post_checkout("payment", raw='{"apikey": '), "608", "MINIMUM_REQUIRED_FIELDS")


@pytest.mark.parametrize(
    "field",
    ["apikey", "site_id", "transaction_id", "amount", "currency", "description", "notify_url", "return_url"],
)
def test_each_required_field_missing_is_608(sim_api, field):
    payload = _error(sim_api.init(**{field: None}), "608", "MINIMUM_REQUIRED_FIELDS")
    assert field in payload["description"]


def test_channels_default_to_all(sim_api):
    data = sim_api.created(channels=None)
    assert SimulatedPayment.objects.get(token=data["payment_token"]).record["channels"] == "ALL"


def test_wrong_apikey_is_609(sim_api):
    _error(sim_api.init(apikey="not-the-key"), "609", "AUTH_NOT_FOUND")


def test_wrong_site_id_is_613(sim_api):
    _error(sim_api.init(site_id="999999"), "613", "ERROR_SITE_ID_NOTVALID")


def test_site_id_sent_as_a_number_is_accepted(sim_api):
    assert sim_api.init(site_id=int(SITE_ID)).json()["code"] == "201"


def test_unknown_currency_is_612(sim_api):
    _error(sim_api.init(currency="EUR"), "612", "ERROR_CURRENCY_NOTVALID")


@pytest.mark.parametrize("amount", [1000.5, "12.5", "mille", True])
def test_amount_that_is_not_an_integer_is_608(sim_api, amount):
    payload = _error(sim_api.init(amount=amount), "608", "MINIMUM_REQUIRED_FIELDS")
    assert "integer" in payload["description"]


def test_amount_not_a_multiple_of_5_is_608(sim_api):
    payload = _error(sim_api.init(amount=1001), "608", "MINIMUM_REQUIRED_FIELDS")
    assert "multiple of 5" in payload["description"]


@pytest.mark.parametrize(("currency", "low"), [("XOF", 100), ("XAF", 100), ("CDF", 400)])
def test_amount_below_the_minimum_is_641(sim_api, currency, low):
    _error(sim_api.init(currency=currency, amount=low - 5), "641", "ERROR_AMOUNT_TOO_LOW")
    assert (
        sim_api.init(currency=currency, amount=low, transaction_id=f"LOW{currency}").json()["code"] == "201"
    )


def test_amount_above_the_maximum_is_642(sim_api):
    _error(sim_api.init(amount=3_000_005), "642", "ERROR_AMOUNT_TOO_HIGH")


@pytest.mark.parametrize("char", list("#/$_&"))
def test_forbidden_description_characters_are_608(sim_api, char):
    payload = _error(sim_api.init(description=f"Compte {char} 70"), "608", "MINIMUM_REQUIRED_FIELDS")
    assert char in payload["description"]


def test_unknown_channel_is_608(sim_api):
    _error(sim_api.init(channels="BITCOIN"), "608", "MINIMUM_REQUIRED_FIELDS")


def test_several_channels_are_accepted(sim_api):
    assert sim_api.init(channels="MOBILE_MONEY,WALLET").json()["code"] == "201"


@pytest.mark.parametrize("field", ["notify_url", "return_url"])
def test_callback_urls_must_be_absolute(sim_api, field):
    _error(sim_api.init(**{field: "/payments/notify/"}), "608", "MINIMUM_REQUIRED_FIELDS")


def test_invoice_data_has_at_most_3_keys(sim_api):
    _error(
        sim_api.init(invoice_data={"a": "1", "b": "2", "c": "3", "d": "4"}), "608", "MINIMUM_REQUIRED_FIELDS"
    )


def test_card_payments_need_the_customer_fields(sim_api):
    payload = _error(sim_api.init(channels="CREDIT_CARD"), "608", "MINIMUM_REQUIRED_FIELDS")
    assert "customer_address" in payload["description"]
    card = {
        "customer_name": "Koné",
        "customer_surname": "Awa",
        "customer_email": "awa@example.com",
        "customer_address": "Cocody",
        "customer_city": "Abidjan",
        "customer_country": "CI",
        "customer_state": "Lagunes",
        "customer_zip_code": "00225",
    }
    assert sim_api.init(channels="CREDIT_CARD", **card).json()["code"] == "201"


@pytest.mark.parametrize("phone", [None, "07-CALL-ME", "123"])
def test_lock_phone_number_without_a_valid_phone_is_624(sim_api, phone):
    response = sim_api.init(lock_phone_number=True, customer_phone_number=phone)
    _error(response, "624", "An error occurred while processing the request")


def test_reused_transaction_id_is_620(sim_api):
    sim_api.created()
    _error(sim_api.init(amount=2000), "620", "DOUBLE_PAYMENT")
    assert SimulatedPayment.objects.count() == 1


def test_no_user_agent_is_blocked_by_the_cdn(sim_api):
    response = sim_api.client.post(
        "/cinetpay-simulator/v2/payment", data=init_body(), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.content == b"error code: 1010"  # the CDN's page, not a JSON envelope


def test_get_is_refused(sim_api):
    response = sim_api.client.get("/cinetpay-simulator/v2/payment", headers={"User-Agent": "t"})
    assert response.status_code == 405


def test_api_views_are_csrf_exempt(db):
    api = SimulatorApi(Client(enforce_csrf_checks=True))
    assert api.init().json()["code"] == "201"


# --- payment/check --------------------------------------------------------------------------------------


def test_check_of_a_new_payment_waits_for_the_customer(sim_api):
    sim_api.created()
    payload = sim_api.check(transaction_id="CP20260101000000ABC123").json()

    assert set(payload) == {"code", "message", "data", "api_response_id"}
    assert payload["code"] == "662"
    assert payload["message"] == "WAITING_CUSTOMER_PAYMENT"
    assert API_RESPONSE_ID.match(payload["api_response_id"])
    data = payload["data"]
    assert data["status"] == "WAITING_FOR_CUSTOMER"
    assert data["amount"] == "1000"
    assert data["currency"] == "XOF"
    assert data["metadata"] == "order-42"
    assert data["operator_id"] is None
    assert data["payment_date"] == " "


def test_check_by_token(sim_api):
    token = sim_api.created()["payment_token"]
    assert sim_api.check(token=token).json()["code"] == "662"


def test_check_metadata_is_null_when_none_was_sent(sim_api):
    sim_api.created(metadata=None)
    assert sim_api.check(transaction_id="CP20260101000000ABC123").json()["data"]["metadata"] is None


def test_check_needs_credentials_and_an_id(sim_api):
    sim_api.created()
    _error(sim_api.check(), "608", "MINIMUM_REQUIRED_FIELDS")
    _error(sim_api.check(transaction_id="CP20260101000000ABC123", apikey="nope"), "609", "AUTH_NOT_FOUND")
    _error(
        sim_api.check(transaction_id="CP20260101000000ABC123", site_id="1"), "613", "ERROR_SITE_ID_NOTVALID"
    )
    _error(sim_api.post_checkout("payment/check", raw="x"), "608", "MINIMUM_REQUIRED_FIELDS")


def test_check_of_an_unknown_transaction(sim_api):
    response = sim_api.check(transaction_id="NEVER-SEEN")
    assert response.status_code == 404
    assert response.json()["code"] == "404"
    assert "data" not in response.json()


def test_credentials_are_read_from_the_settings_at_each_request(sim_api, settings):
    settings.CINETPAY_API_KEY = "rotated-key"
    _error(sim_api.init(), "609", "AUTH_NOT_FOUND")
    assert sim_api.init(apikey="rotated-key").json()["code"] == "201"
