"""CinetPay's own Python SDK (``cinetpay-python``) against the simulator's OAuth API, over real HTTP.

The SDK is CinetPay's description of its newer API: if it logs in, initialises, reads statuses, sends and
reads transfers, reads the balance and renews an expired token against the simulator, and every answer
parses into its own types with the statuses it documents, the simulator speaks that API. The customer
pays on the simulator's checkout page, the transfers are settled from its dashboard, and the
notifications it posts are parsed and verified with the SDK's own webhook helpers.

The SDK is a test dependency: missing, this test skips, except with ``CI=true``, where it fails.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from types import ModuleType

import httpx
import pytest
from django.urls import reverse

from django_cinetpay.simulator.models import SimulatedSession

from .conftest import FAILED_URL, NOTIFY_URL, OAUTH_ACCOUNTS, SUCCESS_URL, TRANSFER_NOTIFY_URL, Merchant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sdk() -> ModuleType:
    try:
        return importlib.import_module("cinetpay")
    except ImportError:
        reason = "CinetPay's SDK is missing: pip install cinetpay-python"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the fidelity test must run)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def live(live_server, settings):
    settings.CINETPAY_SIMULATOR_ACCOUNTS = OAUTH_ACCOUNTS
    settings.CINETPAY_SIMULATOR_TRANSFER_DELAY = None
    settings.CINETPAY_SIMULATOR_TRANSFER_BALANCE = 1_000_000
    return live_server


@pytest.fixture
def client(sdk, live):
    """CinetPay's client with the CI account, its base URL the simulator's OAuth API."""
    credentials = {country: sdk.CountryCredentials(**account) for country, account in OAUTH_ACCOUNTS.items()}
    config = sdk.ClientConfig(credentials=credentials, base_url=f"{live.url}/cinetpay-simulator/api")
    with sdk.CinetPayClient(config) as client:
        yield client


@pytest.fixture
def browser(live):
    with httpx.Client(base_url=live.url, timeout=10) as browser:
        yield browser


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def settle(browser: httpx.Client, merchant_transaction_id: str, action: str) -> None:
    """Validate or reject a transfer from the simulator's dashboard, as a developer would."""
    token = csrf(browser.get(reverse("cinetpay_simulator:dashboard")))
    url = reverse("cinetpay_simulator:transfer-action", args=[merchant_transaction_id, action])
    assert browser.post(url, data={"csrfmiddlewaretoken": token}).status_code == 302


def payment_request(sdk: ModuleType, merchant_transaction_id: str):
    return sdk.PaymentRequest(
        currency="XOF",
        merchant_transaction_id=merchant_transaction_id,
        amount=5000,
        lang="fr",
        designation="Compte Free Fire niveau 70",
        client_email="awa@example.com",
        client_first_name="Awa",
        client_last_name="Kone",
        success_url=SUCCESS_URL,
        failed_url=FAILED_URL,
        notify_url=NOTIFY_URL,
        channel="PUSH",
    )


def transfer_request(sdk: ModuleType, merchant_transaction_id: str, **overrides):
    fields = {
        "currency": "XOF",
        "merchant_transaction_id": merchant_transaction_id,
        "phone_number": "+2250707000001",
        "amount": 5000,
        "payment_method": "OM_CI",
        "reason": "Vente du compte",
        "notify_url": TRANSFER_NOTIFY_URL,
        **overrides,
    }
    return sdk.TransferRequest(**fields)


def test_payment_paid_on_the_checkout_page(sdk, client, browser, merchant: Merchant):
    payment = client.payment.initialize(payment_request(sdk, "SDK-ORDER-1"), "CI")

    assert isinstance(payment, sdk.PaymentResponse)
    assert (payment.code, payment.details.status, payment.details.must_be_redirected) == (
        200,
        "INITIATED",
        True,
    )
    assert payment.merchant_transaction_id == "SDK-ORDER-1"
    assert payment.payment_url.startswith(f"{str(browser.base_url).rstrip('/')}/cinetpay-simulator/payment/")
    before = client.payment.get_status(payment.payment_token, "CI")
    assert (before.code, before.status, sdk.is_final_status(before.status)) == (2001, "INITIATED", False)

    page = browser.get(payment.payment_url)
    assert "Orange Money" in page.text
    back = browser.post(
        payment.payment_url,
        data={"csrfmiddlewaretoken": csrf(page), "method": "OM_CI", "phone": "0707070700", "outcome": "pay"},
    )

    assert (back.status_code, back.headers["location"]) == (302, SUCCESS_URL)
    for identifier in (payment.payment_token, payment.transaction_id, "SDK-ORDER-1"):
        status = client.payment.get_status(identifier, "CI")
        assert isinstance(status, sdk.PaymentStatus)
        assert (status.code, status.status, sdk.is_final_status(status.status)) == (100, "SUCCESS", True)
        assert status.transaction_id == payment.transaction_id
        assert status.user == sdk.PaymentStatusUser(
            name="Awa Kone", email="awa@example.com", phone_number="+2250707070700"
        )
    (caught,) = merchant.caught
    assert (caught.url, caught.content_type) == (NOTIFY_URL, "application/json")
    notification = sdk.parse_notification(caught.body)
    assert isinstance(notification, sdk.WebhookPayload)
    assert sdk.verify_notification(payment.notify_token, notification.notify_token)
    assert (notification.transaction_id, notification.merchant_transaction_id) == (
        payment.transaction_id,
        "SDK-ORDER-1",
    )
    assert notification.user.phone_number == "+2250707070700"


