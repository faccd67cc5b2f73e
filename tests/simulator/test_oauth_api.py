"""The simulator's OAuth API over HTTP: login, tokens, payments, transfers, balance, notifications, faults."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from django_cinetpay.simulator.models import SimulatedPayment, SimulatedSession, SimulatedTransfer

from .conftest import (
    FAILED_URL,
    NOTIFY_URL,
    OAUTH_ACCOUNTS,
    PREFIX,
    SUCCESS_URL,
    TRANSFER_NOTIFY_URL,
    Merchant,
    OAuthApi,
    oauth_payment_body,
)


def test_login_answers_a_bearer_jwt(oauth_api: OAuthApi):
    response = oauth_api.call("POST", "oauth/login", OAUTH_ACCOUNTS["SN"])

    body = response.json()
    assert (response.status_code, body["code"], body["status"], body["token_type"]) == (
        200,
        200,
        "OK",
        "Bearer",
    )
    assert body["expires_in"] == 86_400
    assert body["access_token"].count(".") == 2
    assert SimulatedSession.objects.get().token != body["access_token"]  # only its digest is kept


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"api_key": "sk_test_simulator_ci", "api_password": "sn-password"}, 401, 1005),
        ({"api_key": "sk_live_simulator_ci", "api_password": "ci-password"}, 401, 1005),
        ({"api_key": "sk_test_simulator_ci"}, 400, 1004),
        ({"api_key": 12, "api_password": ["x"]}, 400, 1004),
        ("not an object", 400, 1004),
    ],
)
def test_bad_logins(oauth_api: OAuthApi, body, status, code):
    response = oauth_api.call("POST", "oauth/login", body)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["description"]
    assert not SimulatedSession.objects.exists()


def test_no_account_configured_refuses_every_login(oauth_api: OAuthApi, settings):
    settings.CINETPAY_SIMULATOR_ACCOUNTS = {}
    settings.CINETPAY_API_CREDENTIALS = {}

    assert oauth_api.call("POST", "oauth/login", OAUTH_ACCOUNTS["CI"]).json()["code"] == 1005


def test_the_project_s_own_api_credentials_are_the_default_accounts(oauth_api: OAuthApi, settings):
    settings.CINETPAY_SIMULATOR_ACCOUNTS = {}
    settings.CINETPAY_API_CREDENTIALS = {"SN": OAUTH_ACCOUNTS["SN"]}

    assert oauth_api.call("POST", "oauth/login", OAUTH_ACCOUNTS["SN"]).status_code == 200
    assert oauth_api.call("POST", "oauth/login", OAUTH_ACCOUNTS["CI"]).json()["code"] == 1005


@pytest.mark.parametrize("token", ["", "forged.token.value", "Basic abc"])
def test_endpoints_need_a_token_it_issued(oauth_api: OAuthApi, token):
    response = oauth_api.call("GET", "balances", headers={"Authorization": token} if token else {})

    assert (response.status_code, response.json()["code"], response.json()["status"]) == (
        401,
        1002,
        "INVALID_TOKEN",
    )


def test_expired_tokens_answer_1003_until_a_new_login(oauth_api: OAuthApi, client):
    token = oauth_api.login()
    assert oauth_api.call("GET", "balances", token=token).status_code == 200

    client.force_login(_staff())
    assert client.post(reverse("cinetpay_simulator:tokens-expire")).status_code == 302

    expired = oauth_api.call("GET", "balances", token=token)
    assert (expired.status_code, expired.json()["code"], expired.json()["status"]) == (
        401,
        1003,
        "EXPIRED_TOKEN",
    )
    assert oauth_api.call("GET", "balances", token=oauth_api.login()).json()["available_balance"] == "1000000"


def _staff():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("dev", is_staff=True)


def test_unknown_endpoint_and_wrong_method(oauth_api: OAuthApi):
    token = oauth_api.login()

    assert oauth_api.call("GET", "payments", token=token).json()["code"] == 404
    assert oauth_api.call("GET", "payment", token=token).status_code == 404
    assert oauth_api.call("POST", "balances", {}, token=token).json()["status"] == "NOT_FOUND"


# --- payments --------------------------------------------------------------------------------------------


def test_payment_initialisation(oauth_api: OAuthApi):
    token = oauth_api.login()

    body = oauth_api.pay_init(token).json()

    assert (body["code"], body["status"], body["merchant_transaction_id"]) == (200, "OK", "ORDER-OAUTH-1")
    assert body["details"] == {
        "code": 2001,
        "status": "INITIATED",
        "message": "Transaction initiated",
        "must_be_redirected": True,
    }
    assert body["payment_url"] == f"http://testserver{PREFIX}/payment/{body['payment_token']}/"
    assert len(body["notify_token"]) >= 32
    row = SimulatedPayment.objects.get()
    assert (row.transaction_id, row.record["api"], row.record["reference"]) == (
        "ORDER-OAUTH-1",
        "oauth",
        body["transaction_id"],
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"currency": "EUR"}, "currency"),
        ({"currency": "XAF"}, "XAF"),  # not the CI account's currency
        ({"merchant_transaction_id": "X" * 31}, "merchant_transaction_id"),
        ({"merchant_transaction_id": None}, "merchant_transaction_id"),
        ({"amount": 99}, "amount"),
        ({"amount": 2_500_001}, "amount"),
        ({"amount": "5000"}, "amount"),
        ({"amount": True}, "amount"),
        ({"lang": "de"}, "lang"),
        ({"designation": ""}, "designation"),
        ({"client_email": "awa@"}, "client_email"),
        ({"client_first_name": "A"}, "client_first_name"),
        ({"success_url": "/payments/success/"}, "success_url"),
        ({"notify_url": "https://shop.example.com/" + "n" * 100}, "notify_url"),
        ({"channel": "ALL"}, "channel"),
        ({"payment_method": "OM_SN"}, "payment_method"),
        ({"client_phone_number": "0707070707"}, "client_phone_number"),
        ({"client_phone_number": "+221770000000"}, "client_phone_number"),
        ({"otp_code": "12"}, "otp_code"),
        ({"direct_pay": True, "payment_method": "OM_CI"}, "direct_pay"),
    ],
)
def test_payment_rules(oauth_api: OAuthApi, overrides, field):
    response = oauth_api.pay_init(oauth_api.login(), **overrides)

    body = response.json()
    assert (response.status_code, body["code"], body["status"]) == (400, 1004, "INVALID_PARAMS")
    assert field in body["description"]
    assert not SimulatedPayment.objects.exists()


def test_a_reused_merchant_transaction_id_is_1200(oauth_api: OAuthApi):
    token = oauth_api.login()
    oauth_api.pay_init(token)

    again = oauth_api.pay_init(token, amount=100)

    assert (again.status_code, again.json()["code"], again.json()["status"]) == (
        400,
        1200,
        "TRANSACTION_EXIST",
    )
    assert SimulatedPayment.objects.get().record["amount"] == 5000


def test_status_by_each_identifier_and_not_a_v2_payment(oauth_api: OAuthApi, sim_api):
    token = oauth_api.login()
    created = oauth_api.pay_init(token, client_phone_number="+2250707070700").json()
    sim_api.created()  # a Checkout v2 payment: not the OAuth API's to tell

    for identifier in (created["payment_token"], created["transaction_id"], "ORDER-OAUTH-1"):
        body = oauth_api.call("GET", f"payment/{identifier}", token=token).json()
        assert (body["code"], body["status"], body["amount"], body["currency"]) == (
            2001,
            "INITIATED",
            "5000",
            "XOF",
        )
        assert body["user"] == {
            "name": "Awa Koné",
            "email": "awa@example.com",
            "phone_number": "+2250707070700",
        }
    assert oauth_api.call("GET", "payment/CP20260101000000ABC123", token=token).status_code == 404


def test_direct_pay_starts_pending_on_the_customer_s_phone(oauth_api: OAuthApi, client, merchant: Merchant):
    token = oauth_api.login()
    body = oauth_api.pay_init(
        token, direct_pay=True, payment_method="MTN_CI", client_phone_number="+2250505050505"
    ).json()

    assert body["details"]["status"] == "PENDING"
    assert body["details"]["must_be_redirected"] is False
    assert oauth_api.call("GET", "payment/ORDER-OAUTH-1", token=token).json()["status"] == "PENDING"
    assert merchant.caught == []  # PENDING is not final: nothing is posted

    page = urlsplit(body["payment_url"]).path
    assert "+225 0505050505" in client.get(page).content.decode()
    client.post(page, {"outcome": "pay"})

    paid = oauth_api.call("GET", "payment/ORDER-OAUTH-1", token=token).json()
    assert (paid["code"], paid["status"], paid["payment_method"]) == (100, "SUCCESS", "MTN_CI")


@pytest.mark.parametrize(
    ("outcome", "status", "exit_url"), [("pay", 100, SUCCESS_URL), ("cancel", 2010, FAILED_URL)]
)
def test_checkout_page_notifies_with_the_notify_token(
    oauth_api, client, merchant: Merchant, outcome, status, exit_url
):
    token = oauth_api.login()
    created = oauth_api.pay_init(token).json()
    page = urlsplit(created["payment_url"]).path

    html = client.get(page).content.decode()
    assert all(name in html for name in ("Orange Money", "Moov Money", "MTN Mobile Money", "Wave"))
    back = client.post(
        page, {"method": "WAVE_CI", "phone": "0101010101", "phone_prefix": "225", "outcome": outcome}
    )

    assert (back.status_code, back["Location"]) == (302, exit_url)
    assert oauth_api.call("GET", "payment/ORDER-OAUTH-1", token=token).json()["code"] == status
    (caught,) = merchant.caught
    assert (caught.url, caught.content_type) == (NOTIFY_URL, "application/json")
    assert json.loads(caught.body) == {
        "notify_token": created["notify_token"],
        "transaction_id": created["transaction_id"],
        "merchant_transaction_id": "ORDER-OAUTH-1",
        "user": {
            "name": "Awa Koné",
            "email": "awa@example.com",
            "phone_number": "+2250101010101" if outcome == "pay" else "",
        },
    }
    final = client.get(page).content.decode()
    assert f'href="{exit_url}"' in final  # a final payment's page links back by GET


def test_the_checkout_page_offers_only_the_method_the_merchant_chose(oauth_api: OAuthApi, client):
    token = oauth_api.login()
    created = oauth_api.pay_init(token, payment_method="WAVE_CI").json()
    page = urlsplit(created["payment_url"]).path

    assert 'value="WAVE_CI"' in client.get(page).content.decode()
    assert 'value="OM_CI"' not in client.get(page).content.decode()
    refused = client.post(page, {"method": "OM_CI", "phone": "0707070707", "outcome": "pay"})

    assert refused.status_code == 400
    assert oauth_api.call("GET", "payment/ORDER-OAUTH-1", token=token).json()["status"] == "INITIATED"


# --- transfers and balance -------------------------------------------------------------------------------


def test_transfer_pending_then_validated_from_the_dashboard(oauth_api: OAuthApi, client, merchant: Merchant):
    token = oauth_api.login()
    sent = oauth_api.send(token).json()

    assert (sent["code"], sent["status"], sent["phone_number"], sent["fee_amount"]) == (
        2002,
        "PENDING",
        "+2250707000001",
        "0",
    )
    assert oauth_api.call("GET", "balances", token=token).json()["available_balance"] == "995000"
    client.force_login(_staff())
    client.post(reverse("cinetpay_simulator:transfer-action", args=["PAYOUT-OAUTH-1", "validate"]))

    for identifier in ("PAYOUT-OAUTH-1", sent["transaction_id"]):
        body = oauth_api.call("GET", f"transfer/{identifier}", token=token).json()
        assert (body["code"], body["status"], body["amount"], body["payment_method"]) == (
            100,
            "SUCCESS",
            "5000",
            "OM_CI",
        )
    (caught,) = merchant.caught
    assert caught.url == TRANSFER_NOTIFY_URL
    assert json.loads(caught.body) == {
        "notify_token": sent["notify_token"],
        "transaction_id": sent["transaction_id"],
        "merchant_transaction_id": "PAYOUT-OAUTH-1",
    }
    assert oauth_api.call("GET", "balances", token=token).json() == {
        "code": 200,
        "status": "OK",
        "available_balance": "995000",
        "currency": "XOF",
    }


def test_transfers_settle_after_the_delay(oauth_api: OAuthApi, settings, merchant: Merchant):
    settings.CINETPAY_SIMULATOR_TRANSFER_DELAY = 0
    token = oauth_api.login()
    oauth_api.send(token)

    assert oauth_api.call("GET", "transfer/PAYOUT-OAUTH-1", token=token).json()["status"] == "SUCCESS"
    assert len(merchant.caught) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"payment_method": "OM_SN"}, "OM_SN does not serve"),
        ({"payment_method": "CARD"}, "payment_method"),
        ({"phone_number": "0707000001"}, "phone_number"),
        ({"phone_number": "+330612345678"}, "phone_number"),
        ({"amount": 499}, "amount"),
        ({"amount": 1_500_001}, "amount"),
        ({"currency": "XAF"}, "XAF"),
        ({"reason": ""}, "reason"),
        ({"notify_url": "ftp://shop.example.com/"}, "notify_url"),
    ],
)
def test_transfer_rules(oauth_api: OAuthApi, overrides, field):
    response = oauth_api.send(oauth_api.login(), **overrides)

    assert (response.status_code, response.json()["code"]) == (400, 1004)
    assert field in response.json()["description"]
    assert not SimulatedTransfer.objects.exists()


def test_senegal_account_pays_a_senegal_number(oauth_api: OAuthApi):
    sent = oauth_api.send(oauth_api.login("SN"), phone_number="+221770000001", payment_method="WAVE_SN")

    assert sent.json()["status"] == "PENDING"


def test_transfer_reuse_and_balance_are_refused_without_a_record(oauth_api: OAuthApi, settings, sim_api):
    settings.CINETPAY_SIMULATOR_TRANSFER_BALANCE = 6000
    token = oauth_api.login()
    oauth_api.send(token)

    again = oauth_api.send(token, amount=500)
    too_much = oauth_api.send(token, merchant_transaction_id="PAYOUT-OAUTH-2", amount=1500)

    assert (again.json()["code"], again.json()["status"]) == (1200, "TRANSACTION_EXIST")
    assert (too_much.status_code, too_much.json()["code"], too_much.json()["status"]) == (
        400,
        2005,
        "INSUFFICIENT_BALANCE",
    )
    assert SimulatedTransfer.objects.count() == 1
    # One account behind both APIs: Transfer v1 sees the same balance.
    v1 = sim_api.transfer("GET", "transfer/check/balance", query={"token": sim_api.login()}).json()["data"]
    assert (v1["inUsing"], v1["available"]) == (5000, 1000)


def test_unknown_transfer_is_404(oauth_api: OAuthApi):
    response = oauth_api.call("GET", "transfer/NEVER-SENT", token=oauth_api.login())

    assert (response.status_code, response.json()["code"], response.json()["status"]) == (
        404,
        404,
        "NOT_FOUND",
    )


# --- faults ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "content_type"),
    [("5xx", 503, "text/plain"), ("html", 200, "text/html"), ("malformed_json", 200, "application/json")],
)
def test_request_faults_on_the_new_endpoints(oauth_api: OAuthApi, fault, status, content_type):
    token = oauth_api.login()

    response = oauth_api.call(
        "POST", "payment", oauth_payment_body(), token=token, headers={"X-CinetPay-Simulator-Fault": fault}
    )

    assert response.status_code == status
    assert response["Content-Type"].startswith(content_type)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    # 5xx and html: CinetPay never saw it; malformed JSON: it acted, the answer was cut.
    assert SimulatedPayment.objects.exists() is (fault == "malformed_json")


def test_stored_fault_rules_target_routes_with_ids(oauth_api: OAuthApi, client):
    token = oauth_api.login()
    oauth_api.pay_init(token)
    client.force_login(_staff())
    client.post(
        reverse("cinetpay_simulator:fault-add"), {"fault": "5xx", "target": "v1/payment/{id}", "times": 1}
    )

    assert oauth_api.call("GET", "payment/ORDER-OAUTH-1", token=token).status_code == 503
    assert oauth_api.call("GET", "payment/ORDER-OAUTH-1", token=token).status_code == 200
    assert oauth_api.call("GET", "balances", token=token).status_code == 200


def test_duplicate_notification_fault(oauth_api: OAuthApi, client, merchant: Merchant):
    created = oauth_api.pay_init(oauth_api.login()).json()
    page = urlsplit(created["payment_url"]).path

    client.post(
        page, {"method": "OM_CI", "phone": "0707070707", "outcome": "pay", "notification": "duplicate"}
    )

    assert [json.loads(c.body)["notify_token"] for c in merchant.caught] == [created["notify_token"]] * 2


def test_dashboard_shows_new_api_payments_and_transfers(oauth_api: OAuthApi, client):
    token = oauth_api.login()
    created = oauth_api.pay_init(token, payment_method="MOOV_CI").json()
    oauth_api.send(token, payment_method="WAVE_CI")
    client.force_login(_staff())

    html = client.get(reverse("cinetpay_simulator:dashboard")).content.decode()

    assert f"http://testserver{PREFIX}/api" in html
    assert "Country accounts (CINETPAY_SIMULATOR_ACCOUNTS, else CINETPAY_API_CREDENTIALS): CI, SN." in html
    assert "OAuth API (v1)" in html
    assert created["transaction_id"] in html
    assert "Moov Money" in html
    assert "Wave" in html
    assert "(INITIATED)" in html
    assert "(PENDING)" in html
    assert "5 000" in html or "5,000" in html
