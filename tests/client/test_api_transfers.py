"""Transfers and balance through the CinetPay API: operator derivation, limits, never paying twice."""

from __future__ import annotations

import logging

import pytest
import requests

from django_cinetpay import exceptions
from django_cinetpay.client import TransferBackend
from django_cinetpay.client.api.credentials import CountryCredentials
from django_cinetpay.client.codes import ACCOUNT_WIDE_CODES, TRANSACTION_EXISTS_CODES, refused_before_acting

from .api_helpers import BASE, CI, CM, LOGIN, SN, body, calls_to, login_ok, transfers

TRANSFER = f"{BASE}/v1/transfer"
NOTIFY = "https://shop.example.com/payments/api/notify/"
SENT = {
    "code": 200,
    "status": "PENDING",
    "merchant_transaction_id": "PO123",
    "transaction_id": "CP-TR-9",
    "notify_token": "TR-NOTIFY",
    "amount": "5000",
    "fee_amount": "50",
    "phone_number": "+2250707070700",
    "currency": "XOF",
}


def account(country: str) -> CountryCredentials:
    return CountryCredentials(country, f"sk_test_{country}-KEY", f"{country}-PASSWORD")


def test_the_client_implements_the_transfer_interface():
    client: TransferBackend = transfers(CI)
    assert callable(client.send_money)
    assert callable(client.check_transfer)


def test_send_posts_the_transfer_in_international_form_with_the_operator(rsps):
    login_ok(rsps, token="JWT-CI")
    send = rsps.post(TRANSFER, json=SENT)
    transfer = transfers(CI).send_money("225", "07 07 07 07 00", 5_000, "PO123", NOTIFY)
    [call] = send.calls
    assert call.request.headers["Authorization"] == "Bearer JWT-CI"
    assert body(call) == {
        "currency": "XOF",
        "merchant_transaction_id": "PO123",
        "phone_number": "+2250707070700",
        "amount": 5_000,
        "payment_method": "OM_CI",
        "reason": "Transfer PO123",
        "notify_url": NOTIFY,
    }
    assert (transfer.transaction_id, transfer.client_transaction_id) == ("CP-TR-9", "PO123")
    assert (transfer.treatment_status, transfer.sending_status) == ("NEW", "PENDING")
    assert transfer.is_in_progress
    assert (transfer.amount, transfer.currency, transfer.notify_token) == (5_000, "XOF", "TR-NOTIFY")
    assert transfer.receiver == "+2250707070700"


@pytest.mark.parametrize(
    ("country", "prefix", "phone", "operator"),
    [
        ("CI", "225", "0707070700", "OM_CI"),
        ("CI", "225", "0505050505", "MTN_CI"),
        ("CI", "225", "0101020304", "MOOV_CI"),
        ("SN", "221", "771234567", "OM_SN"),
        ("SN", "221", "761234567", "FREE_SN"),
        ("SN", "221", "701234567", "EXPRESSO_SN"),
        ("BF", "226", "70123456", "MOOV_BF"),
        ("ML", "223", "76123456", "OM_ML"),
        ("ML", "223", "66123456", "MOOV_ML"),
        ("NE", "227", "77123456", "AIRTEL_NE"),
        ("NE", "227", "74123456", "MOOV_NE"),
        ("NE", "227", "23123456", "ZAMANI_NE"),
        ("TG", "228", "90112345", "TMONEY_TG"),
        ("TG", "228", "79123456", "MOOV_TG"),
        ("BJ", "229", "0196123456", "MTN_BJ"),
        ("BJ", "229", "0145123456", "MOOV_BJ"),
        ("GN", "224", "621123456", "OM_GN"),
        ("GN", "224", "661123456", "MTN_GN"),
        ("CM", "237", "691234567", "OM_CM"),
        ("CM", "237", "671234567", "MTN_CM"),
        ("CD", "243", "851234567", "OM_CD"),
        ("CD", "243", "991234567", "AIRTEL_CD"),
        ("CD", "243", "811234567", "MPESA_CD"),
        ("CD", "243", "901234567", "AFRICELL_CD"),
    ],
)
def test_the_operator_and_currency_follow_the_number_in_every_country(rsps, country, prefix, phone, operator):
    login_ok(rsps)
    send = rsps.post(TRANSFER, json=SENT)
    transfers(account(country)).send_money(prefix, phone, 5_000, "PO123", NOTIFY)
    sent = body(send.calls[0])
    assert sent["payment_method"] == operator
    assert sent["phone_number"] == f"+{prefix}{phone.lstrip('0') if country not in ('CI', 'BJ') else phone}"
    assert sent["currency"] == {"GN": "GNF", "CM": "XAF", "CD": "CDF"}.get(country, "XOF")


