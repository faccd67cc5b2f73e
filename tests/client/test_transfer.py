"""Transfer API v1 client (CINETPAY_API.md §5): login and token cache, contacts, send, check."""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from django_cinetpay import exceptions
from django_cinetpay.client import Transfer, TransferClient, get_transfer_client, http, parse_transfer
from django_cinetpay.client.transfer import TOKEN_LIFETIME

from .conftest import API_KEY, TRANSFER_PASSWORD, TRANSFER_URL

LOGIN_URL = f"{TRANSFER_URL}/auth/login"
BALANCE_URL = f"{TRANSFER_URL}/transfer/check/balance"
CONTACT_URL = f"{TRANSFER_URL}/transfer/contact"
SEND_URL = f"{TRANSFER_URL}/transfer/money/send/contact"
CHECK_URL = f"{TRANSFER_URL}/transfer/check/money"

TOKEN_1 = "session-token-ONE-3c9e"
TOKEN_2 = "session-token-TWO-77aa"
PHONE = "0707123401"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(clock, sleeps) -> TransferClient:
    return get_transfer_client(api_key=API_KEY, password=TRANSFER_PASSWORD, clock=clock, sleep=sleeps.append)


def _login_ok(token: str = TOKEN_1) -> dict:
    return {"code": 0, "message": "OPERATION_SUCCES", "description": "", "data": {"token": token}}


def _ok(data) -> dict:
    return {"code": 0, "message": "OPERATION_SUCCES", "description": "Traitement effectué", "data": data}


def _fail(code: str, message: str = "", description: str = "") -> dict:
    return {"code": code, "message": message, "description": description}


def _calls(rsps, url: str) -> list:
    return [c for c in rsps.calls if c.request.url.split("?", 1)[0] == url]