def test_refused_payment_is_failed_and_final(sdk, client, browser, merchant: Merchant):
    payment = client.payment.initialize(payment_request(sdk, "SDK-ORDER-2"), "CI")
    page = browser.get(payment.payment_url)
    back = browser.post(
        payment.payment_url,
        data={
            "csrfmiddlewaretoken": csrf(page),
            "method": "MTN_CI",
            "phone": "0505050505",
            "outcome": "refuse",
        },
    )

    assert back.headers["location"] == FAILED_URL
    status = client.payment.get_status("SDK-ORDER-2", "CI")
    assert (status.code, status.status, sdk.is_final_status(status.status)) == (2010, "FAILED", True)
    assert json.loads(merchant.caught[0].body)["notify_token"] == payment.notify_token


def test_transfers_and_balance(sdk, client, browser, merchant: Merchant):
    sent = client.transfer.create(transfer_request(sdk, "SDK-PAYOUT-1"), "CI")
    rejected = client.transfer.create(transfer_request(sdk, "SDK-PAYOUT-2", amount=700), "CI")

    assert isinstance(sent, sdk.TransferResponse)
    assert (sent.code, sent.status, sent.amount, sent.currency) == (2002, "PENDING", "5000", "XOF")
    assert (sent.phone_number, sent.merchant_transaction_id) == ("+2250707000001", "SDK-PAYOUT-1")
    assert sent.notify_token
    assert sent.notify_token != rejected.notify_token
    pending = client.transfer.get_status(sent.transaction_id, "CI")
    assert (pending.status, sdk.is_final_status(pending.status)) == ("PENDING", False)
    assert client.balance.get("CI") == sdk.Balance(
        code=200, status="OK", available_balance="994300", currency="XOF"
    )

    settle(browser, "SDK-PAYOUT-1", "validate")
    settle(browser, "SDK-PAYOUT-2", "reject")

    done = client.transfer.get_status("SDK-PAYOUT-1", "CI")
    assert isinstance(done, sdk.TransferStatus)
    assert (done.code, done.status, done.transaction_id, done.fee_amount) == (
        100,
        "SUCCESS",
        sent.transaction_id,
        "0",
    )
    failed = client.transfer.get_status(rejected.transaction_id, "CI")
    assert (failed.code, failed.status, sdk.is_final_status(failed.status)) == (2010, "FAILED", True)
    assert client.balance.get("CI").available_balance == "995000"
    notified = [sdk.parse_notification(c.body) for c in merchant.caught]
    assert [(n.merchant_transaction_id, n.notify_token) for n in notified] == [
        ("SDK-PAYOUT-1", sent.notify_token),
        ("SDK-PAYOUT-2", rejected.notify_token),
    ]


def test_errors_are_the_sdk_s_api_errors(sdk, client):
    client.transfer.create(transfer_request(sdk, "SDK-PAYOUT-3"), "CI")

    with pytest.raises(sdk.ApiError) as again:
        client.transfer.create(transfer_request(sdk, "SDK-PAYOUT-3"), "CI")
    assert (again.value.api_code, again.value.api_status) == (1200, "TRANSACTION_EXIST")
    with pytest.raises(sdk.ApiError) as wrong_operator:
        client.transfer.create(transfer_request(sdk, "SDK-PAYOUT-4", payment_method="WAVE_SN"), "CI")
    assert (wrong_operator.value.api_code, wrong_operator.value.api_status) == (1004, "INVALID_PARAMS")
    with pytest.raises(sdk.ApiError) as unknown:
        client.payment.get_status("NEVER-INITIALISED", "CI")
    assert (unknown.value.api_code, unknown.value.api_status) == (404, "NOT_FOUND")
    client.payment.initialize(payment_request(sdk, "SDK-ORDER-3"), "CI")
    with pytest.raises(sdk.ApiError) as reused:
        client.payment.initialize(payment_request(sdk, "SDK-ORDER-3"), "CI")
    assert reused.value.api_code == 1200


def test_an_expired_token_is_renewed_by_the_sdk(sdk, client, browser):
    assert client.balance.get("CI").available_balance == "1000000"
    assert SimulatedSession.objects.count() == 1

    token = csrf(browser.get(reverse("cinetpay_simulator:dashboard")))
    browser.post(reverse("cinetpay_simulator:tokens-expire"), data={"csrfmiddlewaretoken": token})

    assert client.balance.get("CI").currency == "XOF"  # 1003 EXPIRED_TOKEN, a new login, the same call again
    assert SimulatedSession.objects.count() == 2


def test_wrong_credentials_are_refused(sdk, live):
    config = sdk.ClientConfig(
        credentials={"CI": sdk.CountryCredentials(api_key="sk_test_simulator_ci", api_password="typo")},
        base_url=f"{live.url}/cinetpay-simulator/api",
    )
    with sdk.CinetPayClient(config) as client, pytest.raises(sdk.AuthenticationError):
        client.balance.get("CI")