@pytest.mark.parametrize(
    ("country", "prefix", "phone"),
    [
        ("SN", "221", "721012345"),  # HAYO: not an operator CinetPay pays
        ("BF", "226", "58123456"),  # Telecel Faso
        ("GN", "224", "601123456"),  # Sotelgui
        ("CM", "237", "661234567"),  # Nexttel
        ("BJ", "229", "0128123456"),  # Celtiis
    ],
)
def test_a_number_whose_operator_cannot_be_told_is_refused_before_any_call(
    rsps, country, prefix, phone, caplog
):
    with pytest.raises(exceptions.CinetPayTransferError) as caught:
        transfers(account(country)).send_money(prefix, phone, 5_000, "PO123", NOTIFY)
    error = caught.value
    assert error.code == "1004"
    assert error.http_status is None
    assert "operator" in error.description
    assert "destination" in error.hint
    assert phone[-6:] not in str(error)  # the number is masked
    assert refused_before_acting(error)  # the payout fails at once: staff set another destination
    assert not rsps.calls


@pytest.mark.parametrize(("prefix", "phone"), [("225", "12"), ("33", "612345678"), ("225", "+221771234567")])
def test_a_number_that_is_not_of_the_prefixs_country_is_refused(rsps, prefix, phone):
    with pytest.raises(exceptions.CinetPayTransferError, match="not a valid number"):
        transfers(CI).send_money(prefix, phone, 5_000, "PO123", NOTIFY)
    assert not rsps.calls


def test_a_transfer_to_a_country_without_credentials_is_a_configuration_error(rsps):
    with pytest.raises(exceptions.CinetPayConfigurationError, match="CINETPAY_API_KEY_SN"):
        transfers(CI).send_money("221", "771234567", 5_000, "PO123", NOTIFY)
    assert not rsps.calls


@pytest.mark.parametrize("amount", [499, 1_500_001])
def test_amounts_out_of_the_apis_limits_are_refused_before_any_call(rsps, amount):
    with pytest.raises(exceptions.CinetPayTransferError) as caught:
        transfers(CI).send_money("225", "0707070700", amount, "PO123", NOTIFY)
    assert "500 to 1,500,000" in caught.value.description
    assert not rsps.calls


@pytest.mark.parametrize("amount", [500, 1_500_000])
def test_the_limits_themselves_are_sent(rsps, amount):
    login_ok(rsps)
    rsps.post(TRANSFER, json=SENT)
    transfers(CI).send_money("225", "0707070700", amount, "PO123", NOTIFY)


@pytest.mark.parametrize(("amount", "cti"), [(0, "PO1"), (True, "PO1"), (500, ""), (500, "P" * 31)])
def test_programming_errors_are_value_errors(rsps, amount, cti):
    with pytest.raises(ValueError, match="send_money needs"):
        transfers(CI).send_money("225", "0707070700", amount, cti, NOTIFY)


def test_a_notify_url_over_120_characters_is_refused(rsps):
    with pytest.raises(exceptions.CinetPayTransferError, match="120"):
        transfers(CI).send_money("225", "0707070700", 500, "PO1", "https://x.example/" + "a" * 110)


def test_1200_on_send_means_it_exists_and_is_raised_for_a_look_up(rsps):
    login_ok(rsps)
    rsps.post(
        TRANSFER, json={"code": 1200, "status": "TRANSACTION_EXIST", "description": "exists"}, status=409
    )
    with pytest.raises(exceptions.CinetPayTransferError) as caught:
        transfers(CI).send_money("225", "0707070700", 5_000, "PO123", NOTIFY)
    assert caught.value.code == "1200"
    assert caught.value.code in TRANSACTION_EXISTS_CODES
    assert "look it up" in caught.value.hint
    assert not refused_before_acting(caught.value)  # the payout becomes unknown, then is looked up


