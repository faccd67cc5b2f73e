"""The OAuth API in the in-process fake: the same engine, answered at api.cinetpay.co / .net, with helpers.

The requests here are what a client of that API sends (JSON, a Bearer token). Notifications go to this
module's notify view, in process, as they would go to a project's webhook.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import requests
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from django_cinetpay.simulator.engine import CustomerError, Fault
from django_cinetpay.testing import CinetPayFake, oauth_notification, post_notification

ACCOUNTS = {"CI": {"api_key": "sk_test_fake_ci", "api_password": "ci-secret"}}
SANDBOX = "https://api.cinetpay.net"
NOTIFY_URL = "https://shop.example.com/api-notify/"

#: What the notify view received, in order: (content type, decoded JSON body).
received: list[tuple[str, Any]] = []


@csrf_exempt
def notify(request: HttpRequest) -> HttpResponse:
    received.append((request.content_type, json.loads(request.body)))
    return HttpResponse("OK")


urlpatterns = [path("api-notify/", notify)]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _fresh_log():
    received.clear()


@pytest.fixture
def fake(settings):
    settings.CINETPAY_SIMULATOR_ACCOUNTS = ACCOUNTS
    with CinetPayFake() as fake:
        yield fake


class Client:
    """A minimal client of the OAuth API, as any HTTP client would call it."""

    def __init__(self, base: str = SANDBOX, country: str = "CI") -> None:
        self.base = base
        self.token = self.login(ACCOUNTS[country])

    def login(self, credentials: dict[str, str]) -> str:
        response = requests.post(f"{self.base}/v1/oauth/login", json=credentials, timeout=5)
        return response.json().get("access_token", "")

    def call(self, method: str, endpoint: str, body: Any = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return requests.request(method, f"{self.base}/v1/{endpoint}", json=body, headers=headers, timeout=5)

    def pay(self, merchant_transaction_id: str = "ORDER-1", **overrides: Any) -> dict[str, Any]:
        body = {
            "currency": "XOF",
            "merchant_transaction_id": merchant_transaction_id,
            "amount": 2500,
            "lang": "fr",
            "designation": "Skin légendaire",
            "client_email": "awa@example.com",
            "client_first_name": "Awa",
            "client_last_name": "Koné",
            "success_url": "https://shop.example.com/ok/",
            "failed_url": "https://shop.example.com/ko/",
            "notify_url": NOTIFY_URL,
            "channel": "PUSH",
            **overrides,
        }
        return self.call("POST", "payment", body).json()

    def send(self, merchant_transaction_id: str = "PAYOUT-1", **overrides: Any) -> dict[str, Any]:
        body = {
            "currency": "XOF",
            "merchant_transaction_id": merchant_transaction_id,
            "phone_number": "+2250505050505",
            "amount": 9500,
            "payment_method": "MTN_CI",
            "reason": "Vente",
            "notify_url": NOTIFY_URL,
            **overrides,
        }
        return self.call("POST", "transfer", body).json()

    def status(self, kind: str, identifier: str) -> dict[str, Any]:
        return self.call("GET", f"{kind}/{identifier}").json()


@pytest.mark.parametrize("base", [SANDBOX, "https://api.cinetpay.co"])
def test_both_hosts_are_answered(fake, base):
    client = Client(base)

    assert client.call("GET", "balances").json() == {
        "code": 200,
        "status": "OK",
        "available_balance": "1000000",
        "currency": "XOF",
    }


def test_customer_pays_and_the_site_is_notified(fake):
    created = Client().pay()

    deliveries = fake.pay("ORDER-1")

    assert [d.status for d in deliveries] == [200]
    assert received == [
        (
            "application/json",
            {
                "notify_token": created["notify_token"],
                "transaction_id": created["transaction_id"],
                "merchant_transaction_id": "ORDER-1",
                "user": {"name": "Awa Koné", "email": "awa@example.com", "phone_number": "+2250707070707"},
            },
        )
    ]
    record = fake.payment("ORDER-1")
    assert (record.payment_method, record.notify_token, record.reference) == (
        "OM_CI",
        created["notify_token"],
        created["transaction_id"],
    )
    assert Client().status("payment", created["payment_token"])["status"] == "SUCCESS"


@pytest.mark.parametrize("helper", ["refuse", "cancel"])
def test_refused_or_cancelled_payment_fails_for_good(fake, helper):
    Client().pay()

    getattr(fake, helper)("ORDER-1")

    assert Client().status("payment", "ORDER-1")["status"] == "FAILED"
    assert len(received) == 1
    with pytest.raises(CustomerError):
        fake.pay("ORDER-1")


def test_pending_sends_nothing_then_paying_notifies(fake):
    Client().pay()

    assert fake.wait("ORDER-1", method="WAVE_CI", phone="0101010101") == []
    assert Client().status("payment", "ORDER-1")["status"] == "PENDING"
    fake.pay("ORDER-1")

    assert Client().status("payment", "ORDER-1")["payment_method"] == "WAVE_CI"
    assert received[0][1]["user"]["phone_number"] == "+2250101010101"


def test_notification_faults_and_resending(fake):
    Client().pay()
    fake.pay("ORDER-1", notification=Fault.LOST)
    assert received == []

    fake.notify("ORDER-1", notification=Fault.DUPLICATE)

    assert len(received) == 2
    assert received[0] == received[1]


def test_transfers_settle_with_the_v2_helpers(fake):
    client = Client()
    sent = client.send()
    refused = client.send("PAYOUT-2", amount=500)

    fake.validate_transfer("PAYOUT-1")
    fake.reject_transfer("PAYOUT-2", comment="Numéro inconnu")

    assert client.status("transfer", "PAYOUT-1")["status"] == "SUCCESS"
    assert client.status("transfer", refused["transaction_id"])["status"] == "FAILED"
    assert [body["notify_token"] for _, body in received] == [sent["notify_token"], refused["notify_token"]]
    assert fake.balance["available"] == 1_000_000 - 9500
    assert fake.transfer("PAYOUT-1").payment_method == "MTN_CI"


def test_transfer_rules_in_the_fake(fake):
    client = Client()
    client.send()

    assert client.send()["code"] == 1200
    assert client.send("PAYOUT-2", payment_method="OM_SN")["code"] == 1004
    assert client.send("PAYOUT-3", amount=2_000_000)["code"] == 1004


def test_expire_tokens_and_advance(fake):
    client = Client()
    fake.expire_tokens()

    assert client.call("GET", "balances").json()["code"] == 1003
    client.token = client.login(ACCOUNTS["CI"])
    assert client.call("GET", "balances").status_code == 200
    fake.advance(dt.timedelta(hours=24).total_seconds())
    assert client.call("GET", "balances").json()["status"] == "EXPIRED_TOKEN"


def test_faults_on_new_endpoints(fake):
    client = Client()
    fake.fail(Fault.TIMEOUT, "v1/transfer")

    with pytest.raises(requests.exceptions.ReadTimeout):
        client.send()
    # The transfer was made although the answer was lost: a look-up finds it before any resend.
    assert client.status("transfer", "PAYOUT-1")["status"] == "PENDING"
    fake.fail(Fault.SERVER_ERROR, "v1/payment/{id}")
    assert client.call("GET", "payment/ORDER-1").status_code == 503


def test_accounts_given_to_the_fake_win(settings):
    settings.CINETPAY_SIMULATOR_ACCOUNTS = {}
    settings.CINETPAY_API_CREDENTIALS = {}
    with CinetPayFake(accounts=ACCOUNTS):
        assert Client().token
    with CinetPayFake():
        assert Client().token == ""  # 1005: no account
    settings.CINETPAY_API_CREDENTIALS = ACCOUNTS  # the project's own OAuth credentials
    with CinetPayFake():
        assert Client().token


def test_the_project_s_api_url_is_answered_too(settings, fake):
    fake.stop()
    settings.CINETPAY_API_URL = "https://cinetpay-proxy.example.com/api"
    fake.start()

    assert Client("https://cinetpay-proxy.example.com/api").call("GET", "balances").status_code == 200


def test_oauth_notification_without_the_fake(db):
    class Transaction:
        transaction_id = "ORDER-9"
        notify_token = "stored-token"

    notification = oauth_notification(Transaction(), url=NOTIFY_URL, transaction_id="CP1")
    forged = oauth_notification("ORDER-9", url=NOTIFY_URL, notify_token="forged")

    assert post_notification(notification).status_code == 200
    assert post_notification(forged).status_code == 200
    assert [body for _, body in received] == [
        {"notify_token": "stored-token", "transaction_id": "CP1", "merchant_transaction_id": "ORDER-9"},
        {"notify_token": "forged", "transaction_id": "", "merchant_transaction_id": "ORDER-9"},
    ]
