"""The simulated Transfer API v1 answers like CINETPAY_API.md §5: number 0 on success, string error codes."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlencode

import pytest

from django_cinetpay.simulator.models import SimulatedSession, SimulatedTransfer

from .conftest import API_KEY, TRANSFER_NOTIFY_URL, TRANSFER_PASSWORD

pytestmark = pytest.mark.django_db

CONTACT = {
    "prefix": "225",
    "phone": "0707070707",
    "name": "Koné",
    "surname": "Awa",
    "email": "awa@example.com",
}


#: A transfer's fields, in CinetPay's order (CINETPAY_API.md §5): check items and transfer notifications.
TRANSFER_FIELDS = (
    "transaction_id",
    "client_transaction_id",
    "lot",
    "amount",
    "receiver",
    "sending_status",
    "treatment_status",
    "comment",
    "operator_transaction_id",
    "validated_at",
)


def _error(response, code: str, message: str) -> dict:
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["code"] == code  # a string
    assert payload["message"] == message
    assert "data" not in payload
    return payload


@pytest.fixture
def token(sim_api) -> str:
    return sim_api.login()


def get(sim_api, token: str, endpoint: str, **query: str):
    return sim_api.transfer("GET", endpoint, query={"token": token, "lang": "fr", **query})


def post(sim_api, token: str, endpoint: str, items: list[dict]):
    return sim_api.transfer("POST", endpoint, query={"token": token}, form={"data": json.dumps(items)})


def send_item(**overrides) -> dict:
    item = {
        "prefix": "225",
        "phone": "0707070707",
        "amount": 950,
        "client_transaction_id": "PAYOUT-1",
        "notify_url": TRANSFER_NOTIFY_URL,
    }
    return {**item, **overrides}


@pytest.fixture
def contact(sim_api, token) -> dict:
    assert post(sim_api, token, "transfer/contact", [CONTACT]).json()["code"] == 0
    return CONTACT


# --- login and token ------------------------------------------------------------------------------------


def test_login(sim_api):
    response = sim_api.transfer("POST", "auth/login", form={"apikey": API_KEY, "password": TRANSFER_PASSWORD})

    assert response.status_code == 200
    payload = response.json()
    assert payload["code"] == 0  # the number 0
    assert payload["message"] == "OPERATION_SUCCES"
    assert re.fullmatch(r"[0-9a-f]{64}", payload["data"]["token"])


@pytest.mark.parametrize(
    "form", [{"apikey": "wrong", "password": TRANSFER_PASSWORD}, {"apikey": API_KEY, "password": "wrong"}]
)
def test_wrong_credentials_are_701(sim_api, form):
    _error(sim_api.transfer("POST", "auth/login", form=form), "701", "INVALID_CREDENTIALS")


def test_login_takes_url_encoded_forms_too(sim_api):
    response = sim_api.client.post(
        "/cinetpay-simulator/v1/auth/login?lang=fr",
        data=urlencode({"apikey": API_KEY, "password": TRANSFER_PASSWORD}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.json()["code"] == 0


def test_login_takes_form_fields(sim_api):
    response = sim_api.client.post(
        "/cinetpay-simulator/v1/auth/login",
        data=json.dumps({"apikey": API_KEY, "password": TRANSFER_PASSWORD}),
        content_type="application/json",
    )
    _error(response, "704", "INVALID_PARAM")


def test_password_follows_the_settings(sim_api, settings):
    settings.CINETPAY_TRANSFER_PASSWORD = "new-password"
    form = {"apikey": API_KEY, "password": TRANSFER_PASSWORD}
    _error(sim_api.transfer("POST", "auth/login", form=form), "701", "INVALID_CREDENTIALS")


def test_wrong_method_is_708(sim_api):
    _error(sim_api.transfer("GET", "auth/login"), "708", "NOT_ALLOWED")
    _error(sim_api.transfer("POST", "transfer/check/balance"), "708", "NOT_ALLOWED")


@pytest.mark.parametrize("query", [{}, {"token": "not-a-token"}])
def test_missing_or_unknown_token_is_706(sim_api, query):
    _error(sim_api.transfer("GET", "transfer/check/balance", query=query), "706", "INVALID_TOKEN")


def test_token_lives_five_minutes(sim_api, token):
    session = SimulatedSession.objects.get(token=token)
    session.issued_at = time.time() - 299
    session.save()
    assert get(sim_api, token, "transfer/check/balance").json()["code"] == 0

    session.issued_at = time.time() - 300
    session.save()
    _error(get(sim_api, token, "transfer/check/balance"), "705", "EXPIRED_TOKEN")


# --- balance and contacts ---------------------------------------------------------------------------------


def test_balance(sim_api, token, settings):
    settings.CINETPAY_SIMULATOR_TRANSFER_BALANCE = 250_000
    payload = get(sim_api, token, "transfer/check/balance").json()
    assert payload["code"] == 0
    assert payload["data"] == {"amount": 250_000, "inUsing": 0, "available": 250_000}


def test_add_contact_then_again_is_726(sim_api, token):
    first = post(sim_api, token, "transfer/contact", [CONTACT]).json()
    assert first["code"] == 0
    ((item,),) = first["data"]  # a nested array
    assert item["code"] == 0
    assert item["phone"] == "0707070707"

    again = post(sim_api, token, "transfer/contact", [CONTACT]).json()
    assert again["code"] == 0
    ((item,),) = again["data"]
    assert item["code"] == 726
    assert item["status"] == "ERROR_PHONE_ALREADY_MY_CONTACT"


def test_contact_data_must_be_a_json_array(sim_api, token):
    response = sim_api.transfer("POST", "transfer/contact", query={"token": token}, form={"data": "[{"})
    _error(response, "718", "JSON_PARSE_ERROR")
    _error(post(sim_api, token, "transfer/contact", [{"prefix": "225"}]), "716", "DATA_NOT_VALID")


# --- send and check ---------------------------------------------------------------------------------------


def test_send_to_a_contact(sim_api, token, contact):
    response = post(sim_api, token, "transfer/money/send/contact", [send_item()])

    payload = response.json()
    assert payload["code"] == 0
    (item,) = payload["data"]
    assert re.fullmatch(r"TR\d{6}[0-9A-F]{10}", item["transaction_id"])
    assert item["client_transaction_id"] == "PAYOUT-1"
    assert item["amount"] == 950
    assert item["receiver"] == "+2250707070707"
    assert item["treatment_status"] == "NEW"
    assert item["sending_status"] == "PENDING"
    assert item["lot"]
    balance = get(sim_api, token, "transfer/check/balance").json()["data"]
    assert balance == {"amount": 1_000_000, "inUsing": 950, "available": 1_000_000 - 950}


def test_send_to_a_non_contact_is_724(sim_api, token):
    _error(
        post(sim_api, token, "transfer/money/send/contact", [send_item()]),
        "724",
        "ERROR_PHONE_NOT_MY_CONTACT",
    )
    assert not SimulatedTransfer.objects.exists()


def test_reused_client_transaction_id_is_805(sim_api, token, contact):
    post(sim_api, token, "transfer/money/send/contact", [send_item()])
    response = post(sim_api, token, "transfer/money/send/contact", [send_item(amount=500)])
    _error(response, "805", "CLIENT_TRANSACTION_ID_EXIST")
    twice = [send_item(client_transaction_id="P2"), send_item(client_transaction_id="P2")]
    _error(post(sim_api, token, "transfer/money/send/contact", twice), "805", "CLIENT_TRANSACTION_ID_EXIST")
    assert SimulatedTransfer.objects.count() == 1


def test_short_balance_is_602(sim_api, token, contact, settings):
    settings.CINETPAY_SIMULATOR_TRANSFER_BALANCE = 1000
    post(sim_api, token, "transfer/money/send/contact", [send_item(amount=600)])
    response = post(
        sim_api, token, "transfer/money/send/contact", [send_item(client_transaction_id="P2", amount=500)]
    )
    _error(response, "602", "INSUFFICIENT_BALANCE")


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        (95, "719", "AMOUNT_TOO_SMALL"),
        (1_500_005, "720", "AMOUNT_TOO_LARGE"),
        (-5, "716", "DATA_NOT_VALID"),
        ("cent", "716", "DATA_NOT_VALID"),
    ],
)
def test_amount_limits(sim_api, token, contact, amount, code, message):
    _error(post(sim_api, token, "transfer/money/send/contact", [send_item(amount=amount)]), code, message)


def test_check_by_either_id(sim_api, token, contact):
    (sent,) = post(sim_api, token, "transfer/money/send/contact", [send_item()]).json()["data"]

    by_client = get(sim_api, token, "transfer/check/money", client_transaction_id="PAYOUT-1").json()
    by_cinetpay = get(sim_api, token, "transfer/check/money", transaction_id=sent["transaction_id"]).json()

    assert by_client["code"] == 0
    assert by_client["data"] == by_cinetpay["data"]
    (item,) = by_client["data"]
    assert set(item) == set(TRANSFER_FIELDS)
    assert item["treatment_status"] == "NEW"


def test_check_unknown_is_723_and_needs_an_id(sim_api, token):
    _error(get(sim_api, token, "transfer/check/money", client_transaction_id="NOPE"), "723", "NOT_FOUND")
    _error(get(sim_api, token, "transfer/check/money"), "704", "INVALID_PARAM")


# --- settling ---------------------------------------------------------------------------------------------


def test_transfers_stay_new_without_a_delay(sim_api, token, contact, settings):
    settings.CINETPAY_SIMULATOR_TRANSFER_DELAY = None
    post(sim_api, token, "transfer/money/send/contact", [send_item()])
    item = get(sim_api, token, "transfer/check/money", client_transaction_id="PAYOUT-1").json()["data"][0]
    assert item["treatment_status"] == "NEW"


def test_transfers_validate_after_the_delay_and_notify(sim_api, token, contact, settings, merchant):
    settings.CINETPAY_SIMULATOR_TRANSFER_DELAY = 0
    post(sim_api, token, "transfer/money/send/contact", [send_item()])

    item = get(sim_api, token, "transfer/check/money", client_transaction_id="PAYOUT-1").json()["data"][0]

    assert item["treatment_status"] == "VAL"
    assert item["sending_status"] == "CONFIRM"
    assert re.fullmatch(r"OP[0-9A-F]{12}", item["operator_transaction_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", item["validated_at"])
    (note,) = merchant.caught
    assert note.url == TRANSFER_NOTIFY_URL
    assert note.content_type == "application/x-www-form-urlencoded"
    assert note.x_token == ""  # transfer notifications are not signed
    assert [name for name, _ in note.pairs] == list(TRANSFER_FIELDS)
    assert note.fields["client_transaction_id"] == "PAYOUT-1"
    assert note.fields["amount"] == "950"
    assert note.fields["treatment_status"] == "VAL"
    balance = get(sim_api, token, "transfer/check/balance").json()["data"]
    assert balance == {"amount": 1_000_000 - 950, "inUsing": 0, "available": 1_000_000 - 950}