@pytest.mark.parametrize("failure", [requests.Timeout(), requests.ConnectionError()])
def test_a_send_is_never_retried_on_a_network_error(rsps, failure):
    login_ok(rsps)
    send = rsps.post(TRANSFER, body=failure)
    with pytest.raises(exceptions.CinetPayNetworkError):
        transfers(CI).send_money("225", "0707070700", 5_000, "PO123", NOTIFY)
    assert len(send.calls) == 1


def test_a_send_is_never_retried_on_5xx_or_garbage(rsps):
    login_ok(rsps)
    rsps.post(TRANSFER, body="<html>boom</html>", status=502, content_type="text/html")
    with pytest.raises(exceptions.CinetPayServerError):
        transfers(CI).send_money("225", "0707070700", 5_000, "PO123", NOTIFY)
    rsps.post(TRANSFER, body="{oops", status=200)
    with pytest.raises(exceptions.CinetPayInvalidResponseError):
        transfers(CI).send_money("225", "0707070700", 5_000, "PO124", NOTIFY)
    assert len(calls_to(rsps, TRANSFER)) == 2


def test_a_send_with_a_refused_token_is_replayed_once_only(rsps):
    login_ok(rsps)
    rsps.post(TRANSFER, json={"code": 1003, "status": "EXPIRED_TOKEN"}, status=401)
    with pytest.raises(exceptions.CinetPayTokenExpiredError) as caught:
        transfers(CI).send_money("225", "0707070700", 5_000, "PO123", NOTIFY)
    assert len(calls_to(rsps, TRANSFER)) == 2
    assert len(calls_to(rsps, LOGIN)) == 2
    assert refused_before_acting(caught.value)


@pytest.mark.parametrize(
    ("status", "answer", "code", "account_wide"),
    [
        (400, {"code": 2005, "status": "INSUFFICIENT_BALANCE"}, "2005", True),
        (200, {"code": 2005, "status": "INSUFFICIENT_BALANCE"}, "2005", True),  # no transaction: refused
        (422, {"code": 1004, "status": "INVALID_PARAMS", "description": "phone_number"}, "1004", False),
        (403, {"code": 2011, "status": "NOT_ALLOWED"}, "2011", False),
    ],
)
def test_send_refusals_prove_nothing_was_sent(rsps, status, answer, code, account_wide):
    login_ok(rsps)
    rsps.post(TRANSFER, json=answer, status=status)
    with pytest.raises(exceptions.CinetPayAPIError) as caught:
        transfers(CI).send_money("225", "0707070700", 5_000, "PO123", NOTIFY)
    assert caught.value.code == code
    assert refused_before_acting(caught.value)
    assert (code in ACCOUNT_WIDE_CODES) is account_wide


def test_a_send_answering_a_final_failure_with_an_id_is_a_rejected_transfer(rsps):
    login_ok(rsps)
    rsps.post(TRANSFER, json=SENT | {"status": "FAILED", "code": 2010})
    transfer = transfers(CI).send_money("225", "0707070700", 5_000, "PO123", NOTIFY)
    assert transfer.is_rejected
    assert transfer.code == "2010"


def test_a_send_answer_without_status_is_invalid(rsps):
    login_ok(rsps)
    rsps.post(TRANSFER, json={"transaction_id": "CP-TR-9"})
    with pytest.raises(exceptions.CinetPayInvalidResponseError, match="look the transfer up"):
        transfers(CI).send_money("225", "0707070700", 5_000, "PO123", NOTIFY)


def test_the_send_log_masks_the_number(rsps, caplog):
    login_ok(rsps)
    rsps.post(TRANSFER, json=SENT)
    caplog.set_level(logging.INFO, logger="django_cinetpay.client")
    transfers(CI).send_money("225", "0707070700", 5_000, "PO123", NOTIFY)
    assert "PO123" in caplog.text
    assert "0707070700" not in caplog.text


# --- look-up ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "treatment", "completed", "rejected"),
    [
        ("SUCCESS", "VAL", True, False),
        ("FAILED", "REJ", False, True),
        ("INSUFFICIENT_BALANCE", "REJ", False, True),
        ("PENDING", "NEW", False, False),
        ("INITIATED", "NEW", False, False),
        ("USER_NOT_FOUND", "NEW", False, False),  # not final per CinetPay: look again, never resend
    ],
)
def test_look_up_maps_statuses_to_treatment(rsps, status, treatment, completed, rejected):
    login_ok(rsps)
    get = rsps.get(f"{TRANSFER}/PO123", json=SENT | {"status": status})
    transfer = transfers(CI).check_transfer("PO123")
    assert get.calls[0].request.headers["Authorization"] == "Bearer JWT-SECRET"
    assert (transfer.treatment_status, transfer.sending_status) == (treatment, status)
    assert (transfer.is_completed, transfer.is_rejected) == (completed, rejected)