def _query(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def _form(call) -> dict[str, str]:
    body = call.request.body
    if isinstance(body, bytes):
        body = body.decode()
    return {k: v[0] for k, v in parse_qs(body).items()}


def _sent_item(call) -> dict:
    items = json.loads(_form(call)["data"])
    assert isinstance(items, list)
    assert len(items) == 1
    return items[0]


SENT = {
    "status": "success",
    "code": 0,
    "transaction_id": "AB1234567890",
    "client_transaction_id": "PAYOUT-1",
    "lot": "LOT-99",
    "amount": 5000,
    "receiver": "+225" + PHONE,
    "treatment_status": "NEW",
    "sending_status": "PENDING",
}

CHECKED = {
    "transaction_id": "AB1234567890",
    "client_transaction_id": "PAYOUT-1",
    "lot": "LOT-99",
    "amount": "5000",
    "receiver": "+225" + PHONE,
    "operator": "OM",
    "sending_status": "CONFIRM",
    "treatment_status": "VAL",
    "comment": "",
    "operator_transaction_id": "MP240101.1200.A1",
    "validated_at": "2024-01-01 12:05:00",
}


# --- login and token cache -------------------------------------------------------------------------


def test_login_posts_form_fields(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    assert client.login() == TOKEN_1
    (call,) = rsps.calls
    assert call.request.method == "POST"
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert call.request.headers["User-Agent"] == http.USER_AGENT
    assert _form(call) == {"apikey": API_KEY, "password": TRANSFER_PASSWORD}
    assert _query(call) == {"lang": "fr"}


def test_login_accepts_a_string_success_code(rsps, client):
    rsps.post(LOGIN_URL, json={**_login_ok(), "code": "0"})
    assert client.login() == TOKEN_1


def test_token_is_cached(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(BALANCE_URL, json=_ok({"amount": 1, "inUsing": 0, "available": 1}))
    client.get_balance()
    client.get_balance()
    assert len(_calls(rsps, LOGIN_URL)) == 1
    balance_calls = _calls(rsps, BALANCE_URL)
    assert len(balance_calls) == 2
    assert all(_query(c) == {"token": TOKEN_1, "lang": "fr"} for c in balance_calls)


def test_token_is_reused_until_just_before_five_minutes(rsps, client, clock):
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    assert client.login() == TOKEN_1
    clock.now += TOKEN_LIFETIME - 1
    assert client.login() == TOKEN_1
    assert len(_calls(rsps, LOGIN_URL)) == 1
    clock.now += 1
    assert client.login() == TOKEN_2
    assert len(_calls(rsps, LOGIN_URL)) == 2
    assert TOKEN_LIFETIME < 300


def test_token_is_refreshed_after_five_minutes(rsps, client, clock):
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    rsps.get(BALANCE_URL, json=_ok({"amount": 1, "inUsing": 0, "available": 1}))
    client.get_balance()
    clock.now += 301
    client.get_balance()
    assert len(_calls(rsps, LOGIN_URL)) == 2
    first, second = _calls(rsps, BALANCE_URL)
    assert _query(first)["token"] == TOKEN_1
    assert _query(second)["token"] == TOKEN_2


@pytest.mark.parametrize("expired_code", ["705", "706"])
def test_expired_token_logs_in_again_and_replays_once(rsps, client, expired_code):
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    rsps.post(SEND_URL, json=_fail(expired_code, "EXPIRED_TOKEN"), status=401)
    rsps.post(SEND_URL, json=_ok([[SENT]]))
    transfer = client.send_money("225", PHONE, 5000, "PAYOUT-1", "https://shop.example.com/t/")
    assert transfer.transaction_id == "AB1234567890"
    assert len(_calls(rsps, LOGIN_URL)) == 2
    first, second = _calls(rsps, SEND_URL)
    assert _query(first)["token"] == TOKEN_1
    assert _query(second)["token"] == TOKEN_2
    assert _form(first) == _form(second)  # the same request, replayed


def test_a_bare_html_401_is_an_expired_token_too(rsps, client):
    """A gateway's 401 page (no CinetPay JSON) refuses the token: log in again and replay, once."""
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    rsps.post(
        SEND_URL, body="<html><body>401 Unauthorized</body></html>", status=401, content_type="text/html"
    )
    rsps.post(SEND_URL, json=_ok([[SENT]]))
    transfer = client.send_money("225", PHONE, 5000, "PAYOUT-1", "https://shop.example.com/t/")
    assert transfer.transaction_id == "AB1234567890"
    assert [_query(call)["token"] for call in _calls(rsps, SEND_URL)] == [TOKEN_1, TOKEN_2]


def test_a_bare_401_twice_raises_the_token_error(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    rsps.get(BALANCE_URL, body="Unauthorized", status=401, content_type="text/html")
    with pytest.raises(exceptions.CinetPayTokenExpiredError) as info:
        client.get_balance()
    assert info.value.http_status == 401


def test_expired_token_twice_raises(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    rsps.get(BALANCE_URL, json=_fail("705", "EXPIRED_TOKEN"))
    with pytest.raises(exceptions.CinetPayTokenExpiredError) as info:
        client.get_balance()
    assert info.value.code == "705"
    assert len(_calls(rsps, LOGIN_URL)) == 2
    assert len(_calls(rsps, BALANCE_URL)) == 2
    _assert_no_secret(info.value)


def test_after_a_refused_token_the_next_call_logs_in(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    rsps.get(BALANCE_URL, json=_fail("706", "INVALID_TOKEN"))
    with pytest.raises(exceptions.CinetPayTokenExpiredError):
        client.get_balance()
    rsps.replace("GET", BALANCE_URL, json=_ok({"amount": 1}))
    rsps.post(LOGIN_URL, json=_login_ok("session-token-THREE"))
    client.get_balance()
    assert _query(_calls(rsps, BALANCE_URL)[-1])["token"] != TOKEN_2


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("701", exceptions.CinetPayAuthError),
        ("703", exceptions.CinetPayAuthError),
        ("702", exceptions.CinetPayTransferError),
    ],
)
def test_login_errors(rsps, client, code, error):
    rsps.post(LOGIN_URL, json=_fail(code, "INVALID_CREDENTIALS", "Identifiants invalides"))
    with pytest.raises(error) as info:
        client.get_balance()
    assert type(info.value) is error
    assert info.value.code == code
    assert info.value.hint
    assert info.value.message == "INVALID_CREDENTIALS"
    assert len(rsps.calls) == 1  # no balance request without a token
    _assert_no_secret(info.value)


def test_701_hint_names_the_settings(rsps, client):
    rsps.post(LOGIN_URL, json=_fail("701", "INVALID_CREDENTIALS"), status=401)
    with pytest.raises(exceptions.CinetPayAuthError) as info:
        client.login()
    assert "CINETPAY_TRANSFER_PASSWORD" in info.value.hint
    assert info.value.http_status == 401


@pytest.mark.parametrize("data", [{}, {"token": ""}, None, []])
def test_login_without_token_is_invalid(rsps, client, data):
    rsps.post(LOGIN_URL, json={"code": 0, "message": "OPERATION_SUCCES", "data": data})
    with pytest.raises(exceptions.CinetPayInvalidResponseError):
        client.login()


def test_failed_login_is_not_cached(rsps, client):
    rsps.post(LOGIN_URL, json=_fail("701", "INVALID_CREDENTIALS"))
    rsps.post(LOGIN_URL, json=_login_ok())
    with pytest.raises(exceptions.CinetPayAuthError):
        client.login()
    assert client.login() == TOKEN_1


# --- balance ---------------------------------------------------------------------------------------


def test_balance(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(BALANCE_URL, json=_ok({"amount": "150000", "inUsing": 2500.0, "available": 147500}))
    balance = client.get_balance()
    assert (balance.amount, balance.in_using, balance.available) == (150000, 2500, 147500)
    assert all(isinstance(v, int) for v in (balance.amount, balance.in_using, balance.available))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"amount": "1000.75", "available": "abc"}, (1000, 0, 0)),
        ({}, (0, 0, 0)),
        (None, (0, 0, 0)),
    ],
)
def test_balance_is_lenient(rsps, client, data, expected):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(BALANCE_URL, json=_ok(data))
    balance = client.get_balance()
    assert (balance.amount, balance.in_using, balance.available) == expected


def test_balance_is_retried_on_network_errors(rsps, client, sleeps):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(BALANCE_URL, body=requests.ConnectionError("down"))
    rsps.get(BALANCE_URL, json=_ok({"amount": 5}))
    assert client.get_balance().amount == 5
    assert len(_calls(rsps, BALANCE_URL)) == 2
    assert len(sleeps) == 1


# --- contacts --------------------------------------------------------------------------------------


def _add(client):
    return client.add_contact("+225", PHONE, "Kouassi", "Awa", "awa@example.com")


def test_add_contact_request(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(CONTACT_URL, json=_ok([[{"status": "success", "code": 0, "lot": "L1", "phone": PHONE}]]))
    result = _add(client)
    assert not result.already_contact
    assert result.code == "0"
    assert result.lot == "L1"
    (call,) = _calls(rsps, CONTACT_URL)
    assert call.request.method == "POST"
    assert _query(call)["token"] == TOKEN_1
    assert _sent_item(call) == {
        "prefix": "225",
        "phone": PHONE,
        "name": "Kouassi",
        "surname": "Awa",
        "email": "awa@example.com",
    }
    assert PHONE not in repr(result)


@pytest.mark.parametrize(
    "answer",
    [
        _ok(
            [[{"status": "ERROR", "code": 726, "message": "ERROR_PHONE_ALREADY_MY_CONTACT", "phone": PHONE}]]
        ),
        _ok([{"code": "726", "message": "ERROR_PHONE_ALREADY_MY_CONTACT"}]),
        _fail("726", "ERROR_PHONE_ALREADY_MY_CONTACT"),
    ],
    ids=["nested-item", "flat-item", "envelope"],
)
def test_add_contact_726_is_success(rsps, client, answer):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(CONTACT_URL, json=answer)
    result = _add(client)
    assert result.already_contact
    assert result.code == "726"


@pytest.mark.parametrize(
    "answer",
    [
        _ok([[{"status": "ERROR", "code": 716, "message": "DATA_NOT_VALID", "phone": PHONE}]]),
        _fail("716", "DATA_NOT_VALID"),
    ],
    ids=["item", "envelope"],
)
def test_add_contact_other_errors_raise(rsps, client, answer):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(CONTACT_URL, json=answer)
    with pytest.raises(exceptions.CinetPayTransferError) as info:
        _add(client)
    assert info.value.code == "716"
    assert info.value.hint


# --- send ------------------------------------------------------------------------------------------


def _send(client, client_transaction_id="PAYOUT-1"):
    return client.send_money("225", PHONE, 5000, client_transaction_id, "https://shop.example.com/t/")


def test_send_money(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(SEND_URL, json=_ok([[SENT]]))
    transfer = _send(client)
    assert transfer == Transfer(
        transaction_id="AB1234567890",
        client_transaction_id="PAYOUT-1",
        lot="LOT-99",
        amount=5000,
        receiver="+225" + PHONE,
        treatment_status="NEW",
        sending_status="PENDING",
        code="0",
    )
    assert transfer.raw["status"] == "success"
    assert transfer.is_in_progress
    (call,) = _calls(rsps, SEND_URL)
    assert _query(call)["token"] == TOKEN_1
    assert _sent_item(call) == {
        "prefix": "225",
        "phone": PHONE,
        "amount": 5000,
        "client_transaction_id": "PAYOUT-1",
        "notify_url": "https://shop.example.com/t/",
    }


def test_send_money_flat_array(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(SEND_URL, json=_ok([SENT]))
    assert _send(client).lot == "LOT-99"


SEND_ERRORS = [
    ("724", "ERROR_PHONE_NOT_MY_CONTACT", "contact"),
    ("805", "CLIENT_TRANSACTION_ID_EXIST", "look it up"),
    ("602", "INSUFFICIENT_BALANCE", "balance"),
    ("719", "AMOUNT_TOO_SMALL", "minimum"),
    ("721", "OPERATOR_NOT_AVAILABLE", "operator"),
]


@pytest.mark.parametrize(("code", "message", "hint_word"), SEND_ERRORS)
def test_send_errors_at_envelope_level(rsps, client, code, message, hint_word):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(SEND_URL, json=_fail(code, message), status=400)
    with pytest.raises(exceptions.CinetPayTransferError) as info:
        _send(client)
    assert info.value.code == code
    assert info.value.message == message
    assert hint_word in info.value.hint
    assert len(_calls(rsps, SEND_URL)) == 1
    _assert_no_secret(info.value)


@pytest.mark.parametrize(("code", "message", "hint_word"), SEND_ERRORS)
def test_send_errors_inside_the_items(rsps, client, code, message, hint_word):
    rsps.post(LOGIN_URL, json=_login_ok())
    item = {"status": "ERROR", "code": int(code), "message": message, "client_transaction_id": "PAYOUT-1"}
    rsps.post(SEND_URL, json=_ok([[item]]))
    with pytest.raises(exceptions.CinetPayTransferError) as info:
        _send(client)
    assert info.value.code == code
    assert hint_word in info.value.hint
    assert len(_calls(rsps, SEND_URL)) == 1


def test_send_error_item_without_a_code(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(SEND_URL, json=_ok([[{"status": "ERROR", "message": "Something went wrong"}]]))
    with pytest.raises(exceptions.CinetPayTransferError) as info:
        _send(client)
    assert info.value.message == "Something went wrong"


@pytest.mark.parametrize("data", [[], [[]], None])
def test_send_without_a_transfer_item_is_ambiguous(rsps, client, data):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(SEND_URL, json=_ok(data))
    with pytest.raises(exceptions.CinetPayInvalidResponseError) as info:
        _send(client)
    assert isinstance(info.value, exceptions.CinetPayNetworkError)  # outcome unknown: look it up
    assert "client_transaction_id" in str(info.value)


@pytest.mark.parametrize(
    "error",
    [requests.ReadTimeout("read timed out"), requests.ConnectionError("reset"), "502"],
)
def test_send_is_never_retried(rsps, client, error):
    rsps.post(LOGIN_URL, json=_login_ok())
    if error == "502":
        rsps.post(SEND_URL, body="<html>Bad Gateway</html>", status=502, content_type="text/html")
        expected: type[Exception] = exceptions.CinetPayServerError
    else:
        rsps.post(SEND_URL, body=error)
        expected = exceptions.CinetPayNetworkError
    rsps.post(SEND_URL, json=_ok([[SENT]]))  # would be used by a retry
    with pytest.raises(expected):
        _send(client)
    assert len(_calls(rsps, SEND_URL)) == 1


def test_send_timeout_propagates(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(SEND_URL, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(exceptions.CinetPayTimeoutError):
        _send(client)
    assert len(_calls(rsps, SEND_URL)) == 1


@pytest.mark.parametrize(
    ("amount", "ctid"),
    [(0, "P1"), (-5, "P1"), (10.5, "P1"), (True, "P1"), ("100", "P1"), (100, "")],
)
def test_send_refuses_bad_input_before_any_request(rsps, client, amount, ctid):
    with pytest.raises(ValueError, match="send_money"):
        client.send_money("225", PHONE, amount, ctid, "")
    assert len(rsps.calls) == 0


def test_send_without_notify_url_leaves_it_out(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(SEND_URL, json=_ok([[SENT]]))
    client.send_money("+225", PHONE, 5000, "PAYOUT-1", "")
    item = _sent_item(_calls(rsps, SEND_URL)[0])
    assert "notify_url" not in item
    assert item["prefix"] == "225"


# --- check -----------------------------------------------------------------------------------------


def test_check_by_client_transaction_id_found(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(CHECK_URL, json=_ok([CHECKED]))
    transfer = client.check_transfer("PAYOUT-1")
    assert transfer is not None
    assert transfer.is_completed
    assert not transfer.is_in_progress
    assert transfer.amount == 5000
    assert transfer.operator_transaction_id == "MP240101.1200.A1"
    assert transfer.validated_at == dt.datetime(2024, 1, 1, 12, 5)
    (call,) = _calls(rsps, CHECK_URL)
    assert call.request.method == "GET"
    assert _query(call) == {"token": TOKEN_1, "lang": "fr", "client_transaction_id": "PAYOUT-1"}


def test_check_by_transaction_id(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(CHECK_URL, json=_ok([[CHECKED]]))
    transfer = client.check_transfer(transaction_id="AB1234567890")
    assert transfer is not None
    assert transfer.client_transaction_id == "PAYOUT-1"
    query = _query(_calls(rsps, CHECK_URL)[0])
    assert query["transaction_id"] == "AB1234567890"
    assert "client_transaction_id" not in query


def test_check_picks_the_matching_transfer(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    other = {**CHECKED, "client_transaction_id": "PAYOUT-0", "treatment_status": "REJ"}
    rsps.get(CHECK_URL, json=_ok([other, CHECKED]))
    transfer = client.check_transfer("PAYOUT-1")
    assert transfer is not None
    assert transfer.client_transaction_id == "PAYOUT-1"
    assert transfer.is_completed


def test_check_listing_only_other_transfers_is_not_a_not_found(rsps, client):
    # "No such transfer" would let a caller send again; an answer about other transfers is not that.
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(CHECK_URL, json=_ok([{**CHECKED, "client_transaction_id": "PAYOUT-0"}]))
    with pytest.raises(exceptions.CinetPayInvalidResponseError):
        client.check_transfer("PAYOUT-1")


@pytest.mark.parametrize(
    "answer",
    [
        _ok([]),
        _ok([[]]),
        _ok(None),
        _fail("723", "NOT_FOUND"),
        _ok([[{"code": 723, "message": "NOT_FOUND"}]]),
    ],
    ids=["empty", "nested-empty", "no-data", "envelope-723", "item-723"],
)
def test_check_not_found_is_none(rsps, client, answer):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(CHECK_URL, json=answer)
    assert client.check_transfer("PAYOUT-1") is None


def test_check_404_with_723_is_none(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(CHECK_URL, json=_fail("723", "NOT_FOUND"), status=404)
    assert client.check_transfer("PAYOUT-1") is None


@pytest.mark.parametrize("answer", [_fail("704", "INVALID_PARAM"), _ok([{"code": "704"}])])
def test_check_errors_raise(rsps, client, answer):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(CHECK_URL, json=answer)
    with pytest.raises(exceptions.CinetPayTransferError) as info:
        client.check_transfer("PAYOUT-1")
    assert info.value.code == "704"


def test_check_is_retried_on_network_errors(rsps, client, sleeps):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(CHECK_URL, body=requests.ReadTimeout("read timed out"))
    rsps.get(CHECK_URL, body="<html>Bad Gateway</html>", status=502, content_type="text/html")
    rsps.get(CHECK_URL, json=_ok([CHECKED]))
    assert client.check_transfer("PAYOUT-1") is not None
    assert len(_calls(rsps, CHECK_URL)) == 3
    assert len(sleeps) == 2


def test_check_gives_up(rsps, client, sleeps):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(CHECK_URL, body=requests.ConnectionError("down"))
    with pytest.raises(exceptions.CinetPayConnectionError):
        client.check_transfer("PAYOUT-1")
    assert len(_calls(rsps, CHECK_URL)) == 3
    assert len(sleeps) == 2


def test_check_is_not_retried_on_cinetpay_errors(rsps, client, sleeps):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(CHECK_URL, json=_fail("708", "NOT_ALLOWED"))
    with pytest.raises(exceptions.CinetPayAuthError):
        client.check_transfer("PAYOUT-1")
    assert len(_calls(rsps, CHECK_URL)) == 1
    assert sleeps == []


def test_check_needs_an_id(rsps, client):
    with pytest.raises(ValueError, match="check_transfer"):
        client.check_transfer()
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("status", "completed", "rejected", "in_progress"),
    [
        ("VAL", True, False, False),
        ("REJ", False, True, False),
        ("NEW", False, False, True),
        ("", False, False, True),
        ("SOMETHING_NEW", False, False, True),
        ("val", True, False, False),
    ],
)
def test_transfer_states(status, completed, rejected, in_progress):
    transfer = parse_transfer({**CHECKED, "treatment_status": status})
    assert (transfer.is_completed, transfer.is_rejected, transfer.is_in_progress) == (
        completed,
        rejected,
        in_progress,
    )


def test_parse_transfer_is_lenient():
    transfer = parse_transfer({"amount": "abc", "validated_at": " ", "treatment_status": None})
    assert transfer.transaction_id == ""
    assert transfer.amount is None
    assert transfer.validated_at is None
    assert transfer.is_in_progress


# --- configuration and secrets ---------------------------------------------------------------------


def test_factory_reads_settings_at_call_time(settings):
    settings.CINETPAY_TRANSFER_API_URL = "https://elsewhere.cinetpay.test/v1/"
    settings.CINETPAY_TIMEOUT = 12.0
    client = get_transfer_client()
    assert client.base_url == "https://elsewhere.cinetpay.test/v1"
    assert client.timeout == 12.0


@pytest.mark.parametrize(("key", "password"), [("", "p"), ("k", ""), ("", "")])
def test_client_refuses_to_start_without_credentials(key, password):
    with pytest.raises(exceptions.CinetPayConfigurationError, match="CINETPAY_TRANSFER_PASSWORD"):
        TransferClient(api_key=key, password=password)


def test_repr_hides_secrets(rsps, client):
    rsps.post(LOGIN_URL, json=_login_ok())
    client.login()
    for secret in (API_KEY, TRANSFER_PASSWORD, TOKEN_1):
        assert secret not in repr(client)


def _assert_no_secret(exc: BaseException) -> None:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    for secret in (API_KEY, TRANSFER_PASSWORD, TOKEN_1, TOKEN_2):
        assert secret not in str(exc)
        assert secret not in repr(exc)
        assert secret not in text, f"{secret!r} leaks through the traceback"


def test_secrets_never_appear_in_errors_or_logs(rsps, client, caplog):
    caplog.set_level(logging.DEBUG)
    # requests' own exceptions quote the URL, query string (the token) included.
    leaky = requests.ConnectionError(
        f"Max retries exceeded with url: /v1/transfer/check/money?token={TOKEN_1}"
    )
    raised: list[BaseException] = []

    def attempt(call, *setup):
        rsps.reset()
        for method, url, kwargs in setup:
            rsps.add(method, url, **kwargs)
        with pytest.raises(exceptions.CinetPayError) as info:
            call()
        raised.append(info.value)

    login = ("POST", LOGIN_URL, {"json": _login_ok()})
    attempt(client.login, ("POST", LOGIN_URL, {"json": _fail("701", "INVALID_CREDENTIALS")}))
    attempt(
        client.login, ("POST", LOGIN_URL, {"body": requests.ConnectionError(f"password={TRANSFER_PASSWORD}")})
    )
    attempt(lambda: _send(client), login, ("POST", SEND_URL, {"body": requests.ReadTimeout("timed out")}))
    attempt(lambda: _send(client), login, ("POST", SEND_URL, {"body": leaky}))
    attempt(lambda: _send(client), login, ("POST", SEND_URL, {"json": _fail("724")}))
    attempt(lambda: _send(client), login, ("POST", SEND_URL, {"json": _fail("705")}))
    attempt(lambda: client.check_transfer("P1"), login, ("GET", CHECK_URL, {"body": leaky}))
    attempt(client.get_balance, login, ("GET", BALANCE_URL, {"body": "<html/>", "status": 503}))
    assert len(raised) == 8
    for exc in raised:
        _assert_no_secret(exc)
    for secret in (API_KEY, TRANSFER_PASSWORD, TOKEN_1, TOKEN_2):
        assert secret not in caplog.text
    assert "CinetPay" in caplog.text


def test_phone_numbers_are_masked_in_logs(rsps, client, caplog):
    caplog.set_level(logging.DEBUG, logger="django_cinetpay")
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(CONTACT_URL, json=_ok([[{"code": 0}]]))
    rsps.post(SEND_URL, json=_ok([[SENT]]))
    _add(client)
    _send(client)
    assert PHONE not in caplog.text
    assert "********01" in caplog.text