def test_look_up_asks_each_country_and_none_means_never_sent(rsps):
    rsps.post(LOGIN, json={"code": 200, "access_token": "JWT"})
    rsps.get(f"{TRANSFER}/PO123", json={"code": 404, "status": "NOT_FOUND"}, status=404)
    assert transfers(CI, SN, CM).check_transfer("PO123") is None
    assert len(calls_to(rsps, f"{TRANSFER}/PO123")) == 3


def test_look_up_stops_at_the_country_that_knows_it(rsps):
    rsps.post(LOGIN, json={"code": 200, "access_token": "JWT"})
    rsps.get(f"{TRANSFER}/PO123", json={"code": 404, "status": "NOT_FOUND"}, status=404)
    rsps.get(f"{TRANSFER}/PO123", json=SENT | {"status": "SUCCESS"})
    assert transfers(CI, SN, CM).check_transfer("PO123").is_completed
    assert len(calls_to(rsps, f"{TRANSFER}/PO123")) == 2


def test_look_up_errors_raise_rather_than_answer_never_sent(rsps):
    login_ok(rsps)
    rsps.get(f"{TRANSFER}/PO123", json={"code": -1, "status": "OPERATION_ERROR"}, status=400)
    with pytest.raises(exceptions.CinetPayTransferError):
        transfers(CI).check_transfer("PO123")


def test_look_up_is_retried_on_network_errors(rsps):
    login_ok(rsps)
    rsps.get(f"{TRANSFER}/PO123", body=requests.Timeout())
    rsps.get(f"{TRANSFER}/PO123", json=SENT)
    assert transfers(CI).check_transfer("PO123").is_in_progress


def test_look_up_refuses_an_answer_about_another_transfer(rsps):
    login_ok(rsps)
    rsps.get(f"{TRANSFER}/PO123", json=SENT | {"merchant_transaction_id": "PO999"})
    with pytest.raises(exceptions.CinetPayInvalidResponseError, match="PO999"):
        transfers(CI).check_transfer("PO123")


def test_look_up_by_cinetpays_id(rsps):
    login_ok(rsps)
    rsps.get(f"{TRANSFER}/CP-TR-9", json=SENT)
    assert transfers(CI).check_transfer(transaction_id="CP-TR-9").transaction_id == "CP-TR-9"
    with pytest.raises(ValueError, match="needs a client_transaction_id"):
        transfers(CI).check_transfer()


# --- contacts and balance ------------------------------------------------------------------------------


def test_add_contact_has_nothing_to_do_and_calls_nothing(rsps):
    result = transfers(CI).add_contact("+225", "0707070700", "Kouassi", "Awa", "awa@example.com")
    assert (result.prefix, result.phone, result.already_contact, result.remembered) == (
        "225",
        "0707070700",
        True,
        False,
    )
    assert not rsps.calls


def test_balance_of_the_first_country_or_a_named_one(rsps):
    rsps.post(LOGIN, json={"code": 200, "access_token": "JWT"})
    get = rsps.get(
        f"{BASE}/v1/balances",
        json={"code": 200, "status": "OK", "available_balance": "249711.74", "currency": "XOF"},
    )
    client = transfers(CI, CM)
    balance = client.get_balance()
    assert (balance.available, balance.amount, balance.in_using, balance.currency) == (
        249_711,
        249_711,
        0,
        "XOF",
    )
    client.get_balance("cm")
    assert [body(c)["api_key"] for c in calls_to(rsps, LOGIN)] == [CI.api_key, CM.api_key]
    assert get.calls[0].request.headers["Authorization"] == "Bearer JWT"


def test_balance_errors_and_retries(rsps):
    login_ok(rsps)
    rsps.get(f"{BASE}/v1/balances", body=requests.ConnectionError())
    rsps.get(f"{BASE}/v1/balances", json={"code": 1005, "status": "INVALID_CREDENTIALS"}, status=401)
    with pytest.raises(exceptions.CinetPayAuthError):
        transfers(CI).get_balance()
    assert len(calls_to(rsps, f"{BASE}/v1/balances")) == 2
